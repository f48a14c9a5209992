//! What a detector or channel is to an expectation: something that finds drift itself, or
//! something alerts are delivered to.

use serde::{Deserialize, Serialize};

/// Whether a type finds drift itself (SLA: `detect_within`) or delivers alerts (`alert_within`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Detector,
    Channel,
}

impl Role {
    /// The words tables and reports use.
    pub fn label(self) -> &'static str {
        match self {
            Role::Detector => "detector",
            Role::Channel => "alert channel",
        }
    }
}
