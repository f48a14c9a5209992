//! `s3.acl.public_read`: grants READ to everyone (AllUsers) through the bucket ACL; revert writes
//! back the exact grant list, keeping grants others added meanwhile.

use std::collections::BTreeSet;

use aws_sdk_s3::types::{AccessControlPolicy, Grant, Grantee, Permission, Type};
use serde::{Deserialize, Serialize};

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.acl.public_read",
    targets: &[super::BUCKET],
    summary: "grants READ to AllUsers through the bucket ACL",
    params: &[],
    permissions: &["s3:GetBucketAcl", "s3:PutBucketAcl"],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| PublicReadAcl),
};

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";

/// One grant: who (by type and id, URI or e-mail) and what.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct AclGrant {
    pub grantee_type: String,
    pub id: Option<String>,
    pub uri: Option<String>,
    pub email: Option<String>,
    pub permission: String,
}

impl AclGrant {
    fn to_sdk(&self) -> Grant {
        let grantee = Grantee::builder()
            .r#type(Type::from(self.grantee_type.as_str()))
            .set_id(self.id.clone())
            .set_uri(self.uri.clone())
            .set_email_address(self.email.clone())
            .build()
            .expect("grantee type is set");
        Grant::builder()
            .grantee(grantee)
            .permission(Permission::from(self.permission.as_str()))
            .build()
    }
}

/// A grant is told apart by all of it: grantee and permission.
impl crate::inject::parts::Element for AclGrant {
    fn key(&self) -> String {
        let who = self
            .uri
            .as_deref()
            .or(self.id.as_deref())
            .or(self.email.as_deref())
            .unwrap_or("?");
        format!("grant {} to {who}", self.permission)
    }
}

pub(crate) struct PublicReadAcl;

#[async_trait::async_trait]
impl Model for PublicReadAcl {
    type State = BTreeSet<AclGrant>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let out = cx
            .aws
            .s3()
            .get_bucket_acl()
            .bucket(&target.id)
            .send()
            .await
            .map_err(errors::aws("GetBucketAcl", &target.id))?;
        Ok(out
            .grants()
            .iter()
            .filter_map(|g| {
                let who = g.grantee()?;
                Some(AclGrant {
                    grantee_type: who.r#type().as_str().to_string(),
                    id: who.id().map(String::from),
                    uri: who.uri().map(String::from),
                    email: who.email_address().map(String::from),
                    permission: g.permission().map_or("READ", |p| p.as_str()).to_string(),
                })
            })
            .collect())
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Self::State, InjectError> {
        let mut after = before.clone();
        after.insert(AclGrant {
            grantee_type: "Group".into(),
            id: None,
            uri: Some(ALL_USERS.into()),
            email: None,
            permission: "READ".into(),
        });
        Ok(after)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let current = cx
            .aws
            .s3()
            .get_bucket_acl()
            .bucket(&target.id)
            .send()
            .await
            .map_err(errors::aws("GetBucketAcl", &target.id))?;
        let policy = AccessControlPolicy::builder()
            .set_owner(current.owner().cloned())
            .set_grants(Some(desired.iter().map(AclGrant::to_sdk).collect()))
            .build();
        cx.aws
            .s3()
            .put_bucket_acl()
            .bucket(&target.id)
            .access_control_policy(policy)
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("PutBucketAcl", &target.id))
    }
}
