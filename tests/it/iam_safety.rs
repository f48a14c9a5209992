//! IAM actions beyond the round trip, against LocalStack: someone else's edit made while the
//! drill's change is live is kept on revert (and said so); production-tagged roles, users and
//! policies are refused before anything changes; IAM ignores the region allow-list but never the
//! account allow-list; a policy at IAM's five-version limit is refused, not pruned.

use aws_sdk_iam::types::Tag;
use driftdrill::inject::{self, InjectCx, InjectError, RevertKind};
use driftdrill::run::guard;
use driftdrill::vocab::{Selector, TargetSpec};

use crate::fixture::live::inject;
use crate::fixture::{self, iam, resources};
use crate::injector_safety::safety;

const S3_READ: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";

#[tokio::test]
async fn attachments_someone_else_added_meanwhile_stay_and_only_ours_is_detached() {
    let aws = fixture::clients().await;
    for target in [iam::role(&aws).await, iam::user(&aws).await] {
        let action = match target.kind {
            driftdrill::inject::iam::ROLE => "iam.role.attach_policy",
            _ => "iam.user.attach_policy",
        };
        let live = inject(&aws, action, "", &target).await;
        let attached = match target.kind {
            driftdrill::inject::iam::ROLE => aws
                .iam()
                .attach_role_policy()
                .role_name(&target.id)
                .policy_arn(S3_READ)
                .send()
                .await
                .map(drop)
                .is_ok(),
            _ => aws
                .iam()
                .attach_user_policy()
                .user_name(&target.id)
                .policy_arn(S3_READ)
                .send()
                .await
                .map(drop)
                .is_ok(),
        };
        assert!(attached, "a colleague attaches a policy");
        let outcome = live.revert(&aws, &target).await;
        assert_eq!(outcome.kind, RevertKind::ConflictOursUndone, "{outcome:?}");
        let state = resources::full_state(&aws, &target).await;
        assert!(
            state.iter().any(|l| l.contains("AmazonS3ReadOnlyAccess")),
            "theirs kept: {state:?}"
        );
        assert!(
            !state.iter().any(|l| l.contains("AdministratorAccess")),
            "ours detached: {state:?}"
        );
    }
}

#[tokio::test]
async fn documents_someone_edited_meanwhile_are_left_alone() {
    let aws = fixture::clients().await;
    let colleague = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;

    let role = iam::role(&aws).await;
    let live = inject(
        &aws,
        "iam.role.put_inline_policy",
        "policy_name = \"incident\"\n",
        &role,
    )
    .await;
    aws.iam()
        .put_role_policy()
        .role_name(&role.id)
        .policy_name("incident")
        .policy_document(colleague)
        .send()
        .await
        .unwrap();
    let edited = resources::full_state(&aws, &role).await;
    let outcome = live.revert(&aws, &role).await;
    assert_eq!(outcome.kind, RevertKind::ConflictLeftAlone, "{outcome:?}");
    assert_eq!(
        resources::full_state(&aws, &role).await,
        edited,
        "nothing written"
    );

    let role = iam::role(&aws).await;
    let live = inject(
        &aws,
        "iam.role.trust_add_principal",
        "principal = \"arn:aws:iam::111122223333:root\"\n",
        &role,
    )
    .await;
    aws.iam()
        .update_assume_role_policy()
        .role_name(&role.id)
        .policy_document(iam::TRUST.replace("ec2.amazonaws.com", "lambda.amazonaws.com"))
        .send()
        .await
        .unwrap();
    let edited = resources::full_state(&aws, &role).await;
    let outcome = live.revert(&aws, &role).await;
    assert_eq!(outcome.kind, RevertKind::ConflictLeftAlone, "{outcome:?}");
    assert_eq!(
        resources::full_state(&aws, &role).await,
        edited,
        "nothing written"
    );

    let role = iam::role(&aws).await;
    let live = inject(&aws, "iam.role.set_max_session_duration", "", &role).await;
    aws.iam()
        .update_role()
        .role_name(&role.id)
        .max_session_duration(7200)
        .send()
        .await
        .unwrap();
    let outcome = live.revert(&aws, &role).await;
    assert_eq!(outcome.kind, RevertKind::ConflictLeftAlone, "{outcome:?}");
    assert!(
        resources::full_state(&aws, &role)
            .await
            .contains(&"max session Some(7200)".to_string())
    );
}

