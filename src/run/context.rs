//! What every drill of a run shares: clients, config, the hub, the journal, the stop signal,
//! progress, the concurrency slots, and the per-resource locks that keep two drills off one
//! resource.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Instant;

use tokio::sync::{Notify, Semaphore, watch};

use super::group_commit::SharedJournal;
use super::hub::Hub;
use super::journal::{Journal, JournalError, Step};
use super::progress::Progress;
use crate::aws::AwsClients;
use crate::formats::DrillConfig;
use crate::vocab::Role;

/// What every drill of a run shares.
pub struct RunCx {
    pub run_id: String,
    pub aws: AwsClients,
    pub config: DrillConfig,
    pub hub: Hub,
    /// Appends from concurrent drills share fsyncs (group commit).
    pub journal: SharedJournal,
    /// Set to true on the first Ctrl-C/SIGTERM: stop observing, revert, finish.
    pub stop: watch::Receiver<bool>,
    pub dry_run: bool,
    /// A discovery run: a detector that cannot answer is recorded as such and the drill goes
    /// on with the others (a `run` skips the drill instead).
    pub discovery: bool,
    /// No observation window is shorter than this (see `RunOptions::min_window`).
    pub min_window: std::time::Duration,
    pub progress: Progress,
    /// Resource ids a drill currently holds (two drills never touch one resource at once), and
    /// when each was last released.
    busy: Mutex<Busy>,
    freed: Notify,
    /// Drills in flight (`max_concurrent`). A drill that has to wait for a resource another
    /// drill holds gives its slot back meanwhile, so waiting drills never keep drills on other
    /// resources from starting.
    pub slots: Semaphore,
    /// Fault-injection hook for crash tests (DRIFTDRILL_TEST_PAUSE_AT): the lifecycle point at
    /// which to announce itself and wait (until a stop signal or the drill's lifetime), so a
    /// test can SIGKILL the process there.
    pause_at: Option<String>,
}

impl RunCx {
    /// A run context that injects for real, reports no progress and runs the config's
    /// `max_concurrent` drills at once; the runner then sets `dry_run`, `progress`, `slots`
    /// (for `--concurrency`) from its options.
    pub fn new(
        run_id: String,
        aws: AwsClients,
        config: DrillConfig,
        hub: Hub,
        journal: Journal,
        stop: watch::Receiver<bool>,
    ) -> Self {
        let slots = Semaphore::new(config.safety.max_concurrent.max(1) as usize);
        RunCx {
            run_id,
            aws,
            config,
            hub,
            journal: SharedJournal::new(journal),
            stop,
            dry_run: false,
            discovery: false,
            min_window: std::time::Duration::ZERO,
            progress: Progress::quiet(),
            slots,
            busy: Mutex::new(Busy::default()),
            freed: Notify::new(),
            pause_at: std::env::var("DRIFTDRILL_TEST_PAUSE_AT")
                .ok()
                .filter(|s| !s.is_empty()),
        }
    }

    /// A drill's label (its name without the run id): what progress lines show.
    pub(super) fn label<'a>(&self, drill: &'a str) -> &'a str {
        drill
            .strip_prefix(self.run_id.as_str())
            .and_then(|d| d.strip_prefix('/'))
            .unwrap_or(drill)
    }

    pub(super) fn role(&self, detector: &str) -> Role {
        self.config
            .detector(detector)
            .map_or(Role::Detector, |d| d.role)
    }

    /// The crash tests' hook: at the named lifecycle point, say so and wait, so a test can
    /// SIGKILL the process there. It never outlasts what a user's run allows: a stop signal or
    /// `until` (the drill's lifetime) ends the wait and the drill goes on.
    pub(super) async fn pause_point(&self, point: &str, until: Instant) {
        if self.pause_at.as_deref() != Some(point) {
            return;
        }
        println!("driftdrill-test: reached {point}");
        let mut stop = self.stop.clone();
        tokio::select! {
            _ = stop.wait_for(|s| *s) => {}
            _ = tokio::time::sleep_until(until.into()) => {}
        }
    }

    /// Journals one step of a drill; returns once it is durable.
    pub(super) async fn journal(&self, drill: &str, step: Step) -> Result<(), JournalError> {
        self.journal.append(&self.run_id, drill, step).await
    }

    /// Whether some drill holds the resource right now.
    pub(super) fn is_busy(&self, id: &str) -> bool {
        self.busy.lock().expect("busy lock").held.contains(id)
    }

    /// Waits until no other drill holds the resource, then holds it.
    pub(super) async fn hold(&self, id: &str) -> Held<'_> {
        loop {
            let freed = self.freed.notified();
            {
                let mut busy = self.busy.lock().expect("busy lock");
                if busy.held.insert(id.to_string()) {
                    return Held {
                        cx: self,
                        id: id.to_string(),
                        last_released: busy.released.get(id).copied(),
                    };
                }
            }
            freed.await;
        }
    }
}

#[derive(Default)]
struct Busy {
    held: BTreeSet<String>,
    released: std::collections::BTreeMap<String, Instant>,
}

pub(super) struct Held<'a> {
    cx: &'a RunCx,
    id: String,
    /// When an earlier drill of this run last released the resource (after its revert).
    pub(super) last_released: Option<Instant>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut busy = self.cx.busy.lock().expect("busy lock");
        busy.held.remove(&self.id);
        busy.released.insert(self.id.clone(), Instant::now());
        drop(busy);
        self.cx.freed.notify_waiters();
    }
}
