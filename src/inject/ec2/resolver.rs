//! How EC2's resources are found: by id, or by tags through the type's own `Describe*` call
//! with a `tag:` filter; recognised by id (EC2 never reuses one); an instance that is
//! terminating is gone.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Filter;

use super::shared::coalesced;
use super::{INSTANCE, NETWORK_ACL, SECURITY_GROUP, VPC};
use crate::aws::AwsClients;
use crate::batch::{Guard, Read};
use crate::inject::errors;
use crate::inject::presence::Presence;
use crate::inject::service::{Resolver, Tagged};
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) fn lookup_actions(kind: TargetType) -> &'static [&'static str] {
    match kind {
        SECURITY_GROUP => &["ec2:DescribeSecurityGroups"],
        INSTANCE => &["ec2:DescribeInstances"],
        NETWORK_ACL => &["ec2:DescribeNetworkAcls"],
        VPC => &["ec2:DescribeVpcs"],
        _ => &["ec2:DescribeSubnets"],
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
    ) -> Result<Tagged, InjectError> {
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
        let mut found: Tagged = out
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .filter_map(|i| Some((i.instance_id()?.to_string(), tag_map(i.tags()))))
            .collect();
        found.sort();
        Ok(found)
    }
}

#[async_trait::async_trait]
impl Resolver for Ec2 {
    async fn tagged(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        tags: &BTreeMap<String, String>,
    ) -> Result<Tagged, InjectError> {
        if kind == INSTANCE {
            return Ec2::instances_tagged(aws, tags).await;
        }
        let Some((first_key, first_value)) = tags.iter().next() else {
            return Ok(Vec::new());
        };
        // The type's own Describe call with a tag filter lists only resources that exist
        // (LocalStack keeps a deleted group's tags for good), with all their tags: one read
        // finds them and answers the guardrails.
        let found = match coalesced_tagged(aws, kind, first_key, first_value).await {
            Read::Found(found) => found,
            Read::Alone(_reading) => {
                let values = vec![first_value.clone()];
                described_with_tag(aws.ec2(), kind, first_key, values).await?
            }
        };
        let mut found: Tagged = found
            .into_iter()
            .filter(|(_, all)| crate::vocab::target::carries(all, tags))
            .collect();
        found.sort();
        found.dedup_by(|a, b| a.0 == b.0);
        Ok(found)
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

/// The Describe call that lists a (non-instance) type.
fn describe_operation(kind: TargetType) -> &'static str {
    match kind {
        SECURITY_GROUP => "DescribeSecurityGroups",
        NETWORK_ACL => "DescribeNetworkAcls",
        VPC => "DescribeVpcs",
        _ => "DescribeSubnets",
    }
}

/// The resources of a (non-instance) type whose tag `key` has one of `values`, with all their
/// tags: the type's Describe call with a `tag:` filter, every page.
async fn described_with_tag(
    ec2: &aws_sdk_ec2::Client,
    kind: TargetType,
    key: &str,
    values: Vec<String>,
) -> Result<Tagged, InjectError> {
    let op = describe_operation(kind);
    let filter = Filter::builder()
        .name(format!("tag:{key}"))
        .set_values(Some(values))
        .build();
    let mut found = Tagged::new();
    let mut token: Option<String> = None;
    // One page of `$call`: each item of `$list` by `$id`, with its tags; then the next token.
    macro_rules! page {
        ($call:ident, $list:ident, $id:ident) => {{
            let out = ec2.$call().filters(filter.clone()).set_next_token(token);
            let out = out
                .send()
                .await
                .map_err(errors::aws(op, "tagged resources"))?;
            let each = out.$list().iter();
            found.extend(each.filter_map(|r| Some((r.$id()?.into(), tag_map(r.tags())))));
            out.next_token().map(String::from)
        }};
    }
    loop {
        let next = match kind {
            SECURITY_GROUP => page!(describe_security_groups, security_groups, group_id),
            NETWORK_ACL => page!(describe_network_acls, network_acls, network_acl_id),
            VPC => page!(describe_vpcs, vpcs, vpc_id),
            _ => page!(describe_subnets, subnets, subnet_id),
        };
        match next {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(found),
        }
    }
}

/// The resources of a type with tag `key` = `value`, from one Describe call that serves every
/// value asked for that type and key meanwhile (see [`crate::batch`]), or the caller's turn to
/// read alone. A value no resource has is answered empty, as a single read would be.
async fn coalesced_tagged(
    aws: &AwsClients,
    kind: TargetType,
    key: &str,
    value: &str,
) -> Read<Tagged> {
    let ec2 = aws.ec2().clone();
    let tag_key = key.to_string();
    let fetch = move || {
        crate::batch::fetch(move |values: Vec<String>| {
            let (ec2, tag_key) = (ec2.clone(), tag_key.clone());
            async move {
                let found = described_with_tag(&ec2, kind, &tag_key, values.clone());
                let found = found.await.map_err(drop)?;
                let mut by_value: std::collections::HashMap<String, Tagged> =
                    values.into_iter().map(|v| (v, Tagged::new())).collect();
                for (id, tags) in found {
                    if let Some(these) = tags.get(&tag_key).and_then(|v| by_value.get_mut(v)) {
                        these.push((id, tags));
                    }
                }
                Ok(by_value)
            }
        })
    };
    let batch_kind = format!("ec2:{}:tag:{key}", describe_operation(kind));
    aws.batcher(batch_kind, fetch).read(value).await
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
