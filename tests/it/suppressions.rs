//! Expected-negative drills with real terraform: the sample environment's `ops` group ignores
//! ingress changes on purpose, so a full plan must stay silent about an opened port there while
//! a refresh-only plan catches it; the same full plan listed as silent on a managed group's
//! ingress leaks (exit 3). Every change reverted, terraform clean after.

use driftdrill::inject::Target;
use driftdrill::record::Outcome;
use driftdrill::terraform::PlanExit;

use crate::fixture;

#[tokio::test]
async fn a_suppression_hides_the_ignored_attribute_and_nothing_more() {
    if !fixture::terraform_available() {
        return;
    }
    let env = fixture::sample_env("silent", false).await;
    let ws = &env.workspace;
    let dir = tempfile::tempdir().unwrap();
    let cli_config = ws
        .cli_config
        .as_ref()
        .map(|c| format!("cli_config = \"{}\"\n", c.display()))
        .unwrap_or_default();
    let detector = |name: &str, refresh_only: bool| {
        format!(
            "[[detector]]\nname = \"{name}\"\ntype = \"terraform\"\ndir = \"{}\"\n{cli_config}interval = \"3s\"\nrefresh_only = {refresh_only}\nlock = false\n",
            ws.dir.display()
        )
    };
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "{}\n{}",
            detector("tf-full", false),
            detector("tf-refresh", true)
        ),
    );
    let group = |key: &str| Target {
        kind: driftdrill::inject::ec2::SECURITY_GROUP,
        id: env.outputs.security_group_ids[key].clone(),
        tags: Default::default(),
    };
    let open =
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 3389\ncidr = \"0.0.0.0/0\"";
    let ignored = fixture::write_scenario(
        dir.path(),
        "silent-ignored",
        &group("ops"),
        open,
        "detectors = [\"tf-refresh\"]\nsilent = [\"tf-full\"]\ndetect_within = \"2m\"\n[expect.sla]\n\"tf-full\" = \"45s\"",
    );
    let managed = fixture::write_scenario(
        dir.path(),
        "silent-managed",
        &group("web"),
        open,
        "silent = [\"tf-full\"]\ndetect_within = \"2m\"",
    );

    let runs = dir.path().join("runs");
    let ran = fixture::run_drills(
        &config,
        &[&ignored, &managed],
        &runs,
        &["--concurrency", "2"],
    );
    let stdout = &ran.stdout;
    assert_eq!(
        ran.code,
        Some(3),
        "a leak is exit 3:
{}",
        ran.text()
    );
    let record = fixture::only_record(&runs);
    let expectation = |scenario: &str, detector: &str| {
        record
            .drills
            .iter()
            .find(|d| d.scenario == scenario)
            .unwrap()
            .expectations
            .iter()
            .find(|e| e.detector == detector)
            .unwrap()
            .clone()
    };
    let held = expectation("silent-ignored", "tf-full");
    assert!(held.silent);
    assert_eq!(held.outcome, Outcome::Suppressed, "{held:?}\n{stdout}");
    assert!(held.polls >= 1 && held.errors == 0, "{held:?}");
    let caught = expectation("silent-ignored", "tf-refresh");
    assert_eq!(
        caught.outcome,
        Outcome::DetectedWithinSla,
        "{caught:?}\n{stdout}"
    );
    let leaked = expectation("silent-managed", "tf-full");
    assert_eq!(leaked.outcome, Outcome::Leaked, "{leaked:?}\n{stdout}");
    assert!(
        leaked
            .evidence
            .as_deref()
            .unwrap()
            .contains("aws_security_group.web"),
        "{leaked:?}"
    );
    for d in &record.drills {
        assert!(
            d.revert.as_ref().is_some_and(|r| r.verified),
            "{}: {:?}",
            d.scenario,
            d.revert
        );
    }
    assert_eq!(
        ws.plan_detailed().await.expect("plan after the run"),
        PlanExit::Clean,
        "drift left behind"
    );
}

