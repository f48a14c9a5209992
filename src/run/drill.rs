//! One drill's lifecycle: preflight, baseline, snapshot, journaled intent, inject, verify,
//! observe, revert, verify. Every wait and deadline lives here or in the hub, never in plugins.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::baseline::{self, Baseline};
pub use super::change::{Applied, DrillError};
pub use super::change::{apply, drift_ends, revert};
use super::context::Held;
pub use super::context::RunCx;
use super::guard;
use super::observe::{self, Window};
use super::places::Place;
use super::plan::Planned;
use super::remediation::{self, Expected, Reader};
use super::watch::Watch;
use crate::calls;
use crate::formats::Scenario;
use crate::inject::{InjectCx, InjectError, Injector, Target};
use crate::record::{DrillRecord, DrillStatus, Outcome};
use tokio::sync::SemaphorePermit;

/// Runs one scenario in one place to the end and returns its record, with every AWS call it
/// made counted per phase. Never panics on AWS or detector errors: they become the record's
/// status.
pub(crate) async fn run_drill(
    cx: &RunCx,
    scenario: &Scenario,
    planned: &Planned,
    place: &Place,
) -> DrillRecord {
    let tally = calls::Tally::new();
    let steps = drill_steps(cx, scenario, planned, place);
    let mut record = calls::during(&tally, calls::Phase::Lookup, steps).await;
    record.calls = tally.counts();
    record
}

/// The drill's steps, in order: wait for a start (an unannounced delay, a slot), preflight
/// (detectors, guardrails, the injector), hold the resource, baseline, then make the change,
/// observe, revert and clear.
async fn drill_steps(
    cx: &RunCx,
    scenario: &Scenario,
    planned: &Planned,
    place: &Place,
) -> DrillRecord {
    let mut d = Drill::new(cx, scenario, planned, place);
    let Some(slot) = d.wait_to_start(planned).await else {
        return d.finish();
    };
    let Some((target, injector)) = d.preflight().await else {
        return d.finish();
    };
    d.cx.progress.phase(&d.id, "waiting for the resource");
    // Resource ids are unique within an account and region only.
    let resource = format!("{}{}", target.id, place.suffix());
    let (held, _slot) = d.hold(&resource, slot).await;
    let mut terms = crate::inject::target::attribution_terms(&target);
    terms.push(d.mark.clone());
    let mut events = cx.hub.subscribe();
    let watching = cx.hub.watch(&d.names, &terms);
    let remediating = cx.hub.watch(&d.remediator_detectors(), &terms);
    if !d
        .baseline(&mut events, &terms, &target, held.last_released)
        .await
    {
        return d.finish();
    }
    let mark = d.mark.clone();
    let icx = InjectCx {
        aws: &place.aws,
        mark: &mark,
    };
    let injecting = cx.hub.injecting(&d.nearby);
    let applied = apply(cx, &d.drill, scenario, &*injector, &icx, &target, place).await;
    drop(injecting);
    let applied = match applied {
        Ok(applied) => applied,
        Err(e) => {
            d.record.detail = Some(crate::errors::chain(&e));
            return d.finish();
        }
    };
    let polling = |d: &str| cx.hub.polling(d);
    let reader = Reader {
        injector: &*injector,
        icx: &icx,
        target: &target,
        snapshot: &applied.snapshot,
        polling: &polling,
    };
    d.observe(&applied, reader, &mut events, &terms).await;
    // Until the revert ends, a poll that just caught this change waits for it (see the hub).
    let reverting = cx.hub.reverting(&d.nearby, &[&watching, &remediating]);
    let verified = d.revert_change(&applied, &*injector, &icx, &target).await;
    drop(reverting);
    d.clear(verified, &mut events, &terms).await;
    d.finish()
}

/// One drill in progress: its names, its record, and the expectations being measured.
struct Drill<'a> {
    cx: &'a RunCx,
    scenario: &'a Scenario,
    place: &'a Place,
    /// The scenario id, with the environment and region when there are several.
    id: String,
    /// `<run id>/<id>`: how the journal names it.
    drill: String,
    /// `driftdrill:<run id>:<id>`: what the change carries where the API allows.
    mark: String,
    /// The detectors and channels watching this drill's environment.
    names: Vec<String>,
    /// Every detector watching this drill's environment, whatever the scenario expects of it:
    /// their polls wait while this drill changes its resource (see the hub).
    nearby: Vec<String>,
    record: DrillRecord,
    watches: Vec<Watch>,
    /// The remediators expected to undo the change here, if any.
    remediation: Option<Expected>,
}

