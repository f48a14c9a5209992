//! `ec2.sg.open_ingress`: adds an ingress rule (e.g. tcp/22 from 0.0.0.0/0), IPv4 or IPv6,
//! described with the drill's mark.

use crate::inject::ActionSpec;
use crate::inject::ec2::shared::sg_rules::{AddRule, Direction};
use crate::inject::model;
use crate::inject::params::{self, RuleParams};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.sg.open_ingress",
    targets: &[super::SECURITY_GROUP],
    summary: "adds an ingress rule to a security group, as an engineer would during an incident",
    params: params::RULE_PARAMS,
    permissions: &[
        "ec2:DescribeSecurityGroups",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
    ],
    example: "protocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"\n",
    read: |r| param::to_json(params::read_rule(r)),
    roundtrip: param::roundtrip::<RuleParams>,
    build: |v| {
        model::build(v, |params: RuleParams| AddRule {
            params,
            direction: Direction::Ingress,
        })
    },
};
