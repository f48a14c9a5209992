//! Time to remediate: while a drill observes, the runner reads the target back once per
//! remediator interval (the injector only answers [`Injector::remains`]) and records when the
//! drill's change disappeared and what the resource looked like then. Failed polls of
//! remediators that are detectors make a remediator error, never "not remediated".

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch};

use super::event::{Event, next_event, secs};
use super::observe::Window;
use crate::inject::{InjectCx, Injector, Remains, RevertKind, State, Target};
use crate::record::{RemediationOutcome, RemediationRecord, RevertRecord};

/// What a drill expects of its remediators.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    pub names: Vec<String>,
    /// Those of `names` that are detectors the hub polls (a custodian policy with actions, a
    /// terraform apply).
    pub detectors: Vec<String>,
    /// How often the target is read back: the shortest of the remediators' intervals.
    pub interval: Duration,
    pub sla: Duration,
}

/// How the target is read back: the drill's injector, with what it was given.
pub(crate) struct Reader<'a> {
    pub injector: &'a dyn Injector,
    pub icx: &'a InjectCx<'a>,
    pub target: &'a Target,
    pub snapshot: &'a State,
    /// Whether a detector has a poll in flight now (the hub's answer).
    pub polling: &'a (dyn Fn(&str) -> bool + Sync),
}

/// Watches until the change disappears, the window (twice the SLA, at least the run's minimum
/// window, capped by the lifetime) closes, or the run is stopped.
pub(crate) async fn watch(
    reader: Reader<'_>,
    expected: &Expected,
    events: &mut broadcast::Receiver<Arc<Event>>,
    mut stop: watch::Receiver<bool>,
    window: Window,
) -> RemediationRecord {
    let span = (expected.sla * 2).max(window.min_span);
    let deadline = (window.confirmed + span).min(window.lifetime_end);
    let mut rec = record(
        expected,
        deadline.saturating_duration_since(window.confirmed),
    );
    // The confirming read found the change live.
    let mut last_live = window.confirmed;
    let mut next = Instant::now() + expected.interval;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(next.min(deadline).into()) => {}
            event = next_event(events) => {
                if let Some(event) = event {
                    note_failed_poll(&mut rec, &event, expected, window);
                }
                continue;
            }
            _ = stop.changed() => {
                rec.outcome = RemediationOutcome::NotObserved;
                return rec;
            }
        }
        if Instant::now() >= deadline {
            break;
        }
        next = Instant::now() + expected.interval;
        let started = Instant::now();
        let answer = reader
            .injector
            .remains(reader.icx, reader.target, reader.snapshot)
            .await;
        rec.reads += 1;
        match answer {
            Ok(Remains::Live(_)) => last_live = started,
            Ok(gone) => {
                let bracket = (
                    last_live - window.confirmed,
                    Instant::now() - window.confirmed,
                );
                settle(&mut rec, gone, bracket);
                let pending = expected.detectors.iter().filter(|d| (reader.polling)(d));
                let pending: Vec<String> = pending.cloned().collect();
                finish_polls(pending, &mut rec, expected, events, stop, window).await;
                return rec;
            }
            Err(e) => {
                rec.read_errors += 1;
                rec.last_error = Some(crate::errors::chain(&e));
            }
        }
    }
    rec.outcome = if rec.remediator_errors > 0 {
        RemediationOutcome::RemediatorError
    } else if rec.reads == rec.read_errors {
        RemediationOutcome::Inconclusive
    } else {
        RemediationOutcome::NotRemediated
    };
    rec
}

/// Waits for the polls of remediators that were in flight when the change was found gone (a
/// terraform apply still writing its state): the poll that remediated ends, and is logged,
/// before the drill moves on and the run may end. Bounded by the lifetime and the stop signal.
async fn finish_polls(
    mut pending: Vec<String>,
    rec: &mut RemediationRecord,
    expected: &Expected,
    events: &mut broadcast::Receiver<Arc<Event>>,
    mut stop: watch::Receiver<bool>,
    window: Window,
) {
    while !pending.is_empty() {
        tokio::select! {
            event = next_event(events) => {
                let Some(event) = event else { return };
                note_failed_poll(rec, &event, expected, window);
                pending.retain(|d| d != event.detector());
            }
            _ = tokio::time::sleep_until(window.lifetime_end.into()) => return,
            _ = stop.changed() => return,
        }
    }
}

/// An empty record for the expected remediators.
fn record(expected: &Expected, window: Duration) -> RemediationRecord {
    RemediationRecord {
        remediators: expected.names.clone(),
        outcome: RemediationOutcome::NotRemediated,
        sla_secs: Some(secs(expected.sla)),
        mttr_secs: None,
        bracket_secs: None,
        difference: None,
        reads: 0,
        read_errors: 0,
        remediator_errors: 0,
        last_error: None,
        window_secs: Some(secs(window)),
    }
}

/// A poll of a remediator (a detector) that started after the change and failed.
fn note_failed_poll(rec: &mut RemediationRecord, event: &Event, expected: &Expected, w: Window) {
    if let Event::Poll {
        detector,
        started,
        result: Err(error),
        ..
    } = event
        && *started >= w.inject_started
        && expected.names.contains(detector)
    {
        rec.remediator_errors += 1;
        rec.last_error = Some(format!("{detector}: {error}"));
    }
}

/// The change was found gone: restored or differently, with its time and bracket.
fn settle(rec: &mut RemediationRecord, gone: Remains, (lower, upper): (Duration, Duration)) {
    (rec.outcome, rec.difference) = match gone {
        Remains::Differently(how) => (RemediationOutcome::RemediatedDifferently, Some(how)),
        _ => (RemediationOutcome::Restored, None),
    };
    rec.mttr_secs = Some(secs(upper));
    rec.bracket_secs = Some((secs(lower), secs(upper)));
}

/// A change nobody was expected to undo that the drill's own revert found already gone (on its
/// first attempt, so nothing of the drill's wrote it): remediated by something else, some time
/// between the confirmation and the revert's start.
pub(crate) fn unexpected(
    revert: &RevertRecord,
    confirmed: Instant,
    revert_started: Instant,
) -> Option<RemediationRecord> {
    let outcome = match revert.kind? {
        RevertKind::AlreadyReverted => RemediationOutcome::Restored,
        RevertKind::ConflictLeftAlone => RemediationOutcome::RemediatedDifferently,
        _ => return None,
    };
    if revert.attempts != 1 {
        return None;
    }
    let upper = secs(revert_started.saturating_duration_since(confirmed));
    Some(RemediationRecord {
        remediators: Vec::new(),
        outcome,
        sla_secs: None,
        mttr_secs: Some(upper),
        bracket_secs: Some((0.0, upper)),
        difference: (outcome == RemediationOutcome::RemediatedDifferently)
            .then(|| revert.detail.clone())
            .flatten(),
        reads: 1,
        read_errors: 0,
        remediator_errors: 0,
        last_error: None,
        window_secs: None,
    })
}
