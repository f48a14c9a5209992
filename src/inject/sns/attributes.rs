//! A topic's attributes, read and written one at a time: what every SNS action changes.

use crate::inject::errors::{self, InjectError};
use crate::inject::{InjectCx, Target};

/// The topic attribute `name`; `None` when the topic does not report it or it is empty.
pub(super) async fn get(
    cx: &InjectCx<'_>,
    target: &Target,
    name: &str,
) -> Result<Option<String>, InjectError> {
    let out = cx
        .aws
        .sns()
        .get_topic_attributes()
        .topic_arn(&target.id)
        .send()
        .await
        .map_err(errors::aws("GetTopicAttributes", &target.id))?;
    let value = out.attributes().and_then(|a| a.get(name));
    Ok(value.filter(|v| !v.trim().is_empty()).cloned())
}

/// Sets the topic attribute `name` to `value` (empty clears it, where SNS allows that).
pub(super) async fn set(
    cx: &InjectCx<'_>,
    target: &Target,
    name: &str,
    value: String,
) -> Result<(), InjectError> {
    cx.aws
        .sns()
        .set_topic_attributes()
        .topic_arn(&target.id)
        .attribute_name(name)
        .attribute_value(value)
        .send()
        .await
        .map(drop)
        .map_err(errors::aws("SetTopicAttributes", &target.id))
}
