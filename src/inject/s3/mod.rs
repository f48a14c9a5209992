//! S3 bucket drift actions, one file per action; `shared` holds what more than one uses.

pub mod acl_public_read;
pub mod cors_add_rule;
pub mod encryption_change;
pub mod lifecycle_remove;
pub mod logging_disable;
pub mod policy_public_read;
pub mod public_access_block_relax;
pub mod shared;
pub mod tag_remove;
pub mod tag_set;
pub mod versioning_suspend;
