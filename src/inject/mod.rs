//! The injector contract and the static catalog of drift actions (one file per action, grouped
//! by service: `ec2/`, `s3/`, `iam/`, `sqs/`, `cloudwatch/`, `logs/`, `sns/`, `ssm/`,
//! `account/`).

pub mod account;
pub mod cloudwatch;
pub mod ec2;
pub mod errors;
pub mod iam;
pub mod logs;
pub mod mark;
pub(crate) mod model;
pub mod params;
pub mod parts;
pub mod policy;
pub mod presence;
pub mod s3;
pub mod service;
pub mod sns;
pub mod sqs;
pub mod ssm;
pub mod target;

pub use errors::InjectError;
pub use service::Service;
pub use target::Target;

use crate::aws::AwsClients;
use crate::diag::TableReader;
use crate::vocab::{ParamSpec, TargetKind, TargetType};

/// Serialisable state: snapshots, expected states, all written to the journal.
pub(crate) type State = serde_json::Value;

/// What every injector call gets: the clients and the mark that ties a change to its drill.
pub struct InjectCx<'a> {
    pub aws: &'a AwsClients,
    /// `driftdrill:<run id>:<scenario id>`, written into rule descriptions, statement ids and
    /// similar where the API allows, so detectors' evidence can be matched to the drill.
    pub mark: &'a str,
}

/// The result of reading a resource back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "result", content = "detail", rename_all = "snake_case")]
pub enum Check {
    Matches,
    /// What differs, in words.
    Differs(String),
}

/// How a revert ended. `expected` is what the revert left the state as (for the journal);
/// verification asks only whether the drill's change is gone.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RevertOutcome {
    pub kind: RevertKind,
    pub expected: State,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevertKind {
    /// The resource was put back to its snapshot.
    Restored,
    /// The change was already gone (a second revert, or someone reverted it): nothing done.
    AlreadyReverted,
    /// Someone else changed the resource since injection: driftdrill undid only its own change
    /// and kept their edit.
    ConflictOursUndone,
    /// Someone else changed what driftdrill changed, and the drill's value is no longer there:
    /// their edit was left in place, nothing written.
    ConflictLeftAlone,
}

impl RevertKind {
    /// The words tables use (the JSON uses the snake_case name).
    pub fn label(self) -> &'static str {
        match self {
            RevertKind::Restored => "restored",
            RevertKind::AlreadyReverted => "already reverted",
            RevertKind::ConflictOursUndone => "conflict: ours undone, theirs kept",
            RevertKind::ConflictLeftAlone => "conflict: theirs left alone",
        }
    }
}

/// Whether the drill's change is still on the resource, as a remediation watch reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remains {
    /// Some of the drill's change is still live (what, in words).
    Live(String),
    /// The drill's change is gone and the resource reads as its snapshot.
    Restored,
    /// The drill's change is gone but the resource differs from the snapshot: how, in words
    /// (a remediator that also removed something the team had is a finding).
    Differently(String),
}

