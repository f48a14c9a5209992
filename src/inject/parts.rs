//! A drift state seen as parts: statements by id, rules by id or value, grants, tags and fields
//! by name. A revert undoes the drill's change part by part and keeps every other part as it is
//! now; verification asks whether any of the drill's parts is still there.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A state's parts, each under a key that names it for a person (`tag Owner`, `statement
/// "AllowTls"`, `HttpTokens`), its value as JSON.
pub(crate) type Parts = BTreeMap<String, Value>;

/// Parts to set (`Some`) or remove (`None`).
pub(crate) type Changes = BTreeMap<String, Option<Value>>;

/// The key a single-valued state (an instance type, a flag) keeps its one part under; messages
/// name it with the action's subject instead.
pub(crate) const VALUE: &str = "value";

/// The state an action touches, as parts. The contract: `with_parts(&parts_of_a_state_changes)`
/// changes exactly the named parts and keeps every other part, and a state's `parts` name
/// everything a drill can change.
pub trait DriftState:
    Clone + PartialEq + Debug + Serialize + DeserializeOwned + Send + Sync
{
    /// Every part a drill can change.
    fn parts(&self) -> Parts;
    /// This state with `changes` applied, every other part as it is.
    fn with_parts(&self, changes: &Changes) -> Self;
    /// Whether `live`, under `key`, still holds what the drill put there. By default only the
    /// same value does; a security-group rule holds the drill's opening whatever its description.
    fn holds(_key: &str, drill: &Value, live: &Value) -> bool {
        drill == live
    }
}

/// What became of one part the drill changed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fate {
    /// It still holds the drill's value (or, for a removal, is still missing): undo it.
    Ours,
    /// It reads as before the drill: nothing to do.
    Back,
    /// Someone else changed it to something else: keep their value.
    Theirs(Option<Value>),
}

/// What a revert must do, part by part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Parts to write back to their snapshot value.
    pub changes: Changes,
    /// The drill's parts someone else changed since: kept as they read now.
    pub theirs: Vec<(String, Option<Value>)>,
    /// Parts the drill never touched that someone else changed since: kept.
    pub elsewhere: Vec<String>,
}

/// The parts whose snapshot and injected values differ: what the drill changed.
pub fn changed<S: DriftState>(snapshot: &S, injected: &S) -> BTreeSet<String> {
    let (s, i) = (snapshot.parts(), injected.parts());
    s.keys()
        .chain(i.keys())
        .filter(|k| s.get(*k) != i.get(*k))
        .cloned()
        .collect()
}

/// The fate of one changed part, given its snapshot, injected and live values.
pub(crate) fn fate<S: DriftState>(
    key: &str,
    snapshot: Option<&Value>,
    injected: Option<&Value>,
    live: Option<&Value>,
) -> Fate {
    let holds = match (injected, live) {
        (Some(i), Some(l)) => S::holds(key, i, l),
        (None, None) => true,
        _ => false,
    };
    if holds {
        Fate::Ours
    } else if live == snapshot {
        Fate::Back
    } else {
        Fate::Theirs(live.cloned())
    }
}

/// The revert, part by part: undo every part that still holds the drill's value, keep every
/// part someone else changed.
pub fn plan<S: DriftState>(snapshot: &S, injected: &S, live: &S) -> Plan {
    let (s, i, l) = (snapshot.parts(), injected.parts(), live.parts());
    let changed = changed(snapshot, injected);
    let mut plan = Plan::default();
    for key in &changed {
        match fate::<S>(key, s.get(key), i.get(key), l.get(key)) {
            Fate::Ours => {
                plan.changes.insert(key.clone(), s.get(key).cloned());
            }
            Fate::Back => {}
            Fate::Theirs(now) => plan.theirs.push((key.clone(), now)),
        }
    }
    plan.elsewhere = i
        .keys()
        .chain(l.keys())
        .filter(|k| !changed.contains(*k) && i.get(*k) != l.get(*k))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    plan
}

/// What of the drill's change is still there, in words (empty: the change is gone). A part
/// someone else changed to their own value is theirs, not the drill's.
pub(crate) fn residue<S: DriftState>(
    snapshot: &S,
    injected: &S,
    live: &S,
    name: impl Fn(&str) -> String,
) -> Vec<String> {
    let (s, i, l) = (snapshot.parts(), injected.parts(), live.parts());
    changed(snapshot, injected)
        .into_iter()
        .filter(|k| fate::<S>(k, s.get(k), i.get(k), l.get(k)) == Fate::Ours)
        .map(|k| match i.get(&k) {
            None => format!("{}, which the drill removed, is still missing", name(&k)),
            Some(v) => format!("{} still reads the drill's value {}", name(&k), show(v)),
        })
        .collect()
}

