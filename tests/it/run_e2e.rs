//! `driftdrill run` end to end with the sample environment, a terraform detector and a webhook
//! fed by a real scheduled terraform-plan job: a detection bracket, an alert time and a time to
//! clear for port 22 opened, a miss for drift terraform is told to ignore, exit code 3, and
//! terraform clean after.

use std::process::{Child, Command, Stdio};

use driftdrill::inject::Target;
use driftdrill::record::{Outcome, RunRecord};
use driftdrill::terraform::PlanExit;

use crate::fixture;

/// Kills the scheduled job's whole process group when dropped.
struct Job(Child);

impl Drop for Job {
    fn drop(&mut self) {
        // SAFETY: signalling the process group this test created.
        unsafe { libc::kill(-(self.0.id() as i32), libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn drills_are_detected_alerted_missed_and_reverted() {
    if !fixture::terraform_available() {
        return;
    }
    let env = fixture::sample_env("e2e", false).await;
    let ws = &env.workspace;
    let dir = tempfile::tempdir().unwrap();
    let port = fixture::free_port();
    let cli_config = ws
        .cli_config
        .as_ref()
        .map(|c| format!("cli_config = \"{}\"\n", c.display()))
        .unwrap_or_default();
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "[[detector]]\nname = \"tf\"\ntype = \"terraform\"\ndir = \"{}\"\n{cli_config}interval = \"3s\"\nrefresh_only = false\n\n[[channel]]\nname = \"alerts\"\ntype = \"webhook\"\nlisten = \"127.0.0.1:{port}\"\npath = \"/hooks/drift\"\nformat = \"slack\"\n",
            ws.dir.display()
        ),
    );
    let db = Target {
        kind: driftdrill::inject::ec2::SECURITY_GROUP,
        id: env.outputs.security_group_ids["db"].clone(),
        tags: Default::default(),
    };
    let app = Target {
        kind: driftdrill::inject::ec2::INSTANCE,
        id: env.outputs.instance_id.clone(),
        tags: Default::default(),
    };
    let ssh = fixture::write_scenario(
        dir.path(),
        "e2e-ssh",
        &db,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"",
        "detectors = [\"tf\", \"alerts\"]\ndetect_within = \"10m\"\nalert_within = \"10m\"\nclear_within = \"5m\"",
    );
    let ignored = fixture::write_scenario(
        dir.path(),
        "e2e-termination",
        &app,
        "action = \"ec2.instance.termination_protection\"",
        // The window (twice the SLA) must hold a whole plan that started after the change, or
        // the honest answer is "detector error", not "missed": plans take up to ~30 s here
        // while the rest of the suite runs.
        "detectors = [\"tf\"]\ndetect_within = \"40s\"",
    );

    let mut job = Command::new("bash");
    job.arg("localstack/drift-job.sh")
        .arg(&ws.dir)
        .arg(format!("http://127.0.0.1:{port}/hooks/drift"))
        .arg("3");
    if let Some(c) = &ws.cli_config {
        job.env("TF_CLI_CONFIG_FILE", c);
    }
    use std::os::unix::process::CommandExt;
    let _job = Job(job
        .process_group(0)
        .stdout(Stdio::null())
        .spawn()
        .expect("start the scheduled drift job"));

    let runs = dir.path().join("runs");
    let out = fixture::driftdrill()
        .args(["run", "--config"])
        .arg(&config)
        .arg(&ssh)
        .arg(&ignored)
        .args(["--concurrency", "2", "--out"])
        .arg(&runs)
        .output()
        .expect("run driftdrill");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "expected exit 3 (a miss):\n{stdout}\n{stderr}"
    );

    let record_path = std::fs::read_dir(&runs)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let record: RunRecord =
        serde_json::from_str(&std::fs::read_to_string(record_path).unwrap()).unwrap();
    let drill = |id: &str| {
        record
            .drills
            .iter()
            .find(|d| d.scenario == id)
            .unwrap_or_else(|| panic!("no drill {id}"))
    };
    let ssh = drill("e2e-ssh");
    let tf = ssh
        .expectations
        .iter()
        .find(|e| e.detector == "tf")
        .unwrap();
    let alert = ssh
        .expectations
        .iter()
        .find(|e| e.detector == "alerts")
        .unwrap();
    assert_eq!(tf.outcome, Outcome::DetectedWithinSla, "{tf:?}\n{stderr}");
    let (lo, hi) = tf.bracket_secs.expect("a polled detection is a bracket");
    assert!(lo <= hi && Some(hi) == tf.mttd_secs, "{tf:?}");
    assert_eq!(
        alert.outcome,
        Outcome::DetectedWithinSla,
        "{alert:?}\n{stderr}"
    );
    assert!(
        alert.mttd_secs.is_some() && alert.bracket_secs.is_none() && alert.detected_at.is_some(),
        "{alert:?}"
    );
    // Time to clear: the plan no longer shows the rule after the verified revert; alerts
    // (pushed) have no "clear" to wait for.
    let clear = tf
        .clear
        .as_ref()
        .expect("clear_within asks for time to clear");
    let (lo, hi) = clear.bracket_secs.expect("cleared with a bracket");
    assert!(clear.cleared && lo <= hi && hi <= 300.0, "{clear:?}");
    assert!(alert.clear.is_none(), "{alert:?}");
    assert!(
        ssh.revert.as_ref().is_some_and(|r| r.verified),
        "{:?}",
        ssh.revert
    );

    let missed = drill("e2e-termination");
    assert_eq!(
        missed.expectations[0].outcome,
        Outcome::Missed,
        "{:?}",
        missed.expectations
    );
    assert!(
        missed.revert.as_ref().is_some_and(|r| r.verified),
        "{:?}",
        missed.revert
    );

    assert_eq!(
        ws.plan_detailed().await.expect("plan after the run"),
        PlanExit::Clean,
        "drift left behind"
    );
}
