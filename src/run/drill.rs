//! One drill's lifecycle: preflight, baseline, snapshot, journaled intent, inject, verify,
//! observe, revert, verify. Every wait and deadline lives here or in the hub, never in plugins.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, broadcast, watch};

use super::hub::{Event, Hub};
use super::journal::{Journal, Step};
use super::record::{
    ClearRecord, DrillRecord, DrillStatus, ExpectationRecord, Outcome, RevertRecord,
};
use super::retry::{self, Budget};
use super::rollback;
use crate::aws::AwsClients;
use crate::detect::{Role, matching};
use crate::formats::{DrillConfig, Scenario};
use crate::inject::{self, Check, InjectCx, InjectError, Injector, Target, guard};

/// What every drill of a run shares.
pub struct RunCx {
    pub run_id: String,
    pub aws: AwsClients,
    pub config: DrillConfig,
    pub hub: Hub,
    pub journal: Mutex<Journal>,
    /// Set to true on the first Ctrl-C/SIGTERM: stop observing, revert, finish.
    pub stop: watch::Receiver<bool>,
    pub dry_run: bool,
    pub progress: super::runner::Progress,
    /// Resource ids a drill currently holds (two drills never touch one resource at once), and
    /// when each was last released.
    busy: Mutex<Busy>,
    freed: Notify,
    /// Fault-injection hook for crash tests (DRIFTDRILL_TEST_PAUSE_AT): the lifecycle point at
    /// which to announce itself and wait forever, so a test can SIGKILL the process there.
    pause_at: Option<String>,
}

impl RunCx {
    pub fn new(
        run_id: String,
        aws: AwsClients,
        config: DrillConfig,
        hub: Hub,
        journal: Journal,
        stop: watch::Receiver<bool>,
        dry_run: bool,
        progress: super::runner::Progress,
    ) -> Self {
        RunCx {
            run_id,
            aws,
            config,
            hub,
            journal: Mutex::new(journal),
            stop,
            dry_run,
            progress,
            busy: Mutex::new(Busy::default()),
            freed: Notify::new(),
            pause_at: std::env::var("DRIFTDRILL_TEST_PAUSE_AT")
                .ok()
                .filter(|s| !s.is_empty()),
        }
    }

    fn role(&self, detector: &str) -> Role {
        self.config
            .detector(detector)
            .map_or(Role::Detector, |d| d.role)
    }

    async fn pause_point(&self, point: &str) {
        if self.pause_at.as_deref() == Some(point) {
            println!("driftdrill-test: reached {point}");
            std::future::pending::<()>().await;
        }
    }

    fn journal(&self, drill: &str, step: Step) -> Result<(), String> {
        self.journal
            .lock()
            .expect("journal lock")
            .append(&self.run_id, drill, step)
            .map_err(|e| crate::errors::chain(&e))
    }

