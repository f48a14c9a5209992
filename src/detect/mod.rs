//! Detectors (which observe drift) and alert channels (which receive alerts), one file per type,
//! listed in one static catalog.

pub mod command;
pub mod payload;
pub mod sqs;
pub mod terraform;
pub mod webhook;

use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::formats::ParamSpec;

/// Whether a type finds drift itself (SLA: `detect_within`) or delivers alerts (`alert_within`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Detector,
    Channel,
}

/// A catalog entry for one detector or channel type.
pub struct DetectorSpec {
    /// The `type` value in `driftdrill.toml`.
    pub id: &'static str,
    pub role: Role,
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    /// A valid table body without `name` and `type` (docs, `list`, round-trip tests).
    pub example: &'static str,
    /// Reads and checks the settings, reporting every problem.
    pub read: fn(&mut TableReader) -> Option<serde_json::Value>,
    /// Parses settings into the type's own struct and serialises them again (round trip).
    pub roundtrip: fn(&serde_json::Value) -> Result<serde_json::Value, serde_json::Error>,
}

/// Every detector and channel type, in the order `driftdrill list` shows them.
pub static CATALOG: &[&DetectorSpec] =
    &[&terraform::SPEC, &command::SPEC, &webhook::SPEC, &sqs::SPEC];

pub fn find(id: &str) -> Option<&'static DetectorSpec> {
    CATALOG.iter().copied().find(|s| s.id == id)
}
