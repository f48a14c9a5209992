//! SIGKILL at every lifecycle point (after the intent, after the injection, while observing,
//! while reverting, after the revert) for several injector kinds: `recover` must put every
//! resource back to its snapshot, read back with the plain SDK, and a second `recover` is a no-op.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use driftdrill::aws::AwsClients;
use driftdrill::inject::Target;

use crate::fixture::runs::{start_run, wait_for};
use crate::fixture::{self, resources};

/// Lifecycle points: the test hook's pause points, and "observe" (seen in the progress log).
const POINTS: &[&str] = &["intent", "applied", "observe", "revert", "reverted"];

/// A detector that never sees anything: observing lasts until the SLA runs out.
const NEVER: &str =
    "[[detector]]\nname = \"never\"\ntype = \"command\"\nargv = [\"true\"]\ninterval = \"1s\"\n";

pub(crate) async fn kill_and_recover(aws: &AwsClients, target: &Target, inject: &str) {
    for point in POINTS {
        let before = resources::full_state(aws, target).await;
        let dir = tempfile::tempdir().unwrap();
        let config = fixture::write_config_for(dir.path(), NEVER, target);
        let id = format!("crash-{point}");
        // Observing lasts until the SLA runs out twice over: long when the kill comes while
        // observing, short when the run must get on to the revert.
        let sla = if *point == "observe" { "10m" } else { "1s" };
        let expect = format!("detectors = [\"never\"]\ndetect_within = \"{sla}\"");
        let scenario = fixture::write_scenario(dir.path(), &id, target, inject, &expect);
        let pause_at = (*point != "observe").then_some(*point);
        let (mut child, lines) = start_run(&config, &scenario, &dir.path().join("runs"), pause_at);
        // The run has one drill (named `<id>@<environment>/<region>` where environments are
        // configured): its observe line is the only one.
        let marker = if *point == "observe" {
            ": observe".to_string()
        } else {
            format!("driftdrill-test: reached {point}")
        };
        let reached = wait_for(&lines, &marker);
        child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
        let _ = child.wait();
        if let Err(seen) = reached {
            panic!(
                "{point}: the run never reached the point:\n{}",
                seen.join("\n")
            );
        }

        let recover = fixture::driftdrill()
            .args(["recover", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&recover.stdout).to_string()
            + &String::from_utf8_lossy(&recover.stderr);
        assert_eq!(
            recover.status.code(),
            Some(0),
            "{point}: recover failed:\n{text}"
        );
        assert_eq!(
            resources::full_state(aws, target).await,
            before,
            "{point}: recover did not restore the snapshot:\n{text}"
        );
        let again = fixture::driftdrill()
            .args(["recover", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        assert_eq!(again.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&again.stdout).contains("nothing to recover"),
            "{point}: second recover was not a no-op"
        );
    }
}

#[tokio::test]
async fn security_group_rule_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    kill_and_recover(
        &aws,
        &target,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"",
    )
    .await;
}

#[tokio::test]
async fn bucket_policy_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::bucket(&aws).await;
    kill_and_recover(&aws, &target, "action = \"s3.policy.public_read\"").await;
}

#[tokio::test]
async fn alarm_actions_survive_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::alarm(&aws).await;
    kill_and_recover(
        &aws,
        &target,
        "action = \"cloudwatch.alarm.actions_disabled\"",
    )
    .await;
}

#[tokio::test]
async fn queue_encryption_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::queue(&aws).await;
    kill_and_recover(&aws, &target, "action = \"sqs.queue.encryption_removed\"").await;
}

#[tokio::test]
async fn queue_dead_letter_queue_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::queue(&aws).await;
    kill_and_recover(&aws, &target, "action = \"sqs.queue.dead_letter_removed\"").await;
}

#[tokio::test]
async fn queue_retention_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::queue(&aws).await;
    kill_and_recover(&aws, &target, "action = \"sqs.queue.retention_cut\"").await;
}

