//! `ec2.nacl.remove_entry`: deletes one network ACL entry (a deny rule that blocked an attacker,
//! an allow rule a tier depends on), as someone "unblocking" traffic does. Revert creates exactly
//! that entry again, unless a colleague has taken its number meanwhile (then theirs is left
//! alone); no other entry is touched.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::nacl_add_entry::{Entry, entries, write_entries};
use crate::diag::TableReader;
use crate::inject::errors::InjectError;
use crate::inject::model::{self, Model};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::{ParamSpec, param};

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.nacl.remove_entry",
    targets: &[super::NETWORK_ACL],
    summary: "deletes one network ACL entry (revert creates it again as it was)",
    params: &[
        ParamSpec::required("rule_number", "integer 1-32766", "the entry to delete"),
        ParamSpec::optional(
            "egress",
            "true | false",
            "an outbound entry (default false: inbound)",
        ),
    ],
    permissions: &[
        "ec2:DescribeNetworkAcls",
        "ec2:CreateNetworkAclEntry",
        "ec2:DeleteNetworkAclEntry",
    ],
    example: "rule_number = 100\n",
    read: |r| param::to_json(read_params(r)),
    roundtrip: param::roundtrip::<Params>,
    build: |v| model::build(v, RemoveEntry),
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Params {
    pub rule_number: i32,
    #[serde(default)]
    pub egress: bool,
}

fn read_params(r: &mut TableReader) -> Option<Params> {
    let number = r.integer("rule_number", 1..32767);
    let egress = r.opt_bool("egress").is_some_and(|b| b.value);
    Some(Params {
        rule_number: number?.value as i32,
        egress,
    })
}

pub(crate) struct RemoveEntry(pub Params);

#[async_trait::async_trait]
impl Model for RemoveEntry {
    type State = BTreeSet<Entry>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        entries(cx, target).await
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        let p = &self.0;
        let is_it = |e: &Entry| e.rule_number == p.rule_number && e.egress == p.egress;
        if !before.iter().any(is_it) {
            let direction = if p.egress { "outbound" } else { "inbound" };
            return Err(InjectError::precondition(
                &target.to_string(),
                format!("it has no {direction} entry number {}", p.rule_number),
            ));
        }
        Ok(before.iter().filter(|e| !is_it(e)).cloned().collect())
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        current: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        write_entries(cx, target, current, desired).await
    }
}
