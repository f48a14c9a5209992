//! SNS: topics (selected by ARN, name or tags; the id is the topic ARN the API takes) and drift
//! actions on them, one file per action; `resolver` finds the topics.

mod attributes;
pub(crate) mod encryption_removed;
pub(crate) mod policy_open;
pub(crate) mod resolver;

use crate::inject::service::Service;
use crate::vocab::{Naming, TargetKind, TargetType};

pub const TOPIC: TargetType = TargetType::new("aws_sns_topic");

pub static SERVICE: Service = Service {
    name: "sns",
    kinds: &[TargetKind {
        kind: TOPIC,
        naming: Naming::Name,
        global: false,
    }],
    actions: &[&policy_open::SPEC, &encryption_removed::SPEC],
    lookup_actions: |_| &["sns:ListTopics", "sns:ListTagsForResource"],
    resolver: &resolver::Sns,
};
