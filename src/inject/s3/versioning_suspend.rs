//! `s3.versioning.suspend`: suspends bucket versioning. Refuses buckets where versioning was
//! never enabled: S3 can never go back to "never enabled", so that drill could not be undone.

use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.versioning.suspend",
    targets: &[super::BUCKET],
    summary: "suspends versioning on a versioned bucket",
    params: &[],
    permissions: &["s3:GetBucketVersioning", "s3:PutBucketVersioning"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| SuspendVersioning),
};

pub(crate) struct SuspendVersioning;

#[async_trait::async_trait]
impl Model for SuspendVersioning {
    /// `Enabled`, `Suspended`, or `None` for never enabled.
    type State = Option<String>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let out = cx
            .aws
            .s3()
            .get_bucket_versioning()
            .bucket(&target.id)
            .send()
            .await
            .map_err(errors::aws("GetBucketVersioning", &target.id))?;
        Ok(out.status().map(|s| s.as_str().to_string()))
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        if before.is_none() {
            return Err(InjectError::precondition(
                &target.to_string(),
                "versioning was never enabled, and a bucket can never return to that state: suspending it could not be reverted exactly",
            ));
        }
        Ok(Some("Suspended".into()))
    }

    fn subject(&self) -> String {
        "the versioning status".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let Some(status) = desired else {
            return Err(InjectError::precondition(
                &target.to_string(),
                "versioning cannot be set back to never-enabled",
            ));
        };
        cx.aws
            .s3()
            .put_bucket_versioning()
            .bucket(&target.id)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::from(status.as_str()))
                    .build(),
            )
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("PutBucketVersioning", &target.id))
    }
}
