//! `sqs.queue.encryption_removed`: turns a queue's server-side encryption off, SQS-managed
//! (SqsManagedSseEnabled) or KMS (KmsMasterKeyId), as someone "debugging" a consumer does. The
//! encryption is one setting: revert puts back what the drill turned off, and leaves alone an
//! encryption a colleague chose meanwhile; every other attribute is never touched.

use aws_sdk_sqs::types::QueueAttributeName;

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "sqs.queue.encryption_removed",
    targets: &[super::QUEUE],
    summary: "turns a queue's server-side encryption off (SQS-managed or KMS)",
    params: &[],
    permissions: &["sqs:GetQueueAttributes", "sqs:SetQueueAttributes"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| EncryptionRemoved),
};

/// The state when nothing encrypts the queue.
const NONE: &str = "none";
/// SQS-managed keys (SSE-SQS).
const SQS_MANAGED: &str = "SSE-SQS";
/// A KMS key: `SSE-KMS <key id>`.
const KMS: &str = "SSE-KMS ";

pub(crate) struct EncryptionRemoved;

#[async_trait::async_trait]
impl Model for EncryptionRemoved {
    /// `none`, `SSE-SQS` or `SSE-KMS <key id>`.
    type State = String;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<String, InjectError> {
        let out = cx
            .aws
            .sqs()
            .get_queue_attributes()
            .queue_url(&target.id)
            .attribute_names(QueueAttributeName::SqsManagedSseEnabled)
            .attribute_names(QueueAttributeName::KmsMasterKeyId)
            .send()
            .await
            .map_err(errors::aws("GetQueueAttributes", &target.id))?;
        let get = |k: QueueAttributeName| out.attributes().and_then(|a| a.get(&k)).cloned();
        let key = get(QueueAttributeName::KmsMasterKeyId).filter(|k| !k.is_empty());
        let managed = get(QueueAttributeName::SqsManagedSseEnabled).as_deref() == Some("true");
        Ok(match (key, managed) {
            (Some(key), _) => format!("{KMS}{key}"),
            (None, true) => SQS_MANAGED.to_string(),
            (None, false) => NONE.to_string(),
        })
    }

    fn injected(&self, _: &String, _: &InjectCx<'_>, _: &Target) -> Result<String, InjectError> {
        Ok(NONE.to_string())
    }

    fn subject(&self) -> String {
        "the queue's encryption".to_string()
    }

    /// Writes only the attributes that differ: a KMS key and SQS-managed encryption exclude
    /// each other, so the one going away is switched off in the same call.
    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        current: &String,
        desired: &String,
    ) -> Result<(), InjectError> {
        let key = |s: &str| s.strip_prefix(KMS).unwrap_or_default().to_string();
        let managed = |s: &str| s == SQS_MANAGED;
        let mut call = cx.aws.sqs().set_queue_attributes().queue_url(&target.id);
        if key(desired) != key(current) {
            call = call.attributes(QueueAttributeName::KmsMasterKeyId, key(desired));
        }
        if managed(desired) != managed(current) {
            call = call.attributes(
                QueueAttributeName::SqsManagedSseEnabled,
                managed(desired).to_string(),
            );
        }
        call.send()
            .await
            .map(drop)
            .map_err(errors::aws("SetQueueAttributes", &target.id))
    }
}
