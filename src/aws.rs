//! The one place AWS clients are built: aws-config's standard chain plus driftdrill's overrides.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::config::Credentials;
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};

/// How to reach AWS. Every field is optional: unset fields fall back to aws-config's standard
/// chain (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3`, ... and the
/// shared config files).
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// LocalStack's fixed `test`/`test` pair. Only ever set for a loopback endpoint (see
    /// [`AwsSettings::localstack`]); real accounts use the credential chain.
    pub localstack_credentials: bool,
    /// A role to assume with the credentials above (an `[[environment]]`'s `role_arn`).
    pub assume: Option<AssumeRole>,
    /// Records every operation the clients send (service, operation): how the tests check that
    /// each action's declared permissions cover what it calls.
    pub operations: Option<OperationLog>,
    /// Connections shared with other sets of clients (see [`new_http_client`]); `None`: a
    /// client of their own.
    pub http_client: Option<aws_smithy_runtime_api::client::http::SharedHttpClient>,
}

/// The operations a set of clients sent, as (service, operation) names, e.g. ("ec2",
/// "AuthorizeSecurityGroupIngress").
pub type OperationLog =
    std::sync::Arc<std::sync::Mutex<std::collections::BTreeSet<(String, String)>>>;

/// Adds every operation to an [`OperationLog`] before it is sent.
#[derive(Debug)]
struct RecordOperations(OperationLog);

impl aws_smithy_runtime_api::client::interceptors::Intercept for RecordOperations {
    fn name(&self) -> &'static str {
        "RecordOperations"
    }

    // Not `read_before_execution`: a client's interceptors run that before the operation's
    // configuration (its name) is in the bag.
    fn read_before_serialization(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef<'_>,
        _components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(m) = cfg.load::<aws_smithy_runtime_api::client::orchestrator::Metadata>() {
            self.0
                .lock()
                .expect("operation log")
                .insert((m.service().to_ascii_lowercase(), m.name().to_string()));
        }
        Ok(())
    }
}

/// Counts every request the clients transmit (retries included) in the sending task's phase
/// ([`crate::calls`]).
#[derive(Debug)]
struct CountCalls;

impl aws_smithy_runtime_api::client::interceptors::Intercept for CountCalls {
    fn name(&self) -> &'static str {
        "CountCalls"
    }

    fn read_before_transmit(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(m) = cfg.load::<aws_smithy_runtime_api::client::orchestrator::Metadata>() {
            crate::calls::count(&m.service().to_ascii_lowercase(), m.name());
        }
        Ok(())
    }
}

/// `sts:AssumeRole` parameters for an environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub external_id: Option<String>,
    /// `driftdrill-<run id>`: CloudTrail shows which run made a change.
    pub session_name: String,
}

impl AwsSettings {
    /// Settings for a LocalStack gateway on loopback, with its dummy credentials.
    pub fn localstack(endpoint: &str, region: &str) -> Self {
        AwsSettings {
            region: Some(region.to_string()),
            profile: None,
            endpoint_url: Some(endpoint.to_string()),
            localstack_credentials: is_local_endpoint(endpoint),
            assume: None,
            operations: None,
            http_client: None,
        }
    }
}

