//! `ssm.parameter.value_edited`: overwrites a parameter's value by hand, as someone flipping a
//! feature flag or repointing an endpoint during an incident does; every service reading it
//! picks the edit up. Revert writes the exact prior value back, and leaves alone a value a
//! colleague wrote meanwhile. SecureString parameters are refused: their value would be read
//! into the journal.

use aws_sdk_ssm::types::ParameterType;
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ssm.parameter.value_edited",
    targets: &[super::PARAMETER],
    summary: "overwrites a String or StringList parameter's value (default: \"driftdrill-edited\")",
    params: &[ParamSpec::optional(
        "value",
        "text",
        "the value to write; default: \"driftdrill-edited\"",
    )],
    permissions: &["ssm:GetParameter", "ssm:PutParameter"],
    example: "value = \"https://maintenance.example.internal\"\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, ValueEdited),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let value = r.opt_string("value");
    if let Some(v) = &value
        && v.value.is_empty()
    {
        let span = v.at.clone().map(|a| a.1).unwrap_or_default();
        r.error(
            span,
            "invalid-value",
            "a parameter value cannot be empty",
            None,
        );
        return None;
    }
    Some(Params {
        value: value.map(|v| v.value),
    })
}

pub(crate) struct ValueEdited(pub Params);

#[async_trait::async_trait]
impl Model for ValueEdited {
    /// The parameter's value.
    type State = String;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<String, InjectError> {
        let out = cx
            .aws
            .ssm()
            .get_parameter()
            .name(&target.id)
            .send()
            .await
            .map_err(errors::aws("GetParameter", &target.id))?;
        let p = out.parameter().ok_or_else(|| {
            InjectError::precondition(&target.to_string(), "the parameter is gone")
        })?;
        if p.r#type() == Some(&ParameterType::SecureString) {
            return Err(InjectError::precondition(
                &target.to_string(),
                "it is a SecureString: its value would be written to the journal in clear; \
                 drill a String parameter",
            ));
        }
        Ok(p.value().unwrap_or_default().to_string())
    }

    fn injected(&self, _: &String, _: &InjectCx<'_>, _: &Target) -> Result<String, InjectError> {
        Ok(self
            .0
            .value
            .clone()
            .unwrap_or_else(|| "driftdrill-edited".to_string()))
    }

    fn subject(&self) -> String {
        "the parameter's value".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &String,
        desired: &String,
    ) -> Result<(), InjectError> {
        cx.aws
            .ssm()
            .put_parameter()
            .name(&target.id)
            .value(desired)
            .overwrite(true)
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("PutParameter", &target.id))
    }
}
