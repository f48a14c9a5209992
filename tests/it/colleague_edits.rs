//! A colleague edits the same document while the drill's change is live, as people do in the
//! console: another statement, rule, grant, flag or option. After the revert the drill's change
//! is gone, the colleague's edit is kept, and the outcome says which, in words and JSON.

use aws_sdk_ec2::types::HttpTokensState;
use aws_sdk_s3::types::{
    AccessControlPolicy, CorsConfiguration, CorsRule, ExpirationStatus, Grant, Grantee,
    LifecycleRule, LifecycleRuleFilter, LoggingEnabled, Permission, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule, Type,
};
use driftdrill::inject::{Check, RevertKind, Target};
use serde_json::{Value, json};

use crate::fixture::live::{Live, assert_words, inject};
use crate::fixture::{self, iam, resources};

/// The statements of a bucket policy, by Sid (`-` for none).
async fn bucket_statements(aws: &driftdrill::aws::AwsClients, bucket: &str) -> Vec<String> {
    let Ok(out) = aws.s3().get_bucket_policy().bucket(bucket).send().await else {
        return Vec::new();
    };
    let doc: Value = serde_json::from_str(out.policy().unwrap_or("{}")).unwrap();
    sids(&doc)
}

fn sids(doc: &Value) -> Vec<String> {
    let list = match &doc["Statement"] {
        Value::Array(items) => items.clone(),
        one @ Value::Object(_) => vec![one.clone()],
        _ => Vec::new(),
    };
    list.iter()
        .map(|s| s["Sid"].as_str().unwrap_or("-").to_string())
        .collect()
}

/// Reverts and checks what every test here checks: verified, ours undone and theirs kept,
/// said in words.
async fn revert_keeping_theirs(
    aws: &driftdrill::aws::AwsClients,
    live: &Live,
    target: &Target,
    theirs: &str,
) {
    let (outcome, verified) = live.revert_unchecked(aws, target).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::ConflictOursUndone, "{outcome:?}");
    let detail = outcome.detail.as_deref().unwrap_or_default();
    assert!(
        detail.contains("someone else") && detail.contains(theirs),
        "the outcome does not name the colleague's edit ({theirs}): {detail}"
    );
    assert_words(detail);
}

#[tokio::test]
async fn bucket_policy_keeps_a_colleagues_statement_and_loses_the_drills() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let live = inject(&aws, "s3.policy.public_read", "", &bucket).await;
    let current = aws
        .s3()
        .get_bucket_policy()
        .bucket(&bucket.id)
        .send()
        .await
        .unwrap();
    let mut doc: Value = serde_json::from_str(current.policy().unwrap()).unwrap();
    doc["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "AuditorsList", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "s3:ListBucket", "Resource": format!("arn:aws:s3:::{}", bucket.id)
    }));
    aws.s3()
        .put_bucket_policy()
        .bucket(&bucket.id)
        .policy(doc.to_string())
        .send()
        .await
        .unwrap();

    revert_keeping_theirs(&aws, &live, &bucket, "AuditorsList").await;
    assert_eq!(
        bucket_statements(&aws, &bucket.id).await,
        ["DenyInsecureTransport", "AuditorsList"],
        "the public-read statement must be gone, TLS-only and the colleague's kept"
    );
}

#[tokio::test]
async fn a_colleague_who_rewrites_the_policy_without_the_drills_statement_is_left_alone() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let live = inject(&aws, "s3.policy.public_read", "", &bucket).await;
    let theirs = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "OnlyTheirs", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
        "Resource": format!("arn:aws:s3:::{}", bucket.id)
    }]});
    aws.s3()
        .put_bucket_policy()
        .bucket(&bucket.id)
        .policy(theirs.to_string())
        .send()
        .await
        .unwrap();
    let edited = resources::full_state(&aws, &bucket).await;

    let (outcome, verified) = live.revert_unchecked(&aws, &bucket).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::ConflictLeftAlone, "{outcome:?}");
    assert_words(outcome.detail.as_deref().unwrap_or_default());
    assert_eq!(
        resources::full_state(&aws, &bucket).await,
        edited,
        "nothing may be rewritten when the drill's statement is already gone"
    );
}

#[tokio::test]
async fn bucket_acl_keeps_a_colleagues_grant_and_loses_the_public_one() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let live = inject(&aws, "s3.acl.public_read", "", &bucket).await;
    let current = aws
        .s3()
        .get_bucket_acl()
        .bucket(&bucket.id)
        .send()
        .await
        .unwrap();
    let log_delivery = Grant::builder()
        .grantee(
            Grantee::builder()
                .r#type(Type::Group)
                .uri("http://acs.amazonaws.com/groups/s3/LogDelivery")
                .build()
                .unwrap(),
        )
        .permission(Permission::Write)
        .build();
    let mut grants = current.grants().to_vec();
    grants.push(log_delivery);
    aws.s3()
        .put_bucket_acl()
        .bucket(&bucket.id)
        .access_control_policy(
            AccessControlPolicy::builder()
                .set_owner(current.owner().cloned())
                .set_grants(Some(grants))
                .build(),
        )
        .send()
        .await
        .unwrap();

    revert_keeping_theirs(&aws, &live, &bucket, "LogDelivery").await;
    let after = aws
        .s3()
        .get_bucket_acl()
        .bucket(&bucket.id)
        .send()
        .await
        .unwrap();
    let uris: Vec<&str> = after
        .grants()
        .iter()
        .filter_map(|g| g.grantee().and_then(|w| w.uri()))
        .collect();
    assert!(uris.iter().any(|u| u.ends_with("LogDelivery")), "{uris:?}");
    assert!(!uris.iter().any(|u| u.ends_with("AllUsers")), "{uris:?}");
}