/// Every client driftdrill uses, from one resolved configuration. Each service's client is
/// built the first time it is asked for, and clones share it: a drill on a security group builds
/// the EC2 and STS clients, not the other seven, so it never runs (or pages in) their set-up code.
#[derive(Debug, Clone)]
pub struct AwsClients {
    pub config: SdkConfig,
    /// Whether S3 uses path-style addressing (LocalStack endpoints).
    pub s3_path_style: bool,
    /// Where every operation is recorded, when the settings asked for it.
    operations: Option<OperationLog>,
    ec2: Lazy<aws_sdk_ec2::Client>,
    iam: Lazy<aws_sdk_iam::Client>,
    s3: Lazy<aws_sdk_s3::Client>,
    sts: Lazy<aws_sdk_sts::Client>,
    sqs: Lazy<aws_sdk_sqs::Client>,
    cloudwatch: Lazy<aws_sdk_cloudwatch::Client>,
    logs: Lazy<aws_sdk_cloudwatchlogs::Client>,
    sns: Lazy<aws_sdk_sns::Client>,
    ssm: Lazy<aws_sdk_ssm::Client>,
    /// The caller's account, once asked (clones share it).
    account: std::sync::Arc<tokio::sync::OnceCell<String>>,
    /// Coalesced reads by kind (see [`crate::batch`]); clones share them.
    batchers: std::sync::Arc<std::sync::Mutex<Batchers>>,
    /// How long the first of a burst of coalesced reads waits for the others, in microseconds
    /// (zero: it reads alone at once); clones share it.
    coalesce_window: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// A client built on first use; clones share it.
type Lazy<C> = std::sync::Arc<std::sync::OnceLock<C>>;

type Batchers = std::collections::HashMap<String, std::sync::Arc<dyn std::any::Any + Send + Sync>>;

type CallerIdentityError = aws_sdk_sts::error::SdkError<
    aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError,
>;

/// `$clients`' client of the SDK crate `$sdk` (built on first use), with the call counter, the
/// operation log when asked for, and any further builder settings.
macro_rules! client {
    ($clients:expr, $field:ident, $sdk:ident $(, $extra:ident($arg:expr))*) => {{
        let clients = $clients;
        clients.$field.get_or_init(|| {
            let mut b = $sdk::config::Builder::from(&clients.config)$(.$extra($arg))*
                .interceptor(CountCalls);
            if let Some(log) = &clients.operations {
                b = b.interceptor(RecordOperations(log.clone()));
            }
            $sdk::Client::from_conf(b.build())
        })
    }};
}

impl AwsClients {
    /// Resolves the configuration chain once; the clients follow from it when first used.
    pub async fn new(settings: &AwsSettings) -> Self {
        let mut loader = base_loader(settings);
        if let Some(assume) = &settings.assume {
            // The role is assumed with the base credentials, through the same endpoint.
            let base = base_loader(settings).load().await;
            let mut role = aws_config::sts::AssumeRoleProvider::builder(&assume.role_arn)
                .session_name(&assume.session_name)
                .configure(&base);
            if let Some(id) = &assume.external_id {
                role = role.external_id(id);
            }
            loader = loader.credentials_provider(role.build().await);
        }
        let config = loader.load().await;
        let s3_endpoint = settings
            .endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL_S3").ok())
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok());
        AwsClients {
            config,
            s3_path_style: s3_endpoint.as_deref().is_some_and(is_local_endpoint),
            operations: settings.operations.clone(),
            ec2: Default::default(),
            iam: Default::default(),
            s3: Default::default(),
            sts: Default::default(),
            sqs: Default::default(),
            cloudwatch: Default::default(),
            logs: Default::default(),
            sns: Default::default(),
            ssm: Default::default(),
            account: Default::default(),
            batchers: Default::default(),
            coalesce_window: Default::default(),
        }
    }

    pub fn ec2(&self) -> &aws_sdk_ec2::Client {
        client!(self, ec2, aws_sdk_ec2)
    }

    /// These clients with `ec2` as their EC2 client (the fault-injection tests put a layer in
    /// front of LocalStack); the original keeps its own.
    pub fn with_ec2(&self, ec2: aws_sdk_ec2::Client) -> Self {
        AwsClients {
            ec2: std::sync::Arc::new(ec2.into()),
            ..self.clone()
        }
    }

    /// IAM is global: one endpoint whatever the region.
    pub fn iam(&self) -> &aws_sdk_iam::Client {
        client!(self, iam, aws_sdk_iam)
    }

    pub fn s3(&self) -> &aws_sdk_s3::Client {
        client!(self, s3, aws_sdk_s3, force_path_style(self.s3_path_style))
    }

    pub fn sts(&self) -> &aws_sdk_sts::Client {
        client!(self, sts, aws_sdk_sts)
    }

