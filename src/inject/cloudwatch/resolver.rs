//! How metric alarms are found: by name (or the name inside an alarm ARN) or by tags (every
//! metric alarm's tags read). An alarm's ARN is made of its name, so the name is its identity.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{AlarmType, MetricAlarm};

use crate::aws::AwsClients;
use crate::inject::errors;
use crate::inject::service::{Resolver, Tagged};
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) struct CloudWatch;

/// The metric alarm called `name`, or `None` when there is none.
pub(super) async fn alarm(
    aws: &AwsClients,
    name: &str,
) -> Result<Option<MetricAlarm>, InjectError> {
    let out = aws
        .cloudwatch()
        .describe_alarms()
        .alarm_names(name)
        .alarm_types(AlarmType::MetricAlarm)
        .send()
        .await
        .map_err(errors::aws("DescribeAlarms", name))?;
    Ok(out
        .metric_alarms()
        .iter()
        .find(|a| a.alarm_name() == Some(name))
        .cloned())
}

/// An alarm's tags, by its ARN.
async fn tags(aws: &AwsClients, arn: &str) -> Result<BTreeMap<String, String>, InjectError> {
    let out = aws
        .cloudwatch()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(errors::aws("ListTagsForResource", arn))?;
    Ok(out
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect())
}

/// The alarm name an ARN (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`) ends with.
fn name_in(given: &str) -> &str {
    match given.strip_prefix("arn:") {
        Some(_) => given.split_once(":alarm:").map_or(given, |(_, name)| name),
        None => given,
    }
}

#[async_trait::async_trait]
impl Resolver for CloudWatch {
    async fn normalise(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        given: &str,
    ) -> Result<Option<String>, InjectError> {
        let name = name_in(given);
        Ok(alarm(aws, name).await?.map(|_| name.to_string()))
    }

    async fn tagged(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        wanted: &BTreeMap<String, String>,
    ) -> Result<Tagged, InjectError> {
        let mut names = Vec::new();
        let mut token = None;
        loop {
            let out = aws
                .cloudwatch()
                .describe_alarms()
                .alarm_types(AlarmType::MetricAlarm)
                .set_next_token(token)
                .send()
                .await
                .map_err(errors::aws("DescribeAlarms", "alarms"))?;
            for a in out.metric_alarms() {
                let (Some(name), Some(arn)) = (a.alarm_name(), a.alarm_arn()) else {
                    continue;
                };
                let all = tags(aws, arn).await?;
                if crate::vocab::target::carries(&all, wanted) {
                    names.push((name.to_string(), all));
                }
            }
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        names.sort();
        Ok(names)
    }

    async fn existing_tags(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        id: &str,
    ) -> Result<Option<BTreeMap<String, String>>, InjectError> {
        match alarm(aws, id)
            .await?
            .and_then(|a| a.alarm_arn().map(String::from))
        {
            Some(arn) => Ok(Some(tags(aws, &arn).await?)),
            None => Ok(None),
        }
    }

    fn replaced(&self, target: &Target, now: &str, recorded: &str) -> String {
        format!(
            "alarm {} is now {now}; the drilled alarm was {recorded}",
            target.id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::name_in;

    #[test]
    fn an_alarm_arn_names_its_alarm_and_a_name_stays_a_name() {
        assert_eq!(
            name_in("arn:aws:cloudwatch:us-east-1:000000000000:alarm:cpu:high"),
            "cpu:high"
        );
        assert_eq!(name_in("cpu-high"), "cpu-high");
    }
}
