//! Making and undoing one drill's change: snapshot, journaled intent (fsynced before anything
//! changes), inject, verify; then revert with the revert budget, verify, journal the result.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::context::RunCx;
use super::journal::{JournalError, Step};
use super::places::Place;
use super::retry::{self, Budget};
use super::rollback;
use crate::calls::{self, Phase};
use crate::formats::Scenario;
use crate::inject::{self, Check, InjectCx, InjectError, Injector, Target};
use crate::record::RevertRecord;

/// Why a drill could not make or confirm its change.
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    #[error("snapshot {target}{}", retry::retried(*attempts))]
    Snapshot {
        target: String,
        attempts: u32,
        #[source]
        source: InjectError,
    },
    #[error("read what identifies {target}")]
    Identity {
        target: String,
        #[source]
        source: InjectError,
    },
    #[error("journal the intent (nothing was changed)")]
    Journal(#[source] JournalError),
    #[error("inject")]
    Inject(#[source] InjectError),
    #[error(
        "confirm the injection: {0} (it did not take effect, or something undid it before the read)"
    )]
    NotLive(String),
    #[error("verify the injection")]
    Verify(#[source] InjectError),
    #[error("build the injector from the scenario's parameters")]
    Build(#[source] serde_json::Error),
}

/// A change that was made, or attempted, and must now be reverted.
pub struct Applied {
    pub snapshot: inject::State,
    /// When the inject call began (polls started earlier count only when they name the target).
    pub inject_started: Instant,
    pub injected_at: DateTime<Utc>,
    /// When the change was confirmed live by reading it back, or why it was not.
    pub confirmed: Result<Instant, DrillError>,
}

/// Snapshot, journaled intent (fsynced before anything changes), inject, journal, verify.
/// `Err` means nothing was changed; after `Ok` the caller must [`revert`], whatever `confirmed`
/// says.
pub async fn apply(
    cx: &RunCx,
    drill: &str,
    scenario: &Scenario,
    injector: &dyn Injector,
    icx: &InjectCx<'_>,
    target: &Target,
    place: &Place,
) -> Result<Applied, DrillError> {
    let id = cx.label(drill);
    cx.progress.phase(id, "snapshot");
    let (snapshot, identity) =
        calls::phase(Phase::Snapshot, snapshot(injector, icx, target, place)).await?;
    let intent = Step::Intent {
        identity,
        environment: place.environment.clone(),
        account: Some(place.account.clone()),
        region: place.region().map(String::from),
        scenario: scenario.id.value.clone(),
        action: scenario.inject.action.value.clone(),
        params: scenario.inject.params.clone(),
        target: target.clone(),
        snapshot: snapshot.clone(),
        mark: icx.mark.to_string(),
    };
    cx.journal(drill, intent)
        .await
        .map_err(DrillError::Journal)?;
    cx.pause_point(
        "intent",
        Instant::now() + cx.config.safety.max_drift_lifetime,
    )
    .await;

    cx.progress.phase(id, "inject");
    let inject_started = Instant::now();
    let injected_at = Utc::now();
    let injected = calls::phase(Phase::Inject, injector.inject(icx, target, &snapshot)).await;
    let _ = cx.journal(drill, Step::Applied).await;
    cx.pause_point("applied", revert_by(cx, inject_started))
        .await;
    let confirmed = match injected {
        Err(e) => Err(DrillError::Inject(e)),
        Ok(()) => match calls::phase(
            Phase::Verify,
            injector.verify_injected(icx, target, &snapshot),
        )
        .await
        {
            Ok(Check::Matches) => Ok(Instant::now()),
            Ok(Check::Differs(why)) => Err(DrillError::NotLive(why)),
            Err(e) => Err(DrillError::Verify(e)),
        },
    };
    Ok(Applied {
        snapshot,
        inject_started,
        injected_at,
        confirmed,
    })
}

/// Reads exactly what the change will touch, and what identifies the resource (for `recover`
/// to tell it from a namesake made later).
async fn snapshot(
    injector: &dyn Injector,
    icx: &InjectCx<'_>,
    target: &Target,
    place: &Place,
) -> Result<(inject::State, Option<String>), DrillError> {
    let snapshot = retry::retry(Budget::DEFAULT, || injector.snapshot(icx, target)).await;
    let attempts = snapshot.attempts;
    let snapshot = snapshot.result.map_err(|source| DrillError::Snapshot {
        target: target.to_string(),
        attempts,
        source,
    })?;
    let identity = inject::presence::identity(&place.aws, target)
        .await
        .map_err(|source| DrillError::Identity {
            target: target.to_string(),
            source,
        })?;
    Ok((snapshot, identity))
}

/// When the drift must be gone at the latest: the maximum drift lifetime after the change.
pub fn drift_ends(cx: &RunCx, inject_started: Instant) -> Instant {
    inject_started + cx.config.safety.max_drift_lifetime
}

/// When observing must end so the revert, retries included, still fits in the lifetime: a
/// tenth of the lifetime is kept for it (at least 2 s, at most a minute, never over half).
pub(crate) fn revert_by(cx: &RunCx, inject_started: Instant) -> Instant {
    let lifetime = cx.config.safety.max_drift_lifetime;
    let reserve = (lifetime / 10)
        .clamp(Duration::from_secs(2), Duration::from_secs(60))
        .min(lifetime / 2);
    inject_started + lifetime - reserve
}

/// Journals the revert, reverts with the revert budget, verifies, and journals the result, all
/// by `deadline` (the drill's maximum drift lifetime).
pub async fn revert(
    cx: &RunCx,
    drill: &str,
    injector: &dyn Injector,
    icx: &InjectCx<'_>,
    target: &Target,
    snapshot: &inject::State,
    deadline: Instant,
) -> RevertRecord {
    let mut ledger = DrillLedger {
        cx,
        drill,
        deadline,
    };
    rollback::revert_and_verify(injector, icx, target, snapshot, Some(deadline), &mut ledger).await
}

/// A running drill's steps go to the run's journal; its pause points are the crash tests'.
struct DrillLedger<'a> {
    cx: &'a RunCx,
    drill: &'a str,
    deadline: Instant,
}

impl rollback::Ledger for DrillLedger<'_> {
    async fn note(&mut self, step: Step) {
        if let Err(e) = self.cx.journal(self.drill, step).await {
            let error = crate::errors::chain(&e);
            tracing::error!(drill = self.drill, %error, "could not journal a revert step");
        }
    }

    async fn reached(&mut self, point: &str) {
        self.cx.pause_point(point, self.deadline).await;
    }
}
