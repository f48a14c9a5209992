//! What a scenario drills: a resource type plus an explicit id/name or a tag selector.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A resource type driftdrill can drill, by the name terraform gives it
/// (`aws_security_group`). Each service folder under `inject/` declares its own types; the
/// vocabulary only names them, so a new service adds types without touching this file.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetType(&'static str);

impl TargetType {
    /// A type a service declares.
    pub const fn new(name: &'static str) -> TargetType {
        TargetType(name)
    }

    /// The type named `text`, as read back from a journal or record (names are interned: each
    /// distinct name is kept once for the life of the process).
    pub fn named(text: &str) -> TargetType {
        static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
        let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = names.iter().find(|n| **n == text) {
            return TargetType(known);
        }
        let leaked: &'static str = Box::leak(text.to_string().into_boxed_str());
        names.push(leaked);
        TargetType(leaked)
    }

    /// The terraform resource type name, as written in scenario files.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for TargetType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::fmt::Debug for TargetType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for TargetType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for TargetType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(TargetType::named(&text))
    }
}

/// How a scenario names one resource of a type, besides its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// By id (`id = "sg-..."`).
    Id,
    /// By name (`name = "my-bucket"`).
    Name,
    /// By name, or by id holding its ARN (IAM).
    NameOrArn,
    /// An account-wide setting of one region (`id = "us-east-1"`): no tags, so the tag
    /// guardrails cannot vouch for it; drills on it are refused unless
    /// `[safety] account_settings = true`.
    Setting,
}

/// What the file formats, the planner and the guardrails know of a target type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetKind {
    pub kind: TargetType,
    pub naming: Naming,
    /// Global resources (IAM): the region allow-list does not apply to them, the account
    /// allow-list does, and a drill runs once per environment.
    pub global: bool,
}

impl TargetKind {
    /// What a drill on an account setting of this kind changes, as words: "a whole account"
    /// when global, else "a whole account and region".
    pub fn setting_scope(&self) -> &'static str {
        if self.global {
            "a whole account"
        } else {
            "a whole account and region"
        }
    }
}

/// Whether `tags` carry every `wanted` key with its value (what a `tags = {...}` selector asks
/// of a resource; other tags do not matter).
pub fn carries(tags: &BTreeMap<String, String>, wanted: &BTreeMap<String, String>) -> bool {
    wanted.iter().all(|(k, v)| tags.get(k) == Some(v))
}

/// How the concrete resource is found when the drill starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selector {
    /// An EC2 id (`sg-...`, `i-...`, `acl-...`).
    Id(String),
    /// A bucket name.
    Name(String),
    /// Every given tag must match; exactly one resource may match.
    Tags(BTreeMap<String, String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSpec {
    #[serde(rename = "type")]
    pub kind: TargetType,
    pub selector: Selector,
}

impl std::fmt::Display for TargetSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.selector {
            Selector::Id(id) | Selector::Name(id) => write!(f, "{} {id}", self.kind),
            Selector::Tags(tags) => {
                let tags: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                write!(f, "{} tagged {}", self.kind, tags.join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::carries;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_resource_carries_every_wanted_tag_and_may_carry_more() {
        let tags = map(&[("Environment", "staging"), ("drill:target", "web")]);
        assert!(carries(&tags, &map(&[("drill:target", "web")])));
        assert!(carries(&tags, &map(&[])));
        assert!(!carries(&tags, &map(&[("drill:target", "db")])));
        assert!(!carries(&tags, &map(&[("Owner", "web")])));
    }
}
