//! The sample environment under real terraform: applies clean, stays clean, and an out-of-band
//! change made through driftdrill's own AWS client shows up as drift on the right resource.

use driftdrill::terraform::PlanExit;
use driftdrill::terraform::sample_env::{self, SampleVars};

use crate::fixture;

#[tokio::test]
async fn sample_environment_applies_clean_and_detects_an_out_of_band_rule() {
    if !fixture::terraform_available() {
        return;
    }
    let env = fixture::sample_env("tfenv", true).await;
    let aws = fixture::clients().await;
    let out = &env.outputs;

    // Everything the environment creates is tagged as non-production.
    let sgs = aws
        .ec2
        .describe_security_groups()
        .set_group_ids(Some(out.security_group_ids.values().cloned().collect()))
        .send()
        .await
        .expect("describe security groups");
    assert_eq!(sgs.security_groups().len(), 4);
    for sg in sgs.security_groups() {
        assert!(
            sg.tags()
                .iter()
                .any(|t| t.key() == Some("Environment") && t.value() == Some("staging")),
            "{:?} lacks Environment=staging",
            sg.group_id()
        );
    }
    for bucket in out.bucket_names.values() {
        let tags = aws
            .s3
            .get_bucket_tagging()
            .bucket(bucket)
            .send()
            .await
            .expect("bucket tagging");
        assert!(
            tags.tag_set()
                .iter()
                .any(|t| t.key() == "Environment" && t.value() == "staging"),
            "{bucket} lacks Environment=staging"
        );
        let versioning = aws
            .s3
            .get_bucket_versioning()
            .bucket(bucket)
            .send()
            .await
            .expect("versioning");
        assert_eq!(
            versioning.status().map(|s| s.as_str()),
            Some("Enabled"),
            "{bucket}"
        );
    }

    assert_eq!(
        env.workspace
            .plan_detailed()
            .await
            .expect("plan after apply"),
        PlanExit::Clean
    );

    // Out-of-band: open port 22 to the world on the database group, as someone in the console would.
    let db = &out.security_group_ids["db"];
    let rule = aws_sdk_ec2::types::IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(
            aws_sdk_ec2::types::IpRange::builder()
                .cidr_ip("0.0.0.0/0")
                .build(),
        )
        .build();
    aws.ec2
        .authorize_security_group_ingress()
        .group_id(db)
        .ip_permissions(rule.clone())
        .send()
        .await
        .expect("authorize ingress");

    let drifted = env.workspace.plan_detailed().await;
    // Revert before asserting, so a failed assertion never leaves the drift in place.
    aws.ec2
        .revoke_security_group_ingress()
        .group_id(db)
        .ip_permissions(rule)
        .send()
        .await
        .expect("revoke the injected rule");
    match drifted.expect("plan after the out-of-band change") {
        PlanExit::Drift { stdout } => {
            assert!(
                stdout.contains("aws_security_group.db"),
                "plan does not name the group:\n{stdout}"
            );
            assert!(
                stdout.contains("22"),
                "plan does not show port 22:\n{stdout}"
            );
            assert!(
                !stdout.contains("aws_security_group.web will"),
                "plan blames the wrong group:\n{stdout}"
            );
        }
        PlanExit::Clean => panic!("plan saw no drift after opening port 22"),
    }
    assert_eq!(
        env.workspace
            .plan_detailed()
            .await
            .expect("plan after revert"),
        PlanExit::Clean
    );

    // The lifecycle rule driftdrill put and terraform imported is managed like the rest:
    // removing it out of band is drift on exactly that resource.
    let data = &out.bucket_names["data"];
    let rules = aws
        .s3
        .get_bucket_lifecycle_configuration()
        .bucket(data)
        .send()
        .await
        .expect("the imported lifecycle rule");
    assert_eq!(rules.rules().len(), 1);
    let state = env
        .workspace
        .checked(&["state", "list"])
        .await
        .expect("state list");
    assert!(
        state
            .stdout
            .contains("aws_s3_bucket_lifecycle_configuration.data[0]"),
        "{}",
        state.stdout
    );
    aws.s3
        .delete_bucket_lifecycle()
        .bucket(data)
        .send()
        .await
        .expect("remove the lifecycle rule");
    let drifted = env.workspace.plan_detailed().await;
    match drifted.expect("plan after removing the lifecycle rule") {
        PlanExit::Drift { stdout } => assert!(
            stdout.contains("aws_s3_bucket_lifecycle_configuration.data[0] will be created"),
            "{stdout}"
        ),
        PlanExit::Clean => panic!("plan saw no drift after the lifecycle rule was removed"),
    }
    driftdrill::terraform::sample_env::put_lifecycle_rule(&aws, data)
        .await
        .expect("put the lifecycle rule back");
    assert_eq!(
        env.workspace.plan_detailed().await.expect("plan"),
        PlanExit::Clean,
        "the lifecycle rule is back as terraform declares it"
    );

    // Identity: the blind spot the demo shows, and what terraform does see.
    let prefix = data
        .strip_suffix("-data")
        .expect("bucket names are <prefix>-<name>");
    let ops = format!("{prefix}-ops-role");
    aws.iam
        .attach_role_policy()
        .role_name(&ops)
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("attach out of band");
    let unseen = env.workspace.plan_detailed().await;
    aws.iam
        .detach_role_policy()
        .role_name(&ops)
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("detach");
    assert_eq!(
        unseen.expect("plan"),
        PlanExit::Clean,
        "terraform now sees unmanaged attachments: update the IAM scenarios' expectations"
    );
    let deploy = format!("{prefix}-deploy-role");
    // UpdateRole also sets the description (LocalStack clears it when left out).
    let description = aws
        .iam
        .get_role()
        .role_name(&deploy)
        .send()
        .await
        .expect("get role")
        .role()
        .and_then(|r| r.description())
        .map(String::from);
    aws.iam
        .update_role()
        .role_name(&deploy)
        .set_description(description.clone())
        .max_session_duration(43200)
        .send()
        .await
        .expect("raise the session duration");
    let seen = env.workspace.plan_detailed().await;
    aws.iam
        .update_role()
        .role_name(&deploy)
        .set_description(description)
        .max_session_duration(3600)
        .send()
        .await
        .expect("restore the session duration");
    match seen.expect("plan") {
        PlanExit::Drift { stdout } => {
            assert!(
                stdout.contains("# aws_iam_role.this[\"deploy\"] will be updated"),
                "{stdout}"
            )
        }
        PlanExit::Clean => panic!("plan missed the session duration change"),
    }
    assert_eq!(
        env.workspace
            .plan_detailed()
            .await
            .expect("plan after the last revert"),
        PlanExit::Clean
    );
}

