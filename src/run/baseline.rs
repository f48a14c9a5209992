//! A drill's baseline: before anything changes, one answer from every polled detector, over the
//! hub's event stream. A detector naming the target makes the drill dirty; one that cannot
//! answer makes it unavailable. Nothing is injected unless the baseline is clean.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{broadcast, watch};

use super::event::Event;
use super::watch::{Watch, next_event};
use crate::detect::{Observation, matching};
use crate::record::Outcome;

/// What a drill's baseline found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// Every polled detector answered and none named the target.
    Clean,
    /// Some detector already names the target: the drill must not inject.
    Dirty,
    /// Some detector could not answer (its watch holds the error): the drill must not inject.
    Unavailable,
    /// The run was stopped (or the hub went away) while waiting.
    Stopped,
}

/// Baseline and preflight: takes one answer from every polled detector (expected or silent).
/// An answer naming the target makes the watch baseline-dirty; a failed answer is counted as
/// that watch's one poll and failure. `current` offers a poll already made that may serve (see
/// the runner's rules for detectors reporting their whole state); `counts` says whether a poll
/// that started at that instant may serve for that detector.
pub async fn baseline(
    watches: &mut [Watch],
    events: &mut broadcast::Receiver<Arc<Event>>,
    mut stop: watch::Receiver<bool>,
    terms: &[String],
    current: impl Fn(&str) -> Option<Arc<Event>>,
    counts: impl Fn(&str, Instant) -> bool,
) -> Baseline {
    let mut pending: BTreeSet<String> = watches
        .iter()
        .filter(|w| !w.push)
        .map(|w| w.record.detector.clone())
        .collect();
    let take =
        |watches: &mut [Watch], detector: &str, result: &Result<Vec<Observation>, String>| {
            for w in watches.iter_mut().filter(|w| w.record.detector == detector) {
                match result {
                    Ok(obs) => {
                        if let Some(o) = obs.iter().find(|o| matching::names_any(o, terms)) {
                            w.record.outcome = Outcome::BaselineDirty;
                            w.record.evidence = Some(o.evidence.clone());
                        }
                    }
                    Err(e) => w.unanswerable(e),
                }
            }
        };
    for detector in pending.clone() {
        if let Some(event) = current(&detector)
            && let Event::Poll { result, .. } = &*event
        {
            take(watches, &detector, result);
            pending.remove(&detector);
        }
    }
    while !pending.is_empty() {
        let event = tokio::select! {
            e = next_event(events) => e,
            _ = stop.changed() => return Baseline::Stopped,
        };
        let Some(event) = event else {
            return Baseline::Stopped;
        };
        let Event::Poll {
            detector,
            started,
            result,
            ..
        } = &*event
        else {
            continue;
        };
        if !pending.contains(detector) || !counts(detector, *started) {
            continue;
        }
        pending.remove(detector);
        take(watches, detector, result);
    }
    if watches
        .iter()
        .any(|w| w.record.outcome == Outcome::DetectorError)
    {
        Baseline::Unavailable
    } else if watches
        .iter()
        .any(|w| w.record.outcome == Outcome::BaselineDirty)
    {
        Baseline::Dirty
    } else {
        Baseline::Clean
    }
}
