//! The observation hub: polls every detector once per interval for all drills in flight (never
//! once per drill), forwards pushed alerts, and broadcasts both to the drills that watch.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, broadcast, mpsc, watch};

use crate::detect::{Built, DetectorError, Observation, PollCx, Polled, PushHandle, Role};
use crate::record::DetectorHealth;

/// A built detector or channel with what its health record needs.
pub struct HubEntry {
    pub name: String,
    /// The `type` in driftdrill.toml.
    pub kind: String,
    pub role: Role,
    pub built: Built,
}

/// Health of every detector and channel, updated by the pollers and channel forwarders.
type HealthBook = Arc<Mutex<BTreeMap<String, DetectorHealth>>>;

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
struct Watching {
    /// Detector name → how many drills watch it.
    counts: BTreeMap<String, usize>,
    /// Terms of every drill in flight (target ids, marks), for channels that filter.
    terms: BTreeMap<String, usize>,
    /// Every term any drill of this run has watched: what "touched during the window" means
    /// for false alarms.
    touched: std::collections::BTreeSet<String>,
    /// Drills between snapshot and confirmed injection.
    injecting: usize,
}

/// The last finished poll of a detector whose answers describe its whole state.
struct Latest {
    event: Arc<Event>,
    interval: Duration,
}

/// Running pollers and channels. Dropping the hub stops them.
pub struct Hub {
    events: broadcast::Sender<Arc<Event>>,
    watching: Arc<Mutex<Watching>>,
    /// Detector name → its last finished poll, for detectors that report their whole state.
    latest: Arc<Mutex<BTreeMap<String, Latest>>>,
    whole_state: std::collections::BTreeSet<String>,
    health: HealthBook,
    wake: Arc<Notify>,
    /// Signalled whenever a drill finishes injecting.
    settled: Arc<Notify>,
    stop: watch::Sender<bool>,
    /// Push channel addresses by name (e.g. where a webhook listens).
    pub addresses: BTreeMap<String, String>,
    _push: Vec<PushHandle>,
}

/// While alive, the drill's detectors are polled and its terms are watched.
pub struct WatchGuard {
    watching: Arc<Mutex<Watching>>,
    detectors: Vec<String>,
    terms: Vec<String>,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        let mut w = self.watching.lock().expect("watch lock");
        for d in &self.detectors {
            if let Some(n) = w.counts.get_mut(d) {
                *n = n.saturating_sub(1);
            }
        }
        for t in &self.terms {
            if let Some(n) = w.terms.get_mut(t) {
                *n -= 1;
                if *n == 0 {
                    w.terms.remove(t);
                }
            }
        }
    }
}

/// While alive, the drill counts as injecting (see [`Hub::injecting`]).
pub struct InjectingGuard {
    watching: Arc<Mutex<Watching>>,
    settled: Arc<Notify>,
}

impl Drop for InjectingGuard {
    fn drop(&mut self) {
        self.watching.lock().expect("watch lock").injecting -= 1;
        self.settled.notify_waiters();
    }
}

impl Hub {
    /// Starts every channel now and a poller per detector (idle until a drill watches it), after
    /// a preflight of each: a channel that cannot start or accept, or a detector whose own
    /// preflight fails, is marked unavailable (see [`Hub::unavailable`]) and never polled.
    pub async fn start(entries: Vec<HubEntry>) -> Hub {
        let (events, _) = broadcast::channel(4096);
        let (stop, stopped) = watch::channel(false);
        let watching = Arc::new(Mutex::new(Watching::default()));
        let latest = Arc::new(Mutex::new(BTreeMap::new()));
        let health: HealthBook = Arc::new(Mutex::new(BTreeMap::new()));
        let wake = Arc::new(Notify::new());
        let settled = Arc::new(Notify::new());
        let mut push = Vec::new();
        let mut addresses = BTreeMap::new();
        let mut whole_state = std::collections::BTreeSet::new();
        for entry in entries {
            let HubEntry {
                name,
                kind,
                role,
                built,
            } = entry;
            let mut record = DetectorHealth {
                name: name.clone(),
                kind,
                role,
                interval_secs: None,
                polls: 0,
                failures: 0,
                transient_failures: 0,
                last_error: None,
                poll_secs: Vec::new(),
                alerts: 0,
                unavailable: None,
            };
            match built {
                Built::Polled(p) => {
                    record.interval_secs = Some(p.interval().as_secs_f64());
                    record.unavailable = preflight(p.as_ref())
                        .await
                        .err()
                        .map(|e| crate::errors::chain(&e));
                    if !book(&health, &name, record) {
                        continue;
                    }
                    if p.reports_whole_state() {
                        whole_state.insert(name.clone());
                    }
                    let task = Poller {
                        latest: p.reports_whole_state().then(|| latest.clone()),
                        name,
                        detector: p,
                        events: events.clone(),
                        watching: watching.clone(),
                        health: health.clone(),
                        wake: wake.clone(),
                        settled: settled.clone(),
                        stopped: stopped.clone(),
                    };
                    tokio::spawn(task.run());
                }
                Built::Push(p) => {
                    let (tx, mut rx) = mpsc::unbounded_channel();
                    let started = match p.start(tx).await {
                        Err(e) => Err(crate::errors::chain(&e)),
                        Ok(handle) => match handle.listening {
                            Some(addr) => accepts(addr)
                                .await
                                .map(|()| handle)
                                .map_err(|why| format!("accept a connection on {addr}: {why}")),
                            None => Ok(handle),
                        },
                    };
                    record.unavailable = started.as_ref().err().cloned();
                    if !book(&health, &name, record) {
                        continue;
                    }
                    let handle = started.expect("booked as available");
                    addresses.insert(name.clone(), handle.address.clone());
                    push.push(handle);
                    let events = events.clone();
                    let health = health.clone();
                    tokio::spawn(async move {
                        while let Some(observation) = rx.recv().await {
                            if let Some(h) = health.lock().expect("health lock").get_mut(&name) {
                                h.alerts += 1;
                            }
                            let _ = events.send(Arc::new(Event::Alert {
                                detector: name.clone(),
                                observation,
                            }));
                        }
                    });
                }
            }
        }
        Hub {
            events,
            watching,
            latest,
            whole_state,
            health,
            wake,
            settled,
            stop,
            addresses,
            _push: push,
        }
    }

