//! Resolves a scenario's target to one concrete resource and reads its tags (for the
//! guardrails), through the resolver of the service that declares the type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::errors::InjectError;
use crate::aws::AwsClients;
use crate::vocab::{Selector, TargetSpec, TargetType};

/// One concrete resource a drill changes. Built by [`resolve`] (then checked by the guardrails)
/// or read back from the journal for a revert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub kind: TargetType,
    /// The id the service's API takes: an EC2 id, a bucket name, an IAM role or user name, an
    /// IAM policy ARN.
    pub id: String,
    /// Tags at resolution time.
    pub tags: BTreeMap<String, String>,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.id)
    }
}

/// Finds exactly one resource for the spec and reads its tags.
pub async fn resolve(aws: &AwsClients, spec: &TargetSpec) -> Result<Target, InjectError> {
    let resolver = super::service_of(spec.kind)?.resolver;
    let not_found = |what: String| InjectError::NotFound { what };
    let (id, tags) = match &spec.selector {
        Selector::Id(given) | Selector::Name(given) => {
            let id = resolver
                .normalise(aws, spec.kind, given)
                .await?
                .ok_or_else(|| not_found(format!("{} {given}", spec.kind)))?;
            // One read answers both "does it exist" and "what are its tags".
            let tags = tags_of(aws, spec.kind, &id).await?;
            (id, tags)
        }
        // The lookup read the tags of what it found: no second read.
        Selector::Tags(tags) => {
            let found = resolver.tagged(aws, spec.kind, tags).await?;
            match <[_; 1]>::try_from(found) {
                Ok([one]) => one,
                Err(found) if found.is_empty() => return Err(not_found(format!("a {spec}"))),
                Err(found) => {
                    return Err(InjectError::Ambiguous {
                        target: spec.to_string(),
                        count: found.len(),
                        ids: found.into_iter().map(|(id, _)| id).collect(),
                    });
                }
            }
        }
    };
    Ok(Target {
        kind: spec.kind,
        id,
        tags,
    })
}

/// What a detector names when it flags `target`: its id; for an account setting, whose id (an
/// account or a region) is inside every ARN of that account, the address prefix of the
/// setting's terraform resource type (`aws_ebs_encryption_by_default.`), never the id.
pub fn attribution_terms(target: &Target) -> Vec<String> {
    match super::kind_of(target.kind).naming {
        crate::vocab::Naming::Setting => vec![format!("{}.", target.kind)],
        _ => vec![target.id.clone()],
    }
}

/// The current tags of a resource; `NotFound` when it does not exist.
pub async fn tags_of(
    aws: &AwsClients,
    kind: TargetType,
    id: &str,
) -> Result<BTreeMap<String, String>, InjectError> {
    super::service_of(kind)?
        .resolver
        .existing_tags(aws, kind, id)
        .await?
        .ok_or_else(|| InjectError::NotFound {
            what: format!("{kind} {id}"),
        })
}
