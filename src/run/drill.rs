//! One drill's lifecycle: preflight, baseline, snapshot, journaled intent, inject, verify,
//! observe, revert, verify. Every wait and deadline lives here or in the hub, never in plugins.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::baseline::{self, Baseline};
pub use super::change::{Applied, DrillError, apply, drift_ends, revert};
pub use super::context::RunCx;
use super::guard;
use super::observe::{self, Window};
use super::places::Place;
use super::plan::Planned;
use super::watch::Watch;
use crate::formats::Scenario;
use crate::inject::{InjectCx, InjectError};
use crate::record::{DrillRecord, DrillStatus, Outcome};

/// Runs one scenario in one place to the end and returns its record. Never panics on AWS or
/// detector errors: they become the record's status.
pub async fn run_drill(
    cx: &RunCx,
    scenario: &Scenario,
    planned: &Planned,
    place: &Place,
) -> DrillRecord {
    // The label tells one scenario's drills in several environments apart.
    let id = format!("{}{}", scenario.id.value, place.suffix());
    let drill = format!("{}/{}", cx.run_id, id);
    let mark = format!("driftdrill:{}:{}", cx.run_id, id);
    let mut record = DrillRecord {
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
        revert: None,
    };
    // Only the detectors watching this drill's environment are asked about it.
    let names: Vec<String> = scenario
        .expect
        .watched()
        .filter(|d| {
            cx.config
                .detector(&d.value)
                .is_none_or(|decl| decl.watches(place.environment.as_deref()))
        })
        .map(|d| d.value.clone())
        .collect();
    let silent: BTreeSet<&str> = scenario
        .expect
        .silent
        .iter()
        .map(|d| d.value.as_str())
        .collect();
    let mut watches: Vec<Watch> = names
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
        .collect();
    let finish = |mut record: DrillRecord, watches: Vec<Watch>| {
        record.expectations = watches.into_iter().map(|w| w.record).collect();
        record
    };
    if let Some(delay) = planned.delay {
        // Unannounced: nobody watching knows when this drill starts.
        cx.progress.phase(&id, "waiting (unannounced)");
        let mut stop = cx.stop.clone();
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.wait_for(|s| *s) => {}
        }
    }
    let slot = cx.slots.acquire().await.expect("slots are never closed");
    if *cx.stop.borrow() {
        record.status = DrillStatus::Interrupted;
        record.detail = Some("stopped before the drill started".into());
        return finish(record, watches);
    }

    // Preflight: every detector and channel able to answer, the target through the guardrails.
    cx.progress.phase(&id, "preflight");
    if unavailable(cx, &mut watches) {
        record.status = DrillStatus::SkippedDetectorUnavailable;
        record.detail = Some(unanswered(&watches));
        return finish(record, watches);
    }
    let target = match guard::prepare(&place.aws, &scenario.target, &cx.config.safety).await {
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
    let spec = crate::inject::find(&scenario.inject.action.value).expect("validated");
    let injector = match (spec.build)(&scenario.inject.params) {
        Ok(i) => i,
        Err(e) => {
            record.detail = Some(crate::errors::chain(&DrillError::Build(e)));
            return finish(record, watches);
        }
    };
    cx.progress.phase(&id, "waiting for the resource");
    // Give the slot back while another drill holds the resource.
    // Resource ids are unique within an account and region only.
    let resource = format!("{}{}", target.id, place.suffix());
    let slot = if cx.is_busy(&resource) {
        drop(slot);
        None
    } else {
        Some(slot)
    };
    let held = cx.hold(&resource).await;
    let _slot = match slot {
        Some(slot) => slot,
        None => cx.slots.acquire().await.expect("slots are never closed"),
    };
    let terms = vec![target.id.clone(), mark.clone()];
    let mut events = cx.hub.subscribe();
    let _watching = cx.hub.watch(&names, &terms);

    cx.progress.phase(&id, "baseline");
    let since = BaselineSince {
        registered: Instant::now(),
        last_released: held.last_released,
    };
    let found = baseline::baseline(
        &mut watches,
        &mut events,
        cx.stop.clone(),
        &terms,
        |d| cx.hub.current_poll(d, since.since(cx, d)),
        |d, started| since.since(cx, d).is_none_or(|s| started >= s),
    )
    .await;
    match found {
        Baseline::Stopped => {
            record.status = DrillStatus::Interrupted;
            return finish(record, watches);
        }
        Baseline::Unavailable => {
            record.status = DrillStatus::SkippedDetectorUnavailable;
            record.detail = Some(unanswered(&watches));
            return finish(record, watches);
        }
        Baseline::Dirty => {
            record.status = DrillStatus::SkippedBaselineDirty;
            record.detail = Some(format!(
                "{target} already shows drift before injection; nothing was changed"
            ));
            return finish(record, watches);
        }
        Baseline::Clean => {}
    }
    if cx.dry_run {
        record.status = DrillStatus::DryRun;
        record.detail = Some(format!(
            "would run {} on {target} with {}; preflight: {}",
            scenario.inject.action.value,
            scenario.inject.params,
            preflight_summary(cx, &watches)
        ));
        return finish(record, watches);
    }

    let icx = InjectCx {
        aws: &place.aws,
        mark: &mark,
    };
    let injecting = cx.hub.injecting();
    let applied = apply(cx, &drill, scenario, &*injector, &icx, &target, place).await;
    drop(injecting);
    let applied = match applied {
        Ok(applied) => applied,
        Err(e) => {
            record.detail = Some(crate::errors::chain(&e));
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
            let window = Window {
                inject_started,
                confirmed,
                lifetime_end: super::change::revert_by(cx, inject_started),
                min_span: cx.min_window,
            };
            observe::observe(&mut watches, &mut events, cx.stop.clone(), &terms, window).await;
            if *cx.stop.borrow() {
                record.status = DrillStatus::Interrupted;
            }
        }
        Err(e) => record.detail = Some(crate::errors::chain(&e)),
    }

    // Revert, whatever happened above.
    cx.progress.phase(&id, "revert");
    let deadline = drift_ends(cx, inject_started);
    let reverted = revert(cx, &drill, &*injector, &icx, &target, &snapshot, deadline).await;
    let verified = Instant::now();
    record.reverted_at = Some(Utc::now());
    if let Some(within) = scenario.expect.clear_within
        && reverted.verified
        && !*cx.stop.borrow()
    {
        cx.progress.phase(&id, "clear");
        observe::observe_clear(
            &mut watches,
            &mut events,
            cx.stop.clone(),
            &terms,
            verified,
            within.0,
        )
        .await;
    }
    record.revert = Some(reverted);
    cx.progress.phase(&id, "done");
    finish(record, watches)
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

/// Names of the detectors a set of scenarios watches (expected or silent).
pub fn expected_detectors<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
) -> BTreeSet<String> {
    scenarios
        .into_iter()
        .flat_map(|s| s.expect.watched().map(|d| d.value.clone()))
        .collect()
}
