//! The write-ahead journal: one JSON line per lifecycle step, fsynced before the step it
//! announces happens, under an exclusive lock so two runs never share it. `recover` reads it
//! to find every change not yet verified as reverted. A crash in the middle of an append leaves
//! a torn last line: opening the journal moves those bytes to a side file and the next entry
//! starts on a fresh line; reading skips any line that is not a whole entry and names it.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::inject::{RevertOutcome, State, Target};

/// One journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub run: String,
    /// `<run>/<scenario>`: one drill.
    pub drill: String,
    #[serde(flatten)]
    pub step: Step,
}

// One value per journal line, written once and read once: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Written (and fsynced) before the change: everything a revert needs.
    Intent {
        scenario: String,
        action: String,
        params: serde_json::Value,
        target: Target,
        snapshot: State,
        mark: String,
        /// What identifies the resource beyond its id (a bucket's creation date), read before
        /// the change, so `recover` never mistakes a recreated resource for the drilled one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identity: Option<String>,
        /// Where the change was made: the `[[environment]]` (whose role `recover` assumes
        /// again), the caller's account from STS, the region.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        environment: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<String>,
    },
    /// The change call returned.
    Applied,
    /// A revert is about to be attempted.
    Reverting,
    /// The revert call returned this outcome.
    Reverted { outcome: RevertOutcome },
    /// The resource read back as expected: nothing left to do for this drill.
    Verified,
    /// The revert failed or could not be verified; `recover` will try again.
    RevertFailed { error: String },
    /// Written by `recover`: the change needs no revert, or can never have one. Ends the drill
    /// like `Verified`, but is reported as unresolved where drift may remain.
    Settled {
        settled: Settlement,
        /// What was found (target gone), or what drift may remain (forgotten).
        evidence: String,
        /// Who decided (forgotten).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        /// Why (forgotten).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

pub use crate::record::Settlement;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("open the journal {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("lock the journal {path}: another driftdrill run or recover is using it")]
    Locked { path: PathBuf },
    #[error("write to the journal {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl JournalError {
    /// The same error again, for each of several appends one failed write held up.
    pub(crate) fn duplicate(&self) -> JournalError {
        let again = |e: &std::io::Error| std::io::Error::new(e.kind(), e.to_string());
        match self {
            JournalError::Open { path, source } => JournalError::Open {
                path: path.clone(),
                source: again(source),
            },
            JournalError::Locked { path } => JournalError::Locked { path: path.clone() },
            JournalError::Write { path, source } => JournalError::Write {
                path: path.clone(),
                source: again(source),
            },
        }
    }
}

/// One entry as a journal line (newline included), stamped now.
pub(crate) fn line(run: &str, drill: &str, step: Step) -> String {
    let entry = Entry {
        at: Utc::now(),
        run: run.to_string(),
        drill: drill.to_string(),
        step,
    };
    let mut line = serde_json::to_string(&entry).expect("journal entries serialise");
    line.push('\n');
    line
}

/// An open, locked journal.
pub struct Journal {
    path: PathBuf,
    file: File,
    /// Where a torn last line found on opening was moved.
    repaired: Option<PathBuf>,
}

/// A line of the journal that is not a whole entry: a write torn by a crash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Torn {
    /// 1-based line number.
    pub line: usize,
    /// The start of the line, for a person to recognise it.
    pub excerpt: String,
}

impl std::fmt::Display for Torn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} is not a whole entry (a write torn by a crash), skipped: {}",
            self.line, self.excerpt
        )
    }
}

/// Everything a journal holds: its whole entries, and the lines that were not.
#[derive(Debug, Clone, Default)]
pub struct Contents {
    pub entries: Vec<Entry>,
    pub torn: Vec<Torn>,
}

