//! The report as OpenMetrics text (also valid Prometheus text format 0.0.4): time to detect per
//! detector and channel as a summary, coverage ratios, misses and detector failures, for the
//! node exporter's textfile collector or a Pushgateway. Every sample carries the period.

use std::fmt::Write;

use super::model::Report;

/// One metric family being written: its header once, then samples.
struct Family<'a> {
    out: &'a mut String,
    name: &'static str,
    period: &'a str,
}

impl Family<'_> {
    fn sample(&mut self, suffix: &str, labels: &[(&str, &str)], value: f64) {
        let mut all: Vec<(&str, &str)> = labels.to_vec();
        all.push(("period", self.period));
        let labels: Vec<String> = all
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect();
        let _ = writeln!(
            self.out,
            "{}{suffix}{{{}}} {}",
            self.name,
            labels.join(","),
            number(value)
        );
    }
}

fn family<'a>(
    out: &'a mut String,
    period: &'a str,
    name: &'static str,
    kind: &str,
    unit: Option<&str>,
    help: &str,
) -> Family<'a> {
    let _ = writeln!(out, "# TYPE {name} {kind}");
    if let Some(unit) = unit {
        let _ = writeln!(out, "# UNIT {name} {unit}");
    }
    let _ = writeln!(out, "# HELP {name} {help}");
    Family { out, name, period }
}

fn role(r: crate::vocab::Role) -> &'static str {
    match r {
        crate::vocab::Role::Detector => "detector",
        crate::vocab::Role::Channel => "channel",
    }
}

/// Label values escape backslash, double quote and newline.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else {
        format!("{v}")
    }
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let period = r.period.as_str();
    time_to_detect(&mut out, period, r);
    coverage(&mut out, period, r);
    outcomes(&mut out, period, r);
    detector_health(&mut out, period, r);
    environments(&mut out, period, r);
    drills_and_reverts(&mut out, period, r);
    aws_calls(&mut out, period, r);
    if !r.remediations.is_empty() {
        time_to_remediate(&mut out, period, r);
        remediations(&mut out, period, r);
    }
    out.push_str("# EOF\n");
    out
}

/// `driftdrill_aws_calls_per_drill`: the AWS requests a drill made, per phase (when counted).
fn aws_calls(out: &mut String, period: &str, r: &Report) {
    let Some(c) = &r.calls else {
        return;
    };
    let mut f = family(
        out,
        period,
        "driftdrill_aws_calls_per_drill",
        "gauge",
        None,
        "AWS requests per drill (retries included) in each phase, and in all of them.",
    );
    for p in &c.phases {
        f.sample("", &[("phase", p.phase.label())], p.per_drill);
    }
    f.sample("", &[("phase", "all")], c.per_drill);
}

/// `driftdrill_mttd_seconds`: a summary per detector and channel.
fn time_to_detect(out: &mut String, period: &str, r: &Report) {
    let mut f = family(
        out,
        period,
        "driftdrill_mttd_seconds",
        "summary",
        Some("seconds"),
        "Time to detect (detectors) or to alert (channels), from the confirmed change; polled times are the upper end of their bracket.",
    );
    for d in &r.detectors {
        let labels = [("detector", d.name.as_str()), ("role", role(d.role))];
        for (q, v) in [("0.5", d.mttd.p50_secs), ("0.95", d.mttd.p95_secs)] {
            let mut with_q = labels.to_vec();
            with_q.push(("quantile", q));
            f.sample("", &with_q, v.unwrap_or(f64::NAN));
        }
        f.sample("_sum", &labels, d.samples_secs.iter().sum());
        f.sample("_count", &labels, d.samples_secs.len() as f64);
    }
}

/// `driftdrill_mttr_seconds`: a summary per expected remediator.
fn time_to_remediate(out: &mut String, period: &str, r: &Report) {
    let mut f = family(
        out,
        period,
        "driftdrill_mttr_seconds",
        "summary",
        Some("seconds"),
        "Time to remediate, from the confirmed change to the first read that found the drill's change gone (upper end of its bracket).",
    );
    for m in &r.remediators {
        let labels = [("remediator", m.name.as_str())];
        for (q, v) in [("0.5", m.mttr.p50_secs), ("0.95", m.mttr.p95_secs)] {
            f.sample("", &[labels[0], ("quantile", q)], v.unwrap_or(f64::NAN));
        }
        f.sample("_sum", &labels, m.samples_secs.iter().sum());
        f.sample("_count", &labels, m.samples_secs.len() as f64);
    }
}

