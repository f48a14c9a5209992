//! How log groups are found: by name (or the name inside a log group ARN) or by tags (every
//! group's tags read). A group deleted and created again under its name is told apart by its
//! creation time.

use std::collections::BTreeMap;

use aws_sdk_cloudwatchlogs::types::LogGroup;

use crate::aws::AwsClients;
use crate::inject::errors;
use crate::inject::service::{Resolver, Tagged};
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) struct Logs;

/// The log group called exactly `name`, or `None` when there is none.
pub(super) async fn group(aws: &AwsClients, name: &str) -> Result<Option<LogGroup>, InjectError> {
    let mut token = None;
    loop {
        let out = aws
            .logs()
            .describe_log_groups()
            .log_group_name_prefix(name)
            .set_next_token(token)
            .send()
            .await
            .map_err(errors::aws("DescribeLogGroups", name))?;
        if let Some(g) = out
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name))
        {
            return Ok(Some(g.clone()));
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(None),
        }
    }
}

/// A group's ARN without the `:*` DescribeLogGroups appends (the form tagging APIs take).
fn tagging_arn(g: &LogGroup) -> Option<String> {
    g.log_group_arn()
        .map(String::from)
        .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_string()))
}

/// A group's tags.
async fn tags(aws: &AwsClients, g: &LogGroup) -> Result<BTreeMap<String, String>, InjectError> {
    let Some(arn) = tagging_arn(g) else {
        return Ok(BTreeMap::new());
    };
    let out = aws
        .logs()
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .map_err(errors::aws("ListTagsForResource", &arn))?;
    Ok(out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}

/// The group name a log group ARN (`arn:aws:logs:<region>:<account>:log-group:<name>[:*]`)
/// names; a name stays as given.
fn name_in(given: &str) -> &str {
    match given.strip_prefix("arn:") {
        Some(_) => given
            .split_once(":log-group:")
            .map_or(given, |(_, name)| name.trim_end_matches(":*")),
        None => given,
    }
}

#[async_trait::async_trait]
impl Resolver for Logs {
    async fn normalise(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        given: &str,
    ) -> Result<Option<String>, InjectError> {
        let name = name_in(given);
        Ok(group(aws, name).await?.map(|_| name.to_string()))
    }

    async fn tagged(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        wanted: &BTreeMap<String, String>,
    ) -> Result<Tagged, InjectError> {
        let mut names = Vec::new();
        let mut token = None;
        loop {
            let out = aws
                .logs()
                .describe_log_groups()
                .set_next_token(token)
                .send()
                .await
                .map_err(errors::aws("DescribeLogGroups", "log groups"))?;
            for g in out.log_groups() {
                let Some(name) = g.log_group_name() else {
                    continue;
                };
                let all = tags(aws, g).await?;
                if crate::vocab::target::carries(&all, wanted) {
                    names.push((name.to_string(), all));
                }
            }
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        names.sort();
        Ok(names)
    }

    async fn existing_tags(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError> {
        match group(aws, id).await? {
            Some(g) => Ok(Some(tags(aws, &g).await?)),
            None => Ok(None),
        }
    }

    async fn identity(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        id: &str,
    ) -> Result<Option<String>, InjectError> {
        Ok(group(aws, id)
            .await?
            .map(|g| format!("created {}", g.creation_time().unwrap_or_default())))
    }

    fn replaced(&self, target: &Target, now: &str, recorded: &str) -> String {
        format!(
            "log group {} is now {now}; the drilled group was {recorded}",
            target.id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::name_in;

    #[test]
    fn a_log_group_arn_names_its_group_and_a_name_stays_a_name() {
        let arn = "arn:aws:logs:us-east-1:000000000000:log-group:/app/orders";
        assert_eq!(name_in(arn), "/app/orders");
        assert_eq!(name_in(&format!("{arn}:*")), "/app/orders");
        assert_eq!(name_in("/app/orders"), "/app/orders");
    }
}
