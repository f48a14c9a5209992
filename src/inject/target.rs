//! Resolves a scenario's target to one concrete resource and reads its tags (for the guardrails).

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Filter;
use serde::{Deserialize, Serialize};

use super::errors::{self, InjectError};
use super::iam::shared::resource as iam;
use crate::aws::AwsClients;
use crate::vocab::{Selector, TargetSpec, TargetType};

/// One concrete resource a drill changes. Built by [`resolve`] (then checked by the guardrails)
/// or read back from the journal for a revert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub kind: TargetType,
    /// EC2 id, bucket name, IAM role or user name, or IAM policy ARN.
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
    let id = match &spec.selector {
        Selector::Id(given) | Selector::Name(given) => {
            let id = if spec.kind.is_iam() {
                iam::normalise(aws, spec.kind, given)
                    .await?
                    .ok_or_else(|| InjectError::NotFound {
                        what: format!("{} {given}", spec.kind),
                    })?
            } else {
                given.clone()
            };
            let id = &id;
            // One read answers both "does it exist" and "what are its tags".
            return match existing_tags(aws, spec.kind, id).await? {
                Some(tags) => Ok(Target {
                    kind: spec.kind,
                    id: id.clone(),
                    tags,
                }),
                None => Err(InjectError::NotFound {
                    what: format!("{} {id}", spec.kind),
                }),
            };
        }
        Selector::Tags(tags) => {
            let ids = match spec.kind {
                TargetType::Bucket => buckets_tagged(aws, tags).await?,
                kind if kind.is_iam() => iam::tagged(aws, kind, tags).await?,
                kind => ec2_tagged(aws, kind, tags).await?,
            };
            match ids.as_slice() {
                [one] => one.clone(),
                [] => {
                    return Err(InjectError::NotFound {
                        what: format!("a {spec}"),
                    });
                }
                _ => {
                    return Err(InjectError::Ambiguous {
                        target: spec.to_string(),
                        count: ids.len(),
                        ids,
                    });
                }
            }
        }
    };
    let tags = tags_of(aws, spec.kind, &id).await?;
    Ok(Target {
        kind: spec.kind,
        id,
        tags,
    })
}

/// The current tags of a resource.
pub async fn tags_of(
    aws: &AwsClients,
    kind: TargetType,
    id: &str,
) -> Result<BTreeMap<String, String>, InjectError> {
    if kind.is_iam() {
        return iam::existing_tags(aws, kind, id)
            .await?
            .ok_or_else(|| InjectError::NotFound {
                what: format!("{kind} {id}"),
            });
    }
    if kind == TargetType::Bucket {
        return match aws.s3.get_bucket_tagging().bucket(id).send().await {
            Ok(out) => Ok(out
                .tag_set()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect()),
            Err(e) if crate::aws::code_of(&e) == Some("NoSuchTagSet") => Ok(BTreeMap::new()),
            Err(e) => Err(errors::aws("GetBucketTagging", id)(e)),
        };
    }
    let out = aws
        .ec2
        .describe_tags()
        .filters(Filter::builder().name("resource-id").values(id).build())
        .send()
        .await
        .map_err(errors::aws("DescribeTags", id))?;
    Ok(out
        .tags()
        .iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect())
}

fn ec2_resource_type(kind: TargetType) -> &'static str {
    match kind {
        TargetType::SecurityGroup => "security-group",
        TargetType::Instance => "instance",
        TargetType::NetworkAcl => "network-acl",
        TargetType::Vpc => "vpc",
        TargetType::Subnet => "subnet",
        other => unreachable!("{other} is not an EC2 resource"),
    }
}

