//! Detectors and channels with real parts: terraform against LocalStack, small real scripts,
//! real HTTP posts of every payload format, and a LocalStack SQS queue.

use std::path::Path;

use aws_sdk_ec2::types::{IpPermission, IpRange, Tag};
use driftdrill::aws::AwsClients;
use driftdrill::detect::{self, BuildCx, Built, Observation, PollCx, Polled, matching, signature};
use tokio::sync::mpsc;

use crate::fixture;

fn build(
    kind: &str,
    name: &str,
    settings: serde_json::Value,
    base: &Path,
    aws: &AwsClients,
) -> Built {
    let spec = detect::find(kind).expect("type exists");
    (spec.build)(
        &settings,
        &BuildCx {
            name,
            base_dir: base,
            aws,
        },
    )
    .unwrap_or_else(|e| panic!("build {kind}: {e}"))
}

/// Up to three receives from a queue channel (one long poll may come back before LocalStack
/// delivers), stopping at the first that brings something.
async fn receive(channel: &dyn Polled, cx: &PollCx) -> Vec<Observation> {
    let mut observations = Vec::new();
    for _ in 0..3 {
        observations.extend(channel.poll(cx).await.expect("receive"));
        if !observations.is_empty() {
            break;
        }
    }
    observations
}

fn polled(built: Built) -> Box<dyn Polled> {
    match built {
        Built::Polled(p) => p,
        Built::Push(_) => panic!("expected a polled detector"),
    }
}

/// Whether the custodian policy called `policy` matched the resource `id` in these observations.
fn flagged(observations: &[Observation], policy: &str, id: &str) -> bool {
    observations
        .iter()
        .any(|o| o.text == policy && o.resources.iter().any(|r| r == id))
}

/// Whether any observation names the resource `id`.
fn named(observations: &[Observation], id: &str) -> bool {
    observations
        .iter()
        .any(|o| matching::names_any(o, &[id.to_string()]))
}

/// Opens (or closes again) SSH to the world on a security group, as someone in the console would.
async fn world_ssh(aws: &AwsClients, group: &str, open: bool) {
    let rule = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    let changed = if open {
        aws.ec2()
            .authorize_security_group_ingress()
            .group_id(group)
            .ip_permissions(rule)
            .send()
            .await
            .is_ok()
    } else {
        aws.ec2()
            .revoke_security_group_ingress()
            .group_id(group)
            .ip_permissions(rule)
            .send()
            .await
            .is_ok()
    };
    assert!(changed, "change the group's ingress");
}

fn terraform_settings(ws: &driftdrill::terraform::Workspace) -> serde_json::Value {
    serde_json::json!({
        "dir": ws.dir, "program": "terraform", "interval": "5s", "timeout": "5m", "refresh_only": true,
        "cli_config": ws.cli_config, "env": {},
    })
}

