//! The quarterly report over a fixture of run records spanning two quarters and two shards,
//! covering every outcome kind: every format snapshotted (generation time fixed), JUnit parsed
//! back, and merging folders equals one folder holding everything.

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use driftdrill::commands::report::{ReportFormat, render};
use driftdrill::report::{self, Period, records};

fn report_of(dirs: &[PathBuf]) -> report::Report {
    let generated = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let q4 = Period::parse_quarter("2026-Q4").unwrap();
    report::build(&records::load(dirs).unwrap(), &q4, generated)
        .with_settlements(records::settlements(dirs).unwrap(), &q4)
}

/// The scenario id of a report line's drill label (`<id> @ <environment>/<region>`).
fn id(label: &str) -> &str {
    label.split(" @ ").next().unwrap_or(label)
}

fn fixture_report() -> report::Report {
    report_of(&[
        PathBuf::from("tests/fixtures/runs/shard-a"),
        PathBuf::from("tests/fixtures/runs/shard-b"),
    ])
}

#[test]
fn every_format_is_snapshotted() {
    let r = fixture_report();
    for (name, format) in [
        ("terminal", ReportFormat::Terminal),
        ("markdown", ReportFormat::Markdown),
        ("html", ReportFormat::Html),
        ("json", ReportFormat::Json),
        ("junit", ReportFormat::Junit),
        ("openmetrics", ReportFormat::Openmetrics),
    ] {
        insta::assert_snapshot!(format!("report__{name}"), render(&r, format));
    }
}

#[test]
fn the_report_counts_what_the_records_say() {
    let r = fixture_report();
    assert_eq!((r.runs, r.drills), (2, 14));
    let tf = r
        .detectors
        .iter()
        .find(|d| d.name == "terraform-plan")
        .unwrap();
    // Q4 terraform: ssh, acl, nacl within SLA; termination and IMDSv1 missed; versioning late;
    // one error; one baseline-dirty and one inconclusive (not counted); three silent
    // expectations (never coverage).
    assert_eq!(
        (
            tf.tally.within_sla,
            tf.tally.missed,
            tf.tally.late,
            tf.tally.errors,
            tf.tally.baseline_dirty,
            tf.tally.inconclusive
        ),
        (3, 2, 1, 1, 1, 1)
    );
    assert_eq!(tf.coverage_pct, Some(42.9));
    assert_eq!(tf.mttd.max_uncertainty_secs, Some(60.0));
    // Time to clear: measured twice, once cleared (0-30.5 s), once still reported at the limit.
    let clear = &r.clear["terraform-plan"];
    assert_eq!((clear.measured, clear.not_cleared), (2, 1));
    assert_eq!(clear.cleared.max_secs, Some(30.5));
    assert!(
        !r.clear.contains_key("drift-webhook"),
        "channels have no time to clear"
    );
    let trend = r.trend.as_ref().expect("Q3 records give a trend");
    assert_eq!(trend.period, "2026-Q3");
    // Gaps are per drill: a scenario in another environment is another line.
    assert_eq!(
        trend.fixed_gaps,
        ["s3-public-acl @ sandbox-a/us-east-1/terraform-plan"]
    );
    assert_eq!(
        trend.new_gaps,
        [
            "sg-open-ssh-world @ sandbox-b/eu-west-1/drift-webhook",
            "sg-open-ssh-world @ sandbox-b/eu-west-1/terraform-plan"
        ]
    );
    assert_eq!(
        (r.reverts.verified, r.reverts.conflicts, r.reverts.failed),
        (9, 1, 1)
    );
    assert_eq!(r.false_alarms.len(), 1);
    assert_eq!(r.history.len(), 2);
    // What recover settled: one target gone, one change forgotten (unresolved drift).
    assert_eq!(r.targets_gone(), 1);
    let forgotten: Vec<_> = r.forgotten().map(|f| f.drill.as_str()).collect();
    assert_eq!(forgotten, ["20261110T100000Z-cccccc/nacl-allow-ssh"]);
}

