//! The shared fixture: one LocalStack per test process (Docker when a daemon answers, host mode
//! otherwise, or AWS_ENDPOINT_URL), AWS clients for it, unique names, and terraform helpers.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use driftdrill::aws::{AwsClients, AwsSettings};
use driftdrill::localstack::{self, LocalStack, Mode};
use driftdrill::terraform::sample_env::{self, SampleOutputs, SampleVars};
use driftdrill::terraform::{Workspace, workspace};

pub const REGION: &str = "us-east-1";

/// What the tests need to know about the LocalStack of this process.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    pub mode: Mode,
}

static ENDPOINT: OnceLock<Result<Endpoint, String>> = OnceLock::new();
static RUNNING: Mutex<Option<LocalStack>> = Mutex::new(None);

/// The LocalStack of this test process, started on first use and stopped when the process exits.
pub fn localstack() -> &'static Endpoint {
    let started = ENDPOINT.get_or_init(|| {
        // Started on a thread of its own with its own runtime, so no test's runtime owns it.
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let env = localstack::launcher::Environment::from_process();
                let ls = localstack::start(&env).await.map_err(|e| error_chain(&e))?;
                wait_healthy(&ls.endpoint).await?;
                let endpoint = Endpoint {
                    url: ls.endpoint.clone(),
                    mode: ls.mode,
                };
                eprintln!(
                    "fixture: LocalStack {} ({})",
                    localstack::VERSION,
                    ls.describe()
                );
                *RUNNING.lock().unwrap() = Some(ls);
                // SAFETY: registering a plain extern "C" function with the C runtime.
                unsafe { libc::atexit(stop_at_exit) };
                Ok(endpoint)
            })
        })
        .join()
        .expect("LocalStack start-up thread panicked")
    });
    match started {
        Ok(endpoint) => endpoint,
        Err(message) => panic!("failed to provide a LocalStack for the tests: {message}"),
    }
}

extern "C" fn stop_at_exit() {
    if let Ok(mut guard) = RUNNING.lock()
        && let Some(mut ls) = guard.take()
    {
        ls.stop();
    }
}

async fn wait_healthy(url: &str) -> Result<(), String> {
    let health = format!("{url}/_localstack/health");
    for _ in 0..120 {
        if let Ok(resp) = reqwest::get(&health).await
            && resp.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    Err(format!("{health} did not answer within 60 s"))
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    text
}

/// AWS clients for this process's LocalStack, built the way the product builds them.
pub async fn clients() -> AwsClients {
    AwsClients::new(&AwsSettings::localstack(&localstack().url, REGION)).await
}

/// A name unique to this process and call, lowercase and bucket-safe: `dd-<tag>-<pid>-<n>-<rand>`.
pub fn unique(tag: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let rand = &uuid::Uuid::new_v4().simple().to_string()[..6];
    format!("dd-{tag}-{}-{n}-{rand}", std::process::id() % 100_000)
}

/// Variable that lets a user without terraform skip the terraform tests explicitly.
pub const SKIP_TERRAFORM_ENV: &str = "DRIFTDRILL_SKIP_TERRAFORM";

/// True if terraform tests should run. Without terraform they fail loudly, unless the user set
/// DRIFTDRILL_SKIP_TERRAFORM=1, in which case the test returns early and says so.
pub fn terraform_available() -> bool {
    if workspace::installed("terraform") {
        return true;
    }
    if std::env::var(SKIP_TERRAFORM_ENV).is_ok_and(|v| v == "1") {
        eprintln!("skipped: terraform is not installed and {SKIP_TERRAFORM_ENV}=1");
        return false;
    }
    panic!(
        "terraform was not found on PATH: install Terraform 1.5 or later, or set {SKIP_TERRAFORM_ENV}=1 to skip the terraform tests"
    );
}

/// A freshly applied sample environment with a unique prefix, in a temporary folder.
pub struct SampleEnv {
    /// Kept so the folder lives as long as the environment.
    pub _dir: tempfile::TempDir,
    pub workspace: Workspace,
    pub outputs: SampleOutputs,
}

/// Applies the sample environment (lifecycle rules optional: they cost about a minute).
pub async fn sample_env(tag: &str, lifecycle_rules: bool) -> SampleEnv {
    let dir = tempfile::Builder::new()
        .prefix("driftdrill-tf-")
        .tempdir()
        .expect("tempdir");
    let vars = SampleVars {
        endpoint: localstack().url.clone(),
        region: REGION.into(),
        name_prefix: unique(tag),
        lifecycle_rules,
    };
    let workspace = sample_env::write(dir.path(), &vars).expect("write the sample environment");
    let outputs = match sample_env::apply(&workspace).await {
        Ok(outputs) => outputs,
        Err(e) => panic!(
            "failed to apply the sample environment: {}",
            error_chain(&e)
        ),
    };
    SampleEnv {
        _dir: dir,
        workspace,
        outputs,
    }
}
