//! `iam.role.put_inline_policy`: adds an inline policy to a role, or replaces the one with that
//! name; the revert takes the drill's statements out and puts back the ones it replaced, keeping
//! any statement someone else added since (deleting the policy when nothing else is left).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::iam::shared::document;
use crate::inject::mark;
use crate::inject::model::{self, Model};
use crate::inject::policy::Policy;
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "iam.role.put_inline_policy",
    targets: &[super::ROLE],
    summary: "adds or replaces one inline policy on a role (default: allow everything)",
    params: &[
        ParamSpec::required(
            "policy_name",
            "string",
            "the inline policy to add or replace",
        ),
        ParamSpec::optional(
            "document",
            "JSON string",
            "the policy document; default: Allow * on * with the drill's statement id",
        ),
    ],
    permissions: &[
        "iam:GetRolePolicy",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
    ],
    example: "policy_name = \"incident-access\"\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, PutInline),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    pub policy_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let policy_name = r.string("policy_name");
    let document = r.opt_string("document");
    if let Some(d) = &document
        && let Err(e) = serde_json::from_str::<Value>(&d.value)
    {
        r.report(d.diag("invalid-value", format!("document is not JSON: {e}")));
        return None;
    }
    Some(Params {
        policy_name: policy_name?.value,
        document: document.map(|d| d.value),
    })
}

pub(crate) struct PutInline(pub Params);

#[async_trait::async_trait]
impl Model for PutInline {
    /// The document of the inline policy with that name; `None` when the role has none.
    type State = Option<Policy>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        match cx
            .aws
            .iam
            .get_role_policy()
            .role_name(&target.id)
            .policy_name(&self.0.policy_name)
            .send()
            .await
        {
            Ok(out) => document::parse(&target.id, out.policy_document()).map(|d| Some(Policy(d))),
            Err(e) if crate::aws::code_of(&e) == Some("NoSuchEntity") => Ok(None),
            Err(e) => Err(errors::aws("GetRolePolicy", &target.id)(e)),
        }
    }

    fn injected(
        &self,
        _: &Self::State,
        cx: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        match &self.0.document {
            Some(text) => document::parse(&target.id, text).map(|d| Some(Policy(d))),
            None => Ok(Some(Policy(document::grant_everything(&mark::sid(
                cx.mark,
            ))))),
        }
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let iam = &cx.aws.iam;
        match desired {
            Some(doc) => iam
                .put_role_policy()
                .role_name(&target.id)
                .policy_name(&self.0.policy_name)
                .policy_document(doc.0.to_string())
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("PutRolePolicy", &target.id)),
            None => iam
                .delete_role_policy()
                .role_name(&target.id)
                .policy_name(&self.0.policy_name)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteRolePolicy", &target.id)),
        }
    }
}
