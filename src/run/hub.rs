//! The observation hub: polls every detector once per interval for all drills in flight (never
//! once per drill), forwards pushed alerts, and broadcasts both to the drills that watch.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, broadcast, mpsc, watch};

use super::event::{Event, HealthBook, Latest, Watching};
use crate::detect::{Built, Polled, Push, PushHandle};

use crate::record::DetectorHealth;
use crate::vocab::Role;

/// A built detector or channel with what its health record needs.
pub struct HubEntry {
    pub name: String,
    /// The `type` in driftdrill.toml.
    pub kind: String,
    pub role: Role,
    pub built: Built,
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
    /// Signalled whenever a drill finishes injecting, reverting or watching.
    settled: Arc<Notify>,
    stop: watch::Sender<bool>,
    /// Push channel addresses by name (e.g. where a webhook listens).
    pub addresses: BTreeMap<String, String>,
    _push: Vec<PushHandle>,
    /// The pollers' tasks, awaited by [`Hub::shutdown`].
    pollers: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// While alive, the drill's detectors are polled and its terms are watched.
pub struct WatchGuard {
    watching: Arc<Mutex<Watching>>,
    /// Told when the guard drops: a poll may be waiting for this drill to end.
    settled: Arc<Notify>,
    /// This watch's number in [`Watching::watches`] (until its drill's revert ends).
    number: u64,
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
        w.watches.remove(&self.number);
        drop(w);
        self.settled.notify_waiters();
    }
}

/// While alive, the drill counts as changing its resource: injecting (see [`Hub::injecting`])
/// or reverting (see [`Hub::reverting`]).
pub struct ChangingGuard {
    watching: Arc<Mutex<Watching>>,
    settled: Arc<Notify>,
    count: fn(&mut Watching) -> &mut BTreeMap<String, usize>,
    /// The detectors whose polls wait for this change: those watching the drill's environment.
    detectors: Vec<String>,
    /// The drill's watches whose change is gone once this ends (a revert's).
    ends: Vec<u64>,
}

impl Drop for ChangingGuard {
    fn drop(&mut self) {
        let mut w = self.watching.lock().expect("watch lock");
        let counts = (self.count)(&mut w);
        for d in &self.detectors {
            if let Some(n) = counts.get_mut(d) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(d);
                }
            }
        }
        for number in &self.ends {
            w.watches.remove(number);
        }
        drop(w);
        self.settled.notify_waiters();
    }
}

impl Hub {
    /// Starts every channel now and a poller per detector (idle until a drill watches it), after
    /// a preflight of each: a channel that cannot start or accept, or a detector whose own
    /// preflight fails, is marked unavailable (see [`Hub::unavailable`]) and never polled.
    pub async fn start(entries: Vec<HubEntry>) -> Hub {
        let (events, _) = broadcast::channel(4096);
        let (stop, _) = watch::channel(false);
        let mut hub = Hub {
            events,
            watching: Arc::new(Mutex::new(Watching::default())),
            latest: Arc::new(Mutex::new(BTreeMap::new())),
            whole_state: std::collections::BTreeSet::new(),
            health: Arc::new(Mutex::new(BTreeMap::new())),
            wake: Arc::new(Notify::new()),
            settled: Arc::new(Notify::new()),
            stop,
            addresses: BTreeMap::new(),
            _push: Vec::new(),
            pollers: Mutex::new(Vec::new()),
        };
        for entry in entries {
            let record = DetectorHealth {
                name: entry.name.clone(),
                kind: entry.kind,
                role: entry.role,
                interval_secs: None,
                polls: 0,
                failures: 0,
                transient_failures: 0,
                last_error: None,
                poll_secs: Vec::new(),
                alerts: 0,
                unavailable: None,
                actions: Vec::new(),
            };
            match entry.built {
                Built::Polled(p) => hub.add_polled(entry.name, record, p).await,
                Built::Push(p) => hub.add_push(entry.name, record, p).await,
            }
        }
        hub
    }

