//! `ec2.subnet.public_ip_on_launch`: makes a subnet give every instance launched in it a
//! public IPv4 address, as someone who "just needs to reach a box" does: from then on a
//! private tier launches onto the internet. One setting: revert turns it back off only while it
//! is still on, and nothing else of the subnet is touched.

use aws_sdk_ec2::types::AttributeBooleanValue;

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.subnet.public_ip_on_launch",
    targets: &[super::SUBNET],
    summary: "makes a subnet give every instance launched in it a public IPv4 address",
    params: &[],
    permissions: &["ec2:DescribeSubnets", "ec2:ModifySubnetAttribute"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| PublicIpOnLaunch),
};

pub(crate) struct PublicIpOnLaunch;

#[async_trait::async_trait]
impl Model for PublicIpOnLaunch {
    /// Whether instances launched in the subnet get a public IPv4 address.
    type State = bool;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<bool, InjectError> {
        let out = cx
            .aws
            .ec2()
            .describe_subnets()
            .subnet_ids(&target.id)
            .send()
            .await
            .map_err(errors::aws("DescribeSubnets", &target.id))?;
        let subnet = out.subnets().first().ok_or_else(|| InjectError::NotFound {
            what: format!("subnet {}", target.id),
        })?;
        Ok(subnet.map_public_ip_on_launch().unwrap_or(false))
    }

    fn injected(&self, _: &bool, _: &InjectCx<'_>, _: &Target) -> Result<bool, InjectError> {
        Ok(true)
    }

    fn subject(&self) -> String {
        "public IPv4 addresses on launch (MapPublicIpOnLaunch)".to_string()
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
            .modify_subnet_attribute()
            .subnet_id(&target.id)
            .map_public_ip_on_launch(AttributeBooleanValue::builder().value(*desired).build())
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("ModifySubnetAttribute", &target.id))
    }
}
