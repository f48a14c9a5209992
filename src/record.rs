//! The run record: everything one `driftdrill run` measured, written as JSON under
//! `reports/runs/`. It is the product's data contract: `run` writes it, `report` reads it, and
//! neither reaches into the other.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calls::CallCount;
use crate::inject::{RevertKind, Target};
use crate::vocab::Role;

pub(crate) const SCHEMA: &str = "driftdrill.run/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema: String,
    pub run_id: String,
    pub tool_version: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub account: Option<String>,
    pub region: Option<String>,
    /// How the drills were chosen: a CI shard, an unannounced sample and its seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<crate::vocab::Selection>,
    pub drills: Vec<DrillRecord>,
    pub false_alarms: Vec<FalseAlarm>,
    /// How every detector and channel of the run behaved: polls, failures, poll durations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detector_health: Vec<DetectorHealth>,
    /// The stop condition that stopped the run, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<StopRecord>,
    /// A `driftdrill discover` run: every detector was watched without expectations, to learn
    /// what each one sees. Never counted as coverage.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub discovery: bool,
    /// AWS calls made for the run as a whole, outside every drill: the preflight's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallCount>,
    pub exit_code: i32,
}

/// A stop condition that fired: every drill in flight was reverted and no new one started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopRecord {
    pub name: String,
    pub at: DateTime<Utc>,
    /// What it said: the command's exit and last words, or the alarm's state reason.
    pub detail: String,
}

/// One detector's or channel's health over a run: every poll it made (whoever watched), how
/// many failed and why, and how long polls took against the interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorHealth {
    pub name: String,
    /// The `type` in driftdrill.toml.
    pub kind: String,
    pub role: Role,
    /// Polled types: time between poll starts; `None` for push channels.
    pub interval_secs: Option<f64>,
    pub polls: u32,
    pub failures: u32,
    /// Of `failures`, those the detector called transient (time-outs, throttling, a lost lock).
    #[serde(default)]
    pub transient_failures: u32,
    pub last_error: Option<String>,
    /// Duration of every poll, in the order they ran.
    #[serde(default)]
    pub poll_secs: Vec<f64>,
    /// Alerts a push channel received.
    #[serde(default)]
    pub alerts: u32,
    /// Why the preflight found it unable to answer (a queue it cannot read, a listener that does
    /// not accept connections); drills expecting it were skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    /// Every remediation it made (a terraform apply, a custodian policy's actions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<DetectorAction>,
}

impl DetectorHealth {
    /// The median duration of its polls (the lower middle one for an even count).
    pub fn median_poll_secs(&self) -> Option<f64> {
        let mut polls = self.poll_secs.clone();
        polls.sort_by(f64::total_cmp);
        polls.get(polls.len().checked_sub(1)? / 2).copied()
    }
}

/// One remediation a detector made while polling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorAction {
    pub at: DateTime<Utc>,
    /// The resources it acted on (ids, names, ARNs).
    pub resources: Vec<String>,
    /// What it did, in words.
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillRecord {
    pub scenario: String,
    /// The `[[environment]]` the drill ran in (none for a config without environments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The account (from STS) and region the drill ran in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Started without warning: sampled by `--pick` or after a random `--start-within` delay.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unannounced: bool,
    pub title: String,
    pub category: String,
    pub severity: String,
    pub action: String,
    pub target: Option<Target>,
    pub mark: String,
    pub status: DrillStatus,
    /// Why the drill did not complete (refusal, error), in words.
    pub detail: Option<String>,
    pub injected_at: Option<DateTime<Utc>>,
    /// When the injection was confirmed live: MTTD counts from here.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub reverted_at: Option<DateTime<Utc>>,
    pub expectations: Vec<ExpectationRecord>,
    /// Time to remediate: when the drill's change disappeared before the drill's own revert,
    /// whether remediators were expected to undo it or something else did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<RemediationRecord>,
    pub revert: Option<RevertRecord>,
    /// Every AWS request the drill sent, per phase, service and operation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallCount>,
}

