//! Alert payload formats the webhook and SQS channels understand: which payloads are drift
//! alerts (a resolve or a test ping is not), and which text in them to search for resources.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json_path;

/// A payload format: the one declaration of which formats exist. Settings store it, `parse`
/// matches on it exhaustively (no unknown format can fall back to generic), and [`FORMATS`]
/// lists its ids for the config reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Generic,
    Slack,
    Pagerduty,
    Alertmanager,
    Spacelift,
    HcpTerraform,
    Env0,
    /// Cloud Custodian's `notify` message (`mtype = maidmsg/1.0`): on SQS, base64 of
    /// zlib-compressed JSON; relayed to a webhook, the JSON itself.
    C7n,
}

impl Format {
    pub(crate) const ALL: &[Format] = &[
        Format::Generic,
        Format::Slack,
        Format::Pagerduty,
        Format::Alertmanager,
        Format::Spacelift,
        Format::HcpTerraform,
        Format::Env0,
        Format::C7n,
    ];

    /// The id written in driftdrill.toml.
    pub const fn id(self) -> &'static str {
        match self {
            Format::Generic => "generic",
            Format::Slack => "slack",
            Format::Pagerduty => "pagerduty",
            Format::Alertmanager => "alertmanager",
            Format::Spacelift => "spacelift",
            Format::HcpTerraform => "hcp-terraform",
            Format::Env0 => "env0",
            Format::C7n => "c7n",
        }
    }

    pub(crate) fn from_id(id: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.id() == id)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Every built-in payload format's id, in [`Format::ALL`] order.
pub(crate) const FORMATS: &[&str] = &[
    Format::Generic.id(),
    Format::Slack.id(),
    Format::Pagerduty.id(),
    Format::Alertmanager.id(),
    Format::Spacelift.id(),
    Format::HcpTerraform.id(),
    Format::Env0.id(),
    Format::C7n.id(),
];

/// The `kind` text of a `format` parameter: every id, quoted, in order.
pub(crate) const FORMAT_KIND: &str = "\"generic\" | \"slack\" | \"pagerduty\" | \"alertmanager\" | \"spacelift\" | \"hcp-terraform\" | \"env0\" | \"c7n\"";

/// A payload recognised as a drift alert: the strings to search for resources and drill marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub texts: Vec<String>,
}

/// Why a payload was not taken as an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAlert {
    /// Well-formed, but not a drift alert (a resolve, an acknowledgement, a test ping).
    Ignored(String),
    /// Not the shape the format promises.
    Malformed(String),
}

fn strings(v: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = v {
        json_path::collect_strings(v, &mut out);
    }
    out
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Reads a message body in `format` as JSON. Cloud Custodian's SQS messages are base64 of
/// zlib-compressed JSON; everything else (and c7n relayed as JSON) is JSON as it is.
pub(crate) fn decode(format: Format, raw: &str) -> Result<Value, serde_json::Error> {
    if format == Format::C7n
        && let Some(json) = decode_c7n(raw.trim())
    {
        return Ok(json);
    }
    serde_json::from_str(raw)
}

fn decode_c7n(raw: &str) -> Option<Value> {
    use base64::Engine;
    use std::io::Read;
    let compressed = base64::engine::general_purpose::STANDARD.decode(raw).ok()?;
    let mut text = String::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .read_to_string(&mut text)
        .ok()?;
    serde_json::from_str(&text).ok()
}

/// Interprets one payload in `format`. `json_paths` narrows where generic payloads are searched.
pub fn parse(format: Format, json_paths: &[String], body: &Value) -> Result<Alert, NotAlert> {
    if !body.is_object() {
        return Err(NotAlert::Malformed("the body is not a JSON object".into()));
    }
    match format {
        Format::Slack => slack(body),
        Format::Pagerduty => pagerduty(body),
        Format::Alertmanager => alertmanager(body),
        Format::Spacelift => spacelift(body),
        Format::HcpTerraform => hcp_terraform(body),
        Format::Env0 => env0(body),
        Format::C7n => c7n(body),
        Format::Generic => Ok(Alert {
            texts: if json_paths.is_empty() {
                strings(Some(body))
            } else {
                json_paths
                    .iter()
                    .flat_map(|p| json_path::select(body, p))
                    .collect()
            },
        }),
    }
}

fn slack(body: &Value) -> Result<Alert, NotAlert> {
    if body.get("text").is_none()
        && body.get("blocks").is_none()
        && body.get("attachments").is_none()
    {
        return Err(NotAlert::Malformed(
            "a Slack message needs text, blocks or attachments".into(),
        ));
    }
    let mut texts = strings(body.get("text"));
    texts.extend(strings(body.get("blocks")));
    texts.extend(strings(body.get("attachments")));
    Ok(Alert { texts })
}

fn pagerduty(body: &Value) -> Result<Alert, NotAlert> {
    let action = str_at(body, "event_action")
        .ok_or_else(|| NotAlert::Malformed("PagerDuty Events v2 needs event_action".into()))?;
    if action != "trigger" {
        return Err(NotAlert::Ignored(format!(
            "event_action {action:?} is not a trigger"
        )));
    }
    let payload = body
        .get("payload")
        .ok_or_else(|| NotAlert::Malformed("a trigger needs a payload".into()))?;
    let mut texts = strings(Some(payload));
    texts.extend(strings(body.get("dedup_key")));
    Ok(Alert { texts })
}

fn alertmanager(body: &Value) -> Result<Alert, NotAlert> {
    let alerts = body
        .get("alerts")
        .and_then(Value::as_array)
        .ok_or_else(|| NotAlert::Malformed("Alertmanager payloads carry an alerts array".into()))?;
    let firing: Vec<&Value> = alerts
        .iter()
        .filter(|a| str_at(a, "status") == Some("firing"))
        .collect();
    if firing.is_empty() {
        return Err(NotAlert::Ignored("no alert in the group is firing".into()));
    }
    let texts = firing
        .iter()
        .flat_map(|a| [strings(a.get("labels")), strings(a.get("annotations"))].concat())
        .collect();
    Ok(Alert { texts })
}

fn spacelift(body: &Value) -> Result<Alert, NotAlert> {
    let run = body
        .get("run")
        .ok_or_else(|| NotAlert::Malformed("a Spacelift run webhook carries a run".into()))?;
    let drift_run = run
        .get("driftDetection")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let delta = run.get("delta");
    let changes: i64 = ["added", "changed", "deleted"]
        .iter()
        .filter_map(|k| delta.and_then(|d| d.get(*k)).and_then(Value::as_i64))
        .sum();
    if !drift_run {
        return Err(NotAlert::Ignored(
            "the run is not a drift-detection run".into(),
        ));
    }
    if changes == 0 && delta.is_some() {
        return Err(NotAlert::Ignored(
            "the drift-detection run found no changes".into(),
        ));
    }
    Ok(Alert {
        texts: strings(Some(body)),
    })
}

fn hcp_terraform(body: &Value) -> Result<Alert, NotAlert> {
    let notes = body
        .get("notifications")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            NotAlert::Malformed("HCP Terraform payloads carry a notifications array".into())
        })?;
    let drifted = notes
        .iter()
        .any(|n| str_at(n, "trigger").is_some_and(|t| t == "assessment:drifted"));
    if !drifted {
        let triggers: Vec<&str> = notes.iter().filter_map(|n| str_at(n, "trigger")).collect();
        return Err(NotAlert::Ignored(format!(
            "no assessment:drifted notification (triggers: {triggers:?})"
        )));
    }
    Ok(Alert {
        texts: strings(Some(body)),
    })
}

