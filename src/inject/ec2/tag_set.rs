//! `ec2.tag.set`: adds or changes one tag on an EC2 resource.

use crate::inject::ActionSpec;
use crate::inject::ec2::shared::tags::TagChange;
use crate::inject::{model, params};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.tag.set",
    targets: super::TAGGABLE,
    summary: "adds or changes one tag on an EC2 resource (e.g. CostCenter edited in the console)",
    params: &[
        ParamSpec::required("key", "string", "tag key (not aws:*)"),
        ParamSpec::required("value", "string", "value to set"),
    ],
    permissions: &["ec2:DescribeTags", "ec2:CreateTags", "ec2:DeleteTags"],
    example: "key = \"CostCenter\"\nvalue = \"drill\"\n",
    read: |r| param::to_json(params::read_tag_params(r, true)),
    roundtrip: param::roundtrip::<params::TagParams>,
    build: |v| model::build(v, TagChange),
};
