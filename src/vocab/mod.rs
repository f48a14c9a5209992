//! The shared vocabulary every floor above speaks: target types and selectors, parameter specs,
//! detector roles, and how a run selected its drills. It depends on nothing but `serde`: the
//! file formats read into it, the catalogs (inject, detect) are described in it, records carry it.

pub mod cadence;
pub mod catalog;
pub(crate) mod param;
pub mod role;
pub mod selection;
pub mod target;

pub use param::ParamSpec;
pub use role::Role;
pub use selection::{Selection, Shard};
pub use target::TargetKind;
pub use target::{Naming, Selector, TargetSpec, TargetType};