    pub fn sqs(&self) -> &aws_sdk_sqs::Client {
        client!(self, sqs, aws_sdk_sqs)
    }

    pub fn cloudwatch(&self) -> &aws_sdk_cloudwatch::Client {
        client!(self, cloudwatch, aws_sdk_cloudwatch)
    }

    pub fn logs(&self) -> &aws_sdk_cloudwatchlogs::Client {
        client!(self, logs, aws_sdk_cloudwatchlogs)
    }

    pub fn sns(&self) -> &aws_sdk_sns::Client {
        client!(self, sns, aws_sdk_sns)
    }

    pub fn ssm(&self) -> &aws_sdk_ssm::Client {
        client!(self, ssm, aws_sdk_ssm)
    }

    /// Several drills share these clients: the first read of a burst waits `window` for the
    /// others, so the burst makes one coalesced call (see [`crate::batch`]). Set before the
    /// drills start; batchers made earlier keep reading alone.
    pub(crate) fn coalesce_within(&self, window: Duration) {
        let micros = u64::try_from(window.as_micros()).unwrap_or(u64::MAX);
        self.coalesce_window
            .store(micros, std::sync::atomic::Ordering::Relaxed);
    }

    /// The coalesced read of one `kind` for these clients (every drill in their account and
    /// region shares it), made with `fetch` the first time it is asked for.
    pub(crate) fn batcher<V: Clone + Send + 'static>(
        &self,
        kind: impl Into<String>,
        fetch: impl FnOnce() -> crate::batch::Fetch<V>,
    ) -> std::sync::Arc<crate::batch::Batcher<V>> {
        let window = self
            .coalesce_window
            .load(std::sync::atomic::Ordering::Relaxed);
        let window = Duration::from_micros(window);
        let mut batchers = self.batchers.lock().expect("batchers");
        let any = batchers
            .entry(kind.into())
            .or_insert_with(|| crate::batch::Batcher::with_window(fetch(), window));
        any.clone()
            .downcast()
            .expect("one value type per batch kind")
    }

    /// The account these clients act in (STS GetCallerIdentity), asked once: the credentials of
    /// one set of clients belong to one account, and a run with many drills should not ask STS
    /// once per drill.
    pub async fn caller_account(&self) -> Result<String, CallerIdentityError> {
        self.account
            .get_or_try_init(|| async {
                let identity = self.sts().get_caller_identity().send().await?;
                Ok(identity.account().unwrap_or("").to_string())
            })
            .await
            .cloned()
    }

    /// The region the clients talk to, if one was resolved.
    pub fn region(&self) -> Option<&str> {
        self.config.region().map(|r| r.as_ref())
    }
}

/// An HTTPS client (connection pools, TLS roots) to share between sets of clients of one
/// runtime: a run over 40 environments reaches one endpoint per service and region, whatever
/// the account, so its environments share connections instead of holding 40 pools. Never
/// shared across runtimes (a pooled connection belongs to the runtime that opened it).
pub(crate) fn new_http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .build_https()
}

/// aws-config's standard chain with driftdrill's retries, time-outs and overrides.
fn base_loader(settings: &AwsSettings) -> aws_config::ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(6))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .operation_timeout(Duration::from_secs(120))
                .build(),
        );
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(http) = &settings.http_client {
        loader = loader.http_client(http.clone());
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if settings.localstack_credentials {
        loader =
            loader.credentials_provider(Credentials::new("test", "test", None, None, "localstack"));
    }
    loader
}

