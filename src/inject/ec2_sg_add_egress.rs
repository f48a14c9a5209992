//! `ec2.sg.add_egress`: adds an egress rule to a security group, described with the drill's mark.

use super::ActionSpec;
use super::ec2_sg_rules::{AddRule, Direction};
use super::model;
use super::params::{self, RuleParams};
use crate::formats::TargetType;
use crate::formats::param_spec;

pub static SPEC: ActionSpec = ActionSpec {
    id: "ec2.sg.add_egress",
    targets: &[TargetType::SecurityGroup],
    summary: "adds an egress rule to a security group (e.g. opening outbound traffic to the internet)",
    params: params::RULE_PARAMS,
    example: "protocol = \"tcp\"\nport = 6667\ncidr = \"0.0.0.0/0\"\n",
    read: |r| param_spec::to_json(params::read_rule(r)),
    roundtrip: param_spec::roundtrip::<RuleParams>,
    build: |v| {
        model::build(v, |params: RuleParams| AddRule {
            params,
            direction: Direction::Egress,
        })
    },
};
