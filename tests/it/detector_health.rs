//! A dead detector is never a blind one: a detector or channel that cannot answer before the
//! change skips the drill with nothing injected; one that starts failing after the change is a
//! detector error, not a miss, and the report says to fix it; paths in the config resolve
//! against the config's folder however `--config` was spelled. Real processes, real LocalStack.

use std::os::unix::fs::PermissionsExt;

use driftdrill::record::{DrillStatus, Outcome};

use crate::fixture::{self, resources};

const OPEN_SSH: &str =
    "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"";

fn command_detector(name: &str, program: &str, interval: &str) -> String {
    format!(
        "[[detector]]\nname = \"{name}\"\ntype = \"command\"\nargv = [\"{program}\"]\ninterval = \"{interval}\"\ntimeout = \"30s\"\nresource_regex = \"(sg-[0-9a-f]+)\"\n"
    )
}

/// A drill whose command detector answers its baseline, then runs `later` (shell) on every
/// later poll instead of answering. Returns what the run printed, the records folder, the
/// temporary folder, and the target's state before the drill.
struct AfterBaseline {
    ran: fixture::Ran,
    runs: std::path::PathBuf,
    dir: tempfile::TempDir,
    target: driftdrill::inject::Target,
    before: Vec<String>,
}

async fn run_with_detector_that_breaks_after_baseline(
    aws: &driftdrill::aws::AwsClients,
    name: &str,
    timeout: &str,
    later: &str,
) -> AfterBaseline {
    let target = resources::security_group(aws).await;
    let before = resources::full_state(aws, &target).await;
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("answered");
    let script = fixture::open22_script(
        dir.path(),
        "detector.sh",
        &[&target.id],
        &format!(
            "if [ -e '{0}' ]; then {later}; fi\ntouch '{0}'",
            marker.display()
        ),
    );
    let config = fixture::write_config(
        dir.path(),
        &command_detector(name, &script.display().to_string(), "1s")
            .replace("timeout = \"30s\"", &format!("timeout = \"{timeout}\"")),
    );
    let scenario = fixture::write_scenario(
        dir.path(),
        "breaks-after-baseline",
        &target,
        OPEN_SSH,
        &format!("detectors = [\"{name}\"]\ndetect_within = \"4s\""),
    );
    let runs = dir.path().join("runs");
    let ran = fixture::run_drills(&config, &[&scenario], &runs, &[]);
    AfterBaseline {
        ran,
        runs,
        dir,
        target,
        before,
    }
}

fn journal_intents(journal: &std::path::Path) -> usize {
    std::fs::read_to_string(journal)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("\"intent\""))
        .count()
}

#[tokio::test]
async fn a_detector_that_cannot_answer_skips_the_drill_before_anything_changes() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let before = resources::full_state(&aws, &target).await;
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.sh");
    std::fs::write(
        &broken,
        "#!/bin/sh\necho 'policy engine: no credentials for account' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&broken, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = fixture::write_config(
        dir.path(),
        &command_detector("engine", &broken.display().to_string(), "1s"),
    );
    let scenario = fixture::write_scenario(
        dir.path(),
        "dead-detector",
        &target,
        OPEN_SSH,
        "detectors = [\"engine\"]\ndetect_within = \"1m\"",
    );
    let runs = dir.path().join("runs");

    // The dry run runs the same preflight and says what it found.
    let dry = fixture::run_drills(
        &config,
        &[&scenario],
        &dir.path().join("dry"),
        &["--dry-run"],
    );
    let dry_out = &dry.stdout;
    assert_eq!(dry.code, Some(1), "{}", dry.text());
    assert!(
        dry_out.contains("detector unavailable") && dry_out.contains("no credentials"),
        "{dry_out}"
    );

    let ran = fixture::run_drills(&config, &[&scenario], &runs, &[]);
    assert_eq!(ran.code, Some(1), "{}", ran.text());
    let record = fixture::only_record(&runs);
    let drill = &record.drills[0];
    assert_eq!(drill.status, DrillStatus::SkippedDetectorUnavailable);
    let detail = drill.detail.as_deref().unwrap();
    assert!(
        detail.contains("engine cannot answer") && detail.contains("no credentials for account"),
        "{detail}"
    );
    assert!(drill.injected_at.is_none() && drill.revert.is_none());
    let e = &drill.expectations[0];
    assert_eq!(
        (e.outcome, e.polls, e.errors),
        (Outcome::DetectorError, 1, 1)
    );
    assert_eq!(journal_intents(&dir.path().join("journal.jsonl")), 0);
    assert_eq!(resources::full_state(&aws, &target).await, before);
    let health = &record.detector_health[0];
    assert!(
        health.failures >= 1 && health.failures == health.polls,
        "{health:?}"
    );
}

#[tokio::test]
async fn a_channel_whose_queue_cannot_be_read_skips_the_drill() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let missing = format!(
        "{}/000000000000/{}",
        fixture::localstack().url,
        fixture::unique("no-such-queue")
    );
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "[[channel]]\nname = \"queue\"\ntype = \"sqs\"\nqueue_url = \"{missing}\"\nformat = \"generic\"\nwait_time = \"1s\"\n"
        ),
    );
    let scenario = fixture::write_scenario(
        dir.path(),
        "unreadable-queue",
        &target,
        OPEN_SSH,
        "detectors = [\"queue\"]\nalert_within = \"1m\"",
    );
    let runs = dir.path().join("runs");
    let ran = fixture::run_drills(&config, &[&scenario], &runs, &[]);
    assert_eq!(ran.code, Some(1), "{}", ran.text());
    assert!(
        ran.stderr.contains("channel queue cannot answer"),
        "{}",
        ran.text()
    );
    let record = fixture::only_record(&runs);
    assert_eq!(
        record.drills[0].status,
        DrillStatus::SkippedDetectorUnavailable
    );
    assert!(
        record.drills[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("GetQueueAttributes"),
        "{:?}",
        record.drills[0].detail
    );
    assert_eq!(journal_intents(&dir.path().join("journal.jsonl")), 0);
    assert!(record.detector_health[0].unavailable.is_some());
}

