//! Every action against LocalStack: inject, verify, revert, verify, and the resource reads back
//! exactly as before (compared with the plain SDK); a second revert changes nothing; and every
//! operation the action and its target's resolution sent is allowed by the IAM actions it
//! declares (`driftdrill permissions`).

use driftdrill::aws::{AwsClients, OperationLog};
use driftdrill::inject::{self, Check, InjectCx, RevertKind, Target};
use driftdrill::vocab::{Selector, TargetSpec};

use crate::fixture::{self, resources};

/// The full drill cycle for one action on one target, with every promise checked.
pub(crate) async fn drill(aws: &AwsClients, action: &str, params: &str, target: &Target) {
    let spec = inject::find(action).expect("action exists");
    let injector = (spec.build)(&fixture::action_params(action, params)).expect("build");
    let mark = format!("driftdrill:test:{}", fixture::unique("mark"));
    // The drill's own clients record every operation they send.
    let log = OperationLog::default();
    // A global account setting is drilled in the account it names.
    let kind = driftdrill::inject::kind_of(target.kind);
    let global_setting = kind.global && kind.naming == driftdrill::vocab::Naming::Setting;
    let account = global_setting.then_some(target.id.as_str());
    let region = aws.region().unwrap_or(fixture::REGION);
    let mut settings = fixture::settings_in(region, account);
    settings.operations = Some(log.clone());
    let recording = AwsClients::new(&settings).await;
    let cx = InjectCx {
        aws: &recording,
        mark: &mark,
    };
    // What the runner does before it injects: find the target, read what identifies it.
    let named = matches!(
        kind.naming,
        driftdrill::vocab::Naming::Name | driftdrill::vocab::Naming::NameOrArn
    );
    let selector = if named && !target.id.starts_with("arn:") {
        Selector::Name(target.id.clone())
    } else {
        Selector::Id(target.id.clone())
    };
    let spec_of_target = TargetSpec {
        kind: target.kind,
        selector,
    };
    inject::target::resolve(&recording, &spec_of_target)
        .await
        .unwrap_or_else(|e| panic!("{action} resolve: {e:?}"));
    inject::presence::identity(&recording, target)
        .await
        .unwrap_or_else(|e| panic!("{action} identity: {e:?}"));
    recording.caller_account().await.expect("caller");

    let before = resources::full_state(aws, target).await;
    let snapshot = injector
        .snapshot(&cx, target)
        .await
        .unwrap_or_else(|e| panic!("{action} snapshot: {e:?}"));
    injector
        .inject(&cx, target, &snapshot)
        .await
        .unwrap_or_else(|e| panic!("{action} inject: {e:?}"));
    let injected = injector.verify_injected(&cx, target, &snapshot).await;
    let during = resources::full_state(aws, target).await;

    // Revert before asserting, so a failed assertion never leaves drift behind.
    let outcome = injector
        .revert(&cx, target, &snapshot)
        .await
        .unwrap_or_else(|e| panic!("{action} revert: {e:?}"));
    let reverted = injector
        .verify_reverted(&cx, target, &snapshot)
        .await
        .expect("verify reverted");
    let after = resources::full_state(aws, target).await;

    assert_eq!(
        injected.expect("verify injected"),
        Check::Matches,
        "{action}: injection not live"
    );
    assert_ne!(during, before, "{action}: the resource did not change");
    assert_eq!(outcome.kind, RevertKind::Restored, "{action}: {outcome:?}");
    assert_eq!(reverted, Check::Matches, "{action}: revert not verified");
    assert_eq!(
        after, before,
        "{action}: the resource differs from before the drill"
    );

    let again = injector
        .revert(&cx, target, &snapshot)
        .await
        .expect("second revert");
    let declared: std::collections::BTreeSet<String> = driftdrill::permissions::ALWAYS
        .iter()
        .chain(spec.permissions)
        .chain(driftdrill::permissions::target_actions(target.kind))
        .map(|s| s.to_string())
        .collect();
    let sent: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .map(|(service, op)| driftdrill::permissions::iam_action(service, op))
        .collect();
    let undeclared: Vec<&String> = sent.iter().filter(|a| !declared.contains(*a)).collect();
    assert!(
        undeclared.is_empty(),
        "{action} sends operations its catalog entry does not declare: {undeclared:?}"
    );
    assert_eq!(
        again.kind,
        RevertKind::AlreadyReverted,
        "{action}: second revert was not a no-op"
    );
    assert_eq!(
        resources::full_state(aws, target).await,
        before,
        "{action}: second revert changed the resource"
    );
}

