//! Docker-mode LocalStack: the 4.12.0 image through testcontainers, host network, loopback port.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use testcontainers_modules::localstack::LocalStack as LocalStackImage;
use testcontainers_modules::testcontainers::runners::AsyncRunner;
use testcontainers_modules::testcontainers::{ContainerAsync, ImageExt};

use super::{LocalStackError, SERVICES, VERSION};

/// A LocalStack container this process started.
pub struct Running {
    port: u16,
    id: String,
    // Kept alive so testcontainers does not remove it early; removal is done by `stop`.
    _container: ContainerAsync<LocalStackImage>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("port", &self.port)
            .field("id", &self.id)
            .finish()
    }
}

impl Running {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Removes the container synchronously with the docker CLI (usable from any context).
    pub fn stop(self) {
        remove_container(&self.id);
        // The container is gone; dropping the handle afterwards is a no-op for Docker.
        std::mem::forget(self._container);
    }
}

/// Removes a container by id with `docker rm -f`, ignoring failures (used at exit).
pub fn remove_container(id: &str) {
    let _ = std::process::Command::new("docker")
        .args(["rm", "-f", id])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}

/// Label carrying the pid of the process that started a container, so a later start can remove
/// containers whose owner died without cleaning up (SIGKILL, power loss).
const OWNER_LABEL: &str = "driftdrill.owner-pid";

/// Removes driftdrill LocalStack containers whose owning process no longer exists.
fn reap_orphans() {
    let format = format!("{{{{.ID}}}} {{{{.Label \"{OWNER_LABEL}\"}}}}");
    let Ok(out) = std::process::Command::new("docker")
        .args([
            "ps",
            "-a",
            "--filter",
            &format!("label={OWNER_LABEL}"),
            "--format",
            &format,
        ])
        .output()
    else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut parts = line.split_whitespace();
        let (Some(id), Some(pid)) = (
            parts.next(),
            parts.next().and_then(|p| p.parse::<i32>().ok()),
        ) else {
            continue;
        };
        // SAFETY: signal 0 only checks whether the pid exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        if !alive {
            remove_container(id);
        }
    }
}

/// The Docker socket: DOCKER_HOST when it is a unix:// URL, else /var/run/docker.sock.
pub fn socket_path() -> PathBuf {
    match std::env::var("DOCKER_HOST") {
        Ok(host) if host.starts_with("unix://") => {
            PathBuf::from(host.trim_start_matches("unix://"))
        }
        _ => PathBuf::from("/var/run/docker.sock"),
    }
}

/// True if a Docker daemon answers `GET /_ping` on the socket within a second.
pub fn daemon_reachable(socket: &Path) -> bool {
    let ping = || -> std::io::Result<bool> {
        let mut stream = UnixStream::connect(socket)?;
        stream.set_read_timeout(Some(Duration::from_secs(1)))?;
        stream.set_write_timeout(Some(Duration::from_secs(1)))?;
        stream.write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        Ok(reply.starts_with("HTTP/1.") && reply.contains(" 200 "))
    };
    ping().unwrap_or(false)
}

/// Starts `localstack/localstack:4.12.0` with host networking, listening on 127.0.0.1:port.
/// The image must be present or pullable; localstack/docker/build-image.sh builds it offline.
pub async fn start(port: u16) -> Result<Running, LocalStackError> {
    reap_orphans();
    let container = LocalStackImage::default()
        .with_tag(VERSION)
        .with_network("host")
        .with_label(OWNER_LABEL, std::process::id().to_string())
        .with_env_var("GATEWAY_LISTEN", format!("127.0.0.1:{port}"))
        // The default (twisted) server binds every interface whatever GATEWAY_LISTEN says;
        // hypercorn binds the address given. With host networking that is the host's loopback.
        .with_env_var("GATEWAY_SERVER", "hypercorn")
        .with_env_var("LOCALSTACK_HOST", format!("localhost.localstack.cloud:{port}"))
        .with_env_var("SERVICES", SERVICES)
        .with_env_var("DNS_ADDRESS", "0")
        .with_env_var("PERSISTENCE", "0")
        .with_env_var("SKIP_SSL_CERT_DOWNLOAD", "1")
        .with_env_var("DISABLE_EVENTS", "1")
        .with_startup_timeout(Duration::from_secs(120))
        .start()
        .await
        .map_err(|e| {
            LocalStackError::Docker(
                format!(
                    "{e}\nhint: without registry access, build the image first: localstack/docker/build-image.sh"
                )
                .into(),
            )
        })?;
    let id = container.id().to_string();
    Ok(Running {
        port,
        id,
        _container: container,
    })
}
