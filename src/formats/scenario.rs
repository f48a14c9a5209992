//! Scenario files (`scenarios/**/*.toml`): one drill each: what to target, what to inject, and
//! which detectors and channels must catch it within which SLA.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::target;
use crate::diag::{Located, TableReader};
use crate::vocab::Role;
use crate::vocab::TargetSpec;
use crate::vocab::catalog::Catalogs;

pub(crate) const CATEGORIES: &[&str] = &[
    "network",
    "storage",
    "encryption",
    "access",
    "compute",
    "tagging",
    "logging",
    "data-protection",
    "exposure",
    "identity",
];
pub(crate) const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub id: Located<String>,
    pub title: String,
    pub category: String,
    pub severity: String,
    /// One line on why this drift matters.
    pub why: Option<String>,
    pub target: TargetSpec,
    /// `[target] environments`: patterns of the environments to drill in (`*` wildcards);
    /// empty: every environment of the config.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<Located<String>>,
    pub inject: Injection,
    pub expect: Expectations,
    pub references: Vec<String>,
    pub notes: Option<String>,
    pub file: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Injection {
    pub action: Located<String>,
    /// The action's parameters as its catalog entry read them.
    pub params: serde_json::Value,
}

/// An SLA duration (serialised as humantime text, e.g. "15m").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sla(#[serde(with = "humantime_serde")] pub Duration);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expectations {
    /// Detector and channel names from `driftdrill.toml` that must catch the change.
    pub detectors: Vec<Located<String>>,
    /// Names that must stay silent about the target (expected negatives: a suppression such as
    /// terraform's `ignore_changes` must hide this change, and nothing more). Each one's SLA is
    /// how long it must stay silent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub silent: Vec<Located<String>>,
    /// Default SLA for detectors.
    pub detect_within: Option<Sla>,
    /// Default SLA for alert channels.
    pub alert_within: Option<Sla>,
    /// Per-name overrides.
    pub sla: BTreeMap<String, Sla>,
    /// If set, after the verified revert the runner keeps polling every detector that caught
    /// the drift until it reports the target clean again (time to clear), for at most this long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clear_within: Option<Sla>,
    /// Detectors or `[[remediator]]`s expected to undo the change: the runner reads the target
    /// back once per their interval and measures when the drill's change disappeared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remediators: Vec<Located<String>>,
    /// Default time-to-remediate SLA for the remediators (per-name overrides in `sla`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediate_within: Option<Sla>,
}

impl Expectations {
    /// Every name the drill watches: expected ones first, then the silent ones.
    pub(crate) fn watched(&self) -> impl Iterator<Item = &Located<String>> {
        self.detectors.iter().chain(&self.silent)
    }

    /// The time-to-remediate SLA: the tightest of the remediators' own (`sla`) or
    /// `remediate_within`; `None` when the scenario expects no remediation.
    pub(crate) fn remediation_sla(&self) -> Option<Duration> {
        self.remediators
            .iter()
            .filter_map(|r| self.sla.get(&r.value).or(self.remediate_within.as_ref()))
            .map(|s| s.0)
            .min()
    }

    /// The SLA for one expected detector or channel.
    pub(crate) fn sla_for(&self, name: &str, role: Role) -> Option<Duration> {
        self.sla
            .get(name)
            .or(match role {
                Role::Detector => self.detect_within.as_ref(),
                Role::Channel => self.alert_within.as_ref(),
            })
            .map(|s| s.0)
    }
}

/// Reads a whole scenario file; every problem goes to the reader's sink.
pub fn read(path: &Path, root: &mut TableReader, catalogs: &Catalogs) -> Option<Scenario> {
    let id = root.string("id");
    if let Some(id) = &id {
        check_id(root, id);
    }
    let title = root.string("title");
    let category = root.choice("category", CATEGORIES, true);
    let severity = root.choice("severity", SEVERITIES, true);
    let why = root.opt_string("why").map(|w| w.value);
    let references = root
        .opt_strings("references")
        .map(|v| v.into_iter().map(|s| s.value).collect())
        .unwrap_or_default();
    let notes = root.opt_string("notes").map(|n| n.value);

    let mut environments = Vec::new();
    let target = root.table("target", true).and_then(|mut r| {
        environments = r.opt_strings("environments").unwrap_or_default();
        let t = target::read(&mut r, catalogs);
        r.finish();
        t
    });
    let inject = root.table("inject", true).and_then(|mut r| {
        let i = read_inject(&mut r, catalogs);
        r.finish();
        i
    });
    let expect = root.table("expect", true).and_then(|mut r| {
        let e = read_expect(&mut r);
        r.finish();
        e
    });

    if let (Some(t), Some(i)) = (&target, &inject)
        && !action_takes_target(root, catalogs, i, t)
    {
        return None;
    }
    Some(Scenario {
        id: id?,
        title: title?.value,
        category: category?.value,
        severity: severity?.value,
        why,
        target: target?,
        environments,
        inject: inject?,
        expect: expect?,
        references,
        notes,
        file: path.to_path_buf(),
    })
}