macro_rules! drill_test {
    ($name:ident, $resource:ident, $action:literal, $params:literal) => {
        #[tokio::test]
        async fn $name() {
            let aws = fixture::clients().await;
            let target = resources::$resource(&aws).await;
            drill(&aws, $action, $params, &target).await;
        }
    };
}

drill_test!(sqs_queue_policy_open, queue, "sqs.queue.policy_open", "");
drill_test!(
    sqs_queue_encryption_removed,
    queue,
    "sqs.queue.encryption_removed",
    ""
);
drill_test!(
    sqs_queue_dead_letter_removed,
    queue,
    "sqs.queue.dead_letter_removed",
    ""
);
drill_test!(
    sqs_queue_retention_cut,
    queue,
    "sqs.queue.retention_cut",
    "seconds = 300\n"
);
drill_test!(
    logs_group_retention_cut,
    log_group,
    "logs.group.retention_cut",
    "days = 3\n"
);
drill_test!(
    logs_group_metric_filter_removed,
    log_group,
    "logs.group.metric_filter_removed",
    "filter_name = \"root-account-usage\"\n"
);
drill_test!(
    s3_ownership_acls_enabled,
    enforced_bucket,
    "s3.ownership.acls_enabled",
    ""
);
drill_test!(
    ec2_vpc_dns_support_disabled,
    vpc_target,
    "ec2.vpc.dns_support_disabled",
    ""
);
drill_test!(sns_topic_policy_open, topic, "sns.topic.policy_open", "");
drill_test!(
    sns_topic_encryption_removed,
    topic,
    "sns.topic.encryption_removed",
    ""
);

/// The password policy is one per account: this round trip has an account of its own.
#[tokio::test]
async fn account_password_policy_weakened() {
    let (aws, target) = crate::account_settings::password_policy("444400000001").await;
    drill(
        &aws,
        "account.password_policy.weakened",
        "minimum_length = 8\n",
        &target,
    )
    .await;
}

/// The password policy is one per account: this round trip has an account of its own.
#[tokio::test]
async fn account_password_policy_removed() {
    let (aws, target) = crate::account_settings::password_policy("444400000006").await;
    drill(&aws, "account.password_policy.removed", "", &target).await;
}

/// An account setting is one per region: this round trip has a region of its own.
#[tokio::test]
async fn ebs_encryption_by_default_disabled() {
    let (aws, target) = crate::account_settings::setting("eu-west-3").await;
    drill(
        &aws,
        "account.ebs_encryption_by_default.disabled",
        "",
        &target,
    )
    .await;
    assert!(crate::account_settings::encrypted(&aws).await, "on again");
}
drill_test!(
    ssm_parameter_value_edited,
    parameter,
    "ssm.parameter.value_edited",
    "value = \"https://maintenance.internal\"\n"
);
drill_test!(
    cloudwatch_alarm_actions_disabled,
    alarm,
    "cloudwatch.alarm.actions_disabled",
    ""
);
drill_test!(
    sg_open_ingress_ipv4,
    security_group,
    "ec2.sg.open_ingress",
    "protocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"\n"
);
drill_test!(
    sg_open_ingress_ipv6,
    security_group,
    "ec2.sg.open_ingress",
    "protocol = \"tcp\"\nport = 22\ncidr = \"::/0\"\n"
);
drill_test!(
    sg_add_egress,
    security_group,
    "ec2.sg.add_egress",
    "protocol = \"tcp\"\nport = 6667\ncidr = \"0.0.0.0/0\"\n"
);
drill_test!(
    sg_remove_managed_ingress,
    security_group,
    "ec2.sg.remove_ingress",
    "protocol = \"tcp\"\nport = 443\ncidr = \"0.0.0.0/0\"\n"
);
drill_test!(
    ec2_tag_remove,
    security_group,
    "ec2.tag.remove",
    "key = \"ManagedBy\"\n"
);
drill_test!(
    ec2_tag_change,
    instance,
    "ec2.tag.set",
    "key = \"ManagedBy\"\nvalue = \"console\"\n"
);
drill_test!(
    ec2_tag_add,
    network_acl,
    "ec2.tag.set",
    "key = \"CostCenter\"\nvalue = \"drill\"\n"
);
drill_test!(
    instance_change_type,
    instance,
    "ec2.instance.change_type",
    "instance_type = \"t3.large\"\n"
);
drill_test!(
    instance_source_dest_check_disabled,
    instance,
    "ec2.instance.source_dest_check_disabled",
    ""
);
drill_test!(
    subnet_public_ip_on_launch,
    subnet,
    "ec2.subnet.public_ip_on_launch",
    ""
);
drill_test!(
    instance_termination_protection,
    instance,
    "ec2.instance.termination_protection",
    ""
);
drill_test!(
    instance_allow_imdsv1,
    instance,
    "ec2.instance.allow_imdsv1",
    ""
);
drill_test!(
    nacl_add_entry,
    network_acl,
    "ec2.nacl.add_entry",
    "rule_number = 90\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"\n"
);
drill_test!(
    nacl_remove_entry,
    network_acl,
    "ec2.nacl.remove_entry",
    "rule_number = 100\n"
);
drill_test!(s3_versioning_suspend, bucket, "s3.versioning.suspend", "");
drill_test!(
    s3_public_access_block_relax,
    bucket,
    "s3.public_access_block.relax",
    ""
);
drill_test!(
    s3_public_access_block_remove,
    bucket,
    "s3.public_access_block.relax",
    "remove = true\n"
);
drill_test!(s3_policy_public_read, bucket, "s3.policy.public_read", "");
drill_test!(
    s3_encryption_remove,
    bucket,
    "s3.encryption.change",
    "algorithm = \"none\"\n"
);
drill_test!(
    s3_encryption_change,
    bucket,
    "s3.encryption.change",
    "algorithm = \"aws:kms\"\nkms_key_id = \"alias/drill\"\n"
);
drill_test!(
    s3_tag_change,
    bucket,
    "s3.tag.set",
    "key = \"ManagedBy\"\nvalue = \"console\"\n"
);
drill_test!(
    s3_tag_remove,
    bucket,
    "s3.tag.remove",
    "key = \"ManagedBy\"\n"
);
drill_test!(s3_acl_public_read, bucket, "s3.acl.public_read", "");
drill_test!(s3_lifecycle_remove, bucket, "s3.lifecycle.remove", "");
drill_test!(s3_logging_disable, bucket, "s3.logging.disable", "");
drill_test!(
    s3_cors_add_rule,
    bucket,
    "s3.cors.add_rule",
    "allowed_origins = [\"*\"]\n"
);