#[test]
fn a_detector_listed_as_expected_and_silent_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("both.toml"),
        "id = \"both\"\ntitle = \"t\"\ncategory = \"network\"\nseverity = \"low\"\n\n[target]\ntype = \"aws_security_group\"\nid = \"sg-0123\"\n\n[inject]\naction = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"\n\n[expect]\ndetectors = [\"tf\"]\nsilent = [\"tf\"]\ndetect_within = \"1m\"\n",
    )
    .unwrap();
    let out = fixture::driftdrill()
        .arg("validate")
        .arg(dir.path().join("both.toml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    let text = format!("{stdout}{stderr}");
    assert!(
        text.contains("both.toml:18:11")
            && text.contains("\"tf\" is listed both in `detectors` (must catch) and in `silent`"),
        "{text}"
    );
}

/// The demo's suppression drill against plans slowed on purpose (a wrapper that sleeps before
/// each plan), so no plan that starts after the change can finish inside the windows: the
/// silent full plan still stays silent and the refresh-only plan's catch is late, judged from
/// the first complete poll after the window, never a detector error.
#[tokio::test]
async fn slowed_plans_are_judged_from_their_first_complete_poll_never_a_detector_error() {
    use std::os::unix::fs::PermissionsExt;
    if !fixture::terraform_available() {
        return;
    }
    let env = fixture::sample_env("slowplan", false).await;
    let ws = &env.workspace;
    let dir = tempfile::tempdir().unwrap();
    let slow = dir.path().join("slow-terraform.sh");
    std::fs::write(&slow, "#!/bin/sh\nsleep 12\nexec terraform \"$@\"\n").unwrap();
    std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cli_config = ws
        .cli_config
        .as_ref()
        .map(|c| format!("cli_config = \"{}\"\n", c.display()))
        .unwrap_or_default();
    let detector = |name: &str, refresh_only: bool| {
        format!(
            "[[detector]]\nname = \"{name}\"\ntype = \"terraform\"\ndir = \"{}\"\nprogram = \"./slow-terraform.sh\"\n{cli_config}interval = \"3s\"\nrefresh_only = {refresh_only}\nlock = false\n",
            ws.dir.display()
        )
    };
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "{}\n{}",
            detector("tf-full", false),
            detector("tf-refresh", true)
        ),
    );
    let ops = Target {
        kind: driftdrill::inject::ec2::SECURITY_GROUP,
        id: env.outputs.security_group_ids["ops"].clone(),
        tags: Default::default(),
    };
    let scenario = fixture::write_scenario(
        dir.path(),
        "slow-silent",
        &ops,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 3389\ncidr = \"0.0.0.0/0\"",
        "detectors = [\"tf-refresh\"]\nsilent = [\"tf-full\"]\ndetect_within = \"4s\"\n[expect.sla]\n\"tf-full\" = \"6s\"",
    );
    let runs = dir.path().join("runs");
    let ran = fixture::run_drills(&config, &[&scenario], &runs, &[]);
    let record = fixture::only_record(&runs);
    let drill = &record.drills[0];
    let by = |name: &str| {
        drill
            .expectations
            .iter()
            .find(|e| e.detector == name)
            .unwrap()
            .clone()
    };
    let silent = by("tf-full");
    assert_eq!(
        silent.outcome,
        Outcome::Suppressed,
        "{silent:?}\n{}",
        ran.text()
    );
    assert_eq!(silent.window_secs, Some(6.0));
    assert!(silent.stretched_secs.unwrap_or(0.0) > 0.0, "{silent:?}");
    let caught = by("tf-refresh");
    assert_eq!(
        caught.outcome,
        Outcome::DetectedLate,
        "{caught:?}\n{}",
        ran.text()
    );
    assert!(caught.stretched_secs.unwrap_or(0.0) > 0.0, "{caught:?}");
    assert!(caught.mttd_secs.unwrap() > 8.0, "{caught:?}");
    // Late is exit 3; nothing here is a detector error (exit 1).
    assert_eq!(ran.code, Some(3), "{}", ran.text());
    assert!(drill.revert.as_ref().is_some_and(|r| r.verified));
    assert_eq!(
        ws.plan_detailed().await.expect("plan after the run"),
        PlanExit::Clean,
        "drift left behind"
    );
}
