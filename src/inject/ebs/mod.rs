//! EBS account settings: one setting per account and region (selected by its region as `id`,
//! never by tags), and the drift actions on them, one file per action. Drills here change the
//! whole account and region, so the guardrails refuse them unless the config opts in
//! (`[safety] account_settings = true`).

pub(crate) mod encryption_by_default_off;
pub(crate) mod resolver;

use crate::inject::service::Service;
use crate::vocab::{Naming, TargetKind, TargetType};

/// Whether new EBS volumes of the account and region are encrypted by default (the name of
/// terraform's resource for the setting).
pub const ENCRYPTION_BY_DEFAULT: TargetType = TargetType::new("aws_ebs_encryption_by_default");

pub static SERVICE: Service = Service {
    name: "ebs",
    kinds: &[TargetKind {
        kind: ENCRYPTION_BY_DEFAULT,
        naming: Naming::Setting,
        global: false,
    }],
    actions: &[&encryption_by_default_off::SPEC],
    lookup_actions: |_| &["ec2:GetEbsEncryptionByDefault"],
    resolver: &resolver::Ebs,
};