impl<'a> Drill<'a> {
    fn new(cx: &'a RunCx, scenario: &'a Scenario, planned: &Planned, place: &'a Place) -> Self {
        // The label tells one scenario's drills in several environments apart.
        let id = format!("{}{}", scenario.id.value, place.suffix());
        let mark = format!("driftdrill:{}:{}", cx.run_id, id);
        let record = DrillRecord {
            scenario: scenario.id.value.clone(),
            environment: place.environment.clone(),
            account: Some(place.account.clone()),
            region: place.region().map(String::from),
            unannounced: planned.unannounced,
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
            remediation: None,
            revert: None,
            calls: Vec::new(),
        };
        let names = watched_names(cx, scenario, place);
        let nearby = nearby_detectors(cx, place);
        let watches = watches_for(cx, scenario, &names);
        let remediation = expected_remediation(cx, scenario, place);
        Drill {
            cx,
            scenario,
            place,
            drill: format!("{}/{}", cx.run_id, id),
            id,
            mark,
            names,
            nearby,
            record,
            watches,
            remediation,
        }
    }

    /// The expected remediators that are detectors this drill does not already watch: the hub
    /// polls them (a custodian policy with actions, a terraform apply) while the drill runs.
    fn remediator_detectors(&self) -> Vec<String> {
        let names = self.remediation.iter().flat_map(|e| &e.names);
        names
            .filter(|n| self.cx.config.detector(n).is_some() && !self.names.contains(n))
            .cloned()
            .collect()
    }

    fn finish(mut self) -> DrillRecord {
        self.record.expectations = self.watches.into_iter().map(|w| w.record).collect();
        self.record
    }

