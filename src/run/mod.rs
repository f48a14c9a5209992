//! The drill runner: it alone loops, sleeps, times and cancels; plugins only answer.

pub mod retry;
