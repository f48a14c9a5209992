//! The revert sequence a drill and `driftdrill recover` share: journal that the revert starts,
//! revert with the revert retry budget (for a drill, bounded by its maximum drift lifetime),
//! journal the outcome, read back, journal the verdict.

use super::journal::Step;
use super::retry::{self, Budget};
use std::time::Instant;

use crate::calls::{self, Phase};
use crate::inject::{Check, InjectCx, InjectError, Injector, State, Target};
use crate::record::RevertRecord;

/// Where the sequence writes its steps. Implemented by a running drill and by `recover`.
pub(crate) trait Ledger {
    /// Appends one step to the journal. A step that cannot be journaled is logged by the
    /// implementor and the sequence goes on: the revert matters more than its record.
    async fn note(&mut self, step: Step);

    /// A lifecycle point a crash test may freeze the process at (`revert`, `reverted`).
    async fn reached(&mut self, _point: &str) {}
}

/// How many times a revert is made and read back while the drill's change is still there
/// (reads after a write can lag behind it on AWS), before the revert is reported as failed.
const ROUNDS: u32 = 3;

/// Reverts `target` to `snapshot` and verifies it, journaling every step through `ledger`.
/// Safe to call again after any failure: injectors' reverts are idempotent. While the drill's
/// change still reads as there, revert and verification are tried again ([`ROUNDS`]). With a
/// `deadline` (a drill's maximum drift lifetime) no retry starts after it and an attempt still
/// running then is cut short: the revert is reported as failed, and `recover` takes over.
pub(crate) async fn revert_and_verify(
    injector: &dyn Injector,
    icx: &InjectCx<'_>,
    target: &Target,
    snapshot: &State,
    deadline: Option<Instant>,
    ledger: &mut impl Ledger,
) -> RevertRecord {
    ledger.note(Step::Reverting).await;
    ledger.reached("revert").await;
    let mut rec = RevertRecord {
        kind: None,
        verified: false,
        attempts: 0,
        detail: None,
        error: None,
    };
    let mut pause = Budget::REVERT.first_delay;
    for round in 1..=ROUNDS {
        let retried = retry::retry_until(
            Budget::REVERT,
            deadline,
            || calls::phase(Phase::Revert, injector.revert(icx, target, snapshot)),
            out_of_time("revert", target),
        )
        .await;
        rec.attempts += retried.attempts;
        let outcome = match retried.result {
            Ok(outcome) => outcome,
            Err(e) => return failed(rec, retry::describe(&e, retried.attempts), ledger).await,
        };
        if round == 1 {
            rec.kind = Some(outcome.kind);
            rec.detail = outcome.detail.clone();
            ledger.note(Step::Reverted { outcome }).await;
            ledger.reached("reverted").await;
        }
        match verify(injector, icx, target, snapshot, deadline).await {
            Ok(Check::Matches) => {
                rec.verified = true;
                ledger.note(Step::Verified).await;
                return rec;
            }
            Ok(Check::Differs(why)) => {
                let time_left = deadline.is_none_or(|d| Instant::now() + pause < d);
                if round == ROUNDS || !time_left {
                    return failed(rec, format!("the revert did not verify: {why}"), ledger).await;
                }
                tracing::warn!(%why, "the drill's change still reads as there; reverting again");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            Err(e) => return failed(rec, crate::errors::chain(&e), ledger).await,
        }
    }
    unreachable!("the last round always returns")
}

/// Reads back whether the drill's change is gone, by the deadline (at least [`retry::FIRST_TRY`]).
async fn verify(
    injector: &dyn Injector,
    icx: &InjectCx<'_>,
    target: &Target,
    snapshot: &State,
    deadline: Option<Instant>,
) -> Result<Check, InjectError> {
    let read = calls::phase(
        Phase::Verify,
        injector.verify_reverted(icx, target, snapshot),
    );
    match deadline {
        None => read.await,
        Some(d) => {
            let d = d.max(Instant::now() + retry::FIRST_TRY);
            tokio::time::timeout_at(d.into(), read)
                .await
                .unwrap_or_else(|_| Err(out_of_time("verify the revert", target)()))
        }
    }
}

fn out_of_time<'a>(what: &'static str, target: &'a Target) -> impl Fn() -> InjectError + 'a {
    move || InjectError::OutOfTime {
        what,
        resource: target.to_string(),
    }
}

/// Journals and records a revert that failed or did not verify.
async fn failed(mut rec: RevertRecord, error: String, ledger: &mut impl Ledger) -> RevertRecord {
    ledger
        .note(Step::RevertFailed {
            error: error.clone(),
        })
        .await;
    rec.error = Some(error);
    rec
}
