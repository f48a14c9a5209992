//! The shared shape of every injector: read the touched state, compute the injected state, write
//! a desired state. [`ModelInjector`] turns that into the full snapshot/inject/verify/revert
//! contract, part by part (see [`super::parts`]), so each action file only describes its state.

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use super::parts::DriftState;
use super::parts::{self, VALUE};
use super::{
    Check, InjectCx, InjectError, Injector, Remains, RevertKind, RevertOutcome, State, Target,
};

/// What an action file implements.
#[async_trait::async_trait]
pub(crate) trait Model: Send + Sync {
    type State: DriftState;
    /// Reads the touched state. Fails when it cannot be captured exactly.
    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError>;
    /// The state after injection; an error when the drill makes no sense on this state.
    fn injected(
        &self,
        before: &Self::State,
        cx: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError>;
    /// Makes the resource read as `desired`, given it reads `current` now.
    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        current: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError>;
    /// What a single-valued state is called in messages ("the instance type").
    fn subject(&self) -> String {
        "the setting".to_string()
    }
}

/// Adapts a [`Model`] to the [`Injector`] contract.
pub(crate) struct ModelInjector<M>(pub M);

fn to_state<S: Serialize>(value: &S) -> State {
    parts::json(value)
}

fn from_state<S: DeserializeOwned>(target: &Target, state: &State) -> Result<S, InjectError> {
    serde_json::from_value(state.clone()).map_err(|source| InjectError::State {
        resource: target.to_string(),
        source,
    })
}

impl<M: Model> ModelInjector<M> {
    /// A part's name in messages: a single value is called by the action's subject.
    fn name(&self, key: &str) -> String {
        if key == VALUE {
            self.0.subject()
        } else {
            key.to_string()
        }
    }

    /// Snapshot and injected state, from the journaled snapshot.
    fn states(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<(M::State, M::State), InjectError> {
        let before: M::State = from_state(target, snapshot)?;
        let injected = self.0.injected(&before, cx, target)?;
        Ok((before, injected))
    }
}

#[async_trait::async_trait]
impl<M: Model> Injector for ModelInjector<M> {
    async fn snapshot(&self, cx: &InjectCx<'_>, target: &Target) -> Result<State, InjectError> {
        let before = self.0.read(cx, target).await?;
        let after = self.0.injected(&before, cx, target)?;
        if parts::changed(&before, &after).is_empty() {
            return Err(InjectError::precondition(
                &target.to_string(),
                "it is already in the drifted state; nothing to drill",
            ));
        }
        Ok(to_state(&before))
    }

    async fn inject(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<(), InjectError> {
        let (before, after) = self.states(cx, target, snapshot)?;
        self.0.write(cx, target, &before, &after).await
    }

    async fn verify_injected(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<Check, InjectError> {
        let (before, injected) = self.states(cx, target, snapshot)?;
        let live = self.0.read(cx, target).await?;
        let missing = parts::not_live(&before, &injected, &live, |k| self.name(k));
        Ok(if missing.is_empty() {
            Check::Matches
        } else {
            Check::Differs(missing.join("; "))
        })
    }

    async fn revert(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<RevertOutcome, InjectError> {
        let (before, injected) = self.states(cx, target, snapshot)?;
        let live = self.0.read(cx, target).await?;
        let plan = parts::plan(&before, &injected, &live);
        let detail = plan.describe(|k| self.name(k));
        if plan.changes.is_empty() {
            // Nothing of the drill's change is left to undo.
            let kind = if live == before || !plan.others_changed() {
                RevertKind::AlreadyReverted
            } else {
                RevertKind::ConflictLeftAlone
            };
            return Ok(RevertOutcome {
                kind,
                expected: to_state(&live),
                detail,
            });
        }
        let desired = live.with_parts(&plan.changes);
        if desired != live {
            self.0.write(cx, target, &live, &desired).await?;
        }
        let kind = if plan.others_changed() {
            RevertKind::ConflictOursUndone
        } else {
            RevertKind::Restored
        };
        Ok(RevertOutcome {
            kind,
            expected: to_state(&desired),
            detail,
        })
    }

    async fn verify_reverted(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<Check, InjectError> {
        let (before, injected) = self.states(cx, target, snapshot)?;
        let live = self.0.read(cx, target).await?;
        let left = parts::residue(&before, &injected, &live, |k| self.name(k));
        Ok(if left.is_empty() {
            Check::Matches
        } else {
            Check::Differs(left.join("; "))
        })
    }

    async fn remains(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<Remains, InjectError> {
        let (before, injected) = self.states(cx, target, snapshot)?;
        let live = self.0.read(cx, target).await?;
        let left = parts::residue(&before, &injected, &live, |k| self.name(k));
        if !left.is_empty() {
            return Ok(Remains::Live(left.join("; ")));
        }
        let differs = parts::differences(&before, &live, |k| self.name(k));
        Ok(if differs.is_empty() {
            Remains::Restored
        } else {
            Remains::Differently(differs.join("; "))
        })
    }
}

/// Builds a boxed injector from JSON parameters: `build::<Params, Action>(v)` where the action
/// is constructed from its parameters.
pub fn build<P, M>(
    value: &serde_json::Value,
    make: fn(P) -> M,
) -> Result<Box<dyn Injector>, serde_json::Error>
where
    P: DeserializeOwned,
    M: Model + 'static,
{
    let params: P = serde_json::from_value(value.clone())?;
    Ok(Box::new(ModelInjector(make(params))))
}
