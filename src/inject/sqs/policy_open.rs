//! `sqs.queue.policy_open`: adds a statement letting anyone (`Principal: "*"`) send to the queue
//! to its access policy (creating one where none existed); revert removes that statement by its
//! id and keeps every other statement (clearing the policy only when the drill's statement was
//! all it held).

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::json;

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::policy::{self, Policy};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "sqs.queue.policy_open",
    targets: &[super::QUEUE],
    summary: "adds a statement letting everyone (Principal \"*\") send messages to the queue policy",
    params: &[],
    permissions: &["sqs:GetQueueAttributes", "sqs:SetQueueAttributes"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| OpenPolicy),
};

pub(crate) struct OpenPolicy;

/// The queue's access policy as text; `None` when it has none.
async fn policy_text(cx: &InjectCx<'_>, target: &Target) -> Result<Option<String>, InjectError> {
    let out = cx
        .aws
        .sqs()
        .get_queue_attributes()
        .queue_url(&target.id)
        .attribute_names(QueueAttributeName::Policy)
        .send()
        .await
        .map_err(errors::aws("GetQueueAttributes", &target.id))?;
    let policy = out
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::Policy))
        .filter(|p| !p.trim().is_empty());
    Ok(policy.cloned())
}

#[async_trait::async_trait]
impl Model for OpenPolicy {
    type State = Option<Policy>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        policy::parsed(target, policy_text(cx, target).await?)
    }

    fn injected(
        &self,
        before: &Self::State,
        cx: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        let statement = json!({
            "Sid": crate::inject::mark::sid(cx.mark),
            "Effect": "Allow",
            "Principal": "*",
            "Action": "sqs:SendMessage",
            "Resource": "*",
        });
        policy::adding(target, before, statement)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        // An empty policy attribute removes the policy.
        let text = desired.as_ref().map_or(String::new(), |p| p.0.to_string());
        cx.aws
            .sqs()
            .set_queue_attributes()
            .queue_url(&target.id)
            .attributes(QueueAttributeName::Policy, text)
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("SetQueueAttributes", &target.id))
    }
}
