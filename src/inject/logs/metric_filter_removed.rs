//! `logs.group.metric_filter_removed`: deletes one metric filter of a log group, as someone
//! silencing a noisy alarm at its source does: the metric it fed stops, so the alarm on it (the
//! CIS monitoring alarms on root logins or policy changes are built this way) never fires
//! again. The filter is one part: revert creates it again exactly (pattern, every metric
//! transformation, every option), unless a colleague created one under its name meanwhile
//! (theirs stays).

use std::collections::BTreeMap;

use aws_sdk_cloudwatchlogs::types::{MetricFilter, MetricTransformation, StandardUnit};
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, DriftState, Model};
use crate::inject::parts::{self, Changes, Parts};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "logs.group.metric_filter_removed",
    targets: &[super::LOG_GROUP],
    summary: "deletes one metric filter of a log group, so the metric and any alarm on it go quiet",
    params: &[ParamSpec::required(
        "filter_name",
        "string",
        "the metric filter to delete",
    )],
    permissions: &[
        "logs:DescribeMetricFilters",
        "logs:DeleteMetricFilter",
        "logs:PutMetricFilter",
    ],
    example: "filter_name = \"root-account-usage\"\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, FilterRemoved),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    pub filter_name: String,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    Some(Params {
        filter_name: r.string("filter_name")?.value,
    })
}

/// One metric transformation, every field PutMetricFilter takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Transformation {
    pub metric_name: String,
    pub metric_namespace: String,
    pub metric_value: String,
    pub default_value: Option<f64>,
    pub dimensions: BTreeMap<String, String>,
    pub unit: Option<String>,
}

/// A metric filter as PutMetricFilter would create it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Filter {
    pub pattern: String,
    pub transformations: Vec<Transformation>,
    pub apply_on_transformed_logs: bool,
    pub field_selection_criteria: Option<String>,
    pub emit_system_field_dimensions: Vec<String>,
}

impl Filter {
    fn from_sdk(f: &MetricFilter) -> Self {
        let transformation = |t: &MetricTransformation| Transformation {
            metric_name: t.metric_name().to_string(),
            metric_namespace: t.metric_namespace().to_string(),
            metric_value: t.metric_value().to_string(),
            default_value: t.default_value(),
            dimensions: t
                .dimensions()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            unit: t.unit().map(|u| u.as_str().to_string()),
        };
        Filter {
            pattern: f.filter_pattern().unwrap_or_default().to_string(),
            transformations: f
                .metric_transformations()
                .iter()
                .map(transformation)
                .collect(),
            apply_on_transformed_logs: f.apply_on_transformed_logs(),
            field_selection_criteria: f.field_selection_criteria().map(String::from),
            emit_system_field_dimensions: f.emit_system_field_dimensions().to_vec(),
        }
    }

    fn transformations_sdk(&self) -> Vec<MetricTransformation> {
        let one = |t: &Transformation| {
            MetricTransformation::builder()
                .metric_name(&t.metric_name)
                .metric_namespace(&t.metric_namespace)
                .metric_value(&t.metric_value)
                .set_default_value(t.default_value)
                .set_dimensions(
                    (!t.dimensions.is_empty()).then(|| t.dimensions.clone().into_iter().collect()),
                )
                .set_unit(t.unit.as_deref().map(StandardUnit::from))
                .build()
                .expect("name, namespace and value are set")
        };
        self.transformations.iter().map(one).collect()
    }
}

/// The filter is one part: it exists as it was, or not.
impl DriftState for Option<Filter> {
    fn parts(&self) -> Parts {
        self.iter()
            .map(|f| ("the metric filter".to_string(), parts::json(f)))
            .collect()
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        match changes.get("the metric filter") {
            Some(v) => v.clone().and_then(|v| serde_json::from_value(v).ok()),
            None => self.clone(),
        }
    }
}

pub(crate) struct FilterRemoved(pub Params);

#[async_trait::async_trait]
impl Model for FilterRemoved {
    type State = Option<Filter>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let name = &self.0.filter_name;
        let out = cx
            .aws
            .logs()
            .describe_metric_filters()
            .log_group_name(&target.id)
            .filter_name_prefix(name)
            .send()
            .await
            .map_err(errors::aws("DescribeMetricFilters", &target.id))?;
        let found = out
            .metric_filters()
            .iter()
            .find(|f| f.filter_name() == Some(name));
        Ok(found.map(Filter::from_sdk))
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        if before.is_none() {
            return Err(InjectError::precondition(
                &target.to_string(),
                format!("it has no metric filter named {:?}", self.0.filter_name),
            ));
        }
        Ok(None)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let logs = cx.aws.logs();
        let name = &self.0.filter_name;
        let Some(f) = desired else {
            return logs
                .delete_metric_filter()
                .log_group_name(&target.id)
                .filter_name(name)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteMetricFilter", &target.id));
        };
        logs.put_metric_filter()
            .log_group_name(&target.id)
            .filter_name(name)
            .filter_pattern(&f.pattern)
            .set_metric_transformations(Some(f.transformations_sdk()))
            .apply_on_transformed_logs(f.apply_on_transformed_logs)
            .set_field_selection_criteria(f.field_selection_criteria.clone())
            .set_emit_system_field_dimensions(
                (!f.emit_system_field_dimensions.is_empty())
                    .then(|| f.emit_system_field_dimensions.clone()),
            )
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("PutMetricFilter", &target.id))
    }
}
