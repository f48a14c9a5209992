//! Coalesced reads: drills in one account and region that read resources of one type at about
//! the same time share one `Describe*` call that names all their ids.
//!
//! With no read of its kind in flight, the caller reads alone, at once, through its own
//! single-read code (a lone drill pays nothing and sees exactly the errors it always did);
//! while one is in flight, reads queue and go out together the moment it returns. Where the
//! runner knows several drills share the clients, it sets a short window instead
//! ([`crate::aws::AwsClients::coalesce_within`]): the first read waits that long for company
//! and goes out with whatever came, so a burst of drills makes one call, not two. Either way
//! every read is answered by a call sent *after* it was asked (never by an older answer), and
//! waits at most for the window or one call in flight besides its own.
//!
//! A batch answers only what it found: when the call fails, or an id is missing from its
//! answer, each of its readers reads alone, so errors (a group that does not exist, a denied
//! call) are exactly what a single read says. A batch of one is never sent: its reader reads
//! alone.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// At most this many ids in one call.
pub const MAX_IDS: usize = 100;

/// The call a batch makes: every id asked, to whatever it found for each; `Err` when the call
/// failed (the readers then read one by one).
pub type Fetch<V> = Arc<
    dyn Fn(Vec<String>) -> Pin<Box<dyn Future<Output = Result<HashMap<String, V>, ()>> + Send>>
        + Send
        + Sync,
>;

/// Whether reads coalesce: yes, unless `DRIFTDRILL_COALESCE=0` (how the benchmarks measure
/// the calls a run makes without it).
fn enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("DRIFTDRILL_COALESCE").map_or(true, |v| v != "0"))
}

/// A [`Fetch`] from an async function of the ids.
pub fn fetch<V, F, Fut>(f: F) -> Fetch<V>
where
    F: Fn(Vec<String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HashMap<String, V>, ()>> + Send + 'static,
{
    Arc::new(move |ids| Box::pin(f(ids)))
}

/// What a reader gets: the resource a batch found, or its turn to read alone.
pub enum Read<V: Clone + Send + 'static> {
    Found(V),
    /// Read it with the single-read call; readers arriving meanwhile queue until this guard
    /// is dropped (drop it once the read is done).
    Alone(Guard),
}

/// A read in flight; dropping it sends the reads queued meanwhile.
pub struct Guard(Option<Arc<dyn InFlight>>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(b) = self.0.take() {
            b.finished();
        }
    }
}

/// A batcher, whatever it reads: told when a read or call in flight returned.
trait InFlight: Send + Sync {
    fn finished(self: Arc<Self>);
}

/// One kind of coalesced read (e.g. security groups by id) for one set of clients.
pub struct Batcher<V: Clone + Send + 'static> {
    fetch: Fetch<V>,
    /// How long a read that finds nothing in flight waits for others (zero: it reads alone).
    window: std::time::Duration,
    state: Mutex<State<V>>,
}

struct State<V: Clone + Send + 'static> {
    /// Reads and batch calls in flight.
    in_flight: usize,
    /// Reads waiting for one in flight to return, in batches of at most [`MAX_IDS`].
    queued: Vec<Batch<V>>,
}

/// What a queued reader is told: the resource found, or to read alone (with a guard that
/// counts the read as in flight for a batch of one, an empty one after a failed batch). A guard
/// a reader never received is dropped with the message, so nothing stays counted.
enum Answer<V: Clone + Send + 'static> {
    Found(V),
    Alone(Guard),
}

struct Batch<V: Clone + Send + 'static> {
    readers: Vec<(String, oneshot::Sender<Answer<V>>)>,
    /// Whose call this is, for counting: the first reader's drill and phase.
    scope: Option<crate::calls::Scope>,
}

