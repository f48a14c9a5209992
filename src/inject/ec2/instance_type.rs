//! `ec2.instance.change_type`: an emergency resize. Stops the instance if it runs, modifies the
//! type, starts it again; revert does the same back to the snapshotted type.

use aws_sdk_ec2::types::{AttributeValue, InstanceStateName, InstanceType};
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::{ActionSpec, InjectCx, Target, ec2::shared::instance};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.instance.change_type",
    targets: &[super::INSTANCE],
    summary: "changes an instance's type (stop, modify, start), like an emergency resize",
    params: &[ParamSpec::required(
        "instance_type",
        "string, e.g. \"t3.large\"",
        "the type to resize to",
    )],
    permissions: &[
        "ec2:DescribeInstances",
        "ec2:StopInstances",
        "ec2:ModifyInstanceAttribute",
        "ec2:StartInstances",
    ],
    example: "instance_type = \"t3.large\"\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, ChangeType),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    pub instance_type: String,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let t = r.string("instance_type")?;
    let known: Vec<&str> = InstanceType::values().to_vec();
    if !known.contains(&t.value.as_str()) {
        let span = t.at.clone().map(|a| a.1).unwrap_or_default();
        r.error(
            span,
            "invalid-value",
            format!("{:?} is not an EC2 instance type", t.value),
            Some(crate::diag::suggest::hint(&t.value, &known)),
        );
        return None;
    }
    Some(Params {
        instance_type: t.value,
    })
}

pub(crate) struct ChangeType(pub Params);

#[async_trait::async_trait]
impl Model for ChangeType {
    type State = String;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<String, InjectError> {
        let instance = instance::describe(cx.aws, &target.id).await?;
        Ok(instance
            .instance_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default())
    }

    fn injected(&self, _: &String, _: &InjectCx<'_>, _: &Target) -> Result<String, InjectError> {
        Ok(self.0.instance_type.clone())
    }

    fn subject(&self) -> String {
        "the instance type".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &String,
        desired: &String,
    ) -> Result<(), InjectError> {
        let ec2 = cx.aws.ec2();
        let id = target.id.as_str();
        let state = instance::describe(cx.aws, id)
            .await?
            .state()
            .and_then(|s| s.name().cloned());
        let was_running = matches!(
            state,
            Some(InstanceStateName::Running | InstanceStateName::Pending)
        );
        if was_running {
            ec2.stop_instances()
                .instance_ids(id)
                .send()
                .await
                .map_err(errors::aws("StopInstances", id))?;
            wait(cx, id, Wanted::Stopped).await?;
        }
        ec2.modify_instance_attribute()
            .instance_id(id)
            .instance_type(AttributeValue::builder().value(desired).build())
            .send()
            .await
            .map_err(errors::aws("ModifyInstanceAttribute", id))?;
        if was_running {
            ec2.start_instances()
                .instance_ids(id)
                .send()
                .await
                .map_err(errors::aws("StartInstances", id))?;
            wait(cx, id, Wanted::Running).await?;
        }
        Ok(())
    }
}

enum Wanted {
    Stopped,
    Running,
}

/// The SDK's own waiters (bounded, with AWS's recommended delays): the injector does not loop.
async fn wait(cx: &InjectCx<'_>, id: &str, wanted: Wanted) -> Result<(), InjectError> {
    use aws_sdk_ec2::client::Waiters;
    let limit = std::time::Duration::from_secs(600);
    let result = match wanted {
        Wanted::Stopped => cx
            .aws
            .ec2()
            .wait_until_instance_stopped()
            .instance_ids(id)
            .wait(limit)
            .await
            .map(drop),
        Wanted::Running => cx
            .aws
            .ec2()
            .wait_until_instance_running()
            .instance_ids(id)
            .wait(limit)
            .await
            .map(drop),
    };
    result.map_err(|e| {
        InjectError::Aws(crate::aws::AwsError {
            operation: "wait for instance state",
            resource: id.to_string(),
            code: None,
            transient: true,
            message: crate::errors::chain(&e),
        })
    })
}