    /// A polled detector: its preflight, then (if it passed) its poller, idle until a drill
    /// watches it.
    async fn add_polled(&mut self, name: String, mut record: DetectorHealth, p: Box<dyn Polled>) {
        record.interval_secs = Some(p.interval().as_secs_f64());
        record.unavailable = super::poller::preflight(p.as_ref())
            .await
            .err()
            .map(|e| crate::errors::chain(&e));
        if !book(&self.health, &name, record) {
            return;
        }
        if p.reports_whole_state() {
            self.whole_state.insert(name.clone());
        }
        let task = super::poller::Poller {
            latest: p.reports_whole_state().then(|| self.latest.clone()),
            name,
            detector: p,
            events: self.events.clone(),
            watching: self.watching.clone(),
            health: self.health.clone(),
            wake: self.wake.clone(),
            settled: self.settled.clone(),
            stopped: self.stop.subscribe(),
            named: std::collections::BTreeSet::new(),
        };
        let poller = tokio::spawn(task.run());
        self.pollers.lock().expect("pollers lock").push(poller);
    }

    /// A push channel: started now and proven to accept (a listener on loopback is dialled);
    /// every alert it receives is broadcast.
    async fn add_push(&mut self, name: String, mut record: DetectorHealth, p: Box<dyn Push>) {
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
        if !book(&self.health, &name, record) {
            return;
        }
        let handle = started.expect("booked as available");
        self.addresses.insert(name.clone(), handle.address.clone());
        self._push.push(handle);
        let (events, health) = (self.events.clone(), self.health.clone());
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

    /// Stops every poller and waits until each has ended, a poll in flight included (its
    /// programs interrupted, then killed after a grace period): nothing the hub started is left
    /// running when this returns.
    pub(crate) async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let pollers = std::mem::take(&mut *self.pollers.lock().expect("pollers lock"));
        for poller in pollers {
            let _ = poller.await;
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

    /// Whether a poll of this detector is in flight now.
    pub(crate) fn polling(&self, name: &str) -> bool {
        let w = self.watching.lock().expect("watch lock");
        w.polling.contains(name)
    }

    /// How often a polled detector polls (`None` for a channel or an unknown name).
    pub(crate) fn interval(&self, name: &str) -> Option<Duration> {
        self.health
            .lock()
            .expect("health lock")
            .get(name)
            .and_then(|h| h.interval_secs)
            .map(Duration::from_secs_f64)
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

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
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
        let number = w.next_watch;
        w.next_watch += 1;
        w.watches.insert(number, terms.to_vec());
        drop(w);
        self.wake.notify_waiters();
        WatchGuard {
            watching: self.watching.clone(),
            settled: self.settled.clone(),
            number,
            detectors: detectors.to_vec(),
            terms: terms.to_vec(),
        }
    }

    /// Marks a drill as injecting (snapshot to confirmed change) until the guard is dropped.
    /// A poll of one of `detectors` (those watching the drill's environment) that falls due
    /// meanwhile waits for it, up to one more interval: only polls that start after a change
    /// may count as seeing it, so a poll starting in the middle of a burst of injections would
    /// leave the rest of the burst waiting a whole interval. Other detectors' polls do not wait:
    /// in an organisation run, one account's injections never hold back another's detection.
    /// Polls still run at most once per interval.
    pub fn injecting(&self, detectors: &[String]) -> ChangingGuard {
        self.changing(|w| &mut w.injecting, detectors, Vec::new())
    }

    /// Marks a drill as reverting (its observation over, its change not yet verified gone)
    /// until the guard is dropped. A poll of one of `detectors` that falls due meanwhile waits
    /// for it the same way:
    /// a poll started in the middle of a revert still sees the change, so it cannot be the clean
    /// baseline the next drill on that resource needs, and with plans that outlast their
    /// interval that cost the next drill one whole plan. When it drops, the drill's `watches`
    /// no longer hold a poll back (see [`Watching::watches`]), though they still watch (a drill
    /// timing its detectors' clear needs the next poll at once).
    pub fn reverting(&self, detectors: &[String], watches: &[&WatchGuard]) -> ChangingGuard {
        let ends = watches.iter().map(|g| g.number).collect();
        self.changing(|w| &mut w.reverting, detectors, ends)
    }

    fn changing(
        &self,
        count: fn(&mut Watching) -> &mut BTreeMap<String, usize>,
        detectors: &[String],
        ends: Vec<u64>,
    ) -> ChangingGuard {
        let mut w = self.watching.lock().expect("watch lock");
        let counts = count(&mut w);
        for d in detectors {
            *counts.entry(d.clone()).or_default() += 1;
        }
        ChangingGuard {
            watching: self.watching.clone(),
            settled: self.settled.clone(),
            count,
            detectors: detectors.to_vec(),
            ends,
        }
    }

    /// Whether a poll of this detector that started before a drill registered may serve as its
    /// baseline (see [`crate::detect::Polled::reports_whole_state`]).
    pub(crate) fn reusable(&self, detector: &str) -> bool {
        self.whole_state.contains(detector)
    }

    /// The last finished poll of a whole-state detector, if it started at or after `since` and
    /// is current: it finished less than one interval ago, so it is the answer the schedule
    /// would give now.
    pub(crate) fn current_poll(
        &self,
        detector: &str,
        since: Option<Instant>,
    ) -> Option<Arc<Event>> {
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
async fn accepts(addr: std::net::SocketAddr) -> Result<(), std::io::Error> {
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
        Ok(Err(e)) => Err(e),
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no answer within 5s",
        )),
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{DetectorError, Observation, PollCx, Polled};

    const INTERVAL: Duration = Duration::from_secs(2);

    /// Answers at once, keeping the instant each poll started; names `drifted` when given.
    struct Clock {
        starts: Arc<Mutex<Vec<Instant>>>,
        drifted: Option<&'static str>,
    }

    #[async_trait::async_trait]
    impl Polled for Clock {
        async fn poll(&self, _: &PollCx) -> Result<Vec<Observation>, DetectorError> {
            self.starts.lock().unwrap().push(Instant::now());
            let name = |id: &str| Observation::now(vec![id.into()], id.into(), String::new());
            Ok(self.drifted.map(name).into_iter().collect())
        }
        fn interval(&self) -> Duration {
            INTERVAL
        }
    }

    async fn clock_hub(drifted: Option<&'static str>) -> (Hub, Arc<Mutex<Vec<Instant>>>) {
        let starts = Arc::new(Mutex::new(Vec::new()));
        let clock = Clock {
            starts: starts.clone(),
            drifted,
        };
        let entry = HubEntry {
            name: "plan".into(),
            kind: "command".into(),
            role: Role::Detector,
            built: Built::Polled(Box::new(clock)),
        };
        (Hub::start(vec![entry]).await, starts)
    }

    /// A hub polling a [`Clock`] for one drill on `sg-1`: the hub, the poll starts, the drill's
    /// watch and when the first poll started.
    async fn watched(
        drifted: Option<&'static str>,
    ) -> (Hub, Arc<Mutex<Vec<Instant>>>, WatchGuard, Instant) {
        let (hub, starts) = clock_hub(drifted).await;
        let watching = hub.watch(&["plan".into()], &["sg-1".into()]);
        let first = nth_poll(&starts, 0).await;
        (hub, starts, watching, first)
    }

    /// The instant of the `n`th poll (from 0), once it has happened.
    async fn nth_poll(starts: &Mutex<Vec<Instant>>, n: usize) -> Instant {
        loop {
            if let Some(at) = starts.lock().unwrap().get(n) {
                return *at;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[tokio::test]
    async fn a_poll_due_while_a_drill_reverts_waits_for_the_revert() {
        let (hub, starts, _watching, first) = watched(None).await;
        let reverting = hub.reverting(&["plan".into()], &[]);
        // Past the interval, before the one more interval a revert may hold a poll back.
        tokio::time::sleep_until((first + INTERVAL * 3 / 2).into()).await;
        assert_eq!(
            starts.lock().unwrap().len(),
            1,
            "no poll while the revert runs"
        );
        let reverted = Instant::now();
        drop(reverting);
        let second = nth_poll(&starts, 1).await;
        assert!(second >= reverted, "the next poll starts after the revert");
        assert!(
            second < first + INTERVAL * 2,
            "and as soon as the revert ends, not at the cap"
        );
        hub.shutdown().await;
    }

    #[tokio::test]
    async fn only_a_change_where_the_detector_watches_holds_its_poll_back() {
        let (hub, starts, _watching, first) = watched(None).await;
        // Another account's detector: its drills' changes are nothing this poll could see.
        let elsewhere = hub.injecting(&["other-account".into()]);
        let second = nth_poll(&starts, 1).await;
        assert!(
            second < first + INTERVAL * 3 / 2,
            "not held back by a change elsewhere: {:?}",
            second - first
        );
        let here = hub.injecting(&["plan".into()]);
        let third = nth_poll(&starts, 2).await;
        assert!(
            third - second >= INTERVAL * 2,
            "held back by a change where it watches: {:?}",
            third - second
        );
        drop((elsewhere, here));
        hub.shutdown().await;
    }

    #[tokio::test]
    async fn a_revert_that_never_ends_holds_polls_back_one_interval_at_most() {
        let (hub, starts, _watching, first) = watched(None).await;
        let _reverting = hub.reverting(&["plan".into()], &[]);
        let second = nth_poll(&starts, 1).await;
        assert!(second - first >= INTERVAL * 2, "{:?}", second - first);
        hub.shutdown().await;
    }

    #[tokio::test]
    async fn a_poll_waits_for_the_drill_it_just_detected_to_end() {
        let (hub, starts, watching, first) = watched(Some("sg-1")).await;
        // The drill waits for another detector, then ends, and the next drill on the same
        // group starts watching.
        tokio::time::sleep_until((first + INTERVAL * 3 / 2).into()).await;
        assert_eq!(
            starts.lock().unwrap().len(),
            1,
            "no poll while it is in flight"
        );
        let ended = Instant::now();
        let _next = hub.watch(&["plan".into()], &["sg-1".into()]);
        drop(watching);
        let second = nth_poll(&starts, 1).await;
        assert!(second >= ended, "the next poll starts after it ended");
        assert!(
            second < first + INTERVAL * 2,
            "as soon as it ended, not at the cap"
        );
        hub.shutdown().await;
    }

    #[tokio::test]
    async fn a_detected_drill_that_stays_holds_back_one_poll_only() {
        let (hub, starts, _watching, first) = watched(Some("sg-1")).await;
        let second = nth_poll(&starts, 1).await;
        let third = nth_poll(&starts, 2).await;
        assert!(second - first >= INTERVAL * 2, "{:?}", second - first);
        assert!(third - second < INTERVAL * 2, "{:?}", third - second);
        hub.shutdown().await;
    }

    #[tokio::test]
    async fn a_detected_drill_that_has_reverted_holds_no_poll_back_while_it_clears() {
        let (hub, starts, watching, first) = watched(Some("sg-1")).await;
        drop(hub.reverting(&["plan".into()], &[&watching]));
        let reverted = Instant::now();
        // Still watching: it times how long the detector takes to clear.
        let second = nth_poll(&starts, 1).await;
        assert!(second >= reverted);
        assert!(
            second < first + INTERVAL * 2,
            "the next poll is not held back: {:?}",
            second - first
        );
        hub.shutdown().await;
    }
}
