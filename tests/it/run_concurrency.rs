//! Many drills in one run: a polled detector runs once per interval for every drill in flight
//! (never once per drill), two drills on one resource never overlap, and every change is
//! detected and reverted. The detector is a real one: a script that asks LocalStack which of the
//! groups has tcp/22 open.

use driftdrill::record::Outcome;

use crate::fixture::{self, resources};

const GROUPS: usize = 8;

#[tokio::test]
async fn drills_in_flight_share_each_poll_and_never_share_a_resource() {
    let aws = fixture::clients().await;
    let mut targets = Vec::new();
    for _ in 0..GROUPS {
        targets.push(resources::security_group(&aws).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let polls = dir.path().join("polls.log");
    let ids: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
    let script = fixture::open22_script(
        dir.path(),
        "open22.sh",
        &ids,
        &format!("echo poll >> '{}'", polls.display()),
    );
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "[[detector]]\nname = \"open22\"\ntype = \"command\"\nargv = [\"{}\"]\ninterval = \"2s\"\nresource_regex = \"(sg-[0-9a-f]+)\"\n",
            script.display()
        ),
    );
    let expect = "detectors = [\"open22\"]\ndetect_within = \"2m\"";
    let mut scenarios = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let inject =
            "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"";
        scenarios.push(fixture::write_scenario(
            dir.path(),
            &format!("many-{i}"),
            target,
            inject,
            expect,
        ));
    }
    // A second drill on the first group: it must wait until the first one has reverted.
    scenarios.push(fixture::write_scenario(
        dir.path(),
        "same-group",
        &targets[0],
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"::/0\"",
        expect,
    ));
    let before = {
        let mut v = Vec::new();
        for t in &targets {
            v.push(resources::full_state(&aws, t).await);
        }
        v
    };

    let runs = dir.path().join("runs");
    let started = std::time::Instant::now();
    let out = fixture::driftdrill()
        .args(["run", "--config"])
        .arg(&config)
        .args(&scenarios)
        .arg("--out")
        .arg(&runs)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let record = fixture::only_record(&runs);
    assert_eq!(record.drills.len(), GROUPS + 1);
    for d in &record.drills {
        assert_eq!(
            d.expectations[0].outcome,
            Outcome::DetectedWithinSla,
            "{}: {:?}\n{stderr}",
            d.scenario,
            d.expectations
        );
        assert!(d.revert.as_ref().is_some_and(|r| r.verified), "{d:?}");
    }

    // One poll per interval for all drills: bounded by the elapsed intervals (plus the poll in
    // flight at each end), far below the two polls per drill a per-drill poller would need.
    let count = std::fs::read_to_string(&polls).unwrap().lines().count();
    let intervals = (elapsed.as_secs_f64() / 2.0).ceil() as usize;
    assert!(
        count <= intervals + 2 && count < 2 * (GROUPS + 1),
        "{count} polls in {elapsed:?} for {} drills",
        GROUPS + 1
    );

    // The two drills on the first group did not overlap.
    let span = |id: &str| {
        let d = record.drills.iter().find(|d| d.scenario == id).unwrap();
        (d.injected_at.unwrap(), d.reverted_at.unwrap())
    };
    let (a, b) = (span("many-0"), span("same-group"));
    assert!(
        a.1 <= b.0 || b.1 <= a.0,
        "overlapping drills on one group: {a:?} {b:?}"
    );

    for (t, b) in targets.iter().zip(&before) {
        assert_eq!(
            &resources::full_state(&aws, t).await,
            b,
            "drift left on {}",
            t.id
        );
    }
}
