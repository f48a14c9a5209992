//! Smoke test for whichever LocalStack mode the fixture chose (CI runs it in both modes): one
//! real drill through the driftdrill binary, from preflight to verified revert, with a real
//! detector script, and the security group read back with the plain SDK afterwards.

use driftdrill::record::{DrillStatus, Outcome};

use crate::fixture::{self, resources};

#[tokio::test]
async fn smoke_one_drill_is_detected_reverted_and_verified() {
    let endpoint = fixture::localstack();
    eprintln!(
        "smoke test against {:?} LocalStack at {}",
        endpoint.mode, endpoint.url
    );
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let before = resources::full_state(&aws, &target).await;
    let dir = tempfile::tempdir().unwrap();
    let script = fixture::open22_script(dir.path(), "open22.sh", &[&target.id], "");
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "[[detector]]\nname = \"open22\"\ntype = \"command\"\nargv = [\"{}\"]\ninterval = \"1s\"\nresource_regex = \"(sg-[0-9a-f]+)\"\n",
            script.display()
        ),
    );
    let scenario = fixture::write_scenario(
        dir.path(),
        "smoke",
        &target,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"",
        "detectors = [\"open22\"]\ndetect_within = \"2m\"",
    );
    let runs = dir.path().join("runs");
    let ran = fixture::run_drills(&config, &[&scenario], &runs, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.text());
    assert!(ran.stdout.contains("restored ✓"), "{}", ran.text());
    let record = fixture::only_record(&runs);
    let drill = &record.drills[0];
    assert_eq!(drill.status, DrillStatus::Completed);
    let e = &drill.expectations[0];
    assert_eq!(e.outcome, Outcome::DetectedWithinSla, "{e:?}");
    assert!(e.evidence.as_deref().unwrap().contains(&target.id), "{e:?}");
    assert!(drill.revert.as_ref().is_some_and(|r| r.verified));
    assert_eq!(record.account.as_deref(), Some("000000000000"));
    assert_eq!(
        resources::full_state(&aws, &target).await,
        before,
        "the drill left drift behind"
    );
}
