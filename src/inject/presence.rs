//! Whether a drilled resource still exists as the same resource. `recover` asks before a
//! revert, so a resource that was deleted (or deleted and recreated under the same name) is
//! settled instead of failing every attempt, and a new resource is never "reverted" to an old
//! one's snapshot. The service's resolver answers; this module only dispatches.

use super::errors::InjectError;
use super::target::Target;
use crate::aws::AwsClients;

/// What `recover` found where the drill's target was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// The resource is there, as far as can be told the same one.
    Present,
    /// No such resource: no drift can remain on it.
    Gone { evidence: String },
    /// Something exists under the same name but is not provably the drilled resource (a bucket
    /// whose creation date differs from the one recorded before the change). AWS may also move
    /// a bucket's creation date on some changes (its policy), so the caller decides with one
    /// more fact: whether the drill's change is still on it.
    Replaced { evidence: String },
}

impl Presence {
    /// The target does not exist any more.
    pub fn gone(target: &Target) -> Presence {
        Presence::Gone {
            evidence: format!("{target} does not exist any more"),
        }
    }
}

/// What identifies the resource beyond its id, read before the change and journaled with it
/// (see [`super::service::Resolver::identity`]).
pub async fn identity(aws: &AwsClients, target: &Target) -> Result<Option<String>, InjectError> {
    super::service_of(target.kind)?
        .resolver
        .identity(aws, target.kind, &target.id)
        .await
}

/// Whether `target` is still there, comparing `identity` (from [`identity`]) where one was
/// journaled.
pub async fn check(
    aws: &AwsClients,
    target: &Target,
    identity: Option<&str>,
) -> Result<Presence, InjectError> {
    super::service_of(target.kind)?
        .resolver
        .presence(aws, target, identity)
        .await
}
