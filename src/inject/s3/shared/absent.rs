//! S3 helpers: "no such configuration" answers (unmodelled error codes) read as absent state.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use crate::inject::InjectError;
use crate::inject::errors;

/// `Ok(Some(v))`, `Ok(None)` when the error code says the configuration does not exist
/// (`NoSuchBucketPolicy`, `NoSuchLifecycleConfiguration`, ...), else the error.
pub(crate) fn absent_on<T, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    absent_codes: &[&str],
    operation: &'static str,
    bucket: &str,
) -> Result<Option<T>, InjectError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if crate::aws::code_of(&e).is_some_and(|c| absent_codes.contains(&c)) => Ok(None),
        Err(e) => Err(errors::aws(operation, bucket)(e)),
    }
}
