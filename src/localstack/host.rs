//! Host-mode LocalStack: runs the embedded `localstack/host.sh` (pinned venv, loopback port).

use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::error::LocalStackError;

const SCRIPT: &str = include_str!("../../localstack/host.sh");
const LOCK: &str = include_str!("../../localstack/requirements.lock");

/// A host-mode LocalStack this process started.
#[derive(Debug)]
pub struct Running {
    port: u16,
    state_dir: PathBuf,
    script: PathBuf,
}

impl Running {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the instance by the pid the script recorded.
    pub fn stop(self) {
        let _ = Command::new("bash")
            .arg(&self.script)
            .args(["down", "--port", &self.port.to_string(), "--dir"])
            .arg(&self.state_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.state_dir);
    }
}

/// True if `python` runs.
pub(crate) fn python_available(python: &str) -> bool {
    Command::new(python)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts LocalStack on `127.0.0.1:port`, tied to this process: if it dies, the script's
/// watchdog stops LocalStack too. Blocks until healthy (the first run also builds the venv).
pub fn start(port: u16) -> Result<Running, LocalStackError> {
    let script = materialize().map_err(LocalStackError::HostScript)?;
    let state_dir = std::env::temp_dir().join(format!("driftdrill-localstack-{port}"));
    let out = Command::new("bash")
        .arg(&script)
        .args([
            "up",
            "--port",
            &port.to_string(),
            "--owner-pid",
            &std::process::id().to_string(),
            "--dir",
        ])
        .arg(&state_dir)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(LocalStackError::HostBash)?;
    if !out.status.success() {
        return Err(LocalStackError::HostUp {
            status: out.status,
            log: state_dir.join("localstack.log"),
        });
    }
    Ok(Running {
        port,
        state_dir,
        script,
    })
}

/// Writes the embedded script and lock file into a cache folder named by their content, so an
/// installed binary needs no checkout, and returns the script's path.
fn materialize() -> std::io::Result<PathBuf> {
    let dir = cache_dir().join(format!("localstack-{}", content_tag()));
    let script = dir.join("host.sh");
    if !script.exists() {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("requirements.lock"), LOCK)?;
        let tmp = dir.join(format!("host.sh.{}", std::process::id()));
        std::fs::write(&tmp, SCRIPT)?;
        std::fs::rename(&tmp, &script)?;
    }
    Ok(script)
}

fn cache_dir() -> PathBuf {
    crate::cache::dir()
}

/// A short stable tag of the embedded files, so a changed lock gets a fresh folder.
fn content_tag() -> String {
    crate::cache::content_tag(&[SCRIPT, LOCK])
}
