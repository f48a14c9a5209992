//! `account.ebs_encryption_by_default.disabled`: switches off EBS encryption by default for the
//! account and region, as someone working around a KMS permission error during an incident
//! does: every volume created afterwards, by anyone, is unencrypted. One setting: revert switches it on
//! again, and leaves alone a setting a colleague changed meanwhile.

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "account.ebs_encryption_by_default.disabled",
    targets: &[super::ENCRYPTION_BY_DEFAULT],
    summary: "switches off EBS encryption by default for the whole account and region (needs [safety] account_settings = true)",
    params: &[],
    permissions: &[
        "ec2:GetEbsEncryptionByDefault",
        "ec2:DisableEbsEncryptionByDefault",
        "ec2:EnableEbsEncryptionByDefault",
    ],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| EncryptionOff),
};

pub(crate) struct EncryptionOff;

#[async_trait::async_trait]
impl Model for EncryptionOff {
    /// Whether new volumes are encrypted by default.
    type State = bool;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<bool, InjectError> {
        let out = cx
            .aws
            .ec2()
            .get_ebs_encryption_by_default()
            .send()
            .await
            .map_err(errors::aws("GetEbsEncryptionByDefault", &target.id))?;
        Ok(out.ebs_encryption_by_default().unwrap_or(false))
    }

    fn injected(&self, _: &bool, _: &InjectCx<'_>, _: &Target) -> Result<bool, InjectError> {
        Ok(false)
    }

    fn subject(&self) -> String {
        "EBS encryption by default".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &bool,
        desired: &bool,
    ) -> Result<(), InjectError> {
        let ec2 = cx.aws.ec2();
        if *desired {
            ec2.enable_ebs_encryption_by_default()
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("EnableEbsEncryptionByDefault", &target.id))
        } else {
            ec2.disable_ebs_encryption_by_default()
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DisableEbsEncryptionByDefault", &target.id))
        }
    }
}
