//! How an account setting is found: its id is the account (a global setting) or the region (a
//! regional one) of the clients that change it; another account's or region's setting is not
//! there. Finding it reads it once, so credentials that cannot see it fail before any drill;
//! it carries no tags.

use std::collections::BTreeMap;

use super::PASSWORD_POLICY;
use crate::aws::AwsClients;
use crate::inject::errors;
use crate::inject::service::{Resolver, Tagged};
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) fn lookup_actions(kind: TargetType) -> &'static [&'static str] {
    match kind {
        PASSWORD_POLICY => &["iam:GetAccountPasswordPolicy"],
        _ => &["ec2:GetEbsEncryptionByDefault"],
    }
}

pub(super) struct Account;

/// Whether `id` names the account (global settings) or region (regional ones) of these clients.
async fn here(aws: &AwsClients, kind: TargetType, id: &str) -> Result<bool, InjectError> {
    if kind == PASSWORD_POLICY {
        let account = aws
            .caller_account()
            .await
            .map_err(errors::aws("GetCallerIdentity", "the caller"))?;
        return Ok(account == id);
    }
    Ok(aws.region() == Some(id))
}

/// Reads the setting once: it answers (a missing password policy is an answer too).
async fn read(aws: &AwsClients, kind: TargetType, id: &str) -> Result<(), InjectError> {
    match kind {
        PASSWORD_POLICY => match aws.iam().get_account_password_policy().send().await {
            Ok(_) => Ok(()),
            Err(e) if crate::aws::code_of(&e).is_some_and(|c| c == "NoSuchEntity") => Ok(()),
            Err(e) => Err(errors::aws("GetAccountPasswordPolicy", id)(e)),
        },
        _ => aws
            .ec2()
            .get_ebs_encryption_by_default()
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("GetEbsEncryptionByDefault", id)),
    }
}

#[async_trait::async_trait]
impl Resolver for Account {
    async fn normalise(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        given: &str,
    ) -> Result<Option<String>, InjectError> {
        if !here(aws, kind, given).await? {
            return Ok(None);
        }
        read(aws, kind, given).await?;
        Ok(Some(given.to_string()))
    }

    /// A setting has no tags: no tag selects it.
    async fn tagged(
        &self,
        _aws: &AwsClients,
        _kind: TargetType,
        _wanted: &BTreeMap<String, String>,
    ) -> Result<Tagged, InjectError> {
        Ok(Vec::new())
    }

    async fn existing_tags(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError> {
        Ok(here(aws, kind, id).await?.then(BTreeMap::new))
    }

    fn replaced(&self, target: &Target, now: &str, recorded: &str) -> String {
        format!("{target} is now {now}; it was {recorded}")
    }
}
