//! `ec2.tag.remove`: removes one tag from an EC2 resource (e.g. `ManagedBy`).

use super::ActionSpec;
use super::ec2_tags::TagChange;
use super::{model, params};
use crate::formats::{ParamSpec, TargetType, param_spec};

pub static SPEC: ActionSpec = ActionSpec {
    id: "ec2.tag.remove",
    targets: TargetType::EC2_TAGGABLE,
    summary: "removes one tag from an EC2 resource (e.g. ManagedBy dropped by hand)",
    params: &[ParamSpec::required(
        "key",
        "string",
        "tag key to remove (not aws:*)",
    )],
    example: "key = \"ManagedBy\"\n",
    read: |r| param_spec::to_json(params::read_tag_params(r, false)),
    roundtrip: param_spec::roundtrip::<params::TagParams>,
    build: |v| model::build(v, TagChange),
};