impl<V: Clone + Send + 'static> Batcher<V> {
    pub fn new(fetch: Fetch<V>) -> Arc<Self> {
        Self::with_window(fetch, std::time::Duration::ZERO)
    }

    /// A batcher whose first read waits `window` for others before its call goes out.
    pub fn with_window(fetch: Fetch<V>, window: std::time::Duration) -> Arc<Self> {
        Arc::new(Batcher {
            fetch,
            window,
            state: Mutex::new(State {
                in_flight: 0,
                queued: Vec::new(),
            }),
        })
    }

    /// The resource `id` as a batch found it, or the caller's turn to read it alone.
    pub async fn read(self: &Arc<Self>, id: &str) -> Read<V> {
        if !enabled() {
            return Read::Alone(Guard(None));
        }
        match self.enqueue(id) {
            Err(guard) => Read::Alone(guard),
            Ok(answer) => match answer.await {
                Ok(Answer::Found(v)) => Read::Found(v),
                Ok(Answer::Alone(guard)) => Read::Alone(guard),
                Err(_) => Read::Alone(Guard(None)),
            },
        }
    }

    /// Queues a read and returns where its answer will come, or the guard of its turn to read
    /// alone at once (nothing in flight and no window).
    fn enqueue(self: &Arc<Self>, id: &str) -> Result<oneshot::Receiver<Answer<V>>, Guard> {
        let mut state = self.state.lock().expect("batch state");
        let (tx, rx) = oneshot::channel();
        let reader = (id.to_string(), tx);
        if state.in_flight > 0 {
            match state.queued.last_mut() {
                Some(b) if b.readers.len() < MAX_IDS => b.readers.push(reader),
                _ => state.queued.push(Batch::new(reader)),
            }
            return Ok(rx);
        }
        state.in_flight = 1;
        match tokio::runtime::Handle::try_current() {
            // A window opens: it counts as in flight, so the reads arriving meanwhile queue
            // with this one; when it closes they go out together (or this one alone).
            Ok(rt) if !self.window.is_zero() => {
                state.queued.push(Batch::new(reader));
                drop(rt.spawn(self.clone().close_window()));
                Ok(rx)
            }
            _ => Err(self.guard()),
        }
    }

    /// Ends a window after its length: what queued in it goes out.
    async fn close_window(self: Arc<Self>) {
        tokio::time::sleep(self.window).await;
        self.finished();
    }

    fn guard(self: &Arc<Self>) -> Guard {
        Guard(Some(self.clone()))
    }
}

impl<V: Clone + Send + 'static> InFlight for Batcher<V> {
    /// A read or batch call returned: every batch queued meanwhile goes out now.
    fn finished(self: Arc<Self>) {
        let batches = {
            let mut state = self.state.lock().expect("batch state");
            state.in_flight -= 1;
            let batches = std::mem::take(&mut state.queued);
            state.in_flight += batches.len();
            batches
        };
        for batch in batches {
            let Some(batch) = batch.alone_if_single(&self) else {
                continue;
            };
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => drop(rt.spawn(self.clone().send(batch))),
                Err(_) => batch.release(), // no runtime left: every reader reads alone
            }
        }
    }
}

impl<V: Clone + Send + 'static> Batcher<V> {
    /// One call for a batch; every reader gets what it found for its id, or reads alone.
    async fn send(self: Arc<Self>, batch: Batch<V>) {
        let mut ids: Vec<String> = batch.readers.iter().map(|(id, _)| id.clone()).collect();
        ids.sort();
        ids.dedup();
        let found = crate::calls::within(batch.scope.clone(), (self.fetch)(ids)).await;
        match found {
            Ok(found) => {
                for (id, tx) in batch.readers {
                    let _ = tx.send(match found.get(&id) {
                        Some(v) => Answer::Found(v.clone()),
                        None => Answer::Alone(Guard(None)),
                    });
                }
            }
            Err(()) => batch.release(),
        }
        self.finished();
    }
}

