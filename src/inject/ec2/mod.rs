//! EC2 drift actions (security groups, instances, network ACLs, tags), one file per action;
//! `shared` holds the reads and state models more than one action uses.

pub mod instance_attach_sg;
pub mod instance_imdsv1;
pub mod instance_termination;
pub mod instance_type;
pub mod nacl_add_entry;
pub mod sg_add_egress;
pub mod sg_open_ingress;
pub mod sg_remove_ingress;
pub mod shared;
pub mod tag_remove;
pub mod tag_set;
