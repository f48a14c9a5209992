//! Injector errors; an AWS failure is the [`crate::aws::AwsError`] the client layer describes, so
//! unmodelled codes and transient faults stay visible.

use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};

#[derive(Debug, thiserror::Error)]
pub enum InjectError {
    /// `<Operation> on <resource>: <code>: <message>`: the SDK's own text, never its Debug form.
    #[error(transparent)]
    Aws(#[from] crate::aws::AwsError),
    #[error("find {what}")]
    NotFound { what: String },
    #[error("resolve the target {target}: {count} resources match ({})", ids.join(", "))]
    Ambiguous {
        target: String,
        count: usize,
        ids: Vec<String>,
    },
    #[error("drill {resource}: {reason}")]
    Precondition { resource: String, reason: String },
    #[error("refuse to change {resource}: {rule}")]
    Refused { resource: String, rule: String },
    #[error("{what} on {resource} within the maximum drift lifetime (it ran out)")]
    OutOfTime {
        what: &'static str,
        resource: String,
    },
    /// A journal or record names a type no service folder declares (hand-edited, or written by
    /// a newer driftdrill).
    #[error("drill a {0}: no service declares that target type")]
    UnknownTargetType(String),
    #[error("read the saved state of {resource}")]
    State {
        resource: String,
        #[source]
        source: serde_json::Error,
    },
}

impl InjectError {
    /// Throttling, 5xx, time-outs and connection failures: worth retrying with backoff.
    pub fn is_transient(&self) -> bool {
        matches!(self, InjectError::Aws(e) if e.transient)
    }

    /// The AWS error code, if this is an AWS error that carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            InjectError::Aws(e) => e.code.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn precondition(resource: &str, reason: impl Into<String>) -> Self {
        InjectError::Precondition {
            resource: resource.to_string(),
            reason: reason.into(),
        }
    }
}

/// Converts an SDK error into an [`InjectError`] (see [`crate::aws::error`]).
pub fn aws<E>(
    operation: &'static str,
    resource: &str,
) -> impl FnOnce(SdkError<E, HttpResponse>) -> InjectError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let to_error = crate::aws::error(operation, resource);
    move |err| InjectError::Aws(to_error(err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_aws_error_reads_as_operation_resource_code_and_message() {
        let e = InjectError::Aws(crate::aws::AwsError {
            operation: "AuthorizeSecurityGroupIngress",
            resource: "sg-0abc".into(),
            code: Some("InvalidGroup.NotFound".into()),
            transient: false,
            message: "InvalidGroup.NotFound: The security group 'sg-0abc' does not exist".into(),
        });
        assert_eq!(
            crate::errors::chain(&e),
            "AuthorizeSecurityGroupIngress on sg-0abc: InvalidGroup.NotFound: The security group 'sg-0abc' does not exist"
        );
    }
}
