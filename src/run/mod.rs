//! The drill runner: it alone loops, sleeps, times and cancels; plugins only answer.

pub mod baseline;
pub mod change;
mod context;
pub mod discovery;
pub mod drill;
pub(crate) mod event;
mod group_commit;
pub mod guard;
pub mod hub;
pub mod journal;
pub mod observe;
pub mod places;
pub mod plan;
mod poller;
pub mod progress;
pub mod recover;
mod remediation;
pub mod retry;
mod rollback;
pub mod runner;
mod stop;
pub mod watch;