impl<V: Clone + Send + 'static> Batch<V> {
    fn new(reader: (String, oneshot::Sender<Answer<V>>)) -> Self {
        Batch {
            readers: vec![reader],
            scope: crate::calls::current(),
        }
    }

    /// A batch of one is not sent: its reader reads alone, counted as in flight (the call
    /// `batcher` counted for this batch becomes the reader's).
    fn alone_if_single(mut self, batcher: &Arc<Batcher<V>>) -> Option<Self> {
        if self.readers.len() > 1 {
            return Some(self);
        }
        let (_, tx) = self.readers.pop()?;
        let _ = tx.send(Answer::Alone(batcher.guard()));
        None
    }

    /// Every reader reads alone (the batch failed).
    fn release(self) {
        for (_, tx) in self.readers {
            let _ = tx.send(Answer::Alone(Guard(None)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    type Log = Arc<Mutex<Vec<Vec<String>>>>;

    /// A batch call that takes 20 ms, logs its ids, finds every id but "gone", and fails as a
    /// whole when asked for "broken".
    fn fetch_logged(log: Log) -> Fetch<String> {
        fetch(move |ids: Vec<String>| {
            let log = log.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                log.lock().unwrap().push(ids.clone());
                if ids.iter().any(|i| i == "broken") {
                    return Err(());
                }
                let found = ids.into_iter().filter(|i| i != "gone");
                Ok(found.map(|i| (i.clone(), format!("batched {i}"))).collect())
            }
        })
    }

    /// Reads `id`: what a batch found, or a 20 ms single read (logged as `alone:<id>`).
    async fn get(b: Arc<Batcher<String>>, id: String, singles: Log) -> String {
        match b.read(&id).await {
            Read::Found(v) => v,
            Read::Alone(_reading) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                singles.lock().unwrap().push(vec![id.clone()]);
                format!("alone {id}")
            }
        }
    }

    fn setup() -> (Arc<Batcher<String>>, Log, Log) {
        let (calls, singles) = (Log::default(), Log::default());
        (Batcher::new(fetch_logged(calls.clone())), calls, singles)
    }

    #[tokio::test]
    async fn many_readers_share_one_call_after_the_first() {
        let (b, calls, singles) = setup();
        let reads: Vec<_> = (0..20)
            .map(|i| tokio::spawn(get(b.clone(), format!("sg-{i:02}"), singles.clone())))
            .collect();
        let mut answers = Vec::new();
        for r in reads {
            answers.push(r.await.unwrap());
        }
        assert_eq!(answers[0], "alone sg-00");
        for (i, a) in answers.iter().enumerate().skip(1) {
            assert_eq!(a, &format!("batched sg-{i:02}"));
        }
        assert_eq!(
            calls.lock().unwrap().len(),
            1,
            "one batch call for 19 readers"
        );
        assert_eq!(singles.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn with_a_window_the_first_reader_waits_and_the_whole_burst_shares_one_call() {
        let (calls, singles) = (Log::default(), Log::default());
        let b = Batcher::with_window(fetch_logged(calls.clone()), Duration::from_millis(50));
        let first = tokio::spawn(get(b.clone(), "sg-00".into(), singles.clone()));
        tokio::time::sleep(Duration::from_millis(10)).await;
        let rest: Vec<_> = (1..10)
            .map(|i| tokio::spawn(get(b.clone(), format!("sg-{i:02}"), singles.clone())))
            .collect();
        assert_eq!(first.await.unwrap(), "batched sg-00");
        for (i, r) in rest.into_iter().enumerate() {
            assert_eq!(r.await.unwrap(), format!("batched sg-{:02}", i + 1));
        }
        let calls = calls.lock().unwrap();
        assert_eq!(calls.len(), 1, "one call for the burst: {calls:?}");
        assert_eq!(calls[0].len(), 10);
        assert!(singles.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn with_a_window_a_reader_with_no_company_still_reads_alone() {
        let (calls, singles) = (Log::default(), Log::default());
        let b = Batcher::with_window(fetch_logged(calls.clone()), Duration::from_millis(5));
        assert_eq!(
            get(b.clone(), "sg-1".into(), singles.clone()).await,
            "alone sg-1"
        );
        assert_eq!(
            get(b.clone(), "sg-2".into(), singles.clone()).await,
            "alone sg-2"
        );
        assert!(
            calls.lock().unwrap().is_empty(),
            "a batch of one is never sent"
        );
        assert_eq!(singles.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_lone_reader_reads_alone_at_once() {
        let (b, calls, singles) = setup();
        let started = std::time::Instant::now();
        assert_eq!(
            get(b.clone(), "sg-1".into(), singles.clone()).await,
            "alone sg-1"
        );
        assert_eq!(
            get(b.clone(), "sg-2".into(), singles.clone()).await,
            "alone sg-2"
        );
        assert!(started.elapsed() < Duration::from_millis(500));
        assert!(calls.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_failed_batch_or_a_missing_id_sends_its_readers_to_read_alone() {
        let (b, calls, singles) = setup();
        let first = tokio::spawn(get(b.clone(), "sg-first".into(), singles.clone()));
        tokio::task::yield_now().await;
        let queued: Vec<_> = ["broken", "sg-fine", "gone"]
            .map(|id| tokio::spawn(get(b.clone(), id.into(), singles.clone())))
            .into_iter()
            .collect();
        first.await.unwrap();
        for (r, id) in queued.into_iter().zip(["broken", "sg-fine", "gone"]) {
            assert_eq!(r.await.unwrap(), format!("alone {id}"));
        }
        assert_eq!(calls.lock().unwrap().len(), 1);
        let (b, _, singles) = setup();
        let first = tokio::spawn(get(b.clone(), "sg-first".into(), singles.clone()));
        tokio::task::yield_now().await;
        let gone = tokio::spawn(get(b.clone(), "gone".into(), singles.clone()));
        let there = tokio::spawn(get(b.clone(), "sg-there".into(), singles.clone()));
        first.await.unwrap();
        assert_eq!(gone.await.unwrap(), "alone gone");
        assert_eq!(there.await.unwrap(), "batched sg-there");
    }

    #[tokio::test]
    async fn a_batch_of_one_is_never_sent() {
        let (b, calls, singles) = setup();
        let first = tokio::spawn(get(b.clone(), "sg-1".into(), singles.clone()));
        tokio::task::yield_now().await;
        let second = tokio::spawn(get(b.clone(), "sg-2".into(), singles.clone()));
        assert_eq!(first.await.unwrap(), "alone sg-1");
        assert_eq!(second.await.unwrap(), "alone sg-2");
        assert!(calls.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_reader_that_gives_up_never_stalls_the_others() {
        let (b, _, singles) = setup();
        let first = tokio::spawn(get(b.clone(), "sg-1".into(), singles.clone()));
        tokio::task::yield_now().await;
        let quitter = tokio::spawn(get(b.clone(), "sg-2".into(), singles.clone()));
        tokio::task::yield_now().await;
        quitter.abort();
        first.await.unwrap();
        let late = get(b.clone(), "sg-3".into(), singles.clone());
        let late = tokio::time::timeout(Duration::from_secs(2), late).await;
        assert_eq!(late.expect("not stalled"), "alone sg-3");
    }

    #[tokio::test]
    async fn no_call_names_more_than_the_maximum_ids() {
        let (b, calls, singles) = setup();
        let reads: Vec<_> = (0..(2 * MAX_IDS + 5))
            .map(|i| tokio::spawn(get(b.clone(), format!("r-{i}"), singles.clone())))
            .collect();
        for r in reads {
            r.await.unwrap();
        }
        let calls = calls.lock().unwrap();
        assert!(calls.iter().all(|c| c.len() <= MAX_IDS), "{}", calls.len());
        let batched: usize = calls.iter().map(Vec::len).sum();
        assert_eq!(batched + singles.lock().unwrap().len(), 2 * MAX_IDS + 5);
    }
}
