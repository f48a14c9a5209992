//! How SNS topics are found: by ARN, by name (the topic whose ARN ends with it) or by tags
//! (every topic's tags read). A topic's ARN is made of its name, so the ARN is its identity.

use std::collections::BTreeMap;

use crate::aws::AwsClients;
use crate::inject::errors;
use crate::inject::service::{Resolver, Tagged};
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) struct Sns;

/// Every topic ARN in the account and region.
async fn topics(aws: &AwsClients) -> Result<Vec<String>, InjectError> {
    let mut arns = Vec::new();
    let mut token = None;
    loop {
        let out = aws
            .sns()
            .list_topics()
            .set_next_token(token)
            .send()
            .await
            .map_err(errors::aws("ListTopics", "topics"))?;
        arns.extend(
            out.topics()
                .iter()
                .filter_map(|t| t.topic_arn().map(String::from)),
        );
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(arns),
        }
    }
}

/// Whether an SNS error says the topic does not exist.
fn missing<E: aws_sdk_sns::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_sns::error::SdkError<E, R>,
) -> bool {
    crate::aws::code_of(e).is_some_and(|c| c.contains("NotFound"))
}

/// A topic's tags, or `None` when the topic does not exist.
async fn tags(
    aws: &AwsClients,
    arn: &str,
) -> Result<Option<BTreeMap<String, String>>, InjectError> {
    match aws
        .sns()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
    {
        Ok(out) => Ok(Some(
            out.tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect(),
        )),
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(errors::aws("ListTagsForResource", arn)(e)),
    }
}

/// Whether `arn` is the ARN of the topic called `name`.
fn named(arn: &str, name: &str) -> bool {
    arn.rsplit_once(':').is_some_and(|(_, n)| n == name)
}

#[async_trait::async_trait]
impl Resolver for Sns {
    /// An ARN stays as given (when the topic exists); a name becomes its topic's ARN.
    async fn normalise(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        given: &str,
    ) -> Result<Option<String>, InjectError> {
        if given.starts_with("arn:") {
            return Ok(tags(aws, given).await?.map(|_| given.to_string()));
        }
        Ok(topics(aws).await?.into_iter().find(|a| named(a, given)))
    }

    async fn tagged(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        wanted: &BTreeMap<String, String>,
    ) -> Result<Tagged, InjectError> {
        let mut arns = Vec::new();
        for arn in topics(aws).await? {
            let all = tags(aws, &arn).await?.unwrap_or_default();
            if crate::vocab::target::carries(&all, wanted) {
                arns.push((arn, all));
            }
        }
        arns.sort();
        Ok(arns)
    }

    async fn existing_tags(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError> {
        tags(aws, id).await
    }

    fn replaced(&self, target: &Target, now: &str, recorded: &str) -> String {
        format!(
            "topic {} is now {now}; the drilled topic was {recorded}",
            target.id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::named;

    #[test]
    fn a_topic_is_named_by_the_last_part_of_its_arn() {
        let arn = "arn:aws:sns:us-east-1:000000000000:ops-pager";
        assert!(named(arn, "ops-pager"));
        assert!(!named(arn, "pager"));
        assert!(!named(arn, "000000000000:ops-pager"));
    }
}
