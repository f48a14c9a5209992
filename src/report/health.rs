//! Detector health over a report's runs: polls, failures and their last error, poll durations
//! against the interval, and a finding in words when something needs fixing.

use std::collections::BTreeMap;

use serde::Serialize;

use super::text::{human, one_line, pct};
use crate::record::RunRecord;
use crate::vocab::Role;

/// How a detector or channel behaved over the period's runs, whatever the drills found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthSummary {
    pub name: String,
    pub kind: String,
    pub role: Role,
    pub runs: usize,
    /// Runs in which it could not be asked at all (preflight failed).
    pub unavailable_runs: usize,
    pub polls: u32,
    pub failures: u32,
    /// Of `failures`, the transient ones (time-outs, throttling, a lost lock).
    pub transient_failures: u32,
    pub failure_pct: Option<f64>,
    pub last_error: Option<String>,
    pub interval_secs: Option<f64>,
    pub p50_poll_secs: Option<f64>,
    pub max_poll_secs: Option<f64>,
    pub alerts: u32,
    /// What needs fixing, in words; `None` when healthy.
    pub finding: Option<String>,
}

impl HealthSummary {
    /// Failed polls with their share (`8 (16.3%)`), or `-` for something never polled.
    pub(crate) fn failed_text(&self) -> String {
        if self.polls == 0 {
            "-".into()
        } else {
            format!("{} ({})", self.failures, pct(self.failure_pct))
        }
    }

    fn finding(&self) -> Option<String> {
        let error = one_line(self.last_error.as_deref().unwrap_or("no error text"));
        if self.unavailable_runs > 0 {
            return Some(format!(
                "could not be asked in {} of {} run(s): fix the detector: {error}",
                self.unavailable_runs, self.runs
            ));
        }
        let kind = match self.transient_failures {
            0 => String::new(),
            t if t == self.failures => " (all transient: time-outs, throttling or lock contention; give it a longer timeout or interval)".into(),
            t => format!(" ({t} transient)"),
        };
        if self.failures > 0 && self.failures == self.polls {
            return Some(format!(
                "every poll failed{kind}: fix the detector: {error}"
            ));
        }
        if self.failures > 0 {
            return Some(format!(
                "{} of {} polls failed{kind}: {error}",
                self.failures, self.polls
            ));
        }
        let interval = self.interval_secs.filter(|i| *i > 0.0)?;
        match (self.p50_poll_secs, self.max_poll_secs) {
            (Some(p50), _) if p50 > interval => Some(format!(
                "a typical poll ({}) outlasts its interval ({}): polls run back to back and every detection waits for the next one",
                human(p50),
                human(interval)
            )),
            (_, Some(max)) if max > interval => Some(format!(
                "the slowest poll ({}) outlasted its interval ({})",
                human(max),
                human(interval)
            )),
            _ => None,
        }
    }
}

/// Folds every record's detector health into one summary per detector or channel.
pub(crate) fn summaries(records: &[&RunRecord]) -> Vec<HealthSummary> {
    let mut by_name: BTreeMap<String, (HealthSummary, Vec<f64>)> = BTreeMap::new();
    for r in records {
        for h in &r.detector_health {
            let (sum, durations) = by_name.entry(h.name.clone()).or_insert_with(|| {
                let empty = HealthSummary {
                    name: h.name.clone(),
                    kind: h.kind.clone(),
                    role: h.role,
                    runs: 0,
                    unavailable_runs: 0,
                    polls: 0,
                    failures: 0,
                    transient_failures: 0,
                    failure_pct: None,
                    last_error: None,
                    interval_secs: None,
                    p50_poll_secs: None,
                    max_poll_secs: None,
                    alerts: 0,
                    finding: None,
                };
                (empty, Vec::new())
            });
            sum.runs += 1;
            sum.polls += h.polls;
            sum.failures += h.failures;
            sum.transient_failures += h.transient_failures;
            sum.alerts += h.alerts;
            sum.interval_secs = h.interval_secs;
            if let Some(why) = &h.unavailable {
                sum.unavailable_runs += 1;
                sum.last_error = Some(why.clone());
            }
            if h.last_error.is_some() {
                sum.last_error = h.last_error.clone();
            }
            durations.extend(&h.poll_secs);
        }
    }
    by_name
        .into_values()
        .map(|(mut sum, mut durations)| {
            durations.sort_by(f64::total_cmp);
            sum.p50_poll_secs =
                (!durations.is_empty()).then(|| durations[(durations.len() - 1) / 2]);
            sum.max_poll_secs = durations.last().copied();
            sum.failure_pct = (sum.polls > 0)
                .then(|| (sum.failures as f64 * 1000.0 / sum.polls as f64).round() / 10.0);
            sum.finding = sum.finding();
            sum
        })
        .collect()
}
