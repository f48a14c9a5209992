//! The pinned Python environment Cloud Custodian runs from, like host-mode LocalStack's: made
//! from `detectors/custodian/requirements.lock` on first use and cached under
//! `~/.cache/driftdrill/custodian-venv-<lock hash>`. `driftdrill custodian-env` makes it; the
//! custodian detector uses it when no `custodian` is on `PATH`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const LOCK: &str = include_str!("../../detectors/custodian/requirements.lock");
const SCRIPT: &str = include_str!("../../detectors/custodian/venv.sh");

/// The command that installs it, for error messages.
pub(crate) const INSTALL_HINT: &str = "`driftdrill custodian-env` (a pinned c7n 0.9.53 venv in ~/.cache/driftdrill; needs python3 with venv and PyPI once), or `pip install c7n`";

/// The lock's hash as the script computes it (`sha256sum | cut -c1-12`), so the script and
/// driftdrill name the same folder.
fn lock_hash() -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(LOCK.as_bytes()))[..12].to_string()
}

/// Where the environment lives (whether or not it exists yet).
pub(crate) fn venv_dir() -> PathBuf {
    crate::cache::dir().join(format!("custodian-venv-{}", lock_hash()))
}

/// The command line that runs Cloud Custodian from the environment, if it is complete.
pub fn installed() -> Option<Vec<String>> {
    let dir = venv_dir();
    let custodian = dir.join("bin/custodian");
    (custodian.exists() && dir.join(".complete").exists())
        .then(|| vec![custodian.display().to_string()])
}

/// Why the environment could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CustodianEnvError {
    #[error("{what} {}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("run {command} (python3 with the venv module and PyPI are needed once)")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("run {command}: it exited with {status}: {stderr}")]
    Failed {
        command: String,
        status: std::process::ExitStatus,
        stderr: String,
    },
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> CustodianEnvError {
    let path = path.to_path_buf();
    move |source| CustodianEnvError::Io { what, path, source }
}

/// Writes the embedded script and lock into a cache folder named by their content (an
/// installed binary needs no checkout) and returns the script's path.
fn materialize() -> Result<PathBuf, CustodianEnvError> {
    let dir = crate::cache::dir().join(format!(
        "custodian-{}",
        crate::cache::content_tag(&[SCRIPT, LOCK])
    ));
    let script = dir.join("venv.sh");
    if !script.exists() {
        std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
        let lock = dir.join("requirements.lock");
        std::fs::write(&lock, LOCK).map_err(io("write", &lock))?;
        let tmp = dir.join(format!("venv.sh.{}", std::process::id()));
        std::fs::write(&tmp, SCRIPT).map_err(io("write", &tmp))?;
        std::fs::rename(&tmp, &script).map_err(io("write", &script))?;
    }
    Ok(script)
}

/// Makes the environment unless it exists; returns its folder. The embedded
/// `detectors/custodian/venv.sh` builds it in place under a lock: concurrent callers and
/// interrupted installs never see half of one, and its scripts work from where they are.
pub fn ensure() -> Result<PathBuf, CustodianEnvError> {
    if installed().is_some() {
        return Ok(venv_dir());
    }
    let script = materialize()?;
    let command = format!("bash {}", script.display());
    let out = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| CustodianEnvError::Spawn {
            command: command.clone(),
            source,
        })?;
    if !out.status.success() {
        return Err(CustodianEnvError::Failed {
            command,
            status: out.status,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(venv_dir())
}
