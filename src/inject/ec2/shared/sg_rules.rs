//! Security-group rules as a set: read, diff and write them exactly (descriptions included), and
//! the generic "add a rule" action shared by open_ingress and add_egress.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, SecurityGroup, UserIdGroupPair,
};
use serde::{Deserialize, Serialize};

use crate::aws::AwsClients;
use crate::batch::Read;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::Model;
use crate::inject::params::RuleParams;
use crate::inject::{InjectCx, Target};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Direction {
    Ingress,
    Egress,
}

/// One rule with one source (or destination), as EC2 stores it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rule {
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    /// `cidr:0.0.0.0/0`, `cidr6:::/0`, `sg:sg-123` or `pl:pl-123`.
    pub peer: String,
    pub description: Option<String>,
}

impl Rule {
    pub(crate) fn from_params(p: &RuleParams, description: Option<String>) -> Rule {
        let peer = if p.is_ipv6() {
            format!("cidr6:{}", p.cidr)
        } else {
            format!("cidr:{}", p.cidr)
        };
        normalized(Rule {
            protocol: p.api_protocol().to_string(),
            from_port: p.from_port,
            to_port: p.to_port,
            peer,
            description,
        })
    }

    /// Same rule, ignoring the description.
    pub(crate) fn same_rule(&self, other: &Rule) -> bool {
        (&self.protocol, self.from_port, self.to_port, &self.peer)
            == (&other.protocol, other.from_port, other.to_port, &other.peer)
    }

    fn to_permission(&self) -> IpPermission {
        let mut p = IpPermission::builder().ip_protocol(&self.protocol);
        if let (Some(from), Some(to)) = (self.from_port, self.to_port) {
            p = p.from_port(from).to_port(to);
        }
        let desc = self.description.clone();
        p = match self.peer.split_once(':') {
            Some(("cidr", c)) => {
                p.ip_ranges(IpRange::builder().cidr_ip(c).set_description(desc).build())
            }
            Some(("cidr6", c)) => p.ipv6_ranges(
                Ipv6Range::builder()
                    .cidr_ipv6(c)
                    .set_description(desc)
                    .build(),
            ),
            Some(("sg", g)) => p.user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(g)
                    .set_description(desc)
                    .build(),
            ),
            Some(("pl", l)) => p.prefix_list_ids(
                PrefixListId::builder()
                    .prefix_list_id(l)
                    .set_description(desc)
                    .build(),
            ),
            _ => p,
        };
        p.build()
    }
}

/// A rule is told apart by what it opens (protocol, ports, peer); its description is part of
/// its value. A drill's rule whose description someone edited still opens what the drill
/// opened, so it is still the drill's.
impl crate::inject::parts::Element for Rule {
    fn key(&self) -> String {
        let ports = match (self.from_port, self.to_port) {
            (Some(f), Some(t)) if f == t => format!(" port {f}"),
            (Some(f), Some(t)) => format!(" ports {f}-{t}"),
            _ => String::new(),
        };
        format!("rule {}{ports} {}", self.protocol, self.peer)
    }

    fn holds(drill: &Self, live: &Self) -> bool {
        drill.same_rule(live)
    }
}

/// `-1` covers every port: EC2 may or may not echo ports for it; drop them. Empty descriptions
/// read back as absent.
fn normalized(mut rule: Rule) -> Rule {
    if rule.protocol == "-1" {
        rule.from_port = None;
        rule.to_port = None;
    }
    rule.description = rule.description.filter(|d| !d.is_empty());
    rule
}

/// One group, read by itself.
async fn alone(aws: &AwsClients, group_id: &str) -> Result<SecurityGroup, InjectError> {
    let out = aws
        .ec2()
        .describe_security_groups()
        .group_ids(group_id)
        .send()
        .await
        .map_err(errors::aws("DescribeSecurityGroups", group_id))?;
    let group = out.security_groups().first().cloned();
    group.ok_or_else(|| InjectError::NotFound {
        what: format!("security group {group_id}"),
    })
}

