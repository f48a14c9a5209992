//! `ec2.instance.termination_protection`: toggles DisableApiTermination (or sets it as given).

use aws_sdk_ec2::types::{AttributeBooleanValue, InstanceAttributeName};
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.instance.termination_protection",
    targets: &[super::INSTANCE],
    summary: "toggles an instance's termination protection (or sets it to `enabled`)",
    params: &[ParamSpec::optional(
        "enabled",
        "true | false",
        "the value to set; default: the opposite of the current one",
    )],
    permissions: &[
        "ec2:DescribeInstanceAttribute",
        "ec2:ModifyInstanceAttribute",
    ],
    example: "enabled = false\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, Termination),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    Some(Params {
        enabled: r.opt_bool("enabled").map(|b| b.value),
    })
}

pub(crate) struct Termination(pub Params);

#[async_trait::async_trait]
impl Model for Termination {
    type State = bool;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<bool, InjectError> {
        let out = cx
            .aws
            .ec2()
            .describe_instance_attribute()
            .instance_id(&target.id)
            .attribute(InstanceAttributeName::DisableApiTermination)
            .send()
            .await
            .map_err(errors::aws("DescribeInstanceAttribute", &target.id))?;
        Ok(out
            .disable_api_termination()
            .and_then(|v| v.value())
            .unwrap_or(false))
    }

    fn injected(&self, before: &bool, _: &InjectCx<'_>, _: &Target) -> Result<bool, InjectError> {
        Ok(self.0.enabled.unwrap_or(!before))
    }

    fn subject(&self) -> String {
        "termination protection (DisableApiTermination)".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &bool,
        desired: &bool,
    ) -> Result<(), InjectError> {
        cx.aws
            .ec2()
            .modify_instance_attribute()
            .instance_id(&target.id)
            .disable_api_termination(AttributeBooleanValue::builder().value(*desired).build())
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("ModifyInstanceAttribute", &target.id))
    }
}