/// One drift action. The runner calls, in order: `snapshot` (before the journal intent),
/// `inject` (once, after the intent is durable), `verify_injected`, then `revert` (idempotent:
/// any number of times, also from `recover` in another process) and `verify_reverted`.
/// Injectors never sleep or poll in loops of their own; the runner owns time. Implementations
/// must only change what they snapshot, and revert at the finest grain the resource has: the
/// drill's statement, rule, grant, tag or field, never anyone else's.
#[async_trait::async_trait]
pub trait Injector: Send + Sync {
    /// Reads exactly what revert needs. Fails if the drill cannot be undone exactly.
    async fn snapshot(&self, cx: &InjectCx<'_>, target: &Target) -> Result<State, InjectError>;
    /// Makes the change from the snapshotted state.
    async fn inject(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<(), InjectError>;
    /// Reads back and confirms the change is live.
    async fn verify_injected(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<Check, InjectError>;
    /// Undoes the drill's change, keeping any edit made by someone else. Where someone else
    /// changed the very part the drill changed and the drill's value is gone, their value stays.
    async fn revert(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<RevertOutcome, InjectError>;
    /// Reads back and answers whether the drill's change is gone: none of its parts holds the
    /// drill's value, and every part it removed is back (unless someone else put their own
    /// value there). `Differs` names what is left.
    async fn verify_reverted(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<Check, InjectError>;
    /// Reads the resource once and answers whether the drill's change is still there and, when
    /// it is gone, whether the resource equals the snapshot. Changes nothing; the runner calls it
    /// once per remediator interval while observing.
    async fn remains(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<Remains, InjectError>;
}

/// A catalog entry: everything `validate`, `list` and the runner need to know about an action.
pub struct ActionSpec {
    /// Stable id used in scenario files, e.g. `ec2.sg.open_ingress`.
    pub id: &'static str,
    pub targets: &'static [TargetType],
    /// What it changes, in a sentence.
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    /// The IAM actions its snapshot, inject, verify and revert call (`service:Action`), for
    /// `driftdrill permissions`; the tests check them against the operations it really sends.
    pub permissions: &'static [&'static str],
    /// A valid `[inject]` table body without the `action` line (docs, `list`, round-trip tests).
    pub example: &'static str,
    /// Reads and checks the parameters, reporting every problem; returns them as JSON.
    pub read: fn(&mut TableReader) -> Option<serde_json::Value>,
    /// Parses parameters into the action's own type and serialises them again (journal round trip).
    pub roundtrip: fn(&serde_json::Value) -> Result<serde_json::Value, serde_json::Error>,
    /// Builds the injector from parameters `read` produced (or a journal holds).
    pub build: fn(&serde_json::Value) -> Result<Box<dyn Injector>, serde_json::Error>,
}

impl ActionSpec {
    /// What the scenario reader needs to know of this action.
    pub fn form(&self) -> crate::vocab::catalog::ActionForm {
        crate::vocab::catalog::ActionForm {
            id: self.id,
            targets: self.targets,
            read: self.read,
        }
    }
}

/// Every service, in the order `driftdrill list` shows them: the one static list a new
/// service folder is added to.
pub static SERVICES: &[&Service] = &[
    &ec2::SERVICE,
    &s3::SERVICE,
    &iam::SERVICE,
    &sqs::SERVICE,
    &cloudwatch::SERVICE,
    &logs::SERVICE,
    &sns::SERVICE,
    &ssm::SERVICE,
    &account::SERVICE,
];

/// Every action, service by service.
pub fn actions() -> impl Iterator<Item = &'static ActionSpec> {
    SERVICES.iter().flat_map(|s| s.actions.iter().copied())
}

/// The catalog entry for an action id.
pub fn find(id: &str) -> Option<&'static ActionSpec> {
    actions().find(|s| s.id == id)
}

/// Every target type, service by service.
pub(crate) fn target_kinds() -> impl Iterator<Item = &'static TargetKind> {
    SERVICES.iter().flat_map(|s| s.kinds.iter())
}

/// The service a target type belongs to. Every type a scenario, journal or record names was
/// checked against [`target_kinds`] when it was read.
pub(crate) fn service_of(kind: TargetType) -> Result<&'static Service, InjectError> {
    SERVICES
        .iter()
        .copied()
        .find(|s| s.kind(kind).is_some())
        .ok_or_else(|| InjectError::UnknownTargetType(kind.to_string()))
}

/// What is known of a target type; a type no service declares is taken as regional and named
/// by id (the reader refuses such types, so this is only reached by a hand-edited journal).
pub fn kind_of(kind: TargetType) -> TargetKind {
    target_kinds()
        .find(|k| k.kind == kind)
        .copied()
        .unwrap_or(TargetKind {
            kind,
            naming: crate::vocab::Naming::Id,
            global: false,
        })
}
