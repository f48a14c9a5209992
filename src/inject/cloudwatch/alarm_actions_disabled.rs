//! `cloudwatch.alarm.actions_disabled`: switches a metric alarm's actions off (DisableAlarmActions),
//! as someone silencing a noisy alarm during an incident does; the alarm still changes state but
//! pages nobody. Revert switches them on again, and only if the drill's "off" is still there.

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "cloudwatch.alarm.actions_disabled",
    targets: &[super::ALARM],
    summary: "disables a metric alarm's actions: it still changes state, but notifies and acts on nothing",
    params: &[],
    permissions: &[
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DisableAlarmActions",
        "cloudwatch:EnableAlarmActions",
    ],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| ActionsDisabled),
};

pub(crate) struct ActionsDisabled;

#[async_trait::async_trait]
impl Model for ActionsDisabled {
    /// Whether the alarm's actions are enabled.
    type State = bool;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<bool, InjectError> {
        let alarm = super::resolver::alarm(cx.aws, &target.id)
            .await?
            .ok_or_else(|| InjectError::precondition(&target.to_string(), "the alarm is gone"))?;
        Ok(alarm.actions_enabled().unwrap_or(true))
    }

    fn injected(&self, _: &bool, _: &InjectCx<'_>, _: &Target) -> Result<bool, InjectError> {
        Ok(false)
    }

    fn subject(&self) -> String {
        "the alarm's actions (ActionsEnabled)".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &bool,
        desired: &bool,
    ) -> Result<(), InjectError> {
        let cw = cx.aws.cloudwatch();
        if *desired {
            cw.enable_alarm_actions()
                .alarm_names(&target.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("EnableAlarmActions", &target.id))
        } else {
            cw.disable_alarm_actions()
                .alarm_names(&target.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DisableAlarmActions", &target.id))
        }
    }
}
