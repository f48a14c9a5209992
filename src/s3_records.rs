//! Run records where an organisation keeps them: `s3://bucket/prefix/` as a place `run --out`
//! uploads to (never overwriting an object) and `report` reads from. The journal never goes
//! here: it stays local and fsynced.

use aws_sdk_s3::primitives::ByteStream;

use crate::aws::AwsClients;

/// `s3://bucket/prefix/`: the prefix is a folder (a missing trailing slash is added).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    pub prefix: String,
}

impl S3Url {
    /// `Some` for an `s3://` URL with a bucket, `None` for anything else (a local path).
    pub fn parse(text: &str) -> Option<S3Url> {
        let rest = text.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return None;
        }
        let prefix = match prefix {
            "" => String::new(),
            p if p.ends_with('/') => p.to_string(),
            p => format!("{p}/"),
        };
        Some(S3Url {
            bucket: bucket.to_string(),
            prefix,
        })
    }

    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

impl std::fmt::Display for S3Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum S3RecordsError {
    #[error("upload {url}{name}: {message}")]
    Upload {
        url: String,
        name: String,
        message: String,
    },
    #[error("upload {url}{name}: an object of that name is already there (left untouched)")]
    Exists { url: String, name: String },
    #[error("list {url}: {message}")]
    List { url: String, message: String },
    #[error("read {url}{key}: {message}")]
    Read {
        url: String,
        key: String,
        message: String,
    },
}

fn message<E: std::error::Error + 'static>(e: &aws_sdk_s3::error::SdkError<E>) -> String {
    crate::errors::chain(e)
}

/// Uploads one record as `<prefix><name>`, only if no object has that name: records are
/// written once, and nothing driftdrill did not write is ever replaced.
pub async fn upload(
    aws: &AwsClients,
    url: &S3Url,
    name: &str,
    body: Vec<u8>,
) -> Result<(), S3RecordsError> {
    let sent = aws
        .s3()
        .put_object()
        .bucket(&url.bucket)
        .key(url.key(name))
        .content_type("application/json")
        .if_none_match("*")
        .body(ByteStream::from(body))
        .send()
        .await;
    match sent {
        Ok(_) => Ok(()),
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 412) => {
            Err(S3RecordsError::Exists {
                url: url.to_string(),
                name: name.to_string(),
            })
        }
        Err(e) => Err(S3RecordsError::Upload {
            url: url.to_string(),
            name: name.to_string(),
            message: message(&e),
        }),
    }
}

/// Every `.json` object under the prefix (all pages), as (key, text), sorted by key.
pub async fn download_all(
    aws: &AwsClients,
    url: &S3Url,
) -> Result<Vec<(String, String)>, S3RecordsError> {
    let mut keys = Vec::new();
    let mut pages = aws
        .s3()
        .list_objects_v2()
        .bucket(&url.bucket)
        .prefix(&url.prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| S3RecordsError::List {
            url: url.to_string(),
            message: message(&e),
        })?;
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key())
                .filter(|k| k.ends_with(".json"))
                .map(String::from),
        );
    }
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        let read = |message: String| S3RecordsError::Read {
            url: url.to_string(),
            key: key.clone(),
            message,
        };
        let object = aws
            .s3()
            .get_object()
            .bucket(&url.bucket)
            .key(&key)
            .send()
            .await
            .map_err(|e| read(message(&e)))?;
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| read(e.to_string()))?
            .into_bytes();
        let text = String::from_utf8(bytes.to_vec()).map_err(|e| read(e.to_string()))?;
        out.push((key, text));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::S3Url;

    #[test]
    fn s3_urls_name_a_bucket_and_a_folder() {
        assert_eq!(
            S3Url::parse("s3://drills/runs"),
            Some(S3Url {
                bucket: "drills".into(),
                prefix: "runs/".into()
            })
        );
        assert_eq!(
            S3Url::parse("s3://drills/org/runs/").unwrap().key("r.json"),
            "org/runs/r.json"
        );
        assert_eq!(S3Url::parse("s3://drills").unwrap().prefix, "");
        assert_eq!(S3Url::parse("s3:///runs"), None);
        assert_eq!(S3Url::parse("reports/runs"), None);
    }
}
