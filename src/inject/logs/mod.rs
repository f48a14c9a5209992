//! CloudWatch Logs: log groups (selected by name, ARN or tags) and drift actions on them, one
//! file per action; `resolver` finds the groups.

pub(crate) mod metric_filter_removed;
pub(crate) mod resolver;
pub(crate) mod retention_cut;

use crate::inject::service::Service;
use crate::vocab::{Naming, TargetKind, TargetType};

pub const LOG_GROUP: TargetType = TargetType::new("aws_cloudwatch_log_group");

pub static SERVICE: Service = Service {
    name: "logs",
    kinds: &[TargetKind {
        kind: LOG_GROUP,
        naming: Naming::Name,
        global: false,
    }],
    actions: &[&retention_cut::SPEC, &metric_filter_removed::SPEC],
    lookup_actions: |_| &["logs:DescribeLogGroups", "logs:ListTagsForResource"],
    resolver: &resolver::Logs,
};
