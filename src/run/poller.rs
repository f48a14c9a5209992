//! One polled detector's task: idle until a drill watches it, poll once per interval, account
//! the poll in the health book, broadcast the answer; and its preflight. When the hub stops, a
//! poll in flight is cancelled (see [`crate::process::CANCEL`]) and the task ends once it has.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::{Notify, broadcast, watch};

use super::event::{Event, HealthBook, Latest, Watching};
use crate::detect::{DetectorError, Observation, PollCx, Polled};

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
}

/// Marks a detector as polling until dropped (the poll finished, failed or was cancelled).
struct InFlight<'a> {
    watching: &'a Mutex<Watching>,
    name: &'a str,
}

impl<'a> InFlight<'a> {
    fn new(watching: &'a Mutex<Watching>, name: &'a str) -> Self {
        let mut w = watching.lock().expect("watch lock");
        w.polling.insert(name.to_string());
        InFlight { watching, name }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut w = self.watching.lock().expect("watch lock");
        w.polling.remove(self.name);
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
            let _in_flight = InFlight::new(&self.watching, &self.name);
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
            // Once per interval, measured from the start of this poll.
            let next = started + self.detector.interval().max(Duration::from_millis(50));
            tokio::select! {
                _ = tokio::time::sleep_until(next.into()) => {}
                _ = self.stopped.changed() => return,
            }
            // Let drills that are mid-injection finish first, for at most one more interval.
            let cap = next + self.detector.interval();
            loop {
                let settled = self.settled.notified();
                if self.watching.lock().expect("watch lock").injecting == 0 {
                    break;
                }
                tokio::select! {
                    _ = settled => {}
                    _ = tokio::time::sleep_until(cap.into()) => break,
                    _ = self.stopped.changed() => return,
                }
            }
        }
    }
}
