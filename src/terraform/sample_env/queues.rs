//! The sample environment's two queues, made with the SDK exactly as messaging.tf declares
//! them so the first apply imports them instead of creating them.
//!
//! The AWS provider waits about 25 s after creating a queue for its attributes to read back the
//! same (six equal reads five seconds apart), although LocalStack is consistent at once; the
//! queue names its dead-letter queue, so the two waits run one after the other and were most of
//! the apply (72 s of it, against 32 s with the queues imported). A difference from the
//! declaration costs only time: terraform then updates the queue in place, and waits.

use std::collections::BTreeMap;

use aws_sdk_sqs::types::QueueAttributeName as Attr;

use super::{SampleVars, resource_tags};
use crate::aws::{AwsClients, AwsError, error};

/// Creates both queues as declared (an existing one with the same attributes is simply
/// returned) and returns their URLs by resource name, the ids their import blocks read.
pub async fn seed(
    aws: &AwsClients,
    vars: &SampleVars,
) -> Result<BTreeMap<&'static str, String>, AwsError> {
    let prefix = &vars.name_prefix;
    let dlq_name = format!("{prefix}-orders-dlq");
    let dlq = create(
        aws,
        vars,
        &dlq_name,
        "orders-dlq",
        &[(Attr::MessageRetentionPeriod, "1209600".to_string())],
    )
    .await?;
    let account = aws
        .caller_account()
        .await
        .map_err(error("GetCallerIdentity", "the caller"))?;
    let region = &vars.region;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": format!("arn:aws:sqs:{region}:{account}:{dlq_name}"),
        "maxReceiveCount": 5,
    });
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "OwnAccountSends",
            "Effect": "Allow",
            "Principal": { "AWS": format!("arn:aws:iam::{account}:root") },
            "Action": "sqs:SendMessage",
            "Resource": format!("arn:aws:sqs:{region}:{account}:{prefix}-orders"),
        }],
    });
    let orders = create(
        aws,
        vars,
        &format!("{prefix}-orders"),
        "orders",
        &[
            (Attr::RedrivePolicy, redrive.to_string()),
            (Attr::Policy, policy.to_string()),
        ],
    )
    .await?;
    Ok(BTreeMap::from([("orders_dlq", dlq), ("orders", orders)]))
}

/// One queue with the attributes every declared queue states (the provider's message size,
/// which LocalStack 4.12 defaults higher, and SQS-managed encryption), `own` ones and the
/// tags every resource carries; its URL.
async fn create(
    aws: &AwsClients,
    vars: &SampleVars,
    name: &str,
    target: &str,
    own: &[(Attr, String)],
) -> Result<String, AwsError> {
    let mut request = aws
        .sqs()
        .create_queue()
        .queue_name(name)
        .attributes(Attr::MaximumMessageSize, "262144")
        .attributes(Attr::SqsManagedSseEnabled, "true");
    for (attr, value) in own {
        request = request.attributes(attr.clone(), value);
    }
    for (key, value) in resource_tags(vars, name, target) {
        request = request.tags(key, value);
    }
    let out = request.send().await.map_err(error("CreateQueue", name))?;
    Ok(out.queue_url.unwrap_or_default())
}
