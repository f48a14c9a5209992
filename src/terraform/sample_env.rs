//! The sample non-production environment (localstack/terraform), embedded so the binary can apply
//! it anywhere: a VPC, security groups, three instances and six buckets, all `Environment=staging`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{TerraformError, Workspace, mirror};

mod parameter;
mod queues;

const FILES: &[(&str, &str)] = &[
    (
        "providers.tf",
        include_str!("../../localstack/terraform/providers.tf"),
    ),
    (
        "variables.tf",
        include_str!("../../localstack/terraform/variables.tf"),
    ),
    (
        "network.tf",
        include_str!("../../localstack/terraform/network.tf"),
    ),
    (
        "messaging.tf",
        include_str!("../../localstack/terraform/messaging.tf"),
    ),
    (
        "monitoring.tf",
        include_str!("../../localstack/terraform/monitoring.tf"),
    ),
    (
        "compute.tf",
        include_str!("../../localstack/terraform/compute.tf"),
    ),
    (
        "storage.tf",
        include_str!("../../localstack/terraform/storage.tf"),
    ),
    ("iam.tf", include_str!("../../localstack/terraform/iam.tf")),
    (
        "outputs.tf",
        include_str!("../../localstack/terraform/outputs.tf"),
    ),
];

/// Inputs of the sample environment.
#[derive(Debug, Clone)]
pub struct SampleVars {
    /// LocalStack endpoint on loopback.
    pub endpoint: String,
    pub region: String,
    /// Unique per test or demo run; every name starts with it.
    pub name_prefix: String,
    /// Whether the data bucket gets its lifecycle rule.
    pub lifecycle_rules: bool,
}

/// What `terraform output -json` reports after apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOutputs {
    pub vpc_id: String,
    pub network_acl_id: String,
    pub security_group_ids: BTreeMap<String, String>,
    pub instance_id: String,
    pub bucket_names: BTreeMap<String, String>,
    /// CloudWatch alarms by their key in monitoring.tf.
    pub alarm_names: BTreeMap<String, String>,
}

/// Writes the environment's files, its `terraform.tfvars.json` and (when a provider mirror is
/// found) a CLI config into `dir`, and returns a workspace for it. A plain `terraform plan` in
/// `dir` with `TF_CLI_CONFIG_FILE=dir/terraformrc` then works too (the scheduled-job use).
pub fn write(dir: &Path, vars: &SampleVars) -> std::io::Result<Workspace> {
    write_files(dir, FILES, vars)
}

/// The self-healing workspace (`localstack/terraform-selfheal/`): a group and a bucket the
/// demo's remediators keep as declared, with the sample environment's provider set-up and
/// variables, in a folder and state of its own.
pub fn write_selfheal(dir: &Path, vars: &SampleVars) -> std::io::Result<Workspace> {
    let shared = FILES
        .iter()
        .filter(|(name, _)| matches!(*name, "providers.tf" | "variables.tf"));
    let own = (
        "selfheal.tf",
        include_str!("../../localstack/terraform-selfheal/selfheal.tf"),
    );
    let files: Vec<(&str, &str)> = shared.copied().chain([own]).collect();
    write_files(dir, &files, vars)
}

/// Writes `files`, the variables and (with a provider mirror) a CLI config into `dir`.
fn write_files(
    dir: &Path,
    files: &[(&str, &str)],
    vars: &SampleVars,
) -> std::io::Result<Workspace> {
    if !is_loopback(&vars.endpoint) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "the sample environment only ever targets a loopback endpoint, not {}",
                vars.endpoint
            ),
        ));
    }
    std::fs::create_dir_all(dir)?;
    for (name, text) in files {
        std::fs::write(dir.join(name), text)?;
    }
    std::fs::write(dir.join(AWS_CONFIG), aws_config(&vars.endpoint))?;
    let tfvars = serde_json::json!({
        "endpoint": vars.endpoint,
        "region": vars.region,
        "name_prefix": vars.name_prefix,
        "lifecycle_rules": vars.lifecycle_rules,
    });
    std::fs::write(
        dir.join("terraform.tfvars.json"),
        serde_json::to_string_pretty(&tfvars)?,
    )?;
    let mut ws = Workspace::new(dir);
    ws.pin_endpoint(&vars.endpoint);
    let rc = cli_config_path(dir);
    if mirror::write_cli_config(&rc)?.is_some() {
        ws.cli_config = Some(rc);
    }
    Ok(ws)
}