impl DrillRecord {
    /// The scenario id, with the environment and region when the drill ran in a named
    /// environment: one scenario drilled in three accounts is three lines in a report.
    pub fn label(&self) -> String {
        match (&self.environment, &self.region) {
            (Some(e), Some(r)) => format!("{} @ {e}/{r}", self.scenario),
            (Some(e), None) => format!("{} @ {e}", self.scenario),
            _ => self.scenario.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrillStatus {
    Completed,
    SkippedBaselineDirty,
    /// An expected (or silent) detector could not answer before the change: nothing was changed.
    SkippedDetectorUnavailable,
    Refused,
    Failed,
    Interrupted,
    DryRun,
}

impl DrillStatus {
    /// The words tables and reports use (the JSON uses the snake_case name).
    pub fn label(self) -> &'static str {
        match self {
            DrillStatus::Completed => "completed",
            DrillStatus::SkippedBaselineDirty => "skipped: baseline dirty",
            DrillStatus::SkippedDetectorUnavailable => "skipped: detector unavailable",
            DrillStatus::Refused => "refused",
            DrillStatus::Failed => "failed",
            DrillStatus::Interrupted => "interrupted",
            DrillStatus::DryRun => "dry run",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationRecord {
    pub detector: String,
    pub role: Role,
    /// An expected-negative: this detector must stay silent about the target (a suppression
    /// such as `ignore_changes` under test). Passes as `suppressed`, fails as `leaked`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub silent: bool,
    /// For a detection, the SLA; for a silent detector, how long it must stay silent.
    pub sla_secs: f64,
    pub outcome: Outcome,
    pub detected_at: Option<DateTime<Utc>>,
    /// Time to detect from confirmation (the upper end of the bracket for polled detectors).
    pub mttd_secs: Option<f64>,
    /// For polled detectors: detected after `lower` and by `upper` seconds from confirmation.
    pub bracket_secs: Option<(f64, f64)>,
    pub evidence: Option<String>,
    /// Answers read: those of polls that started after the change, or, for a drill skipped
    /// because the detector could not answer, the preflight's.
    pub polls: u32,
    /// How many of those `polls` failed.
    pub errors: u32,
    pub last_error: Option<String>,
    /// Time to clear, when the scenario asks for it (`clear_within`) and this polled detector
    /// caught the drift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clear: Option<ClearRecord>,
    /// How long the window ran from the confirmed change (twice the SLA for a detection, the
    /// SLA for a silent detector, capped by the drift's lifetime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_secs: Option<f64>,
    /// How far past its window the outcome was decided, when no poll that started after the
    /// change had finished by then: observation went on until one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stretched_secs: Option<f64>,
}

/// How long a detector kept reporting the drift after the revert was verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClearRecord {
    /// Whether a poll reported the target clean within `clear_within`.
    pub cleared: bool,
    /// Cleared after `lower` and by `upper` seconds from the verified revert: `lower` is when
    /// the last poll still naming the target finished (0 if none), `upper` when the first clean
    /// one did.
    pub bracket_secs: Option<(f64, f64)>,
    pub clear_within_secs: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    DetectedWithinSla,
    DetectedLate,
    Missed,
    DetectorError,
    BaselineDirty,
    NotObserved,
    /// A silent detector stayed silent and healthy for its whole window.
    Suppressed,
    /// A silent detector named the target: the suppression hides less than it should.
    Leaked,
    /// No poll that started after the change finished before the drift's lifetime ran out:
    /// the detector is slower than the window, neither blind nor broken; nothing was judged.
    Inconclusive,
}

impl Outcome {
    /// The word tables and reports use.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::DetectedWithinSla => "caught",
            Outcome::DetectedLate => "late",
            Outcome::Missed => "missed",
            Outcome::DetectorError => "detector error",
            Outcome::BaselineDirty => "baseline dirty",
            Outcome::NotObserved => "not observed",
            Outcome::Suppressed => "stayed silent",
            Outcome::Leaked => "leaked",
            Outcome::Inconclusive => "inconclusive",
        }
    }
}

impl ExpectationRecord {
    /// The outcome in words, with failed polls where some failed ("missed, 4 of 12 polls
    /// failed"), so a miss by a flaky detector never reads as a clean miss.
    pub(crate) fn result_text(&self) -> String {
        let label = self.outcome.label();
        if self.errors > 0 && self.outcome != Outcome::DetectorError {
            format!("{label}, {} of {} polls failed", self.errors, self.polls)
        } else {
            label.to_string()
        }
    }
}

/// What became of the drill's change before its own revert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemediationRecord {
    /// The remediators the scenario expected to undo the change; empty when none was expected
    /// and the change disappeared all the same ("remediated by something else").
    pub remediators: Vec<String>,
    pub outcome: RemediationOutcome,
    /// The time-to-remediate SLA (none for an unexpected remediation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_secs: Option<f64>,
    /// Time to remediate from the confirmed change: the upper end of the bracket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mttr_secs: Option<f64>,
    /// Remediated after `lower` (the last read that still found the change started) and by
    /// `upper` (the first read that found it gone finished) seconds from confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bracket_secs: Option<(f64, f64)>,
    /// For `remediated_differently`: how the resource differs from its snapshot, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difference: Option<String>,
    /// Reads of the target while watching, and how many of them failed.
    pub reads: u32,
    pub read_errors: u32,
    /// Failed polls of the remediators that are detectors (a custodian policy with actions, a
    /// terraform apply) during the window.
    pub remediator_errors: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// How long the runner watched for the remediation (twice the SLA, capped by the lifetime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_secs: Option<f64>,
}

impl RemediationRecord {
    /// Whether remediators were expected (an unexpected remediation is measured, never judged).
    pub fn expected(&self) -> bool {
        !self.remediators.is_empty()
    }