/// Ids are stable keys in reports: lowercase letters, digits and dashes.
fn check_id(root: &TableReader, id: &Located<String>) {
    let valid = !id.value.is_empty()
        && !id.value.starts_with('-')
        && id
            .value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        root.report(
            id.diag(
                "invalid-id",
                format!(
                    "id {:?} must be lowercase letters, digits and dashes",
                    id.value
                ),
            )
            .with_hint("ids are stable keys in reports; e.g. \"sg-open-ssh-world\""),
        );
    }
}

/// The action supports the target type (reported at the action when not).
fn action_takes_target(
    root: &TableReader,
    catalogs: &Catalogs,
    inject: &Injection,
    target: &TargetSpec,
) -> bool {
    let spec = catalogs
        .action(&inject.action.value)
        .expect("the reader checked the id");
    if spec.targets.contains(&target.kind) {
        return true;
    }
    let kinds: Vec<&str> = spec.targets.iter().map(|k| k.as_str()).collect();
    root.report(
        inject
            .action
            .diag(
                "unsupported-target",
                format!("action {} cannot target {}", spec.id, target.kind),
            )
            .with_hint(format!("it targets {}", kinds.join(", "))),
    );
    false
}

fn read_inject(r: &mut TableReader, catalogs: &Catalogs) -> Option<Injection> {
    let ids = catalogs.action_ids();
    let Some(action) = r.choice("action", &ids, true) else {
        r.accept_rest();
        return None;
    };
    let spec = catalogs
        .action(&action.value)
        .expect("choice checked the id");
    let params = (spec.read)(r);
    Some(Injection {
        action,
        params: params?,
    })
}

/// `remediators` and `remediate_within`; an SLA with no remediator to hold to it is an error.
fn read_remediation(r: &mut TableReader) -> (Vec<Located<String>>, Option<Sla>) {
    let remediators = r.opt_strings("remediators").unwrap_or_default();
    let within = r.opt_duration("remediate_within");
    if let Some(within) = &within
        && remediators.is_empty()
    {
        r.report(
            within
                .diag(
                    "remediate-within-without-remediators",
                    "`remediate_within` is set but `remediators` names no remediator",
                )
                .with_hint("name the detectors or [[remediator]]s expected to undo the change"),
        );
    }
    (remediators, within.map(|d| Sla(d.value)))
}

fn read_expect(r: &mut TableReader) -> Option<Expectations> {
    let silent = r.opt_strings("silent").unwrap_or_default();
    let (remediators, remediate_within) = read_remediation(r);
    // A drill that only proves a suppression or a remediation needs no detector that must
    // catch it.
    let detectors = if silent.is_empty() && remediators.is_empty() {
        r.strings("detectors")
    } else {
        r.opt_strings("detectors").or(Some(Vec::new()))
    };
    let detect_within = r.opt_duration("detect_within").map(|d| Sla(d.value));
    let alert_within = r.opt_duration("alert_within").map(|d| Sla(d.value));
    let clear_within = r.opt_duration("clear_within").map(|d| Sla(d.value));
    let mut sla = BTreeMap::new();
    if let Some(mut t) = r.table("sla", false) {
        let names: Vec<String> = detectors
            .iter()
            .flatten()
            .chain(&silent)
            .chain(&remediators)
            .map(|d| d.value.clone())
            .collect();
        // Each key is a detector name; read them all as durations.
        for name in names {
            if let Some(d) = t.opt_duration(&name) {
                sla.insert(name, Sla(d.value));
            }
        }
        t.finish();
    }
    let detectors = detectors?;
    if detectors.is_empty() && silent.is_empty() && remediators.is_empty() {
        r.error(
            r.value_span("detectors").unwrap_or_else(|| r.span()),
            "invalid-value",
            "`detectors` is empty: name at least one detector or channel",
            Some("or list the ones that must stay silent in `silent`".into()),
        );
        return None;
    }
    // Reported, but the expectations are still read so every other problem is found too.
    for name in &silent {
        if detectors.iter().any(|d| d.value == name.value) {
            r.report(
                name.diag(
                    "expected-and-silent",
                    format!(
                        "{:?} is listed both in `detectors` (must catch) and in `silent` (must stay silent)",
                        name.value
                    ),
                )
                .with_hint("keep it in one of the two lists"),
            );
        }
    }
    Some(Expectations {
        detectors,
        silent,
        detect_within,
        alert_within,
        sla,
        clear_within,
        remediators,
        remediate_within,
    })
}