/// `driftdrill_remediations`: drilled changes by remediator and outcome, unexpected ones too.
fn remediations(out: &mut String, period: &str, r: &Report) {
    let mut counts: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for m in &r.remediations {
        // An unexpected remediation is labelled `unexpected`, not with the report's words.
        let by = if m.sla_secs.is_some() {
            m.remediators.as_str()
        } else {
            "unexpected"
        };
        *counts.entry((by, m.outcome.key())).or_default() += 1;
    }
    let mut f = family(
        out,
        period,
        "driftdrill_remediations",
        "gauge",
        None,
        "Drilled changes by what remediated them (`unexpected` when no remediator was expected) and the outcome.",
    );
    for ((remediator, outcome), n) in counts {
        f.sample(
            "",
            &[("remediator", remediator), ("outcome", outcome)],
            n as f64,
        );
    }
}

/// Coverage per detector and overall.
fn coverage(out: &mut String, period: &str, r: &Report) {
    let mut f = family(
        out,
        period,
        "driftdrill_coverage_ratio",
        "gauge",
        Some("ratio"),
        "Share of expected detections made within SLA (baseline-dirty drills excluded).",
    );
    for d in &r.detectors {
        if let Some(pct) = d.coverage_pct {
            f.sample(
                "",
                &[("detector", d.name.as_str()), ("role", role(d.role))],
                pct / 100.0,
            );
        }
    }
    let mut f = family(
        out,
        period,
        "driftdrill_overall_coverage_ratio",
        "gauge",
        Some("ratio"),
        "Share of all expected detections made within SLA.",
    );
    if let Some(pct) = r.overall_coverage_pct {
        f.sample("", &[], pct / 100.0);
    }
}

/// `driftdrill_expectations`: expected detections by outcome, per detector.
fn outcomes(out: &mut String, period: &str, r: &Report) {
    let mut f = family(
        out,
        period,
        "driftdrill_expectations",
        "gauge",
        None,
        "Expected detections by outcome: within_sla, late, missed, error (the detector could not answer), baseline_dirty, inconclusive (no complete poll after the change by the drift's lifetime).",
    );
    for d in &r.detectors {
        let t = &d.tally;
        for (outcome, n) in [
            ("within_sla", t.within_sla),
            ("late", t.late),
            ("missed", t.missed),
            ("error", t.errors),
            ("baseline_dirty", t.baseline_dirty),
            ("inconclusive", t.inconclusive),
        ] {
            f.sample(
                "",
                &[("detector", d.name.as_str()), ("outcome", outcome)],
                n as f64,
            );
        }
    }
}

/// Polls made and failed, and runs in which a detector could not be asked at all.
fn detector_health(out: &mut String, period: &str, r: &Report) {
    let mut f = family(
        out,
        period,
        "driftdrill_detector_polls",
        "gauge",
        None,
        "Polls a detector or channel made, and how many failed (never counted as clean or as a miss).",
    );
    for h in &r.health {
        for (result, n) in [
            ("ok", h.polls.saturating_sub(h.failures)),
            ("failed", h.failures),
        ] {
            f.sample(
                "",
                &[("detector", h.name.as_str()), ("result", result)],
                f64::from(n),
            );
        }
    }
    let mut f = family(
        out,
        period,
        "driftdrill_detector_unavailable_runs",
        "gauge",
        None,
        "Runs in which a detector or channel could not be asked at all (its drills were skipped).",
    );
    for h in &r.health {
        f.sample(
            "",
            &[("detector", h.name.as_str())],
            h.unavailable_runs as f64,
        );
    }
}

/// Coverage per environment, when the runs had environments.
fn environments(out: &mut String, period: &str, r: &Report) {
    if r.environments.is_empty() {
        return;
    }
    let mut f = family(
        out,
        period,
        "driftdrill_environment_coverage_ratio",
        "gauge",
        Some("ratio"),
        "Share of expected detections made within SLA, per environment.",
    );
    for e in &r.environments {
        if let Some(pct) = e.coverage_pct {
            f.sample("", &[("environment", e.environment.as_str())], pct / 100.0);
        }
    }
}

/// Drills of the period and their reverts.
fn drills_and_reverts(out: &mut String, period: &str, r: &Report) {
    let mut f = family(
        out,
        period,
        "driftdrill_drills",
        "gauge",
        None,
        "Drills of the period, skipped ones and false alarms included as their own series.",
    );
    f.sample("", &[("kind", "all")], r.drills as f64);
    f.sample("", &[("kind", "skipped")], r.skips.len() as f64);
    f.sample("", &[("kind", "false_alarm")], r.false_alarms.len() as f64);
    let mut f = family(
        out,
        period,
        "driftdrill_reverts",
        "gauge",
        None,
        "Reverts by result: verified, conflict (someone else changed the resource too), failed.",
    );
    for (result, n) in [
        ("verified", r.reverts.verified),
        ("conflict", r.reverts.conflicts),
        ("failed", r.reverts.failed),
    ] {
        f.sample("", &[("result", result)], n as f64);
    }
}
