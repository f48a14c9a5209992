//! driftdrill: drift fire drills. Inject controlled drift into non-production cloud resources,
//! measure how fast the team's detectors catch it, revert it exactly, and report coverage.

pub mod aws;
pub mod batch;
pub mod cache;
pub mod calls;
pub mod catalogs;
pub mod cli;
pub mod commands;
pub mod detect;
pub mod diag;
pub mod errors;
pub mod exit_codes;
pub mod formats;
pub mod inject;
pub mod localstack;
pub mod permissions;
pub mod process;
pub mod record;
pub mod report;
pub mod run;
pub mod s3_records;
pub mod terraform;
pub mod vocab;