#[tokio::test]
async fn a_detector_that_fails_after_the_change_is_a_detector_error_not_a_miss() {
    let aws = fixture::clients().await;
    let AfterBaseline {
        ran,
        runs,
        dir,
        target,
        before,
    } = run_with_detector_that_breaks_after_baseline(
        &aws,
        "engine",
        "30s",
        "echo 'engine: session token expired' >&2; exit 1",
    )
    .await;
    assert_eq!(
        ran.code,
        Some(1),
        "a detector error is exit 1:\n{}",
        ran.text()
    );
    let record = fixture::only_record(&runs);
    let drill = &record.drills[0];
    assert_eq!(drill.status, DrillStatus::Completed);
    assert!(drill.revert.as_ref().is_some_and(|r| r.verified));
    let e = &drill.expectations[0];
    assert_eq!(e.outcome, Outcome::DetectorError, "{e:?}");
    assert!(e.polls >= 1 && e.errors == e.polls, "{e:?}");
    assert!(
        e.last_error
            .as_deref()
            .unwrap()
            .contains("session token expired")
    );
    assert_eq!(
        resources::full_state(&aws, &target).await,
        before,
        "drift left behind"
    );

    let report = fixture::driftdrill()
        .arg("report")
        .arg(&runs)
        .args(["--format", "markdown", "--out"])
        .arg(dir.path().join("report.md"))
        .output()
        .unwrap();
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        md.contains("fix the detector: run detector engine: exited with 1"),
        "the advice follows the real cause:\n{md}"
    );
    assert!(!md.contains("check that the alert path is wired"), "{md}");
    let health = md
        .lines()
        .find(|l| l.starts_with("| engine | command |"))
        .unwrap_or_else(|| panic!("no health row:\n{md}"));
    assert!(
        health.contains("polls failed: run detector engine"),
        "{health}"
    );
}

#[tokio::test]
async fn paths_in_the_config_resolve_against_its_folder_however_it_was_named() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let before = resources::full_state(&aws, &target).await;
    let root = tempfile::tempdir().unwrap();
    let drills = root.path().join("drills");
    std::fs::create_dir(&drills).unwrap();
    fixture::open22_script(&drills, "check.sh", &[&target.id], "");
    // No `dir`, a relative program path, a relative journal: all from the config's folder.
    fixture::write_config(&drills, &command_detector("check", "./check.sh", "1s"));
    fixture::write_scenario(
        &drills,
        "relative-config",
        &target,
        OPEN_SSH,
        "detectors = [\"check\"]\ndetect_within = \"1m\"",
    );
    for (cwd, config, scenario) in [
        (drills.clone(), "driftdrill.toml", "relative-config.toml"),
        (
            root.path().to_path_buf(),
            "drills/driftdrill.toml",
            "drills/relative-config.toml",
        ),
    ] {
        let out = fixture::driftdrill()
            .current_dir(&cwd)
            .args(["run", "--config", config, scenario, "--out", "runs"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "from {}: {stdout}\n{}",
            cwd.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let record = fixture::only_record(&cwd.join("runs"));
        let revert = record.drills[0].revert.as_ref();
        assert!(revert.is_some_and(|r| r.verified), "{revert:?}");
        let e = &record.drills[0].expectations[0];
        assert_eq!(
            (e.outcome, e.errors),
            (Outcome::DetectedWithinSla, 0),
            "{e:?}"
        );
    }
    assert_eq!(journal_intents(&drills.join("journal.jsonl")), 2);
    assert_eq!(
        resources::full_state(&aws, &target).await,
        before,
        "drift left behind"
    );
}

#[tokio::test]
async fn a_detector_that_times_out_is_a_transient_detector_error_and_the_report_says_so() {
    let aws = fixture::clients().await;
    let AfterBaseline {
        ran,
        runs,
        dir,
        target,
        before,
    } = run_with_detector_that_breaks_after_baseline(&aws, "slowpoke", "1s", "sleep 30").await;
    assert_eq!(ran.code, Some(1), "{}", ran.text());
    let record = fixture::only_record(&runs);
    let e = &record.drills[0].expectations[0];
    assert_eq!(e.outcome, Outcome::DetectorError, "{e:?}");
    let health = &record.detector_health[0];
    assert!(
        health.failures >= 1 && health.transient_failures == health.failures,
        "a time-out is transient: {health:?}"
    );
    assert!(record.drills[0].revert.as_ref().is_some_and(|r| r.verified));
    assert_eq!(
        resources::full_state(&aws, &target).await,
        before,
        "drift left behind"
    );

    let report = fixture::driftdrill()
        .arg("report")
        .arg(&runs)
        .args(["--format", "json", "--out"])
        .arg(dir.path().join("report.json"))
        .output()
        .unwrap();
    assert!(report.status.success(), "{report:?}");
    let finding = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert!(
        finding.contains("all transient: time-outs, throttling or lock contention"),
        "{finding}"
    );
}