#[tokio::test]
async fn cors_keeps_a_colleagues_rule_and_loses_the_drills() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let live = inject(&aws, "s3.cors.add_rule", "", &bucket).await;
    let current = aws
        .s3()
        .get_bucket_cors()
        .bucket(&bucket.id)
        .send()
        .await
        .unwrap();
    let mut rules = current.cors_rules().to_vec();
    rules.push(
        CorsRule::builder()
            .id("colleague-uploads")
            .allowed_methods("PUT")
            .allowed_origins("https://upload.example.com")
            .build()
            .unwrap(),
    );
    aws.s3()
        .put_bucket_cors()
        .bucket(&bucket.id)
        .cors_configuration(
            CorsConfiguration::builder()
                .set_cors_rules(Some(rules))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    revert_keeping_theirs(&aws, &live, &bucket, "colleague-uploads").await;
    let after = aws
        .s3()
        .get_bucket_cors()
        .bucket(&bucket.id)
        .send()
        .await
        .unwrap();
    let origins: Vec<Vec<String>> = after
        .cors_rules()
        .iter()
        .map(|r| r.allowed_origins().to_vec())
        .collect();
    assert_eq!(
        origins,
        [
            vec!["https://ci.example.com".to_string()],
            vec!["https://upload.example.com".to_string()]
        ],
        "the team's rule and the colleague's, in order; the drill's GET-from-anywhere gone"
    );
}

#[tokio::test]
async fn lifecycle_comes_back_beside_a_rule_a_colleague_added_meanwhile() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let live = inject(&aws, "s3.lifecycle.remove", "", &bucket).await;
    let theirs = LifecycleRule::builder()
        .id("colleague-abort-uploads")
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("uploads/").build())
        .abort_incomplete_multipart_upload(
            aws_sdk_s3::types::AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(3)
                .build(),
        )
        .build()
        .unwrap();
    aws.s3()
        .put_bucket_lifecycle_configuration()
        .bucket(&bucket.id)
        .lifecycle_configuration(
            aws_sdk_s3::types::BucketLifecycleConfiguration::builder()
                .rules(theirs)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    revert_keeping_theirs(&aws, &live, &bucket, "colleague-abort-uploads").await;
    let after = aws
        .s3()
        .get_bucket_lifecycle_configuration()
        .bucket(&bucket.id)
        .send()
        .await
        .unwrap();
    let mut ids: Vec<&str> = after.rules().iter().filter_map(|r| r.id()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["colleague-abort-uploads", "expire-noncurrent"]);
}

#[tokio::test]
async fn logging_a_colleague_turned_back_on_elsewhere_is_theirs() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let live = inject(&aws, "s3.logging.disable", "", &bucket).await;
    aws.s3()
        .put_bucket_logging()
        .bucket(&bucket.id)
        .bucket_logging_status(
            aws_sdk_s3::types::BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket(&bucket.id)
                        .target_prefix("audit/")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();

    let (outcome, verified) = live.revert_unchecked(&aws, &bucket).await;
    assert_eq!(
        verified,
        Check::Matches,
        "logging is on again: the drill's change is gone"
    );
    assert_eq!(outcome.kind, RevertKind::ConflictLeftAlone, "{outcome:?}");
    let detail = outcome.detail.unwrap_or_default();
    assert!(detail.contains("audit/"), "{detail}");
    assert_words(&detail);
    let after = aws
        .s3()
        .get_bucket_logging()
        .bucket(&bucket.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.logging_enabled().map(|l| l.target_prefix()),
        Some("audit/")
    );
}

#[tokio::test]
async fn public_access_block_keeps_a_flag_a_colleague_changed() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    // The drill turns off one flag only.
    let live = inject(
        &aws,
        "s3.public_access_block.relax",
        "block_public_acls = true\nignore_public_acls = true\nrestrict_public_buckets = true\nblock_public_policy = false\n",
        &bucket,
    )
    .await;
    // The colleague turns off another one.
    aws.s3()
        .put_public_access_block()
        .bucket(&bucket.id)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(false)
                .ignore_public_acls(true)
                .block_public_policy(false)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();

    revert_keeping_theirs(&aws, &live, &bucket, "block_public_acls").await;
    let after = aws
        .s3()
        .get_public_access_block()
        .bucket(&bucket.id)
        .send()
        .await
        .unwrap();
    let c = after.public_access_block_configuration().unwrap();
    assert_eq!(
        (
            c.block_public_acls(),
            c.ignore_public_acls(),
            c.block_public_policy(),
            c.restrict_public_buckets()
        ),
        (Some(false), Some(true), Some(true), Some(true)),
        "the drill's flag back on, the colleague's left off"
    );
}

#[tokio::test]
async fn encryption_keeps_a_bucket_key_setting_a_colleague_changed() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let live = inject(
        &aws,
        "s3.encryption.change",
        "algorithm = \"aws:kms\"\nkms_key_id = \"alias/drill\"\nbucket_key = true\n",
        &bucket,
    )
    .await;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::AwsKms)
                .kms_master_key_id("alias/drill")
                .build()
                .unwrap(),
        )
        .bucket_key_enabled(false)
        .build();
    aws.s3()
        .put_bucket_encryption()
        .bucket(&bucket.id)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    revert_keeping_theirs(&aws, &live, &bucket, "bucket_key").await;
    let after = aws
        .s3()
        .get_bucket_encryption()
        .bucket(&bucket.id)
        .send()
        .await
        .unwrap();
    let r = &after
        .server_side_encryption_configuration()
        .unwrap()
        .rules()[0];
    let by_default = r.apply_server_side_encryption_by_default().unwrap();
    assert_eq!(by_default.sse_algorithm(), &ServerSideEncryption::Aes256);
    assert_eq!(by_default.kms_master_key_id(), None);
    assert_eq!(
        r.bucket_key_enabled(),
        Some(false),
        "the colleague's setting"
    );
}

