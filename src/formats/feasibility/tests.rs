//! Feasibility over real files read by the loader: a polled detector, a webhook sender with a
//! schedule, and earlier runs' poll durations.

use std::collections::BTreeMap;
use std::time::Duration;

use super::check;
use crate::formats::load;

const CONFIG: &str = r#"
[safety]
allowed_accounts = ["000000000000"]
allowed_regions = ["us-east-1"]
max_drift_lifetime = "30m"

[[detector]]
name = "hourly"
type = "command"
argv = ["true"]
interval = "1h"

[[detector]]
name = "quick"
type = "command"
argv = ["true"]
interval = "30s"

[[channel]]
name = "hcp"
type = "webhook"
listen = "127.0.0.1:19811"
format = "hcp-terraform"

[[channel]]
name = "chat"
type = "webhook"
listen = "127.0.0.1:19812"
format = "slack"
"#;

const SCENARIO: &str = r#"id = "feasible"
title = "t"
category = "network"
severity = "high"
[target]
type = "aws_security_group"
id = "sg-0123456789abcdef0"
[inject]
action = "ec2.sg.open_ingress"
protocol = "tcp"
port = 22
cidr = "0.0.0.0/0"
[expect]
detectors = ["hourly", "quick", "hcp", "chat"]
detect_within = "15m"
alert_within = "15m"
"#;

fn warnings(medians: &BTreeMap<String, Duration>) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("driftdrill.toml"), CONFIG).unwrap();
    std::fs::write(dir.path().join("s.toml"), SCENARIO).unwrap();
    let loaded = load::load(
        Some(&dir.path().join("driftdrill.toml")),
        &[dir.path().join("s.toml")],
        &crate::catalogs::all(),
    )
    .unwrap();
    assert!(loaded.is_valid(), "{:?}", loaded.diagnostics);
    let config = loaded.config.as_ref().unwrap();
    check(config, &loaded.scenarios, medians)
        .iter()
        .map(|d| {
            let at = loaded.sources.line_col(d.file, d.span.start);
            format!("{}:{}: {}", at.line, at.column, d.message)
        })
        .collect()
}

#[test]
fn an_sla_shorter_than_the_interval_or_the_senders_schedule_is_a_warning_on_its_name() {
    assert_eq!(
        warnings(&BTreeMap::new()),
        [
            "14:14: 15m SLA to detect for `hourly` can never be met: hourly polls every 1h",
            "14:33: 15m SLA to detect for `hcp` can never be met: hcp hears hcp-terraform health \
             assessments, which run at most every 4h",
        ]
    );
}

#[test]
fn earlier_runs_poll_durations_count_against_the_sla() {
    let medians = BTreeMap::from([("quick".to_string(), Duration::from_secs(15 * 60))]);
    let found = warnings(&medians);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[1].contains("quick polls every 30s and its polls take 15m at the median"),
        "{found:?}"
    );
}