/// The drill's parts that do not read as injected, in words (empty: the change is live).
pub(crate) fn not_live<S: DriftState>(
    snapshot: &S,
    injected: &S,
    live: &S,
    name: impl Fn(&str) -> String,
) -> Vec<String> {
    let (s, i, l) = (snapshot.parts(), injected.parts(), live.parts());
    changed(snapshot, injected)
        .into_iter()
        .filter(|k| fate::<S>(k, s.get(k), i.get(k), l.get(k)) != Fate::Ours)
        .map(|k| match (i.get(&k), l.get(&k)) {
            (None, _) => format!("{} is still there", name(&k)),
            (Some(v), now) => format!("{} reads {}, not {}", name(&k), shown(now), show(v)),
        })
        .collect()
}

/// Every part that reads differently from the snapshot, in words (empty: it reads as before).
pub(crate) fn differences<S: DriftState>(
    snapshot: &S,
    live: &S,
    name: impl Fn(&str) -> String,
) -> Vec<String> {
    let (s, l) = (snapshot.parts(), live.parts());
    changed(snapshot, live)
        .into_iter()
        .map(|k| {
            format!(
                "{} reads {}, not {} as before the drill",
                name(&k),
                shown(l.get(&k)),
                shown(s.get(&k))
            )
        })
        .collect()
}

impl Plan {
    /// Whether someone else changed anything since the injection.
    pub(crate) fn others_changed(&self) -> bool {
        !self.theirs.is_empty() || !self.elsewhere.is_empty()
    }

    /// What someone else changed and the revert kept, in words; `None` when nobody did.
    pub fn describe(&self, name: impl Fn(&str) -> String) -> Option<String> {
        let mut lines: Vec<String> = self
            .theirs
            .iter()
            .map(|(k, now)| {
                format!(
                    "someone else changed {} since the injection (it now reads {}): their value was kept",
                    name(k),
                    shown(now.as_ref())
                )
            })
            .collect();
        if !self.elsewhere.is_empty() {
            let keys: Vec<String> = self.elsewhere.iter().map(|k| name(k)).collect();
            lines.push(format!(
                "someone else changed {} since the injection: their edits were kept",
                keys.join(", ")
            ));
        }
        (!lines.is_empty()).then(|| lines.join("; "))
    }
}

/// A value as compact JSON, cut to a readable length.
pub fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 300 {
        text
    } else {
        format!("{}…", text.chars().take(300).collect::<String>())
    }
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "nothing (removed)".to_string(), show)
}

/// JSON of a serialisable value.
pub fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("drift state serialises")
}

/// One member of a set-valued state (rules, grants, attachments).
pub(crate) trait Element:
    Ord + Clone + Debug + Serialize + DeserializeOwned + Send + Sync
{
    /// What tells this member from the others: by default all of it.
    fn key(&self) -> String {
        json(self).to_string()
    }
    /// Whether `live` still holds the drill's member `drill` (same key): by default only if equal.
    fn holds(drill: &Self, live: &Self) -> bool {
        drill == live
    }
}

impl Element for String {
    fn key(&self) -> String {
        self.clone()
    }
}

/// Set-valued state: each member is a part.
impl<T: Element> DriftState for BTreeSet<T> {
    fn parts(&self) -> Parts {
        self.iter().map(|e| (e.key(), json(e))).collect()
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        let mut out: BTreeSet<T> = self
            .iter()
            .filter(|e| !changes.contains_key(&e.key()))
            .cloned()
            .collect();
        out.extend(
            changes
                .values()
                .flatten()
                .filter_map(|v| serde_json::from_value(v.clone()).ok()),
        );
        out
    }

    fn holds(_key: &str, drill: &Value, live: &Value) -> bool {
        match (
            serde_json::from_value::<T>(drill.clone()),
            serde_json::from_value::<T>(live.clone()),
        ) {
            (Ok(d), Ok(l)) => T::holds(&d, &l),
            _ => drill == live,
        }
    }
}

/// Tags: each key is a part.
impl DriftState for BTreeMap<String, String> {
    fn parts(&self) -> Parts {
        self.iter()
            .map(|(k, v)| (format!("tag {k}"), Value::String(v.clone())))
            .collect()
    }

    fn with_parts(&self, changes: &Changes) -> Self {
        let mut out = self.clone();
        for (key, value) in changes {
            let Some(tag) = key.strip_prefix("tag ") else {
                continue;
            };
            match value.as_ref().and_then(Value::as_str) {
                Some(v) => out.insert(tag.to_string(), v.to_string()),
                None => out.remove(tag),
            };
        }
        out
    }
}

/// Single values (a flag, a number, a type name): one part, [`VALUE`].
macro_rules! single_value {
    ($($t:ty),*) => { $(
        impl DriftState for $t {
            fn parts(&self) -> Parts {
                Parts::from([(VALUE.to_string(), json(self))])
            }
            fn with_parts(&self, changes: &Changes) -> Self {
                match changes.get(VALUE) {
                    Some(Some(v)) => serde_json::from_value(v.clone()).unwrap_or_else(|_| self.clone()),
                    _ => self.clone(),
                }
            }
        }
    )* };
}
single_value!(bool, i32, String);

