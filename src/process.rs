//! Running an external program with a time limit: output captured, in a process group of its
//! own. However the run ends early (its time-out, the runner cancelling it, the future being
//! dropped), the whole group is stopped the way a person's Ctrl-C stops it (SIGINT, so terraform
//! releases its state lock), then killed after a grace period, so children such as terraform's
//! provider plugins or a script's own children never linger. Every group still alive is
//! registered: [`stop_all`] ends them before driftdrill exits.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};
use tokio::sync::watch;

/// How long a program gets to end after SIGINT before its group is killed.
pub(crate) const GRACE: Duration = Duration::from_secs(10);

tokio::task_local! {
    /// Set by the runner around a poll: when it turns true, a program in flight is stopped
    /// (SIGINT, grace, SIGKILL) and [`run`] returns [`ProcessError::Cancelled`]. Plugins never see
    /// it: the runner owns time and cancellation.
    pub(crate) static CANCEL: watch::Receiver<bool>;
}

/// Captured output of one finished run.
#[derive(Debug, Clone)]
pub struct Captured {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Why a program did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
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
    #[error("finish {program}: the run was stopped while it ran")]
    Cancelled { program: String },
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Spec<'a> {
    pub program: &'a str,
    pub args: &'a [String],
    pub dir: Option<&'a Path>,
    pub env: &'a [(String, String)],
    /// Inherited variables the program must not see (`env` may set them again).
    pub unset: &'a [String],
    pub timeout: Duration,
}

/// How waiting for a program ended.
enum Ended {
    Done(std::io::Result<(std::process::ExitStatus, Vec<u8>, Vec<u8>)>),
    TimedOut,
    Cancelled,
}

/// Runs the program to completion, or stops its whole process group at the time-out or when
/// the runner cancels ([`CANCEL`]); returns only once the group is gone.
pub async fn run(spec: Spec<'_>) -> Result<Captured, ProcessError> {
    let mut child = spawn(&spec)?;
    let pid = child.id().and_then(|p| i32::try_from(p).ok()).unwrap_or(0);
    let mut group = Group::new(pid);
    let ended = wait(&mut child, spec.timeout).await;
    let program = spec.program.to_string();
    match ended {
        Ended::Done(Ok((status, stdout, stderr))) => {
            group.reap(&mut child, Duration::ZERO).await;
            Ok(Captured {
                code: status.code(),
                stdout: String::from_utf8_lossy(&stdout).into_owned(),
                stderr: String::from_utf8_lossy(&stderr).into_owned(),
            })
        }
        Ended::Done(Err(source)) => {
            group.reap(&mut child, GRACE).await;
            Err(ProcessError::Spawn { program, source })
        }
        Ended::TimedOut => {
            group.reap(&mut child, GRACE).await;
            Err(ProcessError::TimedOut {
                program,
                timeout: spec.timeout,
            })
        }
        Ended::Cancelled => {
            group.reap(&mut child, GRACE).await;
            Err(ProcessError::Cancelled { program })
        }
    }
}

fn spawn(spec: &Spec<'_>) -> Result<Child, ProcessError> {
    let mut cmd = Command::new(spec.program);
    cmd.args(spec.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    if let Some(dir) = spec.dir {
        cmd.current_dir(dir);
    }
    for k in spec.unset {
        cmd.env_remove(k);
    }
    for (k, v) in spec.env {
        cmd.env(k, v);
    }
    // A program started from a background job inherits SIGINT ignored, and a shell cannot trap
    // a signal ignored on entry: the interrupt that lets terraform release its lock, or a
    // script clean up, would never reach it. Every child starts with SIGINT at its default.
    // SAFETY: signal(2) is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    cmd.spawn().map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ProcessError::NotFound {
            program: spec.program.to_string(),
        },
        _ => ProcessError::Spawn {
            program: spec.program.to_string(),
            source,
        },
    })
}

