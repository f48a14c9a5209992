//! Policy documents (IAM trust and inline policies, S3 bucket policies, and any resource policy
//! of the same grammar) as drift state: each statement is a part, named by its `Sid` or, without
//! one, by its content. `Version` and the other top-level fields frame the document and are kept
//! as they read now. Statements compare as JSON: key order, and a one-item list against its item,
//! never count.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::parts::{Changes, DriftState, Parts};

/// A whole policy document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Policy(pub Value);

/// The statements of a document, whether written as one object or a list.
pub fn statements(doc: &Value) -> Vec<Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// Whether `doc` holds a statement with the drill's `sid`.
pub(crate) fn has_sid(doc: &Value, sid: &str) -> bool {
    statements(doc)
        .iter()
        .any(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))
}

/// `doc` with `statement` appended (a one-object `Statement` becomes a list).
pub(crate) fn with_statement(doc: &Value, statement: Value) -> Value {
    let mut doc = doc.clone();
    let mut all = statements(&doc);
    all.push(statement);
    doc["Statement"] = Value::Array(all);
    doc
}

/// `doc` without the statements carrying `sid`.
pub(crate) fn without_sid(doc: &Value, sid: &str) -> Value {
    let mut doc = doc.clone();
    let kept: Vec<Value> = statements(&doc)
        .into_iter()
        .filter(|s| s.get("Sid").and_then(Value::as_str) != Some(sid))
        .collect();
    doc["Statement"] = Value::Array(kept);
    doc
}

/// A statement in a canonical form: one-item lists become their item, lists of strings and
/// object keys are sorted, so two spellings of one grant compare equal.
pub(crate) fn normalized(value: &Value) -> Value {
    match value {
        Value::Array(items) if items.len() == 1 => normalized(&items[0]),
        Value::Array(items) => {
            let mut out: Vec<Value> = items.iter().map(normalized).collect();
            if out.iter().all(Value::is_string) {
                out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
            Value::Array(out)
        }
        Value::Object(map) => {
            // Sorted keys: the JSON text is then the same however the document was written.
            let sorted: std::collections::BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, normalized(v))).collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        other => other.clone(),
    }
}

/// A resource policy read as text, as drift state: none stays none; text that is not JSON is a
/// precondition error naming the target.
pub(crate) fn parsed(
    target: &super::Target,
    text: Option<String>,
) -> Result<Option<Policy>, super::InjectError> {
    let Some(text) = text else { return Ok(None) };
    serde_json::from_str(&text)
        .map(|v| Some(Policy(v)))
        .map_err(|e| {
            super::InjectError::precondition(
                &target.to_string(),
                format!("its policy is not valid JSON ({e})"),
            )
        })
}

/// `before` (or, without a policy, an empty document) with the drill's `statement` added; a
/// document without a `Statement` is a precondition error.
pub(crate) fn adding(
    target: &super::Target,
    before: &Option<Policy>,
    statement: Value,
) -> Result<Option<Policy>, super::InjectError> {
    let policy = before.clone().map_or_else(
        || json!({ "Version": "2012-10-17", "Statement": [] }),
        |p| p.0,
    );
    if policy.get("Statement").is_none() {
        return Err(super::InjectError::precondition(
            &target.to_string(),
            "its policy has no Statement",
        ));
    }
    Ok(Some(Policy(with_statement(&policy, statement))))
}

/// The part a statement is: `statement "Sid"`, or its canonical JSON when it has no Sid.
pub fn key(statement: &Value) -> String {
    match statement.get("Sid").and_then(Value::as_str) {
        Some(sid) if !sid.is_empty() => format!("statement {sid:?}"),
        _ => format!("statement {}", normalized(statement)),
    }
}

fn statement_parts(doc: &Value) -> Parts {
    statements(doc).into_iter().map(|s| (key(&s), s)).collect()
}

