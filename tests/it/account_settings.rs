//! Account-wide settings (EBS encryption by default): refused unless the config opts in, with
//! nothing changed; where it does, a colleague's change kept, and SIGKILL + `recover` (the
//! round trip is in `injectors`). The setting is one per account and region, so each test drills a
//! region of its own.

use std::collections::BTreeMap;

use driftdrill::aws::{AwsClients, AwsSettings};
use driftdrill::inject::{InjectError, RevertKind, Target};
use driftdrill::run::guard;
use driftdrill::vocab::{Selector, TargetSpec};

use crate::fixture::{self, live::inject};
use crate::injector_safety::safety;

const KIND: driftdrill::vocab::TargetType = driftdrill::inject::account::ENCRYPTION_BY_DEFAULT;

/// Clients acting in `region` of this process's LocalStack.
async fn regional(region: &str) -> AwsClients {
    AwsClients::new(&AwsSettings::localstack(&fixture::localstack().url, region)).await
}

/// Whether new volumes in the clients' region are encrypted by default (plain SDK).
pub(crate) async fn encrypted(aws: &AwsClients) -> bool {
    let out = aws.ec2().get_ebs_encryption_by_default().send().await;
    out.unwrap().ebs_encryption_by_default().unwrap()
}

/// Switches encryption by default on or off, as a colleague (or the test's set-up) would.
async fn set_encrypted(aws: &AwsClients, on: bool) {
    if on {
        aws.ec2()
            .enable_ebs_encryption_by_default()
            .send()
            .await
            .unwrap();
    } else {
        aws.ec2()
            .disable_ebs_encryption_by_default()
            .send()
            .await
            .unwrap();
    }
}

/// The setting of `region`, encrypted by default as a team's baseline has it.
pub(crate) async fn setting(region: &str) -> (AwsClients, Target) {
    let aws = regional(region).await;
    set_encrypted(&aws, true).await;
    let target = Target {
        kind: KIND,
        id: region.to_string(),
        tags: BTreeMap::new(),
    };
    (aws, target)
}

#[tokio::test]
async fn an_account_setting_is_refused_unless_the_config_opts_in_and_nothing_changes() {
    let (aws, _) = setting("ap-south-1").await;
    let spec = TargetSpec {
        kind: KIND,
        selector: Selector::Id("ap-south-1".into()),
    };
    let mut rules = safety(&["000000000000"], &["ap-south-1"]);
    let err = guard::prepare(&aws, &spec, &rules).await.unwrap_err();
    let InjectError::Refused { rule, .. } = &err else {
        panic!("expected a refusal, got {err:?}");
    };
    assert!(
        rule.contains("whole account and region") && rule.contains("account_settings = true"),
        "the refusal says why and how to allow it: {rule}"
    );
    assert!(encrypted(&aws).await, "nothing changed");

    rules.account_settings = true;
    let target = guard::prepare(&aws, &spec, &rules).await.unwrap();
    assert_eq!(target.id, "ap-south-1");
    // The region allow-list still applies to a setting.
    let elsewhere = safety(&["000000000000"], &["us-east-1"]);
    let err = guard::prepare(&aws, &spec, &elsewhere).await.unwrap_err();
    assert!(matches!(err, InjectError::Refused { .. }), "{err:?}");
}

#[tokio::test]
async fn a_setting_a_colleague_switched_back_meanwhile_is_left_as_they_left_it() {
    let (aws, target) = setting("eu-north-1").await;
    let live = inject(
        &aws,
        "account.ebs_encryption_by_default.disabled",
        "",
        &target,
    )
    .await;
    assert!(!encrypted(&aws).await, "the drill switched it off");
    set_encrypted(&aws, true).await;
    live.revert_as(&aws, &target, RevertKind::AlreadyReverted)
        .await;
    assert!(encrypted(&aws).await);
}

#[tokio::test]
async fn encryption_by_default_survives_sigkill_anywhere() {
    let (aws, target) = setting("ap-northeast-2").await;
    crate::crash_recover::kill_and_recover(
        &aws,
        &target,
        "action = \"account.ebs_encryption_by_default.disabled\"",
    )
    .await;
    assert!(encrypted(&aws).await);
}

/// The password policy of `account` (an account of its own per test: the policy is one per
/// account), as a team's baseline has it: 14 characters, symbols and numbers, 90 days.
pub(crate) async fn password_policy(account: &str) -> (AwsClients, Target) {
    let aws = fixture::clients_in(account, fixture::REGION).await;
    aws.iam()
        .update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .require_numbers(true)
        .max_password_age(90)
        .send()
        .await
        .unwrap();
    let target = Target {
        kind: driftdrill::inject::account::PASSWORD_POLICY,
        id: account.to_string(),
        tags: BTreeMap::new(),
    };
    (aws, target)
}

