//! `ec2.vpc.dns_support_disabled`: switches off the Amazon-provided DNS resolver of a VPC
//! (EnableDnsSupport), as someone pointing instances at their own resolver during an outage
//! does: private hosted zones and interface endpoints stop resolving, and services fall back to
//! public endpoints or fail. One setting: revert switches it on again only while it is still
//! off, and nothing else of the VPC is touched.

use aws_sdk_ec2::types::{AttributeBooleanValue, VpcAttributeName};

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.vpc.dns_support_disabled",
    targets: &[super::VPC],
    summary: "switches off a VPC's Amazon-provided DNS resolver (EnableDnsSupport)",
    params: &[],
    permissions: &["ec2:DescribeVpcAttribute", "ec2:ModifyVpcAttribute"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| DnsSupportOff),
};

pub(crate) struct DnsSupportOff;

#[async_trait::async_trait]
impl Model for DnsSupportOff {
    /// Whether the VPC resolves DNS through the Amazon-provided resolver.
    type State = bool;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<bool, InjectError> {
        let out = cx
            .aws
            .ec2()
            .describe_vpc_attribute()
            .vpc_id(&target.id)
            .attribute(VpcAttributeName::EnableDnsSupport)
            .send()
            .await
            .map_err(errors::aws("DescribeVpcAttribute", &target.id))?;
        Ok(out
            .enable_dns_support()
            .and_then(|v| v.value())
            .unwrap_or(true))
    }

    fn injected(&self, _: &bool, _: &InjectCx<'_>, _: &Target) -> Result<bool, InjectError> {
        Ok(false)
    }

    fn subject(&self) -> String {
        "the VPC's DNS resolution (EnableDnsSupport)".to_string()
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
            .modify_vpc_attribute()
            .vpc_id(&target.id)
            .enable_dns_support(AttributeBooleanValue::builder().value(*desired).build())
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("ModifyVpcAttribute", &target.id))
    }
}
