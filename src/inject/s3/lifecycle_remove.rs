//! `s3.lifecycle.remove`: deletes a bucket's lifecycle configuration; revert puts back every rule
//! and the transition minimum-size setting, keeping any rule someone else added meanwhile (a
//! rule someone else re-created under the same ID stays theirs). Rules with fields driftdrill
//! cannot carry are refused at snapshot time (checked by rebuilding each rule and comparing),
//! never half-restored.

use aws_sdk_s3::primitives::DateTime;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, ExpirationStatus,
    LifecycleExpiration, LifecycleRule, LifecycleRuleAndOperator, LifecycleRuleFilter,
    NoncurrentVersionExpiration, NoncurrentVersionTransition, Tag, Transition,
    TransitionDefaultMinimumObjectSize, TransitionStorageClass,
};
use serde::{Deserialize, Serialize};

use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, DriftState, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::parts::{self, Changes, Parts};
use crate::inject::{ActionSpec, InjectCx, Target, s3::shared::absent};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.lifecycle.remove",
    targets: &[super::BUCKET],
    summary: "deletes every lifecycle rule of a bucket",
    params: &[],
    permissions: &[
        "s3:GetLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
    ],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| RemoveLifecycle),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub rules: Vec<Rule>,
    pub transition_default_minimum_object_size: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Filter {
    pub prefix: Option<String>,
    pub tags: Vec<(String, String)>,
    pub object_size_greater_than: Option<i64>,
    pub object_size_less_than: Option<i64>,
    /// Whether the filter used an `And` operator.
    pub and: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: Option<String>,
    pub status: String,
    pub legacy_prefix: Option<String>,
    pub filter: Option<Filter>,
    pub expiration_days: Option<i32>,
    pub expiration_date_secs: Option<i64>,
    pub expired_object_delete_marker: Option<bool>,
    pub transitions: Vec<(Option<i32>, Option<i64>, String)>,
    pub noncurrent_expiration: Option<(Option<i32>, Option<i32>)>,
    pub noncurrent_transitions: Vec<(Option<i32>, Option<i32>, String)>,
    pub abort_incomplete_days: Option<i32>,
}

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder()
        .key(k)
        .value(v)
        .build()
        .expect("key and value are set")
}

impl Rule {
    fn from_sdk(r: &LifecycleRule) -> Rule {
        let filter = r.filter().map(|f| match f.and() {
            Some(and) => Filter {
                prefix: and.prefix().map(String::from),
                tags: and
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect(),
                object_size_greater_than: and.object_size_greater_than(),
                object_size_less_than: and.object_size_less_than(),
                and: true,
            },
            None => Filter {
                prefix: f.prefix().map(String::from),
                tags: f
                    .tag()
                    .map(|t| vec![(t.key().to_string(), t.value().to_string())])
                    .unwrap_or_default(),
                object_size_greater_than: f.object_size_greater_than(),
                object_size_less_than: f.object_size_less_than(),
                and: false,
            },
        });
        #[allow(deprecated)]
        let legacy_prefix = r.prefix().map(String::from);
        Rule {
            id: r.id().map(String::from),
            status: r.status().as_str().to_string(),
            legacy_prefix,
            filter,
            expiration_days: r.expiration().and_then(|e| e.days()),
            expiration_date_secs: r.expiration().and_then(|e| e.date()).map(|d| d.secs()),
            expired_object_delete_marker: r
                .expiration()
                .and_then(|e| e.expired_object_delete_marker()),
            transitions: r
                .transitions()
                .iter()
                .map(|t| {
                    (
                        t.days(),
                        t.date().map(|d| d.secs()),
                        t.storage_class().map_or("", |s| s.as_str()).to_string(),
                    )
                })
                .collect(),
            noncurrent_expiration: r
                .noncurrent_version_expiration()
                .map(|n| (n.noncurrent_days(), n.newer_noncurrent_versions())),
            noncurrent_transitions: r
                .noncurrent_version_transitions()
                .iter()
                .map(|t| {
                    (
                        t.noncurrent_days(),
                        t.newer_noncurrent_versions(),
                        t.storage_class().map_or("", |s| s.as_str()).to_string(),
                    )
                })
                .collect(),
            abort_incomplete_days: r
                .abort_incomplete_multipart_upload()
                .and_then(|a| a.days_after_initiation()),
        }
    }

