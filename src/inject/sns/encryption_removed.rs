//! `sns.topic.encryption_removed`: turns a topic's server-side encryption off (clears its
//! KmsMasterKeyId), as someone fixing a publisher's KMS permission error in a hurry does: every
//! message is then stored unencrypted. One setting: revert puts the exact key back, and leaves
//! alone a key a colleague chose meanwhile.

use crate::inject::errors::InjectError;
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "sns.topic.encryption_removed",
    targets: &[super::TOPIC],
    summary: "turns a topic's server-side encryption off (clears its KMS key)",
    params: &[],
    permissions: &["sns:GetTopicAttributes", "sns:SetTopicAttributes"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| EncryptionRemoved),
};

/// The attribute naming the topic's KMS key.
const KEY: &str = "KmsMasterKeyId";

pub(crate) struct EncryptionRemoved;

#[async_trait::async_trait]
impl Model for EncryptionRemoved {
    /// The KMS key encrypting the topic; `None` when it is not encrypted.
    type State = Option<String>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        super::attributes::get(cx, target, KEY).await
    }

    fn injected(
        &self,
        _: &Self::State,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Self::State, InjectError> {
        Ok(None)
    }

    fn subject(&self) -> String {
        "the topic's encryption key (KmsMasterKeyId)".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let key = desired.clone().unwrap_or_default();
        super::attributes::set(cx, target, KEY, key).await
    }
}
