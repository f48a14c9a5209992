//! SSM Parameter Store: parameters (selected by name, ARN or tags) and drift actions on them,
//! one file per action; `resolver` finds the parameters.

pub(crate) mod resolver;
pub(crate) mod value_edited;

use crate::inject::service::Service;
use crate::vocab::{Naming, TargetKind, TargetType};

pub const PARAMETER: TargetType = TargetType::new("aws_ssm_parameter");

pub static SERVICE: Service = Service {
    name: "ssm",
    kinds: &[TargetKind {
        kind: PARAMETER,
        naming: Naming::Name,
        global: false,
    }],
    actions: &[&value_edited::SPEC],
    lookup_actions: |_| &["ssm:DescribeParameters", "ssm:ListTagsForResource"],
    resolver: &resolver::Ssm,
};