/// `doc`'s statements with `changes` applied: replaced or dropped in place, new ones appended.
fn with_statements(doc: &Value, changes: &Changes) -> Value {
    let mut placed = std::collections::BTreeSet::new();
    let mut kept = Vec::new();
    for s in statements(doc) {
        let k = key(&s);
        match changes.get(&k) {
            None => kept.push(s),
            Some(change) => {
                placed.insert(k);
                kept.extend(change.clone());
            }
        }
    }
    for (k, change) in changes {
        if !placed.contains(k) {
            kept.extend(change.clone());
        }
    }
    let mut doc = doc.clone();
    doc["Statement"] = Value::Array(kept);
    doc
}

fn same_statement(drill: &Value, live: &Value) -> bool {
    normalized(drill) == normalized(live)
}

impl DriftState for Policy {
    fn parts(&self) -> Parts {
        statement_parts(&self.0)
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        Policy(with_statements(&self.0, changes))
    }

    fn holds(_key: &str, drill: &Value, live: &Value) -> bool {
        same_statement(drill, live)
    }
}

/// A document that may not exist (a bucket without a policy): no statements left means none.
impl DriftState for Option<Policy> {
    fn parts(&self) -> Parts {
        self.as_ref().map(Policy::parts).unwrap_or_default()
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        let base = self
            .clone()
            .unwrap_or_else(|| Policy(json!({ "Version": "2012-10-17", "Statement": [] })));
        let doc = base.with_parts(changes);
        (!statements(&doc.0).is_empty()).then_some(doc)
    }

    fn holds(_key: &str, drill: &Value, live: &Value) -> bool {
        same_statement(drill, live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inject::parts::{plan, residue};

    fn tls_only() -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    }

    fn public(sid: &str) -> Value {
        json!({"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
    }

    #[test]
    fn a_colleagues_statement_is_kept_and_the_drills_removed() {
        let snap = Some(Policy(tls_only()));
        let injected = Some(Policy(with_statement(&tls_only(), public("Drill"))));
        let theirs = json!({"Sid": "Audit", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"});
        let live = Some(Policy(with_statement(
            &injected.clone().unwrap().0,
            theirs.clone(),
        )));
        let p = plan(&snap, &injected, &live);
        assert_eq!(
            p.changes,
            Changes::from([("statement \"Drill\"".into(), None)])
        );
        assert_eq!(p.elsewhere, vec!["statement \"Audit\"".to_string()]);
        let desired = live.with_parts(&p.changes).unwrap();
        assert_eq!(
            statements(&desired.0),
            vec![statements(&tls_only())[0].clone(), theirs]
        );
        assert!(residue(&snap, &injected, &Some(desired), str::to_string).is_empty());
        assert_eq!(
            residue(&snap, &injected, &live, str::to_string),
            vec![format!(
                "statement \"Drill\" still reads the drill's value {}",
                public("Drill")
            )]
        );
    }

    #[test]
    fn the_drills_statement_in_another_spelling_is_still_the_drills() {
        let snap: Option<Policy> = None;
        let injected = Some(Policy(with_statement(
            &json!({"Version": "2012-10-17"}),
            public("Drill"),
        )));
        let mut respelled = public("Drill");
        respelled["Action"] = json!(["s3:GetObject"]);
        let live = Some(Policy(with_statement(&json!({"Statement": []}), respelled)));
        let p = plan(&snap, &injected, &live);
        assert_eq!(
            p.changes,
            Changes::from([("statement \"Drill\"".into(), None)])
        );
        // The last statement gone: the policy is deleted, as before the drill.
        assert_eq!(live.with_parts(&p.changes), None);
    }

    #[test]
    fn statements_without_a_sid_are_told_apart_by_content() {
        let a = json!({"Effect": "Allow", "Action": ["b", "a"]});
        let b = json!({"Action": ["a", "b"], "Effect": "Allow"});
        assert_eq!(key(&a), key(&b));
        assert_ne!(key(&a), key(&json!({"Effect": "Deny", "Action": "a"})));
    }
}