#[tokio::test]
async fn trust_policy_keeps_a_colleagues_statement_and_loses_the_foreign_account() {
    let aws = fixture::clients().await;
    let role = iam::role(&aws).await;
    let live = inject(
        &aws,
        "iam.role.trust_add_principal",
        "principal = \"arn:aws:iam::111122223333:root\"\n",
        &role,
    )
    .await;
    let current = trust(&aws, &role.id).await;
    let mut doc = current.clone();
    doc["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "ColleagueLambda", "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"
    }));
    aws.iam()
        .update_assume_role_policy()
        .role_name(&role.id)
        .policy_document(doc.to_string())
        .send()
        .await
        .unwrap();

    revert_keeping_theirs(&aws, &live, &role, "ColleagueLambda").await;
    let after = trust(&aws, &role.id).await;
    let text = after.to_string();
    assert!(
        !text.contains("111122223333"),
        "the foreign account still trusted: {text}"
    );
    assert!(
        text.contains("lambda.amazonaws.com"),
        "the colleague's statement lost: {text}"
    );
    assert!(
        text.contains("ec2.amazonaws.com"),
        "the original statement lost: {text}"
    );
}

async fn trust(aws: &driftdrill::aws::AwsClients, role: &str) -> Value {
    let out = aws.iam().get_role().role_name(role).send().await.unwrap();
    let raw = out.role().unwrap().assume_role_policy_document().unwrap();
    driftdrill::inject::iam::shared::document::parse(role, raw).unwrap()
}

#[tokio::test]
async fn inline_policy_keeps_a_statement_a_colleague_added_to_it() {
    let aws = fixture::clients().await;
    let role = iam::role(&aws).await;
    let live = inject(
        &aws,
        "iam.role.put_inline_policy",
        "policy_name = \"incident\"\n",
        &role,
    )
    .await;
    let current = aws
        .iam()
        .get_role_policy()
        .role_name(&role.id)
        .policy_name("incident")
        .send()
        .await
        .unwrap();
    let mut doc =
        driftdrill::inject::iam::shared::document::parse("r", current.policy_document()).unwrap();
    doc["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "ColleagueRead", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"
    }));
    aws.iam()
        .put_role_policy()
        .role_name(&role.id)
        .policy_name("incident")
        .policy_document(doc.to_string())
        .send()
        .await
        .unwrap();

    revert_keeping_theirs(&aws, &live, &role, "ColleagueRead").await;
    let after = aws
        .iam()
        .get_role_policy()
        .role_name(&role.id)
        .policy_name("incident")
        .send()
        .await
        .unwrap();
    let doc =
        driftdrill::inject::iam::shared::document::parse("r", after.policy_document()).unwrap();
    assert_eq!(
        sids(&doc),
        ["ColleagueRead"],
        "only the colleague's statement is left"
    );
}

#[tokio::test]
async fn a_default_version_a_colleague_made_from_the_drills_loses_only_the_drills_statement() {
    let aws = fixture::clients().await;
    let policy = iam::policy(&aws).await;
    let live = inject(&aws, "iam.policy.new_default_version", "", &policy).await;
    // The console edits the current default (the drill's): the colleague's version carries the
    // drill's statement plus their own.
    let versions = aws
        .iam()
        .list_policy_versions()
        .policy_arn(&policy.id)
        .send()
        .await
        .unwrap();
    let drills = versions
        .versions()
        .iter()
        .find(|v| v.is_default_version())
        .and_then(|v| v.version_id())
        .unwrap()
        .to_string();
    let doc = aws
        .iam()
        .get_policy_version()
        .policy_arn(&policy.id)
        .version_id(&drills)
        .send()
        .await
        .unwrap();
    let mut doc = driftdrill::inject::iam::shared::document::parse(
        "p",
        doc.policy_version().unwrap().document().unwrap(),
    )
    .unwrap();
    doc["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "ColleagueList", "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"
    }));
    let theirs = aws
        .iam()
        .create_policy_version()
        .policy_arn(&policy.id)
        .policy_document(doc.to_string())
        .set_as_default(true)
        .send()
        .await
        .unwrap()
        .policy_version()
        .and_then(|v| v.version_id())
        .unwrap()
        .to_string();

    let (outcome, verified) = live.revert_unchecked(&aws, &policy).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::ConflictOursUndone, "{outcome:?}");
    assert_words(outcome.detail.as_deref().unwrap_or_default());
    let versions = aws
        .iam()
        .list_policy_versions()
        .policy_arn(&policy.id)
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = versions
        .versions()
        .iter()
        .filter_map(|v| v.version_id())
        .collect();
    assert!(
        !ids.contains(&drills.as_str()),
        "the drill's version is left: {ids:?}"
    );
    assert!(
        ids.contains(&theirs.as_str()),
        "the colleague's version was deleted: {ids:?}"
    );
    let default = versions
        .versions()
        .iter()
        .find(|v| v.is_default_version())
        .and_then(|v| v.version_id())
        .unwrap();
    let doc = aws
        .iam()
        .get_policy_version()
        .policy_arn(&policy.id)
        .version_id(default)
        .send()
        .await
        .unwrap();
    let doc = driftdrill::inject::iam::shared::document::parse(
        "p",
        doc.policy_version().unwrap().document().unwrap(),
    )
    .unwrap();
    let statements = sids(&doc);
    assert!(
        statements.contains(&"ColleagueList".to_string()),
        "{statements:?}"
    );
    assert!(
        !doc.to_string().contains("\"Action\":\"*\""),
        "the default still allows everything: {doc}"
    );
}

#[tokio::test]
async fn metadata_options_keep_a_hop_limit_a_colleague_changed() {
    let aws = fixture::clients().await;
    let instance = resources::instance(&aws).await;
    let live = inject(&aws, "ec2.instance.allow_imdsv1", "", &instance).await;
    aws.ec2()
        .modify_instance_metadata_options()
        .instance_id(&instance.id)
        .http_tokens(HttpTokensState::Optional)
        .http_put_response_hop_limit(3)
        .http_endpoint(aws_sdk_ec2::types::InstanceMetadataEndpointState::Enabled)
        .send()
        .await
        .unwrap();

    revert_keeping_theirs(&aws, &live, &instance, "http_put_response_hop_limit").await;
    let out = aws
        .ec2()
        .describe_instances()
        .instance_ids(&instance.id)
        .send()
        .await
        .unwrap();
    let m = out.reservations()[0].instances()[0]
        .metadata_options()
        .unwrap()
        .clone();
    assert_eq!(m.http_tokens(), Some(&HttpTokensState::Required));
    assert_eq!(m.http_put_response_hop_limit(), Some(3));
}

