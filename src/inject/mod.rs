//! The injector contract and the static catalog of drift actions (one file per action, grouped
//! by service: `ec2/`, `s3/`, `iam/`).

pub mod ec2;
pub mod errors;
pub mod iam;
pub mod mark;
pub mod model;
pub mod params;
pub mod parts;
pub mod policy;
pub mod presence;
pub mod s3;
pub mod target;

pub use errors::InjectError;
pub use target::Target;

use crate::aws::AwsClients;
use crate::diag::TableReader;
use crate::vocab::{ParamSpec, TargetType};

/// Serialisable state: snapshots, expected states, all written to the journal.
pub type State = serde_json::Value;

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

/// Every action, in the order `driftdrill list` shows them.
pub static CATALOG: &[&ActionSpec] = &[
    &ec2::sg_open_ingress::SPEC,
    &ec2::sg_add_egress::SPEC,
    &ec2::sg_remove_ingress::SPEC,
    &ec2::tag_set::SPEC,
    &ec2::tag_remove::SPEC,
    &ec2::instance_type::SPEC,
    &ec2::instance_termination::SPEC,
    &ec2::instance_imdsv1::SPEC,
    &ec2::instance_attach_sg::SPEC,
    &ec2::nacl_add_entry::SPEC,
    &s3::versioning_suspend::SPEC,
    &s3::public_access_block_relax::SPEC,
    &s3::policy_public_read::SPEC,
    &s3::encryption_change::SPEC,
    &s3::tag_set::SPEC,
    &s3::tag_remove::SPEC,
    &s3::acl_public_read::SPEC,
    &s3::lifecycle_remove::SPEC,
    &s3::logging_disable::SPEC,
    &s3::cors_add_rule::SPEC,
    &iam::role_attach_policy::SPEC,
    &iam::role_put_inline_policy::SPEC,
    &iam::role_trust_add_principal::SPEC,
    &iam::role_set_max_session_duration::SPEC,
    &iam::user_attach_policy::SPEC,
    &iam::policy_new_default_version::SPEC,
];

/// The catalog entry for an action id.
pub fn find(id: &str) -> Option<&'static ActionSpec> {
    CATALOG.iter().copied().find(|s| s.id == id)
}