    fn to_sdk(&self) -> LifecycleRule {
        let filter = self.filter.as_ref().map(|f| {
            if f.and {
                let and = LifecycleRuleAndOperator::builder()
                    .set_prefix(f.prefix.clone())
                    .set_tags(Some(f.tags.iter().map(|(k, v)| tag(k, v)).collect()))
                    .set_object_size_greater_than(f.object_size_greater_than)
                    .set_object_size_less_than(f.object_size_less_than)
                    .build();
                LifecycleRuleFilter::builder().and(and).build()
            } else {
                LifecycleRuleFilter::builder()
                    .set_prefix(f.prefix.clone())
                    .set_tag(f.tags.first().map(|(k, v)| tag(k, v)))
                    .set_object_size_greater_than(f.object_size_greater_than)
                    .set_object_size_less_than(f.object_size_less_than)
                    .build()
            }
        });
        let expiration = (self.expiration_days.is_some()
            || self.expiration_date_secs.is_some()
            || self.expired_object_delete_marker.is_some())
        .then(|| {
            LifecycleExpiration::builder()
                .set_days(self.expiration_days)
                .set_date(self.expiration_date_secs.map(DateTime::from_secs))
                .set_expired_object_delete_marker(self.expired_object_delete_marker)
                .build()
        });
        #[allow(deprecated)]
        let builder = LifecycleRule::builder().set_prefix(self.legacy_prefix.clone());
        builder
            .set_id(self.id.clone())
            .status(ExpirationStatus::from(self.status.as_str()))
            .set_filter(filter)
            .set_expiration(expiration)
            .set_transitions((!self.transitions.is_empty()).then(|| {
                self.transitions
                    .iter()
                    .map(|(days, date, class)| {
                        Transition::builder()
                            .set_days(*days)
                            .set_date(date.map(DateTime::from_secs))
                            .storage_class(TransitionStorageClass::from(class.as_str()))
                            .build()
                    })
                    .collect()
            }))
            .set_noncurrent_version_expiration(self.noncurrent_expiration.map(|(days, newer)| {
                NoncurrentVersionExpiration::builder()
                    .set_noncurrent_days(days)
                    .set_newer_noncurrent_versions(newer)
                    .build()
            }))
            .set_noncurrent_version_transitions((!self.noncurrent_transitions.is_empty()).then(
                || {
                    self.noncurrent_transitions
                        .iter()
                        .map(|(days, newer, class)| {
                            NoncurrentVersionTransition::builder()
                                .set_noncurrent_days(*days)
                                .set_newer_noncurrent_versions(*newer)
                                .storage_class(TransitionStorageClass::from(class.as_str()))
                                .build()
                        })
                        .collect()
                },
            ))
            .set_abort_incomplete_multipart_upload(self.abort_incomplete_days.map(|d| {
                AbortIncompleteMultipartUpload::builder()
                    .days_after_initiation(d)
                    .build()
            }))
            .build()
            .expect("status is set")
    }
}

const MIN_SIZE: &str = "transition_default_minimum_object_size";

impl Rule {
    /// A rule is a part: `rule <ID>`, or its JSON when it has no ID.
    fn key(&self) -> String {
        match &self.id {
            Some(id) if !id.is_empty() => format!("rule {id}"),
            _ => format!("rule {}", parts::json(self)),
        }
    }
}

/// Rules by ID and the minimum-size setting; no rules left means no configuration.
impl DriftState for Option<Lifecycle> {
    fn parts(&self) -> Parts {
        let Some(l) = self else {
            return Parts::new();
        };
        let mut parts: Parts = l.rules.iter().map(|r| (r.key(), parts::json(r))).collect();
        if let Some(size) = &l.transition_default_minimum_object_size {
            parts.insert(MIN_SIZE.into(), size.clone().into());
        }
        parts
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        let mut l = self.clone().unwrap_or(Lifecycle {
            rules: Vec::new(),
            transition_default_minimum_object_size: None,
        });
        l.rules.retain(|r| !changes.contains_key(&r.key()));
        for (key, change) in changes {
            match (key.as_str(), change) {
                (MIN_SIZE, v) => {
                    l.transition_default_minimum_object_size =
                        v.as_ref().and_then(|v| v.as_str()).map(String::from)
                }
                (_, Some(v)) => l.rules.extend(serde_json::from_value(v.clone()).ok()),
                (_, None) => {}
            }
        }
        (!l.rules.is_empty()).then_some(l)
    }
}

pub(crate) struct RemoveLifecycle;

#[async_trait::async_trait]
impl Model for RemoveLifecycle {
    type State = Option<Lifecycle>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let out = absent::absent_on(
            cx.aws
                .s3()
                .get_bucket_lifecycle_configuration()
                .bucket(&target.id)
                .send()
                .await,
            &["NoSuchLifecycleConfiguration"],
            "GetBucketLifecycleConfiguration",
            &target.id,
        )?;
        let Some(out) = out else { return Ok(None) };
        let mut rules = Vec::new();
        for sdk in out.rules() {
            let rule = Rule::from_sdk(sdk);
            if &rule.to_sdk() != sdk {
                return Err(InjectError::precondition(
                    &target.to_string(),
                    format!(
                        "lifecycle {} has fields driftdrill cannot restore exactly",
                        rule.key()
                    ),
                ));
            }
            rules.push(rule);
        }
        if rules.is_empty() {
            return Ok(None);
        }
        Ok(Some(Lifecycle {
            rules,
            transition_default_minimum_object_size: out
                .transition_default_minimum_object_size()
                .map(|s| s.as_str().to_string()),
        }))
    }

    fn injected(
        &self,
        _: &Self::State,
        _: &InjectCx<'_>,
        _: &Target,
    ) -> Result<Self::State, InjectError> {
        Ok(None)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let Some(lifecycle) = desired else {
            return cx
                .aws
                .s3()
                .delete_bucket_lifecycle()
                .bucket(&target.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteBucketLifecycle", &target.id));
        };
        let config = BucketLifecycleConfiguration::builder()
            .set_rules(Some(lifecycle.rules.iter().map(Rule::to_sdk).collect()))
            .build()
            .expect("rules are set");
        cx.aws
            .s3()
            .put_bucket_lifecycle_configuration()
            .bucket(&target.id)
            .lifecycle_configuration(config)
            .set_transition_default_minimum_object_size(
                lifecycle
                    .transition_default_minimum_object_size
                    .as_deref()
                    .map(TransitionDefaultMinimumObjectSize::from),
            )
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("PutBucketLifecycleConfiguration", &target.id))
    }
}
