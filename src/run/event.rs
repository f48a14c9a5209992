//! What the hub's pollers and channels say and keep: the events every drill reads, the
//! detectors' health book, and which drills watch which detector. Shared by the hub, its
//! pollers and the measurement, so none of them imports another for it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use crate::detect::Observation;
use crate::record::DetectorHealth;

/// Health of every detector and channel, updated by the pollers and channel forwarders.
pub(super) type HealthBook = Arc<Mutex<BTreeMap<String, DetectorHealth>>>;

/// One thing a detector or channel said.
#[derive(Debug, Clone)]
pub enum Event {
    /// A finished poll: when it started and ended, and what it saw (or why it failed).
    Poll {
        detector: String,
        started: Instant,
        finished: Instant,
        finished_at: DateTime<Utc>,
        result: Result<Vec<Observation>, String>,
    },
    /// An alert a push channel received.
    Alert {
        detector: String,
        observation: Observation,
    },
}

impl Event {
    pub fn detector(&self) -> &str {
        match self {
            Event::Poll { detector, .. } | Event::Alert { detector, .. } => detector,
        }
    }
}

#[derive(Default)]
pub(super) struct Watching {
    /// Detector name → how many drills watch it.
    pub(super) counts: BTreeMap<String, usize>,
    /// Terms of every drill in flight (target ids, marks), for channels that filter.
    pub(super) terms: BTreeMap<String, usize>,
    /// Every term any drill of this run has watched: what "touched during the window" means
    /// for false alarms.
    pub(super) touched: std::collections::BTreeSet<String>,
    /// Detector name → drills in an environment it watches that are between snapshot and
    /// confirmed injection.
    pub(super) injecting: BTreeMap<String, usize>,
    /// Detector name → drills in an environment it watches that are between the end of their
    /// observation and their verified revert.
    pub(super) reverting: BTreeMap<String, usize>,
    /// Every watch whose drill's change may still be in place (from the watch to the end of
    /// its revert), by number, with its terms: what a poll that names one waits on.
    pub(super) watches: BTreeMap<u64, Vec<String>>,
    /// The number the next watch gets.
    pub(super) next_watch: u64,
    /// Detectors with a poll in flight now.
    pub(super) polling: std::collections::BTreeSet<String>,
}

/// The last finished poll of a detector whose answers describe its whole state.
pub(super) struct Latest {
    pub(super) event: Arc<Event>,
    pub(super) interval: Duration,
}

/// Seconds as the records keep them: rounded to milliseconds.
pub(crate) fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

/// The next hub event; a lag (events dropped while this drill was busy) is logged and skipped.
/// `None` once the hub is gone.
pub(crate) async fn next_event(events: &mut broadcast::Receiver<Arc<Event>>) -> Option<Arc<Event>> {
    loop {
        match events.recv().await {
            Ok(event) => return Some(event),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!("missed {n} detector events while busy");
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}
