//! The measurement rules over a fake event stream: real broadcast channel, real clock,
//! windows of a few hundred milliseconds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::{broadcast, watch};

use super::*;
use crate::detect::Observation;
use crate::record::ExpectationRecord;
use crate::run::baseline::{Baseline, baseline};
use crate::run::event::Event;
use crate::run::watch::Watch;
use crate::vocab::Role;

const TARGET: &str = "sg-0123456789abcdef0";

fn terms() -> Vec<String> {
    vec![TARGET.to_string(), "driftdrill:run:drill".to_string()]
}

fn poll(detector: &str, started: Instant, result: Result<Vec<Observation>, String>) -> Arc<Event> {
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
        lifetime_end: now + Duration::from_secs(10),
        min_span: Duration::ZERO,
        stretch: true,
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
async fn a_polled_detector_that_never_answered_by_the_lifetime_is_inconclusive_not_an_error() {
    let (mut window, sla) = window(100);
    window.lifetime_end = window.confirmed + Duration::from_millis(400);
    let before = window.inject_started - Duration::from_millis(5);
    let records = run(
        vec![
            Watch::new("tf", Role::Detector, false, sla, false),
            Watch::new("hook", Role::Channel, false, sla, true),
        ],
        window,
        // Began before the change and silent: says nothing about it.
        vec![poll("tf", before, clean())],
    )
    .await;
    let tf = &records[0];
    assert_eq!(tf.outcome, Outcome::Inconclusive);
    assert_eq!((tf.polls, tf.errors), (0, 0));
    let why = tf.last_error.as_deref().unwrap();
    assert!(
        why.contains("no poll") && why.contains("stretched"),
        "{why}"
    );
    assert_eq!(tf.window_secs, Some(0.2));
    assert!(tf.stretched_secs.unwrap() >= 0.19, "{tf:?}");
    // A push channel has no polls: silence is a miss, and nothing is stretched.
    assert_eq!(records[1].outcome, Outcome::Missed);
    assert_eq!(records[1].stretched_secs, None);
}

/// A poll finishing `.0` ms after the change, of detector `.1`, started `.2` ms after the
/// change (negative: before it), answering `.3`.
type Timed = (u64, &'static str, i64, Result<Vec<Observation>, String>);

/// Runs `observe` while `events` are sent at their delays after the change.
async fn run_timed(
    mut watches: Vec<Watch>,
    window: Window,
    events: Vec<Timed>,
) -> Vec<ExpectationRecord> {
    let (tx, mut rx) = broadcast::channel(64);
    let (_stop_tx, stop) = watch::channel(false);
    let base = window.confirmed;
    tokio::spawn(async move {
        for (at, detector, started, result) in events {
            tokio::time::sleep_until((base + Duration::from_millis(at)).into()).await;
            let started = if started >= 0 {
                base + Duration::from_millis(started as u64)
            } else {
                base - Duration::from_millis((-started) as u64)
            };
            let _ = tx.send(poll(detector, started, result));
        }
        // Keep the channel open until the windows are done.
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    observe(&mut watches, &mut rx, stop, &terms(), window).await;
    watches.into_iter().map(|w| w.record).collect()
}

#[tokio::test]
async fn polls_slower_than_the_window_decide_silent_missed_and_expected_outcomes() {
    let (window, _) = window(0);
    // Windows of 100 ms (silent: the SLA; expected: twice a 50 ms SLA); polls take 300 ms.
    let records = run_timed(
        vec![
            Watch::new(
                "quiet",
                Role::Detector,
                true,
                Duration::from_millis(100),
                false,
            ),
            Watch::new(
                "blind",
                Role::Detector,
                false,
                Duration::from_millis(50),
                false,
            ),
            Watch::new(
                "slow",
                Role::Detector,
                false,
                Duration::from_millis(50),
                false,
            ),
        ],
        window,
        vec![
            // A silent poll begun before the change and finishing in the stretch never counts.
            (150, "quiet", -10, clean()),
            (300, "quiet", 10, clean()),
            (300, "blind", 10, clean()),
            (300, "slow", 10, naming(TARGET)),
        ],
    )
    .await;
    let (quiet, blind, slow) = (&records[0], &records[1], &records[2]);
    assert_eq!(quiet.outcome, Outcome::Suppressed, "{quiet:?}");
    assert_eq!(blind.outcome, Outcome::Missed, "{blind:?}");
    // Stretching never turns a detection after the SLA into one within it.
    assert_eq!(slow.outcome, Outcome::DetectedLate, "{slow:?}");
    assert!(slow.mttd_secs.unwrap() >= 0.29);
    for r in &records {
        assert_eq!(r.window_secs, Some(0.1), "{r:?}");
        let stretched = r.stretched_secs.expect("stretched");
        assert!((0.15..1.0).contains(&stretched), "{r:?}");
        assert_eq!(r.errors, 0);
    }
}

#[tokio::test]
async fn a_poll_begun_before_the_change_counts_only_when_it_names_the_target() {
    let (window, sla) = window(5_000);
    let watches = || vec![Watch::new("c7n", Role::Detector, false, sla, false)];
    // A remediating detector may find and remove the change in the poll it was already running.
    let records = run_timed(watches(), window, vec![(40, "c7n", -30, naming(TARGET))]).await;
    assert_eq!(records[0].outcome, Outcome::DetectedWithinSla);
    assert_eq!(records[0].polls, 1);
    let (lower, upper) = records[0].bracket_secs.unwrap();
    assert_eq!(lower, 0.0);
    assert!(upper >= 0.03, "{:?}", records[0]);

    // Its failure and its silence say nothing; the next poll decides.
    let mut short = window;
    short.lifetime_end = window.confirmed + Duration::from_millis(300);
    let records = run_timed(
        watches(),
        short,
        vec![(20, "c7n", -30, failed()), (40, "c7n", -20, clean())],
    )
    .await;
    assert_eq!(
        records[0].outcome,
        Outcome::Inconclusive,
        "{:?}",
        records[0]
    );
    assert_eq!((records[0].polls, records[0].errors), (0, 0));
}

#[tokio::test]
async fn a_window_that_may_not_stretch_closes_on_time_without_a_complete_poll() {
    let (mut window, sla) = window(50);
    window.stretch = false;
    let started = Instant::now();
    let records = run(
        vec![Watch::new("hourly", Role::Detector, false, sla, false)],
        window,
        Vec::new(),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "not stretched to the lifetime"
    );
    assert_eq!(records[0].outcome, Outcome::Inconclusive);
    assert_eq!(records[0].stretched_secs, None);
}

#[tokio::test]
async fn a_poll_that_fails_in_a_stretched_window_is_a_detector_error() {
    let (window, _) = window(0);
    let records = run_timed(
        vec![Watch::new(
            "tf",
            Role::Detector,
            true,
            Duration::from_millis(100),
            false,
        )],
        window,
        vec![(250, "tf", 10, failed())],
    )
    .await;
    assert_eq!(records[0].outcome, Outcome::DetectorError);
    assert_eq!((records[0].polls, records[0].errors), (1, 1));
}

#[tokio::test]
async fn a_window_judged_in_time_is_never_stretched() {
    let (window, _) = window(0);
    let records = run_timed(
        vec![Watch::new(
            "tf",
            Role::Detector,
            false,
            Duration::from_millis(100),
            false,
        )],
        window,
        vec![(50, "tf", 10, clean())],
    )
    .await;
    assert_eq!(records[0].outcome, Outcome::Missed);
    assert_eq!(records[0].stretched_secs, None);
    assert_eq!(records[0].window_secs, Some(0.2));
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