#[tokio::test]
async fn log_group_retention_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::log_group(&aws).await;
    kill_and_recover(&aws, &target, "action = \"logs.group.retention_cut\"").await;
}

#[tokio::test]
async fn topic_policy_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::topic(&aws).await;
    kill_and_recover(&aws, &target, "action = \"sns.topic.policy_open\"").await;
}

#[tokio::test]
async fn topic_encryption_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::topic(&aws).await;
    kill_and_recover(&aws, &target, "action = \"sns.topic.encryption_removed\"").await;
}

#[tokio::test]
async fn metric_filter_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::log_group(&aws).await;
    let inject =
        "action = \"logs.group.metric_filter_removed\"\nfilter_name = \"root-account-usage\"";
    kill_and_recover(&aws, &target, inject).await;
}

#[tokio::test]
async fn object_ownership_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::enforced_bucket(&aws).await;
    kill_and_recover(&aws, &target, "action = \"s3.ownership.acls_enabled\"").await;
}

#[tokio::test]
async fn role_boundary_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = crate::fixture::iam::role(&aws).await;
    kill_and_recover(
        &aws,
        &target,
        "action = \"iam.role.permissions_boundary_removed\"",
    )
    .await;
}

#[tokio::test]
async fn user_inline_policy_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = crate::fixture::iam::user(&aws).await;
    let inject = "action = \"iam.user.put_inline_policy\"\npolicy_name = \"ci-hotfix\"";
    kill_and_recover(&aws, &target, inject).await;
}

#[tokio::test]
async fn vpc_dns_support_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::vpc_target(&aws).await;
    kill_and_recover(&aws, &target, "action = \"ec2.vpc.dns_support_disabled\"").await;
}

#[tokio::test]
async fn parameter_value_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::parameter(&aws).await;
    kill_and_recover(&aws, &target, "action = \"ssm.parameter.value_edited\"").await;
}

#[tokio::test]
async fn queue_policy_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::queue(&aws).await;
    kill_and_recover(&aws, &target, "action = \"sqs.queue.policy_open\"").await;
}

#[tokio::test]
async fn instance_source_dest_check_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::instance(&aws).await;
    let action = "action = \"ec2.instance.source_dest_check_disabled\"";
    kill_and_recover(&aws, &target, action).await;
}

#[tokio::test]
async fn subnet_public_ip_on_launch_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::subnet(&aws).await;
    let action = "action = \"ec2.subnet.public_ip_on_launch\"";
    kill_and_recover(&aws, &target, action).await;
}

#[tokio::test]
async fn a_removed_network_acl_entry_survives_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::network_acl(&aws).await;
    let action = "action = \"ec2.nacl.remove_entry\"\nrule_number = 100";
    kill_and_recover(&aws, &target, action).await;
}

#[tokio::test]
async fn instance_metadata_options_survive_sigkill_anywhere() {
    let aws = fixture::clients().await;
    let target = resources::instance(&aws).await;
    kill_and_recover(&aws, &target, "action = \"ec2.instance.allow_imdsv1\"").await;
}

macro_rules! iam_survives_sigkill {
    ($name:ident, $resource:ident, $inject:literal) => {
        #[tokio::test]
        async fn $name() {
            let aws = fixture::clients().await;
            let target = crate::fixture::iam::$resource(&aws).await;
            kill_and_recover(&aws, &target, $inject).await;
        }
    };
}

iam_survives_sigkill!(
    iam_role_attachment_survives_sigkill_anywhere,
    role,
    "action = \"iam.role.attach_policy\""
);
iam_survives_sigkill!(
    iam_inline_policy_survives_sigkill_anywhere,
    role,
    "action = \"iam.role.put_inline_policy\"\npolicy_name = \"app-read\""
);
iam_survives_sigkill!(
    iam_trust_policy_survives_sigkill_anywhere,
    role,
    "action = \"iam.role.trust_add_principal\"\nprincipal = \"arn:aws:iam::111122223333:root\""
);
iam_survives_sigkill!(
    iam_max_session_survives_sigkill_anywhere,
    role,
    "action = \"iam.role.set_max_session_duration\""
);
iam_survives_sigkill!(
    iam_user_attachment_survives_sigkill_anywhere,
    user,
    "action = \"iam.user.attach_policy\""
);
iam_survives_sigkill!(
    iam_policy_version_survives_sigkill_anywhere,
    policy,
    "action = \"iam.policy.new_default_version\""
);

