//! Reading a scenario's `[target]` table into the vocabulary's [`TargetSpec`].

use std::collections::BTreeMap;

use crate::diag::{Located, TableReader};
use crate::vocab::catalog::Catalogs;
use crate::vocab::{Naming, Selector, TargetKind, TargetSpec};

/// Reads `[target]`: `type` (one the catalogs know), then exactly one of `id`, `name` or
/// `tags`, as the type's [`Naming`] allows.
pub fn read(r: &mut TableReader, catalogs: &Catalogs) -> Option<TargetSpec> {
    let names = catalogs.target_names();
    let kind = r
        .choice("type", &names, true)
        .and_then(|t| catalogs.target(&t.value).copied());
    let id = r.opt_string("id");
    let name = r.opt_string("name");
    let tags = r.opt_string_map("tags");
    if !one_selector(r, [id.is_some(), name.is_some(), tags.is_some()]) {
        return None;
    }
    let kind = kind?;
    let selector = if let Some(id) = id {
        by_id(r, &kind, id)?
    } else if let Some(name) = name {
        by_name(r, &kind, name)?
    } else if kind.naming == Naming::Setting {
        let span = tags?.at.map(|a| a.1).unwrap_or_default();
        r.error(
            span,
            "wrong-selector",
            format!("{} is an account setting: it has no tags", kind.kind),
            Some(setting_hint(&kind)),
        );
        return None;
    } else {
        by_tags(r, tags?)?
    };
    Some(TargetSpec {
        kind: kind.kind,
        selector,
    })
}

/// Exactly one of `id`, `name` and `tags` was given (reported otherwise).
fn one_selector(r: &TableReader, given: [bool; 3]) -> bool {
    let header = r.span();
    let named: Vec<&str> = ["id", "name", "tags"]
        .into_iter()
        .zip(given)
        .filter_map(|(k, g)| g.then_some(k))
        .collect();
    if named.is_empty() {
        r.error(
            header,
            "target-without-selector",
            format!("{} names neither `id`, `name` nor `tags`", r.name()),
            Some("add `id = \"sg-...\"` (EC2), `name = \"my-bucket\"` (S3) or `tags = { \"drill:target\" = \"db\" }`".into()),
        );
        return false;
    }
    if named.len() > 1 {
        r.error(
            header,
            "ambiguous-target",
            format!(
                "{} gives {}: use exactly one",
                r.name(),
                named.join(" and ")
            ),
            None,
        );
        return false;
    }
    true
}

fn by_id(r: &TableReader, kind: &TargetKind, id: Located<String>) -> Option<Selector> {
    let span = id.at.clone().map(|a| a.1).unwrap_or_default();
    match kind.naming {
        Naming::Id => Some(Selector::Id(id.value)),
        Naming::Setting if kind.global => {
            super::names::check_account(r, &id).then_some(Selector::Id(id.value))
        }
        Naming::Setting => super::names::check_region(r, id).map(Selector::Id),
        Naming::NameOrArn if id.value.starts_with("arn:") => Some(Selector::Id(id.value)),
        Naming::NameOrArn => {
            r.error(
                span,
                "wrong-selector",
                format!(
                    "{} resources are selected by `name`, or by `id` holding their ARN",
                    kind.kind
                ),
                Some("write `name = \"...\"` or `id = \"arn:aws:iam::...\"`".into()),
            );
            None
        }
        Naming::Name => {
            r.error(
                span,
                "wrong-selector",
                format!("{} resources are selected by `name`, not `id`", kind.kind),
                Some("write `name = \"...\"`".into()),
            );
            None
        }
    }
}

/// What names an account setting: its account (global settings) or its region.
fn setting_id(kind: &TargetKind) -> &'static str {
    if kind.global {
        "its account"
    } else {
        "its region"
    }
}

fn setting_hint(kind: &TargetKind) -> String {
    if kind.global {
        "write `id = \"123456789012\"` (the account whose setting the drill changes)".into()
    } else {
        "write `id = \"us-east-1\"` (the region whose setting the drill changes)".into()
    }
}

fn by_name(r: &TableReader, kind: &TargetKind, name: Located<String>) -> Option<Selector> {
    if kind.naming == Naming::Setting {
        let span = name.at.clone().map(|a| a.1).unwrap_or_default();
        r.error(
            span,
            "wrong-selector",
            format!(
                "{} is an account setting, selected by {} as `id`",
                kind.kind,
                setting_id(kind)
            ),
            Some(setting_hint(kind)),
        );
        return None;
    }
    if kind.naming == Naming::Id {
        let span = name.at.clone().map(|a| a.1).unwrap_or_default();
        r.error(
            span,
            "wrong-selector",
            format!(
                "{} resources are selected by `id` or `tags`, not `name`",
                kind.kind
            ),
            Some(
                "write `id = \"...\"`, or select by a `Name` tag with `tags = { Name = \"...\" }`"
                    .into(),
            ),
        );
        return None;
    }
    Some(Selector::Name(name.value))
}

fn by_tags(r: &TableReader, tags: Located<BTreeMap<String, String>>) -> Option<Selector> {
    if tags.value.is_empty() {
        let span = tags.at.clone().map(|a| a.1).unwrap_or_default();
        r.error(
            span,
            "empty-tags",
            "`tags` selects nothing: give at least one tag",
            None,
        );
        return None;
    }
    Some(Selector::Tags(tags.value))
}