/// Waits for the program's output and exit, its time-out, or the runner's cancel.
async fn wait(child: &mut Child, timeout: Duration) -> Ended {
    let mut cancel = CANCEL.try_with(Clone::clone).ok();
    let (mut out, mut err) = (child.stdout.take(), child.stderr.take());
    let finished = async {
        let (mut o, mut e) = (Vec::new(), Vec::new());
        let read_out = async {
            if let Some(s) = out.as_mut() {
                s.read_to_end(&mut o).await?;
            }
            Ok::<_, std::io::Error>(())
        };
        let read_err = async {
            if let Some(s) = err.as_mut() {
                s.read_to_end(&mut e).await?;
            }
            Ok::<_, std::io::Error>(())
        };
        let (a, b) = tokio::join!(read_out, read_err);
        a?;
        b?;
        let status = child.wait().await?;
        Ok((status, o, e))
    };
    let cancelled = async {
        match cancel.as_mut() {
            Some(rx) => {
                let _ = rx.wait_for(|stop| *stop).await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        r = finished => Ended::Done(r),
        _ = tokio::time::sleep(timeout) => Ended::TimedOut,
        _ = cancelled => Ended::Cancelled,
    }
}

/// Process groups driftdrill started that may still be alive.
static LIVE: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

fn live() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Sends `signal` to every process of group `pgid`; false when none is left.
fn signal_group(pgid: i32, signal: i32) -> bool {
    // SAFETY: signalling a process group this process created (kill(2) has no memory effects).
    pgid > 0 && unsafe { libc::kill(-pgid, signal) } == 0
}

/// Whether any process of the group is still running. A zombie (ended, not yet reaped: an
/// init that does not reap orphans leaves them) holds nothing and does not count.
fn group_alive(pgid: i32) -> bool {
    if pgid <= 0 {
        return false;
    }
    match std::fs::read_dir("/proc") {
        Ok(entries) => entries
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            })
            .any(|e| running_in(&e.path().join("stat"), pgid)),
        // Without /proc: ask the kernel (zombies then count as alive).
        Err(_) => signal_group(pgid, 0),
    }
}

/// Whether `/proc/<pid>/stat` describes a process of group `pgid` that is not a zombie.
fn running_in(stat: &Path, pgid: i32) -> bool {
    let Ok(text) = std::fs::read_to_string(stat) else {
        return false;
    };
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    let Some((_, rest)) = text.rsplit_once(')') else {
        return false;
    };
    let mut fields = rest.split_whitespace();
    let state = fields.next();
    let group = fields.nth(1).and_then(|g| g.parse::<i32>().ok());
    group == Some(pgid) && state != Some("Z")
}

/// Whether a process is running (not a zombie), by its `/proc` entry.
#[cfg(test)]
fn running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|text| {
        text.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z")
    })
}

/// One started program's process group, registered while it may be alive. Dropped before
/// [`Group::reap`] (the future running it was dropped), it interrupts the group at once and
/// kills it after the grace period from a thread of its own.
struct Group {
    pgid: i32,
    armed: bool,
}

impl Group {
    fn new(pgid: i32) -> Group {
        if pgid > 0 {
            live().insert(pgid);
        }
        Group { pgid, armed: true }
    }

