//! `driftdrill discover`: every configured detector and channel watched as if expected, for one
//! window, to learn which of them sees each drift. The drills are real ones (guardrails, journal,
//! revert, verification); only what is expected changes, and the record is marked as discovery.

use std::time::Duration;

use crate::exit_codes;
use crate::formats::feasibility;
use crate::formats::scenario::{Expectations, Sla};
use crate::formats::{DrillConfig, Scenario};
use crate::record::{DrillRecord, DrillStatus, Outcome, RunRecord};

/// The shortest default window, for configs whose detectors all poll quickly or not at all.
const MIN_WINDOW: Duration = Duration::from_secs(30);

/// How a discovery run watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Discovery {
    /// How long every detector is watched after the change (`--window`).
    pub window: Option<Duration>,
}

/// The window: as asked, or twice the longest poll interval (at least 30 s); never longer than
/// the maximum drift lifetime, which bounds every change whatever is watching.
pub fn window(config: &DrillConfig, asked: Option<Duration>) -> Duration {
    let longest = config
        .detectors
        .iter()
        .filter_map(feasibility::interval)
        .max()
        .unwrap_or_default();
    asked
        .unwrap_or((longest * 2).max(MIN_WINDOW))
        .min(config.safety.max_drift_lifetime)
}

impl Discovery {
    /// Every scenario made to expect every detector and channel of the config for the window
    /// (never beyond `lifetime_cap`, a run's lowered lifetime), and nothing else: no silent
    /// ones, no remediators, no time to clear.
    pub fn expect_everything(
        self,
        config: &DrillConfig,
        scenarios: &mut [Scenario],
        lifetime_cap: Option<Duration>,
    ) {
        let window = window(config, self.window);
        let window = lifetime_cap.map_or(window, |cap| window.min(cap));
        expect_for(config, scenarios, window);
    }
}

/// An expected detector is watched for twice its SLA, so the SLA is half the window.
fn expect_for(config: &DrillConfig, scenarios: &mut [Scenario], window: Duration) {
    let half = Sla(window / 2);
    for s in scenarios {
        s.expect = Expectations {
            detectors: config.detectors.iter().map(|d| d.name.clone()).collect(),
            silent: Vec::new(),
            detect_within: Some(half),
            alert_within: Some(half),
            sla: Default::default(),
            clear_within: None,
            remediators: Vec::new(),
            remediate_within: None,
        };
    }
}

/// A discovery run's exit code: what it learns is never a failure (a blind or failing detector
/// is its finding), but a revert that was not verified, or a drill that could not run, is.
pub(crate) fn exit_code_for(drills: &[DrillRecord]) -> i32 {
    exit_codes::most_severe(drills.iter().map(|d| {
        if d.revert.as_ref().is_some_and(|r| !r.verified) {
            return exit_codes::REVERT_FAILED;
        }
        match d.status {
            DrillStatus::Completed | DrillStatus::DryRun => exit_codes::OK,
            _ => exit_codes::TOOL_ERROR,
        }
    }))
}

/// What one scenario's discovery drills found, and the `[expect]` it proposes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Proposal {
    pub scenario: String,
    /// The action drilled (the matrix's drift kind).
    pub action: String,
    /// Detectors and channels that named the target: name, the slowest time seen (upper
    /// bound of its bracket), and the SLA proposed for it.
    pub caught: Vec<Caught>,
    /// Those that stayed silent over complete, healthy polls: candidates for `silent`.
    pub silent: Vec<String>,
    /// Those that could not answer, or finished no poll in the window: name and why.
    pub unanswered: Vec<(String, String)>,
    /// Why no drill of the scenario ran, when none did.
    pub skipped: Option<String>,
}

/// One detector or channel that caught the drift.
#[derive(Debug, Clone, PartialEq)]
pub struct Caught {
    pub name: String,
    pub role: crate::vocab::Role,
    pub seen_secs: f64,
    pub sla: Duration,
}

