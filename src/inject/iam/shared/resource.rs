//! IAM roles, users and customer-managed policies as drill targets: selection by name, ARN or
//! tags, their tags (for the guardrails), and their unique id, which a deleted and re-created
//! role, user or policy does not keep. A role or user target's id is its name; a policy's is
//! its ARN (what the IAM API takes).

use std::collections::BTreeMap;

use crate::aws::AwsClients;
use crate::inject::InjectError;
use crate::inject::errors;
use crate::vocab::TargetType;

/// A role as GetRole returns it (trust policy, description, maximum session duration), for
/// the actions that read and rewrite parts of it.
pub async fn get_role(
    aws: &AwsClients,
    name: &str,
) -> Result<Option<aws_sdk_iam::types::Role>, InjectError> {
    let out = aws
        .iam
        .get_role()
        .role_name(name)
        .send()
        .await
        .map_err(errors::aws("GetRole", name))?;
    Ok(out.role)
}

/// `NoSuchEntity`: the role, user or policy does not exist.
fn missing(code: Option<&str>) -> bool {
    code == Some("NoSuchEntity")
}

/// The target id for a `name` or `id` (ARN) selector: a role or user name, or a policy ARN.
/// `None` when no such policy exists.
pub async fn normalise(
    aws: &AwsClients,
    kind: TargetType,
    given: &str,
) -> Result<Option<String>, InjectError> {
    match kind {
        TargetType::IamPolicy if given.starts_with("arn:") => Ok(Some(given.to_string())),
        TargetType::IamPolicy => Ok(local_policies(aws)
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
        .iam
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
pub async fn existing_tags(
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
        TargetType::IamRole => tags!(aws.iam.list_role_tags().role_name(id), "ListRoleTags"),
        TargetType::IamUser => tags!(aws.iam.list_user_tags().user_name(id), "ListUserTags"),
        TargetType::IamPolicy => tags!(aws.iam.list_policy_tags().policy_arn(id), "ListPolicyTags"),
        other => unreachable!("{other} is not an IAM resource"),
    }
}

/// The id IAM gave the role, user or policy when it was created (`AROA...`, `AIDA...`,
/// `ANPA...`), or `None` if it does not exist.
pub async fn unique_id(
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
        TargetType::IamRole => read!(aws.iam.get_role().role_name(id), "GetRole", |out| out
            .role()
            .map(|r| r.role_id().to_string())),
        TargetType::IamUser => read!(aws.iam.get_user().user_name(id), "GetUser", |out| out
            .user()
            .map(|u| u.user_id().to_string())),
        TargetType::IamPolicy => {
            read!(aws.iam.get_policy().policy_arn(id), "GetPolicy", |out| out
                .policy()
                .and_then(|p| p.policy_id())
                .map(String::from))
        }
        other => unreachable!("{other} is not an IAM resource"),
    }
}

/// Ids (names, or ARNs for policies) of every role, user or customer-managed policy whose tags
/// include all of `tags`, sorted.
pub async fn tagged(
    aws: &AwsClients,
    kind: TargetType,
    tags: &BTreeMap<String, String>,
) -> Result<Vec<String>, InjectError> {
    let candidates: Vec<String> = match kind {
        TargetType::IamRole => aws
            .iam
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
        TargetType::IamUser => aws
            .iam
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
        TargetType::IamPolicy => local_policies(aws)
            .await?
            .into_iter()
            .map(|p| p.1)
            .collect(),
        other => unreachable!("{other} is not an IAM resource"),
    };
    let mut ids = Vec::new();
    for id in candidates {
        let Some(all) = existing_tags(aws, kind, &id).await? else {
            continue; // deleted while listing
        };
        if tags.iter().all(|(k, v)| all.get(k) == Some(v)) {
            ids.push(id);
        }
    }
    ids.sort();
    Ok(ids)
}
