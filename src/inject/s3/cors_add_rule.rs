//! `s3.cors.add_rule`: appends a CORS rule (default: GET from any origin) whose ID is the drill's
//! mark; revert removes that rule by its ID and keeps every other rule in its order, deleting the
//! configuration only when no rule is left.

use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, DriftState, Model};
use crate::inject::parts::{self, Changes, Parts};
use crate::inject::{ActionSpec, InjectCx, Target, s3::shared::absent};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.cors.add_rule",
    targets: &[super::BUCKET],
    summary: "adds a CORS rule to a bucket (default: GET from any origin)",
    params: &[
        ParamSpec::optional("allowed_origins", "array of strings", "default [\"*\"]"),
        ParamSpec::optional(
            "allowed_methods",
            "array of GET|PUT|POST|DELETE|HEAD",
            "default [\"GET\"]",
        ),
        ParamSpec::optional("allowed_headers", "array of strings", "default none"),
        ParamSpec::optional("max_age_seconds", "integer 0-2147483647", "default none"),
    ],
    permissions: &["s3:GetBucketCORS", "s3:PutBucketCORS"],
    example: "allowed_origins = [\"*\"]\nallowed_methods = [\"GET\", \"PUT\"]\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, AddCorsRule),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    pub allowed_origins: Vec<String>,
    pub allowed_methods: Vec<String>,
    pub allowed_headers: Vec<String>,
    pub max_age_seconds: Option<i32>,
}

const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "HEAD"];

fn read_params(r: &mut TableReader) -> Option<Params> {
    let origins = r.opt_strings("allowed_origins");
    let methods = r.opt_strings("allowed_methods");
    let headers = r.opt_strings("allowed_headers");
    let max_age = r.opt_integer("max_age_seconds", 0..i64::from(i32::MAX));
    let mut ok = true;
    for m in methods.iter().flatten() {
        if !METHODS.contains(&m.value.as_str()) {
            r.report(
                m.diag(
                    "invalid-value",
                    format!("{:?} is not a CORS method", m.value),
                )
                .with_hint(crate::diag::suggest::hint(&m.value, METHODS)),
            );
            ok = false;
        }
    }
    let strings = |v: Option<Vec<crate::diag::Located<String>>>, default: &[&str]| {
        v.map_or_else(
            || default.iter().map(|s| s.to_string()).collect(),
            |v| v.into_iter().map(|s| s.value).collect(),
        )
    };
    ok.then(|| Params {
        allowed_origins: strings(origins, &["*"]),
        allowed_methods: strings(methods, &["GET"]),
        allowed_headers: strings(headers, &[]),
        max_age_seconds: max_age.map(|m| m.value as i32),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: Option<String>,
    pub allowed_origins: Vec<String>,
    pub allowed_methods: Vec<String>,
    pub allowed_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub max_age_seconds: Option<i32>,
}

impl Rule {
    fn to_sdk(&self) -> CorsRule {
        CorsRule::builder()
            .set_id(self.id.clone())
            .set_allowed_origins(Some(self.allowed_origins.clone()))
            .set_allowed_methods(Some(self.allowed_methods.clone()))
            .set_allowed_headers(
                (!self.allowed_headers.is_empty()).then(|| self.allowed_headers.clone()),
            )
            .set_expose_headers(
                (!self.expose_headers.is_empty()).then(|| self.expose_headers.clone()),
            )
            .set_max_age_seconds(self.max_age_seconds)
            .build()
            .expect("origins and methods are set")
    }

    fn from_sdk(r: &CorsRule) -> Rule {
        Rule {
            id: r.id().map(String::from),
            allowed_origins: r.allowed_origins().to_vec(),
            allowed_methods: r.allowed_methods().to_vec(),
            allowed_headers: r.allowed_headers().to_vec(),
            expose_headers: r.expose_headers().to_vec(),
            max_age_seconds: r.max_age_seconds(),
        }
    }
}

/// The rule list in order (order decides which rule matches a request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CorsRules(pub Vec<Rule>);

impl Rule {
    /// A rule is a part: `rule <ID>`, or its JSON when it has no ID.
    fn key(&self) -> String {
        match &self.id {
            Some(id) if !id.is_empty() => format!("rule {id}"),
            _ => format!("rule {}", parts::json(self)),
        }
    }
}

impl DriftState for CorsRules {
    fn parts(&self) -> Parts {
        self.0.iter().map(|r| (r.key(), parts::json(r))).collect()
    }

    /// Rules keep their order (it decides which rule answers a request); new ones go last.
    fn with_parts(&self, changes: &Changes) -> Self {
        let mut placed = std::collections::BTreeSet::new();
        let mut rules = Vec::new();
        for rule in &self.0 {
            let key = rule.key();
            match changes.get(&key) {
                None => rules.push(rule.clone()),
                Some(change) => {
                    placed.insert(key);
                    rules.extend(
                        change
                            .iter()
                            .filter_map(|v| serde_json::from_value(v.clone()).ok()),
                    );
                }
            }
        }
        for (key, change) in changes {
            if !placed.contains(key) {
                rules.extend(
                    change
                        .iter()
                        .filter_map(|v| serde_json::from_value(v.clone()).ok()),
                );
            }
        }
        CorsRules(rules)
    }
}

pub(crate) struct AddCorsRule(pub Params);

#[async_trait::async_trait]
impl Model for AddCorsRule {
    type State = CorsRules;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<CorsRules, InjectError> {
        let out = absent::absent_on(
            cx.aws
                .s3()
                .get_bucket_cors()
                .bucket(&target.id)
                .send()
                .await,
            &["NoSuchCORSConfiguration"],
            "GetBucketCors",
            &target.id,
        )?;
        Ok(CorsRules(
            out.map(|o| o.cors_rules().iter().map(Rule::from_sdk).collect())
                .unwrap_or_default(),
        ))
    }

    fn injected(
        &self,
        before: &CorsRules,
        cx: &InjectCx<'_>,
        _: &Target,
    ) -> Result<CorsRules, InjectError> {
        let mut after = before.clone();
        after.0.push(Rule {
            id: Some(cx.mark.chars().take(255).collect()),
            allowed_origins: self.0.allowed_origins.clone(),
            allowed_methods: self.0.allowed_methods.clone(),
            allowed_headers: self.0.allowed_headers.clone(),
            expose_headers: Vec::new(),
            max_age_seconds: self.0.max_age_seconds,
        });
        Ok(after)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &CorsRules,
        desired: &CorsRules,
    ) -> Result<(), InjectError> {
        if desired.0.is_empty() {
            return cx
                .aws
                .s3()
                .delete_bucket_cors()
                .bucket(&target.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteBucketCors", &target.id));
        }
        let config = CorsConfiguration::builder()
            .set_cors_rules(Some(desired.0.iter().map(Rule::to_sdk).collect()))
            .build()
            .expect("rules are set");
        cx.aws
            .s3()
            .put_bucket_cors()
            .bucket(&target.id)
            .cors_configuration(config)
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("PutBucketCors", &target.id))
    }
}
