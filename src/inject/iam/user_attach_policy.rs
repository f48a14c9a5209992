//! `iam.user.attach_policy`: attaches a managed policy to a user (AdministratorAccess by
//! default); the revert detaches only what the drill attached.

use crate::inject::ActionSpec;
use crate::inject::iam::shared::attachments::{self, Attach, Params};
use crate::inject::model;
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "iam.user.attach_policy",
    targets: &[super::USER],
    summary: "attaches a managed policy to a user (default AdministratorAccess)",
    params: attachments::PARAMS,
    permissions: &[
        "iam:ListAttachedUserPolicies",
        "iam:AttachUserPolicy",
        "iam:DetachUserPolicy",
    ],
    example: "policy_arn = \"arn:aws:iam::aws:policy/AdministratorAccess\"\n",
    read: |r| param::to_json(attachments::read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, Attach),
};