/// The statements of a queue policy, by Sid.
async fn queue_statements(aws: &driftdrill::aws::AwsClients, url: &str) -> Vec<String> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let out = aws
        .sqs()
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::Policy)
        .send()
        .await
        .unwrap();
    let text = out
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::Policy))
        .cloned()
        .unwrap_or_else(|| "{}".into());
    sids(&serde_json::from_str(&text).unwrap())
}

#[tokio::test]
async fn queue_policy_keeps_a_colleagues_statement_and_loses_the_drills() {
    use aws_sdk_sqs::types::QueueAttributeName;
    let aws = fixture::clients().await;
    let queue = resources::queue(&aws).await;
    let live = inject(&aws, "sqs.queue.policy_open", "", &queue).await;
    let current = aws
        .sqs()
        .get_queue_attributes()
        .queue_url(&queue.id)
        .attribute_names(QueueAttributeName::Policy)
        .send()
        .await
        .unwrap();
    let text = current.attributes().unwrap()[&QueueAttributeName::Policy].clone();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "AuditorsReceive", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "sqs:ReceiveMessage", "Resource": "*"
    }));
    aws.sqs()
        .set_queue_attributes()
        .queue_url(&queue.id)
        .attributes(QueueAttributeName::Policy, doc.to_string())
        .send()
        .await
        .unwrap();

    revert_keeping_theirs(&aws, &live, &queue, "AuditorsReceive").await;
    assert_eq!(
        queue_statements(&aws, &queue.id).await,
        ["OwnAccountSends", "AuditorsReceive"],
        "the open statement must be gone, the queue's own and the colleague's kept"
    );
}

/// An alarm's actions flag and threshold, as DescribeAlarms reads them.
async fn alarm_settings(aws: &driftdrill::aws::AwsClients, name: &str) -> (bool, f64) {
    let out = aws
        .cloudwatch()
        .describe_alarms()
        .alarm_names(name)
        .send()
        .await
        .unwrap();
    let a = out.metric_alarms().first().expect("the alarm exists");
    (a.actions_enabled().unwrap(), a.threshold().unwrap())
}

#[tokio::test]
async fn alarm_actions_come_back_and_a_colleagues_new_threshold_stays() {
    let aws = fixture::clients().await;
    let alarm = resources::alarm(&aws).await;
    let live = inject(&aws, "cloudwatch.alarm.actions_disabled", "", &alarm).await;
    assert_eq!(alarm_settings(&aws, &alarm.id).await, (false, 80.0));
    // Mid-incident, someone raises the threshold in the console (a whole-alarm edit that
    // keeps the actions as they are now: off).
    resources::put_alarm(&aws, &alarm.id, 95.0, false).await;
    let (outcome, verified) = live.revert_unchecked(&aws, &alarm).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(
        alarm_settings(&aws, &alarm.id).await,
        (true, 95.0),
        "the drill's off switch is undone; the colleague's threshold is theirs to keep"
    );
    assert_words(outcome.detail.as_deref().unwrap_or_default());
}

#[tokio::test]
async fn alarm_actions_a_colleague_switched_back_on_are_left_alone() {
    let aws = fixture::clients().await;
    let alarm = resources::alarm(&aws).await;
    let live = inject(&aws, "cloudwatch.alarm.actions_disabled", "", &alarm).await;
    aws.cloudwatch()
        .enable_alarm_actions()
        .alarm_names(&alarm.id)
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &alarm).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::AlreadyReverted, "{outcome:?}");
    assert_eq!(alarm_settings(&aws, &alarm.id).await, (true, 80.0));
}

/// A queue's encryption attributes and visibility timeout.
async fn queue_encryption(
    aws: &driftdrill::aws::AwsClients,
    url: &str,
) -> (String, String, String) {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out = aws
        .sqs()
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::All)
        .send()
        .await
        .unwrap();
    let get = |k: A| {
        out.attributes()
            .and_then(|a| a.get(&k))
            .cloned()
            .unwrap_or_default()
    };
    (
        get(A::SqsManagedSseEnabled),
        get(A::KmsMasterKeyId),
        get(A::VisibilityTimeout),
    )
}

#[tokio::test]
async fn queue_encryption_comes_back_and_a_colleagues_timeout_stays() {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let aws = fixture::clients().await;
    let queue = resources::queue(&aws).await;
    let before = queue_encryption(&aws, &queue.id).await;
    assert_eq!(
        before.0, "true",
        "the fixture queue uses SQS-managed encryption"
    );
    let live = inject(&aws, "sqs.queue.encryption_removed", "", &queue).await;
    assert_eq!(queue_encryption(&aws, &queue.id).await.0, "false");
    aws.sqs()
        .set_queue_attributes()
        .queue_url(&queue.id)
        .attributes(A::VisibilityTimeout, "120")
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &queue).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(
        queue_encryption(&aws, &queue.id).await,
        ("true".into(), String::new(), "120".into()),
        "encryption back, the colleague's timeout kept"
    );
}

#[tokio::test]
async fn queue_encryption_a_colleague_moved_to_kms_is_left_alone() {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let aws = fixture::clients().await;
    let queue = resources::queue(&aws).await;
    let live = inject(&aws, "sqs.queue.encryption_removed", "", &queue).await;
    aws.sqs()
        .set_queue_attributes()
        .queue_url(&queue.id)
        .attributes(A::KmsMasterKeyId, "alias/orders")
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &queue).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::ConflictLeftAlone, "{outcome:?}");
    let detail = outcome.detail.as_deref().unwrap_or_default();
    assert!(detail.contains("SSE-KMS alias/orders"), "{detail}");
    assert_words(detail);
    let (managed, key, _) = queue_encryption(&aws, &queue.id).await;
    assert_eq!((managed.as_str(), key.as_str()), ("false", "alias/orders"));
}

