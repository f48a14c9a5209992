//! The revert sequence a drill and `driftdrill recover` share: journal that the revert starts,
//! revert with the revert retry budget, journal the outcome, read back, journal the verdict.

use super::journal::Step;
use super::retry::{self, Budget};
use crate::inject::{Check, InjectCx, Injector, State, Target};
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
/// Safe to call again after any failure: injectors' reverts are idempotent.
pub(crate) async fn revert_and_verify(
    injector: &dyn Injector,
    icx: &InjectCx<'_>,
    target: &Target,
    snapshot: &State,
    ledger: &mut impl Ledger,
) -> RevertRecord {
    ledger.note(Step::Reverting);
    ledger.reached("revert").await;
    let retried = retry::retry(Budget::REVERT, || injector.revert(icx, target, snapshot)).await;
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