/// Values that may be absent (a tag, a versioning status, a retention that never expires): one
/// part when present.
macro_rules! optional_value {
    ($($t:ty),*) => { $(
        impl DriftState for Option<$t> {
            fn parts(&self) -> Parts {
                self.iter().map(|v| (VALUE.to_string(), json(v))).collect()
            }
            fn with_parts(&self, changes: &Changes) -> Self {
                match changes.get(VALUE) {
                    Some(v) => v.as_ref().and_then(|v| serde_json::from_value(v.clone()).ok()),
                    None => self.clone(),
                }
            }
        }
    )* };
}
optional_value!(String, i32);

/// The fields of a record-like state, each a part (absent fields are no part).
pub fn fields<T: Serialize>(value: &T) -> Parts {
    match json(value) {
        Value::Object(map) => map.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        other => Parts::from([(VALUE.to_string(), other)]),
    }
}

/// `value` with some fields set or cleared; fields that cannot be read back keep their value.
pub(crate) fn with_fields<T: Serialize + DeserializeOwned + Clone>(
    value: &T,
    changes: &Changes,
) -> T {
    let Value::Object(mut map) = json(value) else {
        return value.clone();
    };
    for (key, change) in changes {
        map.insert(key.clone(), change.clone().unwrap_or(Value::Null));
    }
    serde_json::from_value(Value::Object(map)).unwrap_or_else(|_| value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sets_undo_only_the_drills_member_and_keep_a_colleagues() {
        let snap: BTreeSet<String> = ["a".into()].into();
        let injected: BTreeSet<String> = ["a".into(), "drill".into()].into();
        let live: BTreeSet<String> = ["a".into(), "drill".into(), "theirs".into()].into();
        let plan = plan(&snap, &injected, &live);
        assert_eq!(plan.changes, Changes::from([("drill".into(), None)]));
        assert_eq!(plan.elsewhere, vec!["theirs".to_string()]);
        let desired = live.with_parts(&plan.changes);
        assert_eq!(desired, ["a".to_string(), "theirs".into()].into());
        assert!(residue(&snap, &injected, &desired, str::to_string).is_empty());
        assert_eq!(residue(&snap, &injected, &live, str::to_string).len(), 1);
    }

    #[test]
    fn a_tag_someone_else_changed_is_theirs_and_not_residue() {
        let snap = tags(&[("ManagedBy", "terraform")]);
        let injected = tags(&[]);
        let live = tags(&[("ManagedBy", "pulumi")]);
        let plan = plan(&snap, &injected, &live);
        assert!(plan.changes.is_empty());
        assert_eq!(
            plan.theirs,
            vec![("tag ManagedBy".to_string(), Some(json!("pulumi")))]
        );
        assert!(residue(&snap, &injected, &live, str::to_string).is_empty());
        // Still removed: the drill's change is there.
        assert_eq!(
            residue(&snap, &injected, &injected, str::to_string),
            vec!["tag ManagedBy, which the drill removed, is still missing".to_string()]
        );
    }

    #[test]
    fn single_values_are_undone_only_while_they_read_as_injected() {
        let p = plan(
            &"t3.micro".to_string(),
            &"t3.large".into(),
            &"t3.large".into(),
        );
        assert_eq!(
            p.changes,
            Changes::from([(VALUE.into(), Some(json!("t3.micro")))])
        );
        let p = plan(
            &"t3.micro".to_string(),
            &"t3.large".into(),
            &"m5.large".into(),
        );
        assert!(p.changes.is_empty());
        assert_eq!(p.theirs.len(), 1);
        assert_eq!(
            "m5.large"
                .to_string()
                .with_parts(&Changes::from([(VALUE.into(), Some(json!("t3.micro")))])),
            "t3.micro"
        );
    }

    #[test]
    fn fields_change_one_at_a_time() {
        #[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
        struct Options {
            tokens: String,
            hops: i32,
        }
        let snap = Options {
            tokens: "required".into(),
            hops: 1,
        };
        let injected = Options {
            tokens: "optional".into(),
            hops: 1,
        };
        let live = Options {
            tokens: "optional".into(),
            hops: 3,
        };
        let changes = Changes::from([("tokens".into(), Some(json!("required")))]);
        assert_eq!(changed_fields(&snap, &injected), vec!["tokens".to_string()]);
        let desired = with_fields(&live, &changes);
        assert_eq!(
            desired,
            Options {
                tokens: "required".into(),
                hops: 3
            }
        );
        fn changed_fields(a: &Options, b: &Options) -> Vec<String> {
            let (a, b) = (fields(a), fields(b));
            a.keys()
                .filter(|k| a.get(*k) != b.get(*k))
                .cloned()
                .collect()
        }
    }

    #[test]
    fn words_name_the_part_and_show_json() {
        let plan = Plan {
            changes: Changes::new(),
            theirs: vec![("statement \"Tls\"".into(), None)],
            elsewhere: vec!["tag Owner".into()],
        };
        let text = plan.describe(|k| k.to_string()).unwrap();
        assert_eq!(
            text,
            "someone else changed statement \"Tls\" since the injection (it now reads nothing (removed)): their value was kept; someone else changed tag Owner since the injection: their edits were kept"
        );
    }
}