/// Every rule of one direction of a group, one entry per peer.
pub async fn read(
    aws: &AwsClients,
    group_id: &str,
    direction: Direction,
) -> Result<BTreeSet<Rule>, InjectError> {
    let group = match super::coalesced::group(aws, group_id).await {
        Read::Found(group) => group,
        Read::Alone(_reading) => alone(aws, group_id).await?,
    };
    let perms = match direction {
        Direction::Ingress => group.ip_permissions(),
        Direction::Egress => group.ip_permissions_egress(),
    };
    let mut rules = BTreeSet::new();
    for p in perms {
        let base = |peer: String, description: Option<&str>| {
            normalized(Rule {
                protocol: p.ip_protocol().unwrap_or("-1").to_string(),
                from_port: p.from_port(),
                to_port: p.to_port(),
                peer,
                description: description.map(String::from),
            })
        };
        for r in p.ip_ranges() {
            rules.insert(base(
                format!("cidr:{}", r.cidr_ip().unwrap_or_default()),
                r.description(),
            ));
        }
        for r in p.ipv6_ranges() {
            rules.insert(base(
                format!("cidr6:{}", r.cidr_ipv6().unwrap_or_default()),
                r.description(),
            ));
        }
        for g in p.user_id_group_pairs() {
            rules.insert(base(
                format!("sg:{}", g.group_id().unwrap_or_default()),
                g.description(),
            ));
        }
        for l in p.prefix_list_ids() {
            rules.insert(base(
                format!("pl:{}", l.prefix_list_id().unwrap_or_default()),
                l.description(),
            ));
        }
    }
    Ok(rules)
}

/// Revokes `current - desired`, then authorizes `desired - current`, one rule per call.
pub async fn write(
    aws: &AwsClients,
    group_id: &str,
    direction: Direction,
    current: &BTreeSet<Rule>,
    desired: &BTreeSet<Rule>,
) -> Result<(), InjectError> {
    for rule in current.difference(desired) {
        // A rule whose description changed is revoked and re-added, so only revoke when the
        // bare rule is really gone or differs.
        let perm = rule.to_permission();
        match direction {
            Direction::Ingress => aws
                .ec2()
                .revoke_security_group_ingress()
                .group_id(group_id)
                .ip_permissions(perm)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("RevokeSecurityGroupIngress", group_id))?,
            Direction::Egress => aws
                .ec2()
                .revoke_security_group_egress()
                .group_id(group_id)
                .ip_permissions(perm)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("RevokeSecurityGroupEgress", group_id))?,
        }
    }
    for rule in desired.difference(current) {
        let perm = rule.to_permission();
        let result = match direction {
            Direction::Ingress => aws
                .ec2()
                .authorize_security_group_ingress()
                .group_id(group_id)
                .ip_permissions(perm)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("AuthorizeSecurityGroupIngress", group_id)),
            Direction::Egress => aws
                .ec2()
                .authorize_security_group_egress()
                .group_id(group_id)
                .ip_permissions(perm)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("AuthorizeSecurityGroupEgress", group_id)),
        };
        match result {
            // Idempotent: a rule that already exists is what we wanted.
            Err(e) if e.code() == Some("InvalidPermission.Duplicate") => {}
            other => other?,
        }
    }
    Ok(())
}

/// The description driftdrill writes on a rule it adds.
pub(crate) fn mark_description(cx: &InjectCx<'_>) -> String {
    cx.mark
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(*c))
        .take(255)
        .collect()
}

/// Adds one rule in one direction (open_ingress, add_egress).
pub(crate) struct AddRule {
    pub params: RuleParams,
    pub direction: Direction,
}

#[async_trait::async_trait]
impl Model for AddRule {
    type State = BTreeSet<Rule>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        read(cx.aws, &target.id, self.direction).await
    }

    fn injected(
        &self,
        before: &Self::State,
        cx: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        let rule = Rule::from_params(&self.params, Some(mark_description(cx)));
        if before.iter().any(|r| r.same_rule(&rule)) {
            return Err(InjectError::precondition(
                &target.to_string(),
                format!(
                    "it already has the rule {}; nothing to drill",
                    self.params.describe()
                ),
            ));
        }
        let mut after = before.clone();
        after.insert(rule);
        Ok(after)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        current: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        write(cx.aws, &target.id, self.direction, current, desired).await
    }
}