/// The environment that points an AWS tool driftdrill starts (terraform's provider, Cloud
/// Custodian's boto3) at `url` and only there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointEnv {
    /// `AWS_ENDPOINT_URL`, set to `url`.
    pub set: Vec<(String, String)>,
    /// Inherited variables to remove: a per-service `AWS_ENDPOINT_URL_<SERVICE>` outranks
    /// `AWS_ENDPOINT_URL` and a config file's `endpoint_url`, and
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` ignores both; either would send calls elsewhere.
    pub unset: Vec<String>,
}

/// [`EndpointEnv`] for `url`, given the names of driftdrill's own environment variables.
pub fn endpoint_env(url: &str, inherited: impl IntoIterator<Item = String>) -> EndpointEnv {
    let unset = inherited
        .into_iter()
        .filter(|k| {
            k.starts_with("AWS_ENDPOINT_URL_") || k == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
        })
        .collect();
    EndpointEnv {
        set: vec![("AWS_ENDPOINT_URL".into(), url.into())],
        unset,
    }
}

/// The names of driftdrill's environment variables (for [`endpoint_env`]).
pub fn inherited_env() -> impl Iterator<Item = String> {
    std::env::vars_os().filter_map(|(k, _)| k.into_string().ok())
}

/// True when an endpoint URL points at LocalStack: a loopback host or a localstack host name.
/// Such endpoints get path-style S3 addressing (no wildcard DNS for virtual-host buckets).
pub fn is_local_endpoint(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    host == "localhost"
        || host == "::1"
        || host.starts_with("127.")
        || host.ends_with(".localhost")
        || host.contains("localstack")
}

/// An AWS call that failed, in words: `<Operation> on <resource>: <code>: <message>`, the SDK's
/// own text, never its Debug form; transient faults (throttling, 5xx, time-outs) marked.
#[derive(Debug, thiserror::Error)]
#[error("{operation} on {resource}: {message}")]
pub struct AwsError {
    pub operation: &'static str,
    pub resource: String,
    pub code: Option<String>,
    pub transient: bool,
    /// `code: message` for a service error; the error chain for a transport failure.
    pub message: String,
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
pub(crate) fn code_of<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    match err {
        SdkError::ServiceError(e) => e.err().code(),
        _ => None,
    }
}

/// An SDK error in words: `code: message` for a service error (the message the service sent),
/// otherwise the error and its causes (time-outs, connection failures).
pub(crate) fn sdk_message<E>(err: &SdkError<E, HttpResponse>) -> String
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

/// Converts an SDK error into an [`AwsError`] for `operation` on `resource`, classifying
/// transient faults.
pub fn error<E>(
    operation: &'static str,
    resource: &str,
) -> impl FnOnce(SdkError<E, HttpResponse>) -> AwsError
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
        AwsError {
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
    fn an_endpoint_env_sets_the_url_and_removes_what_outranks_it() {
        let inherited = [
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_S3",
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            "AWS_REGION",
            "PATH",
        ]
        .map(String::from);
        let env = endpoint_env("http://127.0.0.1:4566", inherited);
        assert_eq!(
            env.set,
            vec![(
                "AWS_ENDPOINT_URL".to_string(),
                "http://127.0.0.1:4566".to_string()
            )]
        );
        assert_eq!(
            env.unset,
            [
                "AWS_ENDPOINT_URL_S3",
                "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
            ]
        );
    }

    #[test]
    fn loopback_and_localstack_hosts_are_local() {
        for url in [
            "http://127.0.0.1:4566",
            "http://localhost:4566/",
            "http://[::1]:4566",
            "https://s3.localhost.localstack.cloud:4566",
            "http://localstack:4566",
        ] {
            assert!(is_local_endpoint(url), "{url}");
        }
        for url in [
            "https://s3.us-east-1.amazonaws.com",
            "https://ec2.eu-west-1.amazonaws.com:443",
        ] {
            assert!(!is_local_endpoint(url), "{url}");
        }
    }

    #[test]
    fn localstack_credentials_only_for_local_endpoints() {
        assert!(
            AwsSettings::localstack("http://127.0.0.1:4566", "us-east-1").localstack_credentials
        );
        assert!(
            !AwsSettings::localstack("https://ec2.amazonaws.com", "us-east-1")
                .localstack_credentials
        );
    }

    #[tokio::test]
    async fn explicit_region_and_endpoint_win() {
        let clients =
            AwsClients::new(&AwsSettings::localstack("http://127.0.0.1:1", "eu-west-3")).await;
        assert_eq!(clients.region(), Some("eu-west-3"));
        assert!(clients.s3_path_style);
    }
}