#[tokio::test]
async fn instance_attach_security_group() {
    let aws = fixture::clients().await;
    let target = resources::instance(&aws).await;
    let group = resources::spare_group(&aws, &target).await;
    drill(
        &aws,
        "ec2.instance.attach_security_group",
        &format!("group_id = \"{group}\"\n"),
        &target,
    )
    .await;
}

#[tokio::test]
async fn s3_policy_created_where_none_existed_is_deleted_again() {
    let aws = fixture::clients().await;
    let target = resources::bucket(&aws).await;
    aws.s3()
        .delete_bucket_policy()
        .bucket(&target.id)
        .send()
        .await
        .expect("delete policy");
    drill(&aws, "s3.policy.public_read", "", &target).await;
    let policy = aws.s3().get_bucket_policy().bucket(&target.id).send().await;
    assert!(
        policy.is_err(),
        "a policy exists after reverting a drill on a bucket that had none"
    );
}

mod iam {
    use super::drill;
    use crate::fixture::{self, iam};

    macro_rules! iam_drill_test {
        ($name:ident, $resource:ident, $action:literal, $params:literal) => {
            #[tokio::test]
            async fn $name() {
                let aws = fixture::clients().await;
                let target = iam::$resource(&aws).await;
                drill(&aws, $action, $params, &target).await;
            }
        };
    }

    iam_drill_test!(iam_role_attach_policy, role, "iam.role.attach_policy", "");
    iam_drill_test!(
        iam_role_put_inline_policy_new,
        role,
        "iam.role.put_inline_policy",
        "policy_name = \"incident-access\"\n"
    );
    iam_drill_test!(
        iam_role_put_inline_policy_replace,
        role,
        "iam.role.put_inline_policy",
        "policy_name = \"app-read\"\n"
    );
    iam_drill_test!(
        iam_role_trust_add_principal,
        role,
        "iam.role.trust_add_principal",
        "principal = \"arn:aws:iam::111122223333:root\"\n"
    );
    iam_drill_test!(
        iam_role_set_max_session_duration,
        role,
        "iam.role.set_max_session_duration",
        ""
    );
    iam_drill_test!(
        iam_role_permissions_boundary_removed,
        role,
        "iam.role.permissions_boundary_removed",
        ""
    );
    iam_drill_test!(iam_user_attach_policy, user, "iam.user.attach_policy", "");
    iam_drill_test!(
        iam_user_put_inline_policy,
        user,
        "iam.user.put_inline_policy",
        "policy_name = \"ci-hotfix\"\n"
    );
    iam_drill_test!(
        iam_policy_new_default_version,
        policy,
        "iam.policy.new_default_version",
        ""
    );
}
