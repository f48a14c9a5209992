//! Embedded LocalStack 4.12.0 for tests and the demo: Docker (testcontainers), host mode, or external.

pub mod docker;
pub mod host;
pub mod launcher;

pub use launcher::{LocalStack, LocalStackError, Mode, start};

/// The LocalStack version driftdrill pins: the last free community line that runs on Python 3.11.
pub const VERSION: &str = "4.12.0";
/// Services the embedded LocalStack starts.
pub const SERVICES: &str = "ec2,s3,sts,iam,sqs";