    /// An unannounced drill's random delay, then a slot; `None` when the run stopped first.
    async fn wait_to_start(&mut self, planned: &Planned) -> Option<SemaphorePermit<'a>> {
        let cx = self.cx;
        if let Some(delay) = planned.delay {
            // Unannounced: nobody watching knows when this drill starts.
            cx.progress.phase(&self.id, "waiting (unannounced)");
            let mut stop = cx.stop.clone();
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.wait_for(|s| *s) => {}
            }
        }
        let slot = cx.slots.acquire().await.expect("slots are never closed");
        if *cx.stop.borrow() {
            self.record.status = DrillStatus::Interrupted;
            self.record.detail = Some("stopped before the drill started".into());
            return None;
        }
        Some(slot)
    }

    /// Every detector and channel able to answer, the target through the guardrails, the
    /// injector built; `None` (the record says why) when the drill cannot go on.
    async fn preflight(&mut self) -> Option<(Target, Box<dyn Injector>)> {
        let (cx, scenario) = (self.cx, self.scenario);
        cx.progress.phase(&self.id, "preflight");
        if unavailable(cx, &mut self.watches) && !(cx.discovery && answerable(&self.watches)) {
            self.record.status = DrillStatus::SkippedDetectorUnavailable;
            self.record.detail = Some(unanswered(&self.watches));
            return None;
        }
        let aws = &self.place.aws;
        let target = match guard::prepare(aws, &scenario.target, &cx.config.safety).await {
            Ok(t) => t,
            Err(e) => {
                if matches!(e, InjectError::Refused { .. }) {
                    self.record.status = DrillStatus::Refused;
                }
                self.record.detail = Some(crate::errors::chain(&e));
                return None;
            }
        };
        self.record.target = Some(target.clone());
        let spec = crate::inject::find(&scenario.inject.action.value).expect("validated");
        match (spec.build)(&scenario.inject.params) {
            Ok(injector) => Some((target, injector)),
            Err(e) => {
                self.record.detail = Some(crate::errors::chain(&DrillError::Build(e)));
                None
            }
        }
    }

    /// Holds the resource (two drills never touch one at once), giving the slot back while
    /// another drill holds it so drills on other resources can start meanwhile.
    async fn hold(
        &self,
        resource: &str,
        slot: SemaphorePermit<'a>,
    ) -> (Held<'a>, SemaphorePermit<'a>) {
        let cx = self.cx;
        let slot = if cx.is_busy(resource) {
            drop(slot);
            None
        } else {
            Some(slot)
        };
        let held = cx.hold(resource).await;
        let slot = match slot {
            Some(slot) => slot,
            None => cx.slots.acquire().await.expect("slots are never closed"),
        };
        (held, slot)
    }

    /// One clean answer from every polled detector before anything changes (and, for a dry
    /// run, what the preflight found); false, with the record saying why, when the drill must
    /// not inject.
    async fn baseline(
        &mut self,
        events: &mut Events,
        terms: &[String],
        target: &Target,
        last_released: Option<Instant>,
    ) -> bool {
        let cx = self.cx;
        cx.progress.phase(&self.id, "baseline");
        let since = BaselineSince {
            registered: Instant::now(),
            last_released,
        };
        let found = baseline::baseline(
            &mut self.watches,
            events,
            cx.stop.clone(),
            terms,
            |d| cx.hub.current_poll(d, since.since(cx, d)),
            |d, started| since.since(cx, d).is_none_or(|s| started >= s),
        )
        .await;
        let (status, detail) = match found {
            Baseline::Clean if cx.dry_run => (
                DrillStatus::DryRun,
                format!(
                    "would run {} on {target} with {}; preflight: {}",
                    self.scenario.inject.action.value,
                    self.scenario.inject.params,
                    preflight_summary(cx, &self.watches)
                ),
            ),
            Baseline::Clean => return true,
            // Discovery records who cannot answer and watches the others.
            Baseline::Unavailable if cx.discovery && answerable(&self.watches) && !cx.dry_run => {
                return true;
            }
            Baseline::Stopped => {
                self.record.status = DrillStatus::Interrupted;
                return false;
            }
            Baseline::Unavailable => (
                DrillStatus::SkippedDetectorUnavailable,
                unanswered(&self.watches),
            ),
            Baseline::Dirty => (
                DrillStatus::SkippedBaselineDirty,
                format!("{target} already shows drift before injection; nothing was changed"),
            ),
        };
        self.record.status = status;
        self.record.detail = Some(detail);
        false
    }

    /// Observes every expectation once the change is confirmed live; a change that did not
    /// take is the record's error (and is reverted all the same).
    async fn observe(
        &mut self,
        applied: &Applied,
        reader: Reader<'_>,
        events: &mut Events,
        terms: &[String],
    ) {
        let cx = self.cx;
        self.record.injected_at = Some(applied.injected_at);
        let confirmed = match &applied.confirmed {
            Ok(confirmed) => *confirmed,
            Err(e) => {
                self.record.detail = Some(crate::errors::chain(e));
                return;
            }
        };
        self.record.confirmed_at = Some(Utc::now());
        self.record.status = DrillStatus::Completed;
        cx.progress.phase(&self.id, "observe");
        let window = Window {
            inject_started: applied.inject_started,
            confirmed,
            lifetime_end: super::change::revert_by(cx, applied.inject_started),
            min_span: cx.min_window,
            stretch: !cx.discovery,
        };
        let expected = self.remediation.as_ref();
        let remediating = async {
            let expected = expected?;
            let mut events = cx.hub.subscribe();
            let watching =
                remediation::watch(reader, expected, &mut events, cx.stop.clone(), window);
            Some(calls::phase(calls::Phase::Observe, watching).await)
        };
        let detecting = observe::observe(&mut self.watches, events, cx.stop.clone(), terms, window);
        (_, self.record.remediation) = tokio::join!(detecting, remediating);
        if *cx.stop.borrow() {
            self.record.status = DrillStatus::Interrupted;
        }
    }

    /// Reverts, whatever happened before, by the drift's lifetime; when the revert is verified,
    /// the instant it was.
    async fn revert_change(
        &mut self,
        applied: &Applied,
        injector: &dyn Injector,
        icx: &InjectCx<'_>,
        target: &Target,
    ) -> Option<Instant> {
        let cx = self.cx;
        cx.progress.phase(&self.id, "revert");
        let deadline = drift_ends(cx, applied.inject_started);
        let revert_started = Instant::now();
        let reverted = revert(
            cx,
            &self.drill,
            injector,
            icx,
            target,
            &applied.snapshot,
            deadline,
        )
        .await;
        let verified = reverted.verified.then(Instant::now);
        self.record.reverted_at = Some(Utc::now());
        if let (None, Ok(confirmed)) = (&self.record.remediation, &applied.confirmed) {
            self.record.remediation =
                remediation::unexpected(&reverted, *confirmed, revert_started);
        }
        self.record.revert = Some(reverted);
        verified
    }

    /// When the scenario asks and the revert was `verified`, measures how long each detector
    /// that caught the drift takes to clear.
    async fn clear(&mut self, verified: Option<Instant>, events: &mut Events, terms: &[String]) {
        let cx = self.cx;
        if let (Some(within), Some(verified)) = (self.scenario.expect.clear_within, verified)
            && !*cx.stop.borrow()
        {
            cx.progress.phase(&self.id, "clear");
            observe::observe_clear(
                &mut self.watches,
                events,
                cx.stop.clone(),
                terms,
                verified,
                within.0,
            )
            .await;
        }
        cx.progress.phase(&self.id, "done");
    }
}

/// The hub's event stream, as a drill reads it.
type Events = tokio::sync::broadcast::Receiver<std::sync::Arc<super::event::Event>>;

