//! Account settings: one per account (IAM's password policy, selected by the account id) or one
//! per account and region (EBS encryption by default, selected by the region), never by tags,
//! and the drift actions on them, one file per action. A drill here changes a whole account
//! (and region), so the guardrails refuse it unless the config opts in
//! (`[safety] account_settings = true`).

pub(crate) mod ebs_encryption_off;
pub(crate) mod password_policy_removed;
pub(crate) mod password_policy_weakened;
pub(crate) mod resolver;

use crate::inject::service::Service;
use crate::vocab::{Naming, TargetKind, TargetType};

/// Whether new EBS volumes of the account and region are encrypted by default (the name of
/// terraform's resource for the setting).
pub const ENCRYPTION_BY_DEFAULT: TargetType = TargetType::new("aws_ebs_encryption_by_default");
/// The account's IAM password policy (terraform's resource name).
pub const PASSWORD_POLICY: TargetType = TargetType::new("aws_iam_account_password_policy");

pub static SERVICE: Service = Service {
    name: "account",
    kinds: &[
        TargetKind {
            kind: ENCRYPTION_BY_DEFAULT,
            naming: Naming::Setting,
            global: false,
        },
        TargetKind {
            kind: PASSWORD_POLICY,
            naming: Naming::Setting,
            global: true,
        },
    ],
    actions: &[
        &ebs_encryption_off::SPEC,
        &password_policy_weakened::SPEC,
        &password_policy_removed::SPEC,
    ],
    lookup_actions: resolver::lookup_actions,
    resolver: &resolver::Account,
};