#[test]
fn detector_failures_are_their_own_findings_never_coverage_gaps_to_wire() {
    use driftdrill::record::{DrillStatus, Outcome};
    let r = fixture_report();
    let gap = |scenario: &str| r.gaps.iter().find(|g| id(&g.scenario) == scenario).unwrap();
    // Every poll failed: the advice is to fix the detector, with its own error.
    let errored = gap("sg-open-ssh-world");
    assert_eq!(errored.outcome, Outcome::DetectorError);
    assert_eq!(
        errored.suggestion,
        "fix the detector: terraform exited with Some(1): Error acquiring the state lock"
    );
    // A miss by a detector that failed some polls says so.
    let flaky = gap("ec2-imdsv1-allowed");
    assert_eq!(flaky.result, "missed, 4 of 12 polls failed");
    assert!(
        flaky
            .suggestion
            .starts_with("fix the detector first (4 of 12 polls failed")
    );
    // A channel that could not be asked skips the drill: a skip, not a miss.
    let skip = r
        .skips
        .iter()
        .find(|s| id(&s.scenario) == "s3-logging-disabled")
        .unwrap();
    assert_eq!(skip.status, DrillStatus::SkippedDetectorUnavailable);
    assert!(
        !r.gaps
            .iter()
            .any(|g| id(&g.scenario) == "s3-logging-disabled")
    );

    let health = |name: &str| r.health.iter().find(|h| h.name == name).unwrap();
    let tf = health("terraform-plan");
    assert_eq!((tf.runs, tf.polls, tf.failures), (2, 49, 8));
    assert_eq!(tf.failure_pct, Some(16.3));
    assert_eq!(tf.max_poll_secs, Some(90.1));
    assert_eq!(
        tf.finding.as_deref(),
        Some("8 of 49 polls failed: terraform exited with Some(1): Error acquiring the state lock")
    );
    let queue = health("drift-queue");
    assert_eq!(queue.unavailable_runs, 1);
    assert!(
        queue
            .finding
            .as_deref()
            .unwrap()
            .starts_with("could not be asked in 1 of 1 run(s): fix the detector: read the queue")
    );
    let hook = health("drift-webhook");
    assert_eq!((hook.alerts, hook.finding.as_deref()), (2, None));
}

#[test]
fn a_detector_slower_than_its_interval_is_a_finding() {
    let generated = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let all = records::load(&[PathBuf::from("tests/fixtures/runs/shard-a")]).unwrap();
    let r = report::build(&all, &Period::parse_quarter("2026-Q4").unwrap(), generated);
    let tf = r
        .health
        .iter()
        .find(|h| h.name == "terraform-plan")
        .unwrap();
    assert_eq!(tf.p50_poll_secs, Some(69.9));
    assert_eq!(
        tf.finding.as_deref(),
        Some(
            "a typical poll (1m 10s) outlasts its interval (1m 00s): polls run back to back and every detection waits for the next one"
        )
    );
}

#[test]
fn an_sla_shorter_than_interval_plus_poll_is_a_finding_and_feasible_ones_are_not() {
    let r = fixture_report();
    let tf = r
        .held_to
        .iter()
        .find(|h| h.detector == "terraform-plan")
        .unwrap();
    assert_eq!(tf.sla_secs, [30.0, 300.0, 900.0]);
    assert_eq!(tf.interval_secs, Some(60.0));
    let found: Vec<(&str, f64)> = r
        .infeasible
        .iter()
        .map(|i| (i.detector.as_str(), i.sla_secs))
        .collect();
    // 30 s against polls every 60 s; 5 and 15 minutes are within reach, and the webhook has no
    // interval to judge.
    assert_eq!(found, [("terraform-plan", 30.0)]);
    assert!(
        r.infeasible[0]
            .advice
            .starts_with("detector polls every 1m 00s and its polls take"),
        "{:?}",
        r.infeasible
    );
}

#[test]
fn suppressions_are_reported_apart_and_never_count_as_coverage() {
    use driftdrill::record::Outcome;
    let r = fixture_report();
    let outcomes: Vec<(&str, Outcome)> = r
        .suppressions
        .iter()
        .map(|s| (id(&s.scenario), s.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("sg-ops-ingress-ignored", Outcome::Suppressed),
            ("sg-web-ingress-leaks", Outcome::Leaked),
            ("sg-rdp-ignored-slow-plan", Outcome::Inconclusive)
        ]
    );
    // Slower than its window is neither a leak nor an error: inconclusive, with its own words.
    let slow = &r.suppressions[2];
    assert!(slow.evidence.as_deref().unwrap().contains("stretched"));
    assert!(
        r.suppressions[1]
            .evidence
            .as_deref()
            .unwrap()
            .contains("aws_security_group.web")
    );
    assert!(
        !r.gaps
            .iter()
            .any(|g| g.scenario.starts_with("sg-ops") || g.scenario.starts_with("sg-web"))
    );
    assert!(
        r.matrix
            .iter()
            .all(|row| row.cells.values().all(|c| c.status != "leaked"))
    );
}

