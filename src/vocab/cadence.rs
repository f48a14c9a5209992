//! How often senders outside driftdrill look for drift: an alert from one of them cannot arrive
//! sooner than its next scheduled check, so an SLA shorter than its cadence can never be met.
//! One table, keyed by the webhook `format` id (or a sender's name), each entry citing its source.

use std::time::Duration;

/// One sender's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    /// The webhook `format` id (or, for senders without one, the name in advice).
    pub sender: &'static str,
    /// The people's name for the sender's check, for advice.
    pub check: &'static str,
    /// The shortest time between two checks the sender allows; `None`: the user's own schedule.
    pub at_least: Option<Duration>,
    /// The sender's default time between checks, when it differs from `at_least`.
    pub default: Option<Duration>,
}

const HOUR: u64 = 3600;

/// Every sender with a known schedule.
pub const CADENCES: &[Cadence] = &[
    // HashiCorp, "Health" (Terraform Enterprise / HCP Terraform workspaces): "automatically runs
    // a health assessment for your workspace about every 4 hours".
    Cadence {
        sender: "hcp-terraform",
        check: "health assessments",
        at_least: Some(Duration::from_secs(4 * HOUR)),
        default: None,
    },
    // env0, "Drift Detection": a cron schedule whose shortest interval is one hour.
    Cadence {
        sender: "env0",
        check: "scheduled drift detection",
        at_least: Some(Duration::from_secs(HOUR)),
        default: None,
    },
    // Spacelift, "Drift detection": runs on the stack's own cron schedule; no fixed minimum.
    Cadence {
        sender: "spacelift",
        check: "drift detection schedule",
        at_least: None,
        default: None,
    },
    // AWS Config, "Evaluation Mode and Trigger Types": periodic rules run every 1, 3, 6, 12 or
    // 24 hours (MaximumExecutionFrequency), 24 hours unless set.
    Cadence {
        sender: "aws-config",
        check: "periodic Config rules",
        at_least: Some(Duration::from_secs(HOUR)),
        default: Some(Duration::from_secs(24 * HOUR)),
    },
    // AWS Security Hub, "Schedule for running security checks": periodic controls run within 12
    // or 24 hours of their last run.
    Cadence {
        sender: "security-hub",
        check: "periodic controls",
        at_least: Some(Duration::from_secs(12 * HOUR)),
        default: Some(Duration::from_secs(24 * HOUR)),
    },
];

/// The schedule of a sender, by webhook `format` id.
pub fn of(sender: &str) -> Option<&'static Cadence> {
    CADENCES.iter().find(|c| c.sender == sender)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sender_is_listed_once_and_defaults_are_never_shorter_than_the_minimum() {
        let mut names: Vec<_> = CADENCES.iter().map(|c| c.sender).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CADENCES.len());
        for c in CADENCES {
            if let (Some(min), Some(default)) = (c.at_least, c.default) {
                assert!(default >= min, "{c:?}");
            }
        }
        assert_eq!(
            of("env0").unwrap().at_least,
            Some(Duration::from_secs(3600))
        );
        assert!(of("slack").is_none());
    }
}
