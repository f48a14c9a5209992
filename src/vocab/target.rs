//! What a scenario drills: a resource type plus an explicit id/name or a tag selector.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
