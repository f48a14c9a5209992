//! `ec2.sg.remove_ingress`: deletes an existing managed ingress rule; revert re-creates it exactly,
//! description included.

use std::collections::BTreeSet;

use crate::inject::ec2::shared::sg_rules::{self, Direction, Rule};
use crate::inject::model::{self, Model};
use crate::inject::params::{self, RuleParams};
use crate::inject::{ActionSpec, InjectCx, InjectError, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "ec2.sg.remove_ingress",
    targets: &[super::SECURITY_GROUP],
    summary: "deletes a managed ingress rule (the one matching protocol, ports and cidr)",
    params: params::RULE_PARAMS,
    permissions: &[
        "ec2:DescribeSecurityGroups",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
    ],
    example: "protocol = \"tcp\"\nport = 443\ncidr = \"0.0.0.0/0\"\n",
    read: |r| param::to_json(params::read_rule(r)),
    roundtrip: param::roundtrip::<RuleParams>,
    build: |v| model::build(v, RemoveIngress),
};

pub(crate) struct RemoveIngress(pub RuleParams);

#[async_trait::async_trait]
impl Model for RemoveIngress {
    type State = BTreeSet<Rule>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        sg_rules::read(cx.aws, &target.id, Direction::Ingress).await
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        let wanted = Rule::from_params(&self.0, None);
        let after: BTreeSet<Rule> = before
            .iter()
            .filter(|r| !r.same_rule(&wanted))
            .cloned()
            .collect();
        if after.len() == before.len() {
            return Err(InjectError::precondition(
                &target.to_string(),
                format!("it has no ingress rule {} to remove", self.0.describe()),
            ));
        }
        Ok(after)
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        current: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        sg_rules::write(cx.aws, &target.id, Direction::Ingress, current, desired).await
    }
}
