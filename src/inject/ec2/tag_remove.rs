//! `ec2.tag.remove`: removes one tag from an EC2 resource (e.g. `ManagedBy`).

use crate::inject::ActionSpec;
use crate::inject::ec2::shared::tags::TagChange;
use crate::inject::{model, params};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.tag.remove",
    targets: super::TAGGABLE,
    summary: "removes one tag from an EC2 resource (e.g. ManagedBy dropped by hand)",
    params: &[ParamSpec::required(
        "key",
        "string",
        "tag key to remove (not aws:*)",
    )],
    permissions: &["ec2:DescribeTags", "ec2:CreateTags", "ec2:DeleteTags"],
    example: "key = \"ManagedBy\"\n",
    read: |r| param::to_json(params::read_tag_params(r, false)),
    roundtrip: param::roundtrip::<params::TagParams>,
    build: |v| model::build(v, TagChange),
};
