//! How an account setting is found: its id is the region of the clients that change it (a
//! setting of another region is not there), read once to know these credentials can see it;
//! it carries no tags.

use std::collections::BTreeMap;

use crate::aws::AwsClients;
use crate::inject::errors;
use crate::inject::service::Resolver;
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) struct Ebs;

/// Whether `region` is the region these clients act in.
fn here(aws: &AwsClients, region: &str) -> bool {
    aws.region() == Some(region)
}

#[async_trait::async_trait]
impl Resolver for Ebs {
    async fn normalise(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        given: &str,
    ) -> Result<Option<String>, InjectError> {
        if !here(aws, given) {
            return Ok(None);
        }
        aws.ec2
            .get_ebs_encryption_by_default()
            .send()
            .await
            .map_err(errors::aws("GetEbsEncryptionByDefault", given))?;
        Ok(Some(given.to_string()))
    }

    /// A setting has no tags: no tag selects it.
    async fn tagged(
        &self,
        _aws: &AwsClients,
        _kind: TargetType,
        _wanted: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, InjectError> {
        Ok(Vec::new())
    }

    async fn existing_tags(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError> {
        Ok(here(aws, id).then(BTreeMap::new))
    }

    fn replaced(&self, target: &Target, now: &str, recorded: &str) -> String {
        format!(
            "the setting of region {} is now {now}; it was {recorded}",
            target.id
        )
    }
}
