//! What a scenario drills: a resource type plus an explicit id/name or a tag selector.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diag::TableReader;

/// Resource types driftdrill can drill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TargetType {
    #[serde(rename = "aws_security_group")]
    SecurityGroup,
    #[serde(rename = "aws_instance")]
    Instance,
    #[serde(rename = "aws_network_acl")]
    NetworkAcl,
    #[serde(rename = "aws_vpc")]
    Vpc,
    #[serde(rename = "aws_subnet")]
    Subnet,
    #[serde(rename = "aws_s3_bucket")]
    Bucket,
    #[serde(rename = "aws_iam_role")]
    IamRole,
    #[serde(rename = "aws_iam_user")]
    IamUser,
    #[serde(rename = "aws_iam_policy")]
    IamPolicy,
}

impl TargetType {
    pub const ALL: &'static [TargetType] = &[
        TargetType::SecurityGroup,
        TargetType::Instance,
        TargetType::NetworkAcl,
        TargetType::Vpc,
        TargetType::Subnet,
        TargetType::Bucket,
        TargetType::IamRole,
        TargetType::IamUser,
        TargetType::IamPolicy,
    ];
    /// Every EC2 resource type that carries tags.
    pub const EC2_TAGGABLE: &'static [TargetType] = &[
        TargetType::SecurityGroup,
        TargetType::Instance,
        TargetType::NetworkAcl,
        TargetType::Vpc,
        TargetType::Subnet,
    ];

    /// The terraform resource type name, as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::SecurityGroup => "aws_security_group",
            TargetType::Instance => "aws_instance",
            TargetType::NetworkAcl => "aws_network_acl",
            TargetType::Vpc => "aws_vpc",
            TargetType::Subnet => "aws_subnet",
            TargetType::Bucket => "aws_s3_bucket",
            TargetType::IamRole => "aws_iam_role",
            TargetType::IamUser => "aws_iam_user",
            TargetType::IamPolicy => "aws_iam_policy",
        }
    }

    pub fn parse(text: &str) -> Option<TargetType> {
        TargetType::ALL.iter().copied().find(|t| t.as_str() == text)
    }

    /// Buckets and IAM resources are selected by `name`; EC2 resources by `id`.
    pub fn is_named(self) -> bool {
        self == TargetType::Bucket || self.is_iam()
    }

    /// IAM roles, users and policies: also selected by `id = "<ARN>"`.
    pub fn is_iam(self) -> bool {
        matches!(
            self,
            TargetType::IamRole | TargetType::IamUser | TargetType::IamPolicy
        )
    }

    /// Global resources (IAM): the region allow-list does not apply to them, the account
    /// allow-list does.
    pub fn is_global(self) -> bool {
        self.is_iam()
    }
}

impl std::fmt::Display for TargetType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
