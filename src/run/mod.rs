//! The drill runner: it alone loops, sleeps, times and cancels; plugins only answer.

pub mod drill;
pub mod hub;
pub mod journal;
pub mod observe;
pub mod record;
pub mod recover;
pub mod retry;
mod rollback;
pub mod runner;
