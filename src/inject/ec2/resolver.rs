//! How EC2's resources are found: by id, or by tags through `DescribeTags` (instances through
//! `DescribeInstances`); recognised by id (EC2 never reuses one); an instance that is
//! terminating is gone.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Filter;

use super::shared::coalesced;
use super::{INSTANCE, NETWORK_ACL, SECURITY_GROUP, VPC};
use crate::aws::AwsClients;
use crate::batch::{Guard, Read};
use crate::inject::errors;
use crate::inject::presence::Presence;
use crate::inject::service::Resolver;
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) fn lookup_actions(kind: TargetType) -> &'static [&'static str] {
    match kind {
        SECURITY_GROUP => &["ec2:DescribeSecurityGroups", "ec2:DescribeTags"],
        INSTANCE => &["ec2:DescribeInstances", "ec2:DescribeTags"],
        NETWORK_ACL => &["ec2:DescribeNetworkAcls", "ec2:DescribeTags"],
        VPC => &["ec2:DescribeVpcs", "ec2:DescribeTags"],
        _ => &["ec2:DescribeSubnets", "ec2:DescribeTags"],
    }
}

/// The filter value `DescribeTags` takes for a type.
fn resource_type(kind: TargetType) -> &'static str {
    match kind {
        SECURITY_GROUP => "security-group",
        INSTANCE => "instance",
        NETWORK_ACL => "network-acl",
        VPC => "vpc",
        _ => "subnet",
    }
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

pub(super) struct Ec2;

impl Ec2 {
    /// Instances by tag filters (states that still exist only).
    async fn instances_tagged(
        aws: &AwsClients,
        tags: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, InjectError> {
        let mut req = aws.ec2().describe_instances().filters(
            Filter::builder()
                .name("instance-state-name")
                .values("pending")
                .values("running")
                .values("stopping")
                .values("stopped")
                .build(),
        );
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
        Ok(ids)
    }
}

#[async_trait::async_trait]
impl Resolver for Ec2 {
    async fn tagged(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        tags: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, InjectError> {
        if kind == INSTANCE {
            return Ec2::instances_tagged(aws, tags).await;
        }
        let Some((first_key, first_value)) = tags.iter().next() else {
            return Ok(Vec::new());
        };
        let kind_name = resource_type(kind);
        let candidates = match coalesced::tagged(aws, kind_name, first_key, first_value).await {
            Read::Found(ids) => ids,
            Read::Alone(_reading) => tagged_alone(aws, kind_name, first_key, first_value).await?,
        };
        let mut ids = Vec::new();
        for candidate in &candidates {
            // A tag can outlive its resource for a while (LocalStack keeps a deleted group's
            // tags for good): only resources that still exist count.
            let Some(all) = self.existing_tags(aws, kind, candidate).await? else {
                continue;
            };
            if crate::vocab::target::carries(&all, tags) && !ids.iter().any(|i| i == candidate) {
                ids.push(candidate.to_string());
            }
        }
        ids.sort();
        Ok(ids)
    }

    async fn existing_tags(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError> {
        let not_found = |code: Option<&str>| code.is_some_and(|c| c.contains("NotFound"));
        macro_rules! read {
            ($call:expr, $op:literal, |$out:ident| $tags:expr) => {
                match $call.send().await {
                    Ok($out) => Ok($tags),
                    Err(e) if not_found(crate::aws::code_of(&e)) => Ok(None),
                    Err(e) => Err(errors::aws($op, id)(e)),
                }
            };
        }
        let _reading = match coalesced_tags(aws, kind, id).await {
            Ok(tags) => return Ok(Some(tags)),
            Err(reading) => reading,
        };
        match kind {
            SECURITY_GROUP => read!(
                aws.ec2().describe_security_groups().group_ids(id),
                "DescribeSecurityGroups",
                |out| out.security_groups().first().map(|g| tag_map(g.tags()))
            ),
            INSTANCE => read!(
                aws.ec2().describe_instances().instance_ids(id),
                "DescribeInstances",
                |out| out
                    .reservations()
                    .iter()
                    .flat_map(|r| r.instances())
                    .next()
                    .map(|i| tag_map(i.tags()))
            ),
            NETWORK_ACL => read!(
                aws.ec2().describe_network_acls().network_acl_ids(id),
                "DescribeNetworkAcls",
                |out| out.network_acls().first().map(|a| tag_map(a.tags()))
            ),
            VPC => read!(
                aws.ec2().describe_vpcs().vpc_ids(id),
                "DescribeVpcs",
                |out| out.vpcs().first().map(|v| tag_map(v.tags()))
            ),
            _ => read!(
                aws.ec2().describe_subnets().subnet_ids(id),
                "DescribeSubnets",
                |out| out.subnets().first().map(|n| tag_map(n.tags()))
            ),
        }
    }

    /// An instance that is terminating or terminated is gone, whatever still describes it.
    async fn presence(
        &self,
        aws: &AwsClients,
        target: &Target,
        _recorded: Option<&str>,
    ) -> Result<Presence, InjectError> {
        if target.kind != INSTANCE {
            return Ok(
                match self.existing_tags(aws, target.kind, &target.id).await? {
                    None => Presence::gone(target),
                    Some(_) => Presence::Present,
                },
            );
        }
        instance(aws, &target.id).await
    }
}

/// A resource's tags from a coalesced read, or the guard of the caller's turn to read alone
/// (`None` for types not read that way).
async fn coalesced_tags(
    aws: &AwsClients,
    kind: TargetType,
    id: &str,
) -> Result<BTreeMap<String, String>, Option<Guard>> {
    fn tags_or_turn<V: Clone + Send + 'static>(
        read: Read<V>,
        tags: impl Fn(&V) -> &[aws_sdk_ec2::types::Tag],
    ) -> Result<BTreeMap<String, String>, Option<Guard>> {
        match read {
            Read::Found(v) => Ok(tag_map(tags(&v))),
            Read::Alone(reading) => Err(Some(reading)),
        }
    }
    match kind {
        SECURITY_GROUP => tags_or_turn(coalesced::group(aws, id).await, |g| g.tags()),
        NETWORK_ACL => tags_or_turn(coalesced::network_acl(aws, id).await, |a| a.tags()),
        INSTANCE => tags_or_turn(coalesced::instance(aws, id).await, |i| i.tags()),
        _ => Err(None),
    }
}

/// The ids of the resources of a type with one tag, read by themselves.
async fn tagged_alone(
    aws: &AwsClients,
    kind_name: &str,
    key: &str,
    value: &str,
) -> Result<Vec<String>, InjectError> {
    let filter = |name: &str, value: &str| Filter::builder().name(name).values(value).build();
    let out = aws
        .ec2()
        .describe_tags()
        .filters(filter("resource-type", kind_name))
        .filters(filter("key", key))
        .filters(filter("value", value))
        .send()
        .await
        .map_err(errors::aws("DescribeTags", "tags"))?;
    let ids = out.tags().iter().filter_map(|t| t.resource_id());
    Ok(ids.map(String::from).collect())
}

async fn instance(aws: &AwsClients, id: &str) -> Result<Presence, InjectError> {
    let out = aws.ec2().describe_instances().instance_ids(id).send().await;
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
