//! The managed policies attached to a role or user, as a set: attach one, and on revert detach
//! only what the drill attached (anyone else's attachments, before or since, stay).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::Model;
use crate::inject::{InjectCx, Target};
use crate::vocab::ParamSpec;

pub(crate) const PARAMS: &[ParamSpec] = &[ParamSpec::optional(
    "policy_arn",
    "a managed policy ARN",
    "the policy to attach; default: arn:aws:iam::aws:policy/AdministratorAccess",
)];

pub(crate) const ADMINISTRATOR: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
}

pub(crate) fn read_params(r: &mut TableReader) -> Option<Params> {
    let policy_arn = r.opt_string("policy_arn");
    if let Some(arn) = &policy_arn
        && !arn.value.starts_with("arn:")
    {
        r.report(arn.diag(
            "invalid-value",
            format!("policy_arn {:?} is not an ARN", arn.value),
        ));
        return None;
    }
    Some(Params {
        policy_arn: policy_arn.map(|a| a.value),
    })
}

/// Attaches `policy_arn` to the target role or user.
pub(crate) struct Attach(pub Params);

impl Attach {
    fn arn(&self) -> &str {
        self.0.policy_arn.as_deref().unwrap_or(ADMINISTRATOR)
    }
}

#[async_trait::async_trait]
impl Model for Attach {
    type State = BTreeSet<String>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let arns: Vec<String> = match target.kind {
            crate::inject::iam::ROLE => cx
                .aws
                .iam()
                .list_attached_role_policies()
                .role_name(&target.id)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(errors::aws("ListAttachedRolePolicies", &target.id))?
                .iter()
                .filter_map(|p| p.policy_arn().map(String::from))
                .collect(),
            _ => cx
                .aws
                .iam()
                .list_attached_user_policies()
                .user_name(&target.id)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(errors::aws("ListAttachedUserPolicies", &target.id))?
                .iter()
                .filter_map(|p| p.policy_arn().map(String::from))
                .collect(),
        };
        Ok(arns.into_iter().collect())
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Self::State, InjectError> {
        let mut after = before.clone();
        after.insert(self.arn().to_string());
        Ok(after)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        current: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let iam = cx.aws.iam();
        let id = &target.id;
        for arn in desired.difference(current) {
            match target.kind {
                crate::inject::iam::ROLE => iam
                    .attach_role_policy()
                    .role_name(id)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(errors::aws("AttachRolePolicy", id))?,
                _ => iam
                    .attach_user_policy()
                    .user_name(id)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(errors::aws("AttachUserPolicy", id))?,
            }
        }
        for arn in current.difference(desired) {
            match target.kind {
                crate::inject::iam::ROLE => iam
                    .detach_role_policy()
                    .role_name(id)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(errors::aws("DetachRolePolicy", id))?,
                _ => iam
                    .detach_user_policy()
                    .user_name(id)
                    .policy_arn(arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(errors::aws("DetachUserPolicy", id))?,
            }
        }
        Ok(())
    }
}
