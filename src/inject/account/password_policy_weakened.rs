//! `account.password_policy.weakened`: lowers the account password policy's minimum length, as
//! someone unblocking a user who "cannot think of a long enough password" does: every IAM user's
//! next password may be that short. Each rule of the policy is a part: revert puts back the
//! minimum length the drill lowered and keeps every rule a colleague changed meanwhile (one
//! UpdateAccountPasswordPolicy writes the whole policy, so every rule is written as it reads).

use aws_sdk_iam::types::PasswordPolicy as SdkPolicy;
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, DriftState, Model};
use crate::inject::parts::{self, Changes, Parts};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "account.password_policy.weakened",
    targets: &[super::PASSWORD_POLICY],
    summary: "lowers the account password policy's minimum length (default: to 6, IAM's least; needs [safety] account_settings = true)",
    params: &[ParamSpec::optional(
        "minimum_length",
        "6 to 128",
        "the minimum password length to lower to; default: 6",
    )],
    permissions: &[
        "iam:GetAccountPasswordPolicy",
        "iam:UpdateAccountPasswordPolicy",
        "iam:DeleteAccountPasswordPolicy",
    ],
    example: "minimum_length = 8\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, Weakened),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_length: Option<i32>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let length = r.opt_integer("minimum_length", 6..129);
    Some(Params {
        minimum_length: length.map(|l| l.value as i32),
    })
}

/// The writable rules of a password policy (what UpdateAccountPasswordPolicy takes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Policy {
    pub minimum_password_length: i32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    #[serde(default)]
    pub max_password_age: Option<i32>,
    #[serde(default)]
    pub password_reuse_prevention: Option<i32>,
    #[serde(default)]
    pub hard_expiry: Option<bool>,
}

impl Policy {
    fn from_sdk(p: &SdkPolicy) -> Self {
        // IAM reports an unset age or reuse count as 0 (some implementations), which it would
        // refuse as a value: 0 is "not set".
        let set = |v: Option<i32>| v.filter(|n| *n > 0);
        Policy {
            minimum_password_length: p.minimum_password_length().unwrap_or(6),
            require_symbols: p.require_symbols(),
            require_numbers: p.require_numbers(),
            require_uppercase_characters: p.require_uppercase_characters(),
            require_lowercase_characters: p.require_lowercase_characters(),
            allow_users_to_change_password: p.allow_users_to_change_password(),
            max_password_age: set(p.max_password_age()),
            password_reuse_prevention: set(p.password_reuse_prevention()),
            hard_expiry: p.hard_expiry(),
        }
    }
}

/// Each rule is a part; an account without a policy has none.
impl DriftState for Option<Policy> {
    fn parts(&self) -> Parts {
        self.as_ref().map(parts::fields).unwrap_or_default()
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        self.as_ref().map(|p| parts::with_fields(p, changes))
    }
}

/// The account's password policy; `None` when it has none.
pub(super) async fn read(
    cx: &InjectCx<'_>,
    target: &Target,
) -> Result<Option<Policy>, InjectError> {
    match cx.aws.iam().get_account_password_policy().send().await {
        Ok(out) => Ok(out.password_policy().map(Policy::from_sdk)),
        Err(e) if crate::aws::code_of(&e).is_some_and(|c| c == "NoSuchEntity") => Ok(None),
        Err(e) => Err(errors::aws("GetAccountPasswordPolicy", &target.id)(e)),
    }
}

/// Makes the account's password policy `desired`: every rule written (one call sets the whole
/// policy), or the policy deleted.
pub(super) async fn write(
    cx: &InjectCx<'_>,
    target: &Target,
    desired: &Option<Policy>,
) -> Result<(), InjectError> {
    let iam = cx.aws.iam();
    let Some(p) = desired else {
        return iam
            .delete_account_password_policy()
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("DeleteAccountPasswordPolicy", &target.id));
    };
    iam.update_account_password_policy()
        .minimum_password_length(p.minimum_password_length)
        .require_symbols(p.require_symbols)
        .require_numbers(p.require_numbers)
        .require_uppercase_characters(p.require_uppercase_characters)
        .require_lowercase_characters(p.require_lowercase_characters)
        .allow_users_to_change_password(p.allow_users_to_change_password)
        .set_max_password_age(p.max_password_age)
        .set_password_reuse_prevention(p.password_reuse_prevention)
        .set_hard_expiry(p.hard_expiry)
        .send()
        .await
        .map(drop)
        .map_err(errors::aws("UpdateAccountPasswordPolicy", &target.id))
}

pub(crate) struct Weakened(pub Params);

#[async_trait::async_trait]
impl Model for Weakened {
    type State = Option<Policy>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        read(cx, target).await
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        let Some(policy) = before else {
            return Err(InjectError::precondition(
                &target.to_string(),
                "the account has no password policy to weaken",
            ));
        };
        let minimum_password_length = self.0.minimum_length.unwrap_or(6);
        Ok(Some(Policy {
            minimum_password_length,
            ..policy.clone()
        }))
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        write(cx, target, desired).await
    }
}
