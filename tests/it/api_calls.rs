//! The AWS calls a run makes, as its record counts them: 20 drills on 20 security groups in one
//! account, each call counted in its drill's phase, the caller asked once per run, and every
//! drill reverted and verified.

use std::collections::BTreeMap;

use driftdrill::calls::{CallCount, Phase, total};
use driftdrill::record::Outcome;

use crate::fixture::{self, resources};

const GROUPS: usize = 20;

#[tokio::test]
async fn every_drill_counts_its_calls_per_phase_and_the_caller_is_asked_once() {
    let aws = fixture::clients().await;
    let mut targets = Vec::new();
    for _ in 0..GROUPS {
        targets.push(resources::security_group(&aws).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
    let script = fixture::open22_script(dir.path(), "open22.sh", &ids, "");
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "[[detector]]\nname = \"open22\"\ntype = \"command\"\nargv = [\"{}\"]\ninterval = \"2s\"\nresource_regex = \"(sg-[0-9a-f]+)\"\n",
            script.display()
        ),
    );
    let inject =
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"";
    let scenarios: Vec<_> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let expect = "detectors = [\"open22\"]\ndetect_within = \"2m\"";
            fixture::write_scenario(dir.path(), &format!("calls-{i}"), t, inject, expect)
        })
        .collect();
    let mut before = Vec::new();
    for t in &targets {
        before.push(resources::full_state(&aws, t).await);
    }

    let runs = dir.path().join("runs");
    let paths: Vec<&std::path::Path> = scenarios.iter().map(|p| p.as_path()).collect();
    let ran = fixture::run_drills(&config, &paths, &runs, &["--concurrency", "20"]);
    assert_eq!(ran.code, Some(0), "{}", ran.text());
    let record = fixture::only_record(&runs);
    assert_eq!(record.drills.len(), GROUPS);

    // The caller's account is asked once for the run, in the preflight, never per drill.
    assert_eq!(
        calls_of(&record.calls, Phase::Preflight, "GetCallerIdentity"),
        1,
        "{:?}",
        record.calls
    );
    for d in &record.drills {
        assert_eq!(
            d.expectations[0].outcome,
            Outcome::DetectedWithinSla,
            "{d:?}"
        );
        assert!(d.revert.as_ref().is_some_and(|r| r.verified), "{d:?}");
        assert_eq!(
            calls_of(&d.calls, Phase::Inject, "AuthorizeSecurityGroupIngress"),
            1,
            "{:?}",
            d.calls
        );
        assert_eq!(
            calls_of(&d.calls, Phase::Revert, "RevokeSecurityGroupIngress"),
            1
        );
        assert!(
            d.calls.iter().all(|c| c.operation != "GetCallerIdentity"),
            "{:?}",
            d.calls
        );
    }
    eprintln!("calls per drill: {}", per_phase(&record.drills));
    // Lookups and snapshots of drills starting together share calls: far fewer reads than
    // drills (each drill would need one of each on its own).
    let all: Vec<CallCount> = record.drills.iter().flat_map(|d| d.calls.clone()).collect();
    for phase in [Phase::Lookup, Phase::Snapshot] {
        let reads = calls_of(&all, phase, "DescribeSecurityGroups");
        assert!(
            reads >= 1 && reads <= GROUPS as u32 / 4,
            "{reads} {phase:?} reads for {GROUPS} drills"
        );
    }
    let per_drill = f64::from(total(&all)) / GROUPS as f64;
    assert!(
        per_drill <= 3.5,
        "{per_drill} calls per drill, 7 without batching"
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

/// Requests of `operation` in `phase`.
fn calls_of(counts: &[CallCount], phase: Phase, operation: &str) -> u32 {
    let of = counts
        .iter()
        .filter(|c| c.phase == phase && c.operation == operation);
    of.map(|c| c.calls).sum()
}

/// Mean calls per drill in each phase, in words.
fn per_phase(drills: &[driftdrill::record::DrillRecord]) -> String {
    let mut phases: BTreeMap<Phase, u32> = BTreeMap::new();
    for c in drills.iter().flat_map(|d| &d.calls) {
        *phases.entry(c.phase).or_default() += c.calls;
    }
    let n = drills.len() as f64;
    let all: u32 = drills.iter().map(|d| total(&d.calls)).sum();
    let parts: Vec<String> = phases
        .iter()
        .map(|(p, c)| format!("{} {:.1}", p.label(), f64::from(*c) / n))
        .collect();
    format!("{:.1} ({})", f64::from(all) / n, parts.join(", "))
}

#[tokio::test]
async fn drills_selecting_by_tag_share_lookups_and_each_finds_its_own_group() {
    const DRILLS: usize = 10;
    let aws = fixture::clients().await;
    let mut targets = Vec::new();
    for _ in 0..DRILLS {
        targets.push(resources::security_group(&aws).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
    let script = fixture::open22_script(dir.path(), "open22.sh", &ids, "");
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "[[detector]]\nname = \"open22\"\ntype = \"command\"\nargv = [\"{}\"]\ninterval = \"2s\"\nresource_regex = \"(sg-[0-9a-f]+)\"\n",
            script.display()
        ),
    );
    let mut scenarios = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let text = format!(
            "id = \"by-tag-{i}\"\ntitle = \"t\"\ncategory = \"network\"\nseverity = \"low\"\n\n[target]\ntype = \"aws_security_group\"\ntags = {{ \"drill:target\" = \"{}\" }}\n\n[inject]\naction = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"\n\n[expect]\ndetectors = [\"open22\"]\ndetect_within = \"2m\"\n",
            t.tags["drill:target"]
        );
        let path = dir.path().join(format!("by-tag-{i}.toml"));
        std::fs::write(&path, text).unwrap();
        scenarios.push(path);
    }
    let runs = dir.path().join("runs");
    let paths: Vec<&std::path::Path> = scenarios.iter().map(|p| p.as_path()).collect();
    let ran = fixture::run_drills(
        &config,
        &paths,
        &runs,
        &["--dry-run", "--concurrency", "10"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.text());
    let record = fixture::only_record(&runs);
    for (i, t) in targets.iter().enumerate() {
        let d = record
            .drills
            .iter()
            .find(|d| d.scenario == format!("by-tag-{i}"))
            .unwrap();
        assert_eq!(
            d.target.as_ref().map(|x| x.id.as_str()),
            Some(t.id.as_str()),
            "{d:?}"
        );
    }
    let all: Vec<CallCount> = record.drills.iter().flat_map(|d| d.calls.clone()).collect();
    // One tag-filtered DescribeSecurityGroups finds a group with its tags; drills share them,
    // and nothing reads the tags again.
    let lookups = calls_of(&all, Phase::Lookup, "DescribeSecurityGroups");
    assert!(
        (1..=DRILLS as u32 / 2).contains(&lookups),
        "{lookups} DescribeSecurityGroups for {DRILLS} drills: {all:?}"
    );
    assert_eq!(calls_of(&all, Phase::Lookup, "DescribeTags"), 0, "{all:?}");
}

#[tokio::test]
async fn drills_selecting_buckets_by_tag_share_one_scan_and_each_finds_its_own() {
    const DRILLS: usize = 6;
    let aws = fixture::clients().await;
    let mut buckets = Vec::new();
    for _ in 0..DRILLS {
        buckets.push(resources::bucket(&aws).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let config = fixture::write_config(
        dir.path(),
        "[[detector]]\nname = \"quiet\"\ntype = \"command\"\nargv = [\"true\"]\ninterval = \"2s\"\n",
    );
    let mut scenarios = Vec::new();
    for (i, b) in buckets.iter().enumerate() {
        let text = format!(
            "id = \"bucket-by-tag-{i}\"\ntitle = \"t\"\ncategory = \"data-protection\"\nseverity = \"low\"\n\n[target]\ntype = \"aws_s3_bucket\"\ntags = {{ \"drill:target\" = \"{}\" }}\n\n[inject]\naction = \"s3.versioning.suspend\"\n\n[expect]\ndetectors = [\"quiet\"]\ndetect_within = \"2m\"\n",
            b.tags["drill:target"]
        );
        let path = dir.path().join(format!("bucket-by-tag-{i}.toml"));
        std::fs::write(&path, text).unwrap();
        scenarios.push(path);
    }
    let runs = dir.path().join("runs");
    let paths: Vec<&std::path::Path> = scenarios.iter().map(|p| p.as_path()).collect();
    let ran = fixture::run_drills(&config, &paths, &runs, &["--dry-run", "--concurrency", "6"]);
    assert_eq!(ran.code, Some(0), "{}", ran.text());
    let record = fixture::only_record(&runs);
    for (i, b) in buckets.iter().enumerate() {
        let d = record
            .drills
            .iter()
            .find(|d| d.scenario == format!("bucket-by-tag-{i}"))
            .unwrap();
        assert_eq!(
            d.target.as_ref().map(|x| x.id.as_str()),
            Some(b.id.as_str()),
            "{d:?}"
        );
    }
    let all: Vec<CallCount> = record.drills.iter().flat_map(|d| d.calls.clone()).collect();
    let scans = calls_of(&all, Phase::Lookup, "ListBuckets");
    assert!(
        (1..=DRILLS as u32 / 2).contains(&scans),
        "{scans} bucket scans for {DRILLS} drills: {all:?}"
    );
}