/// The queues driftdrill creates for the first apply to import are exactly the ones
/// messaging.tf declares: importing them changes nothing, so that apply never waits on the
/// provider's checks after creating or updating a queue (about 25 s each, one after the other).
#[tokio::test]
async fn the_queues_made_for_the_first_apply_import_without_a_change() {
    if !fixture::terraform_available() {
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("driftdrill-tf-")
        .tempdir()
        .expect("tempdir");
    let vars = SampleVars {
        endpoint: fixture::localstack().url.clone(),
        region: fixture::REGION.into(),
        name_prefix: fixture::unique("tfq"),
        lifecycle_rules: false,
    };
    let ws = sample_env::write(dir.path(), &vars).expect("write the sample environment");
    ws.init().await.expect("terraform init");
    let aws = fixture::clients().await;
    let urls = sample_env::seed_queues(&aws, &vars)
        .await
        .expect("create the queues");
    let var = format!("queue_urls={}", serde_json::json!(urls));
    let plan = ws
        .checked(&[
            "plan",
            "-input=false",
            "-no-color",
            "-target=aws_sqs_queue.orders",
            "-target=aws_sqs_queue.orders_dlq",
            "-var",
            &var,
        ])
        .await;
    for url in urls.values() {
        let _ = aws.sqs.delete_queue().queue_url(url).send().await;
    }
    let plan = plan.expect("plan the import");
    assert!(
        plan.stdout
            .contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
}
