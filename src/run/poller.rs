//! One polled detector's task: idle until a drill watches it, poll once per interval, account
//! the poll in the health book, broadcast the answer; and its preflight. When the hub stops, a
//! poll in flight is cancelled (see [`crate::process::CANCEL`]) and the task ends once it has.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::{Notify, broadcast, watch};

use super::event::{Event, HealthBook, Latest, Watching};
use crate::detect::{DetectorError, Observation, PollCx, Polled, matching};

/// A detector's preflight, asked once more after a pause when it failed in a way that may pass
/// (a time-out, throttling, a lost lock): one slow answer should not skip a quarter's drills.
pub(super) async fn preflight(p: &dyn Polled) -> Result<(), DetectorError> {
    match p.preflight().await {
        Err(e) if e.is_transient() => {
            tokio::time::sleep(PREFLIGHT_RETRY_PAUSE).await;
            p.preflight().await
        }
        other => other,
    }
}

const PREFLIGHT_RETRY_PAUSE: Duration = Duration::from_secs(2);

/// How long after a poll's answer is broadcast the next poll waits at least, so that the drills
/// that answer lets go have read it and started reverting (see [`Poller::wait_for_changes`]);
/// one that is later only costs the next drill on its resource one more poll.
const SETTLE: Duration = Duration::from_millis(100);

pub(super) struct Poller {
    pub(super) name: String,
    /// Where to keep the last finished poll (whole-state detectors only).
    pub(super) latest: Option<Arc<Mutex<BTreeMap<String, Latest>>>>,
    pub(super) detector: Box<dyn Polled>,
    pub(super) events: broadcast::Sender<Arc<Event>>,
    pub(super) watching: Arc<Mutex<Watching>>,
    pub(super) health: HealthBook,
    pub(super) wake: Arc<Notify>,
    pub(super) settled: Arc<Notify>,
    pub(super) stopped: watch::Receiver<bool>,
    /// The watches this detector's answers have named, kept while they are in force: a drill is
    /// waited for only the first time an answer names it (see [`Poller::newly_named`]).
    pub(super) named: BTreeSet<u64>,
}

/// Marks a detector as polling until dropped (the poll finished, failed or was cancelled).
struct InFlight {
    watching: Arc<Mutex<Watching>>,
    name: String,
}

