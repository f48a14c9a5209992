//! Detectors (which observe drift) and alert channels (which receive alerts), one file per type,
//! listed in one static catalog.

pub mod command;
pub mod custodian;
pub mod custodian_env;
pub mod json_path;
pub mod matching;
pub mod payload;
pub mod signature;
pub mod sqs;
pub mod terraform;
pub(crate) mod tf_json;
pub mod webhook;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::aws::AwsClients;
use crate::diag::TableReader;
use crate::vocab::ParamSpec;

/// What a detector or channel reported at one moment: the resources it named (cloud ids, ARNs,
/// bucket names), any searchable text (alert payloads), and the evidence to show a human.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Wall-clock time of the report (for records); see `seen` for measurement.
    pub at: DateTime<Utc>,
    /// Monotonic time of the report; `None` when read back from a record.
    #[serde(skip)]
    pub seen: Option<Instant>,
    pub resources: Vec<String>,
    /// Text the runner searches for target ids and drill marks (alert bodies).
    pub text: String,
    /// The lines or payload excerpt that showed the drift.
    pub evidence: String,
    /// What the detector did about it, when it also remediates (a terraform apply, a custodian
    /// policy's actions), in words; the run record's detector health logs every one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acted: Option<String>,
}

impl Observation {
    pub fn now(resources: Vec<String>, text: String, evidence: String) -> Self {
        Observation {
            at: Utc::now(),
            seen: Some(Instant::now()),
            resources,
            text,
            evidence,
            acted: None,
        }
    }
}

/// What the runner tells a poll: the terms (target ids, bucket names, drill marks) of every
/// drill in flight, for channels that consume only what belongs to a drill.
#[derive(Debug, Clone, Default)]
pub struct PollCx {
    pub watch: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DetectorError {
    /// The detector could not answer. Build one with [`DetectorError::failed`].
    #[error("run detector {name}: {what}")]
    Failed {
        name: String,
        what: String,
        /// A time-out, throttling, a lost lock or a dropped connection: the next poll may well
        /// succeed. Otherwise it fails the same way until someone fixes it (a broken policy, a
        /// missing program, settings it cannot use).
        transient: bool,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    #[error("start channel {name}")]
    Start {
        name: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("read the settings of {name}")]
    Settings {
        name: String,
        #[source]
        source: serde_json::Error,
    },
}

impl DetectorError {
    /// A permanent failure of detector `name` doing `what`, without a cause.
    pub fn failed(name: &str, what: impl Into<String>) -> Self {
        DetectorError::Failed {
            name: name.to_string(),
            what: what.into(),
            transient: false,
            source: None,
        }
    }

    /// Keeps the error that caused this failure.
    pub(crate) fn caused_by(
        mut self,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        if let DetectorError::Failed { source, .. } = &mut self {
            *source = Some(cause.into());
        }
        self
    }

    /// Marks the failure as one the next poll may not meet.
    pub(crate) fn transient_if(mut self, yes: bool) -> Self {
        if let DetectorError::Failed { transient, .. } = &mut self {
            *transient = yes;
        }
        self
    }

    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            DetectorError::Failed {
                transient: true,
                ..
            }
        )
    }
}

/// A detector the runner polls. `poll` answers one question, "what drift do you see now?",
/// with an empty list for clean; it never loops or sleeps (the runner owns time and calls it
/// once per `interval` for every drill in flight). A failure is an error, never "clean".
#[async_trait::async_trait]
pub trait Polled: Send + Sync {
    async fn poll(&self, cx: &PollCx) -> Result<Vec<Observation>, DetectorError>;
    fn interval(&self) -> Duration;
    /// Whether one answer describes everything the detector sees now, whatever `PollCx::watch`
    /// says (true for plans and commands). The runner may then take a poll that started before
    /// a drill registered as that drill's baseline. Channels that consume messages (SQS) say
    /// false: only a poll made while the drill watches can have seen its messages.
    fn reports_whole_state(&self) -> bool {
        true
    }

