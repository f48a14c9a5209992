//! The quarterly detection-coverage report: run records in, one model out, rendered as terminal
//! tables, Markdown, self-contained HTML, JSON and JUnit XML.

pub mod advice;
pub mod calls;
pub mod feasibility;
pub mod health;
pub mod html;
pub mod junit;
pub mod markdown;
pub(crate) mod model;
pub mod openmetrics;
pub mod period;
pub mod records;
pub mod remediation;
pub(crate) mod sections;
pub mod spread;
pub mod tally;
pub mod terminal;
pub mod text;
pub mod trend;

pub use model::{Report, build};
pub use period::Period;
