//! Reading one instance, shared by the instance actions.

use aws_sdk_ec2::types::Instance;

use crate::aws::AwsClients;
use crate::batch::Read;
use crate::inject::InjectError;
use crate::inject::errors;

pub async fn describe(aws: &AwsClients, id: &str) -> Result<Instance, InjectError> {
    let _reading = match super::coalesced::instance(aws, id).await {
        Read::Found(instance) => return Ok(instance),
        Read::Alone(reading) => reading,
    };
    let out = aws
        .ec2()
        .describe_instances()
        .instance_ids(id)
        .send()
        .await
        .map_err(errors::aws("DescribeInstances", id))?;
    out.reservations()
        .iter()
        .flat_map(|r| r.instances())
        .next()
        .cloned()
        .ok_or_else(|| InjectError::NotFound {
            what: format!("instance {id}"),
        })
}
