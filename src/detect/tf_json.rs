//! Terraform's machine-readable output: the streaming `plan -json` messages (which addresses
//! drifted, which errors occurred) and the state (`state pull`) that maps addresses to cloud ids.

use std::collections::BTreeMap;

use serde_json::Value;

/// What one `plan -json` stream said.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PlanStream {
    /// Addresses with drift (`resource_drift`) or, for full plans, a planned change.
    pub drifted: Vec<String>,
    /// The human messages of those lines, as evidence.
    pub evidence: Vec<String>,
    /// `@level: error` diagnostics.
    pub errors: Vec<String>,
}

/// Parses the JSON lines of `terraform plan -json`. Lines that are not JSON are ignored.
/// `full_plan`: count what the plan would change (`planned_change`), which honours
/// `ignore_changes`; otherwise (refresh-only) count every `resource_drift`.
pub(crate) fn parse_plan_stream(stdout: &str, full_plan: bool) -> PlanStream {
    let mut out = PlanStream::default();
    for line in stdout.lines() {
        let Ok(msg) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let kind = msg.get("type").and_then(Value::as_str).unwrap_or("");
        let text = msg
            .get("@message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let is_change = if full_plan {
            kind == "planned_change"
                && msg
                    .pointer("/change/action")
                    .and_then(Value::as_str)
                    .is_some_and(|a| a != "noop" && a != "read")
        } else {
            kind == "resource_drift"
        };
        if is_change {
            if let Some(addr) = msg.pointer("/change/resource/addr").and_then(Value::as_str)
                && !out.drifted.iter().any(|a| a == addr)
            {
                out.drifted.push(addr.to_string());
            }
            out.evidence.push(text);
        } else if msg.get("@level").and_then(Value::as_str) == Some("error") {
            let detail = msg
                .pointer("/diagnostic/detail")
                .and_then(Value::as_str)
                .unwrap_or("");
            // The summary and the first line of the detail: enough to act on, one line long
            // (a lock error's detail runs to twenty lines of lock info).
            let first = detail.lines().map(str::trim).find(|l| !l.is_empty());
            out.errors.push(match first {
                Some(first) => format!("{}: {first}", text.trim_end_matches('.')),
                None => text,
            });
        }
    }
    out
}

/// Attribute names whose values identify the cloud resource behind an address.
const ID_ATTRIBUTES: &[&str] = &[
    "id",
    "arn",
    "bucket",
    "security_group_id",
    "instance_id",
    "network_acl_id",
    "vpc_id",
    // IAM sub-resources (inline policies, attachments) belong to their role or user.
    "role",
    "user",
    // Metric and subscription filters belong to their log group.
    "log_group_name",
];

/// Address → cloud identifiers (ids, ARNs, bucket names) from a state document (`state pull`).
/// Sub-resources such as `aws_s3_bucket_versioning` map to their bucket.
pub(crate) fn ids_by_address(state: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Some(resources) = state.get("resources").and_then(Value::as_array) else {
        return out;
    };
    for r in resources {
        if r.get("mode").and_then(Value::as_str) != Some("managed") {
            continue;
        }
        let (Some(kind), Some(name)) = (
            r.get("type").and_then(Value::as_str),
            r.get("name").and_then(Value::as_str),
        ) else {
            continue;
        };
        let module = r
            .get("module")
            .and_then(Value::as_str)
            .map(|m| format!("{m}."))
            .unwrap_or_default();
        for inst in r
            .get("instances")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = match inst.get("index_key") {
                Some(Value::String(k)) => format!("[\"{k}\"]"),
                Some(Value::Number(n)) => format!("[{n}]"),
                _ => String::new(),
            };
            let attrs = inst.get("attributes");
            let mut ids: Vec<String> = ID_ATTRIBUTES
                .iter()
                .filter_map(|a| attrs.and_then(|v| v.get(*a)).and_then(Value::as_str))
                .filter(|v| !v.is_empty())
                .map(String::from)
                .collect();
            let mut seen = std::collections::BTreeSet::new();
            ids.retain(|id| seen.insert(id.clone()));
            out.insert(format!("{module}{kind}.{name}{key}"), ids);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_lines_and_errors_are_separated() {
        let stream = r#"{"@level":"info","@message":"Terraform 1.11.4","type":"version"}
{"@level":"info","@message":"aws_security_group.db: Drift detected (update)","type":"resource_drift","change":{"resource":{"addr":"aws_security_group.db"},"action":"update"}}
{"@level":"info","@message":"aws_s3_bucket_versioning.this[\"data\"]: Drift detected (update)","type":"resource_drift","change":{"resource":{"addr":"aws_s3_bucket_versioning.this[\"data\"]"},"action":"update"}}
{"@level":"error","@message":"Error: Backend initialization required","type":"diagnostic","diagnostic":{"detail":"run terraform init"}}
{"@level":"error","@message":"Error: Error acquiring the state lock","type":"diagnostic","diagnostic":{"detail":"Error message: resource temporarily unavailable\nLock Info:\n  ID:        768a9037\n  Who:       root@vm"}}
not json"#;
        let p = parse_plan_stream(stream, false);
        assert_eq!(
            p.drifted,
            [
                "aws_security_group.db",
                "aws_s3_bucket_versioning.this[\"data\"]"
            ]
        );
        assert_eq!(
            p.errors,
            [
                "Error: Backend initialization required: run terraform init",
                // One line: the summary and the detail's first line, not the lock's details.
                "Error: Error acquiring the state lock: Error message: resource temporarily unavailable"
            ]
        );
    }

    #[test]
    fn state_maps_addresses_to_ids() {
        let state = serde_json::json!({"resources": [
            {"mode": "managed", "type": "aws_security_group", "name": "db", "instances": [{"attributes": {"id": "sg-1", "arn": "arn:aws:ec2:us-east-1:0:security-group/sg-1"}}]},
            {"mode": "managed", "type": "aws_s3_bucket_versioning", "name": "this", "instances": [{"index_key": "data", "attributes": {"id": "b-data", "bucket": "b-data"}}]},
            {"mode": "data", "type": "aws_ami", "name": "x", "instances": [{"attributes": {"id": "ami-1"}}]},
            {"mode": "managed", "type": "aws_iam_role_policy", "name": "app_read", "instances": [{"attributes": {"id": "app-role:app-read", "role": "app-role"}}]},
            {"mode": "managed", "type": "aws_cloudwatch_log_metric_filter", "name": "failures", "instances": [{"attributes": {"id": "failures", "log_group_name": "/app/orders"}}]}
        ]});
        let ids = ids_by_address(&state);
        assert_eq!(
            ids["aws_security_group.db"],
            ["sg-1", "arn:aws:ec2:us-east-1:0:security-group/sg-1"]
        );
        assert_eq!(ids["aws_s3_bucket_versioning.this[\"data\"]"], ["b-data"]);
        assert!(!ids.contains_key("data.aws_ami.x"));
        // An inline policy's drift is its role's.
        assert_eq!(
            ids["aws_iam_role_policy.app_read"],
            ["app-role:app-read", "app-role"]
        );
        // A metric filter's drift is its log group's.
        assert_eq!(
            ids["aws_cloudwatch_log_metric_filter.failures"],
            ["failures", "/app/orders"]
        );
    }
}
