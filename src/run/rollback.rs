//! The revert sequence a drill and `driftdrill recover` share: journal that the revert starts,
//! revert with the revert retry budget (for a drill, bounded by its maximum drift lifetime),
//! journal the outcome, read back, journal the verdict.

use super::journal::Step;
use super::retry::{self, Budget};
use std::time::Instant;

use crate::inject::{Check, InjectCx, InjectError, Injector, State, Target};
use crate::record::RevertRecord;

/// Where the sequence writes its steps. Implemented by a running drill and by `recover`.
pub(crate) trait Ledger {
    /// Appends one step to the journal. A step that cannot be journaled is logged by the
    /// implementor and the sequence goes on: the revert matters more than its record.
    fn note(&mut self, step: Step);

    /// A lifecycle point a crash test may freeze the process at (`revert`, `reverted`).
    async fn reached(&mut self, _point: &str) {}
}

/// Reverts `target` to `snapshot` and verifies it, journaling every step through `ledger`.
/// Safe to call again after any failure: injectors' reverts are idempotent. With a `deadline`
/// (a drill's maximum drift lifetime) no retry starts after it and an attempt still running then
/// is cut short: the revert is reported as failed, and `recover` takes over.
pub(crate) async fn revert_and_verify(
    injector: &dyn Injector,
    icx: &InjectCx<'_>,
    target: &Target,
    snapshot: &State,
    deadline: Option<Instant>,
    ledger: &mut impl Ledger,
) -> RevertRecord {
    ledger.note(Step::Reverting);
    ledger.reached("revert").await;
    let out_of_time = |what| {
        move || InjectError::OutOfTime {
            what,
            resource: target.to_string(),
        }
    };
    let retried = retry::retry_until(
        Budget::REVERT,
        deadline,
        || injector.revert(icx, target, snapshot),
        out_of_time("revert"),
    )
    .await;
    let mut rec = RevertRecord {
        kind: None,
        verified: false,
        attempts: retried.attempts,
        detail: None,
        error: None,
    };
    let outcome = match retried.result {
        Ok(outcome) => outcome,
        Err(e) => {
            let error = retry::describe(&e, retried.attempts);
            ledger.note(Step::RevertFailed {
                error: error.clone(),
            });
            rec.error = Some(error);
            return rec;
        }
    };
    rec.kind = Some(outcome.kind);
    rec.detail = outcome.detail.clone();
    ledger.note(Step::Reverted {
        outcome: outcome.clone(),
    });
    ledger.reached("reverted").await;
    match injector.verify_reverted(icx, target, snapshot).await {
        Ok(Check::Matches) => {
            rec.verified = true;
            ledger.note(Step::Verified);
        }
        Ok(Check::Differs(why)) => {
            rec.error = Some(format!("the revert did not verify: {why}"));
            ledger.note(Step::RevertFailed { error: why });
        }
        Err(e) => {
            let error = crate::errors::chain(&e);
            ledger.note(Step::RevertFailed {
                error: error.clone(),
            });
            rec.error = Some(error);
        }
    }
    rec
}
