//! Injector errors, with AWS error codes kept so unmodelled codes and transient faults are visible.

use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};

#[derive(Debug, thiserror::Error)]
pub enum InjectError {
    /// `<Operation> on <resource>: <code>: <message>`: the SDK's own text, never its Debug form.
    #[error("{operation} on {resource}: {message}")]
    Aws {
        operation: &'static str,
        resource: String,
        code: Option<String>,
        transient: bool,
        /// `code: message` for a service error; the error chain for a transport failure.
        message: String,
    },
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
        matches!(
            self,
            InjectError::Aws {
                transient: true,
                ..
            }
        )
    }

    /// The AWS error code, if this is an AWS error that carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            InjectError::Aws { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    pub fn precondition(resource: &str, reason: impl Into<String>) -> Self {
        InjectError::Precondition {
            resource: resource.to_string(),
            reason: reason.into(),
        }
    }
}

const THROTTLING: &[&str] = &[
    "RequestLimitExceeded",
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "SlowDown",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "Unavailable",
];

/// The error code of an SDK error (modelled or not), e.g. `NoSuchBucketPolicy`.
pub fn code_of<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    match err {
        SdkError::ServiceError(e) => e.err().code(),
        _ => None,
    }
}

/// An SDK error in words: `code: message` for a service error (the message the service sent),
/// otherwise the error and its causes (time-outs, connection failures).
pub fn sdk_message<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(e) => {
            let meta = e.err();
            match (meta.code(), meta.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_string(),
                (None, Some(message)) => message.to_string(),
                (None, None) => format!("HTTP {} with no error code", e.raw().status().as_u16()),
            }
        }
        other => crate::errors::chain(other),
    }
}

/// Converts an SDK error into an [`InjectError`], classifying transient faults.
pub fn aws<E>(
    operation: &'static str,
    resource: &str,
) -> impl FnOnce(SdkError<E, HttpResponse>) -> InjectError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let resource = resource.to_string();
    move |err| {
        let code = code_of(&err).map(String::from);
        let transient = match &err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => true,
            SdkError::ServiceError(_) => code.as_deref().is_some_and(|c| THROTTLING.contains(&c)),
            _ => false,
        } || matches!(&err, SdkError::ServiceError(e) if e.raw().status().is_server_error());
        InjectError::Aws {
            operation,
            resource,
            code,
            transient,
            message: sdk_message(&err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_aws_error_reads_as_operation_resource_code_and_message() {
        let e = InjectError::Aws {
            operation: "AuthorizeSecurityGroupIngress",
            resource: "sg-0abc".into(),
            code: Some("InvalidGroup.NotFound".into()),
            transient: false,
            message: "InvalidGroup.NotFound: The security group 'sg-0abc' does not exist".into(),
        };
        assert_eq!(
            crate::errors::chain(&e),
            "AuthorizeSecurityGroupIngress on sg-0abc: InvalidGroup.NotFound: The security group 'sg-0abc' does not exist"
        );
    }
}