/// The detectors and channels a scenario watches that watch this drill's environment: only
/// those are asked about it.
fn watched_names(cx: &RunCx, scenario: &Scenario, place: &Place) -> Vec<String> {
    scenario
        .expect
        .watched()
        .filter(|d| {
            cx.config
                .detector(&d.value)
                .is_none_or(|decl| decl.watches(place.environment.as_deref()))
        })
        .map(|d| d.value.clone())
        .collect()
}

/// Every configured detector and channel that watches the drill's environment (the hub polls
/// nothing else; remediators run outside driftdrill).
fn nearby_detectors(cx: &RunCx, place: &Place) -> Vec<String> {
    let environment = place.environment.as_deref();
    (cx.config.detectors.iter())
        .filter(|d| d.watches(environment))
        .map(|d| d.name.value.clone())
        .collect()
}

/// One expectation per watched name, with its SLA, silent or not, pushed or polled.
fn watches_for(cx: &RunCx, scenario: &Scenario, names: &[String]) -> Vec<Watch> {
    let silent: BTreeSet<&str> = scenario
        .expect
        .silent
        .iter()
        .map(|d| d.value.as_str())
        .collect();
    names
        .iter()
        .map(|name| {
            let role = cx.role(name);
            let sla = scenario
                .expect
                .sla_for(name, role)
                .unwrap_or(Duration::from_secs(900));
            let push = cx.hub.addresses.contains_key(name);
            Watch::new(name, role, silent.contains(name.as_str()), sla, push)
        })
        .collect()
}
/// Which polls may serve as a drill's baseline.
struct BaselineSince {
    /// When the drill started watching.
    registered: Instant,
    /// When an earlier drill of this run last released the target (after its revert).
    last_released: Option<Instant>,
}

impl BaselineSince {
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

/// Marks every watch whose detector or channel failed the run's preflight (it cannot be asked
/// at all); true if there was one.
fn unavailable(cx: &RunCx, watches: &mut [Watch]) -> bool {
    let mut any = false;
    for w in watches.iter_mut() {
        if let Some(why) = cx.hub.unavailable(&w.record.detector) {
            w.unanswerable(&why);
            any = true;
        }
    }
    any
}

/// Whether some watch can still answer (neither failed nor already decided).
fn answerable(watches: &[Watch]) -> bool {
    watches
        .iter()
        .any(|w| w.record.outcome == Outcome::NotObserved)
}

/// A skipped drill's detail: "X cannot answer: <its error>" for every watch that could not
/// answer, and that nothing was changed.
fn unanswered(watches: &[Watch]) -> String {
    let why: Vec<String> = watches
        .iter()
        .filter(|w| w.record.outcome == Outcome::DetectorError)
        .map(|w| {
            format!(
                "{} cannot answer: {}",
                w.record.detector,
                w.record.last_error.as_deref().unwrap_or("no answer")
            )
        })
        .collect();
    format!("{}; nothing was changed", why.join("; "))
}

/// What the preflight found, for a dry run: every polled detector answered clean for the
/// target, every channel is listening or readable.
fn preflight_summary(cx: &RunCx, watches: &[Watch]) -> String {
    watches
        .iter()
        .map(|w| {
            let name = &w.record.detector;
            let what = match cx.hub.addresses.get(name) {
                Some(address) => format!("listening on {address}"),
                None => "answered, clean for the target".to_string(),
            };
            let silent = if w.record.silent {
                " (must stay silent)"
            } else {
                ""
            };
            format!("{name}{silent} {what}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Names of the detectors a set of scenarios watches (expected or silent) or expects to
/// remediate (some of those are `[[remediator]]`s, which the caller skips).
pub(crate) fn expected_detectors<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
) -> BTreeSet<String> {
    scenarios
        .into_iter()
        .flat_map(|s| s.expect.watched().chain(&s.expect.remediators))
        .map(|d| d.value.clone())
        .collect()
}

/// The remediators a scenario expects in this drill's environment, the shortest interval
/// among them and the time-to-remediate SLA; `None` when it expects none here.
fn expected_remediation(cx: &RunCx, scenario: &Scenario, place: &Place) -> Option<Expected> {
    let env = place.environment.as_deref();
    let (mut names, mut detectors) = (Vec::new(), Vec::new());
    let mut interval = None::<Duration>;
    for name in &scenario.expect.remediators {
        let name = &name.value;
        let every = match (cx.config.remediator(name), cx.config.detector(name)) {
            (Some(r), _) if r.acts_in(env) => r.interval,
            (None, Some(d)) if d.watches(env) => {
                detectors.push(name.clone());
                cx.hub.interval(name).unwrap_or(Duration::from_secs(10))
            }
            _ => continue,
        };
        names.push(name.clone());
        interval = Some(interval.map_or(every, |i| i.min(every)));
    }
    Some(Expected {
        names,
        detectors,
        interval: interval?,
        sla: scenario.expect.remediation_sla()?,
    })
}
