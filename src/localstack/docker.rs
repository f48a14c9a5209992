//! Docker-mode LocalStack: the 4.12.0 image through testcontainers, host network, loopback port.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use testcontainers_modules::localstack::LocalStack as LocalStackImage;
use testcontainers_modules::testcontainers::runners::AsyncRunner;
use testcontainers_modules::testcontainers::{ContainerAsync, ImageExt};

use super::error::{LocalStackError, SERVICES, VERSION};

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
pub(crate) fn remove_container(id: &str) {
    let _ = std::process::Command::new("docker")
        .args(["rm", "-f", id])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}

/// Label carrying the pid of the process that started a container, so a later start can remove
/// containers whose owner died without cleaning up (SIGKILL, power loss).
const OWNER_LABEL: &str = "driftdrill.owner-pid";

/// Label carrying the owner's PID namespace (`pid:[4026531836]`): a pid means nothing in
/// another namespace (another container, another machine sharing the daemon).
const PIDNS_LABEL: &str = "driftdrill.owner-pidns";

/// This process's PID namespace, as /proc names it.
fn pid_namespace() -> String {
    std::fs::read_link("/proc/self/ns/pid")
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// Whether `pid` is a live process here. `EPERM` means it exists and belongs to someone else:
/// alive. A zombie (ended, never reaped) is not alive.
fn owner_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks whether the pid exists.
    if unsafe { libc::kill(pid, 0) } != 0 {
        return std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH);
    }
    std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            != Some("Z")
    })
}

/// Which containers to remove: those this project labelled, started from this PID namespace,
/// whose owner is no longer alive. `lines` are `docker ps` lines: `<id> <pid> <pidns>`.
fn orphans(lines: &str, namespace: &str, alive: impl Fn(i32) -> bool) -> Vec<String> {
    lines
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let id = parts.next()?;
            let pid = parts.next()?.parse::<i32>().ok()?;
            let ns = parts.next()?;
            (pid > 0 && !namespace.is_empty() && ns == namespace && !alive(pid))
                .then(|| id.to_string())
        })
        .collect()
}

/// Removes driftdrill LocalStack containers whose owning process no longer exists here.
fn reap_orphans() {
    let format =
        format!("{{{{.ID}}}} {{{{.Label \"{OWNER_LABEL}\"}}}} {{{{.Label \"{PIDNS_LABEL}\"}}}}");
    let Ok(out) = std::process::Command::new("docker")
        .args([
            "ps",
            "-a",
            "--filter",
            &format!("label={OWNER_LABEL}"),
            "--filter",
            &format!("label={PIDNS_LABEL}"),
            "--format",
            &format,
        ])
        .output()
    else {
        return;
    };
    let listed = String::from_utf8_lossy(&out.stdout);
    for id in orphans(&listed, &pid_namespace(), owner_alive) {
        remove_container(&id);
    }
}

/// The Docker socket: DOCKER_HOST when it is a unix:// URL, else /var/run/docker.sock.
pub(crate) fn socket_path() -> PathBuf {
    match std::env::var("DOCKER_HOST") {
        Ok(host) if host.starts_with("unix://") => {
            PathBuf::from(host.trim_start_matches("unix://"))
        }
        _ => PathBuf::from("/var/run/docker.sock"),
    }
}

/// True if a Docker daemon answers `GET /_ping` on the socket within a second.
pub(crate) fn daemon_reachable(socket: &Path) -> bool {
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
        .with_label(PIDNS_LABEL, pid_namespace())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_namespaces_containers_with_a_dead_owner_are_orphans() {
        let ours = "pid:[4026531836]";
        let listed = "aaa 100 pid:[4026531836]\nbbb 200 pid:[4026531836]\nccc 100 pid:[999]\nddd notapid pid:[4026531836]\neee 300\n";
        // 100 is dead, 200 alive.
        let found = orphans(listed, ours, |pid| pid == 200);
        assert_eq!(found, vec!["aaa".to_string()]);
        // Without a namespace of our own, nothing is ever removed.
        assert!(orphans(listed, "", |_| false).is_empty());
    }

    #[test]
    fn a_process_we_may_not_signal_is_alive() {
        // pid 1 exists in every namespace; as root kill succeeds, as a user it is EPERM.
        assert!(owner_alive(1));
        assert!(owner_alive(std::process::id() as i32));
        assert!(!owner_alive(i32::MAX - 7));
    }
}
