//! `driftdrill recover`: reverts every change the journal shows as not verified-reverted,
//! verifies it, and journals the result. Running it twice is safe: the second run finds nothing.

use std::path::Path;

use super::journal::{Journal, JournalError, Step, Unfinished};
use super::rollback;
use crate::aws::AwsClients;
use crate::inject::{self, InjectCx, RevertKind};

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
    let mut ledger = RecoverLedger { journal, open };
    let rec =
        rollback::revert_and_verify(&*injector, &cx, &open.target, &open.snapshot, &mut ledger)
            .await;
    result.kind = rec.kind;
    result.verified = rec.verified;
    result.error = rec.error;
    result
}

/// Recovery appends to the journal under the crashed run's id and drill name.
struct RecoverLedger<'a> {
    journal: &'a mut Journal,
    open: &'a Unfinished,
}

impl rollback::Ledger for RecoverLedger<'_> {
    fn note(&mut self, step: Step) {
        if let Err(e) = self.journal.append(&self.open.run, &self.open.drill, step) {
            tracing::error!(error = %crate::errors::chain(&e), "could not journal a recovery step");
        }
    }
}
