//! SLAs against what each detector can do: the SLAs it was held to in the period beside its
//! interval and median poll, and a finding with advice for every SLA it can never meet.

use std::collections::BTreeMap;

use serde::Serialize;

use super::health::HealthSummary;
use super::text::human;
use crate::record::RunRecord;

/// The SLAs one detector was held to, and whether it can meet them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldTo {
    pub detector: String,
    /// Every distinct SLA of its expected (not silent) drills, shortest first.
    pub sla_secs: Vec<f64>,
    pub interval_secs: Option<f64>,
    pub p50_poll_secs: Option<f64>,
    /// The shortest time it could report a change in: interval plus median poll.
    pub floor_secs: Option<f64>,
}

/// An SLA a detector can never meet, with the advice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Infeasible {
    pub detector: String,
    pub sla_secs: f64,
    pub floor_secs: f64,
    pub advice: String,
}

/// Per polled or pushed detector that drills expected: its SLAs, interval and median poll.
pub(crate) fn held_to(records: &[&RunRecord], health: &[HealthSummary]) -> Vec<HeldTo> {
    let mut slas: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for d in records.iter().flat_map(|r| &r.drills) {
        for e in d.expectations.iter().filter(|e| !e.silent) {
            slas.entry(&e.detector).or_default().push(e.sla_secs);
        }
    }
    slas.into_iter()
        .map(|(name, mut sla_secs)| {
            sla_secs.sort_by(f64::total_cmp);
            sla_secs.dedup();
            let h = health.iter().find(|h| h.name == name);
            let interval_secs = h.and_then(|h| h.interval_secs).filter(|i| *i > 0.0);
            let p50_poll_secs = h.and_then(|h| h.p50_poll_secs);
            HeldTo {
                detector: name.to_string(),
                sla_secs,
                interval_secs,
                p50_poll_secs,
                floor_secs: interval_secs.map(|i| i + p50_poll_secs.unwrap_or(0.0)),
            }
        })
        .collect()
}

/// Every SLA below its detector's floor, shortest first per detector.
pub(crate) fn infeasible(held: &[HeldTo]) -> Vec<Infeasible> {
    let mut out = Vec::new();
    for h in held {
        let (Some(floor), Some(interval)) = (h.floor_secs, h.interval_secs) else {
            continue;
        };
        for &sla in h.sla_secs.iter().filter(|s| **s < floor) {
            let polls = match h.p50_poll_secs {
                Some(p) => format!(" and its polls take {} at the median", human(p)),
                None => String::new(),
            };
            out.push(Infeasible {
                detector: h.detector.clone(),
                sla_secs: sla,
                floor_secs: floor,
                advice: format!(
                    "detector polls every {}{polls}; a {} SLA can never be met: allow at least {} or poll more often",
                    human(interval),
                    human(sla),
                    human(floor)
                ),
            });
        }
    }
    out
}

/// The SLAs a detector is held to, in words: `30s, 5m 00s`.
pub(crate) fn slas_text(h: Option<&HeldTo>) -> String {
    match h {
        Some(h) if !h.sla_secs.is_empty() => h
            .sla_secs
            .iter()
            .map(|s| human(*s))
            .collect::<Vec<_>>()
            .join(", "),
        _ => "-".into(),
    }
}
