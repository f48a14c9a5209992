//! Running an external program with a time limit: output captured, and on time-out the whole
//! process group killed (so children such as terraform's provider plugins do not linger).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

/// Captured output of one finished run.
#[derive(Debug, Clone)]
pub struct Captured {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("start {program}: it was not found")]
    NotFound { program: String },
    #[error("start {program}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("finish {program} within {}", humantime::format_duration(*timeout))]
    TimedOut { program: String, timeout: Duration },
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    pub program: &'a str,
    pub args: &'a [String],
    pub dir: Option<&'a Path>,
    pub env: &'a [(String, String)],
    pub timeout: Duration,
}

/// Runs the program to completion or kills its process group at the time-out.
pub async fn run(spec: Spec<'_>) -> Result<Captured, RunError> {
    let mut cmd = Command::new(spec.program);
    cmd.args(spec.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(dir) = spec.dir {
        cmd.current_dir(dir);
    }
    for (k, v) in spec.env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => RunError::NotFound {
            program: spec.program.to_string(),
        },
        _ => RunError::Spawn {
            program: spec.program.to_string(),
            source,
        },
    })?;
    let pid = child.id();
    match tokio::time::timeout(spec.timeout, child.wait_with_output()).await {
        Ok(Ok(out)) => Ok(Captured {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }),
        Ok(Err(source)) => Err(RunError::Spawn {
            program: spec.program.to_string(),
            source,
        }),
        Err(_) => {
            if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
                // SAFETY: signalling the process group created for this child.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
            }
            Err(RunError::TimedOut {
                program: spec.program.to_string(),
                timeout: spec.timeout,
            })
        }
    }
}

/// The last `n` lines of a text.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A path relative to `base` unless it is absolute.
pub fn resolve(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hung_program_is_killed_at_the_time_out() {
        let args = ["30".to_string()];
        let spec = Spec {
            program: "sleep",
            args: &args,
            dir: None,
            env: &[],
            timeout: Duration::from_millis(200),
        };
        assert!(matches!(run(spec).await, Err(RunError::TimedOut { .. })));
    }

    #[tokio::test]
    async fn output_and_exit_code_are_captured() {
        let args = [
            "-c".to_string(),
            "echo out; echo err >&2; exit 3".to_string(),
        ];
        let spec = Spec {
            program: "sh",
            args: &args,
            dir: None,
            env: &[],
            timeout: Duration::from_secs(10),
        };
        let out = run(spec).await.unwrap();
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (Some(3), "out\n", "err\n")
        );
    }
}