/// A queue's redrive policy (empty when it has none) and its retention.
async fn queue_redrive(aws: &driftdrill::aws::AwsClients, url: &str) -> (String, String) {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out = aws
        .sqs()
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::All)
        .send()
        .await
        .unwrap();
    let get = |k: A| {
        let v = out.attributes().and_then(|a| a.get(&k));
        v.cloned().unwrap_or_default()
    };
    (get(A::RedrivePolicy), get(A::MessageRetentionPeriod))
}

#[tokio::test]
async fn dead_letter_queue_comes_back_and_a_colleagues_retention_stays() {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let aws = fixture::clients().await;
    let queue = resources::queue(&aws).await;
    let (redrive, _) = queue_redrive(&aws, &queue.id).await;
    assert!(redrive.contains("deadLetterTargetArn"), "{redrive}");
    let live = inject(&aws, "sqs.queue.dead_letter_removed", "", &queue).await;
    assert_eq!(queue_redrive(&aws, &queue.id).await.0, "");
    aws.sqs()
        .set_queue_attributes()
        .queue_url(&queue.id)
        .attributes(A::MessageRetentionPeriod, "86400")
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &queue).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::Restored, "{outcome:?}");
    assert_eq!(
        queue_redrive(&aws, &queue.id).await,
        (redrive, "86400".into()),
        "the dead-letter queue back exactly, the colleague's retention kept"
    );
}

#[tokio::test]
async fn a_dead_letter_queue_a_colleague_attached_meanwhile_is_left_alone() {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let aws = fixture::clients().await;
    let queue = resources::queue(&aws).await;
    let (redrive, _) = queue_redrive(&aws, &queue.id).await;
    let live = inject(&aws, "sqs.queue.dead_letter_removed", "", &queue).await;
    // The colleague re-attaches the same dead-letter queue with a different receive count.
    let theirs = redrive.replace("\"5\"", "\"9\"");
    assert_ne!(theirs, redrive);
    aws.sqs()
        .set_queue_attributes()
        .queue_url(&queue.id)
        .attributes(A::RedrivePolicy, &theirs)
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &queue).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::ConflictLeftAlone, "{outcome:?}");
    assert_words(outcome.detail.as_deref().unwrap_or_default());
    let now = queue_redrive(&aws, &queue.id).await.0;
    assert!(
        now.contains("9"),
        "the colleague's redrive policy kept: {now}"
    );
}

/// An instance's source/destination check and termination protection.
async fn instance_checks(aws: &driftdrill::aws::AwsClients, id: &str) -> (Option<bool>, bool) {
    use aws_sdk_ec2::types::InstanceAttributeName;
    let out = aws
        .ec2()
        .describe_instances()
        .instance_ids(id)
        .send()
        .await
        .unwrap();
    let check = out.reservations()[0].instances()[0].source_dest_check();
    let attr = aws
        .ec2()
        .describe_instance_attribute()
        .instance_id(id)
        .attribute(InstanceAttributeName::DisableApiTermination)
        .send()
        .await
        .unwrap();
    let protected = attr.disable_api_termination().and_then(|v| v.value());
    (check, protected.unwrap_or(false))
}

#[tokio::test]
async fn source_dest_check_comes_back_and_a_colleagues_termination_protection_stays() {
    use aws_sdk_ec2::types::AttributeBooleanValue;
    let aws = fixture::clients().await;
    let instance = resources::instance(&aws).await;
    assert_eq!(
        instance_checks(&aws, &instance.id).await,
        (Some(true), false)
    );
    let live = inject(
        &aws,
        "ec2.instance.source_dest_check_disabled",
        "",
        &instance,
    )
    .await;
    assert_eq!(instance_checks(&aws, &instance.id).await.0, Some(false));
    aws.ec2()
        .modify_instance_attribute()
        .instance_id(&instance.id)
        .disable_api_termination(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &instance).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::Restored, "{outcome:?}");
    assert_eq!(
        instance_checks(&aws, &instance.id).await,
        (Some(true), true),
        "the check back on, the colleague's protection kept"
    );
    // Leave the instance terminable for the suite's clean-up.
    aws.ec2()
        .modify_instance_attribute()
        .instance_id(&instance.id)
        .disable_api_termination(AttributeBooleanValue::builder().value(false).build())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_source_dest_check_a_colleague_turned_back_on_is_theirs() {
    use aws_sdk_ec2::types::AttributeBooleanValue;
    let aws = fixture::clients().await;
    let instance = resources::instance(&aws).await;
    let live = inject(
        &aws,
        "ec2.instance.source_dest_check_disabled",
        "",
        &instance,
    )
    .await;
    aws.ec2()
        .modify_instance_attribute()
        .instance_id(&instance.id)
        .source_dest_check(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &instance).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::AlreadyReverted, "{outcome:?}");
    assert_eq!(instance_checks(&aws, &instance.id).await.0, Some(true));
}

/// A subnet's public-address settings: IPv4 on launch, and its name tag.
async fn subnet_settings(aws: &driftdrill::aws::AwsClients, id: &str) -> (Option<bool>, String) {
    let out = aws
        .ec2()
        .describe_subnets()
        .subnet_ids(id)
        .send()
        .await
        .unwrap();
    let n = &out.subnets()[0];
    let tags = n.tags().iter().find(|t| t.key() == Some("Owner"));
    let owner = tags.and_then(|t| t.value()).unwrap_or_default().to_string();
    (n.map_public_ip_on_launch(), owner)
}

