//! Measurement after the change, over the hub's event stream only: the observation window
//! (detections, misses, detector errors, silent detectors that leak) and time to clear. No AWS
//! calls and no plugins here: the runner feeds events, these functions settle `Watch`es.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch};

use super::event::Event;
use super::watch::{Watch, next_event, secs};
use crate::detect::matching;
use crate::record::{ClearRecord, Outcome};

/// When the change was made and when the drift must be gone, whatever happens.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// When the inject call began: polls that started earlier count only when they name the
    /// target.
    pub inject_started: Instant,
    /// When the change was confirmed live: times count from here.
    pub confirmed: Instant,
    /// The maximum drift lifetime's end.
    pub lifetime_end: Instant,
    /// No window is shorter than this (the demo sets it from a measured plan duration).
    pub min_span: Duration,
    /// Whether a window that closes before a complete poll waits for one, up to the lifetime.
    /// Discovery watches for exactly the window the user gave and never stretches it.
    pub stretch: bool,
}

/// Watches events until every expectation is settled or its window closed, the maximum drift
/// lifetime is reached, or the run is stopped. An expected detector's window is twice its SLA
/// (detections after the SLA count as late); a silent one's is its SLA. Outcomes are judged
/// from complete polls that started after the change: a window that closes before one has
/// finished stretches until one does, up to the lifetime (inconclusive if none does). A poll
/// already running when the change was made counts only if it names the target.
pub async fn observe(
    watches: &mut [Watch],
    events: &mut broadcast::Receiver<Arc<Event>>,
    mut stop: watch::Receiver<bool>,
    terms: &[String],
    window: Window,
) {
    for w in watches.iter_mut() {
        let span = if w.record.silent { w.sla } else { w.sla * 2 }.max(window.min_span);
        w.deadline = (window.confirmed + span).min(window.lifetime_end);
        w.span = w.deadline.saturating_duration_since(window.confirmed);
        w.done = w.record.outcome != Outcome::NotObserved;
    }
    loop {
        let Some(deadline) = watches.iter().filter(|w| !w.done).map(|w| w.deadline).min() else {
            return;
        };
        let event = tokio::select! {
            e = next_event(events) => e,
            _ = tokio::time::sleep_until(deadline.into()) => {
                let now = Instant::now();
                for w in watches.iter_mut().filter(|w| !w.done && w.deadline <= now) {
                    if !(window.stretch && w.stretch(window.lifetime_end)) {
                        w.close();
                    }
                }
                continue;
            }
            _ = stop.changed() => return,
        };
        let Some(event) = event else { return };
        for w in watches
            .iter_mut()
            .filter(|w| !w.done && w.record.detector == event.detector())
        {
            take_event(w, &event, terms, window);
        }
    }
}

/// One event for one open expectation.
fn take_event(w: &mut Watch, event: &Event, terms: &[String], window: Window) {
    match event {
        Event::Poll {
            started,
            finished,
            finished_at,
            result,
            ..
        } => {
            // A poll that began before the change can only have seen it if it names the target
            // (the baseline just before was clean): its hit counts, its silence says nothing. A
            // detector that also remediates may remove the change in exactly that poll.
            let straddles = *started < window.inject_started;
            if straddles && *finished < window.inject_started {
                return; // over before the change existed
            }
            let hit = result
                .as_ref()
                .ok()
                .and_then(|obs| obs.iter().find(|o| matching::names_any(o, terms)));
            match (result, hit) {
                (_, Some(hit)) => {
                    w.record.polls += 1;
                    w.answered += 1;
                    let upper = finished.saturating_duration_since(window.confirmed);
                    let lower = w.last_clean.map_or(Duration::ZERO, |c| {
                        c.saturating_duration_since(window.confirmed)
                    });
                    w.settle(upper, *finished_at, &hit.evidence);
                    w.record.bracket_secs = Some((secs(lower), secs(upper)));
                }
                _ if straddles => return,
                (Err(e), None) => w.fail(e),
                (Ok(_), None) => {
                    w.record.polls += 1;
                    w.answered += 1;
                    w.last_clean = Some(*finished);
                }
            }
            // A stretched window waited for exactly this: the first complete poll decides.
            if w.stretched_from.is_some() && !w.done {
                w.close();
            }
        }
        Event::Alert { observation, .. } => {
            let seen = observation.seen.unwrap_or_else(Instant::now);
            if seen >= window.inject_started && matching::names_any(observation, terms) {
                w.settle(
                    seen.saturating_duration_since(window.confirmed),
                    observation.at,
                    &observation.evidence,
                );
            }
        }
    }
}

/// Time to clear: after the verified revert, keeps reading every polled detector that caught the
/// drift until a poll that started after the revert no longer names the target, or until
/// `within` has passed or the run is stopped. Failed polls say nothing either way.
pub(crate) async fn observe_clear(
    watches: &mut [Watch],
    events: &mut broadcast::Receiver<Arc<Event>>,
    mut stop: watch::Receiver<bool>,
    terms: &[String],
    verified: Instant,
    within: Duration,
) {
    let deadline = verified + within;
    let mut pending: Vec<(usize, Duration)> = Vec::new();
    for (i, w) in watches.iter_mut().enumerate() {
        let detected = matches!(
            w.record.outcome,
            Outcome::DetectedWithinSla | Outcome::DetectedLate
        );
        if detected && !w.push {
            w.record.clear = Some(ClearRecord {
                cleared: false,
                bracket_secs: None,
                clear_within_secs: secs(within),
            });
            pending.push((i, Duration::ZERO));
        }
    }
    while !pending.is_empty() {
        let event = tokio::select! {
            e = next_event(events) => e,
            _ = tokio::time::sleep_until(deadline.into()) => return,
            _ = stop.changed() => return,
        };
        let Some(event) = event else { return };
        let Event::Poll {
            detector,
            started,
            finished,
            result: Ok(obs),
            ..
        } = &*event
        else {
            continue;
        };
        if *started < verified {
            continue;
        }
        let Some(pos) = pending
            .iter()
            .position(|(i, _)| watches[*i].record.detector == *detector)
        else {
            continue;
        };
        let at = finished.saturating_duration_since(verified);
        if obs.iter().any(|o| matching::names_any(o, terms)) {
            pending[pos].1 = at; // still reported: clears after this
            continue;
        }
        let (i, last_dirty) = pending.remove(pos);
        if let Some(clear) = &mut watches[i].record.clear {
            clear.cleared = true;
            clear.bracket_secs = Some((secs(last_dirty), secs(at)));
        }
    }
}

#[cfg(test)]
mod tests;
