//! `driftdrill recover`: reverts every change the journal shows as not verified-reverted,
//! verifies it, and journals the result; settles a change whose target is gone (or is another
//! resource under the same name) instead of failing forever; journals an operator's decision to
//! forget a change that can never be reverted. Running it twice is safe: the second run finds
//! nothing. No journal entry can become a dead end.

use std::path::{Path, PathBuf};

use chrono::Utc;

use super::journal::{Journal, JournalError, Settlement, Step, Torn, Unfinished};
use super::places;
use super::rollback;
use crate::aws::AwsClients;
use crate::formats::DrillConfig;
use crate::inject::presence::{self, Presence};
use crate::inject::{self, Check, InjectCx, RevertKind};
pub(crate) use crate::record::{RecoveryRecord, SettledChange};

#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(
        "forget {drill}: the journal {journal} has no unsettled change by that name (unsettled: {})",
        if known.is_empty() { "none".to_string() } else { known.join(", ") }
    )]
    NoSuchDrill {
        drill: String,
        journal: PathBuf,
        known: Vec<String>,
    },
    #[error("write the recovery record in {dir}")]
    Record {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Where a journaled change was made: its environment and region.
type Place = (Option<String>, Option<String>);

/// What happened to one unfinished drill.
#[derive(Debug, Clone)]
pub struct Recovered {
    pub drill: String,
    pub target: String,
    pub action: String,
    pub kind: Option<RevertKind>,
    pub verified: bool,
    /// Settled without a revert, and what was found.
    pub settled: Option<(Settlement, String)>,
    pub error: Option<String>,
}

impl Recovered {
    /// Before anything was tried for the change.
    fn nothing_yet(open: &Unfinished) -> Recovered {
        Recovered {
            drill: open.drill.clone(),
            target: open.target.to_string(),
            action: open.action.clone(),
            kind: None,
            verified: false,
            settled: None,
            error: None,
        }
    }

    /// Nothing is left to do for this change.
    pub(crate) fn is_done(&self) -> bool {
        self.verified || self.settled.is_some()
    }
}

/// Every change the journal at `path` shows as unsettled, and the lines that are not whole
/// entries, without touching anything (no lock, no AWS call).
pub fn list(path: &Path) -> Result<(Vec<Unfinished>, Vec<Torn>), RecoverError> {
    let contents = super::journal::read_entries(path)?;
    Ok((super::journal::unfinished(&contents.entries), contents.torn))
}

/// Reverts and verifies every unfinished drill in the journal at `path`, settling those whose
/// target is gone. Each change is reverted where it was made: its environment's role assumed
/// again, in its region, and only if STS says the credentials reach the journaled account.
/// Returns what happened to each, and the settled ones for the report.
pub async fn recover(
    config: &DrillConfig,
    path: &Path,
) -> Result<(Vec<Recovered>, Vec<SettledChange>), RecoverError> {
    let mut journal = Journal::open(path)?;
    journal.warn()?;
    let mut results = Vec::new();
    let mut settled = Vec::new();
    let mut reached: Vec<(Place, Result<AwsClients, ReachError>)> = Vec::new();
    for open in journal.unfinished()? {
        let key = (open.environment.clone(), open.region.clone());
        if !reached.iter().any(|(k, _)| *k == key) {
            reached.push((key.clone(), reach(config, &open).await));
        }
        let aws = &reached.iter().find(|(k, _)| *k == key).expect("reached").1;
        let result = match aws {
            Ok(aws) => recover_one(aws, &mut journal, &open).await,
            Err(why) => Recovered {
                error: Some(crate::errors::chain(why)),
                ..Recovered::nothing_yet(&open)
            },
        };
        if let Some((how, evidence)) = &result.settled {
            settled.push(settled_change(&open, *how, evidence, None, None));
        }
        results.push(result);
    }
    Ok((results, settled))
}

/// Journals an operator's decision that the change of `drill` can never be reverted. `drill`
/// is the journal's `<run>/<scenario>` or, when unique, the scenario id alone.
pub fn forget(
    path: &Path,
    drill: &str,
    by: &str,
    reason: &str,
) -> Result<SettledChange, RecoverError> {
    let mut journal = Journal::open(path)?;
    journal.warn()?;
    let open = journal.unfinished()?;
    let matching: Vec<&Unfinished> = open
        .iter()
        .filter(|u| u.drill == drill || u.scenario == drill)
        .collect();
    let [one] = matching.as_slice() else {
        return Err(RecoverError::NoSuchDrill {
            drill: drill.to_string(),
            journal: path.to_path_buf(),
            known: open.iter().map(|u| u.drill.clone()).collect(),
        });
    };
    let place = match (&one.account, &one.region) {
        (Some(a), Some(r)) => format!(" in account {a}, {r}"),
        (Some(a), None) => format!(" in account {a}"),
        (None, Some(r)) => format!(" in {r}"),
        (None, None) => String::new(),
    };
    let evidence = format!(
        "drift may remain on {}{place}: {} with {} was never verified as reverted",
        one.target, one.action, one.params
    );
    journal.append(
        &one.run,
        &one.drill,
        Step::Settled {
            settled: Settlement::Forgotten,
            evidence: evidence.clone(),
            by: Some(by.to_string()),
            reason: Some(reason.to_string()),
        },
    )?;
    Ok(settled_change(
        one,
        Settlement::Forgotten,
        &evidence,
        Some(by),
        Some(reason),
    ))
}

fn settled_change(
    open: &Unfinished,
    settled: Settlement,
    evidence: &str,
    by: Option<&str>,
    reason: Option<&str>,
) -> SettledChange {
    SettledChange {
        drill: open.drill.clone(),
        scenario: open.scenario.clone(),
        action: open.action.clone(),
        target: open.target.clone(),
        settled,
        evidence: evidence.to_string(),
        by: by.map(String::from),
        reason: reason.map(String::from),
        at: Utc::now(),
    }
}

/// Why the place a journaled change was made cannot be reached to revert it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReachError {
    #[error(
        "reach environment {name}: {} no longer declares it (put its [[environment]] back to recover this change)",
        config.display()
    )]
    NoEnvironment { name: String, config: PathBuf },
    #[error("ask STS which account the credentials reach")]
    Identity(#[source] crate::aws::AwsError),
    #[error(
        "revert in account {journaled}: the credentials reach account {reached}; nothing was touched"
    )]
    OtherAccount { journaled: String, reached: String },
}

