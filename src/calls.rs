//! The AWS calls a drill makes, counted per phase, service and operation: every request the SDK
//! sends (retries included) is one call against the account's rate limits and one CloudTrail
//! event, so the run record says how many each drill needed.
//!
//! Counting follows the task, not the client: clients are shared by every drill of an
//! environment, so a drill wraps each phase in [`during`] and the SDK interceptor adds each
//! request to whatever tally and phase the sending task is in. Requests sent outside any phase
//! (a detector's own reads, the sample environment) are not counted.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

/// What a call was for, in a drill's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Before any drill: who the caller is, per environment and region (run-level).
    Preflight,
    /// Resolving the target and its tags for the guardrails.
    Lookup,
    /// Reading exactly what the change will touch, and what identifies the resource.
    Snapshot,
    /// The change.
    Inject,
    /// Reading back that the change is live, and after the revert that it is gone.
    Verify,
    /// Reading before the revert, and the revert itself.
    Revert,
    /// Reading the resource while observing, to see a remediator undo the change.
    Observe,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Preflight => "preflight",
            Phase::Lookup => "lookup",
            Phase::Snapshot => "snapshot",
            Phase::Inject => "inject",
            Phase::Verify => "verify",
            Phase::Revert => "revert",
            Phase::Observe => "observe",
        }
    }
}

/// Requests of one operation in one phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCount {
    pub phase: Phase,
    /// The SDK's service name, lowercase: `ec2`, `s3`, `sts`.
    pub service: String,
    /// The API operation: `DescribeSecurityGroups`.
    pub operation: String,
    pub calls: u32,
}

/// Total requests in a list of counts.
pub fn total(counts: &[CallCount]) -> u32 {
    counts.iter().map(|c| c.calls).sum()
}

/// A drill's (or the run's) running count; shared by the tasks working for it.
#[derive(Debug, Default)]
pub struct Tally(Mutex<BTreeMap<(Phase, String, String), u32>>);

impl Tally {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn add(&self, phase: Phase, service: &str, operation: &str) {
        let mut counts = self.0.lock().expect("call tally");
        *counts
            .entry((phase, service.to_string(), operation.to_string()))
            .or_default() += 1;
    }

    /// Every count so far, in phase, service and operation order.
    pub fn counts(&self) -> Vec<CallCount> {
        let counts = self.0.lock().expect("call tally");
        counts
            .iter()
            .map(|((phase, service, operation), calls)| CallCount {
                phase: *phase,
                service: service.clone(),
                operation: operation.clone(),
                calls: *calls,
            })
            .collect()
    }
}

tokio::task_local! {
    static SCOPE: Scope;
}

/// Runs `work` with every AWS request it sends counted in `tally` under `phase`. An inner
/// `during` overrides an outer one for its own work. The future borrows nothing: it may be
/// spawned.
pub fn during<F: Future>(
    tally: &Arc<Tally>,
    phase: Phase,
    work: F,
) -> impl Future<Output = F::Output> + use<F> {
    SCOPE.scope((tally.clone(), phase), work)
}

/// Where a request would be counted: a tally and a phase.
pub type Scope = (Arc<Tally>, Phase);

/// The task's current tally and phase, to carry into work another task does for it.
pub fn current() -> Option<Scope> {
    SCOPE.try_with(Clone::clone).ok()
}

/// Runs `work` counted in `scope` (as [`current`] returned it); uncounted for `None`.
pub async fn within<F: Future>(scope: Option<Scope>, work: F) -> F::Output {
    match scope {
        Some(scope) => SCOPE.scope(scope, work).await,
        None => work.await,
    }
}

/// Runs `work` in `phase` of the task's current tally; outside any tally, just runs it (a
/// `recover`, a benchmark calling the drill steps directly).
pub async fn phase<F: Future>(phase: Phase, work: F) -> F::Output {
    match SCOPE.try_with(|(tally, _)| tally.clone()) {
        Ok(tally) => SCOPE.scope((tally, phase), work).await,
        Err(_) => work.await,
    }
}

/// Counts one request of `service`/`operation` in the sending task's phase, if it is in one.
pub(crate) fn count(service: &str, operation: &str) {
    let _ = SCOPE.try_with(|(tally, phase)| tally.add(*phase, service, operation));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_count_in_the_innermost_phase_of_their_task() {
        let tally = Tally::new();
        count("ec2", "DescribeSecurityGroups"); // outside any phase: not counted
        during(&tally, Phase::Revert, async {
            count("ec2", "DescribeSecurityGroups");
            phase(Phase::Verify, async {
                count("ec2", "DescribeSecurityGroups");
                count("ec2", "DescribeSecurityGroups");
            })
            .await;
            count("ec2", "RevokeSecurityGroupIngress");
        })
        .await;
        let counts = tally.counts();
        let seen: Vec<(Phase, &str, u32)> = counts
            .iter()
            .map(|c| (c.phase, c.operation.as_str(), c.calls))
            .collect();
        assert_eq!(
            seen,
            [
                (Phase::Verify, "DescribeSecurityGroups", 2),
                (Phase::Revert, "DescribeSecurityGroups", 1),
                (Phase::Revert, "RevokeSecurityGroupIngress", 1),
            ]
        );
        assert_eq!(total(&counts), 4);
    }

    #[tokio::test]
    async fn a_phase_outside_any_tally_just_runs() {
        assert_eq!(phase(Phase::Inject, async { 7 }).await, 7);
    }

    #[tokio::test]
    async fn two_drills_in_flight_keep_their_own_counts() {
        let (a, b) = (Tally::new(), Tally::new());
        let one = during(&a, Phase::Inject, async {
            tokio::task::yield_now().await;
            count("s3", "PutBucketPolicy");
        });
        let two = during(&b, Phase::Inject, async {
            count("ec2", "AuthorizeSecurityGroupIngress");
            tokio::task::yield_now().await;
            count("ec2", "AuthorizeSecurityGroupIngress");
        });
        tokio::join!(one, two);
        assert_eq!(total(&a.counts()), 1);
        assert_eq!(b.counts()[0].calls, 2);
        assert_eq!(b.counts()[0].service, "ec2");
    }
}
