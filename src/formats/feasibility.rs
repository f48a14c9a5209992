//! SLA feasibility: an expectation held to an SLA shorter than its detector can ever answer in
//! (its poll interval plus how long a poll takes, or the schedule of the service that sends the
//! alert) fails every quarter and teaches nothing. These are warnings on the expectation's name.

use std::collections::BTreeMap;
use std::time::Duration;

use super::config::DetectorDecl;
use super::{DrillConfig, Scenario};
use crate::diag::{Diagnostic, Located};
use crate::vocab::cadence;

/// Why a detector can never answer faster than some time.
#[derive(Debug, Clone, PartialEq)]
pub struct Floor {
    /// The shortest time in which it could report a change.
    pub at_least: Duration,
    /// In words, e.g. "tf polls every 5m and its polls take 25s at the median".
    pub why: String,
}

/// The fastest a detector can answer: a polled one's interval plus its median poll duration
/// (from earlier runs, when known); a webhook channel's sender cadence; `None` when unknown.
pub fn floor(decl: &DetectorDecl, median_poll: Option<Duration>) -> Option<Floor> {
    let name = &decl.name.value;
    let setting = |key: &str| decl.settings.get(key).and_then(|v| v.as_str());
    if let Some(interval) = interval(decl) {
        let mut why = format!("{name} polls every {}", show(interval));
        if let Some(m) = median_poll {
            why.push_str(&format!(" and its polls take {} at the median", show(m)));
        }
        return Some(Floor {
            at_least: interval + median_poll.unwrap_or_default(),
            why,
        });
    }
    let sender = cadence::of(setting("format")?)?;
    let at_least = sender.at_least?;
    let mut why = format!(
        "{name} hears {} {}, which run at most every {}",
        sender.sender,
        sender.check,
        show(at_least)
    );
    if let Some(d) = sender.default {
        why.push_str(&format!(" ({} unless configured)", show(d)));
    }
    Some(Floor { at_least, why })
}

/// A polled detector's time between polls as its settings hold it; `None` for a push channel.
pub fn interval(decl: &DetectorDecl) -> Option<Duration> {
    let text = decl.settings.get("interval")?.as_str()?;
    humantime::parse_duration(text).ok()
}

/// Every expectation (detector, channel or remediating detector) whose SLA is shorter than its
/// floor, as a warning on the name in `[expect]`. `median_polls` holds each detector's median
/// poll duration from earlier runs, where any were found.
pub fn check(
    config: &DrillConfig,
    scenarios: &[Scenario],
    median_polls: &BTreeMap<String, Duration>,
) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for s in scenarios {
        let e = &s.expect;
        let expected = e.detectors.iter().filter_map(|n| {
            let decl = config.detector(&n.value)?;
            Some((n, decl, e.sla_for(&n.value, decl.role)?, "detect"))
        });
        let remediating = e.remediators.iter().filter_map(|n| {
            let decl = config.detector(&n.value)?;
            let sla = e.sla.get(&n.value).or(e.remediate_within.as_ref())?;
            Some((n, decl, sla.0, "remediate"))
        });
        for (name, decl, sla, verb) in expected.chain(remediating) {
            let median = median_polls.get(&name.value).copied();
            if let Some(f) = floor(decl, median).filter(|f| sla < f.at_least) {
                warnings.push(warning(name, sla, verb, &f));
            }
        }
    }
    warnings
}

fn warning(name: &Located<String>, sla: Duration, verb: &str, floor: &Floor) -> Diagnostic {
    name.diag(
        "infeasible-sla",
        format!(
            "{} SLA to {verb} for `{}` can never be met: {}",
            show(sla),
            name.value,
            floor.why
        ),
    )
    .with_hint(format!(
        "allow at least {} or make the detector answer sooner",
        show(floor.at_least)
    ))
}

/// A duration as people write it in driftdrill files ("1h 30m", "25s"), whole seconds.
pub fn show(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs().max(1))).to_string()
}

#[cfg(test)]
mod tests;
