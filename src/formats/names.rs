//! The checks names and regions share wherever a config names them (detectors, channels,
//! environments, allow-lists): each reports its problem at the value and says whether it passed.

use crate::diag::{Located, TableReader};

/// Names (detectors, environments) are letters, digits, `-` and `_`: they appear in drill
/// labels, metrics and file names. Reports and returns false otherwise.
pub(super) fn check_name(r: &TableReader, name: &Located<String>, what: &str) -> bool {
    let ok = !name.value.is_empty()
        && name
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        r.report(name.diag(
            "invalid-value",
            format!(
                "{what} name {:?} may only use letters, digits, - and _",
                name.value
            ),
        ));
    }
    ok
}

pub(super) fn check_region(r: &TableReader, s: Located<String>) -> Option<String> {
    let ok = s.value.split('-').count() >= 3
        && s.value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && s.value.ends_with(|c: char| c.is_ascii_digit());
    if ok {
        Some(s.value)
    } else {
        r.report(
            s.diag(
                "invalid-value",
                format!("{:?} is not an AWS region name", s.value),
            )
            .with_hint("e.g. \"us-east-1\""),
        );
        None
    }
}

/// A 12-digit AWS account id, or an error at its span.
pub(super) fn check_account(r: &TableReader, a: &Located<String>) -> bool {
    let ok = a.value.len() == 12 && a.value.chars().all(|c| c.is_ascii_digit());
    if !ok {
        r.report(a.diag(
            "invalid-value",
            format!("{:?} is not a 12-digit AWS account id", a.value),
        ));
    }
    ok
}