/// One proposal per scenario of the record (drills of one scenario in several environments
/// merge: caught anywhere is caught, the slowest time counts).
pub fn proposals(record: &RunRecord) -> Vec<Proposal> {
    let mut out: Vec<Proposal> = Vec::new();
    for d in &record.drills {
        let i = match out.iter().position(|p| p.scenario == d.scenario) {
            Some(i) => i,
            None => {
                out.push(Proposal {
                    scenario: d.scenario.clone(),
                    action: d.action.clone(),
                    ..Proposal::default()
                });
                out.len() - 1
            }
        };
        add_drill(&mut out[i], record, d);
    }
    for p in &mut out {
        let caught: Vec<&str> = p.caught.iter().map(|c| c.name.as_str()).collect();
        p.silent.retain(|s| !caught.contains(&s.as_str()));
        p.unanswered.retain(|(s, _)| !caught.contains(&s.as_str()));
        p.silent.dedup();
    }
    out
}

fn add_drill(p: &mut Proposal, record: &RunRecord, d: &DrillRecord) {
    if d.confirmed_at.is_none() {
        if p.caught.is_empty() && p.silent.is_empty() {
            let detail = d.detail.as_deref().unwrap_or_default();
            p.skipped = Some(format!("{}: {detail}", d.status.label()));
        }
        return;
    }
    p.skipped = None;
    for e in &d.expectations {
        match (e.outcome, e.mttd_secs) {
            (Outcome::DetectedWithinSla | Outcome::DetectedLate, Some(m)) => {
                let seen = e.bracket_secs.map_or(m, |(_, hi)| hi);
                let sla = propose_sla(seen, floor_secs(record, &e.detector));
                match p.caught.iter_mut().find(|c| c.name == e.detector) {
                    Some(c) => {
                        c.seen_secs = c.seen_secs.max(seen);
                        c.sla = c.sla.max(sla);
                    }
                    None => p.caught.push(Caught {
                        name: e.detector.clone(),
                        role: e.role,
                        seen_secs: seen,
                        sla,
                    }),
                }
            }
            (Outcome::Missed, _) => p.silent.push(e.detector.clone()),
            _ => {
                let why = match &e.last_error {
                    Some(error) => format!("{}: {error}", e.result_text()),
                    None => e.result_text(),
                };
                p.unanswered.push((e.detector.clone(), why));
            }
        }
    }
}

/// The fastest a detector of the record could answer: its interval plus its median poll.
fn floor_secs(record: &RunRecord, detector: &str) -> Option<f64> {
    let h = record.detector_health.iter().find(|h| h.name == detector)?;
    let interval = h.interval_secs.filter(|i| *i > 0.0)?;
    Some(interval + h.median_poll_secs().unwrap_or(0.0))
}

/// The SLA proposed for a detection seen after `seen` seconds: half as long again, never below
/// what the detector can do (`floor`), rounded up to a step people write (10 s under a minute,
/// whole minutes under ten, five minutes under an hour, then whole hours).
pub fn propose_sla(seen: f64, floor: Option<f64>) -> Duration {
    let wanted = (seen * 1.5).max(floor.unwrap_or(0.0)).max(1.0);
    let step = match wanted {
        w if w <= 60.0 => 10.0,
        w if w <= 600.0 => 60.0,
        w if w <= 3600.0 => 300.0,
        _ => 3600.0,
    };
    Duration::from_secs(((wanted / step).ceil() * step) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proposed_sla_has_a_margin_a_round_step_and_never_undercuts_the_detector() {
        let secs = |s: f64, floor: Option<f64>| propose_sla(s, floor).as_secs();
        assert_eq!(secs(12.0, None), 20); // 18 s, up to the next 10 s
        assert_eq!(secs(47.0, None), 120); // 70.5 s, up to whole minutes
        assert_eq!(secs(12.0, Some(65.0)), 120); // the interval plus a poll decides
        assert_eq!(secs(500.0, None), 900); // 750 s, up to five minutes
        assert_eq!(secs(3000.0, None), 7200);
        assert_eq!(secs(0.0, None), 10);
    }
}
