//! Measurement, over the hub's event stream only: a drill's baseline (every detector's
//! preflight answer), the observation window (detections, misses, detector errors, silent
//! detectors that leak) and time to clear. No AWS calls and no plugins here: the runner feeds
//! events, these functions turn them into expectation records.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, watch};

use super::hub::Event;
use crate::detect::{Observation, Role, matching};
use crate::record::{ClearRecord, ExpectationRecord, Outcome};

/// Per-expectation measurement state.
pub struct Watch {
    pub record: ExpectationRecord,
    pub sla: Duration,
    /// A push channel: it is never polled, so it has no baseline and no polls to count.
    pub push: bool,
    deadline: Instant,
    /// How long the window ran, from the confirmed change to `deadline`.
    span: Duration,
    last_clean: Option<Instant>,
    /// Successful polls that started after the change.
    answered: u32,
    done: bool,
}

impl Watch {
    pub fn new(detector: &str, role: Role, silent: bool, sla: Duration, push: bool) -> Watch {
        Watch {
            record: ExpectationRecord {
                detector: detector.to_string(),
                role,
                silent,
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
            push,
            deadline: Instant::now(),
            span: Duration::ZERO,
            last_clean: None,
            answered: 0,
            done: false,
        }
    }

    fn fail(&mut self, error: &str) {
        self.record.polls += 1;
        self.record.errors += 1;
        self.record.last_error = Some(error.to_string());
    }

    /// The detector could not answer before the change (its preflight or baseline poll
    /// failed): one failed answer, and the expectation ends as a detector error.
    pub fn unanswerable(&mut self, error: &str) {
        self.fail(error);
        self.record.outcome = Outcome::DetectorError;
    }

    /// Closes a window that passed without a detection (or, for a silent detector, a leak).
    /// A detector that could not answer is never counted as clean nor as blind: an expected one
    /// with no successful poll after the change is a detector error, and so is a silent one
    /// with any failed poll. A polled one with no finished poll at all could not answer either.
    fn close(&mut self) {
        self.done = true;
        let unanswered = !self.push && self.answered == 0;
        if unanswered && self.record.errors == 0 {
            self.record.last_error = Some(format!(
                "no poll that started after the change finished within the {} window",
                humantime::format_duration(Duration::from_secs(self.span.as_secs()))
            ));
        }
        self.record.outcome = if self.record.silent {
            if self.record.errors > 0 || unanswered {
                Outcome::DetectorError
            } else {
                Outcome::Suppressed
            }
        } else if unanswered {
            Outcome::DetectorError
        } else {
            Outcome::Missed
        };
    }

    fn settle(&mut self, mttd: Duration, at: DateTime<Utc>, evidence: &str) {
        self.done = true;
        self.record.detected_at = Some(at);
        self.record.mttd_secs = Some(secs(mttd));
        self.record.evidence = Some(evidence.chars().take(2000).collect());
        self.record.outcome = if self.record.silent {
            Outcome::Leaked
        } else if mttd <= self.sla {
            Outcome::DetectedWithinSla
        } else {
            Outcome::DetectedLate
        };
    }
}

pub fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

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

/// The next hub event; a lag (events dropped while this drill was busy) is logged and skipped.
/// `None` once the hub is gone.
pub async fn next_event(events: &mut broadcast::Receiver<Arc<Event>>) -> Option<Arc<Event>> {
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

/// When the change was made and when the drift must be gone, whatever happens.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// When the inject call began: polls that started earlier never count.
    pub inject_started: Instant,
    /// When the change was confirmed live: times count from here.
    pub confirmed: Instant,
    /// The maximum drift lifetime's end.
    pub lifetime_end: Instant,
}

/// Watches events until every expectation is settled or its window closed, the maximum drift
/// lifetime is reached, or the run is stopped. An expected detector's window is twice its SLA
/// (detections after the SLA count as late); a silent one's is its SLA.
pub async fn observe(
    watches: &mut [Watch],
    events: &mut broadcast::Receiver<Arc<Event>>,
    mut stop: watch::Receiver<bool>,
    terms: &[String],
    window: Window,
) {
    for w in watches.iter_mut() {
        let span = if w.record.silent { w.sla } else { w.sla * 2 };
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
                watches.iter_mut().filter(|w| !w.done && w.deadline <= now).for_each(Watch::close);
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
            if *started < window.inject_started {
                return; // began before the change existed
            }
            match result {
                Err(e) => w.fail(e),
                Ok(obs) => {
                    w.record.polls += 1;
                    w.answered += 1;
                    match obs.iter().find(|o| matching::names_any(o, terms)) {
                        Some(hit) => {
                            let upper = finished.saturating_duration_since(window.confirmed);
                            let lower = w.last_clean.map_or(Duration::ZERO, |c| {
                                c.saturating_duration_since(window.confirmed)
                            });
                            w.settle(upper, *finished_at, &hit.evidence);
                            w.record.bracket_secs = Some((secs(lower), secs(upper)));
                        }
                        None => w.last_clean = Some(*finished),
                    }
                }
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
pub async fn observe_clear(
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
mod tests {
    //! The measurement rules over a fake event stream: real broadcast channel, real clock,
    //! windows of a few hundred milliseconds.

    use super::*;

    const TARGET: &str = "sg-0123456789abcdef0";

    fn terms() -> Vec<String> {
        vec![TARGET.to_string(), "driftdrill:run:drill".to_string()]
    }

    fn poll(
        detector: &str,
        started: Instant,
        result: Result<Vec<Observation>, String>,
    ) -> Arc<Event> {
        Arc::new(Event::Poll {
            detector: detector.into(),
            started,
            finished: Instant::now(),
            finished_at: Utc::now(),
            result,
        })
    }

    fn naming(id: &str) -> Result<Vec<Observation>, String> {
        Ok(vec![Observation::now(
            vec![id.into()],
            String::new(),
            format!("{id} drifted"),
        )])
    }

    fn clean() -> Result<Vec<Observation>, String> {
        Ok(Vec::new())
    }

    fn failed() -> Result<Vec<Observation>, String> {
        Err("run detector tf: terraform exited with Some(1): lock held".into())
    }

    fn window(sla_ms: u64) -> (Window, Duration) {
        let now = Instant::now();
        let window = Window {
            inject_started: now,
            confirmed: now,
            lifetime_end: now + Duration::from_secs(60),
        };
        (window, Duration::from_millis(sla_ms))
    }

    /// Runs `observe` over `events` sent right away, then lets the windows close.
    async fn run(
        mut watches: Vec<Watch>,
        window: Window,
        events: Vec<Arc<Event>>,
    ) -> Vec<ExpectationRecord> {
        let (tx, mut rx) = broadcast::channel(64);
        let (_stop_tx, stop) = watch::channel(false);
        for e in events {
            tx.send(e).unwrap();
        }
        observe(&mut watches, &mut rx, stop, &terms(), window).await;
        watches.into_iter().map(|w| w.record).collect()
    }

    #[tokio::test]
    async fn a_poll_naming_the_target_is_a_detection_with_a_bracket() {
        let (window, sla) = window(5_000);
        let w = Watch::new("tf", Role::Detector, false, sla, false);
        let after = window.inject_started + Duration::from_millis(1);
        let records = run(
            vec![w],
            window,
            vec![
                poll("tf", after, clean()),
                poll("tf", after, naming(TARGET)),
            ],
        )
        .await;
        let r = &records[0];
        assert_eq!(r.outcome, Outcome::DetectedWithinSla);
        assert_eq!((r.polls, r.errors), (2, 0));
        let (lo, hi) = r.bracket_secs.unwrap();
        assert!(lo <= hi && r.mttd_secs == Some(hi));
    }

    #[tokio::test]
    async fn a_detector_whose_every_poll_failed_is_a_detector_error_never_a_miss() {
        let (window, sla) = window(150);
        let after = window.inject_started + Duration::from_millis(1);
        let records = run(
            vec![Watch::new("tf", Role::Detector, false, sla, false)],
            window,
            vec![poll("tf", after, failed()), poll("tf", after, failed())],
        )
        .await;
        let r = &records[0];
        assert_eq!(r.outcome, Outcome::DetectorError);
        assert_eq!((r.polls, r.errors), (2, 2));
        assert!(r.last_error.as_deref().unwrap().contains("lock held"));
    }

    #[tokio::test]
    async fn a_miss_with_some_failed_polls_says_how_many_failed() {
        let (window, sla) = window(150);
        let after = window.inject_started + Duration::from_millis(1);
        let records = run(
            vec![Watch::new("tf", Role::Detector, false, sla, false)],
            window,
            vec![
                poll("tf", after, failed()),
                poll("tf", after, clean()),
                poll("tf", after, naming("sg-someone-else")),
            ],
        )
        .await;
        let r = &records[0];
        assert_eq!(r.outcome, Outcome::Missed);
        assert_eq!(r.result_text(), "missed, 1 of 3 polls failed");
    }

    #[tokio::test]
    async fn a_polled_detector_that_never_answered_in_the_window_is_an_error() {
        let (window, sla) = window(100);
        let before = window.inject_started - Duration::from_millis(5);
        let records = run(
            vec![
                Watch::new("tf", Role::Detector, false, sla, false),
                Watch::new("hook", Role::Channel, false, sla, true),
            ],
            window,
            // Began before the change: says nothing about it.
            vec![poll("tf", before, naming(TARGET))],
        )
        .await;
        assert_eq!(records[0].outcome, Outcome::DetectorError);
        assert_eq!(records[0].polls, 0);
        assert!(
            records[0]
                .last_error
                .as_deref()
                .unwrap()
                .contains("no poll")
        );
        // A push channel has no polls: silence is a miss.
        assert_eq!(records[1].outcome, Outcome::Missed);
    }

    #[tokio::test]
    async fn a_silent_detector_passes_quiet_and_healthy_leaks_when_it_names_the_target() {
        let (window, sla) = window(150);
        let after = window.inject_started + Duration::from_millis(1);
        let records = run(
            vec![
                Watch::new("quiet", Role::Detector, true, sla, false),
                Watch::new("leaky", Role::Detector, true, sla, false),
                Watch::new("broken", Role::Detector, true, sla, false),
            ],
            window,
            vec![
                poll("quiet", after, clean()),
                poll("quiet", after, naming("sg-other")),
                poll("leaky", after, naming(TARGET)),
                poll("broken", after, clean()),
                poll("broken", after, failed()),
            ],
        )
        .await;
        assert_eq!(records[0].outcome, Outcome::Suppressed, "{:?}", records[0]);
        assert_eq!(records[1].outcome, Outcome::Leaked);
        assert!(records[1].evidence.as_deref().unwrap().contains(TARGET));
        assert_eq!(records[2].outcome, Outcome::DetectorError);
    }

    #[tokio::test]
    async fn a_baseline_error_is_one_failed_poll_and_makes_the_detector_unavailable() {
        let (tx, mut rx) = broadcast::channel(8);
        let (_stop_tx, stop) = watch::channel(false);
        let mut watches = vec![
            Watch::new("tf", Role::Detector, false, Duration::from_secs(1), false),
            Watch::new("cmd", Role::Detector, false, Duration::from_secs(1), false),
            Watch::new("hook", Role::Channel, false, Duration::from_secs(1), true),
        ];
        let now = Instant::now();
        tx.send(poll("tf", now, failed())).unwrap();
        tx.send(poll("cmd", now, clean())).unwrap();
        let found = baseline(&mut watches, &mut rx, stop, &terms(), |_| None, |_, _| true).await;
        assert_eq!(found, Baseline::Unavailable);
        let tf = &watches[0].record;
        assert_eq!(
            (tf.polls, tf.errors, tf.outcome),
            (1, 1, Outcome::DetectorError)
        );
        assert_eq!(watches[1].record.outcome, Outcome::NotObserved);
    }

    #[tokio::test]
    async fn a_baseline_naming_the_target_is_dirty_and_a_current_poll_may_serve() {
        let (_tx, mut rx) = broadcast::channel::<Arc<Event>>(8);
        let (_stop_tx, stop) = watch::channel(false);
        let mut watches = vec![Watch::new(
            "tf",
            Role::Detector,
            true,
            Duration::from_secs(1),
            false,
        )];
        let current = poll("tf", Instant::now(), naming(TARGET));
        let found = baseline(
            &mut watches,
            &mut rx,
            stop,
            &terms(),
            |_| Some(current.clone()),
            |_, _| true,
        )
        .await;
        assert_eq!(found, Baseline::Dirty);
    }

    #[tokio::test]
    async fn time_to_clear_is_bracketed_by_the_last_dirty_and_first_clean_poll() {
        let (tx, mut rx) = broadcast::channel(8);
        let (_stop_tx, stop) = watch::channel(false);
        let mut w = Watch::new("tf", Role::Detector, false, Duration::from_secs(1), false);
        w.record.outcome = Outcome::DetectedWithinSla;
        let mut watches = vec![w];
        let verified = Instant::now();
        tx.send(poll("tf", verified, naming(TARGET))).unwrap();
        tx.send(poll("tf", verified, clean())).unwrap();
        observe_clear(
            &mut watches,
            &mut rx,
            stop,
            &terms(),
            verified,
            Duration::from_secs(5),
        )
        .await;
        let clear = watches[0].record.clear.as_ref().unwrap();
        let (lo, hi) = clear.bracket_secs.unwrap();
        assert!(clear.cleared && lo <= hi);
    }
}