#[tokio::test]
async fn terraform_attributes_drift_to_the_resource_that_drifted() {
    if !fixture::terraform_available() {
        return;
    }
    let env = fixture::sample_env("tfdet", false).await;
    let aws = fixture::clients().await;
    let detector = polled(build(
        "terraform",
        "tf",
        terraform_settings(&env.workspace),
        Path::new("/"),
        &aws,
    ));
    let cx = PollCx::default();
    let db = env.outputs.security_group_ids["db"].clone();
    let web = env.outputs.security_group_ids["web"].clone();
    let data = env.outputs.bucket_names["data"].clone();

    let fresh = detector.poll(&cx).await.expect("clean poll");
    assert!(
        fresh.is_empty(),
        "a fresh environment shows drift: {fresh:?}"
    );

    // An out-of-band rule on the db group, a suspended bucket, and a tag edit on the web group.
    world_ssh(&aws, &db, true).await;
    let sg_poll = detector.poll(&cx).await;
    world_ssh(&aws, &db, false).await;
    let sg_poll = sg_poll.expect("poll after the rule");
    assert!(
        named(&sg_poll, &db),
        "drift not attributed to {db}: {sg_poll:?}"
    );
    assert!(
        !named(&sg_poll, &web),
        "drift wrongly attributed to {web}: {sg_poll:?}"
    );

    use aws_sdk_s3::types::BucketVersioningStatus::{Enabled, Suspended};
    fixture::resources::set_versioning(&aws, &data, Suspended).await;
    let s3_poll = detector.poll(&cx).await;
    fixture::resources::set_versioning(&aws, &data, Enabled).await;
    let s3_poll = s3_poll.expect("poll after the bucket change");
    assert!(
        named(&s3_poll, &data),
        "drift not attributed to {data}: {s3_poll:?}"
    );

    aws.ec2()
        .create_tags()
        .resources(&web)
        .tags(Tag::builder().key("ManagedBy").value("console").build())
        .send()
        .await
        .unwrap();
    let unrelated = detector.poll(&cx).await;
    aws.ec2()
        .create_tags()
        .resources(&web)
        .tags(Tag::builder().key("ManagedBy").value("terraform").build())
        .send()
        .await
        .unwrap();
    let unrelated = unrelated.expect("poll after the tag edit");
    assert!(
        named(&unrelated, &web),
        "the unrelated drift is not reported with its own id: {unrelated:?}"
    );
    assert!(
        !named(&unrelated, &db),
        "the unrelated drift is blamed on {db}: {unrelated:?}"
    );

    assert!(
        detector
            .poll(&cx)
            .await
            .expect("poll after reverting everything")
            .is_empty(),
        "drift left behind"
    );
}

#[tokio::test]
async fn terraform_errors_are_errors_never_clean() {
    if !fixture::terraform_available() {
        return;
    }
    let aws = fixture::clients().await;
    // A folder with configuration but no `terraform init`.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n}\n",
    )
    .unwrap();
    let ws = driftdrill::terraform::Workspace::new(dir.path());
    let detector = polled(build(
        "terraform",
        "tf",
        terraform_settings(&ws),
        Path::new("/"),
        &aws,
    ));
    let err = detector
        .poll(&PollCx::default())
        .await
        .expect_err("an uninitialised workspace is an error");
    assert!(err.to_string().contains("run detector tf"), "{err}");
    // A folder that does not exist.
    let missing = driftdrill::terraform::Workspace::new(dir.path().join("missing"));
    let detector = polled(build(
        "terraform",
        "tf",
        terraform_settings(&missing),
        Path::new("/"),
        &aws,
    ));
    assert!(detector.poll(&PollCx::default()).await.is_err());
}

