//! `iam.role.trust_add_principal`: lets one more principal assume a role; the revert removes the
//! drill's statement by its id and keeps every statement anyone else added or edited since.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::iam::shared::{document, resource};
use crate::inject::mark;
use crate::inject::model::{self, Model};
use crate::inject::policy::{self, Policy};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "iam.role.trust_add_principal",
    targets: &[super::ROLE],
    summary: "adds a principal (an account, role or user ARN, or a service) to a role's trust policy",
    params: &[ParamSpec::required(
        "principal",
        "ARN, account id or service name",
        "who may now assume the role, e.g. arn:aws:iam::111122223333:root or ec2.amazonaws.com",
    )],
    permissions: &["iam:GetRole", "iam:UpdateAssumeRolePolicy"],
    example: "principal = \"arn:aws:iam::111122223333:root\"\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, TrustAdd),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    pub principal: String,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    Some(Params {
        principal: r.string("principal")?.value,
    })
}

pub(crate) struct TrustAdd(pub Params);

impl TrustAdd {
    fn principal(&self) -> Value {
        let p = &self.0.principal;
        if p.ends_with(".amazonaws.com") {
            json!({ "Service": p })
        } else {
            json!({ "AWS": p })
        }
    }
}

#[async_trait::async_trait]
impl Model for TrustAdd {
    /// The whole trust policy.
    type State = Policy;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Policy, InjectError> {
        let role = resource::get_role(cx.aws, &target.id).await?;
        let raw = role
            .as_ref()
            .and_then(|r| r.assume_role_policy_document())
            .ok_or_else(|| {
                InjectError::precondition(&target.to_string(), "it has no trust policy")
            })?;
        document::parse(&target.id, raw).map(Policy)
    }

    fn injected(
        &self,
        before: &Policy,
        cx: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Policy, InjectError> {
        let statement = json!({
            "Sid": mark::sid(cx.mark),
            "Effect": "Allow",
            "Principal": self.principal(),
            "Action": "sts:AssumeRole",
        });
        Ok(Policy(policy::with_statement(&before.0, statement)))
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Policy,
        desired: &Policy,
    ) -> Result<(), InjectError> {
        cx.aws
            .iam()
            .update_assume_role_policy()
            .role_name(&target.id)
            .policy_document(desired.0.to_string())
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("UpdateAssumeRolePolicy", &target.id))
    }
}
