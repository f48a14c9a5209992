//! `ec2.instance.attach_security_group`: attaches an extra security group to an instance, chosen
//! by id or by tags (resolved on first read).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::diag::TableReader;
use crate::inject::errors::{self, InjectError};
use crate::inject::model::{self, Model};
use crate::inject::{ActionSpec, InjectCx, Target, ec2::shared::instance, target};
use crate::vocab::{ParamSpec, Selector, TargetSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.instance.attach_security_group",
    targets: &[super::INSTANCE],
    summary: "attaches an extra security group to an instance's primary network interface",
    params: &[
        ParamSpec::optional("group_id", "string sg-...", "the group to attach"),
        ParamSpec::optional(
            "group_tags",
            "table of tags",
            "or: tags selecting exactly one group",
        ),
    ],
    permissions: &[
        "ec2:DescribeInstances",
        "ec2:DescribeSecurityGroups",
        "ec2:ModifyInstanceAttribute",
    ],
    example: "group_tags = { \"drill:target\" = \"admin\" }\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| {
        model::build(v, |p: Params| AttachGroup {
            params: p,
            resolved: OnceLock::new(),
        })
    },
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_tags: Option<BTreeMap<String, String>>,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let group_id = r.opt_string("group_id").map(|g| g.value);
    let group_tags = r.opt_string_map("group_tags").map(|t| t.value);
    match (&group_id, &group_tags) {
        (Some(_), None) | (None, Some(_)) => Some(Params {
            group_id,
            group_tags,
        }),
        _ => {
            r.error(
                r.span(),
                "missing-key",
                format!(
                    "{} needs exactly one of `group_id` or `group_tags`",
                    r.name()
                ),
                None,
            );
            None
        }
    }
}

pub(crate) struct AttachGroup {
    params: Params,
    resolved: OnceLock<String>,
}

impl AttachGroup {
    async fn group(&self, cx: &InjectCx<'_>) -> Result<String, InjectError> {
        if let Some(id) = self.resolved.get() {
            return Ok(id.clone());
        }
        let selector = match (&self.params.group_id, &self.params.group_tags) {
            (Some(id), _) => Selector::Id(id.clone()),
            (None, Some(tags)) => Selector::Tags(tags.clone()),
            (None, None) => {
                return Err(InjectError::precondition(
                    "the extra group",
                    "neither group_id nor group_tags is set",
                ));
            }
        };
        let spec = TargetSpec {
            kind: super::SECURITY_GROUP,
            selector,
        };
        let id = target::resolve(cx.aws, &spec).await?.id;
        Ok(self.resolved.get_or_init(|| id).clone())
    }
}

#[async_trait::async_trait]
impl Model for AttachGroup {
    type State = BTreeSet<String>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        self.group(cx).await?;
        let instance = instance::describe(cx.aws, &target.id).await?;
        Ok(instance
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(String::from))
            .collect())
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        let group = self.resolved.get().ok_or_else(|| {
            InjectError::precondition(
                &target.to_string(),
                "the extra group was not resolved before injection",
            )
        })?;
        let mut after = before.clone();
        after.insert(group.clone());
        Ok(after)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        cx.aws
            .ec2()
            .modify_instance_attribute()
            .instance_id(&target.id)
            .set_groups(Some(desired.iter().cloned().collect()))
            .send()
            .await
            .map(drop)
            .map_err(errors::aws("ModifyInstanceAttribute", &target.id))
    }
}