async fn ec2_tagged(
    aws: &AwsClients,
    kind: TargetType,
    tags: &BTreeMap<String, String>,
) -> Result<Vec<String>, InjectError> {
    let mut req = aws.ec2.describe_instances().filters(
        Filter::builder()
            .name("instance-state-name")
            .values("pending")
            .values("running")
            .values("stopping")
            .values("stopped")
            .build(),
    );
    if kind == TargetType::Instance {
        for (k, v) in tags {
            req = req.filters(Filter::builder().name(format!("tag:{k}")).values(v).build());
        }
        let out = req
            .send()
            .await
            .map_err(errors::aws("DescribeInstances", "instances"))?;
        let mut ids: Vec<String> = out
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .filter_map(|i| i.instance_id().map(String::from))
            .collect();
        ids.sort();
        return Ok(ids);
    }
    let mut req = aws.ec2.describe_tags().filters(
        Filter::builder()
            .name("resource-type")
            .values(ec2_resource_type(kind))
            .build(),
    );
    let Some((first_key, first_value)) = tags.iter().next() else {
        return Ok(Vec::new());
    };
    req = req
        .filters(Filter::builder().name("key").values(first_key).build())
        .filters(Filter::builder().name("value").values(first_value).build());
    let out = req
        .send()
        .await
        .map_err(errors::aws("DescribeTags", "tags"))?;
    let mut ids = Vec::new();
    for candidate in out.tags().iter().filter_map(|t| t.resource_id()) {
        // A tag can outlive its resource for a while (LocalStack keeps a deleted group's tags
        // for good): only resources that still exist count.
        let Some(all) = existing_tags(aws, kind, candidate).await? else {
            continue;
        };
        if tags.iter().all(|(k, v)| all.get(k) == Some(v)) && !ids.iter().any(|i| i == candidate) {
            ids.push(candidate.to_string());
        }
    }
    ids.sort();
    Ok(ids)
}

async fn buckets_tagged(
    aws: &AwsClients,
    tags: &BTreeMap<String, String>,
) -> Result<Vec<String>, InjectError> {
    let out = aws
        .s3
        .list_buckets()
        .send()
        .await
        .map_err(errors::aws("ListBuckets", "buckets"))?;
    let mut ids = Vec::new();
    for name in out.buckets().iter().filter_map(|b| b.name()) {
        let all = tags_of(aws, TargetType::Bucket, name).await?;
        if tags.iter().all(|(k, v)| all.get(k) == Some(v)) {
            ids.push(name.to_string());
        }
    }
    ids.sort();
    Ok(ids)
}

fn tag_map(tags: &[aws_sdk_ec2::types::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// The tags of a resource, or `None` if it does not exist.
pub(crate) async fn existing_tags(
    aws: &AwsClients,
    kind: TargetType,
    id: &str,
) -> Result<Option<BTreeMap<String, String>>, InjectError> {
    let not_found = |code: Option<&str>| {
        code.is_some_and(|c| c.contains("NotFound") || c == "NoSuchBucket" || c == "404")
    };
    macro_rules! read {
        ($call:expr, $op:literal, |$out:ident| $tags:expr) => {
            match $call.send().await {
                Ok($out) => Ok($tags),
                Err(e) if not_found(crate::aws::code_of(&e)) => Ok(None),
                Err(e) => Err(errors::aws($op, id)(e)),
            }
        };
    }
    match kind {
        TargetType::SecurityGroup => read!(
            aws.ec2.describe_security_groups().group_ids(id),
            "DescribeSecurityGroups",
            |out| out.security_groups().first().map(|g| tag_map(g.tags()))
        ),
        TargetType::Instance => read!(
            aws.ec2.describe_instances().instance_ids(id),
            "DescribeInstances",
            |out| out
                .reservations()
                .iter()
                .flat_map(|r| r.instances())
                .next()
                .map(|i| tag_map(i.tags()))
        ),
        TargetType::NetworkAcl => read!(
            aws.ec2.describe_network_acls().network_acl_ids(id),
            "DescribeNetworkAcls",
            |out| out.network_acls().first().map(|a| tag_map(a.tags()))
        ),
        TargetType::Vpc => read!(aws.ec2.describe_vpcs().vpc_ids(id), "DescribeVpcs", |out| {
            out.vpcs().first().map(|v| tag_map(v.tags()))
        }),
        TargetType::Subnet => read!(
            aws.ec2.describe_subnets().subnet_ids(id),
            "DescribeSubnets",
            |out| out.subnets().first().map(|n| tag_map(n.tags()))
        ),
        TargetType::IamRole | TargetType::IamUser | TargetType::IamPolicy => {
            iam::existing_tags(aws, kind, id).await
        }
        TargetType::Bucket => match aws.s3.head_bucket().bucket(id).send().await {
            Ok(_) => tags_of(aws, kind, id).await.map(Some),
            Err(e)
                if e.as_service_error().is_some_and(|s| s.is_not_found())
                    || not_found(crate::aws::code_of(&e)) =>
            {
                Ok(None)
            }
            Err(e) => Err(errors::aws("HeadBucket", id)(e)),
        },
    }
}
