//! Attribution: does an observation name this drill's resource (or its mark)? Ids match only as
//! whole tokens, so `sg-12` never matches inside `sg-123`.

use super::Observation;

/// True if `term` occurs in `text` delimited by non-id characters. A term ending in `.` is a
/// prefix (`aws_ebs_encryption_by_default.` matches the address
/// `aws_ebs_encryption_by_default.this`): only its start must be delimited.
pub(crate) fn mentions(text: &str, term: &str) -> bool {
    if term.is_empty() {
        return false;
    }
    let prefix = term.ends_with('.');
    let is_id_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    text.match_indices(term).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + term.len()..].chars().next();
        !before.is_some_and(is_id_char) && (prefix || !after.is_some_and(is_id_char))
    })
}

/// True if the observation names any of the terms: exactly among its resources (ARNs ending
/// in the id count), or as a whole token in its text.
pub fn names_any(obs: &Observation, terms: &[String]) -> bool {
    terms.iter().any(|term| {
        obs.resources.iter().any(|r| {
            r == term || r.ends_with(&format!(":{term}")) || r.ends_with(&format!("/{term}"))
        }) || mentions(&obs.text, term)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_as_whole_tokens() {
        assert!(mentions("drift on sg-0abc (tcp/22)", "sg-0abc"));
        assert!(mentions("\"id\":\"sg-0abc\"", "sg-0abc"));
        assert!(!mentions("drift on sg-0abcd", "sg-0abc"));
        assert!(!mentions("dd-sample-data-logs", "dd-sample-data"));
        assert!(mentions(
            "bucket dd-sample-data: versioning",
            "dd-sample-data"
        ));
    }

    #[test]
    fn a_prefix_term_matches_the_addresses_it_starts() {
        let term = "aws_ebs_encryption_by_default.";
        assert!(mentions(
            "  # aws_ebs_encryption_by_default.this has changed",
            term
        ));
        assert!(!mentions(
            "module.x_aws_ebs_encryption_by_default.this",
            term
        ));
        assert!(!mentions(
            "resource \"aws_ebs_encryption_by_default\" \"this\"",
            term
        ));
    }

    #[test]
    fn arns_match_their_ids() {
        let obs = Observation::now(
            vec!["arn:aws:ec2:us-east-1:000000000000:security-group/sg-1".into()],
            String::new(),
            String::new(),
        );
        assert!(names_any(&obs, &["sg-1".into()]));
        assert!(!names_any(&obs, &["sg-2".into()]));
        let bucket = Observation::now(
            vec!["arn:aws:s3:::my-bucket".into()],
            String::new(),
            String::new(),
        );
        assert!(names_any(&bucket, &["my-bucket".into()]));
    }
}
