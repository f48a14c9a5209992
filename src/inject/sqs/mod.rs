//! SQS: its target type (queues, selected by name or tags; the id is the queue URL the API
//! takes) and drift actions, one file per action; `resolver` finds the queues.

pub(crate) mod dead_letter_removed;
pub(crate) mod encryption_removed;
pub(crate) mod policy_open;
pub(crate) mod resolver;
pub(crate) mod retention_cut;

use crate::inject::service::Service;
use crate::vocab::{Naming, TargetKind, TargetType};

pub const QUEUE: TargetType = TargetType::new("aws_sqs_queue");

pub static SERVICE: Service = Service {
    name: "sqs",
    kinds: &[TargetKind {
        kind: QUEUE,
        naming: Naming::Name,
        global: false,
    }],
    actions: &[
        &policy_open::SPEC,
        &encryption_removed::SPEC,
        &dead_letter_removed::SPEC,
        &retention_cut::SPEC,
    ],
    lookup_actions: |_| {
        &[
            "sqs:GetQueueUrl",
            "sqs:ListQueues",
            "sqs:ListQueueTags",
            "sqs:GetQueueAttributes",
        ]
    },
    resolver: &resolver::Sqs,
};
