//! `ec2.instance.source_dest_check_disabled`: turns an instance's source/destination check off,
//! as someone making it a NAT or a VPN hop "for a minute" does: it then forwards traffic that
//! is neither from nor to it. One setting: revert turns the check back on only while it is
//! still off, and nothing else of the instance is touched.

use aws_sdk_ec2::types::AttributeBooleanValue;

use super::shared::instance;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.instance.source_dest_check_disabled",
    targets: &[super::INSTANCE],
    summary: "turns an instance's source/destination check off (it may then route others' traffic)",
    params: &[],
    permissions: &["ec2:DescribeInstances", "ec2:ModifyInstanceAttribute"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| SourceDestCheck),
};

pub(crate) struct SourceDestCheck;

#[async_trait::async_trait]
impl Model for SourceDestCheck {
    /// Whether the check is on (EC2's default).
    type State = bool;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<bool, InjectError> {
        let i = instance::describe(cx.aws, &target.id).await?;
        Ok(i.source_dest_check().unwrap_or(true))
    }

    fn injected(&self, _: &bool, _: &InjectCx<'_>, _: &Target) -> Result<bool, InjectError> {
        Ok(false)
    }

    fn subject(&self) -> String {
        "the source/destination check".to_string()
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
            .source_dest_check(AttributeBooleanValue::builder().value(*desired).build())
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("ModifyInstanceAttribute", &target.id))
    }
}
