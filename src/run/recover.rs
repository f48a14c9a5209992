//! `driftdrill recover`: reverts every change the journal shows as not verified-reverted,
//! verifies it, and journals the result. Running it twice is safe: the second run finds nothing.

use std::path::Path;

use super::journal::{Journal, JournalError, Step, Unfinished};
use super::retry::{self, Budget};
use crate::aws::AwsClients;
use crate::inject::{self, Check, InjectCx, RevertKind};

/// What happened to one unfinished drill.
#[derive(Debug, Clone)]
pub struct Recovered {
    pub drill: String,
    pub target: String,
    pub action: String,
    pub kind: Option<RevertKind>,
    pub verified: bool,
    pub error: Option<String>,
}

/// Reverts and verifies every unfinished drill in the journal at `path`.
pub async fn recover(aws: &AwsClients, path: &Path) -> Result<Vec<Recovered>, JournalError> {
    let mut journal = Journal::open(path)?;
    let mut results = Vec::new();
    for open in journal.unfinished()? {
        let result = recover_one(aws, &mut journal, &open).await;
        results.push(result);
    }
    Ok(results)
}

async fn recover_one(aws: &AwsClients, journal: &mut Journal, open: &Unfinished) -> Recovered {
    let mut result = Recovered {
        drill: open.drill.clone(),
        target: open.target.to_string(),
        action: open.action.clone(),
        kind: None,
        verified: false,
        error: None,
    };
    let note = |journal: &mut Journal, step: Step| {
        if let Err(e) = journal.append(&open.run, &open.drill, step) {
            tracing::error!(error = %crate::errors::chain(&e), "could not journal a recovery step");
        }
    };
    let injector = match inject::find(&open.action).map(|spec| (spec.build)(&open.params)) {
        Some(Ok(i)) => i,
        Some(Err(e)) => {
            result.error = Some(format!(
                "rebuild the {} injector from the journal: {e}",
                open.action
            ));
            return result;
        }
        None => {
            result.error = Some(format!(
                "find the action {} (journal written by another driftdrill version?)",
                open.action
            ));
            return result;
        }
    };
    let cx = InjectCx {
        aws,
        mark: &open.mark,
    };
    note(journal, Step::Reverting);
    let retried = retry::retry(Budget::REVERT, || {
        injector.revert(&cx, &open.target, &open.snapshot)
    })
    .await;
    let outcome = match retried.result {
        Ok(o) => o,
        Err(e) => {
            let error = crate::errors::chain(&e);
            note(
                journal,
                Step::RevertFailed {
                    error: error.clone(),
                },
            );
            result.error = Some(error);
            return result;
        }
    };
    result.kind = Some(outcome.kind);
    note(
        journal,
        Step::Reverted {
            outcome: outcome.clone(),
        },
    );
    match injector
        .verify_reverted(&cx, &open.target, &outcome.expected)
        .await
    {
        Ok(Check::Matches) => {
            result.verified = true;
            note(journal, Step::Verified);
        }
        Ok(Check::Differs(why)) => {
            note(journal, Step::RevertFailed { error: why.clone() });
            result.error = Some(format!("the revert did not verify: {why}"));
        }
        Err(e) => {
            let error = crate::errors::chain(&e);
            note(
                journal,
                Step::RevertFailed {
                    error: error.clone(),
                },
            );
            result.error = Some(error);
        }
    }
    result
}
