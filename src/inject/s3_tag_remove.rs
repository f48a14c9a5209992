//! `s3.tag.remove`: removes one bucket tag (e.g. `ManagedBy`).

use super::ActionSpec;
use super::s3_tags::BucketTagChange;
use super::{model, params};
use crate::formats::{ParamSpec, TargetType, param_spec};

pub static SPEC: ActionSpec = ActionSpec {
    id: "s3.tag.remove",
    targets: &[TargetType::Bucket],
    summary: "removes one bucket tag (the rest of the tag set is kept)",
    params: &[ParamSpec::required(
        "key",
        "string",
        "tag key to remove (not aws:*)",
    )],
    example: "key = \"ManagedBy\"\n",
    read: |r| param_spec::to_json(params::read_tag_params(r, false)),
    roundtrip: param_spec::roundtrip::<params::TagParams>,
    build: |v| model::build(v, BucketTagChange),
};
