//! One expectation's measurement state (a `Watch`: polls, errors, window, outcome rules) and
//! reading the hub's event stream. `baseline` and `observe` drive watches; this file says what
//! each answer does to one.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub(crate) use super::event::{next_event, secs};
use crate::record::{ExpectationRecord, Outcome};
use crate::vocab::Role;

/// Per-expectation measurement state.
pub struct Watch {
    pub record: ExpectationRecord,
    pub sla: Duration,
    /// A push channel: it is never polled, so it has no baseline and no polls to count.
    pub push: bool,
    pub(super) deadline: Instant,
    /// How long the window ran, from the confirmed change to `deadline`.
    pub(super) span: Duration,
    /// When the window was stretched to wait for a complete poll: when it would have closed.
    pub(super) stretched_from: Option<Instant>,
    pub(super) last_clean: Option<Instant>,
    /// Successful polls that started after the change.
    pub(super) answered: u32,
    pub(super) done: bool,
}

impl Watch {
    pub fn new(detector: &str, role: Role, silent: bool, sla: Duration, push: bool) -> Watch {
        Watch {
            record: ExpectationRecord {
                detector: detector.to_string(),
                role,
                silent,
                sla_secs: secs(sla),
                outcome: Outcome::NotObserved,
                detected_at: None,
                mttd_secs: None,
                bracket_secs: None,
                evidence: None,
                polls: 0,
                errors: 0,
                last_error: None,
                clear: None,
                window_secs: None,
                stretched_secs: None,
            },
            sla,
            push,
            deadline: Instant::now(),
            span: Duration::ZERO,
            stretched_from: None,
            last_clean: None,
            answered: 0,
            done: false,
        }
    }

    pub(super) fn fail(&mut self, error: &str) {
        self.record.polls += 1;
        self.record.errors += 1;
        self.record.last_error = Some(error.to_string());
    }

    /// The detector could not answer before the change (its preflight or baseline poll
    /// failed): one failed answer, and the expectation ends as a detector error.
    pub(crate) fn unanswerable(&mut self, error: &str) {
        self.fail(error);
        self.record.outcome = Outcome::DetectorError;
    }

    /// Whether a complete poll that started after the change has answered: the only answers an
    /// outcome is judged from (a failed one counts too: a detector that failed is an error).
    pub(super) fn judged(&self) -> bool {
        self.push || self.answered > 0 || self.record.errors > 0
    }

    /// The window closed before any poll that started after the change finished: keep
    /// observing until one does, up to `until` (the drift's lifetime). True if stretched.
    pub(super) fn stretch(&mut self, until: Instant) -> bool {
        if self.judged() || self.stretched_from.is_some() || until <= self.deadline {
            return false;
        }
        self.stretched_from = Some(self.deadline);
        self.deadline = until;
        true
    }

    /// Closes a window that passed without a detection (or, for a silent detector, a leak).
    /// A detector that could not answer is never counted as clean nor as blind: an expected one
    /// with no successful poll after the change but a failed one is a detector error, and so is
    /// a silent one with any failed poll. One that never finished a poll after the change, even
    /// with the window stretched to the drift's lifetime, is inconclusive: merely slow, never
    /// broken.
    pub(super) fn close(&mut self) {
        self.done = true;
        self.note_stretch(Instant::now());
        let unanswered = !self.push && self.answered == 0;
        if unanswered && self.record.errors == 0 {
            self.record.last_error = Some(format!(
                "no poll that started after the change finished within the {} window{}",
                humantime::format_duration(Duration::from_secs(self.span.as_secs())),
                if self.stretched_from.is_some() {
                    " (stretched to the drift's lifetime)"
                } else {
                    ""
                }
            ));
        }
        let failed = self.record.errors > 0 && (self.record.silent || unanswered);
        self.record.outcome = if failed {
            Outcome::DetectorError
        } else if unanswered {
            Outcome::Inconclusive
        } else if self.record.silent {
            Outcome::Suppressed
        } else {
            Outcome::Missed
        };
    }

    /// Records the window, and how far past it the outcome was decided, at `now`.
    pub(super) fn note_stretch(&mut self, now: Instant) {
        self.record.window_secs = Some(secs(self.span));
        self.record.stretched_secs = self
            .stretched_from
            .map(|from| secs(now.saturating_duration_since(from)));
    }

    /// A detection (or, for a silent detector, a leak) `mttd` after the confirmed change. A
    /// detection after the SLA stays late however the window was stretched.
    pub(super) fn settle(&mut self, mttd: Duration, at: DateTime<Utc>, evidence: &str) {
        self.done = true;
        self.note_stretch(Instant::now());
        self.record.detected_at = Some(at);
        self.record.mttd_secs = Some(secs(mttd));
        self.record.evidence = Some(evidence.chars().take(2000).collect());
        self.record.outcome = if self.record.silent {
            Outcome::Leaked
        } else if mttd <= self.sla {
            Outcome::DetectedWithinSla
        } else {
            Outcome::DetectedLate
        };
    }
}