    /// A cheap check, made once before any drill, that the detector can be asked at all (a
    /// channel's queue is readable). The first poll of each drill's baseline is the real proof;
    /// this catches what a poll alone would not. Default: nothing to check.
    async fn preflight(&self) -> Result<(), DetectorError> {
        Ok(())
    }
}

/// A channel alerts are pushed to. `start` is called once by the runner; the channel sends every
/// alert it receives into `tx`, stamped with its receive time, until the handle is dropped.
#[async_trait::async_trait]
pub trait Push: Send + Sync {
    async fn start(
        self: Box<Self>,
        tx: mpsc::UnboundedSender<Observation>,
    ) -> Result<PushHandle, DetectorError>;
}

/// Keeps a push channel running; dropping it stops the channel.
pub struct PushHandle {
    pub address: String,
    /// The socket a listener accepts on, so the runner can prove it does before any change.
    pub listening: Option<std::net::SocketAddr>,
    pub stop: tokio::sync::oneshot::Sender<()>,
}

/// A built detector or channel, ready for the runner.
pub enum Built {
    Polled(Box<dyn Polled>),
    Push(Box<dyn Push>),
}

/// What building a detector needs besides its settings.
pub struct BuildCx<'a> {
    pub name: &'a str,
    /// Paths in settings are relative to the config file's folder.
    pub base_dir: &'a Path,
    pub aws: &'a AwsClients,
}

pub use crate::vocab::Role;

/// A catalog entry for one detector or channel type.
pub struct DetectorSpec {
    /// The `type` value in `driftdrill.toml`.
    pub id: &'static str,
    pub role: Role,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    /// A valid table body without `name` and `type` (docs, `list`, round-trip tests).
    pub example: &'static str,
    /// Reads and checks the settings, reporting every problem.
    pub read: fn(&mut TableReader) -> Option<serde_json::Value>,
    /// Parses settings into the type's own struct and serialises them again (round trip).
    pub roundtrip: fn(&serde_json::Value) -> Result<serde_json::Value, serde_json::Error>,
    /// Builds the detector from settings `read` produced.
    pub build: fn(&serde_json::Value, &BuildCx) -> Result<Built, DetectorError>,
    /// The paths its settings name, for `validate` to find on disk before anything runs.
    pub paths: fn(&serde_json::Value) -> Vec<NamedPath>,
}

pub(crate) use crate::vocab::catalog::{NamedPath, PathKind};

/// For types whose settings name no path.
pub(crate) fn no_paths(_: &serde_json::Value) -> Vec<NamedPath> {
    Vec::new()
}

/// A program setting as a path to check, when it is one (it contains a `/`); a bare name is
/// looked up on `PATH` when the detector runs.
pub(crate) fn program_named(key: &'static str, program: Option<&str>) -> Option<NamedPath> {
    program.filter(|p| p.contains('/')).map(|p| NamedPath {
        key,
        path: p.into(),
        kind: PathKind::Program,
    })
}

impl DetectorSpec {
    /// What the config reader needs to know of this type.
    pub fn form(&self) -> crate::vocab::catalog::DetectorForm {
        crate::vocab::catalog::DetectorForm {
            id: self.id,
            role: self.role,
            read: self.read,
            paths: self.paths,
        }
    }
}

/// Parses settings as `S`, naming the detector in the error.
pub fn settings<S: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    cx: &BuildCx,
) -> Result<S, DetectorError> {
    serde_json::from_value(value.clone()).map_err(|source| DetectorError::Settings {
        name: cx.name.to_string(),
        source,
    })
}

/// Every detector and channel type, in the order `driftdrill list` shows them.
pub static CATALOG: &[&DetectorSpec] = &[
    &terraform::SPEC,
    &command::SPEC,
    &custodian::SPEC,
    &webhook::SPEC,
    &sqs::SPEC,
];

pub fn find(id: &str) -> Option<&'static DetectorSpec> {
    CATALOG.iter().copied().find(|s| s.id == id)
}
