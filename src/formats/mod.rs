//! The user-facing file formats: scenarios (`scenarios/**/*.toml`) and the drill config
//! (`driftdrill.toml`), read with every problem collected and located.

pub mod config;
pub mod environment;
pub mod feasibility;
pub mod load;
mod names;
pub mod remediator;
pub mod scenario;
pub mod stop_condition;
pub mod target;

pub use config::DrillConfig;
pub use load::load;
pub use scenario::Scenario;
