//! `ec2.nacl.add_entry`: adds a network ACL entry (e.g. allow tcp/22 from anywhere).

use std::collections::BTreeSet;

use crate::batch::Read;
use aws_sdk_ec2::types::{NetworkAcl, PortRange, RuleAction};
use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, RuleParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.nacl.add_entry",
    targets: &[super::NETWORK_ACL],
    summary: "adds a network ACL entry (tcp, udp or all protocols)",
    params: &[
        ParamSpec::required(
            "rule_number",
            "integer 1-32766",
            "entry number (must be free)",
        ),
        ParamSpec::optional(
            "egress",
            "true | false",
            "outbound entry (default false: inbound)",
        ),
        ParamSpec::optional("rule_action", "\"allow\" | \"deny\"", "default allow"),
        ParamSpec::required("protocol", "\"tcp\" | \"udp\" | \"all\"", "IP protocol"),
        ParamSpec::optional(
            "port",
            "integer 0-65535",
            "a single port (or from_port and to_port)",
        ),
        ParamSpec::optional("from_port", "integer 0-65535", "first port"),
        ParamSpec::optional("to_port", "integer 0-65535", "last port"),
        ParamSpec::required("cidr", "IPv4 or IPv6 CIDR", "the block the entry matches"),
    ],
    permissions: &[
        "ec2:DescribeNetworkAcls",
        "ec2:CreateNetworkAclEntry",
        "ec2:DeleteNetworkAclEntry",
    ],
    example: "rule_number = 90\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, AddEntry),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    pub rule_number: i32,
    pub egress: bool,
    pub rule_action: String,
    #[serde(flatten)]
    pub rule: RuleParams,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let number = r.integer("rule_number", 1..32767);
    let egress = r.opt_bool("egress").is_some_and(|b| b.value);
    let action = r
        .choice("rule_action", &["allow", "deny"], false)
        .map_or("allow".to_string(), |a| a.value);
    let rule = params::read_rule(r)?;
    if rule.protocol == "icmp" {
        r.error(
            r.span(),
            "invalid-value",
            "network ACL drills support tcp, udp and all, not icmp",
            None,
        );
        return None;
    }
    Some(Params {
        rule_number: number?.value as i32,
        egress,
        rule_action: action,
        rule,
    })
}

/// One entry as EC2 stores it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub rule_number: i32,
    pub egress: bool,
    /// Protocol number as EC2 returns it: "6", "17", "-1".
    pub protocol: String,
    pub rule_action: String,
    pub cidr: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
}

/// An entry is told apart by its number and direction, as EC2 does.
impl crate::inject::parts::Element for Entry {
    fn key(&self) -> String {
        let direction = if self.egress { "egress" } else { "ingress" };
        format!("{direction} entry {}", self.rule_number)
    }
}

fn protocol_number(name: &str) -> &'static str {
    match name {
        "tcp" => "6",
        "udp" => "17",
        _ => "-1",
    }
}

pub(crate) struct AddEntry(pub Params);

/// One network ACL, read by itself.
async fn read_alone(cx: &InjectCx<'_>, id: &str) -> Result<NetworkAcl, InjectError> {
    let out = cx
        .aws
        .ec2()
        .describe_network_acls()
        .network_acl_ids(id)
        .send()
        .await
        .map_err(errors::aws("DescribeNetworkAcls", id))?;
    let acl = out.network_acls().first().cloned();
    acl.ok_or_else(|| InjectError::NotFound {
        what: format!("network ACL {id}"),
    })
}

#[async_trait::async_trait]
impl Model for AddEntry {
    type State = BTreeSet<Entry>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        entries(cx, target).await
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        let p = &self.0;
        if before
            .iter()
            .any(|e| e.rule_number == p.rule_number && e.egress == p.egress)
        {
            return Err(InjectError::precondition(
                &target.to_string(),
                format!(
                    "entry number {} is already taken; pick a free rule_number",
                    p.rule_number
                ),
            ));
        }
        let all = p.rule.protocol == "all";
        let mut after = before.clone();
        after.insert(Entry {
            rule_number: p.rule_number,
            egress: p.egress,
            protocol: protocol_number(&p.rule.protocol).to_string(),
            rule_action: p.rule_action.clone(),
            cidr: p.rule.cidr.clone(),
            from_port: if all { None } else { p.rule.from_port },
            to_port: if all { None } else { p.rule.to_port },
        });
        Ok(after)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        current: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        write_entries(cx, target, current, desired).await
    }
}

/// Every entry of the ACL (the default `*` entries too).
pub(super) async fn entries(
    cx: &InjectCx<'_>,
    target: &Target,
) -> Result<BTreeSet<Entry>, InjectError> {
    let acl = match super::shared::coalesced::network_acl(cx.aws, &target.id).await {
        Read::Found(acl) => acl,
        Read::Alone(_reading) => read_alone(cx, &target.id).await?,
    };
    Ok(acl
        .entries()
        .iter()
        .map(|e| {
            let all = e.protocol() == Some("-1");
            Entry {
                rule_number: e.rule_number().unwrap_or_default(),
                egress: e.egress().unwrap_or(false),
                protocol: e.protocol().unwrap_or("-1").to_string(),
                rule_action: e.rule_action().map_or("allow", |a| a.as_str()).to_string(),
                cidr: e
                    .cidr_block()
                    .or(e.ipv6_cidr_block())
                    .unwrap_or_default()
                    .to_string(),
                from_port: if all {
                    None
                } else {
                    e.port_range().and_then(|p| p.from())
                },
                to_port: if all {
                    None
                } else {
                    e.port_range().and_then(|p| p.to())
                },
            }
        })
        .collect())
}

/// Deletes the entries only `current` has, then creates the ones only `desired` has.
pub(super) async fn write_entries(
    cx: &InjectCx<'_>,
    target: &Target,
    current: &BTreeSet<Entry>,
    desired: &BTreeSet<Entry>,
) -> Result<(), InjectError> {
    let ec2 = cx.aws.ec2();
    for e in current.difference(desired) {
        ec2.delete_network_acl_entry()
            .network_acl_id(&target.id)
            .rule_number(e.rule_number)
            .egress(e.egress)
            .send()
            .await
            .map_err(errors::aws("DeleteNetworkAclEntry", &target.id))?;
    }
    for e in desired.difference(current) {
        let mut req = ec2
            .create_network_acl_entry()
            .network_acl_id(&target.id)
            .rule_number(e.rule_number)
            .egress(e.egress)
            .protocol(&e.protocol)
            .rule_action(RuleAction::from(e.rule_action.as_str()));
        req = if e.cidr.contains(':') {
            req.ipv6_cidr_block(&e.cidr)
        } else {
            req.cidr_block(&e.cidr)
        };
        if let (Some(from), Some(to)) = (e.from_port, e.to_port) {
            req = req.port_range(PortRange::builder().from(from).to(to).build());
        }
        req.send()
            .await
            .map_err(errors::aws("CreateNetworkAclEntry", &target.id))?;
    }
    Ok(())
}
