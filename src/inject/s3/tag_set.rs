//! `s3.tag.set`: adds or changes one bucket tag.

use crate::inject::ActionSpec;
use crate::inject::s3::shared::tags::BucketTagChange;
use crate::inject::{model, params};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "s3.tag.set",
    targets: &[super::BUCKET],
    summary: "adds or changes one bucket tag (the rest of the tag set is kept)",
    params: &[
        ParamSpec::required("key", "string", "tag key (not aws:*)"),
        ParamSpec::required("value", "string", "value to set"),
    ],
    permissions: &["s3:GetBucketTagging", "s3:PutBucketTagging"],
    example: "key = \"DataClassification\"\nvalue = \"public\"\n",
    read: |r| param::to_json(params::read_tag_params(r, true)),
    roundtrip: param::roundtrip::<params::TagParams>,
    build: |v| model::build(v, BucketTagChange),
};
