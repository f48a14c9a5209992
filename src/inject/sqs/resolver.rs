//! How SQS queues are found: by name (the URL `GetQueueUrl` answers) or by tags (every queue's
//! tags read), recognised by ARN and creation time, since a queue name can be taken again.

use std::collections::BTreeMap;

use aws_sdk_sqs::types::QueueAttributeName;

use crate::aws::AwsClients;
use crate::inject::errors;
use crate::inject::service::{Resolver, Tagged};
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) struct Sqs;

/// Whether an SQS error says the queue does not exist.
fn missing<E: aws_sdk_sqs::error::ProvideErrorMetadata, R>(
    e: &aws_sdk_sqs::error::SdkError<E, R>,
) -> bool {
    crate::aws::code_of(e)
        .is_some_and(|c| c.contains("NonExistentQueue") || c.contains("QueueDoesNotExist"))
}

/// A queue's tags, or `None` when the queue does not exist.
async fn tags(
    aws: &AwsClients,
    url: &str,
) -> Result<Option<BTreeMap<String, String>>, InjectError> {
    match aws.sqs().list_queue_tags().queue_url(url).send().await {
        Ok(out) => Ok(Some(
            out.tags()
                .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        )),
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(errors::aws("ListQueueTags", url)(e)),
    }
}

#[async_trait::async_trait]
impl Resolver for Sqs {
    /// A queue URL stays as given (when the queue exists); a name becomes its URL.
    async fn normalise(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        given: &str,
    ) -> Result<Option<String>, InjectError> {
        if given.starts_with("http://") || given.starts_with("https://") {
            return Ok(tags(aws, given).await?.map(|_| given.to_string()));
        }
        match aws.sqs().get_queue_url().queue_name(given).send().await {
            Ok(out) => Ok(out.queue_url().map(String::from)),
            Err(e) if missing(&e) => Ok(None),
            Err(e) => Err(errors::aws("GetQueueUrl", given)(e)),
        }
    }

    async fn tagged(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        wanted: &BTreeMap<String, String>,
    ) -> Result<Tagged, InjectError> {
        let mut urls = Vec::new();
        let mut token = None;
        loop {
            let out = aws
                .sqs()
                .list_queues()
                .set_next_token(token)
                .send()
                .await
                .map_err(errors::aws("ListQueues", "queues"))?;
            for url in out.queue_urls() {
                let all = tags(aws, url).await?.unwrap_or_default();
                if crate::vocab::target::carries(&all, wanted) {
                    urls.push((url.clone(), all));
                }
            }
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        urls.sort();
        Ok(urls)
    }

    async fn existing_tags(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError> {
        tags(aws, id).await
    }

    async fn identity(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        id: &str,
    ) -> Result<Option<String>, InjectError> {
        let out = match aws
            .sqs()
            .get_queue_attributes()
            .queue_url(id)
            .attribute_names(QueueAttributeName::QueueArn)
            .attribute_names(QueueAttributeName::CreatedTimestamp)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if missing(&e) => return Ok(None),
            Err(e) => return Err(errors::aws("GetQueueAttributes", id)(e)),
        };
        let attrs = out.attributes();
        let get =
            |k: QueueAttributeName| attrs.and_then(|a| a.get(&k)).cloned().unwrap_or_default();
        Ok(Some(format!(
            "{} created {}",
            get(QueueAttributeName::QueueArn),
            get(QueueAttributeName::CreatedTimestamp)
        )))
    }

    fn replaced(&self, target: &Target, now: &str, recorded: &str) -> String {
        format!(
            "queue {} is now {now}; the drilled queue was {recorded}",
            target.id
        )
    }
}