impl Journal {
    /// Opens (creating) and exclusively locks the journal; fails at once if another process
    /// holds it. A torn last line is moved to a side file first (see [`Journal::repaired`]),
    /// so the next entry starts on a line of its own.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| JournalError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .map_err(|source| JournalError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        if file.try_lock().is_err() {
            return Err(JournalError::Locked {
                path: path.to_path_buf(),
            });
        }
        let repaired = repair_tail(path, &file).map_err(|source| JournalError::Write {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
            repaired,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry and fsyncs it before returning.
    pub fn append(&mut self, run: &str, drill: &str, step: Step) -> Result<(), JournalError> {
        self.write_durably(&line(run, drill, step))
    }

    /// Writes whole lines and fsyncs them before returning.
    pub(crate) fn write_durably(&mut self, lines: &str) -> Result<(), JournalError> {
        let err = |source| JournalError::Write {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(lines.as_bytes()).map_err(err)?;
        self.file.sync_data().map_err(err)
    }

    /// Every whole entry, in order, and the lines that were not whole entries.
    pub fn read(&self) -> Result<Contents, JournalError> {
        read_entries(&self.path)
    }

    /// Drills whose last word is not `Verified`, with their intent and last step.
    pub(crate) fn unfinished(&self) -> Result<Vec<Unfinished>, JournalError> {
        Ok(unfinished(&self.read()?.entries))
    }

    /// What a person should know about the journal's own state: a repaired tail, torn lines.
    pub(crate) fn notices(&self) -> Result<Vec<String>, JournalError> {
        let mut notes = Vec::new();
        if let Some(side) = &self.repaired {
            notes.push(format!(
                "the journal {} ended in a torn line (a crash mid-write); its bytes were moved to {} and the journal goes on from a fresh line",
                self.path.display(),
                side.display()
            ));
        }
        for torn in self.read()?.torn {
            notes.push(format!("the journal {}: {torn}", self.path.display()));
        }
        Ok(notes)
    }
}

impl Journal {
    /// Writes [`Journal::notices`] to standard error as warnings.
    pub(crate) fn warn(&self) -> Result<(), JournalError> {
        for note in self.notices()? {
            let _ = writeln!(std::io::stderr(), "warning: {note}");
        }
        Ok(())
    }
}

/// Moves a torn last line (the file does not end in a newline) into a side file next to the
/// journal, fsynced, and cuts the journal back to its last whole line. Returns the side file.
fn repair_tail(path: &Path, mut file: &File) -> std::io::Result<Option<PathBuf>> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut bytes)?;
    if bytes.last() == Some(&b'\n') {
        return Ok(None);
    }
    let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let name = format!(
        "{}.torn-{}",
        path.file_name()
            .map_or("journal".into(), |n| n.to_string_lossy()),
        Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
    );
    let side = path.with_file_name(name);
    let mut out = OpenOptions::new()
        .create_new(true)
        .write(true)
        .open(&side)?;
    out.write_all(&bytes[keep..])?;
    out.sync_all()?;
    file.set_len(keep as u64)?;
    file.sync_all()?;
    Ok(Some(side))
}

