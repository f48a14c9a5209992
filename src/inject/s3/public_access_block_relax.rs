//! `s3.public_access_block.relax`: relaxes (or, with `remove = true`, deletes) a bucket's public
//! access block; revert turns back on each of the four settings the drill turned off, keeping
//! any setting someone else changed meanwhile. No block reads as all four off.

use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, DriftState, Model};
use crate::inject::parts::{self, Changes, Parts};
use crate::inject::{ActionSpec, InjectCx, Target, s3::shared::absent};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.public_access_block.relax",
    targets: &[super::BUCKET],
    summary: "turns off a bucket's public access block settings (all four by default), or deletes the block",
    params: &[
        ParamSpec::optional(
            "block_public_acls",
            "true | false",
            "value to set (default false)",
        ),
        ParamSpec::optional(
            "ignore_public_acls",
            "true | false",
            "value to set (default false)",
        ),
        ParamSpec::optional(
            "block_public_policy",
            "true | false",
            "value to set (default false)",
        ),
        ParamSpec::optional(
            "restrict_public_buckets",
            "true | false",
            "value to set (default false)",
        ),
        ParamSpec::optional("remove", "true | false", "delete the whole block instead"),
    ],
    permissions: &[
        "s3:GetBucketPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
    ],
    example: "block_public_policy = false\nrestrict_public_buckets = false\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, Relax),
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Block {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    /// `None` deletes the block.
    pub set: Option<Block>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let mut get = |key| r.opt_bool(key).is_some_and(|b| b.value);
    let block = Block {
        block_public_acls: get("block_public_acls"),
        ignore_public_acls: get("ignore_public_acls"),
        block_public_policy: get("block_public_policy"),
        restrict_public_buckets: get("restrict_public_buckets"),
    };
    let remove = r.opt_bool("remove");
    match remove {
        Some(b) if b.value => {
            let any = [
                "block_public_acls",
                "ignore_public_acls",
                "block_public_policy",
                "restrict_public_buckets",
            ]
            .iter()
            .any(|k| r.value_span(k).is_some());
            if any {
                r.error(
                    r.span(),
                    "conflicting-keys",
                    "`remove = true` deletes the block: drop the individual settings",
                    None,
                );
                return None;
            }
            Some(Params { set: None })
        }
        _ => Some(Params { set: Some(block) }),
    }
}

const OFF: Block = Block {
    block_public_acls: false,
    ignore_public_acls: false,
    block_public_policy: false,
    restrict_public_buckets: false,
};

/// Each flag is a part.
impl DriftState for Option<Block> {
    fn parts(&self) -> Parts {
        parts::fields(&self.unwrap_or(OFF))
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        Some(parts::with_fields(&self.unwrap_or(OFF), changes))
    }
}

pub(crate) struct Relax(pub Params);

#[async_trait::async_trait]
impl Model for Relax {
    type State = Option<Block>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let out = absent::absent_on(
            cx.aws
                .s3()
                .get_public_access_block()
                .bucket(&target.id)
                .send()
                .await,
            &["NoSuchPublicAccessBlockConfiguration"],
            "GetPublicAccessBlock",
            &target.id,
        )?;
        Ok(out
            .and_then(|o| o.public_access_block_configuration().cloned())
            .map(|c| Block {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            }))
    }

    fn injected(
        &self,
        _: &Self::State,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Self::State, InjectError> {
        Ok(self.0.set)
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
                .delete_public_access_block()
                .bucket(&target.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeletePublicAccessBlock", &target.id)),
            Some(b) => cx
                .aws
                .s3()
                .put_public_access_block()
                .bucket(&target.id)
                .public_access_block_configuration(
                    PublicAccessBlockConfiguration::builder()
                        .block_public_acls(b.block_public_acls)
                        .ignore_public_acls(b.ignore_public_acls)
                        .block_public_policy(b.block_public_policy)
                        .restrict_public_buckets(b.restrict_public_buckets)
                        .build(),
                )
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("PutPublicAccessBlock", &target.id)),
        }
    }
}
