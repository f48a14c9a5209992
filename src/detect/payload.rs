//! Alert payload formats the webhook and SQS channels understand.

/// Every built-in payload format.
pub const FORMATS: &[&str] = &[
    "generic",
    "slack",
    "pagerduty",
    "alertmanager",
    "spacelift",
    "hcp-terraform",
    "env0",
];