/// Reads a journal without locking it (for reports and status): every whole entry, and every
/// line that is not one. A line where a torn write was followed by a whole entry (a journal
/// appended to before torn tails were repaired) yields that entry and names the torn part.
pub(crate) fn read_entries(path: &Path) -> Result<Contents, JournalError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
        Err(source) => {
            return Err(JournalError::Open {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut contents = Contents::default();
    let mut reader = BufReader::new(file);
    let mut raw = Vec::new();
    let mut number = 0;
    loop {
        raw.clear();
        let read = reader
            .read_until(b'\n', &mut raw)
            .map_err(|source| JournalError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        if read == 0 {
            return Ok(contents);
        }
        number += 1;
        let line = String::from_utf8_lossy(&raw);
        read_line(number, line.trim_end_matches(['\n', '\r']), &mut contents);
    }
}

/// One journal line into `contents`: its entry, or its torn start and any whole entry after it.
fn read_line(number: usize, line: &str, contents: &mut Contents) {
    if line.trim().is_empty() {
        return;
    }
    if let Ok(entry) = serde_json::from_str(line) {
        contents.entries.push(entry);
        return;
    }
    let excerpt = |text: &str| text.chars().take(120).collect::<String>();
    // A whole entry appended onto a torn one starts at one of its later `{"at":`.
    let salvaged = line
        .match_indices("{\"at\":")
        .filter(|(i, _)| *i > 0)
        .find_map(|(i, _)| {
            serde_json::from_str::<Entry>(&line[i..])
                .ok()
                .map(|e| (i, e))
        });
    match salvaged {
        Some((at, entry)) => {
            contents.torn.push(Torn {
                line: number,
                excerpt: excerpt(&line[..at]),
            });
            contents.entries.push(entry);
        }
        None => contents.torn.push(Torn {
            line: number,
            excerpt: excerpt(line),
        }),
    }
}

/// A drill the journal shows as not verified-reverted.
#[derive(Debug, Clone)]
pub struct Unfinished {
    pub run: String,
    pub drill: String,
    pub scenario: String,
    pub action: String,
    pub params: serde_json::Value,
    pub target: Target,
    pub snapshot: State,
    pub mark: String,
    pub identity: Option<String>,
    pub environment: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    /// When the intent was journaled (just before the change).
    pub intent_at: DateTime<Utc>,
    pub last: Step,
    /// The last revert error journaled for it, if any.
    pub last_error: Option<String>,
}

pub(crate) fn unfinished(entries: &[Entry]) -> Vec<Unfinished> {
    struct Seen<'a> {
        intent: Option<&'a Entry>,
        last: &'a Step,
        error: Option<&'a str>,
    }
    let mut by_drill: BTreeMap<&str, Seen> = BTreeMap::new();
    for e in entries {
        let seen = by_drill.entry(&e.drill).or_insert(Seen {
            intent: None,
            last: &e.step,
            error: None,
        });
        match &e.step {
            Step::Intent { .. } => seen.intent = Some(e),
            Step::RevertFailed { error } => seen.error = Some(error),
            _ => {}
        }
        seen.last = &e.step;
    }
    by_drill
        .into_values()
        .filter(|s| !matches!(s.last, Step::Verified | Step::Settled { .. }))
        .filter_map(|seen| {
            let intent = seen.intent?;
            let Step::Intent {
                scenario,
                action,
                params,
                target,
                snapshot,
                mark,
                identity,
                environment,
                account,
                region,
            } = &intent.step
            else {
                return None;
            };
            Some(Unfinished {
                run: intent.run.clone(),
                drill: intent.drill.clone(),
                scenario: scenario.clone(),
                action: action.clone(),
                params: params.clone(),
                target: target.clone(),
                snapshot: snapshot.clone(),
                mark: mark.clone(),
                identity: identity.clone(),
                environment: environment.clone(),
                account: account.clone(),
                region: region.clone(),
                intent_at: intent.at,
                last: seen.last.clone(),
                last_error: seen.error.map(String::from),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent() -> Step {
        Step::Intent {
            scenario: "s".into(),
            action: "ec2.tag.remove".into(),
            params: serde_json::json!({"key": "ManagedBy"}),
            target: Target {
                kind: crate::inject::ec2::VPC,
                id: "vpc-1".into(),
                tags: Default::default(),
            },
            snapshot: serde_json::json!("terraform"),
            mark: "m".into(),
            identity: None,
            environment: None,
            account: None,
            region: None,
        }
    }

    #[test]
    fn unverified_drills_are_unfinished_and_a_torn_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut j = Journal::open(&path).unwrap();
        j.append("r", "r/a", intent()).unwrap();
        j.append("r", "r/a", Step::Applied).unwrap();
        j.append("r", "r/b", intent()).unwrap();
        j.append("r", "r/b", Step::Applied).unwrap();
        j.append("r", "r/b", Step::Verified).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"at\":\"2026")
            .unwrap();
        let open = j.unfinished().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].drill, "r/a");
        assert_eq!(open[0].last, Step::Applied);
        assert_eq!(j.read().unwrap().torn.len(), 1);
    }

    #[test]
    fn a_torn_tail_is_moved_aside_and_the_next_entry_starts_on_its_own_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut j = Journal::open(&path).unwrap();
        j.append("r", "r/a", intent()).unwrap();
        drop(j);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"at\":\"2026-11-2")
            .unwrap();
        let mut j = Journal::open(&path).unwrap();
        let side = j.repaired.as_deref().expect("repaired").to_path_buf();
        assert_eq!(std::fs::read(&side).unwrap(), b"{\"at\":\"2026-11-2");
        j.append("r", "r/a", Step::Applied).unwrap();
        let contents = j.read().unwrap();
        assert!(contents.torn.is_empty(), "{:?}", contents.torn);
        assert_eq!(contents.entries.len(), 2);
        assert_eq!(j.unfinished().unwrap()[0].last, Step::Applied);
        assert!(j.notices().unwrap()[0].contains("torn"));
    }

    #[test]
    fn an_entry_appended_onto_a_torn_one_is_read_and_the_torn_part_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut j = Journal::open(&path).unwrap();
        j.append("r", "r/a", intent()).unwrap();
        drop(j);
        // What an older driftdrill left: a torn write, then the next run's entry on that line.
        let whole = serde_json::to_string(&Entry {
            at: Utc::now(),
            run: "r2".into(),
            drill: "r2/b".into(),
            step: intent(),
        })
        .unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        writeln!(f, "{{\"at\":\"2026-11-2{whole}").unwrap();
        let contents = read_entries(&path).unwrap();
        assert_eq!(contents.entries.len(), 2);
        assert_eq!(contents.torn.len(), 1);
        assert_eq!(contents.torn[0].line, 2);
        assert_eq!(contents.torn[0].excerpt, "{\"at\":\"2026-11-2");
        assert_eq!(unfinished(&contents.entries).len(), 2);
    }

    #[test]
    fn a_settled_drill_is_finished_and_its_last_error_is_kept_until_then() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut j = Journal::open(&path).unwrap();
        j.append("r", "r/a", intent()).unwrap();
        j.append("r", "r/a", Step::Applied).unwrap();
        j.append("r", "r/a", Step::Reverting).unwrap();
        let error = "DeleteTags on vpc-1: InvalidVpcID.NotFound: gone";
        j.append(
            "r",
            "r/a",
            Step::RevertFailed {
                error: error.into(),
            },
        )
        .unwrap();
        let open = j.unfinished().unwrap();
        assert_eq!(open[0].last_error.as_deref(), Some(error));
        let settled = Step::Settled {
            settled: Settlement::TargetGone,
            evidence: "aws_vpc vpc-1 does not exist any more".into(),
            by: None,
            reason: None,
        };
        j.append("r", "r/a", settled).unwrap();
        assert!(j.unfinished().unwrap().is_empty());
        let text = std::fs::read_to_string(&path).unwrap();
        let last = text.lines().last().unwrap();
        assert!(
            last.contains(r#""step":"settled","settled":"target_gone""#),
            "{last}"
        );
    }

    #[test]
    fn a_second_opener_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let _first = Journal::open(&path).unwrap();
        assert!(matches!(
            Journal::open(&path),
            Err(JournalError::Locked { .. })
        ));
    }
}
