//! `s3.tag.remove`: removes one bucket tag (e.g. `ManagedBy`).

use crate::inject::ActionSpec;
use crate::inject::s3::shared::tags::BucketTagChange;
use crate::inject::{model, params};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.tag.remove",
    targets: &[super::BUCKET],
    summary: "removes one bucket tag (the rest of the tag set is kept)",
    params: &[ParamSpec::required(
        "key",
        "string",
        "tag key to remove (not aws:*)",
    )],
    permissions: &["s3:GetBucketTagging", "s3:PutBucketTagging"],
    example: "key = \"ManagedBy\"\n",
    read: |r| param::to_json(params::read_tag_params(r, false)),
    roundtrip: param::roundtrip::<params::TagParams>,
    build: |v| model::build(v, BucketTagChange),
};
