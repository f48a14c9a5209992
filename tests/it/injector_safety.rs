//! Injector behaviour beyond the happy path, against LocalStack: someone else's edit is kept on
//! revert, guardrails refuse production, other accounts and other regions without changing
//! anything, and throttling from a fault-injecting layer in front of LocalStack is retried.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::types::{IpPermission, IpRange, Tag};
use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, mock};
use driftdrill::formats::config::Safety;
use driftdrill::inject::{self, Check, InjectCx, InjectError, RevertKind};
use driftdrill::run::guard;
use driftdrill::run::retry::{self, Budget};
use driftdrill::vocab::{Selector, TargetSpec};

use crate::fixture::{self, resources};

pub(crate) fn safety(accounts: &[&str], regions: &[&str]) -> Safety {
    Safety {
        allowed_accounts: accounts.iter().map(|s| s.to_string()).collect(),
        allowed_regions: regions.iter().map(|s| s.to_string()).collect(),
        required_tags: BTreeMap::from([("Environment".into(), vec!["staging".into()])]),
        forbidden_tags: BTreeMap::new(),
        max_concurrent: 4,
        max_drift_lifetime: Duration::from_secs(600),
        journal: "journal.jsonl".into(),
        account_settings: false,
    }
}

fn rule(port: i32) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
        .ip_ranges(
            IpRange::builder()
                .cidr_ip("198.51.100.0/24")
                .description("added by a colleague")
                .build(),
        )
        .build()
}

#[tokio::test]
async fn revert_keeps_a_rule_someone_else_added_meanwhile() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let injector = (inject::find("ec2.sg.open_ingress").unwrap().build)(&fixture::action_params(
        "ec2.sg.open_ingress",
        "protocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"\n",
    ))
    .unwrap();
    let cx = InjectCx {
        aws: &aws,
        mark: "driftdrill:test:conflict",
    };
    let snapshot = injector.snapshot(&cx, &target).await.unwrap();
    injector.inject(&cx, &target, &snapshot).await.unwrap();
    // A colleague edits the same group during the drill.
    aws.ec2()
        .authorize_security_group_ingress()
        .group_id(&target.id)
        .ip_permissions(rule(8443))
        .send()
        .await
        .unwrap();

    let outcome = injector.revert(&cx, &target, &snapshot).await.unwrap();
    let verified = injector
        .verify_reverted(&cx, &target, &snapshot)
        .await
        .unwrap();
    let state = resources::full_state(&aws, &target).await;
    // Clean up the colleague's rule only after reading the state.
    aws.ec2()
        .revoke_security_group_ingress()
        .group_id(&target.id)
        .ip_permissions(rule(8443))
        .send()
        .await
        .unwrap();

    assert_eq!(outcome.kind, RevertKind::ConflictOursUndone, "{outcome:?}");
    assert!(
        outcome
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("someone else"),
        "{outcome:?}"
    );
    assert_eq!(verified, Check::Matches);
    assert!(
        state
            .iter()
            .any(|l| l.contains("8443") && l.contains("added by a colleague")),
        "their rule is gone: {state:?}"
    );
    assert!(
        !state.iter().any(|l| l.contains("Some(22)")),
        "our rule is still there: {state:?}"
    );
}

#[tokio::test]
async fn revert_leaves_a_tag_someone_else_set_and_says_so() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let injector = (inject::find("ec2.tag.remove").unwrap().build)(&fixture::action_params(
        "ec2.tag.remove",
        "key = \"ManagedBy\"\n",
    ))
    .unwrap();
    let cx = InjectCx {
        aws: &aws,
        mark: "driftdrill:test:tag-conflict",
    };
    let snapshot = injector.snapshot(&cx, &target).await.unwrap();
    injector.inject(&cx, &target, &snapshot).await.unwrap();
    aws.ec2()
        .create_tags()
        .resources(&target.id)
        .tags(Tag::builder().key("ManagedBy").value("pulumi").build())
        .send()
        .await
        .unwrap();

    let outcome = injector.revert(&cx, &target, &snapshot).await.unwrap();
    let tags = inject::target::tags_of(&aws, driftdrill::inject::ec2::SECURITY_GROUP, &target.id)
        .await
        .unwrap();
    // Put the resource back as the test found it.
    aws.ec2()
        .create_tags()
        .resources(&target.id)
        .tags(Tag::builder().key("ManagedBy").value("terraform").build())
        .send()
        .await
        .unwrap();

    assert_eq!(outcome.kind, RevertKind::ConflictLeftAlone, "{outcome:?}");
    assert_eq!(
        tags.get("ManagedBy").map(String::as_str),
        Some("pulumi"),
        "their edit was overwritten"
    );
}