#[tokio::test]
async fn public_ip_on_launch_goes_off_and_a_colleagues_tag_stays() {
    let aws = fixture::clients().await;
    let subnet = resources::subnet(&aws).await;
    assert_eq!(subnet_settings(&aws, &subnet.id).await.0, Some(false));
    let live = inject(&aws, "ec2.subnet.public_ip_on_launch", "", &subnet).await;
    assert_eq!(subnet_settings(&aws, &subnet.id).await.0, Some(true));
    let owner = aws_sdk_ec2::types::Tag::builder()
        .key("Owner")
        .value("net-team")
        .build();
    aws.ec2()
        .create_tags()
        .resources(&subnet.id)
        .tags(owner)
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &subnet).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::Restored, "{outcome:?}");
    assert_eq!(
        subnet_settings(&aws, &subnet.id).await,
        (Some(false), "net-team".to_string()),
        "public addresses off again, the colleague's tag kept"
    );
}

#[tokio::test]
async fn public_ip_on_launch_a_colleague_switched_off_is_theirs() {
    use aws_sdk_ec2::types::AttributeBooleanValue;
    let aws = fixture::clients().await;
    let subnet = resources::subnet(&aws).await;
    let live = inject(&aws, "ec2.subnet.public_ip_on_launch", "", &subnet).await;
    aws.ec2()
        .modify_subnet_attribute()
        .subnet_id(&subnet.id)
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(false).build())
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &subnet).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::AlreadyReverted, "{outcome:?}");
}

#[tokio::test]
async fn retention_comes_back_and_a_colleagues_dead_letter_change_stays() {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let aws = fixture::clients().await;
    let queue = resources::queue(&aws).await;
    let (redrive, retention) = queue_redrive(&aws, &queue.id).await;
    assert_eq!(retention, "345600", "SQS's default four days");
    let live = inject(&aws, "sqs.queue.retention_cut", "seconds = 120\n", &queue).await;
    assert_eq!(queue_redrive(&aws, &queue.id).await.1, "120");
    let theirs = redrive.replace("\"5\"", "\"7\"");
    aws.sqs()
        .set_queue_attributes()
        .queue_url(&queue.id)
        .attributes(A::RedrivePolicy, &theirs)
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &queue).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::Restored, "{outcome:?}");
    assert_eq!(
        queue_redrive(&aws, &queue.id).await,
        (theirs, "345600".into()),
        "four days again, the colleague's redrive policy kept"
    );
}

#[tokio::test]
async fn a_retention_a_colleague_set_meanwhile_is_left_alone() {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let aws = fixture::clients().await;
    let queue = resources::queue(&aws).await;
    let live = inject(&aws, "sqs.queue.retention_cut", "", &queue).await;
    assert_eq!(queue_redrive(&aws, &queue.id).await.1, "60");
    aws.sqs()
        .set_queue_attributes()
        .queue_url(&queue.id)
        .attributes(A::MessageRetentionPeriod, "86400")
        .send()
        .await
        .unwrap();
    let (outcome, verified) = live.revert_unchecked(&aws, &queue).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::ConflictLeftAlone, "{outcome:?}");
    assert_words(outcome.detail.as_deref().unwrap_or_default());
    assert_eq!(queue_redrive(&aws, &queue.id).await.1, "86400");
}

/// A network ACL's inbound entries as (number, action, cidr, from port).
async fn acl_entries(
    aws: &driftdrill::aws::AwsClients,
    id: &str,
) -> Vec<(i32, String, String, Option<i32>)> {
    let out = aws
        .ec2()
        .describe_network_acls()
        .network_acl_ids(id)
        .send()
        .await
        .unwrap();
    let mut entries: Vec<_> = out.network_acls()[0]
        .entries()
        .iter()
        .filter(|e| e.egress() == Some(false) && e.rule_number() != Some(32767))
        .map(|e| {
            (
                e.rule_number().unwrap_or_default(),
                e.rule_action()
                    .map(|a| a.as_str().to_string())
                    .unwrap_or_default(),
                e.cidr_block().unwrap_or_default().to_string(),
                e.port_range().and_then(|p| p.from()),
            )
        })
        .collect();
    entries.sort();
    entries
}

/// Adds an inbound entry `number` allowing tcp `port` from `cidr`.
async fn add_acl_entry(
    aws: &driftdrill::aws::AwsClients,
    id: &str,
    number: i32,
    port: i32,
    cidr: &str,
) {
    use aws_sdk_ec2::types::{PortRange, RuleAction};
    aws.ec2()
        .create_network_acl_entry()
        .network_acl_id(id)
        .rule_number(number)
        .egress(false)
        .protocol("6")
        .rule_action(RuleAction::Allow)
        .cidr_block(cidr)
        .port_range(PortRange::builder().from(port).to(port).build())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_removed_acl_entry_comes_back_beside_one_a_colleague_added() {
    let aws = fixture::clients().await;
    let acl = resources::network_acl(&aws).await;
    let before = acl_entries(&aws, &acl.id).await;
    let live = inject(&aws, "ec2.nacl.remove_entry", "rule_number = 100\n", &acl).await;
    assert!(acl_entries(&aws, &acl.id).await.is_empty());
    add_acl_entry(&aws, &acl.id, 110, 8443, "10.77.5.0/24").await;
    let (outcome, verified) = live.revert_unchecked(&aws, &acl).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::ConflictOursUndone, "{outcome:?}");
    let mut expected = before.clone();
    expected.push((110, "allow".into(), "10.77.5.0/24".into(), Some(8443)));
    assert_eq!(
        acl_entries(&aws, &acl.id).await,
        expected,
        "entry 100 back, the colleague's kept"
    );
}

