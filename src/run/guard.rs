//! The guardrails every injection passes, enforced by the runner so no scenario can skip them:
//! the caller's account and region must be allow-listed (the config's safety section), and the
//! target must carry the required tags and none of the forbidden ones; an account-wide setting,
//! which has no tags, only where the config opts in.

use crate::aws::AwsClients;
use crate::formats::config::Safety;
use crate::inject::{InjectError, Target};
use crate::vocab::Naming;

/// Checks the caller identity (STS) and region against the allow-lists; returns the account id.
/// `regional` is false when only global resources (IAM) are drilled: the region allow-list
/// does not apply to them, the account allow-list always does.
pub(crate) async fn check_account_and_region(
    aws: &AwsClients,
    safety: &Safety,
    regional: bool,
) -> Result<String, InjectError> {
    let region = aws.region().unwrap_or("").to_string();
    if regional && !safety.allowed_regions.iter().any(|r| r == &region) {
        return Err(InjectError::Refused {
            resource: format!("anything in region {region:?}"),
            rule: format!("safety.allowed_regions is {:?}", safety.allowed_regions),
        });
    }
    let account = aws
        .caller_account()
        .await
        .map_err(crate::inject::errors::aws(
            "GetCallerIdentity",
            "the caller",
        ))?;
    if !safety.allowed_accounts.iter().any(|a| a == &account) {
        return Err(InjectError::Refused {
            resource: format!("anything in account {account:?}"),
            rule: format!("safety.allowed_accounts is {:?}", safety.allowed_accounts),
        });
    }
    Ok(account)
}

/// Checks the target's tags: every required tag present with an allowed value, no forbidden value.
pub(crate) fn check_tags(target: &Target, safety: &Safety) -> Result<(), InjectError> {
    let refuse = |rule: String| {
        Err(InjectError::Refused {
            resource: target.to_string(),
            rule,
        })
    };
    for (key, values) in safety.forbidden_tags() {
        for (tag, value) in &target.tags {
            if tag.eq_ignore_ascii_case(&key)
                && values.iter().any(|v| v.eq_ignore_ascii_case(value))
            {
                return refuse(format!(
                    "it is tagged {tag}={value}, a forbidden (production) value"
                ));
            }
        }
    }
    for (key, allowed) in &safety.required_tags {
        match target.tags.get(key) {
            None => {
                return refuse(format!(
                    "it lacks the required tag {key} (one of {allowed:?})"
                ));
            }
            Some(v) if !allowed.iter().any(|a| a == v) => {
                return refuse(format!(
                    "its tag {key}={v} is not one of the allowed values {allowed:?}"
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// An account-wide setting has no tags to check: drills on one run only where the config opts in.
fn check_setting_allowed(
    spec: &crate::vocab::TargetSpec,
    safety: &Safety,
) -> Result<(), InjectError> {
    if safety.account_settings {
        return Ok(());
    }
    let scope = crate::inject::kind_of(spec.kind).setting_scope();
    Err(InjectError::Refused {
        resource: spec.to_string(),
        rule: format!(
            "it changes {scope}, not one tagged resource, so the tag guardrails cannot vouch \
             for it; set `account_settings = true` in [safety] to allow drills on account settings"
        ),
    })
}

/// Resolves a scenario's target and applies every guardrail. This is the only way the runner
/// turns a scenario into a [`Target`] it may inject into.
pub async fn prepare(
    aws: &AwsClients,
    spec: &crate::vocab::TargetSpec,
    safety: &Safety,
) -> Result<Target, InjectError> {
    let kind = crate::inject::kind_of(spec.kind);
    check_account_and_region(aws, safety, !kind.global).await?;
    if kind.naming == Naming::Setting {
        check_setting_allowed(spec, safety)?;
        return crate::inject::target::resolve(aws, spec).await;
    }
    let target = crate::inject::target::resolve(aws, spec).await?;
    check_tags(&target, safety)?;
    Ok(target)
}