/// Clients for the place a journaled change was made: its environment (role or profile) and
/// region from the config, checked against the journaled account. Never reverts with
/// credentials for another account: the snapshot belongs to the drilled resource only.
async fn reach(config: &DrillConfig, open: &Unfinished) -> Result<AwsClients, ReachError> {
    let env = match &open.environment {
        Some(name) => Some(
            config
                .environment(name)
                .ok_or_else(|| ReachError::NoEnvironment {
                    name: name.clone(),
                    config: config.path.clone(),
                })?,
        ),
        None => None,
    };
    let settings = places::settings(config, env, open.region.as_deref(), &open.run);
    let aws = AwsClients::new(&settings).await;
    if let Some(journaled) = &open.account {
        let account = aws.caller_account().await.map_err(|e| {
            ReachError::Identity(crate::aws::error("GetCallerIdentity", "the caller")(e))
        })?;
        if &account != journaled {
            return Err(ReachError::OtherAccount {
                journaled: journaled.clone(),
                reached: account,
            });
        }
    }
    Ok(aws)
}

async fn recover_one(aws: &AwsClients, journal: &mut Journal, open: &Unfinished) -> Recovered {
    let mut result = Recovered::nothing_yet(open);
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
    // A target that is gone needs no revert; another resource under the same name must not
    // get the old one's snapshot.
    match presence::check(aws, &open.target, open.identity.as_deref()).await {
        Ok(Presence::Gone { evidence }) => return settle(journal, open, result, evidence),
        Ok(Presence::Replaced { evidence }) => {
            // AWS may move a bucket's creation date on some changes (its policy): if the
            // drill's change is still there, it is the drilled bucket after all.
            let ours = injector
                .verify_injected(&cx, &open.target, &open.snapshot)
                .await;
            if !matches!(ours, Ok(Check::Matches)) {
                let evidence = format!(
                    "{evidence}: another bucket under the same name, without the drill's change; left untouched"
                );
                return settle(journal, open, result, evidence);
            }
        }
        Ok(Presence::Present) => {}
        Err(e) => tracing::warn!(
            drill = %open.drill,
            error = %crate::errors::chain(&e),
            "could not tell whether the target still exists; reverting"
        ),
    }
    let mut ledger = RecoverLedger { journal, open };
    let rec = rollback::revert_and_verify(
        &*injector,
        &cx,
        &open.target,
        &open.snapshot,
        None,
        &mut ledger,
    )
    .await;
    // Deleted while being reverted: settle rather than fail.
    if !rec.verified
        && let Ok(Presence::Gone { evidence }) =
            presence::check(aws, &open.target, open.identity.as_deref()).await
    {
        return settle(ledger.journal, open, result, evidence);
    }
    result.kind = rec.kind;
    result.verified = rec.verified;
    result.error = rec.error;
    result
}

fn settle(
    journal: &mut Journal,
    open: &Unfinished,
    mut result: Recovered,
    evidence: String,
) -> Recovered {
    let step = Step::Settled {
        settled: Settlement::TargetGone,
        evidence: evidence.clone(),
        by: None,
        reason: None,
    };
    match journal.append(&open.run, &open.drill, step) {
        Ok(()) => result.settled = Some((Settlement::TargetGone, evidence)),
        Err(e) => {
            result.error = Some(format!(
                "journal that {} is gone ({evidence}): {}",
                open.target,
                crate::errors::chain(&e)
            ))
        }
    }
    result
}

/// Recovery appends to the journal under the crashed run's id and drill name.
struct RecoverLedger<'a> {
    journal: &'a mut Journal,
    open: &'a Unfinished,
}

impl rollback::Ledger for RecoverLedger<'_> {
    async fn note(&mut self, step: Step) {
        if let Err(e) = self.journal.append(&self.open.run, &self.open.drill, step) {
            tracing::error!(error = %crate::errors::chain(&e), "could not journal a recovery step");
        }
    }
}
