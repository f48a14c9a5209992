//! `sqs.queue.retention_cut`: cuts how long a queue keeps its messages, as someone "draining" a
//! backlog does: unread messages older than that are deleted by SQS itself. One setting: revert
//! puts back the exact retention the drill cut, and leaves alone one a colleague set meanwhile.

use aws_sdk_sqs::types::QueueAttributeName;
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "sqs.queue.retention_cut",
    targets: &[super::QUEUE],
    summary: "cuts how long a queue keeps unread messages (default: to one minute)",
    params: &[ParamSpec::optional(
        "seconds",
        "60 to 1209600",
        "the retention to cut to; default: 60",
    )],
    permissions: &["sqs:GetQueueAttributes", "sqs:SetQueueAttributes"],
    example: "seconds = 300\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, RetentionCut),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<i32>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let seconds = r.opt_integer("seconds", 60..1_209_601);
    Some(Params {
        seconds: seconds.map(|s| s.value as i32),
    })
}

pub(crate) struct RetentionCut(pub Params);

#[async_trait::async_trait]
impl Model for RetentionCut {
    /// MessageRetentionPeriod, in seconds.
    type State = i32;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<i32, InjectError> {
        let out = cx
            .aws
            .sqs()
            .get_queue_attributes()
            .queue_url(&target.id)
            .attribute_names(QueueAttributeName::MessageRetentionPeriod)
            .send()
            .await
            .map_err(errors::aws("GetQueueAttributes", &target.id))?;
        let value = out
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::MessageRetentionPeriod));
        // SQS's default (four days) when the attribute is not returned.
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(345_600))
    }

    fn injected(&self, _: &i32, _: &InjectCx<'_>, _: &Target) -> Result<i32, InjectError> {
        Ok(self.0.seconds.unwrap_or(60))
    }

    fn subject(&self) -> String {
        "the queue's message retention (MessageRetentionPeriod)".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &i32,
        desired: &i32,
    ) -> Result<(), InjectError> {
        cx.aws
            .sqs()
            .set_queue_attributes()
            .queue_url(&target.id)
            .attributes(
                QueueAttributeName::MessageRetentionPeriod,
                desired.to_string(),
            )
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("SetQueueAttributes", &target.id))
    }
}
