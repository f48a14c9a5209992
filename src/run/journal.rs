//! The write-ahead journal: one JSON line per lifecycle step, fsynced before the step it
//! announces happens, under an exclusive lock so two runs never share it. `recover` reads it
//! to find every change not yet verified as reverted.

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
    #[error("read the journal {path} at line {line}")]
    Parse {
        path: PathBuf,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
}

/// An open, locked journal.
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Opens (creating) and exclusively locks the journal; fails at once if another process
    /// holds it.
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
        match file.try_lock() {
            Ok(()) => Ok(Journal {
                path: path.to_path_buf(),
                file,
            }),
            Err(_) => Err(JournalError::Locked {
                path: path.to_path_buf(),
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry and fsyncs it before returning.
    pub fn append(&mut self, run: &str, drill: &str, step: Step) -> Result<(), JournalError> {
        let entry = Entry {
            at: Utc::now(),
            run: run.to_string(),
            drill: drill.to_string(),
            step,
        };
        let mut line = serde_json::to_string(&entry).expect("journal entries serialise");
        line.push('\n');
        let err = |source| JournalError::Write {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(line.as_bytes()).map_err(err)?;
        self.file.sync_data().map_err(err)
    }

    /// Every entry, in order. A torn last line (a crash mid-write) is ignored.
    pub fn read(&self) -> Result<Vec<Entry>, JournalError> {
        read_entries(&self.path)
    }

    /// Drills whose last word is not `Verified`, with their intent and last step.
    pub fn unfinished(&self) -> Result<Vec<Unfinished>, JournalError> {
        Ok(unfinished(&self.read()?))
    }
}

/// Reads a journal without locking it (for reports and status).
pub fn read_entries(path: &Path) -> Result<Vec<Entry>, JournalError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(JournalError::Open {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let lines: Vec<String> = BufReader::new(file)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(|source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    let mut entries = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(e) => entries.push(e),
            // Only the very last line may be torn by a crash during the write.
            Err(_) if i + 1 == lines.len() => break,
            Err(source) => {
                return Err(JournalError::Parse {
                    path: path.to_path_buf(),
                    line: i + 1,
                    source,
                });
            }
        }
    }
    Ok(entries)
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

pub fn unfinished(entries: &[Entry]) -> Vec<Unfinished> {
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
    use crate::formats::TargetType;

    fn intent() -> Step {
        Step::Intent {
            scenario: "s".into(),
            action: "ec2.tag.remove".into(),
            params: serde_json::json!({"key": "ManagedBy"}),
            target: Target {
                kind: TargetType::Vpc,
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
