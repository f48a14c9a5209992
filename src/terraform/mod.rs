//! Running terraform (or tofu) offline: provider-mirror discovery, CLI config, workspaces, and
//! the embedded sample environment.

pub mod mirror;
pub mod sample_env;
pub mod workspace;

pub use workspace::TerraformError;
pub use workspace::{PlanExit, Workspace};
