//! Reading a scenario's `[target]` table into the vocabulary's [`TargetSpec`].

use crate::diag::TableReader;
use crate::vocab::{Selector, TargetSpec, TargetType};

/// Reads `[target]`: `type`, then exactly one of `id` (EC2, or an IAM ARN), `name` (bucket or
/// IAM name) or `tags`.
pub fn read(r: &mut TableReader) -> Option<TargetSpec> {
    let names: Vec<&str> = TargetType::ALL.iter().map(|t| t.as_str()).collect();
    let kind = r
        .choice("type", &names, true)
        .and_then(|t| TargetType::parse(&t));
    let id = r.opt_string("id");
    let name = r.opt_string("name");
    let tags = r.opt_string_map("tags");
    let header = r.span();
    let given: Vec<&str> = [
        id.as_ref().map(|_| "id"),
        name.as_ref().map(|_| "name"),
        tags.as_ref().map(|_| "tags"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if given.is_empty() {
        r.error(
            header,
            "target-without-selector",
            format!("{} names neither `id`, `name` nor `tags`", r.name()),
            Some("add `id = \"sg-...\"` (EC2), `name = \"my-bucket\"` (S3) or `tags = { \"drill:target\" = \"db\" }`".into()),
        );
        return None;
    }
    if given.len() > 1 {
        r.error(
            header,
            "ambiguous-target",
            format!(
                "{} gives {}: use exactly one",
                r.name(),
                given.join(" and ")
            ),
            None,
        );
        return None;
    }
    let kind = kind?;
    let selector = if let Some(id) = id {
        if kind.is_iam() && !id.value.starts_with("arn:") {
            let span = id.at.clone().map(|a| a.1).unwrap_or_default();
            r.error(
                span,
                "wrong-selector",
                format!("{kind} resources are selected by `name`, or by `id` holding their ARN"),
                Some("write `name = \"...\"` or `id = \"arn:aws:iam::...\"`".into()),
            );
            return None;
        }
        if kind.is_named() && !kind.is_iam() {
            let span = id.at.clone().map(|a| a.1).unwrap_or_default();
            r.error(
                span,
                "wrong-selector",
                "buckets are selected by `name`, not `id`",
                Some("write `name = \"...\"`".into()),
            );
            return None;
        }
        Selector::Id(id.value)
    } else if let Some(name) = name {
        if !kind.is_named() {
            let span = name.at.clone().map(|a| a.1).unwrap_or_default();
            r.error(
                span,
                "wrong-selector",
                format!("{kind} resources are selected by `id` or `tags`, not `name`"),
                Some("write `id = \"...\"`, or select by a `Name` tag with `tags = { Name = \"...\" }`".into()),
            );
            return None;
        }
        Selector::Name(name.value)
    } else {
        let tags = tags?;
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
        Selector::Tags(tags.value)
    };
    Some(TargetSpec { kind, selector })
}
