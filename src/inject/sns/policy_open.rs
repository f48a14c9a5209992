//! `sns.topic.policy_open`: adds a statement letting anyone (`Principal: "*"`) publish to the
//! topic to its access policy, as someone wiring a third-party integration in a hurry does:
//! anyone can then send the topic's subscribers (pagers, queues, functions) what they like.
//! Revert removes that statement by its id and keeps every other statement.

use serde_json::json;

use crate::inject::errors::InjectError;
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::policy::{self, Policy};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "sns.topic.policy_open",
    targets: &[super::TOPIC],
    summary: "adds a statement letting everyone (Principal \"*\") publish to the topic policy",
    params: &[],
    permissions: &["sns:GetTopicAttributes", "sns:SetTopicAttributes"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| OpenPolicy),
};

pub(crate) struct OpenPolicy;

#[async_trait::async_trait]
impl Model for OpenPolicy {
    type State = Option<Policy>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let parsed = policy::parsed(target, super::attributes::get(cx, target, "Policy").await?)?;
        // A topic always has a policy: one without statements reads as none.
        Ok(parsed.filter(|p| !policy::statements(&p.0).is_empty()))
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
            "Action": "SNS:Publish",
            "Resource": target.id,
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
        // SNS takes no empty policy: "none" is a document without statements.
        let empty = || Policy(json!({ "Version": "2012-10-17", "Statement": [] }));
        let text = desired.clone().unwrap_or_else(empty).0.to_string();
        super::attributes::set(cx, target, "Policy", text).await
    }
}