#[tokio::test]
async fn sigterm_while_observing_reverts_and_exits() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let before = resources::full_state(&aws, &target).await;
    let dir = tempfile::tempdir().unwrap();
    let config = fixture::write_config(dir.path(), NEVER);
    let scenario = fixture::write_scenario(
        dir.path(),
        "term",
        &target,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 3389\ncidr = \"0.0.0.0/0\"",
        "detectors = [\"never\"]\ndetect_within = \"10m\"",
    );
    let (mut child, lines) = start_run(&config, &scenario, &dir.path().join("runs"), None);
    if let Err(seen) = wait_for(&lines, "term: observe") {
        panic!("never started observing:\n{}", seen.join("\n"));
    }
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(driftdrill::exit_codes::TOOL_ERROR),
        "an interrupted run is not a success"
    );
    assert_eq!(
        resources::full_state(&aws, &target).await,
        before,
        "the drift was left behind"
    );
    let recover = fixture::driftdrill()
        .args(["recover", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&recover.stdout).contains("nothing to recover"));
}

#[tokio::test]
async fn a_second_sigterm_exits_at_once_and_recover_finishes_the_revert() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let before = resources::full_state(&aws, &target).await;
    let dir = tempfile::tempdir().unwrap();
    let config = fixture::write_config(dir.path(), NEVER);
    let scenario = fixture::write_scenario(
        dir.path(),
        "term-twice",
        &target,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 5432\ncidr = \"0.0.0.0/0\"",
        "detectors = [\"never\"]\ndetect_within = \"10m\"",
    );
    // The revert is held at its pause point, so the first signal's revert cannot finish before
    // the second signal arrives.
    let (mut child, lines) =
        start_run(&config, &scenario, &dir.path().join("runs"), Some("revert"));
    let wait_for = |marker: &str| {
        if let Err(seen) = wait_for(&lines, marker) {
            panic!("never saw {marker:?}:\n{}", seen.join("\n"));
        }
    };
    wait_for("term-twice: observe");
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    wait_for("driftdrill-test: reached revert");
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(driftdrill::exit_codes::REVERT_FAILED),
        "the second signal must exit at once with the revert-failed code"
    );
    assert_ne!(
        resources::full_state(&aws, &target).await,
        before,
        "the change should still be live: the revert was held"
    );
    let recover = fixture::driftdrill()
        .args(["recover", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(
        recover.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&recover.stderr)
    );
    assert_eq!(
        resources::full_state(&aws, &target).await,
        before,
        "recover did not restore the snapshot"
    );
}

