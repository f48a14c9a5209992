//! How S3's buckets are found: by name or by tags (every bucket's tags
//! read), recognised by its creation date, since a bucket name can be taken again.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::aws::AwsClients;
use crate::inject::errors;
use crate::inject::service::Resolver;
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) struct S3;

/// A bucket's tags (none is an empty set).
async fn tags(aws: &AwsClients, name: &str) -> Result<BTreeMap<String, String>, InjectError> {
    match aws.s3.get_bucket_tagging().bucket(name).send().await {
        Ok(out) => Ok(out
            .tag_set()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()),
        Err(e) if crate::aws::code_of(&e) == Some("NoSuchTagSet") => Ok(BTreeMap::new()),
        Err(e) => Err(errors::aws("GetBucketTagging", name)(e)),
    }
}

/// A bucket's creation date from `ListBuckets`, or `None` if it is not listed.
async fn created(aws: &AwsClients, name: &str) -> Result<Option<DateTime<Utc>>, InjectError> {
    let mut token = None;
    loop {
        let out = aws
            .s3
            .list_buckets()
            .set_continuation_token(token)
            .send()
            .await
            .map_err(errors::aws("ListBuckets", name))?;
        if let Some(b) = out.buckets().iter().find(|b| b.name() == Some(name)) {
            return Ok(b
                .creation_date()
                .and_then(|d| DateTime::from_timestamp(d.secs(), d.subsec_nanos())));
        }
        match out.continuation_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(None),
        }
    }
}

#[async_trait::async_trait]
impl Resolver for S3 {
    async fn tagged(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        wanted: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, InjectError> {
        let out = aws
            .s3
            .list_buckets()
            .send()
            .await
            .map_err(errors::aws("ListBuckets", "buckets"))?;
        let mut ids = Vec::new();
        for name in out.buckets().iter().filter_map(|b| b.name()) {
            let all = tags(aws, name).await?;
            if wanted.iter().all(|(k, v)| all.get(k) == Some(v)) {
                ids.push(name.to_string());
            }
        }
        ids.sort();
        Ok(ids)
    }

    async fn existing_tags(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError> {
        match aws.s3.head_bucket().bucket(id).send().await {
            Ok(_) => tags(aws, id).await.map(Some),
            Err(e)
                if e.as_service_error().is_some_and(|s| s.is_not_found())
                    || crate::aws::code_of(&e).is_some_and(|c| {
                        c.contains("NotFound") || c == "NoSuchBucket" || c == "404"
                    }) =>
            {
                Ok(None)
            }
            Err(e) => Err(errors::aws("HeadBucket", id)(e)),
        }
    }

    async fn identity(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        id: &str,
    ) -> Result<Option<String>, InjectError> {
        Ok(created(aws, id).await?.map(|d| d.to_rfc3339()))
    }

    fn replaced(&self, target: &Target, now: &str, recorded: &str) -> String {
        format!(
            "bucket {} was created {now}; the drilled bucket was created {recorded}",
            target.id
        )
    }
}
