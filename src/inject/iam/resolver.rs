//! How IAM's roles, users and customer-managed policies are found: by
//! name, ARN or tags, their tags (for the guardrails), and the unique id IAM gave them, which a
//! deleted and re-created role, user or policy does not keep. A role or user target's id is its
//! name; a policy's is its ARN (what the IAM API takes). IAM is global: the region allow-list
//! does not apply.

use std::collections::BTreeMap;

use super::shared::resource::missing;
use super::{POLICY, ROLE, USER};
use crate::aws::AwsClients;
use crate::inject::errors;
use crate::inject::service::{Resolver, Tagged};
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) fn lookup_actions(kind: TargetType) -> &'static [&'static str] {
    match kind {
        ROLE => &["iam:GetRole", "iam:ListRoles", "iam:ListRoleTags"],
        USER => &["iam:GetUser", "iam:ListUsers", "iam:ListUserTags"],
        _ => &["iam:GetPolicy", "iam:ListPolicies", "iam:ListPolicyTags"],
    }
}

pub(super) struct Iam;

#[async_trait::async_trait]
impl Resolver for Iam {
    async fn normalise(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        given: &str,
    ) -> Result<Option<String>, InjectError> {
        normalise(aws, kind, given).await
    }

    async fn tagged(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        tags: &BTreeMap<String, String>,
    ) -> Result<Tagged, InjectError> {
        tagged(aws, kind, tags).await
    }

    async fn existing_tags(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError> {
        existing_tags(aws, kind, id).await
    }

    async fn identity(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        id: &str,
    ) -> Result<Option<String>, InjectError> {
        unique_id(aws, kind, id).await
    }

    fn replaced(&self, target: &Target, now: &str, recorded: &str) -> String {
        format!(
            "{target} now has the unique id {now}; the drilled one had {recorded} (deleted and re-created)"
        )
    }
}

/// The target id for a `name` or `id` (ARN) selector: a role or user name, or a policy ARN.
/// `None` when no such policy exists.
async fn normalise(
    aws: &AwsClients,
    kind: TargetType,
    given: &str,
) -> Result<Option<String>, InjectError> {
    match kind {
        POLICY if given.starts_with("arn:") => Ok(Some(given.to_string())),
        POLICY => Ok(local_policies(aws)
            .await?
            .into_iter()
            .find(|(name, _)| name == given)
            .map(|(_, arn)| arn)),
        _ => Ok(Some(
            given
                .strip_prefix("arn:")
                .and_then(|rest| rest.rsplit('/').next())
                .unwrap_or(given)
                .to_string(),
        )),
    }
}

/// (name, ARN) of every customer-managed policy.
async fn local_policies(aws: &AwsClients) -> Result<Vec<(String, String)>, InjectError> {
    let policies = aws
        .iam()
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(errors::aws("ListPolicies", "customer-managed policies"))?;
    Ok(policies
        .iter()
        .filter_map(|p| Some((p.policy_name()?.to_string(), p.arn()?.to_string())))
        .collect())
}

fn tag_map<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> BTreeMap<String, String> {
    tags.map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The tags of the role, user or policy, or `None` if it does not exist.
async fn existing_tags(
    aws: &AwsClients,
    kind: TargetType,
    id: &str,
) -> Result<Option<BTreeMap<String, String>>, InjectError> {
    macro_rules! tags {
        ($call:expr, $op:literal) => {
            match $call.into_paginator().items().send().try_collect().await {
                Ok(tags) => Ok(Some(tag_map(tags.iter().map(|t| (t.key(), t.value()))))),
                Err(e) if missing(crate::aws::code_of(&e)) => Ok(None),
                Err(e) => Err(errors::aws($op, id)(e)),
            }
        };
    }
    match kind {
        ROLE => tags!(aws.iam().list_role_tags().role_name(id), "ListRoleTags"),
        USER => tags!(aws.iam().list_user_tags().user_name(id), "ListUserTags"),
        POLICY => tags!(
            aws.iam().list_policy_tags().policy_arn(id),
            "ListPolicyTags"
        ),
        other => unreachable!("{other} is not an IAM type"),
    }
}

/// The id IAM gave the role, user or policy when it was created (`AROA...`, `AIDA...`,
/// `ANPA...`), or `None` if it does not exist.
async fn unique_id(
    aws: &AwsClients,
    kind: TargetType,
    id: &str,
) -> Result<Option<String>, InjectError> {
    macro_rules! read {
        ($call:expr, $op:literal, |$out:ident| $unique:expr) => {
            match $call.send().await {
                Ok($out) => Ok($unique),
                Err(e) if missing(crate::aws::code_of(&e)) => Ok(None),
                Err(e) => Err(errors::aws($op, id)(e)),
            }
        };
    }
    match kind {
        ROLE => read!(aws.iam().get_role().role_name(id), "GetRole", |out| out
            .role()
            .map(|r| r.role_id().to_string())),
        USER => read!(aws.iam().get_user().user_name(id), "GetUser", |out| out
            .user()
            .map(|u| u.user_id().to_string())),
        POLICY => {
            read!(aws.iam().get_policy().policy_arn(id), "GetPolicy", |out| {
                out.policy().and_then(|p| p.policy_id()).map(String::from)
            })
        }
        other => unreachable!("{other} is not an IAM type"),
    }
}

/// Ids (names, or ARNs for policies) of every role, user or customer-managed policy whose tags
/// include all of `tags`, sorted, with their tags.
async fn tagged(
    aws: &AwsClients,
    kind: TargetType,
    tags: &BTreeMap<String, String>,
) -> Result<Tagged, InjectError> {
    let candidates: Vec<String> = match kind {
        ROLE => aws
            .iam()
            .list_roles()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(errors::aws("ListRoles", "roles"))?
            .iter()
            .map(|r| r.role_name().to_string())
            .collect(),
        USER => aws
            .iam()
            .list_users()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(errors::aws("ListUsers", "users"))?
            .iter()
            .map(|u| u.user_name().to_string())
            .collect(),
        POLICY => local_policies(aws)
            .await?
            .into_iter()
            .map(|p| p.1)
            .collect(),
        other => unreachable!("{other} is not an IAM type"),
    };
    let mut ids = Vec::new();
    for id in candidates {
        let Some(all) = existing_tags(aws, kind, &id).await? else {
            continue; // deleted while listing
        };
        if crate::vocab::target::carries(&all, tags) {
            ids.push((id, all));
        }
    }
    ids.sort();
    Ok(ids)
}
