//! `iam.role.permissions_boundary_removed`: takes a role's permissions boundary off, as someone
//! "debugging an access denied" does: whatever policies the role carries now grant in full, and
//! the boundary the platform team set as the ceiling for delegated roles is gone. One setting:
//! revert puts the exact boundary back, unless a colleague set another one meanwhile (theirs
//! stays).

use crate::inject::errors::{self, InjectError};
use crate::inject::iam::shared::resource;
use crate::inject::model::{self, Model};
use crate::inject::params::{self, NoParams};
use crate::inject::{ActionSpec, InjectCx, Target};
use crate::vocab::param;

pub(crate) static SPEC: ActionSpec = ActionSpec {
    id: "iam.role.permissions_boundary_removed",
    targets: &[super::ROLE],
    summary: "takes a role's permissions boundary off, so its policies grant in full",
    params: &[],
    permissions: &[
        "iam:GetRole",
        "iam:DeleteRolePermissionsBoundary",
        "iam:PutRolePermissionsBoundary",
    ],
    example: "",
    read: params::read_none,
    roundtrip: param::roundtrip::<NoParams>,
    build: |v| model::build(v, |_: NoParams| BoundaryRemoved),
};

pub(crate) struct BoundaryRemoved;

#[async_trait::async_trait]
impl Model for BoundaryRemoved {
    /// The boundary policy's ARN; `None` when the role has no boundary.
    type State = Option<String>;

    async fn read(&self, cx: &InjectCx<'_>, target: &Target) -> Result<Self::State, InjectError> {
        let role = resource::get_role(cx.aws, &target.id).await?;
        let boundary = role.as_ref().and_then(|r| r.permissions_boundary());
        Ok(boundary.and_then(|b| b.permissions_boundary_arn().map(String::from)))
    }

    fn injected(
        &self,
        before: &Self::State,
        _: &InjectCx<'_>,
        target: &Target,
    ) -> Result<Self::State, InjectError> {
        if before.is_none() {
            return Err(InjectError::precondition(
                &target.to_string(),
                "it has no permissions boundary to take off",
            ));
        }
        Ok(None)
    }

    fn subject(&self) -> String {
        "the role's permissions boundary".to_string()
    }

    async fn write(
        &self,
        cx: &InjectCx<'_>,
        target: &Target,
        _: &Self::State,
        desired: &Self::State,
    ) -> Result<(), InjectError> {
        let iam = cx.aws.iam();
        match desired {
            Some(arn) => iam
                .put_role_permissions_boundary()
                .role_name(&target.id)
                .permissions_boundary(arn)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("PutRolePermissionsBoundary", &target.id)),
            None => iam
                .delete_role_permissions_boundary()
                .role_name(&target.id)
                .send()
                .await
                .map(drop)
                .map_err(errors::aws("DeleteRolePermissionsBoundary", &target.id)),
        }
    }
}
