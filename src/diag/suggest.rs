//! "Did you mean" suggestions for misspelt keys and names.

/// The closest candidate to `input`, if one is close enough to be a plausible typo.
pub(crate) fn closest<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A hint sentence for an unknown word: a suggestion when one is close, else the valid choices.
pub fn hint(input: &str, candidates: &[&str]) -> String {
    match closest(input, candidates.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None if candidates.is_empty() => "nothing is expected here".to_string(),
        None => format!(
            "expected one of: {}",
            candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        assert_eq!(
            closest("detect_witin", ["detect_within", "alert_within"]),
            Some("detect_within")
        );
        assert_eq!(closest("zzz", ["detect_within"]), None);
        assert_eq!(
            hint("protocl", &["port", "protocol"]),
            "did you mean `protocol`?"
        );
    }
}