    /// Why a detector or channel cannot be asked at all (its preflight failed), if it cannot.
    pub fn unavailable(&self, name: &str) -> Option<String> {
        self.health
            .lock()
            .expect("health lock")
            .get(name)
            .and_then(|h| h.unavailable.clone())
    }

    /// Every detector's and channel's health so far, by name.
    pub fn health(&self) -> Vec<DetectorHealth> {
        self.health
            .lock()
            .expect("health lock")
            .values()
            .cloned()
            .collect()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.events.subscribe()
    }

    /// Registers a drill's detectors and terms until the guard is dropped.
    pub fn watch(&self, detectors: &[String], terms: &[String]) -> WatchGuard {
        let mut w = self.watching.lock().expect("watch lock");
        for d in detectors {
            *w.counts.entry(d.clone()).or_default() += 1;
        }
        for t in terms {
            *w.terms.entry(t.clone()).or_default() += 1;
            w.touched.insert(t.clone());
        }
        drop(w);
        self.wake.notify_waiters();
        WatchGuard {
            watching: self.watching.clone(),
            detectors: detectors.to_vec(),
            terms: terms.to_vec(),
        }
    }

    /// Marks a drill as injecting (snapshot to confirmed change) until the guard is dropped.
    /// A poll that falls due meanwhile waits for it, up to one more interval: only polls that
    /// start after a change may count as seeing it, so a poll starting in the middle of a burst
    /// of injections would leave the rest of the burst waiting a whole interval. Polls still
    /// run at most once per interval.
    pub fn injecting(&self) -> InjectingGuard {
        self.watching.lock().expect("watch lock").injecting += 1;
        InjectingGuard {
            watching: self.watching.clone(),
            settled: self.settled.clone(),
        }
    }

    /// Whether a poll of this detector that started before a drill registered may serve as its
    /// baseline (see [`crate::detect::Polled::reports_whole_state`]).
    pub fn reusable(&self, detector: &str) -> bool {
        self.whole_state.contains(detector)
    }

    /// The last finished poll of a whole-state detector, if it started at or after `since` and
    /// is current: it finished less than one interval ago, so it is the answer the schedule
    /// would give now.
    pub fn current_poll(&self, detector: &str, since: Option<Instant>) -> Option<Arc<Event>> {
        let latest = self.latest.lock().expect("latest lock");
        let l = latest.get(detector)?;
        let Event::Poll {
            started, finished, ..
        } = &*l.event
        else {
            return None;
        };
        let fresh = Instant::now() <= *finished + l.interval;
        (fresh && since.is_none_or(|s| *started >= s)).then(|| l.event.clone())
    }

    /// Every term any drill has watched so far.
    pub fn touched(&self) -> Vec<String> {
        self.watching
            .lock()
            .expect("watch lock")
            .touched
            .iter()
            .cloned()
            .collect()
    }
}

/// Enters a detector's health record; true if it can be asked (its preflight passed).
fn book(health: &HealthBook, name: &str, record: DetectorHealth) -> bool {
    let available = record.unavailable.is_none();
    health
        .lock()
        .expect("health lock")
        .insert(name.to_string(), record);
    available
}

/// Proves a listener accepts connections, by connecting to it over loopback (a listener on
/// every address is reached on 127.0.0.1; one on another address is left unchecked: only
/// loopback is ever dialled).
async fn accepts(addr: std::net::SocketAddr) -> Result<(), String> {
    let mut target = addr;
    if addr.ip().is_unspecified() {
        target.set_ip(match addr {
            std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    } else if !addr.ip().is_loopback() {
        return Ok(());
    }
    match tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect(target),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 5s".into()),
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A detector's preflight, asked once more after a pause when it failed in a way that may pass
/// (a time-out, throttling, a lost lock): one slow answer should not skip a quarter's drills.
async fn preflight(p: &dyn Polled) -> Result<(), DetectorError> {
    match p.preflight().await {
        Err(e) if e.is_transient() => {
            tokio::time::sleep(PREFLIGHT_RETRY_PAUSE).await;
            p.preflight().await
        }
        other => other,
    }
}

const PREFLIGHT_RETRY_PAUSE: Duration = Duration::from_secs(2);

struct Poller {
    name: String,
    /// Where to keep the last finished poll (whole-state detectors only).
    latest: Option<Arc<Mutex<BTreeMap<String, Latest>>>>,
    detector: Box<dyn Polled>,
    events: broadcast::Sender<Arc<Event>>,
    watching: Arc<Mutex<Watching>>,
    health: HealthBook,
    wake: Arc<Notify>,
    settled: Arc<Notify>,
    stopped: watch::Receiver<bool>,
}

impl Poller {
    fn account(&self, took: Duration, result: &Result<Vec<Observation>, DetectorError>) {
        let mut book = self.health.lock().expect("health lock");
        let Some(h) = book.get_mut(&self.name) else {
            return;
        };
        h.polls += 1;
        h.poll_secs.push(super::observe::secs(took));
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

    async fn run(mut self) {
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
            let result = tokio::select! {
                r = self.detector.poll(&cx) => r,
                _ = self.stopped.changed() => return,
            };
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