    /// Waits until no other drill holds the resource, then holds it.
    async fn hold(&self, id: &str) -> Held<'_> {
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

struct Held<'a> {
    cx: &'a RunCx,
    id: String,
    /// When an earlier drill of this run last released the resource (after its revert).
    last_released: Option<Instant>,
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

/// Per-expectation measurement state during observation.
struct Watch {
    record: ExpectationRecord,
    sla: Duration,
    deadline: Instant,
    last_clean: Option<Instant>,
    done: bool,
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

/// Runs one scenario to the end and returns its record. Never panics on AWS or detector errors:
/// they become the record's status.
pub async fn run(cx: &RunCx, scenario: &Scenario) -> DrillRecord {
    let id = scenario.id.value.clone();
    let drill = format!("{}/{}", cx.run_id, id);
    let mark = format!("driftdrill:{}:{}", cx.run_id, id);
    let mut record = DrillRecord {
        scenario: id.clone(),
        title: scenario.title.clone(),
        category: scenario.category.clone(),
        severity: scenario.severity.clone(),
        action: scenario.inject.action.value.clone(),
        target: None,
        mark: mark.clone(),
        status: DrillStatus::Failed,
        detail: None,
        injected_at: None,
        confirmed_at: None,
        reverted_at: None,
        expectations: Vec::new(),
        revert: None,
    };
    let names: Vec<String> = scenario
        .expect
        .detectors
        .iter()
        .map(|d| d.value.clone())
        .collect();
    let mut watches: Vec<Watch> = names
        .iter()
        .map(|name| {
            let role = cx.role(name);
            let sla = scenario
                .expect
                .sla_for(name, role)
                .unwrap_or(Duration::from_secs(900));
            Watch {
                record: ExpectationRecord {
                    detector: name.clone(),
                    role,
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
                },
                sla,
                deadline: Instant::now(),
                last_clean: None,
                done: false,
            }
        })
        .collect();
    let finish = |mut record: DrillRecord, watches: Vec<Watch>| {
        record.expectations = watches.into_iter().map(|w| w.record).collect();
        record
    };
    if *cx.stop.borrow() {
        record.status = DrillStatus::Interrupted;
        record.detail = Some("stopped before the drill started".into());
        return finish(record, watches);
    }

    // Preflight: resolve the target through the guardrails.
    cx.progress.phase(&id, "preflight");
    let target = match guard::prepare(&cx.aws, &scenario.target, &cx.config.safety).await {
        Ok(t) => t,
        Err(e) => {
            record.status = if matches!(e, InjectError::Refused { .. }) {
                DrillStatus::Refused
            } else {
                DrillStatus::Failed
            };
            record.detail = Some(crate::errors::chain(&e));
            return finish(record, watches);
        }
    };
    record.target = Some(target.clone());
    let injector = match (scenario.inject.spec().build)(&scenario.inject.params) {
        Ok(i) => i,
        Err(e) => {
            record.detail = Some(format!("build the injector: {e}"));
            return finish(record, watches);
        }
    };
    cx.progress.phase(&id, "waiting for the resource");
    let held = cx.hold(&target.id).await;
    let terms = vec![target.id.clone(), mark.clone()];
    let mut events = cx.hub.subscribe();
    let _watching = cx.hub.watch(&names, &terms);

    cx.progress.phase(&id, "baseline");
    let since = Baseline {
        registered: Instant::now(),
        last_released: held.last_released,
    };
    if !baseline(cx, &mut watches, &mut events, &terms, &since).await {
        record.status = DrillStatus::Interrupted;
        return finish(record, watches);
    }
    if watches
        .iter()
        .any(|w| w.record.outcome == Outcome::BaselineDirty)
    {
        record.status = DrillStatus::SkippedBaselineDirty;
        record.detail = Some(format!(
            "{target} already shows drift before injection; nothing was changed"
        ));
        return finish(record, watches);
    }
    if cx.dry_run {
        record.status = DrillStatus::DryRun;
        record.detail = Some(format!(
            "would run {} on {target} with {}",
            scenario.inject.action.value, scenario.inject.params
        ));
        return finish(record, watches);
    }

    let icx = InjectCx {
        aws: &cx.aws,
        mark: &mark,
    };
    let injecting = cx.hub.injecting();
    let applied = apply(cx, &drill, scenario, &*injector, &icx, &target).await;
    drop(injecting);
    let applied = match applied {
        Ok(applied) => applied,
        Err(why) => {
            record.detail = Some(why);
            return finish(record, watches);
        }
    };
    record.injected_at = Some(applied.injected_at);
    let (snapshot, inject_started, confirmed) =
        (applied.snapshot, applied.inject_started, applied.confirmed);
    match confirmed {
        Ok(confirmed) => {
            record.confirmed_at = Some(Utc::now());
            record.status = DrillStatus::Completed;
            cx.progress.phase(&id, "observe");
            observe(
                cx,
                &mut watches,
                &mut events,
                &terms,
                inject_started,
                confirmed,
            )
            .await;
            if *cx.stop.borrow() {
                record.status = DrillStatus::Interrupted;
            }
        }
        Err(why) => record.detail = Some(why),
    }

    // Revert, whatever happened above.
    cx.progress.phase(&id, "revert");
    let reverted = revert(cx, &drill, &*injector, &icx, &target, &snapshot).await;
    let verified = Instant::now();
    record.reverted_at = Some(Utc::now());
    if let Some(within) = scenario.expect.clear_within
        && reverted.verified
        && !*cx.stop.borrow()
    {
        cx.progress.phase(&id, "clear");
        observe_clear(cx, &mut watches, &mut events, &terms, verified, within.0).await;
    }
    record.revert = Some(reverted);
    cx.progress.phase(&id, "done");
    finish(record, watches)
}

/// Which polls may serve as a drill's baseline.
struct Baseline {
    /// When the drill started watching.
    registered: Instant,
    /// When an earlier drill of this run last released the target (after its revert).
    last_released: Option<Instant>,
}

impl Baseline {
    /// The earliest start a poll may have to count. A detector that reports its whole state
    /// may answer with a poll that started before this drill registered, as long as no drill of
    /// this run changed the target since; any other needs a poll made while the drill watched.
    fn since(&self, cx: &RunCx, detector: &str) -> Option<Instant> {
        if cx.hub.reusable(detector) {
            self.last_released
        } else {
            Some(self.registered)
        }
    }
}

/// Baseline: takes one answer from every polled detector and marks the expectations whose
/// detector already names the target as baseline-dirty. Returns false if the run was stopped.
async fn baseline(
    cx: &RunCx,
    watches: &mut [Watch],
    events: &mut broadcast::Receiver<Arc<Event>>,
    terms: &[String],
    since: &Baseline,
) -> bool {
    let mut pending: BTreeSet<String> = watches
        .iter()
        .filter(|w| !is_push(cx, &w.record.detector))
        .map(|w| w.record.detector.clone())
        .collect();
    let take = |watches: &mut [Watch], detector: &str, result: &Result<Vec<_>, String>| {
        let w = watches
            .iter_mut()
            .find(|w| w.record.detector == detector)
            .expect("watched");
        match result {
            Ok(obs) => {
                if let Some(o) = obs
                    .iter()
                    .find(|o: &&crate::detect::Observation| matching::names_any(o, terms))
                {
                    w.record.outcome = Outcome::BaselineDirty;
                    w.record.evidence = Some(o.evidence.clone());
                }
            }
            Err(e) => {
                w.record.errors += 1;
                w.record.last_error = Some(e.clone());
            }
        }
    };
    for detector in pending.clone() {
        if let Some(event) = cx.hub.current_poll(&detector, since.since(cx, &detector))
            && let Event::Poll { result, .. } = &*event
        {
            take(watches, &detector, result);
            pending.remove(&detector);
        }
    }
    let mut stop = cx.stop.clone();
    while !pending.is_empty() {
        let event = tokio::select! {
            e = next_event(events) => e,
            _ = stop.changed() => return false,
        };
        let Some(event) = event else { return false };
        let Event::Poll {
            detector,
            started,
            result,
            ..
        } = &*event
        else {
            continue;
        };
        if !pending.contains(detector) || since.since(cx, detector).is_some_and(|s| *started < s) {
            continue;
        }
        pending.remove(detector);
        take(watches, detector, result);
    }
    true
}

/// The next hub event; a lag (events dropped while this drill was busy) is logged and skipped.
/// `None` once the hub is gone.
async fn next_event(events: &mut broadcast::Receiver<Arc<Event>>) -> Option<Arc<Event>> {
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

fn is_push(cx: &RunCx, detector: &str) -> bool {
    cx.hub.addresses.contains_key(detector)
}

/// Watches events until every expectation is settled, its deadline passes, the maximum drift
/// lifetime is reached, or the run is stopped.
async fn observe(
    cx: &RunCx,
    watches: &mut [Watch],
    events: &mut broadcast::Receiver<Arc<Event>>,
    terms: &[String],
    inject_started: Instant,
    confirmed: Instant,
) {
    let lifetime_end = inject_started + cx.config.safety.max_drift_lifetime;
    for w in watches.iter_mut() {
        // Detections after the SLA still count (as late) until twice the SLA.
        w.deadline = (confirmed + w.sla * 2).min(lifetime_end);
        w.done = w.record.outcome != Outcome::NotObserved;
    }
    let mut stop = cx.stop.clone();
    loop {
        let Some(deadline) = watches.iter().filter(|w| !w.done).map(|w| w.deadline).min() else {
            return;
        };
        let event = tokio::select! {
            e = next_event(events) => e,
            _ = tokio::time::sleep_until(deadline.into()) => {
                let now = Instant::now();
                for w in watches.iter_mut().filter(|w| !w.done && w.deadline <= now) {
                    w.done = true;
                    w.record.outcome = if w.record.errors > 0 && w.record.errors == w.record.polls { Outcome::DetectorError } else { Outcome::Missed };
                }
                continue;
            }
            _ = stop.changed() => return,
        };
        let Some(event) = event else { return };
        let Some(w) = watches
            .iter_mut()
            .find(|w| !w.done && w.record.detector == event.detector())
        else {
            continue;
        };
        match &*event {
            Event::Poll {
                started,
                finished,
                finished_at,
                result,
                ..
            } => {
                if *started < inject_started {
                    continue; // began before the change existed
                }
                w.record.polls += 1;
                match result {
                    Err(e) => {
                        w.record.errors += 1;
                        w.record.last_error = Some(e.clone());
                    }
                    Ok(obs) => match obs.iter().find(|o| matching::names_any(o, terms)) {
                        Some(hit) => {
                            let upper = finished.saturating_duration_since(confirmed);
                            let lower = w
                                .last_clean
                                .map_or(Duration::ZERO, |c| c.saturating_duration_since(confirmed));
                            settle(w, upper, *finished_at, hit.evidence.clone());
                            w.record.bracket_secs = Some((secs(lower), secs(upper)));
                        }
                        None => w.last_clean = Some(*finished),
                    },
                }
            }
            Event::Alert { observation, .. } => {
                let seen = observation.seen.unwrap_or_else(Instant::now);
                if seen >= inject_started && matching::names_any(observation, terms) {
                    settle(
                        w,
                        seen.saturating_duration_since(confirmed),
                        observation.at,
                        observation.evidence.clone(),
                    );
                }
            }
        }
    }
}

/// Time to clear: after the verified revert, keeps reading every polled detector that caught the
/// drift until a poll that started after the revert no longer names the target, or until
/// `within` has passed or the run is stopped. Failed polls say nothing either way.
async fn observe_clear(
    cx: &RunCx,
    watches: &mut [Watch],
    events: &mut broadcast::Receiver<Arc<Event>>,
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
        if detected && !is_push(cx, &w.record.detector) {
            w.record.clear = Some(ClearRecord {
                cleared: false,
                bracket_secs: None,
                clear_within_secs: secs(within),
            });
            pending.push((i, Duration::ZERO));
        }
    }
    let mut stop = cx.stop.clone();
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

fn settle(w: &mut Watch, mttd: Duration, at: DateTime<Utc>, evidence: String) {
    w.done = true;
    w.record.detected_at = Some(at);
    w.record.mttd_secs = Some(secs(mttd));
    w.record.evidence = Some(evidence.chars().take(2000).collect());
    w.record.outcome = if mttd <= w.sla {
        Outcome::DetectedWithinSla
    } else {
        Outcome::DetectedLate
    };
}

/// A change that was made, or attempted, and must now be reverted.
pub struct Applied {
    pub snapshot: inject::State,
    /// When the inject call began (observations from polls started earlier never count).
    pub inject_started: Instant,
    pub injected_at: DateTime<Utc>,
    /// When the change was confirmed live by reading it back, or why it was not.
    pub confirmed: Result<Instant, String>,
}

/// Snapshot, journaled intent (fsynced before anything changes), inject, journal, verify.
/// `Err` means nothing was changed; after `Ok` the caller must [`revert`], whatever `confirmed`
/// says.
pub async fn apply(
    cx: &RunCx,
    drill: &str,
    scenario: &Scenario,
    injector: &dyn Injector,
    icx: &InjectCx<'_>,
    target: &Target,
) -> Result<Applied, String> {
    let id = &scenario.id.value;
    cx.progress.phase(id, "snapshot");
    let snapshot = retry::retry(Budget::DEFAULT, || injector.snapshot(icx, target))
        .await
        .result
        .map_err(|e| crate::errors::chain(&e))?;
    let intent = Step::Intent {
        scenario: id.clone(),
        action: scenario.inject.action.value.clone(),
        params: scenario.inject.params.clone(),
        target: target.clone(),
        snapshot: snapshot.clone(),
        mark: icx.mark.to_string(),
    };
    cx.journal(drill, intent)
        .map_err(|e| format!("journal the intent (nothing was changed): {e}"))?;
    cx.pause_point("intent").await;

    cx.progress.phase(id, "inject");
    let inject_started = Instant::now();
    let injected_at = Utc::now();
    let injected = injector.inject(icx, target, &snapshot).await;
    let _ = cx.journal(drill, Step::Applied);
    cx.pause_point("applied").await;
    let confirmed = match injected {
        Err(e) => Err(format!("inject: {}", crate::errors::chain(&e))),
        Ok(()) => match injector.verify_injected(icx, target, &snapshot).await {
            Ok(Check::Matches) => Ok(Instant::now()),
            Ok(Check::Differs(why)) => Err(format!("the injection did not take effect: {why}")),
            Err(e) => Err(format!(
                "verify the injection: {}",
                crate::errors::chain(&e)
            )),
        },
    };
    Ok(Applied {
        snapshot,
        inject_started,
        injected_at,
        confirmed,
    })
}

/// Journals the revert, reverts with the revert budget, verifies, and journals the result.
pub async fn revert(
    cx: &RunCx,
    drill: &str,
    injector: &dyn Injector,
    icx: &InjectCx<'_>,
    target: &Target,
    snapshot: &inject::State,
) -> RevertRecord {
    let mut ledger = DrillLedger { cx, drill };
    rollback::revert_and_verify(injector, icx, target, snapshot, &mut ledger).await
}

/// A running drill's steps go to the run's journal; its pause points are the crash tests'.
struct DrillLedger<'a> {
    cx: &'a RunCx,
    drill: &'a str,
}

impl rollback::Ledger for DrillLedger<'_> {
    fn note(&mut self, step: Step) {
        if let Err(error) = self.cx.journal(self.drill, step) {
            tracing::error!(drill = self.drill, %error, "could not journal a revert step");
        }
    }

    async fn reached(&mut self, point: &str) {
        self.cx.pause_point(point).await;
    }
}

/// Names of the detectors a set of scenarios expects.
pub fn expected_detectors<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
) -> BTreeSet<String> {
    scenarios
        .into_iter()
        .flat_map(|s| s.expect.detectors.iter().map(|d| d.value.clone()))
        .collect()
}
