//! EC2: its target types (security groups, instances, network ACLs, VPCs, subnets) and drift
//! actions, one file per action; `resolver` finds the resources, `shared` holds the reads and
//! state models more than one action uses.

pub(crate) mod instance_attach_sg;
pub(crate) mod instance_imdsv1;
pub(crate) mod instance_source_dest;
pub(crate) mod instance_termination;
pub mod instance_type;
pub mod nacl_add_entry;
pub(crate) mod nacl_remove_entry;
pub(crate) mod resolver;
pub mod sg_add_egress;
pub(crate) mod sg_open_ingress;
pub(crate) mod sg_remove_ingress;
pub mod shared;
pub(crate) mod subnet_public_ip;
pub(crate) mod tag_remove;
pub mod tag_set;
pub(crate) mod vpc_dns_support;

use crate::inject::service::Service;
use crate::vocab::{Naming, TargetKind, TargetType};

pub const SECURITY_GROUP: TargetType = TargetType::new("aws_security_group");
pub const INSTANCE: TargetType = TargetType::new("aws_instance");
pub const NETWORK_ACL: TargetType = TargetType::new("aws_network_acl");
pub const VPC: TargetType = TargetType::new("aws_vpc");
pub const SUBNET: TargetType = TargetType::new("aws_subnet");

/// Every EC2 type: all carry tags.
pub(crate) const TAGGABLE: &[TargetType] = &[SECURITY_GROUP, INSTANCE, NETWORK_ACL, VPC, SUBNET];

const fn by_id(kind: TargetType) -> TargetKind {
    TargetKind {
        kind,
        naming: Naming::Id,
        global: false,
    }
}

pub static SERVICE: Service = Service {
    name: "ec2",
    kinds: &[
        by_id(SECURITY_GROUP),
        by_id(INSTANCE),
        by_id(NETWORK_ACL),
        by_id(VPC),
        by_id(SUBNET),
    ],
    actions: &[
        &sg_open_ingress::SPEC,
        &sg_add_egress::SPEC,
        &sg_remove_ingress::SPEC,
        &tag_set::SPEC,
        &tag_remove::SPEC,
        &instance_type::SPEC,
        &instance_termination::SPEC,
        &instance_imdsv1::SPEC,
        &instance_attach_sg::SPEC,
        &instance_source_dest::SPEC,
        &nacl_add_entry::SPEC,
        &nacl_remove_entry::SPEC,
        &subnet_public_ip::SPEC,
        &vpc_dns_support::SPEC,
    ],
    lookup_actions: resolver::lookup_actions,
    resolver: &resolver::Ec2,
};