#[tokio::test]
async fn an_entry_number_a_colleague_took_meanwhile_is_theirs() {
    let aws = fixture::clients().await;
    let acl = resources::network_acl(&aws).await;
    let live = inject(&aws, "ec2.nacl.remove_entry", "rule_number = 100\n", &acl).await;
    add_acl_entry(&aws, &acl.id, 100, 22, "10.77.9.0/24").await;
    let (outcome, verified) = live.revert_unchecked(&aws, &acl).await;
    assert_eq!(verified, Check::Matches, "{outcome:?}");
    assert_eq!(outcome.kind, RevertKind::ConflictLeftAlone, "{outcome:?}");
    assert_words(outcome.detail.as_deref().unwrap_or_default());
    assert_eq!(
        acl_entries(&aws, &acl.id).await,
        [(100, "allow".into(), "10.77.9.0/24".into(), Some(22))],
        "the colleague's entry 100 is left as they made it"
    );
}

#[tokio::test]
async fn topic_policy_keeps_a_colleagues_statement_and_loses_the_drills() {
    use crate::fixture::platform::{set_topic_policy, topic_policy};
    let aws = fixture::clients().await;
    let topic = resources::topic(&aws).await;
    let live = inject(&aws, "sns.topic.policy_open", "", &topic).await;
    let mut doc = topic_policy(&aws, &topic.id).await;
    assert_eq!(sids(&doc).len(), 2, "the drill's statement is live: {doc}");
    doc["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "AuditorsSubscribe", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SNS:Subscribe", "Resource": topic.id
    }));
    set_topic_policy(&aws, &topic.id, &doc).await;

    revert_keeping_theirs(&aws, &live, &topic, "AuditorsSubscribe").await;
    assert_eq!(
        sids(&topic_policy(&aws, &topic.id).await),
        ["OwnAccountPublishes", "AuditorsSubscribe"],
        "the open statement must be gone, the topic's own and the colleague's kept"
    );
}

#[tokio::test]
async fn a_log_retention_a_colleague_set_meanwhile_is_left_alone() {
    use crate::fixture::platform::{retention, set_retention};
    let aws = fixture::clients().await;
    let group = resources::log_group(&aws).await;
    let live = inject(&aws, "logs.group.retention_cut", "", &group).await;
    assert_eq!(retention(&aws, &group.id).await, Some(1), "cut to one day");
    set_retention(&aws, &group.id, Some(30)).await;
    live.revert_as(&aws, &group, RevertKind::ConflictLeftAlone)
        .await;
    assert_eq!(retention(&aws, &group.id).await, Some(30), "theirs kept");
}

#[tokio::test]
async fn a_log_group_that_never_expired_never_expires_again() {
    use crate::fixture::platform::{retention, set_retention};
    let aws = fixture::clients().await;
    let group = resources::log_group(&aws).await;
    set_retention(&aws, &group.id, None).await;
    let live = inject(&aws, "logs.group.retention_cut", "days = 7\n", &group).await;
    assert_eq!(retention(&aws, &group.id).await, Some(7));
    live.revert_as(&aws, &group, RevertKind::Restored).await;
    assert_eq!(
        retention(&aws, &group.id).await,
        None,
        "no retention, as before"
    );
}

#[tokio::test]
async fn a_parameter_value_a_colleague_wrote_meanwhile_is_left_alone() {
    use crate::fixture::platform::{set_value, value};
    let aws = fixture::clients().await;
    let param = resources::parameter(&aws).await;
    let live = inject(&aws, "ssm.parameter.value_edited", "", &param).await;
    assert_eq!(value(&aws, &param.id).await, "driftdrill-edited");
    set_value(&aws, &param.id, "https://orders-v2.internal").await;
    live.revert_as(&aws, &param, RevertKind::ConflictLeftAlone)
        .await;
    assert_eq!(value(&aws, &param.id).await, "https://orders-v2.internal");
}

#[tokio::test]
async fn a_secure_string_parameter_is_refused_before_anything_is_read_into_the_journal() {
    let aws = fixture::clients().await;
    let param = resources::parameter(&aws).await;
    aws.ssm()
        .put_parameter()
        .name(&param.id)
        .value("hunter2")
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .unwrap();
    let spec = driftdrill::inject::find("ssm.parameter.value_edited").unwrap();
    let injector = (spec.build)(&fixture::action_params(spec.id, "")).unwrap();
    let cx = driftdrill::inject::InjectCx {
        aws: &aws,
        mark: "driftdrill:test:secure",
    };
    let err = injector
        .snapshot(&cx, &param)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("SecureString"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    let plain = crate::fixture::platform::value(&aws, &param.id).await;
    assert_eq!(plain, "hunter2", "nothing written");
}

#[tokio::test]
async fn a_topic_key_a_colleague_chose_meanwhile_is_left_alone() {
    use crate::fixture::platform::{set_topic_attribute, topic_attribute, topic_policy};
    let aws = fixture::clients().await;
    let topic = resources::topic(&aws).await;
    let live = inject(&aws, "sns.topic.encryption_removed", "", &topic).await;
    assert_eq!(
        topic_attribute(&aws, &topic.id, "KmsMasterKeyId").await,
        None
    );
    let theirs = "alias/orders-topics";
    set_topic_attribute(&aws, &topic.id, "KmsMasterKeyId", theirs).await;
    let policy = topic_policy(&aws, &topic.id).await;
    live.revert_as(&aws, &topic, RevertKind::ConflictLeftAlone)
        .await;
    let key = topic_attribute(&aws, &topic.id, "KmsMasterKeyId").await;
    assert_eq!(key.as_deref(), Some(theirs), "their key kept");
    assert_eq!(
        topic_policy(&aws, &topic.id).await,
        policy,
        "policy untouched"
    );
}

#[tokio::test]
async fn a_boundary_a_colleague_set_meanwhile_is_left_alone() {
    let aws = fixture::clients().await;
    let role = iam::role(&aws).await;
    let live = inject(&aws, "iam.role.permissions_boundary_removed", "", &role).await;
    let boundary = |aws: &driftdrill::aws::AwsClients, name: String| {
        let get = aws.iam().get_role().role_name(name);
        async move {
            let out = get.send().await.unwrap();
            let b = out.role().and_then(|r| r.permissions_boundary().cloned());
            b.and_then(|b| b.permissions_boundary_arn().map(String::from))
        }
    };
    assert_eq!(boundary(&aws, role.id.clone()).await, None, "taken off");
    let theirs = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let put = aws
        .iam()
        .put_role_permissions_boundary()
        .role_name(&role.id);
    put.permissions_boundary(theirs).send().await.unwrap();
    live.revert_as(&aws, &role, RevertKind::ConflictLeftAlone)
        .await;
    assert_eq!(
        boundary(&aws, role.id.clone()).await.as_deref(),
        Some(theirs)
    );
}

#[tokio::test]
async fn user_inline_policy_keeps_a_statement_a_colleague_added_to_it() {
    let aws = fixture::clients().await;
    let user = iam::user(&aws).await;
    let params = "policy_name = \"ci-hotfix\"\n";
    let live = inject(&aws, "iam.user.put_inline_policy", params, &user).await;
    let get = aws
        .iam()
        .get_user_policy()
        .user_name(&user.id)
        .policy_name("ci-hotfix");
    let out = get.send().await.unwrap();
    let mut doc =
        driftdrill::inject::iam::shared::document::parse("u", out.policy_document()).unwrap();
    doc["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "ReadLogs", "Effect": "Allow", "Action": "logs:GetLogEvents", "Resource": "*"
    }));
    let put = aws
        .iam()
        .put_user_policy()
        .user_name(&user.id)
        .policy_name("ci-hotfix");
    put.policy_document(doc.to_string()).send().await.unwrap();

    revert_keeping_theirs(&aws, &live, &user, "ReadLogs").await;
    let get = aws
        .iam()
        .get_user_policy()
        .user_name(&user.id)
        .policy_name("ci-hotfix");
    let out = get.send().await.unwrap();
    let doc = driftdrill::inject::iam::shared::document::parse("u", out.policy_document()).unwrap();
    assert_eq!(
        sids(&doc),
        ["ReadLogs"],
        "the drill's statement gone, theirs kept"
    );
}

