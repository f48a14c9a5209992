//! Reading an IAM role whole, for the role actions that read and rewrite parts of it; and what
//! IAM says when a role, user or policy does not exist.

use crate::aws::AwsClients;
use crate::inject::InjectError;
use crate::inject::errors;

/// A role as GetRole returns it (trust policy, description, maximum session duration), for
/// the actions that read and rewrite parts of it.
pub async fn get_role(
    aws: &AwsClients,
    name: &str,
) -> Result<Option<aws_sdk_iam::types::Role>, InjectError> {
    let out = aws
        .iam()
        .get_role()
        .role_name(name)
        .send()
        .await
        .map_err(errors::aws("GetRole", name))?;
    Ok(out.role)
}

/// `NoSuchEntity`: the role, user or policy does not exist.
pub(crate) fn missing(code: Option<&str>) -> bool {
    code == Some("NoSuchEntity")
}