impl InFlight {
    fn new(watching: &Arc<Mutex<Watching>>, name: &str) -> Self {
        let mut w = watching.lock().expect("watch lock");
        w.polling.insert(name.to_string());
        InFlight {
            watching: watching.clone(),
            name: name.to_string(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut w = self.watching.lock().expect("watch lock");
        w.polling.remove(&self.name);
    }
}

impl Poller {
    fn account(&self, took: Duration, result: &Result<Vec<Observation>, DetectorError>) {
        let mut book = self.health.lock().expect("health lock");
        let Some(h) = book.get_mut(&self.name) else {
            return;
        };
        h.polls += 1;
        h.poll_secs.push(super::event::secs(took));
        if let Ok(observations) = result {
            h.actions.extend(observations.iter().filter_map(|o| {
                Some(crate::record::DetectorAction {
                    at: o.at,
                    resources: o.resources.clone(),
                    what: o.acted.clone()?,
                })
            }));
        }
        if let Err(e) = result {
            h.failures += 1;
            h.transient_failures += u32::from(e.is_transient());
            h.last_error = Some(crate::errors::chain(e));
        }
    }

    fn wanted(&self) -> Option<PollCx> {
        let w = self.watching.lock().expect("watch lock");
        (w.counts.get(&self.name).copied().unwrap_or(0) > 0).then(|| PollCx {
            watch: w.terms.keys().cloned().collect(),
        })
    }

    pub(super) async fn run(mut self) {
        loop {
            // Idle until a drill watches this detector.
            let cx = loop {
                let woken = self.wake.notified();
                if let Some(cx) = self.wanted() {
                    break cx;
                }
                tokio::select! {
                    _ = woken => {}
                    _ = self.stopped.changed() => return,
                }
            };
            let started = Instant::now();
            let before = self.watches_now();
            let in_flight = InFlight::new(&self.watching, &self.name);
            // A poll in flight when the run ends is cancelled and awaited: a program it runs
            // gets SIGINT (terraform releases its lock), then its group is killed after a grace.
            let result = crate::process::CANCEL
                .scope(self.stopped.clone(), self.detector.poll(&cx))
                .await;
            if *self.stopped.borrow() {
                return;
            }
            let finished = Instant::now();
            self.account(finished - started, &result);
            let fresh = self.newly_named(&before, &result);
            let result = result.map_err(|e| crate::errors::chain(&e));
            let event = Event::Poll {
                detector: self.name.clone(),
                started,
                finished,
                finished_at: Utc::now(),
                result,
            };
            let event = Arc::new(event);
            if let Some(latest) = &self.latest {
                latest.lock().expect("latest lock").insert(
                    self.name.clone(),
                    Latest {
                        event: event.clone(),
                        interval: self.detector.interval(),
                    },
                );
            }
            let _ = self.events.send(event);
            drop(in_flight);
            if !self.wait_for_changes(started, finished, &fresh).await {
                return;
            }
        }
    }

    /// The watches in force now, by number.
    fn watches_now(&self) -> Vec<u64> {
        let w = self.watching.lock().expect("watch lock");
        w.watches.keys().copied().collect()
    }

    /// The watches of `before` (those in force when the poll started) whose terms this answer
    /// names and no earlier answer named: the drills it has just detected, which may now end
    /// and revert.
    fn newly_named(
        &mut self,
        before: &[u64],
        result: &Result<Vec<Observation>, DetectorError>,
    ) -> Vec<u64> {
        let w = self.watching.lock().expect("watch lock");
        self.named.retain(|n| w.watches.contains_key(n));
        let Ok(observations) = result else {
            return Vec::new();
        };
        let fresh: Vec<u64> = (before.iter())
            .filter(|n| !self.named.contains(*n))
            .filter(|n| {
                let terms = w.watches.get(*n).map_or(&[][..], Vec::as_slice);
                observations.iter().any(|o| matching::names_any(o, terms))
            })
            .copied()
            .collect();
        drop(w);
        self.named.extend(fresh.iter().copied());
        fresh
    }

    /// Waits out the interval (measured from the start of the poll that just ended), then lets
    /// drills that are changing a resource in an environment this detector watches finish
    /// first, for at most one more interval (a change elsewhere is no answer of its to wait for):
    /// mid-injection, mid-revert (a drill that this poll's answer let go starts reverting within
    /// [`SETTLE`]), or just detected by this poll and not yet reverted (`fresh`: such a drill
    /// usually reverts as soon as its other detectors have answered, and a poll started before
    /// that revert still sees the change, so it cannot be the clean baseline the next drill on
    /// that resource needs).
    /// False when the hub stopped meanwhile.
    async fn wait_for_changes(
        &mut self,
        started: Instant,
        finished: Instant,
        fresh: &[u64],
    ) -> bool {
        let interval = self.detector.interval();
        let next = (started + interval.max(Duration::from_millis(50))).max(finished + SETTLE);
        tokio::select! {
            _ = tokio::time::sleep_until(next.into()) => {}
            _ = self.stopped.changed() => return false,
        }
        let cap = next.max(Instant::now()) + interval;
        loop {
            let settled = self.settled.notified();
            {
                let w = self.watching.lock().expect("watch lock");
                let detected = fresh.iter().any(|n| w.watches.contains_key(n));
                let changing =
                    |m: &BTreeMap<String, usize>| m.get(&self.name).is_some_and(|n| *n > 0);
                if !changing(&w.injecting) && !changing(&w.reverting) && !detected {
                    return true;
                }
            }
            tokio::select! {
                _ = settled => {}
                _ = tokio::time::sleep_until(cap.into()) => return true,
                _ = self.stopped.changed() => return false,
            }
        }
    }
}
