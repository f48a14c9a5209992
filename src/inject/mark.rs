//! The drill's mark (`driftdrill:<run id>:<scenario id>`) as AWS documents can carry it: policy
//! statement ids allow only letters and digits.

/// The mark's letters and digits: a statement id that tells the drill's statement (or policy
/// version) from anyone else's.
pub(crate) fn sid(mark: &str) -> String {
    mark.chars().filter(char::is_ascii_alphanumeric).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_mark_becomes_a_valid_statement_id() {
        assert_eq!(
            super::sid("driftdrill:20261123T0000Z-abc:iam-trust"),
            "driftdrill20261123T0000Zabciamtrust"
        );
    }
}