#[tokio::test]
async fn a_journal_with_unreverted_changes_blocks_new_runs_and_dry_run_changes_nothing() {
    let aws = fixture::clients().await;
    let target = resources::bucket(&aws).await;
    let before = resources::full_state(&aws, &target).await;
    let dir = tempfile::tempdir().unwrap();
    let config = fixture::write_config(dir.path(), NEVER);
    let scenario = fixture::write_scenario(
        dir.path(),
        "dry",
        &target,
        "action = \"s3.versioning.suspend\"",
        "detectors = [\"never\"]\ndetect_within = \"1s\"",
    );

    let dry = fixture::driftdrill()
        .args(["run", "--dry-run", "--config"])
        .arg(&config)
        .arg(&scenario)
        .arg("--out")
        .arg(dir.path().join("runs"))
        .output()
        .unwrap();
    assert_eq!(
        dry.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(String::from_utf8_lossy(&dry.stdout).contains("would run s3.versioning.suspend"));
    assert_eq!(
        resources::full_state(&aws, &target).await,
        before,
        "a dry run changed the bucket"
    );

    // A crash after the intent leaves the journal dirty: the next run refuses to start.
    let mut child = fixture::driftdrill()
        .args(["run", "--config"])
        .arg(&config)
        .arg(&scenario)
        .arg("--out")
        .arg(dir.path().join("runs"))
        .env("DRIFTDRILL_TEST_PAUSE_AT", "applied")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if line.contains("reached applied") {
            break;
        }
    }
    child.kill().unwrap();
    let _ = child.wait();
    let blocked = fixture::driftdrill()
        .args(["run", "--config"])
        .arg(&config)
        .arg(&scenario)
        .output()
        .unwrap();
    assert_eq!(
        blocked.status.code(),
        Some(driftdrill::exit_codes::REVERT_FAILED)
    );
    assert!(String::from_utf8_lossy(&blocked.stderr).contains("run `driftdrill recover` first"));
    let recover = fixture::driftdrill()
        .args(["recover", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(recover.status.code(), Some(0));
    assert_eq!(resources::full_state(&aws, &target).await, before);
}

/// `recover` from the config's folder, with everything it printed.
fn recover(config: &std::path::Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = fixture::driftdrill()
        .args(["recover", "--config"])
        .arg(config)
        .args(extra)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

#[tokio::test]
async fn a_journal_torn_by_a_crash_mid_write_still_lists_recovers_and_runs() {
    let aws = fixture::clients().await;
    let first = resources::security_group(&aws).await;
    let second = resources::security_group(&aws).await;
    let before = resources::full_state(&aws, &first).await;
    let dir = tempfile::tempdir().unwrap();
    let config = fixture::write_config(dir.path(), NEVER);
    let open22 =
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"";
    let expect = "detectors = [\"never\"]\ndetect_within = \"1s\"";
    let a = fixture::write_scenario(dir.path(), "torn-a", &first, open22, expect);
    let b = fixture::write_scenario(dir.path(), "torn-b", &second, open22, expect);

    // A run killed while its change is live, then a crash in the middle of an append.
    let (mut child, lines) = start_run(&config, &a, &dir.path().join("runs"), Some("applied"));
    let reached = wait_for(&lines, "driftdrill-test: reached applied");
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    reached.unwrap_or_else(|seen| panic!("never reached applied:\n{}", seen.join("\n")));
    let journal = dir.path().join("journal.jsonl");
    let torn = br#"{"at":"2026-11-29T10:00:00Z","run":"x","dri"#;
    std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap()
        .write_all(torn)
        .unwrap();

    // `recover --list` reads every whole entry and names the torn one.
    let (code, text) = recover(&config, &["--list"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("torn-a"),
        "the unsettled drill is not listed:\n{text}"
    );
    assert!(
        text.contains("not a whole entry"),
        "the torn line is not named:\n{text}"
    );

    // A run repairs the tail (the bytes kept beside the journal) before it writes anything,
    // and still refuses to start while a change is unrecovered.
    let ran = fixture::run_drills(&config, &[&b], &dir.path().join("runs-b"), &[]);
    assert_eq!(ran.code, Some(4), "{}", ran.text());
    assert!(ran.stderr.contains("torn line"), "{}", ran.text());
    let side: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("journal.jsonl.torn-"))
        .collect();
    assert_eq!(side.len(), 1, "{side:?}");
    assert_eq!(std::fs::read(&side[0]).unwrap(), torn);
    assert!(std::fs::read(&journal).unwrap().ends_with(b"\n"));

    // `recover` puts the first group back; then a run goes on appending to the journal.
    let (code, text) = recover(&config, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(resources::full_state(&aws, &first).await, before, "{text}");
    let ran = fixture::run_drills(&config, &[&b], &dir.path().join("runs-b"), &[]);
    assert!(
        matches!(ran.code, Some(0) | Some(3)),
        "a run after recovery must start:\n{}",
        ran.text()
    );
    let (code, text) = recover(&config, &["--list"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("nothing unsettled"), "{text}");
    assert!(!text.contains("warning"), "{text}");
}
