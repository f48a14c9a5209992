//! Inline policies on roles and users: add one, or replace the one with that name; the revert
//! takes the drill's statements out and puts back the ones it replaced, keeping any statement
//! someone else added since (deleting the policy when nothing else is left).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::iam::shared::{document, resource};
use crate::inject::mark;
use crate::inject::model::Model;
use crate::inject::policy::Policy;
use crate::inject::{InjectCx, Target};
use crate::vocab::ParamSpec;

/// The parameters of both actions.
pub(crate) const PARAMS: &[ParamSpec] = &[
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
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    pub policy_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

pub(crate) fn read_params(r: &mut TableReader) -> Option<Params> {
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

/// The inline policy `name` of the target role or user, as IAM returns it; `None` when it has
/// none.
async fn document_text(
    cx: &InjectCx<'_>,
    target: &Target,
    name: &str,
) -> Result<Option<String>, InjectError> {
    let (iam, id) = (cx.aws.iam(), &target.id);
    if target.kind == crate::inject::iam::ROLE {
        match iam
            .get_role_policy()
            .role_name(id)
            .policy_name(name)
            .send()
            .await
        {
            Ok(out) => Ok(Some(out.policy_document().to_string())),
            Err(e) if resource::missing(crate::aws::code_of(&e)) => Ok(None),
            Err(e) => Err(errors::aws("GetRolePolicy", id)(e)),
        }
    } else {
        match iam
            .get_user_policy()
            .user_name(id)
            .policy_name(name)
            .send()
            .await
        {
            Ok(out) => Ok(Some(out.policy_document().to_string())),
            Err(e) if resource::missing(crate::aws::code_of(&e)) => Ok(None),
            Err(e) => Err(errors::aws("GetUserPolicy", id)(e)),
        }
    }
}

/// Adds or replaces the inline policy on the target role or user.
pub(crate) struct PutInline(pub Params);

#[async_trait::async_trait]
impl Model for PutInline {
    /// The document of the inline policy with that name; `None` when the role or user has none.
    type State = Option<Policy>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let text = document_text(cx, target, &self.0.policy_name).await?;
        text.map(|t| document::parse(&target.id, &t).map(Policy))
            .transpose()
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
        let (iam, id, name) = (cx.aws.iam(), &target.id, &self.0.policy_name);
        let role = target.kind == crate::inject::iam::ROLE;
        match (desired, role) {
            (Some(doc), true) => iam
                .put_role_policy()
                .role_name(id)
                .policy_name(name)
                .policy_document(doc.0.to_string())
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("PutRolePolicy", id)),
            (Some(doc), false) => iam
                .put_user_policy()
                .user_name(id)
                .policy_name(name)
                .policy_document(doc.0.to_string())
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("PutUserPolicy", id)),
            (None, true) => iam
                .delete_role_policy()
                .role_name(id)
                .policy_name(name)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteRolePolicy", id)),
            (None, false) => iam
                .delete_user_policy()
                .user_name(id)
                .policy_name(name)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteUserPolicy", id)),
        }
    }
}
