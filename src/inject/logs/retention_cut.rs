//! `logs.group.retention_cut`: cuts how long a log group keeps its events, as someone saving on
//! storage in a hurry does: CloudWatch Logs deletes everything older, the trail an incident
//! review needs. One setting: revert puts back the exact retention (or "never expire") the
//! drill cut, and leaves alone one a colleague set meanwhile.

use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "logs.group.retention_cut",
    targets: &[super::LOG_GROUP],
    summary: "cuts how long a log group keeps its events (default: to one day)",
    params: &[ParamSpec::optional(
        "days",
        "1, 3, 5, 7, 14, 30, 60, 90, ...",
        "the retention to cut to, one CloudWatch Logs accepts; default: 1",
    )],
    permissions: &[
        "logs:DescribeLogGroups",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
    ],
    example: "days = 3\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, RetentionCut),
};

/// The retentions, in days, CloudWatch Logs accepts.
const DAYS: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let days = r.opt_integer("days", 1..3654);
    if let Some(d) = &days
        && !DAYS.contains(&d.value)
    {
        let span = d.at.clone().map(|a| a.1).unwrap_or_default();
        let accepted: Vec<String> = DAYS.iter().map(i64::to_string).collect();
        r.error(
            span,
            "invalid-value",
            format!(
                "CloudWatch Logs does not accept a retention of {} days",
                d.value
            ),
            Some(format!("use one of {}", accepted.join(", "))),
        );
        return None;
    }
    Some(Params {
        days: days.map(|d| d.value as i32),
    })
}

pub(crate) struct RetentionCut(pub Params);

#[async_trait::async_trait]
impl Model for RetentionCut {
    /// The retention in days; `None` when events never expire.
    type State = Option<i32>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Option<i32>, InjectError> {
        let group = super::resolver::group(cx.aws, &target.id)
            .await?
            .ok_or_else(|| {
                InjectError::precondition(&target.to_string(), "the log group is gone")
            })?;
        Ok(group.retention_in_days())
    }

    fn injected(
        &self,
        _: &Option<i32>,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Option<i32>, InjectError> {
        Ok(Some(self.0.days.unwrap_or(1)))
    }

    fn subject(&self) -> String {
        "the log group's retention (retentionInDays)".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Option<i32>,
        desired: &Option<i32>,
    ) -> Result<(), InjectError> {
        let logs = cx.aws.logs();
        match desired {
            Some(days) => logs
                .put_retention_policy()
                .log_group_name(&target.id)
                .retention_in_days(*days)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("PutRetentionPolicy", &target.id)),
            None => logs
                .delete_retention_policy()
                .log_group_name(&target.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteRetentionPolicy", &target.id)),
        }
    }
}
