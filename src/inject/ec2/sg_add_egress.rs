//! `ec2.sg.add_egress`: adds an egress rule to a security group, described with the drill's mark.

use crate::inject::ActionSpec;
use crate::inject::ec2::shared::sg_rules::{AddRule, Direction};
use crate::inject::model;
use crate::inject::params::{self, RuleParams};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.sg.add_egress",
    targets: &[super::SECURITY_GROUP],
    summary: "adds an egress rule to a security group (e.g. opening outbound traffic to the internet)",
    params: params::RULE_PARAMS,
    permissions: &[
        "ec2:DescribeSecurityGroups",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupEgress",
    ],
    example: "protocol = \"tcp\"\nport = 6667\ncidr = \"0.0.0.0/0\"\n",
    read: |r| param::to_json(params::read_rule(r)),
    roundtrip: param::roundtrip::<RuleParams>,
    build: |v| {
        model::build(v, |params: RuleParams| AddRule {
            params,
            direction: Direction::Egress,
        })
    },
};
