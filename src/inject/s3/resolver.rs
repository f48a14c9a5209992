//! How S3's buckets are found: by name or by tags (every bucket's tags
//! read), recognised by its creation date, since a bucket name can be taken again. Drills
//! looking buckets up at the same time share one scan of every bucket's tags, and one
//! `ListBuckets` for their creation dates (see [`crate::batch`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::aws::AwsClients;
use crate::batch::{self, Read};
use crate::inject::errors;
use crate::inject::service::{Resolver, Tagged};
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;
use crate::vocab::target::carries;

pub(super) struct S3;

/// A bucket's tags (none is an empty set).
async fn tags(
    s3: &aws_sdk_s3::Client,
    name: &str,
) -> Result<BTreeMap<String, String>, InjectError> {
    match s3.get_bucket_tagging().bucket(name).send().await {
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
    let s3 = aws.s3().clone();
    let fetch = move || {
        batch::fetch(move |names: Vec<String>| {
            let s3 = s3.clone();
            async move {
                let all = every_bucket(&s3).await.map_err(drop)?;
                Ok(names
                    .into_iter()
                    .map(|n| (n.clone(), all.get(&n).copied().flatten()))
                    .collect())
            }
        })
    };
    let _reading = match aws.batcher("s3:ListBuckets", fetch).read(name).await {
        Read::Found(date) => return Ok(date),
        Read::Alone(reading) => reading,
    };
    let all = every_bucket(aws.s3()).await;
    Ok(all
        .map_err(errors::aws("ListBuckets", name))?
        .get(name)
        .copied()
        .flatten())
}

/// Every bucket's name and creation date, every page read.
async fn every_bucket(
    s3: &aws_sdk_s3::Client,
) -> Result<BTreeMap<String, Option<DateTime<Utc>>>, ListBucketsError> {
    let (mut all, mut token) = (BTreeMap::new(), None);
    loop {
        let out = s3
            .list_buckets()
            .set_continuation_token(token)
            .send()
            .await?;
        for b in out.buckets() {
            let date = b.creation_date();
            let date = date.and_then(|d| DateTime::from_timestamp(d.secs(), d.subsec_nanos()));
            all.insert(b.name().unwrap_or_default().to_string(), date);
        }
        match out.continuation_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(all),
        }
    }
}

type ListBucketsError = aws_sdk_s3::error::SdkError<
    aws_sdk_s3::operation::list_buckets::ListBucketsError,
    aws_sdk_s3::config::http::HttpResponse,
>;

/// The buckets whose tags include every one `wanted` names: one scan (every bucket's tags)
/// serves every drill asking meanwhile, each answered with what its own scan would find.
async fn tagged(
    aws: &AwsClients,
    wanted: &BTreeMap<String, String>,
) -> Result<Tagged, InjectError> {
    let s3 = aws.s3().clone();
    let fetch = move || {
        batch::fetch(move |asked: Vec<String>| {
            let s3 = s3.clone();
            async move {
                let every = scan(&s3).await.map_err(drop)?;
                let answer = |key: &String| {
                    let wanted: BTreeMap<String, String> = serde_json::from_str(key).ok()?;
                    let all = every.iter().filter(|(_, tags)| carries(tags, &wanted));
                    Some(all.cloned().collect::<Tagged>())
                };
                Ok(asked
                    .iter()
                    .filter_map(|k| Some((k.clone(), answer(k)?)))
                    .collect())
            }
        })
    };
    let key = serde_json::to_string(wanted).expect("tags serialise");
    let _reading = match aws.batcher("s3:tag-scan", fetch).read(&key).await {
        Read::Found(names) => return Ok(names),
        Read::Alone(reading) => reading,
    };
    let every = scan(aws.s3()).await?;
    Ok(every
        .into_iter()
        .filter(|(_, tags)| carries(tags, wanted))
        .collect())
}

/// Every listed bucket with its tags, by name.
async fn scan(
    s3: &aws_sdk_s3::Client,
) -> Result<Vec<(String, BTreeMap<String, String>)>, InjectError> {
    let out = s3
        .list_buckets()
        .send()
        .await
        .map_err(errors::aws("ListBuckets", "buckets"))?;
    let mut every = Vec::new();
    for name in out.buckets().iter().filter_map(|b| b.name()) {
        every.push((name.to_string(), tags(s3, name).await?));
    }
    every.sort();
    Ok(every)
}

#[async_trait::async_trait]
impl Resolver for S3 {
    async fn tagged(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        wanted: &BTreeMap<String, String>,
    ) -> Result<Tagged, InjectError> {
        tagged(aws, wanted).await
    }

    async fn existing_tags(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError> {
        match aws.s3().head_bucket().bucket(id).send().await {
            Ok(_) => tags(aws.s3(), id).await.map(Some),
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
