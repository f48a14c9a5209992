//! The pinned Python environment Cloud Custodian runs from, like host-mode LocalStack's: made
//! from `detectors/custodian/requirements.lock` on first use and cached under
//! `~/.cache/driftdrill/custodian-venv-<lock hash>`. `driftdrill custodian-env` makes it; the
//! custodian detector uses it when no `custodian` is on `PATH`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const LOCK: &str = include_str!("../../detectors/custodian/requirements.lock");

/// The command that installs it, for error messages.
pub const INSTALL_HINT: &str = "`driftdrill custodian-env` (a pinned c7n 0.9.53 venv in ~/.cache/driftdrill; needs python3 with venv and PyPI once), or `pip install c7n`";

fn cache_dir() -> PathBuf {
    crate::cache::dir()
}

fn lock_tag() -> String {
    crate::cache::content_tag(&[LOCK])
}

/// Where the environment lives (whether or not it exists yet).
pub fn venv_dir() -> PathBuf {
    cache_dir().join(format!("custodian-venv-{}", lock_tag()))
}

/// The command line that runs Cloud Custodian from the environment, if it is complete. It calls
/// the module, not the `custodian` script: the folder was moved into place after the install.
pub fn installed() -> Option<Vec<String>> {
    let dir = venv_dir();
    let python = dir.join("bin/python");
    (python.exists() && dir.join(".complete").exists())
        .then(|| vec![python.display().to_string(), "-m".into(), "c7n.cli".into()])
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

fn run(program: &Path, args: &[&str]) -> Result<(), CustodianEnvError> {
    let command = format!("{} {}", program.display(), args.join(" "));
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| CustodianEnvError::Spawn {
            command: command.clone(),
            source,
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(CustodianEnvError::Failed {
            command,
            status: out.status,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// Makes the environment unless it exists; returns its folder. Built beside the final place
/// and renamed into it, so concurrent callers and interrupted installs never see half of one.
pub fn ensure() -> Result<PathBuf, CustodianEnvError> {
    let dir = venv_dir();
    if installed().is_some() {
        return Ok(dir);
    }
    let cache = cache_dir();
    std::fs::create_dir_all(&cache).map_err(io("create", &cache))?;
    let tmp = dir.with_extension(format!("tmp.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let lock = cache.join(format!("custodian-requirements-{}.lock", lock_tag()));
    std::fs::write(&lock, LOCK).map_err(io("write", &lock))?;
    let python = std::env::var_os("DRIFTDRILL_PYTHON").unwrap_or_else(|| "python3".into());
    run(
        Path::new(&python),
        &["-m", "venv", &tmp.display().to_string()],
    )?;
    run(
        &tmp.join("bin/pip"),
        &[
            "install",
            "--disable-pip-version-check",
            "-q",
            "-r",
            &lock.display().to_string(),
        ],
    )?;
    let complete = tmp.join(".complete");
    std::fs::write(&complete, "").map_err(io("write", &complete))?;
    match std::fs::rename(&tmp, &dir) {
        Ok(()) => Ok(dir),
        // Someone else finished first: theirs is as good.
        Err(_) if installed().is_some() => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(dir)
        }
        Err(e) => Err(io("move the venv into", &dir)(e)),
    }
}
