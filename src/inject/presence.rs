//! Whether a drilled resource still exists as the same resource. `recover` asks before a
//! revert, so a resource that was deleted (or deleted and recreated under the same name) is
//! settled instead of failing every attempt, and a new resource is never "reverted" to an old
//! one's snapshot.

use chrono::{DateTime, Utc};

use super::errors::{self, InjectError};
use super::target::{Target, existing_tags};
use crate::aws::AwsClients;
use crate::vocab::TargetType;

/// What `recover` found where the drill's target was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// The resource is there, as far as can be told the same one.
    Present,
    /// No such resource: no drift can remain on it.
    Gone { evidence: String },
    /// Something exists under the same name but is not provably the drilled resource (a bucket
    /// whose creation date differs from the one recorded before the change). AWS may also move
    /// a bucket's creation date on some changes (its policy), so the caller decides with one
    /// more fact: whether the drill's change is still on it.
    Replaced { evidence: String },
}

/// What identifies the resource beyond its id, read before the change and journaled with it:
/// a bucket's creation date (bucket names can be reused; EC2 ids never are). `None` when the
/// id is identity enough.
pub async fn identity(aws: &AwsClients, target: &Target) -> Result<Option<String>, InjectError> {
    if target.kind.is_iam() {
        return super::iam::shared::resource::unique_id(aws, target.kind, &target.id).await;
    }
    if target.kind != TargetType::Bucket {
        return Ok(None);
    }
    Ok(bucket_created(aws, &target.id)
        .await?
        .map(|d| d.to_rfc3339()))
}

/// Whether `target` is still there, comparing `identity` (from [`identity`]) where one was
/// journaled.
pub async fn check(
    aws: &AwsClients,
    target: &Target,
    identity: Option<&str>,
) -> Result<Presence, InjectError> {
    if target.kind == TargetType::Instance {
        return instance(aws, &target.id).await;
    }
    if existing_tags(aws, target.kind, &target.id).await?.is_none() {
        return Ok(Presence::Gone {
            evidence: format!("{target} does not exist any more"),
        });
    }
    let Some(recorded) = identity else {
        return Ok(Presence::Present);
    };
    if target.kind.is_iam() {
        let now = super::iam::shared::resource::unique_id(aws, target.kind, &target.id).await?;
        return Ok(match now {
            None => Presence::Gone {
                evidence: format!("{target} does not exist any more"),
            },
            Some(id) if id == recorded => Presence::Present,
            Some(id) => Presence::Replaced {
                evidence: format!(
                    "{target} now has the unique id {id}; the drilled one had {recorded} (deleted and re-created)"
                ),
            },
        });
    }
    if target.kind != TargetType::Bucket {
        return Ok(Presence::Present);
    }
    let now = bucket_created(aws, &target.id).await?;
    match now {
        None => Ok(Presence::Gone {
            evidence: format!("bucket {} is not listed any more", target.id),
        }),
        Some(created) if created.to_rfc3339() == recorded => Ok(Presence::Present),
        Some(created) => Ok(Presence::Replaced {
            evidence: format!(
                "bucket {} was created {}; the drilled bucket was created {recorded}",
                target.id,
                created.to_rfc3339()
            ),
        }),
    }
}

async fn instance(aws: &AwsClients, id: &str) -> Result<Presence, InjectError> {
    let out = aws.ec2.describe_instances().instance_ids(id).send().await;
    let out = match out {
        Ok(out) => out,
        Err(e) if crate::aws::code_of(&e).is_some_and(|c| c.contains("NotFound")) => {
            return Ok(Presence::Gone {
                evidence: format!("instance {id} does not exist any more"),
            });
        }
        Err(e) => return Err(errors::aws("DescribeInstances", id)(e)),
    };
    let state = out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .find(|i| i.instance_id() == Some(id))
        .map(|i| {
            i.state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_string())
                .unwrap_or_default()
        });
    Ok(match state.as_deref() {
        None => Presence::Gone {
            evidence: format!("instance {id} does not exist any more"),
        },
        Some(s @ ("terminated" | "shutting-down")) => Presence::Gone {
            evidence: format!("instance {id} is {s}"),
        },
        Some(_) => Presence::Present,
    })
}

/// A bucket's creation date from `ListBuckets`, or `None` if it is not listed.
async fn bucket_created(
    aws: &AwsClients,
    name: &str,
) -> Result<Option<DateTime<Utc>>, InjectError> {
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
