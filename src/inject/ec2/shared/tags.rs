//! One EC2 tag as state (present with a value, or absent), shared by ec2.tag.set and ec2.tag.remove.
//! Deletes always name the key: `DeleteTags` without tags would delete every tag.

use crate::inject::errors::{self, InjectError};
use crate::inject::model::Model;
use crate::inject::params::TagParams;
use crate::inject::{InjectCx, Target, target};
use aws_sdk_ec2::types::Tag;

pub(crate) struct TagChange(pub TagParams);

#[async_trait::async_trait]
impl Model for TagChange {
    type State = Option<String>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        Ok(target::tags_of(cx.aws, target.kind, &target.id)
            .await?
            .remove(&self.0.key))
    }

    fn injected(
        &self,
        _: &Self::State,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Self::State, InjectError> {
        Ok(self.0.value.clone())
    }

    fn subject(&self) -> String {
        format!("tag {}", self.0.key)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        match desired {
            Some(value) => cx
                .aws
                .ec2()
                .create_tags()
                .resources(&target.id)
                .tags(Tag::builder().key(&self.0.key).value(value).build())
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("CreateTags", &target.id)),
            None => cx
                .aws
                .ec2()
                .delete_tags()
                .resources(&target.id)
                .tags(Tag::builder().key(&self.0.key).build())
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteTags", &target.id)),
        }
    }
}
