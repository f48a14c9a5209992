//! `account.password_policy.removed`: deletes the account password policy, as someone clearing
//! "a policy that blocks the new joiner" does: IAM then accepts any password of 8 characters or
//! more, forever. Revert writes the exact policy back, unless a colleague set one meanwhile
//! (theirs stays).

use serde::{Deserialize, Serialize};

use crate::inject::errors::InjectError;
use crate::inject::model::{self, DriftState, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::parts::{self, Changes, Parts};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

use super::password_policy_weakened::{self as policy, Policy};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "account.password_policy.removed",
    targets: &[super::PASSWORD_POLICY],
    summary: "deletes the account password policy (needs [safety] account_settings = true)",
    params: &[],
    permissions: &[
        "iam:GetAccountPasswordPolicy",
        "iam:UpdateAccountPasswordPolicy",
        "iam:DeleteAccountPasswordPolicy",
    ],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| Removed),
};

/// The policy as one part: the drill removes it whole, and puts it back whole (rule by rule is
/// the weakening drill's grain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Whole(pub Option<Policy>);

const PART: &str = "the password policy";

impl DriftState for Whole {
    fn parts(&self) -> Parts {
        self.0
            .iter()
            .map(|p| (PART.to_string(), parts::json(p)))
            .collect()
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        match changes.get(PART) {
            Some(v) => Whole(v.clone().and_then(|v| serde_json::from_value(v).ok())),
            None => self.clone(),
        }
    }
}

pub(crate) struct Removed;

#[async_trait::async_trait]
impl Model for Removed {
    type State = Whole;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        policy::read(cx, target).await.map(Whole)
    }

    fn injected(
        &self,
        _: &Self::State,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Self::State, InjectError> {
        Ok(Whole(None))
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        policy::write(cx, target, &desired.0).await
    }
}
