//! Docker-mode LocalStack: the 4.12.0 image run with the docker CLI, host network, loopback port.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::error::{LocalStackError, SERVICES, VERSION};

/// How long a container may take to answer its health endpoint (the first start of the image
/// loads LocalStack's Python packages).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// A LocalStack container this process started. Dropping it removes the container.
#[derive(Debug)]
pub struct Running {
    port: u16,
    id: String,
}

impl Running {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Removes the container synchronously with the docker CLI (usable from any context).
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        remove_container(&self.id);
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

/// Whether the docker CLI runs (`docker --version`): driftdrill starts and removes its
/// containers with it.
pub(crate) fn cli_available() -> bool {
    std::process::Command::new("docker")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
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

/// Starts `localstack/localstack:4.12.0` with host networking, listening on 127.0.0.1:port, and
/// waits until it answers. The image must be present or pullable;
/// localstack/docker/build-image.sh builds it offline.
pub async fn start(port: u16) -> Result<Running, LocalStackError> {
    reap_orphans();
    let id = run_container(port).await?;
    // From here on, dropping `running` (a failed wait included) removes the container.
    let running = Running { port, id };
    wait_until_healthy(&running).await?;
    Ok(running)
}

/// `docker run -d` with the settings LocalStack needs here; returns the container id.
async fn run_container(port: u16) -> Result<String, LocalStackError> {
    let settings = [
        format!("GATEWAY_LISTEN=127.0.0.1:{port}"),
        // The default (twisted) server binds every interface whatever GATEWAY_LISTEN says;
        // hypercorn binds the address given. With host networking that is the host's loopback.
        "GATEWAY_SERVER=hypercorn".to_string(),
        format!("LOCALSTACK_HOST=localhost.localstack.cloud:{port}"),
        format!("SERVICES={SERVICES}"),
        "DNS_ADDRESS=0".to_string(),
        "PERSISTENCE=0".to_string(),
        "SKIP_SSL_CERT_DOWNLOAD=1".to_string(),
        "DISABLE_EVENTS=1".to_string(),
    ];
    let mut docker = tokio::process::Command::new("docker");
    docker.args(["run", "--detach", "--network", "host"]);
    docker.args(["--label", &format!("{OWNER_LABEL}={}", std::process::id())]);
    docker.args(["--label", &format!("{PIDNS_LABEL}={}", pid_namespace())]);
    for setting in &settings {
        docker.args(["--env", setting]);
    }
    // docker writes the id here as soon as it has created the container, so a container that
    // was created but failed to start is still known, and removed below.
    let cidfile = std::env::temp_dir().join(format!(
        "driftdrill-localstack-{}-{port}.cid",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&cidfile);
    docker.arg("--cidfile").arg(&cidfile);
    docker.arg(format!("localstack/localstack:{VERSION}"));
    let out = docker.kill_on_drop(true).output().await;
    let id = std::fs::read_to_string(&cidfile)
        .map(|cid| cid.trim().to_string())
        .unwrap_or_default();
    let _ = std::fs::remove_file(&cidfile);
    let out =
        out.map_err(|e| LocalStackError::Docker(format!("run the docker CLI: {e}").into()))?;
    if !out.status.success() || id.is_empty() {
        if !id.is_empty() {
            remove_container(&id);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(LocalStackError::Docker(
            format!(
                "docker run exited with {}: {}\nhint: without registry access, build the image first: localstack/docker/build-image.sh",
                out.status,
                stderr.trim()
            )
            .into(),
        ));
    }
    Ok(id)
}

/// Polls the container's health endpoint until it answers 200, the container stops, or
/// [`STARTUP_TIMEOUT`] passes (the last two are errors naming the container's last log lines).
async fn wait_until_healthy(running: &Running) -> Result<(), LocalStackError> {
    let deadline = tokio::time::Instant::now() + STARTUP_TIMEOUT;
    loop {
        if health_answers(running.port).await {
            return Ok(());
        }
        let stopped = !container_running(&running.id).await;
        if stopped || tokio::time::Instant::now() >= deadline {
            let why = if stopped {
                "the container stopped".to_string()
            } else {
                format!("no answer within {}s", STARTUP_TIMEOUT.as_secs())
            };
            return Err(LocalStackError::Docker(
                format!(
                    "wait for {}/_localstack/health: {why}; its last log lines:\n{}",
                    running.endpoint(),
                    container_logs(&running.id).await
                )
                .into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Whether `GET /_localstack/health` on 127.0.0.1:port answers 200 within two seconds.
async fn health_answers(port: u16) -> bool {
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        stream
            .write_all(b"GET /_localstack/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            .await?;
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).await?;
        std::io::Result::Ok(
            reply.starts_with(b"HTTP/1.") && reply.windows(5).any(|w| w == b" 200 "),
        )
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), ask).await,
        Ok(Ok(true))
    )
}

/// Whether docker reports the container as running (false if it cannot be asked).
async fn container_running(id: &str) -> bool {
    tokio::process::Command::new("docker")
        .args(["inspect", "--format", "{{.State.Running}}", id])
        .output()
        .await
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "true")
}

/// The container's last 20 log lines (stdout and stderr), for an error message.
async fn container_logs(id: &str) -> String {
    tokio::process::Command::new("docker")
        .args(["logs", "--tail", "20", id])
        .output()
        .await
        .map(|out| {
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .unwrap_or_default()
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