    /// Remediated in time: the change disappeared within the SLA.
    pub fn within_sla(&self) -> bool {
        match (self.mttr_secs, self.sla_secs) {
            (Some(t), Some(sla)) => self.outcome.remediated() && t <= sla,
            _ => false,
        }
    }

    /// The result in words: "restored in 12.0 s", "remediated by something else after 40.1 s".
    pub fn result_text(&self) -> String {
        let label = self.outcome.label();
        let Some(t) = self.mttr_secs else {
            return label.to_string();
        };
        if !self.expected() {
            return format!("{label} by something else within {t:.1} s");
        }
        let late = if self.within_sla() { "" } else { ", late" };
        format!("{label} in {t:.1} s{late}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemediationOutcome {
    /// The drill's change is gone and the resource equals its snapshot.
    Restored,
    /// The drill's change is gone but the resource differs from its snapshot: a finding.
    RemediatedDifferently,
    /// The change was still there when the window closed, and the remediators answered.
    NotRemediated,
    /// The change was still there and a remediator failed meanwhile: never "not remediated".
    RemediatorError,
    /// No read of the target succeeded: nothing could be judged.
    Inconclusive,
    /// The run was stopped before the window closed.
    NotObserved,
}

impl RemediationOutcome {
    /// The words tables and reports use.
    pub fn label(self) -> &'static str {
        match self {
            RemediationOutcome::Restored => "restored",
            RemediationOutcome::RemediatedDifferently => "remediated differently",
            RemediationOutcome::NotRemediated => "not remediated",
            RemediationOutcome::RemediatorError => "remediator error",
            RemediationOutcome::Inconclusive => "inconclusive",
            RemediationOutcome::NotObserved => "not observed",
        }
    }

    /// The snake_case name the JSON uses, for metric labels.
    pub fn key(self) -> &'static str {
        match self {
            RemediationOutcome::Restored => "restored",
            RemediationOutcome::RemediatedDifferently => "remediated_differently",
            RemediationOutcome::NotRemediated => "not_remediated",
            RemediationOutcome::RemediatorError => "remediator_error",
            RemediationOutcome::Inconclusive => "inconclusive",
            RemediationOutcome::NotObserved => "not_observed",
        }
    }

    /// Whether the drill's change was found gone.
    pub fn remediated(self) -> bool {
        matches!(
            self,
            RemediationOutcome::Restored | RemediationOutcome::RemediatedDifferently
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevertRecord {
    pub kind: Option<RevertKind>,
    pub verified: bool,
    pub attempts: u32,
    pub detail: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FalseAlarm {
    pub detector: String,
    pub at: DateTime<Utc>,
    pub resources: Vec<String>,
    pub evidence: String,
}

impl RunRecord {
    /// Writes the record as `<dir>/<run id>.json`, returning the path.
    pub fn write(&self, dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{}.json", self.run_id));
        std::fs::write(
            &path,
            serde_json::to_string_pretty(self).expect("record serialises"),
        )?;
        Ok(path)
    }
}

/// Why a drill's change was settled without a verified revert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    /// The resource no longer exists (or is another resource under the same name): no drift
    /// can remain on the drilled one.
    TargetGone,
    /// An operator decided the change can never be reverted (`recover --forget`): drift may
    /// remain, and the report keeps saying so.
    Forgotten,
}

impl Settlement {
    pub fn label(self) -> &'static str {
        match self {
            Settlement::TargetGone => "settled: target gone",
            Settlement::Forgotten => "forgotten by an operator",
        }
    }
}

/// Schema of the recovery records `recover` writes beside the run records.
pub(crate) const RECOVERY_SCHEMA: &str = "driftdrill.recovery/v1";

/// A change settled without a verified revert, as the report shows it (written by `recover`
/// into a recovery record next to the run records).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettledChange {
    pub drill: String,
    pub scenario: String,
    pub action: String,
    pub target: Target,
    pub settled: Settlement,
    pub evidence: String,
    pub by: Option<String>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// What one `recover` settled: the report reads these beside the run records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RecoveryRecord {
    pub schema: String,
    pub at: DateTime<Utc>,
    pub journal: PathBuf,
    pub settled: Vec<SettledChange>,
}

impl RecoveryRecord {
    pub fn new(journal: &Path, settled: Vec<SettledChange>) -> RecoveryRecord {
        RecoveryRecord {
            schema: RECOVERY_SCHEMA.into(),
            at: Utc::now(),
            journal: journal.to_path_buf(),
            settled,
        }
    }

    /// Writes `<dir>/recovery-<time>-<pid>.json`, returning the path.
    pub fn write(&self, dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let name = format!(
            "recovery-{}-{}.json",
            self.at.format("%Y%m%dT%H%M%S%.3fZ"),
            std::process::id()
        );
        let path = dir.join(name);
        std::fs::write(
            &path,
            serde_json::to_string_pretty(self).expect("recovery records serialise"),
        )?;
        Ok(path)
    }
}
