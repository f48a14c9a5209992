//! `driftdrill discover` against LocalStack with three real detectors: one that catches the
//! change, one that is blind to it, one that cannot answer. The drill is a real one (reverted
//! and verified), the record is never coverage, and `--write` keeps the scenario's comments.

use std::os::unix::fs::PermissionsExt;

use chrono::Utc;
use driftdrill::record::Outcome;
use driftdrill::report::{self, Period, records};

use crate::fixture::{self, resources};

fn script(dir: &std::path::Path, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[tokio::test]
async fn discover_proposes_the_catcher_lists_the_blind_and_names_the_broken() {
    let aws = fixture::clients().await;
    let group = resources::security_group(&aws).await;
    let before = resources::full_state(&aws, &group).await;
    let dir = tempfile::tempdir().unwrap();
    let catches = fixture::open22_script(dir.path(), "open22.sh", &[group.id.as_str()], "");
    let blind = script(dir.path(), "blind.sh", "exit 0");
    let broken = script(dir.path(), "broken.sh", "echo 'no credentials' >&2; exit 1");
    let detector = |name: &str, path: &std::path::Path| {
        format!(
            "[[detector]]\nname = \"{name}\"\ntype = \"command\"\nargv = [\"{}\"]\ninterval = \"2s\"\nresource_regex = \"(sg-[0-9a-f]+)\"\n",
            path.display()
        )
    };
    let config = fixture::write_config(
        dir.path(),
        &[
            detector("open22", &catches),
            detector("blind", &blind),
            detector("broken", &broken),
        ]
        .join("\n"),
    );
    let inject =
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"";
    let scenario = fixture::write_scenario(
        dir.path(),
        "guessed",
        &group,
        inject,
        "# what we guessed last quarter\ndetectors = [\"blind\"]   # the team's guess\ndetect_within = \"1m\"",
    );
    let runs = dir.path().join("runs");

    let out = fixture::driftdrill()
        .args(["discover", "--config"])
        .arg(&config)
        .arg(&scenario)
        .args(["--window", "20s", "--write", "--out"])
        .arg(&runs)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let text = format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{text}");

    let record = fixture::only_record(&runs);
    assert!(record.discovery, "the record is marked as discovery");
    let drill = &record.drills[0];
    assert!(
        drill.revert.as_ref().is_some_and(|r| r.verified),
        "{drill:?}"
    );
    let outcome = |name: &str| {
        drill
            .expectations
            .iter()
            .find(|e| e.detector == name)
            .unwrap_or_else(|| panic!("{name} watched: {drill:?}"))
            .outcome
    };
    assert!(
        matches!(
            outcome("open22"),
            Outcome::DetectedWithinSla | Outcome::DetectedLate
        ),
        "{text}"
    );
    assert_eq!(outcome("blind"), Outcome::Missed, "{text}");
    assert_eq!(outcome("broken"), Outcome::DetectorError, "{text}");
    assert_eq!(
        resources::full_state(&aws, &group).await,
        before,
        "drift left"
    );

    // The matrix and the proposal say the same.
    assert!(stdout.contains("seen ≤"), "{stdout}");
    assert!(stdout.contains("not seen"), "{stdout}");
    assert!(stdout.contains("no answer: detector error"), "{stdout}");
    assert!(
        stdout.contains("no credentials"),
        "the broken one's own words: {stdout}"
    );
    assert!(stdout.contains("detectors = [\"open22\"]"), "{stdout}");

    // --write: the proposal replaced the guess; the person's comments stayed.
    let written = std::fs::read_to_string(&scenario).unwrap();
    assert!(
        written.contains("# what we guessed last quarter\n"),
        "{written}"
    );
    assert!(
        written.contains("detectors = [\"open22\"]   # the team's guess"),
        "{written}"
    );
    assert!(
        written.contains("# discover: silent = [\"blind\"]"),
        "{written}"
    );
    assert!(
        written.contains("# discover: broken could not be judged"),
        "{written}"
    );
    assert!(written.contains("sla = { open22 = "), "{written}");
    let valid = fixture::driftdrill()
        .args(["validate", "--config"])
        .arg(&config)
        .arg(&scenario)
        .output()
        .unwrap();
    assert_eq!(
        valid.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&valid.stdout)
    );

    // A report over the discovery record counts no coverage.
    let all = records::load(&[runs]).unwrap();
    let r = report::build(&all, &Period::containing(Utc::now()), Utc::now());
    assert_eq!((r.runs, r.drills, r.discovery_runs), (0, 0, 1));
    assert!(r.detectors.is_empty() && r.overall_coverage_pct.is_none());
}
