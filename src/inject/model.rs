//! The shared shape of every injector: read the touched state, compute the injected state, write
//! a desired state. [`ModelInjector`] turns that into the full snapshot/inject/verify/revert
//! contract, including conflict handling, so each action file only describes its own state.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Check, InjectCx, InjectError, Injector, RevertKind, RevertOutcome, State, Target};

/// How a revert should proceed, given snapshot, injected and live state.
pub enum Reconcile<S> {
    /// Write this state (driftdrill's change undone; other edits, if any, kept).
    Write { desired: S, others_changed: bool },
    /// Someone else changed what driftdrill changed: leave it, say why.
    LeaveAlone(String),
}

/// The state an action touches. `reconcile` decides the revert; the default treats the state as
/// one value: undo only if it still reads as injected.
pub trait DriftState:
    Clone + PartialEq + Debug + Serialize + DeserializeOwned + Send + Sync
{
    fn reconcile(snapshot: &Self, injected: &Self, live: &Self) -> Reconcile<Self> {
        if live == injected {
            Reconcile::Write {
                desired: snapshot.clone(),
                others_changed: false,
            }
        } else {
            Reconcile::LeaveAlone(format!(
                "it now reads {live:?}, not the injected {injected:?}"
            ))
        }
    }
}

/// Set-valued state: undo only driftdrill's additions and removals, keep everyone else's.
impl<T: Ord + Clone + Debug + Serialize + DeserializeOwned + Send + Sync> DriftState
    for BTreeSet<T>
{
    fn reconcile(snapshot: &Self, injected: &Self, live: &Self) -> Reconcile<Self> {
        let added: BTreeSet<_> = injected.difference(snapshot).cloned().collect();
        let removed: BTreeSet<_> = snapshot.difference(injected).cloned().collect();
        let mut desired: BTreeSet<T> = live.difference(&added).cloned().collect();
        desired.extend(removed);
        Reconcile::Write {
            desired,
            others_changed: live != injected,
        }
    }
}

/// Map-valued state (tags): undo only the keys driftdrill changed, if they still read as injected.
impl DriftState for BTreeMap<String, String> {
    fn reconcile(snapshot: &Self, injected: &Self, live: &Self) -> Reconcile<Self> {
        let keys: BTreeSet<&String> = snapshot
            .keys()
            .chain(injected.keys())
            .filter(|k| snapshot.get(*k) != injected.get(*k))
            .collect();
        let mut desired = live.clone();
        for key in &keys {
            if live.get(*key) != injected.get(*key) {
                return Reconcile::LeaveAlone(format!(
                    "tag {key} now reads {:?}, not the injected {:?}",
                    live.get(*key),
                    injected.get(*key)
                ));
            }
            match snapshot.get(*key) {
                Some(v) => desired.insert((*key).clone(), v.clone()),
                None => desired.remove(*key),
            };
        }
        Reconcile::Write {
            desired,
            others_changed: live != injected,
        }
    }
}

macro_rules! scalar_state {
    ($($t:ty),*) => { $(impl DriftState for $t {})* };
}
scalar_state!(bool, i32, String, Option<String>, serde_json::Value);

/// What an action file implements.
#[async_trait::async_trait]
pub trait Model: Send + Sync {
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
}

/// Adapts a [`Model`] to the [`Injector`] contract.
pub struct ModelInjector<M>(pub M);

fn to_state<S: Serialize>(value: &S) -> State {
    serde_json::to_value(value).expect("drift state serialises")
}

fn from_state<S: DeserializeOwned>(target: &Target, state: &State) -> Result<S, InjectError> {
    serde_json::from_value(state.clone()).map_err(|source| InjectError::State {
        resource: target.to_string(),
        source,
    })
}

fn compare<S: PartialEq + Debug>(live: &S, expected: &S) -> Check {
    if live == expected {
        Check::Matches
    } else {
        Check::Differs(format!("reads {live:?}, expected {expected:?}"))
    }
}

#[async_trait::async_trait]
impl<M: Model> Injector for ModelInjector<M> {
    async fn snapshot(&self, cx: &InjectCx<'_>, target: &Target) -> Result<State, InjectError> {
        let before = self.0.read(cx, target).await?;
        let after = self.0.injected(&before, cx, target)?;
        if after == before {
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
        let before: M::State = from_state(target, snapshot)?;
        let after = self.0.injected(&before, cx, target)?;
        self.0.write(cx, target, &before, &after).await
    }

    async fn verify_injected(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<Check, InjectError> {
        let before: M::State = from_state(target, snapshot)?;
        let expected = self.0.injected(&before, cx, target)?;
        Ok(compare(&self.0.read(cx, target).await?, &expected))
    }

    async fn revert(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        snapshot: &State,
    ) -> Result<RevertOutcome, InjectError> {
        let before: M::State = from_state(target, snapshot)?;
        let injected = self.0.injected(&before, cx, target)?;
        let live = self.0.read(cx, target).await?;
        if live == before {
            return Ok(RevertOutcome {
                kind: RevertKind::AlreadyReverted,
                expected: to_state(&before),
                detail: None,
            });
        }
        match M::State::reconcile(&before, &injected, &live) {
            Reconcile::Write {
                desired,
                others_changed,
            } => {
                if desired != live {
                    self.0.write(cx, target, &live, &desired).await?;
                }
                let (kind, detail) = if others_changed {
                    (
                        RevertKind::ConflictOursUndone,
                        Some(format!(
                            "changed by someone else since injection: it read {live:?}; their edits were kept"
                        )),
                    )
                } else {
                    (RevertKind::Restored, None)
                };
                Ok(RevertOutcome {
                    kind,
                    expected: to_state(&desired),
                    detail,
                })
            }
            Reconcile::LeaveAlone(reason) => Ok(RevertOutcome {
                kind: RevertKind::ConflictLeftAlone,
                expected: to_state(&live),
                detail: Some(reason),
            }),
        }
    }

    async fn verify_reverted(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        expected: &State,
    ) -> Result<Check, InjectError> {
        let expected: M::State = from_state(target, expected)?;
        Ok(compare(&self.0.read(cx, target).await?, &expected))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_undo_only_our_change() {
        let snap: BTreeSet<u8> = [1, 2].into();
        let injected: BTreeSet<u8> = [1, 2, 9].into();
        let live: BTreeSet<u8> = [1, 2, 9, 5].into();
        match BTreeSet::reconcile(&snap, &injected, &live) {
            Reconcile::Write {
                desired,
                others_changed,
            } => {
                assert_eq!(desired, [1, 2, 5].into());
                assert!(others_changed);
            }
            Reconcile::LeaveAlone(_) => panic!("expected a write"),
        }
    }

    #[test]
    fn tags_leave_a_changed_key_alone() {
        let snap: BTreeMap<String, String> = [("ManagedBy".into(), "terraform".into())].into();
        let injected = BTreeMap::new();
        let live: BTreeMap<String, String> = [("ManagedBy".into(), "someone".into())].into();
        assert!(matches!(
            BTreeMap::reconcile(&snap, &injected, &live),
            Reconcile::LeaveAlone(_)
        ));
    }

    #[test]
    fn scalars_undo_only_when_unchanged() {
        assert!(matches!(
            bool::reconcile(&false, &true, &true),
            Reconcile::Write { desired: false, .. }
        ));
        assert!(matches!(
            String::reconcile(&"a".into(), &"b".into(), &"c".into()),
            Reconcile::LeaveAlone(_)
        ));
    }
}