/// The shared AWS config file providers.tf reads its endpoint from (instead of an `endpoints`
/// block, which costs half of every plan: see providers.tf).
const AWS_CONFIG: &str = "aws-config";

/// [`AWS_CONFIG`]'s text: the profile providers.tf names, every service at `endpoint`.
fn aws_config(endpoint: &str) -> String {
    format!(
        "# Written by driftdrill: every AWS call of this environment goes to LocalStack on loopback.\n\
         [profile driftdrill-sample]\nendpoint_url = {endpoint}\n"
    )
}

/// What variables.tf accepts as `endpoint` (http(s) on 127.0.0.1, localhost or [::1], an
/// optional port and slash), checked here because the provider reads [`AWS_CONFIG`], not the
/// variable: its validation fails only after the plan has read the resources. Stricter than
/// [`crate::aws::is_local_endpoint`], which also accepts LocalStack host names.
fn is_loopback(endpoint: &str) -> bool {
    let Some(rest) = endpoint
        .strip_prefix("http://")
        .or_else(|| endpoint.strip_prefix("https://"))
    else {
        return false;
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let host = ["127.0.0.1", "localhost", "[::1]"]
        .into_iter()
        .find(|h| rest.starts_with(h));
    host.is_some_and(|h| {
        let port = &rest[h.len()..];
        port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Where [`write`] puts the CLI config.
pub(crate) fn cli_config_path(dir: &Path) -> PathBuf {
    dir.join("terraformrc")
}

/// init + apply, then the outputs. See [`apply_initialised`].
pub async fn apply(ws: &Workspace, vars: &SampleVars) -> Result<SampleOutputs, TerraformError> {
    ws.init().await?;
    apply_initialised(ws, vars).await
}

/// [`apply`] for a workspace already initialised (`terraform init` needs no endpoint, so a
/// caller may run it while LocalStack starts, then [`write`] the real endpoint and apply).
///
/// After creating a lifecycle configuration the AWS provider waits about 55 s for it to read
/// back the same, ten reads five seconds apart, although LocalStack is consistent at once. So
/// the first apply leaves it out, driftdrill puts the same rule with the SDK, and a second apply
/// imports it: terraform manages it from then on like any other resource (its plan sees the
/// rule removed). That second apply, or without lifecycle rules a refresh-only one, also
/// records in the state what the separate bucket sub-resources set (otherwise the first
/// refresh-only plan reports that as drift).
///
/// The two queues and the parameter are made the same way before the first apply, which
/// imports them (see [`seed_imports`]).
pub(crate) async fn apply_initialised(
    ws: &Workspace,
    vars: &SampleVars,
) -> Result<SampleOutputs, TerraformError> {
    const APPLY: [&str; 4] = ["apply", "-auto-approve", "-input=false", "-no-color"];
    let aws = crate::aws::AwsClients::new(&crate::aws::AwsSettings::localstack(
        &vars.endpoint,
        &vars.region,
    ))
    .await;
    let imports = seed_imports(&aws, vars)
        .await
        .map_err(|source| TerraformError::Seed {
            what: "create the queues and the parameter for terraform to import".into(),
            source,
        })?;
    let imports = format!("imports={}", serde_json::json!(imports));
    if !vars.lifecycle_rules {
        first_apply(ws, &[&APPLY[..], &["-var", &imports]].concat()).await?;
        let out = outputs(ws).await?;
        tag_alarms(&aws, &out, vars).await?;
        ws.checked(&[&APPLY[..], &["-refresh-only"]].concat())
            .await?;
        return Ok(out);
    }
    first_apply(
        ws,
        &[
            &APPLY[..],
            &["-var", "lifecycle_rules=false", "-var", &imports],
        ]
        .concat(),
    )
    .await?;
    let out = outputs(ws).await?;
    tag_alarms(&aws, &out, vars).await?;
    let data = &out.bucket_names["data"];
    put_lifecycle_rule(&aws, data)
        .await
        .map_err(|source| TerraformError::Seed {
            what: format!("put the lifecycle rule on {data} for terraform to import"),
            source,
        })?;
    ws.checked(&[&APPLY[..], &["-var", "import_lifecycle=true"]].concat())
        .await?;
    Ok(out)
}

/// The apply that creates the environment, run once more if it fails. Under load an apply can
/// fail on a rule it had just made itself (`InvalidPermission.Duplicate` on a group's egress,
/// seen once in the benchmark's demo; most likely a call the provider retried after LocalStack
/// had carried it out), although nothing is wrong. The second apply refreshes what the first
/// made and converges (a resource whose create failed halfway is tainted and made again);
/// everything it touches is the sample environment's own.
async fn first_apply(ws: &Workspace, args: &[&str]) -> Result<(), TerraformError> {
    match ws.checked(args).await {
        Ok(_) => Ok(()),
        Err(first) => {
            tracing::warn!(error = %first, "the sample environment's first apply failed; applying once more");
            ws.checked(args).await.map(drop)
        }
    }
}

/// Makes the resources the first apply imports (`var.imports`): both queues ([`queues`]:
/// creating them through terraform cost about 50 s of waiting) and the parameter
/// ([`parameter`]: a create the provider retries under load fails the apply). Their ids by
/// resource name.
pub async fn seed_imports(
    aws: &crate::aws::AwsClients,
    vars: &SampleVars,
) -> Result<BTreeMap<&'static str, String>, crate::aws::AwsError> {
    let mut ids = queues::seed(aws, vars).await?;
    ids.insert("orders_endpoint", parameter::seed(aws, vars).await?);
    Ok(ids)
}

/// The tags a resource of the sample environment carries: `local.tags` (providers.tf), its
/// `Name` and its `drill:target`.
fn resource_tags(vars: &SampleVars, name: &str, target: &str) -> [(&'static str, String); 6] {
    [
        ("Environment", "staging".into()),
        ("ManagedBy", "terraform".into()),
        ("Project", "driftdrill-sample".into()),
        ("Stack", vars.name_prefix.clone()),
        ("Name", name.into()),
        ("drill:target", target.into()),
    ]
}

/// Tags every alarm of monitoring.tf as every other resource is tagged, with its `Name` and
/// `drill:target` (the key with dashes): LocalStack 4.12 cannot keep tags given at creation
/// (see `local.tags` in providers.tf).
async fn tag_alarms(
    aws: &crate::aws::AwsClients,
    out: &SampleOutputs,
    vars: &SampleVars,
) -> Result<(), TerraformError> {
    use aws_sdk_cloudwatch::types::Tag;
    for (key, name) in &out.alarm_names {
        let fail = |source| TerraformError::Seed {
            what: format!("tag the alarm {name}"),
            source,
        };
        let alarm = aws
            .cloudwatch()
            .describe_alarms()
            .alarm_names(name)
            .send()
            .await
            .map_err(|e| fail(crate::aws::error("DescribeAlarms", name)(e)))?;
        let arn = alarm
            .metric_alarms()
            .first()
            .and_then(|a| a.alarm_arn())
            .unwrap_or_default()
            .to_string();
        let tags = resource_tags(vars, name, &key.replace('_', "-"));
        aws.cloudwatch()
            .tag_resource()
            .resource_arn(&arn)
            .set_tags(Some(
                tags.into_iter()
                    .map(|(k, v)| Tag::builder().key(k).value(v).build())
                    .collect(),
            ))
            .send()
            .await
            .map_err(|e| fail(crate::aws::error("TagResource", &arn)(e)))?;
    }
    Ok(())
}

/// Applies the self-healing workspace, then a refresh-only apply so the state records what the
/// bucket's sub-resources set (its first full plan is then clean).
pub async fn apply_selfheal(ws: &Workspace) -> Result<(), TerraformError> {
    ws.apply().await?;
    ws.checked(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-refresh-only",
    ])
    .await
    .map(drop)
}

/// Puts the rule `aws_s3_bucket_lifecycle_configuration.data` declares in storage.tf, exactly
/// (a difference would only make the import apply update it, and wait).
pub async fn put_lifecycle_rule(
    aws: &crate::aws::AwsClients,
    bucket: &str,
) -> Result<(), crate::aws::AwsError> {
    use aws_sdk_s3::types::{
        BucketLifecycleConfiguration, ExpirationStatus, LifecycleRule, LifecycleRuleFilter,
        NoncurrentVersionExpiration,
    };
    let rule = LifecycleRule::builder()
        .id("expire-noncurrent")
        .status(ExpirationStatus::Enabled)
        .filter(LifecycleRuleFilter::builder().prefix("tmp/").build())
        .noncurrent_version_expiration(
            NoncurrentVersionExpiration::builder()
                .noncurrent_days(30)
                .build(),
        )
        .build()
        .expect("the rule sets its required status");
    let config = BucketLifecycleConfiguration::builder()
        .rules(rule)
        .build()
        .expect("the configuration sets its required rules");
    aws.s3()
        .put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(config)
        .send()
        .await
        .map(drop)
        .map_err(crate::aws::error("PutBucketLifecycleConfiguration", bucket))
}

/// Reads the outputs of an applied environment.
pub async fn outputs(ws: &Workspace) -> Result<SampleOutputs, TerraformError> {
    #[derive(Deserialize)]
    struct Out<T> {
        value: T,
    }
    #[derive(Deserialize)]
    struct All {
        vpc_id: Out<String>,
        network_acl_id: Out<String>,
        security_group_ids: Out<BTreeMap<String, String>>,
        instance_id: Out<String>,
        bucket_names: Out<BTreeMap<String, String>>,
        alarm_names: Out<BTreeMap<String, String>>,
    }
    let value = ws.outputs().await?;
    let all: All = serde_json::from_value(value).map_err(|source| TerraformError::Parse {
        command: "`terraform output -json`".into(),
        source,
    })?;
    Ok(SampleOutputs {
        vpc_id: all.vpc_id.value,
        network_acl_id: all.network_acl_id.value,
        security_group_ids: all.security_group_ids.value,
        instance_id: all.instance_id.value,
        bucket_names: all.bucket_names.value,
        alarm_names: all.alarm_names.value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(endpoint: &str) -> SampleVars {
        SampleVars {
            endpoint: endpoint.into(),
            region: "us-east-1".into(),
            name_prefix: "dd-unit".into(),
            lifecycle_rules: true,
        }
    }

    #[test]
    fn the_endpoint_is_written_to_the_shared_config_and_pinned_for_terraform() {
        let dir = tempfile::tempdir().unwrap();
        let ws = write(dir.path(), &vars("http://127.0.0.1:4599")).unwrap();
        let config = std::fs::read_to_string(dir.path().join(AWS_CONFIG)).unwrap();
        assert!(
            config.contains("[profile driftdrill-sample]\nendpoint_url = http://127.0.0.1:4599\n")
        );
        let providers = std::fs::read_to_string(dir.path().join("providers.tf")).unwrap();
        assert!(providers.contains("profile             = \"driftdrill-sample\""));
        assert!(!providers.contains("endpoints {"), "{providers}");
        assert!(
            ws.env
                .contains(&("AWS_ENDPOINT_URL".into(), "http://127.0.0.1:4599".into()))
        );
    }

    #[test]
    fn only_a_loopback_endpoint_is_written() {
        for ok in [
            "http://127.0.0.1:4566",
            "http://localhost",
            "https://[::1]:1/",
        ] {
            assert!(is_loopback(ok), "{ok}");
        }
        for refused in [
            "http://10.0.0.1:4566",
            "https://ec2.us-east-1.amazonaws.com",
            "http://127.0.0.1.example.com",
            "http://localhost:",
            "ftp://127.0.0.1",
        ] {
            assert!(!is_loopback(refused), "{refused}");
        }
        let dir = tempfile::tempdir().unwrap();
        let err = write(&dir.path().join("env"), &vars("http://10.0.0.1:4566")).unwrap_err();
        assert!(err.to_string().contains("loopback"), "{err}");
        assert!(!dir.path().join("env").exists(), "nothing is written");
    }
}
