//! `sqs.queue.dead_letter_removed`: detaches a queue's dead-letter queue (removes its redrive
//! policy), as someone clearing a "stuck" consumer does: failing messages then retry until they
//! expire, unseen. The redrive policy is one setting: revert puts back the exact policy the
//! drill removed, and leaves alone one a colleague set meanwhile; no other attribute is touched.

use aws_sdk_sqs::types::QueueAttributeName;

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "sqs.queue.dead_letter_removed",
    targets: &[super::QUEUE],
    summary: "detaches a queue's dead-letter queue (removes its redrive policy)",
    params: &[],
    permissions: &["sqs:GetQueueAttributes", "sqs:SetQueueAttributes"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| DeadLetterRemoved),
};

pub(crate) struct DeadLetterRemoved;

#[async_trait::async_trait]
impl Model for DeadLetterRemoved {
    /// The redrive policy as SQS returns it (JSON text); `None` when there is none.
    type State = Option<String>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let out = cx
            .aws
            .sqs()
            .get_queue_attributes()
            .queue_url(&target.id)
            .attribute_names(QueueAttributeName::RedrivePolicy)
            .send()
            .await
            .map_err(errors::aws("GetQueueAttributes", &target.id))?;
        let policy = out
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::RedrivePolicy));
        Ok(policy.filter(|p| !p.is_empty()).cloned())
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
        "the queue's dead-letter queue (redrive policy)".to_string()
    }

    /// An empty redrive policy removes it; the one to put back is written as it was read.
    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _current: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let policy = desired.clone().unwrap_or_default();
        cx.aws
            .sqs()
            .set_queue_attributes()
            .queue_url(&target.id)
            .attributes(QueueAttributeName::RedrivePolicy, policy)
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("SetQueueAttributes", &target.id))
    }
}
