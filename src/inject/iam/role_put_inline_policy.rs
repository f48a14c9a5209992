//! `iam.role.put_inline_policy`: adds an inline policy to a role, or replaces the one with that
//! name; the revert takes the drill's statements out and puts back the ones it replaced, keeping
//! any statement someone else added since (deleting the policy when nothing else is left).

use crate::inject::ActionSpec;
use crate::inject::iam::shared::inline::{self, Params, PutInline};
use crate::inject::model;
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "iam.role.put_inline_policy",
    targets: &[super::ROLE],
    summary: "adds or replaces one inline policy on a role (default: allow everything)",
    params: inline::PARAMS,
    permissions: &[
        "iam:GetRolePolicy",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
    ],
    example: "policy_name = \"incident-access\"\n",
    read: |r| param::to_json(inline::read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, PutInline),
};
