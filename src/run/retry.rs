//! Bounded retry with exponential backoff for transient AWS faults (throttling, 5xx, time-outs),
//! on top of the SDK's own retries. Used by the runner for reverts, which must not give up early.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::inject::InjectError;

/// How long to keep trying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Budget {
    /// For reverts: keep trying for a couple of minutes before reporting a revert failure.
    pub(crate) const REVERT: Budget = Budget {
        attempts: 10,
        first_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(20),
    };
    /// For everything else: a few quick tries.
    pub(crate) const DEFAULT: Budget = Budget {
        attempts: 4,
        first_delay: Duration::from_millis(250),
        max_delay: Duration::from_secs(5),
    };
}

/// The outcome of a retried operation, with how many attempts it took.
#[derive(Debug)]
pub struct Retried<T> {
    pub result: Result<T, InjectError>,
    pub attempts: u32,
}

/// An error after `attempts` tries, in words: `... (retried N times)` when it was retried.
pub fn describe(error: &InjectError, attempts: u32) -> String {
    format!("{}{}", crate::errors::chain(error), retried(attempts))
}

/// ` (retried N times)` after `attempts` tries, or nothing for a first-try answer.
pub fn retried(attempts: u32) -> String {
    match attempts.saturating_sub(1) {
        0 => String::new(),
        1 => " (retried once)".into(),
        n => format!(" (retried {n} times)"),
    }
}

/// Runs `op` until it succeeds, fails with a non-transient error, or the budget runs out.
pub async fn retry<T, F, Fut>(budget: Budget, op: F) -> Retried<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, InjectError>>,
{
    retry_until(budget, None, op, || {
        unreachable!("no deadline, no time-out")
    })
    .await
}

/// The least time a first attempt gets, even when the deadline is nearer: a revert is always
/// tried at least once.
pub(crate) const FIRST_TRY: Duration = Duration::from_secs(2);

/// Like [`retry`], bounded by `deadline`: no retry starts after it, and an attempt still
/// running then is cut short with `out_of_time()` (the first attempt always gets at least
/// [`FIRST_TRY`]). What a cut-short attempt did is for the caller's verification to find out.
pub(crate) async fn retry_until<T, F, Fut>(
    budget: Budget,
    deadline: Option<Instant>,
    mut op: F,
    out_of_time: impl Fn() -> InjectError,
) -> Retried<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, InjectError>>,
{
    let mut delay = budget.first_delay;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = match deadline {
            None => op().await,
            Some(d) => {
                let d = if attempt == 1 {
                    d.max(Instant::now() + FIRST_TRY)
                } else {
                    d
                };
                tokio::time::timeout_at(d.into(), op())
                    .await
                    .unwrap_or_else(|_| Err(out_of_time()))
            }
        };
        let time_left = deadline.is_none_or(|d| Instant::now() + delay < d);
        match result {
            Err(e) if e.is_transient() && attempt < budget.attempts && time_left => {
                tracing::warn!(attempt, error = %e, "transient failure; retrying in {}", humantime::format_duration(delay));
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(budget.max_delay);
            }
            result => {
                return Retried {
                    result,
                    attempts: attempt,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transient() -> InjectError {
        InjectError::Aws(crate::aws::AwsError {
            operation: "op",
            resource: "r".into(),
            code: Some("SlowDown".into()),
            transient: true,
            message: "SlowDown: throttled".into(),
        })
    }

    const FAST: Budget = Budget {
        attempts: 3,
        first_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
    };

    #[tokio::test]
    async fn transient_errors_are_retried_until_success() {
        let mut calls = 0;
        let r = retry(FAST, || {
            calls += 1;
            let fail = calls < 3;
            async move { if fail { Err(transient()) } else { Ok(7) } }
        })
        .await;
        assert_eq!(r.result.unwrap(), 7);
        assert_eq!(r.attempts, 3);
    }

    #[tokio::test]
    async fn a_deadline_stops_retries_and_cuts_a_hanging_attempt_short() {
        let slow = Budget {
            attempts: 100,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(100),
        };
        let started = Instant::now();
        let deadline = Some(started + Duration::from_millis(700));
        let r: Retried<()> = retry_until(
            slow,
            deadline,
            || async { Err(transient()) },
            || InjectError::precondition("x", "late"),
        )
        .await;
        assert!(r.result.unwrap_err().is_transient());
        assert!(r.attempts < 10, "{}", r.attempts);
        assert!(started.elapsed() < Duration::from_millis(900));
        // A later attempt that hangs past the deadline is cut short.
        let mut calls = 0;
        let r: Retried<()> = retry_until(
            slow,
            Some(Instant::now() + Duration::from_millis(300)),
            || {
                calls += 1;
                let first = calls == 1;
                async move {
                    if first {
                        Err(transient())
                    } else {
                        std::future::pending().await
                    }
                }
            },
            || InjectError::precondition("x", "out of time"),
        )
        .await;
        assert!(r.result.unwrap_err().to_string().contains("out of time"));
        assert_eq!(r.attempts, 2);
    }

    #[tokio::test]
    async fn the_budget_bounds_the_tries_and_permanent_errors_stop_at_once() {
        let r: Retried<()> = retry(FAST, || async { Err(transient()) }).await;
        assert!(r.result.is_err());
        assert_eq!(r.attempts, 3);
        let r: Retried<()> =
            retry(FAST, || async { Err(InjectError::precondition("x", "no")) }).await;
        assert_eq!(r.attempts, 1);
    }
}