#[test]
fn junit_parses_back_with_one_case_per_expectation() {
    let r = fixture_report();
    let xml = render(&r, ReportFormat::Junit);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let (remediations, expectations): (Vec<&roxmltree::Node>, Vec<&roxmltree::Node>) = cases
        .iter()
        .partition(|c| c.attribute("classname") == Some("driftdrill.remediation"));
    assert_eq!(expectations.len(), r.cases.len());
    // One case per drill that expected remediators; an unexpected remediation is not judged.
    let judged: Vec<_> = r
        .remediations
        .iter()
        .filter(|m| m.sla_secs.is_some())
        .collect();
    assert_eq!(remediations.len(), judged.len());
    assert!(
        r.remediations.len() > judged.len(),
        "the fixture has an unexpected one"
    );
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    let expected_failures = r
        .cases
        .iter()
        .filter(|c| matches!(c.outcome.label(), "missed" | "late" | "leaked"))
        .count();
    let late_remediations = judged
        .iter()
        .filter(|m| m.mttr_secs.is_none_or(|t| t > m.sla_secs.unwrap()))
        .count();
    assert_eq!(late_remediations, 1, "the fixture's tf-apply restored late");
    assert_eq!(failures, expected_failures + late_remediations);
    let caught = cases
        .iter()
        .find(|c| {
            c.attribute("name") == Some("nacl-allow-ssh @ sandbox-b/eu-west-1 / terraform-plan")
        })
        .unwrap();
    assert_eq!(caught.attribute("time"), Some("45.000"));
}

#[test]
fn openmetrics_parses_as_prometheus_text_and_says_what_the_report_says() {
    use prometheus_parse::{Scrape, Value};
    let r = fixture_report();
    let text = render(&r, ReportFormat::Openmetrics);
    assert!(text.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    // Every line is metadata or a well-formed sample (the parser below skips what it cannot
    // read, so the shape is checked here).
    let sample = regex::Regex::new(
        r#"^[a-z_]+(_sum|_count)?\{([a-z_]+="[^"\\]*",)*[a-z_]+="[^"\\]*"\} (NaN|-?[0-9.e+-]+)$"#,
    )
    .unwrap();
    for line in text.lines() {
        assert!(
            line.starts_with("# TYPE ")
                || line.starts_with("# HELP ")
                || line.starts_with("# UNIT ")
                || line == "# EOF"
                || sample.is_match(line),
            "not OpenMetrics: {line}"
        );
    }
    let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("parses");
    let find = |metric: &str, labels: &[(&str, &str)]| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .unwrap_or_else(|| panic!("no {metric} {labels:?}"))
            .value
            .clone()
    };
    let tf = r
        .detectors
        .iter()
        .find(|d| d.name == "terraform-plan")
        .unwrap();
    let Value::Summary(quantiles) =
        find("driftdrill_mttd_seconds", &[("detector", "terraform-plan")])
    else {
        panic!("MTTD is a summary")
    };
    assert_eq!(
        quantiles
            .iter()
            .find(|q| q.quantile == 0.5)
            .map(|q| q.count),
        tf.mttd.p50_secs
    );
    assert_eq!(
        find(
            "driftdrill_mttd_seconds_count",
            &[("detector", "terraform-plan")]
        ),
        Value::Untyped(tf.samples_secs.len() as f64)
    );
    assert_eq!(
        find(
            "driftdrill_coverage_ratio",
            &[("detector", "terraform-plan")]
        ),
        Value::Gauge(tf.coverage_pct.unwrap() / 100.0)
    );
    assert_eq!(
        find(
            "driftdrill_expectations",
            &[("detector", "terraform-plan"), ("outcome", "missed")]
        ),
        Value::Gauge(tf.tally.missed as f64)
    );
    for h in &r.health {
        assert_eq!(
            find(
                "driftdrill_detector_polls",
                &[("detector", h.name.as_str()), ("result", "failed")]
            ),
            Value::Gauge(f64::from(h.failures))
        );
    }
    for e in &r.environments {
        assert!(matches!(
            find(
                "driftdrill_environment_coverage_ratio",
                &[("environment", e.environment.as_str())]
            ),
            Value::Gauge(_)
        ));
    }
    assert!(
        scrape
            .samples
            .iter()
            .all(|s| s.labels.get("period") == Some("2026-Q4"))
    );
}

#[test]
fn merging_folders_equals_one_folder_with_everything() {
    let merged = tempfile::tempdir().unwrap();
    for shard in ["shard-a", "shard-b"] {
        for entry in std::fs::read_dir(format!("tests/fixtures/runs/{shard}")).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, merged.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let one = report_of(&[merged.path().to_path_buf()]);
    assert_eq!(one, fixture_report());
    // The same folder twice counts each run (and each settled change) once.
    let twice = report_of(&[merged.path().to_path_buf(), merged.path().to_path_buf()]);
    assert_eq!(twice, one);
}

#[test]
fn markdown_stays_under_the_job_summary_limit() {
    let mut r = fixture_report();
    let gap = r.gaps[0].clone();
    r.gaps = std::iter::repeat_n(gap, 50_000).collect();
    let md = render(&r, ReportFormat::Markdown);
    assert!(
        md.len() <= driftdrill::report::markdown::LIMIT,
        "{} bytes",
        md.len()
    );
    assert!(md.contains("…and 49800 more."));
}
