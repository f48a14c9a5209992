//! Reads run records from one or more folders or S3 prefixes (runs from several accounts or CI
//! shards merge).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::record::{RECOVERY_SCHEMA, RecoveryRecord, SettledChange};
use crate::record::{RunRecord, SCHEMA};

#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    #[error("read run records from {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("read the run record {path}")]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// Every `*.json` file under the folders (recursively), as (path, text).
pub(crate) fn read_folders(dirs: &[PathBuf]) -> Result<Vec<(String, String)>, RecordsError> {
    let mut files = Vec::new();
    for dir in dirs {
        collect(dir, &mut files)?;
    }
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|source| RecordsError::Io {
                path: path.clone(),
                source,
            })?;
            Ok((path.display().to_string(), text))
        })
        .collect()
}

/// Every document among `texts` (named by path or S3 URL) whose `schema` is `schema`, parsed.
fn documents<T: serde::de::DeserializeOwned>(
    texts: &[(String, String)],
    schema: &str,
) -> Result<Vec<T>, RecordsError> {
    let mut out = Vec::new();
    for (name, text) in texts {
        let parse = |source| RecordsError::Parse {
            path: PathBuf::from(name),
            source,
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(parse)?;
        if value.get("schema").and_then(|s| s.as_str()) != Some(schema) {
            continue; // another kind of document (a report written next to the records)
        }
        out.push(serde_json::from_value(value).map_err(parse)?);
    }
    Ok(out)
}

/// Every run record under the folders, deduplicated by run id and sorted by start time, so the
/// same runs give the same report however they are spread over folders.
pub fn load(dirs: &[PathBuf]) -> Result<Vec<RunRecord>, RecordsError> {
    load_texts(&read_folders(dirs)?)
}

/// [`load`] over documents already read (from folders and S3).
pub(crate) fn load_texts(texts: &[(String, String)]) -> Result<Vec<RunRecord>, RecordsError> {
    let mut records: Vec<RunRecord> = Vec::new();
    for record in documents::<RunRecord>(texts, SCHEMA)? {
        if !records.iter().any(|r| r.run_id == record.run_id) {
            records.push(record);
        }
    }
    records.sort_by(|a, b| (a.started_at, &a.run_id).cmp(&(b.started_at, &b.run_id)));
    Ok(records)
}

/// Each detector's median poll duration over the last `runs` run records under the folders
/// that exist among `dirs` (none: an empty map), for judging which SLAs a detector can meet.
pub fn recent_median_polls(
    dirs: &[PathBuf],
    runs: usize,
) -> Result<BTreeMap<String, Duration>, RecordsError> {
    let present: Vec<PathBuf> = dirs.iter().filter(|d| d.is_dir()).cloned().collect();
    let records = load(&present)?;
    let mut polls: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in records.iter().rev().take(runs) {
        for h in &r.detector_health {
            polls
                .entry(h.name.clone())
                .or_default()
                .extend(&h.poll_secs);
        }
    }
    Ok(polls
        .into_iter()
        .filter_map(|(name, mut secs)| {
            secs.sort_by(f64::total_cmp);
            let middle = *secs.get(secs.len().checked_sub(1)? / 2)?;
            Some((name, Duration::from_secs_f64(middle.max(0.0))))
        })
        .collect())
}

/// Every change `recover` settled without a verified revert (recovery records under the
/// folders), once each, oldest first.
pub fn settlements(dirs: &[PathBuf]) -> Result<Vec<SettledChange>, RecordsError> {
    settlements_texts(&read_folders(dirs)?)
}

/// [`settlements`] over documents already read (from folders and S3).
pub(crate) fn settlements_texts(
    texts: &[(String, String)],
) -> Result<Vec<SettledChange>, RecordsError> {
    let mut out: Vec<SettledChange> = Vec::new();
    for record in documents::<RecoveryRecord>(texts, RECOVERY_SCHEMA)? {
        for s in record.settled {
            if !out
                .iter()
                .any(|o| o.drill == s.drill && o.settled == s.settled)
            {
                out.push(s);
            }
        }
    }
    out.sort_by(|a, b| (a.at, &a.drill).cmp(&(b.at, &b.drill)));
    Ok(out)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), RecordsError> {
    let meta = std::fs::metadata(path).map_err(|source| RecordsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(path).map_err(|source| RecordsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    for entry in entries.filter_map(Result::ok) {
        let p = entry.path();
        if p.is_dir() || p.extension().is_some_and(|e| e == "json") {
            collect(&p, out)?;
        }
    }
    Ok(())
}
