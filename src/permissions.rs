//! Least privilege: the IAM actions a set of drills needs, from what each action declares in
//! its catalog entry plus what finding and checking its target takes, as one policy document
//! for the role drills run with. Also how an SDK operation maps to the IAM action that allows
//! it (they differ for several S3 operations), so the tests can check the declarations against
//! the operations each action really sends.

use std::collections::BTreeSet;

use serde_json::json;

use crate::formats::{DrillConfig, Scenario};

use crate::vocab::TargetType;

/// What every drill calls, whatever its action: the guardrails' identity check.
pub const ALWAYS: &[&str] = &["sts:GetCallerIdentity"];

/// What finding a target (by id, name or tags), reading its tags for the guardrails and
/// recording what identifies it (for `recover`) take, as the type's service declares them.
pub fn target_actions(kind: TargetType) -> &'static [&'static str] {
    crate::inject::service_of(kind).map_or(&[], |s| (s.lookup_actions)(kind))
}

/// The IAM action that allows an SDK operation (`service` as the SDK names it, lowercase).
pub fn iam_action(service: &str, operation: &str) -> String {
    if service == "s3" {
        let renamed = match operation {
            "HeadBucket" | "ListObjects" | "ListObjectsV2" => Some("ListBucket"),
            "ListBuckets" => Some("ListAllMyBuckets"),
            "GetBucketEncryption" => Some("GetEncryptionConfiguration"),
            "PutBucketEncryption" | "DeleteBucketEncryption" => Some("PutEncryptionConfiguration"),
            "GetBucketLifecycleConfiguration" | "GetBucketLifecycle" => {
                Some("GetLifecycleConfiguration")
            }
            "PutBucketLifecycleConfiguration" | "DeleteBucketLifecycle" => {
                Some("PutLifecycleConfiguration")
            }
            "DeleteBucketTagging" => Some("PutBucketTagging"),
            "GetPublicAccessBlock" => Some("GetBucketPublicAccessBlock"),
            "PutPublicAccessBlock" | "DeletePublicAccessBlock" => {
                Some("PutBucketPublicAccessBlock")
            }
            "GetBucketCors" => Some("GetBucketCORS"),
            "PutBucketCors" | "DeleteBucketCors" => Some("PutBucketCORS"),
            "DeleteBucketPolicy" => Some("DeleteBucketPolicy"),
            "HeadObject" => Some("GetObject"),
            _ => None,
        };
        if let Some(action) = renamed {
            return format!("s3:{action}");
        }
    }
    // The SDK names CloudWatch Logs "cloudwatch logs"; IAM calls it "logs".
    let prefix = match service {
        "cloudwatch logs" => "logs",
        other => other,
    };
    format!("{prefix}:{operation}")
}

/// Every IAM action the scenarios' drills need: their actions', their targets', the identity
/// check; sorted, once each.
pub(crate) fn actions_for(scenarios: &[Scenario]) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = ALWAYS.iter().map(|s| s.to_string()).collect();
    for s in scenarios {
        out.extend(
            crate::inject::find(&s.inject.action.value)
                .expect("validated against the catalog")
                .permissions
                .iter()
                .map(|a| a.to_string()),
        );
        out.extend(target_actions(s.target.kind).iter().map(|a| a.to_string()));
    }
    out
}

/// The policy document for the role drills run with (the base credentials, or each
/// environment's role): one statement per service, limited to the allowed regions where the
/// service is regional.
pub fn policy(config: &DrillConfig, scenarios: &[Scenario]) -> serde_json::Value {
    let actions = actions_for(scenarios);
    let services: BTreeSet<&str> = actions.iter().filter_map(|a| a.split(':').next()).collect();
    let statements: Vec<serde_json::Value> = services
        .into_iter()
        .map(|service| {
            let mine: Vec<&String> = actions
                .iter()
                .filter(|a| a.split(':').next() == Some(service))
                .collect();
            let mut statement = json!({
                "Sid": format!("Driftdrill{}", sid_case(service)),
                "Effect": "Allow",
                "Action": mine,
                "Resource": "*",
            });
            // EC2 is regional: drills only ever act in the allowed regions. IAM, S3's bucket
            // listing and STS answer from a global endpoint or us-east-1, so no region
            // condition on them.
            if service == "ec2" {
                statement["Condition"] = json!({
                    "StringEquals": { "aws:RequestedRegion": config.safety.allowed_regions }
                });
            }
            statement
        })
        .collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}

fn sid_case(service: &str) -> String {
    let mut c = service.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_operations_map_to_their_iam_actions() {
        assert_eq!(
            iam_action("s3", "PutBucketEncryption"),
            "s3:PutEncryptionConfiguration"
        );
        assert_eq!(iam_action("s3", "HeadBucket"), "s3:ListBucket");
        assert_eq!(
            iam_action("s3", "PutBucketVersioning"),
            "s3:PutBucketVersioning"
        );
        assert_eq!(
            iam_action("ec2", "AuthorizeSecurityGroupIngress"),
            "ec2:AuthorizeSecurityGroupIngress"
        );
        assert_eq!(
            iam_action("cloudwatch logs", "PutRetentionPolicy"),
            "logs:PutRetentionPolicy"
        );
    }

    #[test]
    fn every_action_declares_what_it_calls_in_iam_terms() {
        for spec in crate::inject::actions() {
            assert!(!spec.permissions.is_empty(), "{} declares nothing", spec.id);
            for p in spec.permissions {
                let (service, action) = p.split_once(':').unwrap_or(("", ""));
                assert!(
                    !service.is_empty()
                        && service
                            .bytes()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                        && action.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{}: {p:?} is not service:Action",
                    spec.id
                );
            }
        }
    }
}
