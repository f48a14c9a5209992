//! IAM policy documents as IAM returns them (URL-encoded), and the document a drill grants by
//! default. Their statements are compared and reverted part by part in [`crate::inject::policy`];
//! the drill's statements carry a `Sid` made from the drill's mark, so its own statement or
//! version can be told from anyone else's.

use serde_json::{Value, json};

use crate::inject::InjectError;

/// Decodes `%XX` escapes (and `+` as space) in a document IAM returned.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads a document as IAM returned it (URL-encoded JSON, or plain JSON from some emulators).
pub fn parse(resource: &str, raw: &str) -> Result<Value, InjectError> {
    let text = if raw.trim_start().starts_with('{') {
        raw.to_string()
    } else {
        percent_decode(raw)
    };
    serde_json::from_str(&text).map_err(|source| InjectError::State {
        resource: resource.to_string(),
        source,
    })
}

/// The default document a drill grants: everything, on everything (what an engineer attaches
/// "for a minute" during an incident), marked with the drill's statement id.
pub(crate) fn grant_everything(sid: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{ "Sid": sid, "Effect": "Allow", "Action": "*", "Resource": "*" }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inject::mark::sid;

    #[test]
    fn url_encoded_documents_read_as_json_and_compare_as_json() {
        let raw = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        let a = parse("r", raw).unwrap();
        let b = parse("r", r#"{ "Statement": [], "Version": "2012-10-17" }"#).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn the_drill_statement_is_found_by_its_sid() {
        use crate::inject::policy::{has_sid, statements, with_statement};
        let id = sid("driftdrill:run:iam-trust");
        let doc = with_statement(
            &json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny"}}),
            json!({"Sid": id, "Effect": "Allow"}),
        );
        assert_eq!(statements(&doc).len(), 2);
        assert!(has_sid(&doc, &id));
        assert!(!has_sid(&grant_everything("Other"), &id));
    }
}
