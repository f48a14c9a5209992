//! IAM: its target types (roles, users, customer-managed policies) and drift actions, one file
//! per action; `resolver` finds the resources, `shared` holds attachments and policy
//! documents. IAM is global: the region allow-list does not apply, the account allow-list does.

pub(crate) mod policy_new_default_version;
pub(crate) mod resolver;
pub(crate) mod role_attach_policy;
pub(crate) mod role_boundary_removed;
pub(crate) mod role_put_inline_policy;
pub(crate) mod role_set_max_session_duration;
pub(crate) mod role_trust_add_principal;
pub mod shared;
pub(crate) mod user_attach_policy;
pub(crate) mod user_put_inline_policy;

use crate::inject::service::Service;
use crate::vocab::{Naming, TargetKind, TargetType};

pub const ROLE: TargetType = TargetType::new("aws_iam_role");
pub const USER: TargetType = TargetType::new("aws_iam_user");
pub const POLICY: TargetType = TargetType::new("aws_iam_policy");

const fn global(kind: TargetType) -> TargetKind {
    TargetKind {
        kind,
        naming: Naming::NameOrArn,
        global: true,
    }
}

pub static SERVICE: Service = Service {
    name: "iam",
    kinds: &[global(ROLE), global(USER), global(POLICY)],
    actions: &[
        &role_attach_policy::SPEC,
        &role_put_inline_policy::SPEC,
        &role_trust_add_principal::SPEC,
        &role_set_max_session_duration::SPEC,
        &role_boundary_removed::SPEC,
        &user_attach_policy::SPEC,
        &user_put_inline_policy::SPEC,
        &policy_new_default_version::SPEC,
    ],
    lookup_actions: resolver::lookup_actions,
    resolver: &resolver::Iam,
};
