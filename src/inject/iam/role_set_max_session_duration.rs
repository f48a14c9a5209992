//! `iam.role.set_max_session_duration`: changes how long a role's sessions may last.

use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::iam::shared::resource;
use crate::inject::model::{self, Model};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "iam.role.set_max_session_duration",
    targets: &[super::ROLE],
    summary: "changes a role's maximum session duration (default 12 hours)",
    params: &[ParamSpec::optional(
        "seconds",
        "3600 to 43200",
        "the new maximum; default: 43200, or 3600 if it is already 43200",
    )],
    permissions: &["iam:GetRole", "iam:UpdateRole"],
    example: "seconds = 43200\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, MaxSession),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<i32>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    Some(Params {
        seconds: r
            .opt_integer("seconds", 3600..43201)
            .map(|s| s.value as i32),
    })
}

pub(crate) struct MaxSession(pub Params);

#[async_trait::async_trait]
impl Model for MaxSession {
    type State = i32;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<i32, InjectError> {
        Ok(resource::get_role(cx.aws, &target.id)
            .await?
            .and_then(|r| r.max_session_duration())
            .unwrap_or(3600))
    }

    fn injected(&self, before: &i32, _: &InjectCx<'_>, _: &Target) -> Result<i32, InjectError> {
        Ok(self
            .0
            .seconds
            .unwrap_or(if *before == 43200 { 3600 } else { 43200 }))
    }

    fn subject(&self) -> String {
        "the maximum session duration".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &i32,
        desired: &i32,
    ) -> Result<(), InjectError> {
        // UpdateRole also sets the description, and some implementations (LocalStack) clear it
        // when it is left out: pass the current one along so only the duration changes.
        let description = resource::get_role(cx.aws, &target.id)
            .await?
            .and_then(|r| r.description);
        cx.aws
            .iam()
            .update_role()
            .role_name(&target.id)
            .set_description(description)
            .max_session_duration(*desired)
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("UpdateRole", &target.id))
    }
}
