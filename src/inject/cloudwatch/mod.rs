//! CloudWatch: metric alarms (selected by name, ARN or tags) and drift actions on them, one file
//! per action; `resolver` finds the alarms.

pub(crate) mod alarm_actions_disabled;
pub(crate) mod resolver;

use crate::inject::service::Service;
use crate::vocab::{Naming, TargetKind, TargetType};

pub const ALARM: TargetType = TargetType::new("aws_cloudwatch_metric_alarm");

pub static SERVICE: Service = Service {
    name: "cloudwatch",
    kinds: &[TargetKind {
        kind: ALARM,
        naming: Naming::Name,
        global: false,
    }],
    actions: &[&alarm_actions_disabled::SPEC],
    lookup_actions: |_| {
        &[
            "cloudwatch:DescribeAlarms",
            "cloudwatch:ListTagsForResource",
        ]
    },
    resolver: &resolver::CloudWatch,
};
