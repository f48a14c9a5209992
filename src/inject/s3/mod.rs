//! S3: its target type (buckets) and drift actions, one file per action; `resolver` finds the
//! buckets, `shared` holds what more than one action uses.

pub(crate) mod acl_public_read;
pub(crate) mod cors_add_rule;
pub(crate) mod encryption_change;
pub(crate) mod lifecycle_remove;
pub(crate) mod logging_disable;
pub(crate) mod ownership_acls_enabled;
pub(crate) mod policy_public_read;
pub(crate) mod public_access_block_relax;
pub(crate) mod resolver;
pub mod shared;
pub(crate) mod tag_remove;
pub mod tag_set;
pub(crate) mod versioning_suspend;

use crate::inject::service::Service;
use crate::vocab::{Naming, TargetKind, TargetType};

pub const BUCKET: TargetType = TargetType::new("aws_s3_bucket");

pub static SERVICE: Service = Service {
    name: "s3",
    kinds: &[TargetKind {
        kind: BUCKET,
        naming: Naming::Name,
        global: false,
    }],
    actions: &[
        &versioning_suspend::SPEC,
        &public_access_block_relax::SPEC,
        &policy_public_read::SPEC,
        &encryption_change::SPEC,
        &tag_set::SPEC,
        &tag_remove::SPEC,
        &acl_public_read::SPEC,
        &lifecycle_remove::SPEC,
        &logging_disable::SPEC,
        &cors_add_rule::SPEC,
        &ownership_acls_enabled::SPEC,
    ],
    lookup_actions: |_| {
        &[
            "s3:GetBucketTagging",
            "s3:ListAllMyBuckets",
            "s3:ListBucket",
        ]
    },
    resolver: &resolver::S3,
};
