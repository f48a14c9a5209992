//! `iam.role.attach_policy`: attaches a managed policy to a role (AdministratorAccess by
//! default); the revert detaches only what the drill attached.

use crate::inject::ActionSpec;
use crate::inject::iam::shared::attachments::{self, Attach, Params};
use crate::inject::model;
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "iam.role.attach_policy",
    targets: &[super::ROLE],
    summary: "attaches a managed policy to a role (default AdministratorAccess)",
    params: attachments::PARAMS,
    permissions: &[
        "iam:ListAttachedRolePolicies",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
    ],
    example: "policy_arn = \"arn:aws:iam::aws:policy/AdministratorAccess\"\n",
    read: |r| param::to_json(attachments::read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, Attach),
};
