//! The sample environment's SSM parameter, put with the SDK exactly as compute.tf declares it
//! so the first apply imports it instead of creating it.
//!
//! `PutParameter` is not idempotent: on a loaded machine the AWS provider once retried a put
//! that LocalStack had already carried out, and the retry failed the whole apply with
//! `ParameterAlreadyExists`. Here a parameter that already exists with the declared type and
//! value is taken as this put's own earlier attempt; one with anything else is an error and is
//! left as it is (driftdrill never overwrites what it did not make).

use aws_sdk_ssm::types::{ParameterType, Tag};

use super::{SampleVars, resource_tags};
use crate::aws::{AwsClients, AwsError, error};

/// What compute.tf declares for `aws_ssm_parameter.orders_endpoint`.
const VALUE: &str = "https://orders.internal";

/// Puts the parameter as declared and returns its name, the id its import block reads.
pub async fn seed(aws: &AwsClients, vars: &SampleVars) -> Result<String, AwsError> {
    let name = format!("/{}/orders/endpoint", vars.name_prefix);
    let tags = resource_tags(vars, &name, "orders-endpoint")
        .into_iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect::<Result<Vec<_>, _>>()
        .expect("a tag with a key and a value builds");
    let put = aws
        .ssm()
        .put_parameter()
        .name(&name)
        .r#type(ParameterType::String)
        .value(VALUE)
        .set_tags(Some(tags))
        .send()
        .await
        .map_err(error("PutParameter", &name));
    match put {
        Ok(_) => Ok(name),
        Err(err) if err.code.as_deref() == Some("ParameterAlreadyExists") => {
            confirm_as_declared(aws, name, err).await
        }
        Err(err) => Err(err),
    }
}

/// `name` when the parameter that exists reads back with the declared type and value, else the
/// put's `err`.
async fn confirm_as_declared(
    aws: &AwsClients,
    name: String,
    err: AwsError,
) -> Result<String, AwsError> {
    let read = aws
        .ssm()
        .get_parameter()
        .name(&name)
        .send()
        .await
        .map_err(error("GetParameter", &name))?;
    let declared = read
        .parameter()
        .is_some_and(|p| p.r#type() == Some(&ParameterType::String) && p.value() == Some(VALUE));
    if declared { Ok(name) } else { Err(err) }
}