fn script(dir: &Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn command_exit_codes_and_extraction() {
    let aws = AwsClients::new(&driftdrill::aws::AwsSettings::localstack(
        "http://127.0.0.1:1",
        fixture::REGION,
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cx = PollCx::default();
    let settings = |argv: String, extra: serde_json::Value| {
        let mut s = serde_json::json!({
            "argv": [argv], "dir": null, "env": {}, "interval": "10s", "timeout": "5s",
            "clean_exit_codes": [0], "drift_exit_codes": [2], "resource_regex": null, "json_path": null,
        });
        s.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        s
    };
    let run = |s: serde_json::Value| polled(build("command", "cmd", s, dir.path(), &aws));

    let clean = run(settings(
        script(dir.path(), "clean.sh", "echo all good; exit 0"),
        serde_json::json!({}),
    ));
    assert!(clean.poll(&cx).await.unwrap().is_empty());

    let regex = run(settings(
        script(
            dir.path(),
            "regex.sh",
            "echo 'drift: sg-0abc (ingress), i-0def (type)'; exit 2",
        ),
        serde_json::json!({"resource_regex": "((?:sg|i)-[0-9a-f]+)"}),
    ));
    let obs = regex.poll(&cx).await.unwrap();
    assert_eq!(obs[0].resources, ["sg-0abc", "i-0def"]);

    let json = run(settings(
        script(
            dir.path(),
            "json.sh",
            "echo '{\"drifted\":[{\"id\":\"sg-1\"},{\"id\":\"sg-2\"}]}'; exit 2",
        ),
        serde_json::json!({"json_path": "drifted[*].id"}),
    ));
    assert_eq!(json.poll(&cx).await.unwrap()[0].resources, ["sg-1", "sg-2"]);

    let custom = run(settings(
        script(
            dir.path(),
            "custom.sh",
            "echo 'drifted bucket my-bucket'; exit 1",
        ),
        serde_json::json!({"clean_exit_codes": [0], "drift_exit_codes": [1]}),
    ));
    let obs = custom.poll(&cx).await.unwrap();
    assert!(
        matching::names_any(&obs[0], &["my-bucket".into()]),
        "drift text is searched when no extractor is set"
    );

    let broken = run(settings(
        script(dir.path(), "broken.sh", "echo boom >&2; exit 7"),
        serde_json::json!({}),
    ));
    let err = broken.poll(&cx).await.expect_err("exit 7 is an error");
    assert!(
        err.to_string().contains("exited with 7") && err.to_string().contains("boom"),
        "{err}"
    );

    let hung = run(settings(
        script(dir.path(), "hung.sh", "sleep 30"),
        serde_json::json!({"timeout": "300ms"}),
    ));
    assert!(hung.poll(&cx).await.is_err(), "a hung command is an error");
}

struct Channel {
    url: String,
    rx: mpsc::UnboundedReceiver<Observation>,
    _handle: detect::PushHandle,
}

async fn webhook(format: &str, extra: serde_json::Value) -> Channel {
    let aws = AwsClients::new(&driftdrill::aws::AwsSettings::localstack(
        "http://127.0.0.1:1",
        fixture::REGION,
    ))
    .await;
    let mut s = serde_json::json!({
        "listen": "127.0.0.1:0", "path": "/hooks/drift", "format": format, "json_paths": [],
        "signature": "none", "secret_env": null, "max_body": 65536,
    });
    s.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let Built::Push(push) = build("webhook", "hook", s, Path::new("/"), &aws) else {
        panic!("webhook is a push channel")
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let handle = push.start(tx).await.expect("start listener");
    Channel {
        url: handle.address.clone(),
        rx,
        _handle: handle,
    }
}

fn payload(name: &str) -> String {
    std::fs::read_to_string(format!("tests/fixtures/payloads/{name}.json"))
        .expect("payload fixture")
}

const ID: &str = "sg-0f00ba11c0ffee";

#[tokio::test]
async fn webhook_matches_every_built_in_format() {
    let client = reqwest::Client::new();
    for format in [
        "slack",
        "pagerduty",
        "alertmanager",
        "spacelift",
        "hcp-terraform",
        "env0",
        "c7n",
        "generic",
    ] {
        let mut ch = webhook(format, serde_json::json!({})).await;
        let resp = client
            .post(&ch.url)
            .body(payload(format))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            202,
            "{format}: {}",
            resp.text().await.unwrap()
        );
        let obs = ch.rx.recv().await.expect("an observation");
        assert!(
            matching::names_any(&obs, &[ID.into()]),
            "{format}: {ID} not found in {:?}",
            obs.text
        );
        assert!(obs.seen.is_some());
    }
}

#[tokio::test]
async fn webhook_ignores_resolutions_and_rejects_malformed_payloads() {
    let client = reqwest::Client::new();
    for (format, fixture) in [
        ("pagerduty", "pagerduty-resolve"),
        ("alertmanager", "alertmanager-resolved"),
        ("hcp-terraform", "hcp-terraform-verification"),
    ] {
        let mut ch = webhook(format, serde_json::json!({})).await;
        let resp = client
            .post(&ch.url)
            .body(payload(fixture))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 202);
        assert!(resp.text().await.unwrap().starts_with("ignored"));
        assert!(ch.rx.try_recv().is_err(), "{fixture} became an observation");
    }
    let mut ch = webhook("pagerduty", serde_json::json!({})).await;
    assert_eq!(
        client
            .post(&ch.url)
            .body("{\"foo\": 1}")
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        client
            .post(&ch.url)
            .body("not json at all")
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(client.get(&ch.url).send().await.unwrap().status(), 405);
    // The listener is still up and still works after bad requests.
    assert_eq!(
        client
            .post(&ch.url)
            .body(payload("pagerduty"))
            .send()
            .await
            .unwrap()
            .status(),
        202
    );
    assert!(ch.rx.recv().await.is_some());
}

#[tokio::test]
async fn webhook_verifies_signatures() {
    let client = reqwest::Client::new();
    // Cargo sets CARGO_PKG_NAME for test processes: a variable that exists without mutating the
    // environment of a multi-threaded process. Its value is the secret.
    let secret = std::env::var("CARGO_PKG_NAME").unwrap();
    for (scheme, header) in [
        ("spacelift", "X-Signature-256"),
        ("hcp", "X-TFE-Notification-Signature"),
    ] {
        let format = if scheme == "hcp" {
            "hcp-terraform"
        } else {
            "spacelift"
        };
        let mut ch = webhook(
            format,
            serde_json::json!({"signature": scheme, "secret_env": "CARGO_PKG_NAME"}),
        )
        .await;
        let body = payload(format);
        let good = signature::sign(scheme, secret.as_bytes(), body.as_bytes());
        let bad = signature::sign(scheme, b"wrong secret", body.as_bytes());
        assert_eq!(
            client
                .post(&ch.url)
                .body(body.clone())
                .send()
                .await
                .unwrap()
                .status(),
            401,
            "{scheme}: unsigned accepted"
        );
        assert_eq!(
            client
                .post(&ch.url)
                .header(header, bad)
                .body(body.clone())
                .send()
                .await
                .unwrap()
                .status(),
            401,
            "{scheme}: bad signature accepted"
        );
        assert!(ch.rx.try_recv().is_err());
        assert_eq!(
            client
                .post(&ch.url)
                .header(header, good)
                .body(body)
                .send()
                .await
                .unwrap()
                .status(),
            202,
            "{scheme}: good signature refused"
        );
        assert!(ch.rx.recv().await.is_some());
    }
}

#[tokio::test]
async fn webhook_takes_concurrent_posts_and_refuses_oversize_bodies() {
    let mut ch = webhook("generic", serde_json::json!({"max_body": 1024})).await;
    let client = reqwest::Client::new();
    // 25 posts in flight at once, each on its own task.
    let posts: Vec<_> = (0..25)
        .map(|i| {
            let client = client.clone();
            let url = ch.url.clone();
            tokio::spawn(async move {
                client
                    .post(url)
                    .body(format!("{{\"resource\": \"sg-{i:04}\"}}"))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for p in posts {
        statuses.push(p.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    let mut seen = Vec::new();
    for _ in 0..25 {
        seen.push(ch.rx.recv().await.unwrap().text);
    }
    seen.sort();
    assert_eq!(seen.len(), 25);
    assert_eq!(seen[0], "sg-0000");
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(4096));
    assert_eq!(
        client
            .post(&ch.url)
            .body(big)
            .send()
            .await
            .unwrap()
            .status(),
        413
    );
    assert!(ch.rx.try_recv().is_err());
}

#[tokio::test]
async fn sqs_matches_watched_messages_deletes_only_those_and_releases_the_rest() {
    let aws = fixture::clients().await;
    let queue = aws
        .sqs()
        .create_queue()
        .queue_name(fixture::unique("alerts"))
        .send()
        .await
        .unwrap();
    let url = queue.queue_url().unwrap().to_string();
    let slack = |id: &str| {
        serde_json::json!({"text": format!("terraform plan found drift on {id}")}).to_string()
    };
    aws.sqs()
        .send_message()
        .queue_url(&url)
        .message_body(slack("sg-watched1"))
        .send()
        .await
        .unwrap();
    // SNS fan-out wraps the alert in an envelope.
    let envelope = serde_json::json!({"Type": "Notification", "MessageId": "m-1", "Message": slack("sg-other2")}).to_string();
    aws.sqs()
        .send_message()
        .queue_url(&url)
        .message_body(envelope)
        .send()
        .await
        .unwrap();

    let settings = serde_json::json!({"queue_url": url, "format": "slack", "json_paths": [], "wait_time": "1s", "delete": true});
    let channel = polled(build("sqs", "queue", settings, Path::new("/"), &aws));
    let cx = PollCx {
        watch: vec!["sg-watched1".into()],
    };
    let observations = receive(&*channel, &cx).await;
    assert_eq!(observations.len(), 1, "{observations:?}");
    assert!(matching::names_any(
        &observations[0],
        &["sg-watched1".into()]
    ));

    let attrs = aws
        .sqs()
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let count = |name: aws_sdk_sqs::types::QueueAttributeName| {
        attrs
            .attributes()
            .and_then(|a| a.get(&name))
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let left = count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        + count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible);
    assert_eq!(left, 1, "only the matched message may be deleted");
    // The message that names no drill is visible again at once: the team's own consumer
    // receives it now, not after the queue's visibility timeout.
    let theirs = aws
        .sqs()
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        theirs.messages().len(),
        1,
        "the unmatched message is still hidden"
    );
    assert!(theirs.messages()[0].body().unwrap().contains("sg-other2"));
}

/// Cloud Custodian policies for the custodian tests: SSH open to the world on a security group,
/// versioning suspended on a bucket.
const CUSTODIAN_POLICIES: &str = r#"policies:
  - name: sg-ssh-open-to-world
    resource: aws.security-group
    filters:
      - type: ingress
        Ports: [22]
        Cidr:
          value: "0.0.0.0/0"
  - name: s3-versioning-suspended
    resource: aws.s3
    filters:
      - type: value
        key: Versioning.Status
        value: Suspended
"#;

fn custodian_detector(
    aws: &AwsClients,
    dir: &Path,
    policy: &str,
    program: Option<&str>,
) -> Box<dyn Polled> {
    fixture::custodian();
    std::fs::write(dir.join("policy.yml"), policy).unwrap();
    let mut settings = serde_json::json!({
        "policy": ["policy.yml"], "policies": [], "regions": [], "interval": "2s",
        "timeout": "2m", "env": {}
    });
    if let Some(p) = program {
        settings["program"] = p.into();
    }
    polled(build("custodian", "c7n", settings, dir, aws))
}

#[tokio::test]
async fn custodian_reports_the_exact_ids_its_policies_match_and_nothing_on_a_clean_target() {
    let aws = fixture::clients().await;
    let dir = tempfile::tempdir().unwrap();
    let c7n = custodian_detector(&aws, dir.path(), CUSTODIAN_POLICIES, None);
    c7n.preflight().await.expect("preflight");
    let sg = fixture::resources::security_group(&aws).await;
    let bucket = fixture::resources::bucket(&aws).await;
    let cx = PollCx::default();

    let clean = c7n.poll(&cx).await.expect("a clean poll");
    assert!(
        !named(&clean, &sg.id) && !named(&clean, &bucket.id),
        "{clean:?}"
    );

    use aws_sdk_s3::types::BucketVersioningStatus::{Enabled, Suspended};
    world_ssh(&aws, &sg.id, true).await;
    fixture::resources::set_versioning(&aws, &bucket.id, Suspended).await;
    let drifted = c7n.poll(&cx).await;
    // Revert before asserting.
    world_ssh(&aws, &sg.id, false).await;
    fixture::resources::set_versioning(&aws, &bucket.id, Enabled).await;
    let drifted = drifted.expect("a poll after the change");
    assert!(
        flagged(&drifted, "sg-ssh-open-to-world", &sg.id),
        "{drifted:?}"
    );
    assert!(
        flagged(&drifted, "s3-versioning-suspended", &bucket.id),
        "{drifted:?}"
    );
    let after = c7n.poll(&cx).await.expect("a poll after the revert");
    assert!(
        !named(&after, &sg.id) && !named(&after, &bucket.id),
        "{after:?}"
    );
}

#[tokio::test]
async fn custodian_policy_that_cannot_run_is_a_detector_error_with_c7ns_message() {
    let aws = fixture::clients().await;
    let dir = tempfile::tempdir().unwrap();
    let broken = "policies:\n  - name: broken\n    resource: aws.no-such-resource\n";
    let c7n = custodian_detector(&aws, dir.path(), broken, None);
    let err = c7n.poll(&PollCx::default()).await.unwrap_err();
    let text = driftdrill::errors::chain(&err);
    assert!(text.contains("no-such-resource"), "{text}");
    let err = c7n.preflight().await.unwrap_err();
    assert!(
        driftdrill::errors::chain(&err).contains("no-such-resource"),
        "{err}"
    );
}

#[tokio::test]
async fn custodian_missing_program_is_a_clear_error_at_preflight() {
    let aws = fixture::clients().await;
    let dir = tempfile::tempdir().unwrap();
    let c7n = custodian_detector(
        &aws,
        dir.path(),
        CUSTODIAN_POLICIES,
        Some("/nonexistent/bin/custodian"),
    );
    let err = c7n.preflight().await.unwrap_err();
    let text = driftdrill::errors::chain(&err);
    assert!(
        text.contains("Cloud Custodian is not installed")
            && text.contains("driftdrill custodian-env"),
        "{text}"
    );
}

#[tokio::test]
async fn custodian_notify_messages_on_sqs_decode_and_attribute_to_their_resources() {
    let aws = fixture::clients().await;
    fixture::custodian();
    let queue_name = fixture::unique("c7n-notify");
    let queue = aws
        .sqs()
        .create_queue()
        .queue_name(&queue_name)
        .send()
        .await
        .unwrap();
    let url = queue.queue_url().unwrap().to_string();
    let sg = fixture::resources::security_group(&aws).await;
    world_ssh(&aws, &sg.id, true).await;
    // A real `custodian run` whose policy notifies the queue (by name: c7n builds the public
    // queue URL from it, which LocalStack accepts through AWS_ENDPOINT_URL).
    let dir = tempfile::tempdir().unwrap();
    let policy = format!(
        "policies:\n  - name: sg-ssh-notify\n    resource: aws.security-group\n    filters:\n      - GroupId: {}\n    actions:\n      - type: notify\n        to: [security@example.com]\n        transport:\n          type: sqs\n          queue: {queue_name}\n",
        sg.id
    );
    std::fs::write(dir.path().join("notify.yml"), policy).unwrap();
    let python = driftdrill::detect::custodian_env::installed().expect("installed");
    let out = std::process::Command::new(&python[0])
        .args(&python[1..])
        .args(["run", "--cache-period", "0", "-s"])
        .arg(dir.path().join("out"))
        .arg(dir.path().join("notify.yml"))
        .env("AWS_ENDPOINT_URL", &fixture::localstack().url)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", fixture::REGION)
        .output()
        .unwrap();
    world_ssh(&aws, &sg.id, false).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let settings = serde_json::json!({"queue_url": url, "format": "c7n", "json_paths": [], "wait_time": "1s", "delete": true});
    let channel = polled(build("sqs", "c7n-alerts", settings, Path::new("/"), &aws));
    let cx = PollCx {
        watch: vec![sg.id.clone()],
    };
    let observations = receive(&*channel, &cx).await;
    assert_eq!(observations.len(), 1, "{observations:?}");
    assert!(named(&observations, &sg.id), "{observations:?}");
    assert!(
        observations[0].text.contains("sg-ssh-notify"),
        "{observations:?}"
    );
}

/// The shipped identity and network policies name a user given an inline policy and a VPC whose
/// DNS resolver was switched off (terraform's blind spot and a setting of the VPC), and neither
/// before the change; the VPC's own security groups never stand in for it.
#[tokio::test]
async fn shipped_policies_name_a_users_inline_policy_and_a_vpc_without_dns() {
    let aws = fixture::clients().await;
    let dir = tempfile::tempdir().unwrap();
    // One file of both lists: iam.yml's, then network.yml's policies after its own heading.
    let network = include_str!("../../detectors/custodian/network.yml");
    let (_, network) = network.split_once("\npolicies:\n").expect("a policy list");
    let shipped = format!(
        "{}{network}",
        include_str!("../../detectors/custodian/iam.yml")
    );
    let c7n = custodian_detector(&aws, dir.path(), &shipped, None);
    c7n.preflight().await.expect("preflight");
    let user = fixture::iam::user(&aws).await;
    let vpc = fixture::resources::vpc_target(&aws).await;
    let cx = PollCx::default();
    let clean = c7n.poll(&cx).await.expect("a clean poll");
    assert!(
        !named(&clean, &user.id) && !named(&clean, &vpc.id),
        "{clean:?}"
    );

    let inline = fixture::live::inject(
        &aws,
        "iam.user.put_inline_policy",
        "policy_name = \"hotfix\"",
        &user,
    )
    .await;
    let dns = fixture::live::inject(&aws, "ec2.vpc.dns_support_disabled", "", &vpc).await;
    let drifted = c7n.poll(&cx).await;
    // Revert before asserting.
    inline.revert(&aws, &user).await;
    dns.revert(&aws, &vpc).await;
    let drifted = drifted.expect("a poll after the change");
    assert!(
        flagged(&drifted, "iam-user-inline-policy", &user.id),
        "{drifted:?}"
    );
    assert!(
        flagged(&drifted, "vpc-dns-support-off", &vpc.id),
        "{drifted:?}"
    );
}

/// The shipped platform policies name a drilled log group and topic by their ids, and a clean
/// group or topic not at all (c7n reads their tags through the Resource Groups Tagging API).
#[tokio::test]
async fn shipped_platform_policies_name_a_cut_retention_and_an_open_topic() {
    let aws = fixture::clients().await;
    let dir = tempfile::tempdir().unwrap();
    let shipped = include_str!("../../detectors/custodian/platform.yml");
    let c7n = custodian_detector(&aws, dir.path(), shipped, None);
    c7n.preflight().await.expect("preflight");
    let group = fixture::resources::log_group(&aws).await;
    let topic = fixture::resources::topic(&aws).await;
    let cx = PollCx::default();
    let clean = c7n.poll(&cx).await.expect("a clean poll");
    assert!(
        !named(&clean, &group.id) && !named(&clean, &topic.id),
        "{clean:?}"
    );

    let retention = fixture::live::inject(&aws, "logs.group.retention_cut", "", &group).await;
    let open = fixture::live::inject(&aws, "sns.topic.policy_open", "", &topic).await;
    let drifted = c7n.poll(&cx).await;
    // Revert before asserting.
    retention.revert(&aws, &group).await;
    open.revert(&aws, &topic).await;
    let drifted = drifted.expect("a poll after the change");
    assert!(
        flagged(&drifted, "log-group-retention-short", &group.id),
        "{drifted:?}"
    );
    assert!(
        flagged(&drifted, "sns-topic-cross-account", &topic.id),
        "{drifted:?}"
    );
}
