//! `sqs` channel: long-polls a queue where SNS-fanned drift alerts land, matches messages like the
//! webhook does, and deletes only the messages it matched (configurable).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::payload::FORMATS;
use super::{DetectorSpec, Role};
use crate::diag::TableReader;
use crate::formats::ParamSpec;

pub static SPEC: DetectorSpec = DetectorSpec {
    id: "sqs",
    role: Role::Channel,
    summary: "SQS queue of alerts (e.g. SNS fan-out), long-polled; matched messages deleted",
    params: &[
        ParamSpec::required("queue_url", "URL", "the queue to read"),
        ParamSpec::optional(
            "format",
            "payload format",
            "as for webhook (default generic)",
        ),
        ParamSpec::optional(
            "json_paths",
            "array of dotted paths",
            "generic: where to look for resource ids",
        ),
        ParamSpec::optional(
            "wait_time",
            "duration 1s-20s",
            "long-poll wait per receive (default 10s)",
        ),
        ParamSpec::optional(
            "delete",
            "\"matched\" | \"none\"",
            "which messages to delete (default matched)",
        ),
    ],
    example: "queue_url = \"http://127.0.0.1:4566/000000000000/drift-alerts\"\n",
    read: |r| crate::inject::params::to_json(read(r)),
    roundtrip: crate::inject::params::roundtrip::<Settings>,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub queue_url: String,
    pub format: String,
    pub json_paths: Vec<String>,
    #[serde(with = "humantime_serde")]
    pub wait_time: Duration,
    pub delete_matched: bool,
}

fn read(r: &mut TableReader) -> Option<Settings> {
    let queue_url = r.string("queue_url");
    let format = r
        .choice("format", FORMATS, false)
        .map_or_else(|| "generic".to_string(), |f| f.value);
    let json_paths = r
        .opt_strings("json_paths")
        .map(|v| v.into_iter().map(|p| p.value).collect())
        .unwrap_or_default();
    let wait = r.opt_duration("wait_time");
    let delete = r
        .choice("delete", &["matched", "none"], false)
        .is_none_or(|d| d.value == "matched");
    let wait_time = match wait {
        None => Duration::from_secs(10),
        Some(w) if w.value >= Duration::from_secs(1) && w.value <= Duration::from_secs(20) => {
            w.value
        }
        Some(w) => {
            r.report(w.diag(
                "out-of-range",
                "wait_time must be between 1s and 20s (the SQS long-poll limit)",
            ));
            return None;
        }
    };
    let queue_url = queue_url?;
    if !queue_url.value.starts_with("http://") && !queue_url.value.starts_with("https://") {
        r.report(queue_url.diag(
            "invalid-value",
            format!("queue_url {:?} is not an http(s) URL", queue_url.value),
        ));
        return None;
    }
    Some(Settings {
        queue_url: queue_url.value,
        format,
        json_paths,
        wait_time,
        delete_matched: delete,
    })
}