#[tokio::test]
async fn a_policy_version_someone_made_default_meanwhile_stays_and_ours_is_deleted() {
    let aws = fixture::clients().await;
    let policy = iam::policy(&aws).await;
    let live = inject(&aws, "iam.policy.new_default_version", "", &policy).await;
    let theirs = aws
        .iam()
        .create_policy_version()
        .policy_arn(&policy.id)
        .policy_document(iam::READ_ONLY.replace("s3:GetObject", "s3:ListBucket"))
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    let theirs = theirs
        .policy_version()
        .and_then(|v| v.version_id())
        .unwrap()
        .to_string();
    let outcome = live.revert(&aws, &policy).await;
    assert_eq!(outcome.kind, RevertKind::ConflictOursUndone, "{outcome:?}");
    let state = resources::full_state(&aws, &policy).await;
    assert_eq!(state.len(), 2, "v1 and theirs, ours deleted: {state:?}");
    assert!(
        state
            .iter()
            .any(|l| l.starts_with(&format!("version {theirs} default=true"))),
        "{state:?}"
    );
}

#[tokio::test]
async fn a_policy_at_the_five_version_limit_is_refused_and_no_version_is_deleted() {
    let aws = fixture::clients().await;
    let policy = iam::policy(&aws).await;
    for _ in 0..4 {
        aws.iam()
            .create_policy_version()
            .policy_arn(&policy.id)
            .policy_document(iam::READ_ONLY)
            .send()
            .await
            .unwrap();
    }
    let before = resources::full_state(&aws, &policy).await;
    assert_eq!(before.len(), 5);
    let spec = inject::find("iam.policy.new_default_version").unwrap();
    let injector = (spec.build)(&fixture::action_params(spec.id, "")).unwrap();
    let cx = InjectCx {
        aws: &aws,
        mark: "driftdrill:test:limit",
    };
    let err = injector.snapshot(&cx, &policy).await.unwrap_err();
    assert!(matches!(err, InjectError::Precondition { .. }), "{err:?}");
    assert!(err.to_string().contains("IAM's limit"), "{err}");
    assert_eq!(resources::full_state(&aws, &policy).await, before);
}

#[tokio::test]
async fn production_iam_targets_are_refused_and_the_region_list_does_not_apply() {
    let aws = fixture::clients().await;
    let prod_role = iam::role_in(&aws, "production").await;
    let user = iam::user(&aws).await;
    aws.iam()
        .tag_user()
        .user_name(&user.id)
        .tags(
            Tag::builder()
                .key("Environment")
                .value("prod")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let policy = iam::policy(&aws).await;
    aws.iam()
        .tag_policy()
        .policy_arn(&policy.id)
        .tags(
            Tag::builder()
                .key("Environment")
                .value("prod")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // Another region than the allow-list's: IAM is global, so only the account counts.
    let other_region = safety(&["000000000000"], &["eu-west-1"]);
    for target in [&prod_role, &user, &policy] {
        let before = resources::full_state(&aws, target).await;
        let spec = TargetSpec {
            kind: target.kind,
            selector: Selector::Name(target.id.clone()),
        };
        let err = guard::prepare(&aws, &spec, &other_region)
            .await
            .unwrap_err();
        assert!(matches!(err, InjectError::Refused { .. }), "{err:?}");
        assert!(!err.to_string().contains("allowed_regions"), "{err}");
        assert_eq!(resources::full_state(&aws, target).await, before);
    }
    let staging = iam::role(&aws).await;
    let by_arn = TargetSpec {
        kind: staging.kind,
        selector: Selector::Id(format!("arn:aws:iam::000000000000:role/{}", staging.id)),
    };
    let found = guard::prepare(&aws, &by_arn, &other_region)
        .await
        .expect("a staging role passes whatever the region list says");
    assert_eq!(found.id, staging.id);
    let err = guard::prepare(&aws, &by_arn, &safety(&["123456789012"], &["us-east-1"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("allowed_accounts"), "{err}");
}
