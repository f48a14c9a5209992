//! `s3.ownership.acls_enabled`: turns ACLs back on for a bucket whose owner enforces ownership
//! (BucketOwnerEnforced → ObjectWriter), as someone unblocking an old uploader that sets ACLs
//! does: grants to other accounts and to everyone work again, the first step of most public
//! bucket incidents. One setting: revert enforces ownership again, unless a colleague chose
//! another setting meanwhile (theirs stays).

use aws_sdk_s3::types::{ObjectOwnership, OwnershipControls, OwnershipControlsRule};
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.ownership.acls_enabled",
    targets: &[super::BUCKET],
    summary: "turns ACLs back on for a bucket that enforces object ownership (default: ObjectWriter)",
    params: &[ParamSpec::optional(
        "ownership",
        "ObjectWriter or BucketOwnerPreferred",
        "the object ownership to set; default: ObjectWriter",
    )],
    permissions: &[
        "s3:GetBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
    ],
    example: "ownership = \"BucketOwnerPreferred\"\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, AclsEnabled),
};

/// What the drill may set: both honour ACLs.
const WITH_ACLS: &[&str] = &["ObjectWriter", "BucketOwnerPreferred"];
/// The setting that disables ACLs.
const ENFORCED: &str = "BucketOwnerEnforced";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<String>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let ownership = r.choice("ownership", WITH_ACLS, false);
    Some(Params {
        ownership: ownership.map(|o| o.value),
    })
}

pub(crate) struct AclsEnabled(pub Params);

#[async_trait::async_trait]
impl Model for AclsEnabled {
    /// The object ownership setting; `None` when the bucket has no ownership controls.
    type State = Option<String>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let out = cx
            .aws
            .s3()
            .get_bucket_ownership_controls()
            .bucket(&target.id)
            .send()
            .await;
        match out {
            Ok(out) => Ok(out
                .ownership_controls()
                .and_then(|c| c.rules().first())
                .map(|r| r.object_ownership().as_str().to_string())),
            Err(e) if crate::aws::code_of(&e) == Some("OwnershipControlsNotFoundError") => Ok(None),
            Err(e) => Err(errors::aws("GetBucketOwnershipControls", &target.id)(e)),
        }
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        if before.as_deref() != Some(ENFORCED) {
            return Err(InjectError::precondition(
                &target.to_string(),
                "it does not enforce object ownership (BucketOwnerEnforced): its ACLs already work",
            ));
        }
        let ownership = self.0.ownership.as_deref().unwrap_or(WITH_ACLS[0]);
        Ok(Some(ownership.to_string()))
    }

    fn subject(&self) -> String {
        "the bucket's object ownership".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let s3 = cx.aws.s3();
        let Some(ownership) = desired else {
            return s3
                .delete_bucket_ownership_controls()
                .bucket(&target.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteBucketOwnershipControls", &target.id));
        };
        let rule = OwnershipControlsRule::builder()
            .object_ownership(ObjectOwnership::from(ownership.as_str()))
            .build()
            .expect("ownership is set");
        let controls = OwnershipControls::builder()
            .rules(rule)
            .build()
            .expect("a rule is set");
        s3.put_bucket_ownership_controls()
            .bucket(&target.id)
            .ownership_controls(controls)
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("PutBucketOwnershipControls", &target.id))
    }
}
