//! What a service folder (`ec2/`, `s3/`, `iam/`, ...) declares besides its actions: its target
//! types, the IAM actions finding one needs, and the one [`Resolver`] that finds, reads and
//! recognises them. `target` and `presence` dispatch through it and hold no per-type code.

use std::collections::BTreeMap;

use super::presence::Presence;
use super::target::Target;
use super::{ActionSpec, InjectError};
use crate::aws::AwsClients;
use crate::vocab::{TargetKind, TargetType};

/// Resources found by their tags: each id with all of its tags.
pub type Tagged = Vec<(String, BTreeMap<String, String>)>;

/// A service's target types and how they are found.
pub struct Service {
    /// The folder's name, e.g. `ec2`.
    pub name: &'static str,
    pub kinds: &'static [TargetKind],
    /// Its actions, in the order `driftdrill list` shows them.
    pub actions: &'static [&'static ActionSpec],
    /// The IAM actions finding and reading a target of the type need (`driftdrill permissions`).
    pub lookup_actions: fn(TargetType) -> &'static [&'static str],
    pub resolver: &'static dyn Resolver,
}

impl Service {
    /// The description of one of its types.
    pub fn kind(&self, kind: TargetType) -> Option<&'static TargetKind> {
        self.kinds.iter().find(|k| k.kind == kind)
    }
}

/// Finds, reads and recognises one service's resources. Answers only: no retries, no waiting
/// (the runner owns time). `kind` is always one of the service's own types.
#[async_trait::async_trait]
pub trait Resolver: Send + Sync {
    /// The id the API takes for what a scenario's `id` or `name` gave (a role name from an
    /// ARN, a policy ARN from a name); `None` when nothing answers to it. Default: as given.
    async fn normalise(
        &self,
        _aws: &AwsClients,
        _kind: TargetType,
        given: &str,
    ) -> Result<Option<String>, InjectError> {
        Ok(Some(given.to_string()))
    }

    /// The live resources of `kind` carrying every one of `tags`, sorted by id, each with all
    /// of its tags as the same lookup read them (so resolving a target by its tags needs no
    /// second read of them).
    async fn tagged(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        tags: &BTreeMap<String, String>,
    ) -> Result<Tagged, InjectError>;

    /// The resource's tags, or `None` when it does not exist: one read answers both.
    async fn existing_tags(
        &self,
        aws: &AwsClients,
        kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError>;

    /// What identifies the resource beyond its id (a bucket's creation date, IAM's unique id),
    /// read before the change and journaled, so a resource deleted and re-created under the
    /// same id is never taken for the drilled one; `None` when the id is identity enough (or
    /// the resource is gone).
    async fn identity(
        &self,
        _aws: &AwsClients,
        _kind: TargetType,
        _id: &str,
    ) -> Result<Option<String>, InjectError> {
        Ok(None)
    }

    /// Whether the drilled resource is still there as itself, given the identity journaled
    /// with it. Default: gone when it does not exist; replaced when its identity changed.
    async fn presence(
        &self,
        aws: &AwsClients,
        target: &Target,
        recorded: Option<&str>,
    ) -> Result<Presence, InjectError> {
        if self
            .existing_tags(aws, target.kind, &target.id)
            .await?
            .is_none()
        {
            return Ok(Presence::gone(target));
        }
        let Some(recorded) = recorded else {
            return Ok(Presence::Present);
        };
        Ok(match self.identity(aws, target.kind, &target.id).await? {
            None => Presence::gone(target),
            Some(now) if now == recorded => Presence::Present,
            Some(now) => Presence::Replaced {
                evidence: self.replaced(target, &now, recorded),
            },
        })
    }

    /// Words for a resource whose identity changed since the drill.
    fn replaced(&self, target: &Target, now: &str, recorded: &str) -> String {
        format!("{target} is now {now}; the drilled one was {recorded} (deleted and re-created)")
    }
}