#[tokio::test]
async fn a_metric_filter_a_colleague_created_meanwhile_is_left_alone() {
    let aws = fixture::clients().await;
    let group = resources::log_group(&aws).await;
    let params = "filter_name = \"root-account-usage\"\n";
    let live = inject(&aws, "logs.group.metric_filter_removed", params, &group).await;
    let patterns = |aws: &driftdrill::aws::AwsClients, group: String| {
        let describe = aws.logs().describe_metric_filters().log_group_name(group);
        async move {
            let out = describe.send().await.unwrap();
            let all = out.metric_filters().iter();
            all.map(|f| f.filter_pattern().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert!(patterns(&aws, group.id.clone()).await.is_empty(), "deleted");
    let count = aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
        .metric_name("ConsoleLogins")
        .metric_namespace("CIS")
        .metric_value("1")
        .build()
        .unwrap();
    let put = aws.logs().put_metric_filter().log_group_name(&group.id);
    let put = put
        .filter_name("root-account-usage")
        .metric_transformations(count);
    put.filter_pattern("{ $.eventName = \"ConsoleLogin\" }")
        .send()
        .await
        .unwrap();
    live.revert_as(&aws, &group, RevertKind::ConflictLeftAlone)
        .await;
    assert_eq!(
        patterns(&aws, group.id.clone()).await,
        ["{ $.eventName = \"ConsoleLogin\" }"],
        "theirs kept"
    );
}

#[tokio::test]
async fn an_object_ownership_a_colleague_chose_meanwhile_is_left_alone() {
    let aws = fixture::clients().await;
    let bucket = resources::enforced_bucket(&aws).await;
    let live = inject(&aws, "s3.ownership.acls_enabled", "", &bucket).await;
    let now = resources::ownership(&aws, &bucket.id).await;
    assert_eq!(now.as_deref(), Some("ObjectWriter"), "ACLs on");
    resources::set_ownership(&aws, &bucket.id, "BucketOwnerPreferred").await;
    live.revert_as(&aws, &bucket, RevertKind::ConflictLeftAlone)
        .await;
    let now = resources::ownership(&aws, &bucket.id).await;
    assert_eq!(now.as_deref(), Some("BucketOwnerPreferred"), "theirs kept");
}

#[tokio::test]
async fn dns_support_comes_back_and_a_colleagues_hostnames_change_stays() {
    use aws_sdk_ec2::types::{AttributeBooleanValue, VpcAttributeName};
    let aws = fixture::clients().await;
    let vpc = resources::vpc_target(&aws).await;
    let attribute = |aws: &driftdrill::aws::AwsClients, name: VpcAttributeName| {
        let read = aws
            .ec2()
            .describe_vpc_attribute()
            .vpc_id(&vpc.id)
            .attribute(name.clone());
        async move {
            let out = read.send().await.unwrap();
            let value = match name {
                VpcAttributeName::EnableDnsSupport => out.enable_dns_support().cloned(),
                _ => out.enable_dns_hostnames().cloned(),
            };
            value.and_then(|v| v.value()).unwrap()
        }
    };
    let live = inject(&aws, "ec2.vpc.dns_support_disabled", "", &vpc).await;
    assert!(
        !attribute(&aws, VpcAttributeName::EnableDnsSupport).await,
        "off"
    );
    let on = AttributeBooleanValue::builder().value(true).build();
    let modify = aws.ec2().modify_vpc_attribute().vpc_id(&vpc.id);
    modify.enable_dns_hostnames(on).send().await.unwrap();
    live.revert_as(&aws, &vpc, RevertKind::Restored).await;
    assert!(
        attribute(&aws, VpcAttributeName::EnableDnsSupport).await,
        "on again"
    );
    assert!(
        attribute(&aws, VpcAttributeName::EnableDnsHostnames).await,
        "the colleague's hostnames setting kept"
    );
}
