//! `[[remediator]]` entries: something outside driftdrill (AWS Config remediation, a GitOps
//! reconciler, a scheduled job) expected to undo a drill. driftdrill runs nothing for it; the
//! runner reads the target back once per its interval to see when the change disappears.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::diag::{Located, TableReader};

/// How often the target is read back when no `interval` is given.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

/// One `[[remediator]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemediatorDecl {
    pub name: Located<String>,
    /// How often the runner reads the target back while a drill expects this remediator.
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    /// Patterns of the environments it acts in (as for detectors); empty: every environment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<Located<String>>,
}

impl RemediatorDecl {
    /// Whether it acts in the environment (`None`: the implicit one).
    pub(crate) fn acts_in(&self, environment: Option<&str>) -> bool {
        environment.is_none_or(|e| super::environment::selected(&self.environments, e))
    }
}

/// Reads one `[[remediator]]` table; every problem goes to the reader's sink.
pub(super) fn read(r: &mut TableReader) -> Option<RemediatorDecl> {
    let name = r.string("name");
    if let Some(n) = &name {
        super::names::check_name(r, n, "remediator");
    }
    let interval = r.opt_duration("interval");
    let environments = r.opt_strings("environments").unwrap_or_default();
    r.finish();
    Some(RemediatorDecl {
        name: name?,
        interval: interval.map_or(DEFAULT_INTERVAL, |i| i.value),
        environments,
    })
}
