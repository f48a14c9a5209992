//! `sqs` channel: long-polls a queue where SNS-fanned drift alerts land, matches messages like the
//! webhook does, and deletes only the messages it matched (configurable).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::payload::{self, FORMATS};
use super::{BuildCx, Built, DetectorError, DetectorSpec, Observation, PollCx, Polled, Role};
use crate::diag::TableReader;
use crate::vocab::ParamSpec;

pub(crate) static SPEC: DetectorSpec = DetectorSpec {
    id: "sqs",
    role: Role::Channel,
    summary: "SQS queue of alerts (e.g. SNS fan-out), long-polled; matched messages deleted",
    params: &[
        ParamSpec::required("queue_url", "URL", "the queue to read"),
        ParamSpec::optional(
            "format",
            payload::FORMAT_KIND,
            "payload format, as for webhook (default generic)",
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
    read: |r| crate::vocab::param::to_json(read(r)),
    roundtrip: crate::vocab::param::roundtrip::<Settings>,
    build,
    paths: super::no_paths,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub queue_url: String,
    pub format: payload::Format,
    pub json_paths: Vec<String>,
    #[serde(with = "humantime_serde")]
    pub wait_time: Duration,
    /// `delete = "matched"` (true) or `"none"` (false).
    #[serde(rename = "delete")]
    pub delete_matched: bool,
}

fn read(r: &mut TableReader) -> Option<Settings> {
    let queue_url = r.string("queue_url");
    let format = r
        .choice("format", FORMATS, false)
        .map_or(payload::Format::Generic, |f| {
            payload::Format::from_id(&f.value).expect("choice checked the format")
        });
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

/// The channel: one long-poll receive per poll; messages that name a watched term (a drill's
/// target or mark) are observations and, by default, deleted; the rest are made visible again
/// at once, for the queue's own consumers.
pub(crate) struct SqsChannel {
    name: String,
    settings: Settings,
    sqs: aws_sdk_sqs::Client,
}

fn build(value: &serde_json::Value, cx: &BuildCx) -> Result<Built, DetectorError> {
    let settings: Settings = super::settings(value, cx)?;
    Ok(Built::Polled(Box::new(SqsChannel {
        name: cx.name.to_string(),
        settings,
        sqs: cx.aws.sqs().clone(),
    })))
}

/// SNS deliveries wrap the alert in an envelope whose `Message` holds the original text.
fn unwrap_sns(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) if v.get("Type").and_then(|t| t.as_str()) == Some("Notification") => v
            .get("Message")
            .and_then(|m| m.as_str())
            .unwrap_or(body)
            .to_string(),
        _ => body.to_string(),
    }
}

impl SqsChannel {
    /// The alert a message carries, if it names one of the `watch` terms (a drill's target or
    /// mark); `None` for anything else, which is never the drill's to keep.
    fn observation(
        &self,
        message: &aws_sdk_sqs::types::Message,
        watch: &[String],
    ) -> Option<Observation> {
        let s = &self.settings;
        let received = (chrono::Utc::now(), std::time::Instant::now());
        let raw = unwrap_sns(message.body().unwrap_or(""));
        let Ok(json) = payload::decode(s.format, &raw) else {
            tracing::warn!(channel = %self.name, "left a message that is not JSON in the queue");
            return None;
        };
        let alert = payload::parse(s.format, &s.json_paths, &json).ok()?;
        let obs = Observation {
            at: received.0,
            seen: Some(received.1),
            resources: Vec::new(),
            text: alert.texts.join("\n"),
            evidence: raw.chars().take(2000).collect(),
            acted: None,
        };
        super::matching::names_any(&obs, watch).then_some(obs)
    }

    /// Makes received messages visible again at once (`ChangeMessageVisibility` 0), so reading
    /// a shared alert queue never hides an alert from the team's own consumers. A failure is
    /// logged: the messages then reappear after the queue's visibility timeout.
    async fn release(&self, handles: Vec<String>) {
        if handles.is_empty() {
            return;
        }
        let entries: Vec<_> = handles
            .into_iter()
            .enumerate()
            .filter_map(|(i, handle)| {
                aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(handle)
                    .visibility_timeout(0)
                    .build()
                    .ok()
            })
            .collect();
        let sent = self
            .sqs
            .change_message_visibility_batch()
            .queue_url(&self.settings.queue_url)
            .set_entries(Some(entries))
            .send()
            .await;
        match sent {
            Ok(out) if out.failed().is_empty() => {}
            Ok(out) => tracing::warn!(
                channel = %self.name,
                failed = out.failed().len(),
                "could not make every message it left visible again"
            ),
            Err(e) => tracing::warn!(
                channel = %self.name,
                error = %crate::aws::error("ChangeMessageVisibilityBatch", &self.settings.queue_url)(e),
                "could not make the messages it left visible again"
            ),
        }
    }

    /// An AWS error from the queue, transient when AWS says so (throttling, 5xx, time-outs).
    fn aws_failure(&self, e: crate::aws::AwsError) -> DetectorError {
        let transient = e.transient;
        DetectorError::failed(&self.name, "read its queue")
            .caused_by(e)
            .transient_if(transient)
    }
}

#[async_trait::async_trait]
impl Polled for SqsChannel {
    async fn poll(&self, cx: &PollCx) -> Result<Vec<Observation>, DetectorError> {
        let s = &self.settings;
        let failed = |e: crate::aws::AwsError| self.aws_failure(e);
        let out = self
            .sqs
            .receive_message()
            .queue_url(&s.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(s.wait_time.as_secs() as i32)
            .send()
            .await
            .map_err(|e| failed(crate::aws::error("ReceiveMessage", &s.queue_url)(e)))?;
        let mut observations = Vec::new();
        let mut release = Vec::new();
        for message in out.messages() {
            let handle = message.receipt_handle().map(String::from);
            let Some(obs) = self.observation(message, &cx.watch) else {
                // Not the drill's: back in the queue at once, for whoever really consumes it.
                release.extend(handle);
                continue;
            };
            match handle {
                Some(handle) if s.delete_matched => self
                    .sqs
                    .delete_message()
                    .queue_url(&s.queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| failed(crate::aws::error("DeleteMessage", &s.queue_url)(e)))?,
                Some(handle) => release.push(handle),
                None => {}
            }
            observations.push(obs);
        }
        self.release(release).await;
        Ok(observations)
    }

    fn interval(&self) -> Duration {
        // The receive itself waits up to wait_time; poll again right after.
        Duration::ZERO
    }

    fn reports_whole_state(&self) -> bool {
        false
    }

    /// The queue must exist and be readable before anything is changed.
    async fn preflight(&self) -> Result<(), DetectorError> {
        self.sqs
            .get_queue_attributes()
            .queue_url(&self.settings.queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .map(drop)
            .map_err(|e| {
                self.aws_failure(crate::aws::error(
                    "GetQueueAttributes",
                    &self.settings.queue_url,
                )(e))
            })
    }
}
