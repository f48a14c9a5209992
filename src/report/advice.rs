//! Gap advice: the next step for an expectation that was not met, in words.

use super::text::one_line;
use crate::record::{ExpectationRecord, Outcome};

/// The next step for an expectation that was not met, following its real cause: a detector
/// that failed is told to be fixed, never to be "wired".
pub fn next_step(e: &ExpectationRecord) -> String {
    let error = one_line(e.last_error.as_deref().unwrap_or("see the run log"));
    match e.outcome {
        Outcome::DetectorError => format!("fix the detector: {error}"),
        Outcome::Missed if e.errors > 0 => format!(
            "fix the detector first ({} of {} polls failed: {error}); its other polls did not name the resource",
            e.errors, e.polls
        ),
        Outcome::Missed if e.polls > 0 => format!(
            "{} ran {} time(s) after the change without naming the resource: check that it covers this resource and attribute (ignore_changes, lifecycle rules, filters)",
            e.detector, e.polls
        ),
        Outcome::Missed => format!(
            "nothing from {} named the resource: check that the alert path is wired and posts resource ids",
            e.detector
        ),
        Outcome::DetectedLate => format!(
            "{} needed {:.0}s against an SLA of {:.0}s: run it more often or relax the SLA",
            e.detector,
            e.mttd_secs.unwrap_or(0.0),
            e.sla_secs
        ),
        Outcome::NotObserved => "the run was interrupted before the detector could answer".into(),
        Outcome::BaselineDirty => {
            "the resource already drifted before the drill: fix the standing drift first".into()
        }
        Outcome::Leaked => format!(
            "{} reported a change it should suppress: check the ignore rule or alert filter",
            e.detector
        ),
        Outcome::DetectedWithinSla | Outcome::Suppressed => String::new(),
    }
}
