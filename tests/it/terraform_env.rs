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
        .ec2()
        .describe_security_groups()
        .set_group_ids(Some(out.security_group_ids.values().cloned().collect()))
        .send()
        .await
        .expect("describe security groups");
    assert_eq!(sgs.security_groups().len(), 5);
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
            .s3()
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
            .s3()
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
    aws.ec2()
        .authorize_security_group_ingress()
        .group_id(db)
        .ip_permissions(rule.clone())
        .send()
        .await
        .expect("authorize ingress");

    let drifted = env.workspace.plan_detailed().await;
    // Revert before asserting, so a failed assertion never leaves the drift in place.
    aws.ec2()
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
        .s3()
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
    aws.s3()
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
    aws.iam()
        .attach_role_policy()
        .role_name(&ops)
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("attach out of band");
    let unseen = env.workspace.plan_detailed().await;
    aws.iam()
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
        .iam()
        .get_role()
        .role_name(&deploy)
        .send()
        .await
        .expect("get role")
        .role()
        .and_then(|r| r.description())
        .map(String::from);
    aws.iam()
        .update_role()
        .role_name(&deploy)
        .set_description(description.clone())
        .max_session_duration(43200)
        .send()
        .await
        .expect("raise the session duration");
    let seen = env.workspace.plan_detailed().await;
    aws.iam()
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

/// The queues and the parameter driftdrill creates for the first apply to import are exactly the
/// ones messaging.tf and compute.tf declare: importing them changes nothing, so that apply never
/// waits on the provider's checks after creating or updating a queue (about 25 s each, one after
/// the other). Making them again (an SDK retry of a put that went through) returns the same ids.
#[tokio::test]
async fn what_driftdrill_makes_for_the_first_apply_imports_without_a_change() {
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
    let ids = sample_env::seed_imports(&aws, &vars)
        .await
        .expect("create the queues and the parameter");
    let again = sample_env::seed_imports(&aws, &vars).await;
    let var = format!("imports={}", serde_json::json!(ids));
    let plan = ws
        .checked(&[
            "plan",
            "-input=false",
            "-no-color",
            "-target=aws_sqs_queue.orders",
            "-target=aws_sqs_queue.orders_dlq",
            "-target=aws_ssm_parameter.orders_endpoint",
            "-var",
            &var,
        ])
        .await;
    for url in [&ids["orders"], &ids["orders_dlq"]] {
        let _ = aws.sqs().delete_queue().queue_url(url).send().await;
    }
    let name = &ids["orders_endpoint"];
    let _ = aws.ssm().delete_parameter().name(name).send().await;
    assert_eq!(again.expect("make them again"), ids);
    let plan = plan.expect("plan the import");
    assert!(
        plan.stdout
            .contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
}

/// A parameter already at the sample environment's name with another value is not
/// driftdrill's: making the environment fails and leaves that value as it was.
#[tokio::test]
async fn a_parameter_someone_else_put_at_the_sample_name_is_left_alone() {
    let vars = SampleVars {
        endpoint: fixture::localstack().url.clone(),
        region: fixture::REGION.into(),
        name_prefix: fixture::unique("tfp"),
        lifecycle_rules: false,
    };
    let aws = fixture::clients().await;
    let name = format!("/{}/orders/endpoint", vars.name_prefix);
    aws.ssm()
        .put_parameter()
        .name(&name)
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .value("https://someone-elses.internal")
        .send()
        .await
        .expect("put a colleague's parameter");
    let made = sample_env::seed_imports(&aws, &vars).await;
    let value = aws.ssm().get_parameter().name(&name).send().await;
    let _ = aws.ssm().delete_parameter().name(&name).send().await;
    for queue in ["orders", "orders-dlq"] {
        let url = aws
            .sqs()
            .get_queue_url()
            .queue_name(format!("{}-{queue}", vars.name_prefix))
            .send()
            .await;
        if let Some(url) = url.ok().and_then(|u| u.queue_url) {
            let _ = aws.sqs().delete_queue().queue_url(url).send().await;
        }
    }
    let err = made.expect_err("someone else's parameter is not taken as made");
    assert_eq!(err.code.as_deref(), Some("ParameterAlreadyExists"), "{err}");
    let value = value.expect("read the parameter");
    assert_eq!(
        value.parameter().and_then(|p| p.value()),
        Some("https://someone-elses.internal")
    );
}
