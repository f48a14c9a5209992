//! How SSM parameters are found: by name (or the name inside a parameter ARN) or by tags (one
//! `DescribeParameters` with a filter per tag, each answer's tags read back).

use std::collections::BTreeMap;

use aws_sdk_ssm::types::{ParameterMetadata, ParameterStringFilter, ResourceTypeForTagging};

use crate::aws::AwsClients;
use crate::inject::errors;
use crate::inject::service::{Resolver, Tagged};
use crate::inject::{InjectError, Target};
use crate::vocab::TargetType;

pub(super) struct Ssm;

/// A filter for DescribeParameters.
fn filter(key: &str, value: &str) -> ParameterStringFilter {
    ParameterStringFilter::builder()
        .key(key)
        .values(value)
        .build()
        .expect("key is set")
}

/// The parameters DescribeParameters answers for `filters`, every page.
async fn described(
    aws: &AwsClients,
    filters: Vec<ParameterStringFilter>,
    what: &str,
) -> Result<Vec<ParameterMetadata>, InjectError> {
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let out = aws
            .ssm()
            .describe_parameters()
            .set_parameter_filters(Some(filters.clone()))
            .set_next_token(token)
            .send()
            .await
            .map_err(errors::aws("DescribeParameters", what))?;
        found.extend(out.parameters().iter().cloned());
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(found),
        }
    }
}

/// The parameter called exactly `name`, or `None` when there is none.
pub(super) async fn parameter(
    aws: &AwsClients,
    name: &str,
) -> Result<Option<ParameterMetadata>, InjectError> {
    let all = described(aws, vec![filter("Name", name)], name).await?;
    Ok(all.into_iter().find(|p| p.name() == Some(name)))
}

/// A parameter's tags (the parameter exists).
async fn tags(aws: &AwsClients, name: &str) -> Result<BTreeMap<String, String>, InjectError> {
    let out = aws
        .ssm()
        .list_tags_for_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id(name)
        .send()
        .await
        .map_err(errors::aws("ListTagsForResource", name))?;
    Ok(out
        .tag_list()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
}

/// The names a parameter ARN (`arn:aws:ssm:<region>:<account>:parameter/<path>`) may stand for:
/// a hierarchical name keeps its leading `/`, a plain one has none. A name stays as given.
fn names_in(given: &str) -> Vec<String> {
    match given.split_once(":parameter/") {
        Some((head, path)) if head.starts_with("arn:") => vec![format!("/{path}"), path.into()],
        _ => vec![given.to_string()],
    }
}

#[async_trait::async_trait]
impl Resolver for Ssm {
    async fn normalise(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        given: &str,
    ) -> Result<Option<String>, InjectError> {
        for name in names_in(given) {
            if parameter(aws, &name).await?.is_some() {
                return Ok(Some(name));
            }
        }
        Ok(None)
    }

    async fn tagged(
        &self,
        aws: &AwsClients,
        _kind: TargetType,
        wanted: &BTreeMap<String, String>,
    ) -> Result<Tagged, InjectError> {
        let filters = wanted
            .iter()
            .map(|(k, v)| filter(&format!("tag:{k}"), v))
            .collect();
        let mut names = Vec::new();
        for p in described(aws, filters, "parameters").await? {
            let Some(name) = p.name() else { continue };
            let all = tags(aws, name).await?;
            if crate::vocab::target::carries(&all, wanted) {
                names.push((name.to_string(), all));
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
        match parameter(aws, id).await? {
            Some(_) => Ok(Some(tags(aws, id).await?)),
            None => Ok(None),
        }
    }

    fn replaced(&self, target: &Target, now: &str, recorded: &str) -> String {
        format!(
            "parameter {} is now {now}; the drilled parameter was {recorded}",
            target.id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::names_in;

    #[test]
    fn a_parameter_arn_names_a_path_or_a_plain_name() {
        assert_eq!(
            names_in("arn:aws:ssm:us-east-1:000000000000:parameter/app/flag"),
            ["/app/flag", "app/flag"]
        );
        assert_eq!(names_in("/app/flag"), ["/app/flag"]);
    }
}