fn env0(body: &Value) -> Result<Alert, NotAlert> {
    let event = ["event", "type", "eventType", "eventName"]
        .iter()
        .find_map(|k| str_at(body, k));
    match event {
        Some(e) if e.to_ascii_lowercase().contains("drift") => Ok(Alert {
            texts: strings(Some(body)),
        }),
        Some(e) => Err(NotAlert::Ignored(format!(
            "event {e:?} is not a drift event"
        ))),
        None => Err(NotAlert::Malformed(
            "an env0 notification names its event".into(),
        )),
    }
}

fn c7n(body: &Value) -> Result<Alert, NotAlert> {
    let policy = body
        .get("policy")
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .ok_or_else(|| NotAlert::Malformed("a Cloud Custodian message names its policy".into()))?;
    let resources = body.get("resources").ok_or_else(|| {
        NotAlert::Malformed("a Cloud Custodian message lists its resources".into())
    })?;
    let mut texts = super::custodian::resource_ids(resources);
    if texts.is_empty() {
        return Err(NotAlert::Ignored(format!(
            "policy {policy} matched no resource"
        )));
    }
    texts.push(policy.to_string());
    Ok(Alert { texts })
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn a_cloud_custodian_sqs_message_decodes_and_names_its_resources() {
        use base64::Engine;
        use std::io::Write;
        let message = serde_json::json!({
            "policy": {"name": "s3-versioning-suspended"},
            "resources": [{"Name": "dd-logs", "Versioning": {"Status": "Suspended"}}]
        });
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(message.to_string().as_bytes()).unwrap();
        let body = base64::engine::general_purpose::STANDARD.encode(z.finish().unwrap());
        let json = decode(Format::C7n, &body).expect("decodes");
        assert!(decode(Format::Slack, &body).is_err(), "only c7n unpacks");
        let alert = parse(Format::C7n, &[], &json).unwrap();
        assert_eq!(alert.texts, ["dd-logs", "s3-versioning-suspended"]);
        // Relayed as JSON (a c7n-mailer webhook), it reads the same.
        assert_eq!(decode(Format::C7n, &message.to_string()).unwrap(), message);
        let empty = serde_json::json!({"policy": {"name": "p"}, "resources": []});
        assert!(matches!(
            parse(Format::C7n, &[], &empty),
            Err(NotAlert::Ignored(_))
        ));
    }

    #[test]
    fn the_format_ids_the_reader_and_the_docs_list_are_the_enum() {
        let ids: Vec<&str> = Format::ALL.iter().map(|f| f.id()).collect();
        assert_eq!(FORMATS, ids.as_slice());
        let kind: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
        assert_eq!(FORMAT_KIND, kind.join(" | "));
        for f in Format::ALL {
            let json = serde_json::to_value(f).unwrap();
            assert_eq!(json, serde_json::json!(f.id()), "serde and id() disagree");
            assert_eq!(Format::from_id(f.id()), Some(*f));
        }
    }
}
