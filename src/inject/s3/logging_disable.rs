//! `s3.logging.disable`: turns off server access logging; revert re-enables it with the same
//! target bucket and prefix. Refuses configurations it could not restore exactly.

use aws_sdk_s3::types::{BucketLoggingStatus, LoggingEnabled};
use serde::{Deserialize, Serialize};

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, DriftState, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::parts::{self, Changes, Parts};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.logging.disable",
    targets: &[super::BUCKET],
    summary: "disables server access logging on a bucket",
    params: &[],
    permissions: &["s3:GetBucketLogging", "s3:PutBucketLogging"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| DisableLogging),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Logging {
    pub target_bucket: String,
    pub target_prefix: String,
}

impl Logging {
    fn to_sdk(&self) -> LoggingEnabled {
        LoggingEnabled::builder()
            .target_bucket(&self.target_bucket)
            .target_prefix(&self.target_prefix)
            .build()
            .expect("fields are set")
    }
}

/// Where access logs go is one setting: a target bucket with its prefix.
impl DriftState for Option<Logging> {
    fn parts(&self) -> Parts {
        self.iter()
            .map(|l| ("access logging".to_string(), parts::json(l)))
            .collect()
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        match changes.get("access logging") {
            Some(v) => v.clone().and_then(|v| serde_json::from_value(v).ok()),
            None => self.clone(),
        }
    }
}

pub(crate) struct DisableLogging;

#[async_trait::async_trait]
impl Model for DisableLogging {
    type State = Option<Logging>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let out = cx
            .aws
            .s3()
            .get_bucket_logging()
            .bucket(&target.id)
            .send()
            .await
            .map_err(errors::aws("GetBucketLogging", &target.id))?;
        let Some(enabled) = out.logging_enabled() else {
            return Ok(None);
        };
        let logging = Logging {
            target_bucket: enabled.target_bucket().to_string(),
            target_prefix: enabled.target_prefix().to_string(),
        };
        if &logging.to_sdk() != enabled {
            return Err(InjectError::precondition(
                &target.to_string(),
                "its logging configuration has grants or a key format driftdrill cannot restore exactly",
            ));
        }
        Ok(Some(logging))
    }

    fn injected(
        &self,
        _: &Self::State,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Self::State, InjectError> {
        Ok(None)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let status = BucketLoggingStatus::builder()
            .set_logging_enabled(desired.as_ref().map(Logging::to_sdk))
            .build();
        cx.aws
            .s3()
            .put_bucket_logging()
            .bucket(&target.id)
            .bucket_logging_status(status)
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("PutBucketLogging", &target.id))
    }
}
