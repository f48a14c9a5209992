//! Embedded LocalStack 4.12.0 for tests and the demo: Docker (the docker CLI), host mode, or external.

pub(crate) mod docker;
mod error;
pub mod host;
pub mod launcher;

pub use error::{SERVICES, VERSION};
pub use launcher::{LocalStack, Mode, start};