/// The account's password policy as it is live (plain SDK).
async fn live_policy(aws: &AwsClients) -> aws_sdk_iam::types::PasswordPolicy {
    let out = aws
        .iam()
        .get_account_password_policy()
        .send()
        .await
        .unwrap();
    out.password_policy().unwrap().clone()
}

/// A password policy's minimum length and whether it requires symbols.
async fn length_and_symbols(aws: &AwsClients) -> (i32, bool) {
    let p = live_policy(aws).await;
    (p.minimum_password_length().unwrap(), p.require_symbols())
}

#[tokio::test]
async fn a_password_policy_keeps_a_rule_a_colleague_added_and_loses_the_drills_length() {
    let (aws, target) = password_policy("444400000002").await;
    let live = inject(&aws, "account.password_policy.weakened", "", &target).await;
    assert_eq!(length_and_symbols(&aws).await, (6, true), "lowered to 6");
    // A colleague also requires upper-case letters: one call writes the whole policy.
    aws.iam()
        .update_account_password_policy()
        .minimum_password_length(6)
        .require_symbols(true)
        .require_numbers(true)
        .require_uppercase_characters(true)
        .max_password_age(90)
        .send()
        .await
        .unwrap();
    live.revert_as(&aws, &target, RevertKind::ConflictOursUndone)
        .await;
    let p = live_policy(&aws).await;
    assert_eq!(p.minimum_password_length(), Some(14), "ours undone");
    assert!(p.require_uppercase_characters(), "theirs kept");
    assert_eq!(p.max_password_age(), Some(90), "the rest as it was");
}

#[tokio::test]
async fn a_password_length_a_colleague_set_meanwhile_is_left_alone() {
    let (aws, target) = password_policy("444400000003").await;
    let live = inject(
        &aws,
        "account.password_policy.weakened",
        "minimum_length = 8\n",
        &target,
    )
    .await;
    assert_eq!(length_and_symbols(&aws).await.0, 8);
    aws.iam()
        .update_account_password_policy()
        .minimum_password_length(10)
        .require_symbols(true)
        .require_numbers(true)
        .max_password_age(90)
        .send()
        .await
        .unwrap();
    live.revert_as(&aws, &target, RevertKind::ConflictLeftAlone)
        .await;
    assert_eq!(length_and_symbols(&aws).await, (10, true), "theirs kept");
}

#[tokio::test]
async fn a_password_policy_survives_sigkill_anywhere() {
    let (aws, target) = password_policy("444400000004").await;
    crate::crash_recover::kill_and_recover(
        &aws,
        &target,
        "action = \"account.password_policy.weakened\"",
    )
    .await;
    assert_eq!(length_and_symbols(&aws).await, (14, true));
}

#[tokio::test]
async fn an_account_without_a_password_policy_is_refused_before_anything_changes() {
    let aws = fixture::clients_in("444400000005", fixture::REGION).await;
    let target = Target {
        kind: driftdrill::inject::account::PASSWORD_POLICY,
        id: "444400000005".into(),
        tags: BTreeMap::new(),
    };
    let spec = driftdrill::inject::find("account.password_policy.weakened").unwrap();
    let injector = (spec.build)(&fixture::action_params(spec.id, "")).unwrap();
    let cx = driftdrill::inject::InjectCx {
        aws: &aws,
        mark: "driftdrill:test:nopolicy",
    };
    let err = injector
        .snapshot(&cx, &target)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("no password policy"), "{err}");
    let none = aws.iam().get_account_password_policy().send().await;
    assert!(none.is_err(), "still no policy: {none:?}");
}

#[tokio::test]
async fn a_password_policy_a_colleague_set_after_the_removal_is_left_alone() {
    let (aws, target) = password_policy("444400000007").await;
    let live = inject(&aws, "account.password_policy.removed", "", &target).await;
    assert!(
        aws.iam()
            .get_account_password_policy()
            .send()
            .await
            .is_err(),
        "removed"
    );
    let set = aws
        .iam()
        .update_account_password_policy()
        .minimum_password_length(12);
    set.send().await.unwrap();
    live.revert_as(&aws, &target, RevertKind::ConflictLeftAlone)
        .await;
    assert_eq!(length_and_symbols(&aws).await, (12, false), "theirs kept");
}

#[tokio::test]
async fn a_removed_password_policy_survives_sigkill_anywhere() {
    let (aws, target) = password_policy("444400000008").await;
    crate::crash_recover::kill_and_recover(
        &aws,
        &target,
        "action = \"account.password_policy.removed\"",
    )
    .await;
    assert_eq!(length_and_symbols(&aws).await, (14, true));
}
