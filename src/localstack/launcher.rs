//! Chooses how to run LocalStack (external endpoint, Docker, host venv) and owns the running handle.

use std::net::TcpListener;
use std::path::PathBuf;

pub use super::error::LocalStackError;
use super::{docker, host};

/// How the LocalStack endpoint is provided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An endpoint someone else runs, from `AWS_ENDPOINT_URL`.
    External,
    /// A container started with the docker CLI, with host networking.
    Docker,
    /// `python -m localstack.runtime.main` from a pinned venv (localstack/host.sh).
    Host,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::External => "external",
            Mode::Docker => "docker",
            Mode::Host => "host",
        }
    }
}

/// The environment the choice depends on, read once so the choice can be tested.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// DRIFTDRILL_LOCALSTACK: auto (default), docker, host or external.
    pub requested: Option<String>,
    /// AWS_ENDPOINT_URL.
    pub endpoint_url: Option<String>,
    /// The Docker socket (from DOCKER_HOST, default /var/run/docker.sock).
    pub docker_socket: PathBuf,
    /// The Python interpreter for host mode (DRIFTDRILL_PYTHON, default python3).
    pub python: String,
}

impl Environment {
    pub fn from_process() -> Self {
        Environment {
            requested: std::env::var("DRIFTDRILL_LOCALSTACK")
                .ok()
                .filter(|s| !s.is_empty()),
            endpoint_url: std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|s| !s.is_empty()),
            docker_socket: docker::socket_path(),
            python: std::env::var("DRIFTDRILL_PYTHON").unwrap_or_else(|_| "python3".into()),
        }
    }
}

/// Picks the mode: an explicit DRIFTDRILL_LOCALSTACK wins; otherwise AWS_ENDPOINT_URL means
/// external, a reachable Docker daemon (with the docker CLI) means Docker, and an installed
/// Python means host mode.
pub(crate) fn choose(env: &Environment) -> Result<Mode, LocalStackError> {
    let docker_ok = || docker::daemon_reachable(&env.docker_socket) && docker::cli_available();
    let python_ok = || host::python_available(&env.python);
    let socket = || env.docker_socket.display().to_string();
    match env.requested.as_deref().unwrap_or("auto") {
        "external" if env.endpoint_url.is_some() => Ok(Mode::External),
        "external" => Err(LocalStackError::ExternalWithoutEndpoint),
        "docker" if docker_ok() => Ok(Mode::Docker),
        "docker" => Err(LocalStackError::DockerUnavailable(socket())),
        "host" if python_ok() => Ok(Mode::Host),
        "host" => Err(LocalStackError::PythonUnavailable(env.python.clone())),
        "auto" if env.endpoint_url.is_some() => Ok(Mode::External),
        "auto" if docker_ok() => Ok(Mode::Docker),
        "auto" if python_ok() => Ok(Mode::Host),
        "auto" => Err(LocalStackError::NoBackend {
            docker_socket: socket(),
            python: env.python.clone(),
        }),
        other => Err(LocalStackError::UnknownMode(other.to_string())),
    }
}

/// A running LocalStack. [`LocalStack::stop`] ends what this process started; an external
/// endpoint is left alone.
#[derive(Debug)]
pub struct LocalStack {
    pub mode: Mode,
    pub endpoint: String,
    owned: Owned,
}

#[derive(Debug)]
enum Owned {
    Nothing,
    Container(Box<docker::Running>),
    Host(host::Running),
}

impl LocalStack {
    /// Stops what this handle started, synchronously (safe to call from an exit hook).
    pub fn stop(&mut self) {
        match std::mem::replace(&mut self.owned, Owned::Nothing) {
            Owned::Nothing => {}
            Owned::Container(c) => c.stop(),
            Owned::Host(h) => h.stop(),
        }
    }

    /// A description for logs, e.g. `docker, http://127.0.0.1:41234`.
    pub fn describe(&self) -> String {
        format!("{}, {}", self.mode.as_str(), self.endpoint)
    }
}

/// Starts (or, for external, adopts) a LocalStack as [`choose`] decides.
pub async fn start(env: &Environment) -> Result<LocalStack, LocalStackError> {
    let mode = choose(env)?;
    let (endpoint, owned) = match mode {
        Mode::External => {
            let url = env.endpoint_url.clone().unwrap_or_default();
            if !crate::aws::is_local_endpoint(&url) {
                return Err(LocalStackError::NotLoopback(url));
            }
            (url.trim_end_matches('/').to_string(), Owned::Nothing)
        }
        Mode::Docker => {
            let running = docker::start(free_port()?).await?;
            (running.endpoint(), Owned::Container(Box::new(running)))
        }
        Mode::Host => {
            let port = free_port()?;
            let running = tokio::task::spawn_blocking(move || host::start(port))
                .await
                .map_err(LocalStackError::HostTask)??;
            (running.endpoint(), Owned::Host(running))
        }
    };
    Ok(LocalStack {
        mode,
        endpoint,
        owned,
    })
}

/// A free port on 127.0.0.1, chosen by the kernel.
fn free_port() -> Result<u16, LocalStackError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(LocalStackError::Port)?;
    Ok(listener.local_addr().map_err(LocalStackError::Port)?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(requested: Option<&str>, endpoint: Option<&str>) -> Environment {
        Environment {
            requested: requested.map(String::from),
            endpoint_url: endpoint.map(String::from),
            docker_socket: PathBuf::from("/nonexistent/docker.sock"),
            python: "/nonexistent/python3".into(),
        }
    }

    #[test]
    fn nothing_available_says_how_to_get_either() {
        let err = choose(&env(None, None)).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("no Docker daemon answers at /nonexistent/docker.sock"),
            "{msg}"
        );
        assert!(msg.contains("apt-get install docker.io"), "{msg}");
        assert!(
            msg.contains("apt-get install python3 python3-venv"),
            "{msg}"
        );
        assert!(msg.contains("AWS_ENDPOINT_URL"), "{msg}");
    }

    #[test]
    fn endpoint_means_external_and_explicit_modes_are_checked() {
        assert_eq!(
            choose(&env(None, Some("http://127.0.0.1:4566"))).unwrap(),
            Mode::External
        );
        assert!(matches!(
            choose(&env(Some("external"), None)),
            Err(LocalStackError::ExternalWithoutEndpoint)
        ));
        assert!(matches!(
            choose(&env(Some("docker"), None)),
            Err(LocalStackError::DockerUnavailable(_))
        ));
        assert!(matches!(
            choose(&env(Some("host"), None)),
            Err(LocalStackError::PythonUnavailable(_))
        ));
        assert!(matches!(
            choose(&env(Some("kubernetes"), None)),
            Err(LocalStackError::UnknownMode(_))
        ));
    }

    #[tokio::test]
    async fn external_endpoints_must_be_loopback() {
        let err = start(&env(None, Some("https://ec2.us-east-1.amazonaws.com")))
            .await
            .unwrap_err();
        assert!(matches!(err, LocalStackError::NotLoopback(_)), "{err}");
    }
}
