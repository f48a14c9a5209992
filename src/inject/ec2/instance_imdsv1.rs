//! `ec2.instance.allow_imdsv1`: sets HttpTokens=optional; revert restores every metadata option,
//! each passed explicitly (partial calls have returned InternalError on LocalStack).

use aws_sdk_ec2::types::{
    HttpTokensState, InstanceMetadataEndpointState, InstanceMetadataProtocolState,
    InstanceMetadataTagsState,
};
use serde::{Deserialize, Serialize};

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, DriftState, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::parts::{self, Changes, Parts};
use crate::inject::{ActionSpec, InjectCx, Target, ec2::shared::instance};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.instance.allow_imdsv1",
    targets: &[super::INSTANCE],
    summary: "re-enables IMDSv1 on an instance (HttpTokens=optional)",
    params: &[],
    permissions: &["ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| AllowImdsV1),
};

/// Every metadata option, as strings AWS uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MetadataOptions {
    pub http_tokens: String,
    pub http_endpoint: String,
    pub http_put_response_hop_limit: i32,
    pub http_protocol_ipv6: String,
    pub instance_metadata_tags: String,
}

/// Each option is a part: a colleague's hop-limit change survives the drill's revert.
impl DriftState for MetadataOptions {
    fn parts(&self) -> Parts {
        parts::fields(self)
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        parts::with_fields(self, changes)
    }
}

pub(crate) struct AllowImdsV1;

#[async_trait::async_trait]
impl Model for AllowImdsV1 {
    type State = MetadataOptions;

    async fn read(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
    ) -> Result<MetadataOptions, InjectError> {
        let instance = instance::describe(cx.aws, &target.id).await?;
        let m = instance.metadata_options().ok_or_else(|| {
            InjectError::precondition(&target.to_string(), "it reports no metadata options")
        })?;
        Ok(MetadataOptions {
            http_tokens: m
                .http_tokens()
                .map_or("optional", |v| v.as_str())
                .to_string(),
            http_endpoint: m
                .http_endpoint()
                .map_or("enabled", |v| v.as_str())
                .to_string(),
            http_put_response_hop_limit: m.http_put_response_hop_limit().unwrap_or(1),
            http_protocol_ipv6: m
                .http_protocol_ipv6()
                .map_or("disabled", |v| v.as_str())
                .to_string(),
            instance_metadata_tags: m
                .instance_metadata_tags()
                .map_or("disabled", |v| v.as_str())
                .to_string(),
        })
    }

    fn injected(
        &self,
        before: &MetadataOptions,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<MetadataOptions, InjectError> {
        Ok(MetadataOptions {
            http_tokens: "optional".into(),
            ..before.clone()
        })
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &MetadataOptions,
        desired: &MetadataOptions,
    ) -> Result<(), InjectError> {
        cx.aws
            .ec2()
            .modify_instance_metadata_options()
            .instance_id(&target.id)
            .http_tokens(HttpTokensState::from(desired.http_tokens.as_str()))
            .http_endpoint(InstanceMetadataEndpointState::from(
                desired.http_endpoint.as_str(),
            ))
            .http_put_response_hop_limit(desired.http_put_response_hop_limit)
            .http_protocol_ipv6(InstanceMetadataProtocolState::from(
                desired.http_protocol_ipv6.as_str(),
            ))
            .instance_metadata_tags(InstanceMetadataTagsState::from(
                desired.instance_metadata_tags.as_str(),
            ))
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("ModifyInstanceMetadataOptions", &target.id))
    }
}