#[tokio::test]
async fn a_production_target_is_refused_and_nothing_changes() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    aws.ec2()
        .create_tags()
        .resources(&target.id)
        .tags(Tag::builder().key("Environment").value("prod").build())
        .send()
        .await
        .unwrap();
    let before = resources::full_state(&aws, &target).await;
    let spec = TargetSpec {
        kind: driftdrill::inject::ec2::SECURITY_GROUP,
        selector: Selector::Id(target.id.clone()),
    };
    let err = guard::prepare(&aws, &spec, &safety(&["000000000000"], &["us-east-1"]))
        .await
        .unwrap_err();
    assert!(matches!(err, InjectError::Refused { .. }), "{err:?}");
    assert!(err.to_string().contains("Environment=prod"), "{err}");
    assert_eq!(resources::full_state(&aws, &target).await, before);
}

#[tokio::test]
async fn an_account_or_region_off_the_allow_list_is_refused() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let before = resources::full_state(&aws, &target).await;
    let spec = TargetSpec {
        kind: driftdrill::inject::ec2::SECURITY_GROUP,
        selector: Selector::Id(target.id.clone()),
    };

    let err = guard::prepare(&aws, &spec, &safety(&["123456789012"], &["us-east-1"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("allowed_accounts"), "{err}");
    let err = guard::prepare(&aws, &spec, &safety(&["000000000000"], &["eu-west-1"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("allowed_regions"), "{err}");
    // A target missing the required tag is refused too.
    let untagged = TargetSpec {
        kind: driftdrill::inject::ec2::VPC,
        selector: Selector::Id(resources::vpc(&aws).await),
    };
    aws.ec2()
        .delete_tags()
        .resources(untagged_id(&untagged))
        .tags(Tag::builder().key("Environment").build())
        .send()
        .await
        .unwrap();
    let err = guard::prepare(&aws, &untagged, &safety(&["000000000000"], &["us-east-1"]))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("lacks the required tag Environment"),
        "{err}"
    );

    assert_eq!(resources::full_state(&aws, &target).await, before);
    // And a target that passes every rule is accepted.
    assert!(
        guard::prepare(&aws, &spec, &safety(&["000000000000"], &["us-east-1"]))
            .await
            .is_ok()
    );
}

fn untagged_id(spec: &TargetSpec) -> String {
    match &spec.selector {
        Selector::Id(id) => id.clone(),
        _ => unreachable!(),
    }
}

/// AWS clients whose EC2 calls pass through a fault layer in front of LocalStack. SDK-level
/// retries are off so the runner's own retry is what gets exercised.
fn with_faults(
    aws: &driftdrill::aws::AwsClients,
    rules: &[&aws_smithy_mocks::Rule],
) -> driftdrill::aws::AwsClients {
    let mut layer = MockResponseInterceptor::new()
        .rule_mode(RuleMode::MatchAny)
        .allow_passthrough();
    for rule in rules {
        layer = layer.with_rule(rule);
    }
    aws.with_ec2(aws_sdk_ec2::Client::from_conf(
        aws_sdk_ec2::config::Builder::from(&aws.config)
            .interceptor(layer)
            .retry_config(aws_sdk_ec2::config::retry::RetryConfig::standard().with_max_attempts(1))
            .build(),
    ))
}

fn throttled_describe(times: Option<usize>) -> aws_smithy_mocks::Rule {
    let seq = mock!(aws_sdk_ec2::Client::describe_security_groups)
        .sequence()
        .error(|| {
            aws_sdk_ec2::operation::describe_security_groups::DescribeSecurityGroupsError::generic(
                aws_sdk_ec2::error::ErrorMetadata::builder()
                    .code("RequestLimitExceeded")
                    .message("Request limit exceeded.")
                    .build(),
            )
        });
    match times {
        Some(n) => seq.times(n).build(),
        None => seq.repeatedly().build(),
    }
}

async fn opened(
    aws: &driftdrill::aws::AwsClients,
    port: u16,
) -> (
    inject::Target,
    Box<dyn inject::Injector>,
    serde_json::Value,
    Vec<String>,
) {
    let target = resources::security_group(aws).await;
    let before = resources::full_state(aws, &target).await;
    let injector = (inject::find("ec2.sg.open_ingress").unwrap().build)(&fixture::action_params(
        "ec2.sg.open_ingress",
        &format!("protocol = \"tcp\"\nport = {port}\ncidr = \"0.0.0.0/0\"\n"),
    ))
    .unwrap();
    let cx = InjectCx {
        aws,
        mark: "driftdrill:test:faults",
    };
    let snapshot = injector.snapshot(&cx, &target).await.unwrap();
    injector.inject(&cx, &target, &snapshot).await.unwrap();
    (target, injector, snapshot, before)
}

const FAST: Budget = Budget {
    attempts: 6,
    first_delay: Duration::from_millis(20),
    max_delay: Duration::from_millis(100),
};

#[tokio::test]
async fn throttled_reverts_are_retried_until_they_succeed() {
    let aws = fixture::clients().await;
    let (target, injector, snapshot, before) = opened(&aws, 22).await;
    let throttle = throttled_describe(Some(3));
    let flaky = with_faults(&aws, &[&throttle]);
    let cx = InjectCx {
        aws: &flaky,
        mark: "driftdrill:test:faults",
    };
    let retried = retry::retry(FAST, || injector.revert(&cx, &target, &snapshot)).await;

    let outcome = retried
        .result
        .expect("revert succeeds once throttling stops");
    assert_eq!(outcome.kind, RevertKind::Restored);
    assert_eq!(
        retried.attempts, 4,
        "three throttled attempts, then success"
    );
    assert_eq!(throttle.num_calls(), 3);
    assert_eq!(resources::full_state(&aws, &target).await, before);
}

#[tokio::test]
async fn a_revert_that_stays_throttled_is_reported_not_dropped() {
    let aws = fixture::clients().await;
    let (target, injector, snapshot, before) = opened(&aws, 2222).await;
    let throttle = throttled_describe(None);
    let flaky = with_faults(&aws, &[&throttle]);
    let flaky_cx = InjectCx {
        aws: &flaky,
        mark: "driftdrill:test:faults",
    };
    let budget = Budget {
        attempts: 3,
        ..FAST
    };
    let retried = retry::retry(budget, || injector.revert(&flaky_cx, &target, &snapshot)).await;
    let err = retried
        .result
        .expect_err("the revert cannot succeed while throttled");

    // Leave nothing behind: revert for real.
    let cx = InjectCx {
        aws: &aws,
        mark: "driftdrill:test:faults",
    };
    let cleanup = injector.revert(&cx, &target, &snapshot).await.unwrap();
    assert_eq!(cleanup.kind, RevertKind::Restored);
    assert_eq!(resources::full_state(&aws, &target).await, before);

    assert_eq!(retried.attempts, 3);
    assert_eq!(err.code(), Some("RequestLimitExceeded"));
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_revert_whose_response_was_lost_is_found_done_on_retry() {
    let aws = fixture::clients().await;
    let (target, injector, snapshot, before) = opened(&aws, 2223).await;
    // The revoke reaches LocalStack and is applied, but the client sees a throttling error.
    let lost = mock!(aws_sdk_ec2::Client::revoke_security_group_ingress)
        .sequence()
        .error(|| {
            aws_sdk_ec2::operation::revoke_security_group_ingress::RevokeSecurityGroupIngressError::generic(
                aws_sdk_ec2::error::ErrorMetadata::builder().code("RequestLimitExceeded").build(),
            )
        })
        .times(1)
        .build();
    let flaky = with_faults(&aws, &[&lost]);
    let cx = InjectCx {
        aws: &flaky,
        mark: "driftdrill:test:faults",
    };
    let retried = retry::retry(FAST, || injector.revert(&cx, &target, &snapshot)).await;
    let outcome = retried
        .result
        .expect("the retry sees the revert already applied");
    assert_eq!(retried.attempts, 2);
    assert_eq!(outcome.kind, RevertKind::AlreadyReverted);
    assert_eq!(
        injector
            .verify_reverted(&cx, &target, &snapshot)
            .await
            .unwrap(),
        Check::Matches
    );
    assert_eq!(resources::full_state(&aws, &target).await, before);
}

#[tokio::test]
async fn a_tag_selector_finds_the_live_group_not_a_deleted_one_whose_tags_linger() {
    let aws = fixture::clients().await;
    let label = fixture::unique("live");
    let tag = || Tag::builder().key("drill:target").value(&label).build();
    // A group that is deleted: LocalStack keeps its tags, as AWS may for a while.
    let gone = resources::security_group(&aws).await;
    aws.ec2()
        .create_tags()
        .resources(&gone.id)
        .tags(tag())
        .send()
        .await
        .unwrap();
    aws.ec2()
        .delete_security_group()
        .group_id(&gone.id)
        .send()
        .await
        .unwrap();
    let live = resources::security_group(&aws).await;
    aws.ec2()
        .create_tags()
        .resources(&live.id)
        .tags(tag())
        .send()
        .await
        .unwrap();
    let spec = TargetSpec {
        kind: driftdrill::inject::ec2::SECURITY_GROUP,
        selector: Selector::Tags([("drill:target".to_string(), label.clone())].into()),
    };
    let found = driftdrill::inject::target::resolve(&aws, &spec)
        .await
        .expect("exactly one live group");
    assert_eq!(found.id, live.id);
}
