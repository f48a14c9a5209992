//! `s3.policy.public_read`: adds a public-read statement to the bucket policy (creating a policy
//! where none existed); revert removes that statement by its id and keeps every other statement
//! (deleting the policy only when the drill's statement was all it held).

use serde_json::json;

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::policy::{self, Policy};
use crate::inject::{ActionSpec, InjectCx, Target, s3::shared::absent};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.policy.public_read",
    targets: &[super::BUCKET],
    summary: "adds a statement granting s3:GetObject to everyone to the bucket policy",
    params: &[],
    permissions: &[
        "s3:GetBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
    ],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| PublicReadPolicy),
};

/// The statement id driftdrill uses: alphanumeric, derived from the drill's mark.
fn sid(cx: &InjectCx<'_>) -> String {
    let tail = crate::inject::mark::sid(cx.mark);
    format!(
        "DriftdrillPublicRead{}",
        &tail[tail.len().saturating_sub(24)..]
    )
}

pub(crate) struct PublicReadPolicy;

#[async_trait::async_trait]
impl Model for PublicReadPolicy {
    type State = Option<Policy>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let out = absent::absent_on(
            cx.aws
                .s3()
                .get_bucket_policy()
                .bucket(&target.id)
                .send()
                .await,
            &["NoSuchBucketPolicy"],
            "GetBucketPolicy",
            &target.id,
        )?;
        policy::parsed(target, out.and_then(|o| o.policy().map(String::from)))
    }

    fn injected(
        &self,
        before: &Self::State,
        cx: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        let statement = json!({
            "Sid": sid(cx),
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::{}/*", target.id),
        });
        policy::adding(target, before, statement)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        match desired {
            None => cx
                .aws
                .s3()
                .delete_bucket_policy()
                .bucket(&target.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteBucketPolicy", &target.id)),
            Some(policy) => cx
                .aws
                .s3()
                .put_bucket_policy()
                .bucket(&target.id)
                .policy(policy.0.to_string())
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("PutBucketPolicy", &target.id)),
        }
    }
}
