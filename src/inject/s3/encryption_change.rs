//! `s3.encryption.change`: changes or removes default encryption. Removal reads back differently
//! on AWS (SSE-S3 again) and LocalStack (an empty configuration); both are normalised to the
//! SSE-S3 default so verification means the same thing everywhere. The revert puts back each
//! field the drill changed (algorithm, key, bucket key) and keeps one someone else changed.

use aws_sdk_s3::types::{
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, DriftState, Model};
use crate::inject::parts::{self, Changes, Parts};
use crate::inject::{ActionSpec, InjectCx, Target, s3::shared::absent};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.encryption.change",
    targets: &[super::BUCKET],
    summary: "changes a bucket's default encryption (algorithm, KMS key, bucket key) or removes it",
    params: &[
        ParamSpec::required(
            "algorithm",
            "\"AES256\" | \"aws:kms\" | \"aws:kms:dsse\" | \"none\"",
            "\"none\" removes the configuration",
        ),
        ParamSpec::optional("kms_key_id", "string", "KMS key for aws:kms"),
        ParamSpec::optional(
            "bucket_key",
            "true | false",
            "S3 bucket key (default false)",
        ),
    ],
    permissions: &[
        "s3:GetEncryptionConfiguration",
        "s3:PutEncryptionConfiguration",
    ],
    example: "algorithm = \"none\"\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, ChangeEncryption),
};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rule {
    pub algorithm: String,
    pub kms_key_id: Option<String>,
    pub bucket_key: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    /// `None` removes the configuration.
    pub set: Option<Rule>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let algorithm = r.choice(
        "algorithm",
        &["AES256", "aws:kms", "aws:kms:dsse", "none"],
        true,
    );
    let kms_key_id = r.opt_string("kms_key_id").map(|k| k.value);
    let bucket_key = r.opt_bool("bucket_key").is_some_and(|b| b.value);
    let algorithm = algorithm?.value;
    if algorithm == "none" {
        if kms_key_id.is_some() || r.value_span("bucket_key").is_some() {
            r.error(
                r.span(),
                "conflicting-keys",
                "algorithm \"none\" removes encryption: drop kms_key_id and bucket_key",
                None,
            );
            return None;
        }
        return Some(Params { set: None });
    }
    if kms_key_id.is_some() && !algorithm.starts_with("aws:kms") {
        r.error(
            r.span(),
            "conflicting-keys",
            "kms_key_id only applies to aws:kms algorithms",
            None,
        );
        return None;
    }
    Some(Params {
        set: Some(Rule {
            algorithm,
            kms_key_id,
            bucket_key,
        }),
    })
}

/// What a bucket without explicit configuration reads as (AWS's default since 2023).
fn default_rules() -> Vec<Rule> {
    vec![Rule {
        algorithm: "AES256".into(),
        kms_key_id: None,
        bucket_key: false,
    }]
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Encryption(pub Vec<Rule>);

/// S3 holds one rule: its fields are the parts.
impl DriftState for Encryption {
    fn parts(&self) -> Parts {
        let rule = self
            .0
            .first()
            .cloned()
            .unwrap_or_else(|| default_rules().remove(0));
        parts::fields(&rule)
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        let rule = self
            .0
            .first()
            .cloned()
            .unwrap_or_else(|| default_rules().remove(0));
        Encryption(vec![parts::with_fields(&rule, changes)])
    }
}

pub(crate) struct ChangeEncryption(pub Params);

#[async_trait::async_trait]
impl Model for ChangeEncryption {
    type State = Encryption;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Encryption, InjectError> {
        let out = absent::absent_on(
            cx.aws
                .s3()
                .get_bucket_encryption()
                .bucket(&target.id)
                .send()
                .await,
            &["ServerSideEncryptionConfigurationNotFoundError"],
            "GetBucketEncryption",
            &target.id,
        )?;
        let mut rules: Vec<Rule> = out
            .and_then(|o| o.server_side_encryption_configuration().cloned())
            .map(|c| {
                c.rules()
                    .iter()
                    .filter_map(|r| {
                        let d = r.apply_server_side_encryption_by_default()?;
                        Some(Rule {
                            algorithm: d.sse_algorithm().as_str().to_string(),
                            kms_key_id: d.kms_master_key_id().map(String::from),
                            bucket_key: r.bucket_key_enabled().unwrap_or(false),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        if rules.is_empty() {
            rules = default_rules();
        }
        if rules.len() > 1 {
            return Err(InjectError::precondition(
                &target.to_string(),
                format!(
                    "it has {} default-encryption rules; S3 allows one",
                    rules.len()
                ),
            ));
        }
        Ok(Encryption(rules))
    }

    fn injected(
        &self,
        _: &Encryption,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Encryption, InjectError> {
        Ok(Encryption(
            self.0.set.clone().map_or_else(default_rules, |r| vec![r]),
        ))
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Encryption,
        desired: &Encryption,
    ) -> Result<(), InjectError> {
        if self.0.set.is_none() && desired.0 == default_rules() {
            return cx
                .aws
                .s3()
                .delete_bucket_encryption()
                .bucket(&target.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteBucketEncryption", &target.id));
        }
        let rules = desired
            .0
            .iter()
            .map(|r| {
                let by_default = ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(ServerSideEncryption::from(r.algorithm.as_str()))
                    .set_kms_master_key_id(r.kms_key_id.clone())
                    .build()
                    .expect("algorithm is set");
                ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(by_default)
                    .bucket_key_enabled(r.bucket_key)
                    .build()
            })
            .collect();
        let config = ServerSideEncryptionConfiguration::builder()
            .set_rules(Some(rules))
            .build()
            .expect("rules are set");
        cx.aws
            .s3()
            .put_bucket_encryption()
            .bucket(&target.id)
            .server_side_encryption_configuration(config)
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("PutBucketEncryption", &target.id))
    }
}