    /// Ends the group and waits until it is gone: nothing more when the program ended by
    /// itself and left nothing behind; otherwise SIGINT, up to `grace` for the program to end,
    /// then SIGKILL for whatever is left of the group.
    async fn reap(&mut self, child: &mut Child, grace: Duration) {
        self.armed = false;
        if group_alive(self.pgid) && !grace.is_zero() {
            signal_group(self.pgid, libc::SIGINT);
            let _ = tokio::time::timeout(grace, child.wait()).await;
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while group_alive(self.pgid) && Instant::now() < deadline {
            signal_group(self.pgid, libc::SIGKILL);
            // The direct child is reaped here; the rest of the group by init.
            let _ = tokio::time::timeout(Duration::from_millis(50), child.wait()).await;
        }
        live().remove(&self.pgid);
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if !self.armed || self.pgid <= 0 {
            return;
        }
        let pgid = self.pgid;
        signal_group(pgid, libc::SIGINT);
        std::thread::spawn(move || {
            finish_group(pgid, GRACE);
            live().remove(&pgid);
        });
    }
}

/// Waits up to `grace` for an interrupted group to end, then kills what is left.
fn finish_group(pgid: i32, grace: Duration) {
    let deadline = Instant::now() + grace;
    while group_alive(pgid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while group_alive(pgid) && Instant::now() < deadline {
        signal_group(pgid, libc::SIGKILL);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Stops every process group driftdrill started that is still alive: SIGINT, up to `grace`,
/// then SIGKILL. Called before driftdrill exits, however it exits (but a SIGKILL of its own).
pub(crate) fn stop_all(grace: Duration) {
    let groups: Vec<i32> = live().iter().copied().collect();
    for pgid in &groups {
        signal_group(*pgid, libc::SIGINT);
    }
    let deadline = Instant::now() + grace;
    while groups.iter().any(|g| group_alive(*g)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    for pgid in groups {
        finish_group(pgid, Duration::ZERO);
        live().remove(&pgid);
    }
}

/// The last `n` lines of a text.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A program named by a path (`./check.sh`, `bin/terraform`) resolves against the config's
/// folder, like every other path in the config; a bare name (`terraform`) is looked up on `PATH`.
pub(crate) fn program_path(base_dir: &Path, program: &str) -> String {
    if program.contains('/') {
        resolve(base_dir, Path::new(program))
            .to_string_lossy()
            .into_owned()
    } else {
        program.to_string()
    }
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

    fn sh(script: &str, timeout: Duration) -> (Vec<String>, Duration) {
        (vec!["-c".to_string(), script.to_string()], timeout)
    }

    fn spec<'a>(args: &'a [String], timeout: Duration) -> Spec<'a> {
        Spec {
            program: "sh",
            args,
            dir: None,
            env: &[],
            unset: &[],
            timeout,
        }
    }

    #[tokio::test]
    async fn an_unset_variable_is_not_inherited_unless_env_sets_it_again() {
        let (args, timeout) = sh(
            "echo \"${HOME-unset} ${USER-unset}\"",
            Duration::from_secs(30),
        );
        let unset = ["HOME".to_string(), "USER".to_string()];
        let env = [("USER".to_string(), "again".to_string())];
        let out = run(Spec {
            unset: &unset,
            env: &env,
            ..spec(&args, timeout)
        })
        .await
        .unwrap();
        assert_eq!(out.stdout.trim(), "unset again");
    }

    /// A script that starts a grandchild (its pid written to `file`) and then hangs.
    fn grandchild_then_hang(file: &Path) -> String {
        format!("sleep 300 & echo $! > {}; sleep 300", file.display())
    }

    fn pid_in(file: &Path) -> i32 {
        for _ in 0..100 {
            if let Ok(text) = std::fs::read_to_string(file)
                && let Ok(pid) = text.trim().parse()
            {
                return pid;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no pid in {}", file.display());
    }

    fn alive(pid: i32) -> bool {
        running(pid)
    }

    #[tokio::test]
    async fn a_hung_program_and_its_grandchild_are_stopped_at_the_time_out() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pid");
        let (args, timeout) = sh(&grandchild_then_hang(&file), Duration::from_millis(500));
        let err = run(spec(&args, timeout)).await.unwrap_err();
        assert!(matches!(err, ProcessError::TimedOut { .. }), "{err:?}");
        let grandchild = pid_in(&file);
        assert!(
            !alive(grandchild),
            "the grandchild {grandchild} outlived its poll"
        );
    }

    #[tokio::test]
    async fn a_cancelled_program_gets_sigint_first_and_its_group_is_gone_when_run_returns() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pid");
        let seen = dir.path().join("interrupted");
        // The program says when SIGINT reaches it, then ends; its grandchild ignores nothing.
        let script = format!(
            "trap 'echo yes > {}; exit 130' INT; {}",
            seen.display(),
            grandchild_then_hang(&file).replace("sleep 300", "sleep 300 & wait")
        );
        let (args, timeout) = sh(&script, Duration::from_secs(60));
        let (tx, rx) = watch::channel(false);
        let started = Instant::now();
        // Cancel once the script is past its trap (its grandchild has written the pid file),
        // however slowly a busy machine starts the shell.
        let ready = file.clone();
        let stopper = tokio::spawn(async move {
            while !ready.exists() && started.elapsed() < Duration::from_secs(20) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = tx.send(true);
        });
        let err = CANCEL
            .scope(rx, run(spec(&args, timeout)))
            .await
            .unwrap_err();
        stopper.await.unwrap();
        assert!(matches!(err, ProcessError::Cancelled { .. }), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(30));
        assert!(seen.exists(), "the program never got SIGINT");
        let grandchild = pid_in(&file);
        assert!(
            !alive(grandchild),
            "the grandchild {grandchild} outlived the run"
        );
    }

    #[tokio::test]
    async fn a_dropped_run_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pid");
        let script = grandchild_then_hang(&file);
        let (args, timeout) = sh(&script, Duration::from_secs(60));
        let _ = tokio::time::timeout(Duration::from_millis(500), run(spec(&args, timeout))).await;
        let grandchild = pid_in(&file);
        for _ in 0..200 {
            if !alive(grandchild) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the grandchild {grandchild} outlived the dropped poll");
    }

    #[tokio::test]
    async fn output_and_exit_code_are_captured() {
        let args = [
            "-c".to_string(),
            "echo out; echo err >&2; exit 3".to_string(),
        ];
        let out = run(spec(&args, Duration::from_secs(10))).await.unwrap();
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (Some(3), "out\n", "err\n")
        );
    }
}
