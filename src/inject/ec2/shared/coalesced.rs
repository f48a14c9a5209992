//! EC2 resources read by id through coalesced `Describe*` calls (see [`crate::batch`]): the
//! lookup, snapshot and verification reads of every drill in flight in one account and region
//! share calls. Each answers the resource a batch found, or the caller's turn to read it alone
//! with its own single read (holding the guard until that read is done), so errors stay
//! exactly what a single read says.

use std::collections::HashMap;

use aws_sdk_ec2::types::{Instance, NetworkAcl, SecurityGroup};

use crate::aws::AwsClients;
use crate::batch::{self, Read};

/// A security group, by id.
pub(crate) async fn group(aws: &AwsClients, id: &str) -> Read<SecurityGroup> {
    let ec2 = aws.ec2().clone();
    let fetch = move || {
        batch::fetch(move |ids| {
            let call = ec2
                .describe_security_groups()
                .set_group_ids(Some(ids))
                .send();
            async move {
                let out = call.await.map_err(drop)?;
                Ok(by_id(out.security_groups(), SecurityGroup::group_id))
            }
        })
    };
    aws.batcher("ec2:DescribeSecurityGroups", fetch)
        .read(id)
        .await
}

/// A network ACL, by id.
pub(crate) async fn network_acl(aws: &AwsClients, id: &str) -> Read<NetworkAcl> {
    let ec2 = aws.ec2().clone();
    let fetch = move || {
        batch::fetch(move |ids| {
            let call = ec2
                .describe_network_acls()
                .set_network_acl_ids(Some(ids))
                .send();
            async move {
                let out = call.await.map_err(drop)?;
                Ok(by_id(out.network_acls(), NetworkAcl::network_acl_id))
            }
        })
    };
    aws.batcher("ec2:DescribeNetworkAcls", fetch).read(id).await
}

/// An instance, by id (whatever its state).
pub(crate) async fn instance(aws: &AwsClients, id: &str) -> Read<Instance> {
    let ec2 = aws.ec2().clone();
    let fetch = move || {
        batch::fetch(move |ids| {
            let call = ec2.describe_instances().set_instance_ids(Some(ids)).send();
            async move {
                let out = call.await.map_err(drop)?;
                let instances: Vec<Instance> = out
                    .reservations()
                    .iter()
                    .flat_map(|r| r.instances().iter().cloned())
                    .collect();
                Ok(by_id(&instances, Instance::instance_id))
            }
        })
    };
    aws.batcher("ec2:DescribeInstances", fetch).read(id).await
}

/// Resources keyed by their id.
fn by_id<T: Clone>(items: &[T], id: impl Fn(&T) -> Option<&str>) -> HashMap<String, T> {
    items
        .iter()
        .filter_map(|item| Some((id(item)?.to_string(), item.clone())))
        .collect()
}
