//! The AWS calls drills made in the period: how many per drill in each phase, and which
//! operations, so a team sees what a drill costs against its rate limits and in CloudTrail.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::calls::Phase;
use crate::record::RunRecord;

/// Calls over every drill that counted them (records older than the counting have none).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallsSummary {
    /// Drills whose records carry calls.
    pub drills: usize,
    pub total: u32,
    pub per_drill: f64,
    /// Per phase, in a drill's order: calls and calls per drill.
    pub phases: Vec<PhaseCalls>,
    /// The run-level calls (the preflight), per run.
    pub preflight_per_run: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseCalls {
    pub phase: Phase,
    pub calls: u32,
    pub per_drill: f64,
    /// `service:Operation` and its calls, most called first.
    pub operations: Vec<(String, u32)>,
}

/// The period's calls; `None` when no drill counted any.
pub(crate) fn summary(records: &[&RunRecord]) -> Option<CallsSummary> {
    let counted: Vec<_> = records
        .iter()
        .flat_map(|r| &r.drills)
        .filter(|d| !d.calls.is_empty())
        .collect();
    if counted.is_empty() {
        return None;
    }
    let mut phases: BTreeMap<Phase, BTreeMap<String, u32>> = BTreeMap::new();
    for c in counted.iter().flat_map(|d| &d.calls) {
        let operation = format!("{}:{}", c.service, c.operation);
        *phases
            .entry(c.phase)
            .or_default()
            .entry(operation)
            .or_default() += c.calls;
    }
    let drills = counted.len();
    let per = |calls: u32| f64::from(calls) / drills as f64;
    let phases: Vec<PhaseCalls> = phases
        .into_iter()
        .map(|(phase, ops)| {
            let calls = ops.values().sum();
            let mut operations: Vec<(String, u32)> = ops.into_iter().collect();
            operations.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            PhaseCalls {
                phase,
                calls,
                per_drill: per(calls),
                operations,
            }
        })
        .collect();
    let total = phases.iter().map(|p| p.calls).sum();
    let runs = records
        .iter()
        .filter(|r| r.drills.iter().any(|d| !d.calls.is_empty()));
    let (runs, preflight) = runs.fold((0usize, 0u32), |(n, c), r| {
        (n + 1, c + crate::calls::total(&r.calls))
    });
    Some(CallsSummary {
        drills,
        total,
        per_drill: per(total),
        phases,
        preflight_per_run: f64::from(preflight) / runs.max(1) as f64,
    })
}
