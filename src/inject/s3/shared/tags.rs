//! A bucket's whole tag set as state, shared by s3.tag.set and s3.tag.remove. S3 replaces the
//! whole set on every put, so revert writes back the full set with only driftdrill's key undone.

use std::collections::BTreeMap;

use aws_sdk_s3::types::{Tag, Tagging};

use crate::inject::errors::{self, InjectError};
use crate::inject::model::Model;
use crate::inject::params::TagParams;
use crate::inject::{InjectCx, Target, target};

pub(crate) struct BucketTagChange(pub TagParams);

#[async_trait::async_trait]
impl Model for BucketTagChange {
    type State = BTreeMap<String, String>;

    async fn read(&self, cx: &InjectCx<'_>, t: &Target) -> Result<Self::State, InjectError> {
        target::tags_of(cx.aws, t.kind, &t.id).await
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Self::State, InjectError> {
        let mut after = before.clone();
        match &self.0.value {
            Some(v) => after.insert(self.0.key.clone(), v.clone()),
            None => after.remove(&self.0.key),
        };
        Ok(after)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        t: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        if desired.is_empty() {
            return cx
                .aws
                .s3()
                .delete_bucket_tagging()
                .bucket(&t.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteBucketTagging", &t.id));
        }
        let tags = desired
            .iter()
            .map(|(k, v)| {
                Tag::builder()
                    .key(k)
                    .value(v)
                    .build()
                    .expect("key and value are set")
            })
            .collect();
        cx.aws
            .s3()
            .put_bucket_tagging()
            .bucket(&t.id)
            .tagging(
                Tagging::builder()
                    .set_tag_set(Some(tags))
                    .build()
                    .expect("tag set is set"),
            )
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("PutBucketTagging", &t.id))
    }
}
