//! Group commit for the run's journal: the lines that concurrent drills append while a write
//! is under way are written together and made durable by one fsync, on a thread of their own.
//! An append still returns only once its own line is on disk, so "journaled before it
//! happens" holds as before; what changes is that two hundred drills pay for a handful of
//! fsyncs instead of a thousand, and no async worker ever blocks on the disk.

use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::journal::{Journal, JournalError, Step};

/// One line waiting to be written, and who waits for it.
struct Pending {
    line: String,
    done: oneshot::Sender<Result<(), JournalError>>,
}

/// The run's journal, shared by every drill. Dropping it waits for the writer thread to
/// finish what was queued, then closes (and so unlocks) the journal file.
pub struct SharedJournal {
    path: PathBuf,
    queue: Option<mpsc::Sender<Pending>>,
    writer: Option<JoinHandle<()>>,
}

impl SharedJournal {
    /// Hands the open, locked journal to a writer thread.
    pub fn new(journal: Journal) -> SharedJournal {
        let path = journal.path().to_path_buf();
        let (queue, lines) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("driftdrill-journal".into())
            .spawn(move || write_batches(journal, lines))
            .expect("spawn the journal writer thread");
        SharedJournal {
            path,
            queue: Some(queue),
            writer: Some(writer),
        }
    }

    /// Appends one entry; returns once it is durable (written and fsynced), or with the error
    /// that kept it from being so.
    pub async fn append(&self, run: &str, drill: &str, step: Step) -> Result<(), JournalError> {
        let (done, written) = oneshot::channel();
        let line = super::journal::line(run, drill, step);
        let queue = self.queue.as_ref().expect("the queue lives until drop");
        if queue.send(Pending { line, done }).is_err() {
            return Err(self.writer_gone());
        }
        written.await.unwrap_or_else(|_| Err(self.writer_gone()))
    }

    /// The writer thread ended early: only a panic while writing does that.
    fn writer_gone(&self) -> JournalError {
        JournalError::Write {
            path: self.path.clone(),
            source: std::io::Error::other("the journal writer thread stopped"),
        }
    }
}

impl Drop for SharedJournal {
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// The writer thread: takes every line queued by the time it is free, writes them in one go,
/// fsyncs once, and answers each waiter. Ends when the queue's sender is dropped.
fn write_batches(mut journal: Journal, lines: mpsc::Receiver<Pending>) {
    while let Ok(first) = lines.recv() {
        let batch: Vec<Pending> = std::iter::once(first).chain(lines.try_iter()).collect();
        let text: String = batch.iter().map(|p| p.line.as_str()).collect();
        match journal.write_durably(&text) {
            Ok(()) => batch.into_iter().for_each(|p| {
                let _ = p.done.send(Ok(()));
            }),
            Err(e) => batch.into_iter().for_each(|p| {
                let _ = p.done.send(Err(e.duplicate()));
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_concurrent_append_is_durable_in_order_per_drill_and_the_lock_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let shared = Arc::new(SharedJournal::new(Journal::open(&path).unwrap()));
        let mut tasks = Vec::new();
        for d in 0..50 {
            let shared = shared.clone();
            tasks.push(tokio::spawn(async move {
                let drill = format!("r/d{d}");
                for step in [Step::Applied, Step::Reverting, Step::Verified] {
                    shared.append("r", &drill, step).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        drop(Arc::into_inner(shared).expect("one owner left"));

        // Dropped: the lock is free again, and every line is a whole entry.
        let journal = Journal::open(&path).expect("the lock is released on drop");
        let contents = journal.read().unwrap();
        assert!(contents.torn.is_empty());
        assert_eq!(contents.entries.len(), 150);
        for d in 0..50 {
            let steps: Vec<&Step> = contents
                .entries
                .iter()
                .filter(|e| e.drill == format!("r/d{d}"))
                .map(|e| &e.step)
                .collect();
            assert_eq!(steps, [&Step::Applied, &Step::Reverting, &Step::Verified]);
        }
    }
}
