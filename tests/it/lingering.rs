//! No process of driftdrill's outlives it: a detector whose poll starts a grandchild and hangs is
//! stopped whole at its time-out and when the run ends with the poll in flight, and a terraform
//! plan in flight when the run ends is interrupted (its state lock released) and awaited.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::fixture::runs::{start_run, wait_for};
use crate::fixture::{self, resources};

/// Whether a process is running (a zombie, ended but not reaped, is not).
fn running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|text| {
        text.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z")
    })
}

fn pid_in(file: &Path) -> i32 {
    std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .trim()
        .parse()
        .unwrap()
}

/// Every running process whose working folder or command line is inside `dir`.
fn processes_in(dir: &Path) -> Vec<String> {
    let dir = dir.canonicalize().unwrap();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if !running(pid) {
            continue;
        }
        let cwd = std::fs::read_link(entry.path().join("cwd")).ok();
        let cmdline = std::fs::read(entry.path().join("cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        if cwd.is_some_and(|c| c.starts_with(&dir)) || cmdline.contains(&*dir.to_string_lossy()) {
            found.push(format!("{pid}: {cmdline}"));
        }
    }
    found
}

fn executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A detector script: its first poll answers clean at once; every later one writes its pid,
/// starts a grandchild (pid written too) and hangs.
const HANGS_AFTER_BASELINE: &str = "#!/bin/sh\nn=$(cat polls 2>/dev/null || echo 0); n=$((n+1)); echo $n > polls\n[ $n -eq 1 ] && exit 0\necho $$ > script.pid\nsleep 300 &\necho $! > grandchild.pid\nsleep 300\n";

async fn drill_with_hanging_detector(timeout: &str, extra: &[&str]) -> tempfile::TempDir {
    let aws = fixture::clients().await;
    let group = resources::security_group(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    executable(&dir.path().join("hangs.sh"), HANGS_AFTER_BASELINE);
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "[[detector]]\nname = \"hangs\"\ntype = \"command\"\nargv = [\"./hangs.sh\"]\ninterval = \"1s\"\ntimeout = \"{timeout}\"\n"
        ),
    );
    let scenario = fixture::write_scenario(
        dir.path(),
        "hangs",
        &group,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"",
        "detectors = [\"hangs\"]\ndetect_within = \"2s\"",
    );
    let ran = fixture::run_drills(&config, &[&scenario], &dir.path().join("runs"), extra);
    let record = fixture::only_record(&dir.path().join("runs"));
    let revert = record.drills[0].revert.as_ref().expect("reverted");
    assert!(revert.verified, "{}", ran.text());
    dir
}

fn assert_all_gone(dir: &Path) {
    let script = pid_in(&dir.join("script.pid"));
    let grandchild = pid_in(&dir.join("grandchild.pid"));
    assert!(
        !running(script),
        "the detector script {script} outlived driftdrill"
    );
    assert!(
        !running(grandchild),
        "the detector's grandchild {grandchild} outlived driftdrill"
    );
    assert_eq!(processes_in(dir), Vec::<String>::new());
}

#[tokio::test]
async fn a_detectors_grandchild_is_stopped_with_it_at_the_time_out() {
    let dir = drill_with_hanging_detector("2s", &[]).await;
    assert_all_gone(dir.path());
}

#[tokio::test]
async fn a_poll_in_flight_when_the_run_ends_is_stopped_whole_before_driftdrill_exits() {
    // The poll never times out on its own: the run's end is what stops it.
    let dir = drill_with_hanging_detector("10m", &["--max-drift-lifetime", "6s"]).await;
    assert_all_gone(dir.path());
}

/// A terraform working folder with its own local state, planned through a wrapper that logs
/// when each plan starts and ends (a plan in flight has a start without an end).
async fn tiny_workspace(dir: &Path) -> driftdrill::terraform::Workspace {
    let url = &fixture::localstack().url;
    std::fs::write(
        dir.join("main.tf"),
        format!(
            r#"terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws" }}
  }}
}}
provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  endpoints {{
    sts = "{url}"
    ec2 = "{url}"
  }}
}}
data "aws_caller_identity" "me" {{}}
resource "terraform_data" "marker" {{
  input = data.aws_caller_identity.me.account_id
}}
"#
        ),
    )
    .unwrap();
    let mirror = driftdrill::terraform::mirror::find().expect("a hashicorp/aws mirror");
    let rc = dir.join("terraformrc");
    std::fs::write(
        &rc,
        driftdrill::terraform::mirror::cli_config(&mirror, &dir.join("plugin-cache")),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("plugin-cache")).unwrap();
    let mut ws = driftdrill::terraform::Workspace::new(dir);
    ws.cli_config = Some(rc);
    ws.init().await.expect("terraform init");
    ws.apply().await.expect("terraform apply");
    ws
}

#[tokio::test]
async fn a_terraform_plan_in_flight_when_the_run_ends_leaves_the_state_lock_free() {
    if !fixture::terraform_available() {
        return;
    }
    let aws = fixture::clients().await;
    let group = resources::security_group(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let tf = dir.path().join("tf");
    std::fs::create_dir_all(&tf).unwrap();
    let ws = tiny_workspace(&tf).await;
    let log = dir.path().join("plans.log");
    executable(
        &dir.path().join("terraform-logged.sh"),
        &format!(
            "#!/bin/sh\necho start >> {log}\nterraform \"$@\"\nrc=$?\necho end >> {log}\nexit $rc\n",
            log = log.display()
        ),
    );
    let config = fixture::write_config(
        dir.path(),
        "[[detector]]\nname = \"plan\"\ntype = \"terraform\"\ndir = \"tf\"\nprogram = \"./terraform-logged.sh\"\ncli_config = \"tf/terraformrc\"\nrefresh_only = false\ninterval = \"1s\"\n",
    );
    let scenario = fixture::write_scenario(
        dir.path(),
        "plan-in-flight",
        &group,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"",
        "detectors = [\"plan\"]\ndetect_within = \"10m\"",
    );
    let (mut child, lines) = start_run(&config, &scenario, &dir.path().join("runs"), None);
    let observing = wait_for(&lines, "plan-in-flight: observe");
    // Wait for a plan that started after the change to be in flight, then stop the run.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let starts = text.matches("start").count();
        if observing.is_ok() && starts >= 2 && starts > text.matches("end").count() {
            break;
        }
        assert!(Instant::now() < deadline, "no plan in flight: {text}");
        std::thread::sleep(Duration::from_millis(100));
    }
    // SAFETY: signalling the driftdrill child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    let seen: Vec<String> = lines.try_iter().collect();

    // The moment driftdrill has exited: no terraform of its is left, and the lock is free.
    assert_eq!(
        processes_in(&tf),
        Vec::<String>::new(),
        "exit {status}:\n{}",
        seen.join("\n")
    );
    let mut check = ws.clone();
    check.timeout = Duration::from_secs(120);
    let out = check
        .run(&["plan", "-lock-timeout=0s", "-input=false", "-no-color"])
        .await
        .expect("a plan after driftdrill");
    assert!(
        !out.stderr.contains("state lock"),
        "the state lock is still held:\n{}",
        out.stderr
    );
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    let record = fixture::only_record(&dir.path().join("runs"));
    assert!(record.drills[0].revert.as_ref().is_some_and(|r| r.verified));
}
