//! Where a run's drills happen: every `[[environment]]` × region it drills, each with its own
//! clients (the environment's role assumed, or its profile) and the account STS says they act
//! in, checked against the allow-lists before anything changes. `recover` reaches a journaled
//! change's place the same way.

use std::sync::Arc;

use super::guard;
use super::plan::Planned;
use crate::aws::{AssumeRole, AwsClients, AwsSettings, is_local_endpoint};
use crate::calls::{Phase, Tally};
use crate::formats::environment::{self, EnvironmentDecl};
use crate::formats::{DrillConfig, Scenario};
use crate::inject::InjectError;

/// One environment in one region, reached and checked.
#[derive(Debug, Clone)]
pub struct Place {
    /// The `[[environment]]` name; `None` for the implicit environment of a config without any.
    pub environment: Option<String>,
    pub aws: AwsClients,
    /// From STS, and allow-listed.
    pub account: String,
}

impl Place {
    pub fn region(&self) -> Option<&str> {
        self.aws.region()
    }

    /// `@sandbox-a/eu-west-1` for a named environment, empty for the implicit one: what tells
    /// one scenario's drills apart in drill names, marks and resource locks.
    pub(crate) fn suffix(&self) -> String {
        match &self.environment {
            Some(e) => format!("@{e}/{}", self.region().unwrap_or("-")),
            None => String::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("check environment {environment} in {region}")]
pub struct PlaceError {
    pub environment: String,
    pub region: String,
    #[source]
    pub source: InjectError,
}

/// How to reach one environment in one region: `[aws]` (endpoint, profile) with the
/// environment's profile or role on top. LocalStack's dummy credentials only for a loopback
/// endpoint and never over a profile.
pub fn settings(
    config: &DrillConfig,
    env: Option<&EnvironmentDecl>,
    region: Option<&str>,
    run_id: &str,
) -> AwsSettings {
    let endpoint = config.aws.endpoint_url.clone();
    let profile = env
        .and_then(|e| e.profile.clone())
        .or_else(|| config.aws.profile.clone());
    AwsSettings {
        region: region
            .map(String::from)
            .or_else(|| config.aws.region.clone()),
        localstack_credentials: endpoint.as_deref().is_some_and(is_local_endpoint)
            && env.is_none_or(|e| e.profile.is_none()),
        profile,
        endpoint_url: endpoint,
        assume: env.and_then(|e| {
            e.role_arn.as_ref().map(|arn| AssumeRole {
                role_arn: arn.clone(),
                external_id: e.external_id.clone(),
                session_name: session_name(run_id),
            })
        }),
        operations: None,
        http_client: None,
    }
}

/// `driftdrill-<run id>`, within STS's 64 characters of `[\w+=,.@-]`.
fn session_name(run_id: &str) -> String {
    let name: String = format!("driftdrill-{run_id}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@-_".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    name.chars().take(64).collect()
}

/// Reaches every environment and region the drills need (in parallel: an organisation has many accounts)
/// and applies the account and region guardrails to each. The first refusal fails the whole
/// run, before anything changes. The calls it makes are counted in `calls` (the preflight).
pub(crate) async fn connect(
    config: &DrillConfig,
    drills: &[Planned],
    scenarios: &[Scenario],
    run_id: &str,
    calls: &Arc<Tally>,
) -> Result<Vec<Place>, PlaceError> {
    // Each environment and region once; the region allow-list applies where a drill is regional.
    let mut wanted: Vec<(Option<String>, Option<String>, bool)> = Vec::new();
    for d in drills {
        let regional = !crate::inject::kind_of(scenarios[d.scenario].target.kind).global;
        match wanted
            .iter_mut()
            .find(|w| w.0 == d.environment && w.1 == d.region)
        {
            Some(w) => w.2 |= regional,
            None => wanted.push((d.environment.clone(), d.region.clone(), regional)),
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    let http = crate::aws::new_http_client();
    for (at, (name, region, regional)) in wanted.iter().cloned().enumerate() {
        let env = name.as_deref().and_then(|n| config.environment(n));
        let mut settings = settings(config, env, region.as_deref(), run_id);
        settings.http_client = Some(http.clone());
        let safety = config.safety.clone();
        let reach = async move {
            let aws = AwsClients::new(&settings).await;
            let checked = guard::check_account_and_region(&aws, &safety, regional).await;
            let region = aws.region().unwrap_or("(no region)").to_string();
            (at, name, region, aws, checked)
        };
        tasks.spawn(crate::calls::during(calls, Phase::Preflight, reach));
    }
    let index = wanted.len();
    let mut places: Vec<Option<Place>> = vec![None; index];
    let mut refused: Vec<(usize, PlaceError)> = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (at, environment, region, aws, checked) = done.expect("connect task panicked");
        match checked {
            Ok(account) => {
                places[at] = Some(Place {
                    environment,
                    aws,
                    account,
                })
            }
            Err(source) => refused.push((
                at,
                PlaceError {
                    environment: environment.unwrap_or_else(|| environment::IMPLICIT.into()),
                    region,
                    source,
                },
            )),
        }
    }
    // The same refusal whatever order the answers came in.
    if let Some((_, e)) = refused.into_iter().min_by_key(|(at, _)| *at) {
        return Err(e);
    }
    Ok(places.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_fit_sts() {
        let name = session_name("20261123T100000Z-abc123");
        assert_eq!(name, "driftdrill-20261123T100000Z-abc123");
        assert!(session_name(&"x".repeat(100)).len() <= 64);
        assert_eq!(session_name("a/b c"), "driftdrill-a-b-c");
    }
}
