//! IAM drift actions (roles, users, customer-managed policies), one file per action; `shared`
//! holds target selection, attachments and policy documents. IAM is global: the region
//! allow-list does not apply, the account allow-list does.

pub mod policy_new_default_version;
pub mod role_attach_policy;
pub mod role_put_inline_policy;
pub mod role_set_max_session_duration;
pub mod role_trust_add_principal;
pub mod shared;
pub mod user_attach_policy;
