//! Many accounts and regions in one run, on one LocalStack (it takes the account from the
//! assumed role and keeps resources apart per account and region): one scenario drilled in
//! three environments, each caught by its own detector, all reverted; a role in an account the
//! allow-list does not name refused before anything changes; `recover` reverting each change
//! in its own account; CI shards that together equal one unsharded run; an unannounced sample.

use std::path::{Path, PathBuf};

use driftdrill::aws::AwsClients;
use driftdrill::inject::Target;
use driftdrill::record::{DrillStatus, Outcome, RunRecord};

use crate::fixture::{self, clients_in, resources};

/// Name, account, region: three accounts, two regions.
const ENVS: [(&str, &str, &str); 3] = [
    ("sandbox-a", "111111111111", "us-east-1"),
    ("sandbox-b", "222222222222", "eu-west-1"),
    ("sandbox-c", "333333333333", "us-east-1"),
];

const OPEN_SSH: &str =
    "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"";

/// One security group per environment, all tagged with one `drill:fleet` value so one
/// scenario selects each environment's own group; a config with the three environments and
/// one detector per environment that asks only its own account and region.
struct Fleet {
    dir: tempfile::TempDir,
    config: PathBuf,
    fleet: String,
    /// The detectors every scenario expects: one per environment.
    expect: Vec<String>,
    /// Per environment: its clients, its group, the group's state before any drill.
    groups: Vec<(AwsClients, Target, Vec<String>)>,
}

impl Fleet {
    async fn new(extra_env: &str) -> Fleet {
        let dir = tempfile::tempdir().unwrap();
        let fleet = fixture::unique("fleet");
        let mut groups = Vec::new();
        let mut environments = String::new();
        let mut detectors = String::new();
        for (name, account, region) in ENVS {
            let aws = clients_in(account, region).await;
            assert_eq!(aws.caller_account().await.unwrap(), account);
            let group = resources::security_group(&aws).await;
            aws.ec2()
                .create_tags()
                .resources(&group.id)
                .tags(
                    aws_sdk_ec2::types::Tag::builder()
                        .key("drill:fleet")
                        .value(&fleet)
                        .build(),
                )
                .send()
                .await
                .unwrap();
            let script = format!("open22-{name}.sh");
            fixture::open22_script_in(
                dir.path(),
                &script,
                &[&group.id],
                "",
                Some((account, region)),
            );
            environments += &format!(
                "[[environment]]\nname = \"{name}\"\nrole_arn = \"arn:aws:iam::{account}:role/driftdrill\"\nregions = [\"{region}\"]\n\n"
            );
            detectors += &format!(
                "[[detector]]\nname = \"open22-{name}\"\ntype = \"command\"\nargv = [\"./{script}\"]\ninterval = \"1s\"\ntimeout = \"30s\"\nresource_regex = \"(sg-[0-9a-f]+)\"\nenvironments = [\"{name}\"]\n\n"
            );
            let before = resources::full_state(&aws, &group).await;
            groups.push((aws, group, before));
        }
        let config = dir.path().join("driftdrill.toml");
        std::fs::write(
            &config,
            format!(
                "[aws]\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\n\n[safety]\nallowed_accounts = [\"111111111111\", \"222222222222\", \"333333333333\"]\nallowed_regions = [\"us-east-1\", \"eu-west-1\"]\nrequired_tags = {{ Environment = [\"staging\"] }}\nmax_drift_lifetime = \"5m\"\njournal = \"journal.jsonl\"\n\n{environments}{extra_env}{detectors}",
                fixture::localstack().url
            ),
        )
        .unwrap();
        Fleet {
            dir,
            config,
            fleet,
            expect: ENVS.iter().map(|e| format!("open22-{}", e.0)).collect(),
            groups,
        }
    }

    /// A scenario drilling the fleet's group in every `sandbox-*` environment.
    fn scenario(&self, id: &str, inject: &str, sla: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{id}.toml"));
        std::fs::write(
            &path,
            format!(
                "id = \"{id}\"\ntitle = \"{id}\"\ncategory = \"network\"\nseverity = \"high\"\n\n[target]\ntype = \"aws_security_group\"\ntags = {{ \"drill:fleet\" = \"{}\" }}\nenvironments = [\"sandbox-*\"]\n\n[inject]\n{inject}\n\n[expect]\ndetectors = {:?}\ndetect_within = \"{sla}\"\n",
                self.fleet, self.expect
            ),
        )
        .unwrap();
        path
    }

    /// Every group reads back exactly as before the drills.
    async fn assert_restored(&self, context: &str) {
        for (aws, group, before) in &self.groups {
            assert_eq!(
                &resources::full_state(aws, group).await,
                before,
                "{context}: {} not restored",
                group.id
            );
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn journal_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn one_scenario_runs_in_every_environment_caught_by_each_ones_own_detector() {
    let fleet = Fleet::new("").await;
    let scenario = fleet.scenario("fleet-ssh", OPEN_SSH, "1m");
    let runs = fleet.path("runs");
    let ran = fixture::run_drills(&fleet.config, &[&scenario], &runs, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.text());
    let record = fixture::only_record(&runs);
    assert_eq!(record.drills.len(), 3, "{}", ran.text());
    for ((name, account, region), (_, group, _)) in ENVS.iter().zip(&fleet.groups) {
        let d = record
            .drills
            .iter()
            .find(|d| d.environment.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no drill in {name}"));
        assert_eq!(d.account.as_deref(), Some(*account));
        assert_eq!(d.region.as_deref(), Some(*region));
        assert_eq!(d.status, DrillStatus::Completed, "{name}: {:?}", d.detail);
        assert_eq!(
            d.target.as_ref().map(|t| t.id.as_str()),
            Some(group.id.as_str())
        );
        // Only the environment's own detector is asked, and it caught its own group.
        let own = format!("open22-{name}");
        assert_eq!(d.expectations.len(), 1, "{name}: {:?}", d.expectations);
        assert_eq!(d.expectations[0].detector, own);
        assert_eq!(d.expectations[0].outcome, Outcome::DetectedWithinSla);
        assert!(d.revert.as_ref().is_some_and(|r| r.verified));
    }
    fleet.assert_restored("after the run").await;

    // The journal says where each change was made, so recover can go back there.
    let intents: Vec<serde_json::Value> = journal_lines(&fleet.path("journal.jsonl"))
        .into_iter()
        .filter(|l| l["step"] == "intent")
        .collect();
    assert_eq!(intents.len(), 3);
    for (name, account, region) in ENVS {
        assert!(
            intents.iter().any(|i| i["environment"] == name
                && i["account"] == account
                && i["region"] == region),
            "no intent for {name}: {intents:?}"
        );
    }

    // The report carries every drill's environment, account and region.
    let out = fixture::driftdrill()
        .args(["report", "--format", "markdown", "--out", "-"])
        .arg(&runs)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for (_, account, _) in ENVS {
        assert!(text.contains(account), "report lacks {account}:\n{text}");
    }
}

#[tokio::test]
async fn a_role_in_an_account_not_allow_listed_is_refused_before_anything_changes() {
    let mut fleet = Fleet::new(
        "[[environment]]\nname = \"sandbox-x\"\nrole_arn = \"arn:aws:iam::999999999999:role/driftdrill\"\nregions = [\"us-east-1\"]\n\n[[detector]]\nname = \"open22-sandbox-x\"\ntype = \"command\"\nargv = [\"./open22-sandbox-a.sh\"]\nenvironments = [\"sandbox-x\"]\n\n",
    )
    .await;
    fleet.expect.push("open22-sandbox-x".into());
    // A group in the refused account too: it must not be touched either.
    let rogue_aws = clients_in("999999999999", "us-east-1").await;
    let rogue = resources::security_group(&rogue_aws).await;
    let rogue_before = resources::full_state(&rogue_aws, &rogue).await;
    let scenario = fleet.scenario("fleet-refused", OPEN_SSH, "1m");
    let runs = fleet.path("runs");
    let ran = fixture::run_drills(&fleet.config, &[&scenario], &runs, &[]);
    assert_eq!(ran.code, Some(1), "{}", ran.text());
    assert!(
        ran.stderr.contains("sandbox-x") && ran.stderr.contains("999999999999"),
        "the refusal names the environment and account:\n{}",
        ran.text()
    );
    assert!(
        journal_lines(&fleet.path("journal.jsonl"))
            .iter()
            .all(|l| l["step"] != "intent"),
        "nothing may be journaled, let alone injected"
    );
    fleet.assert_restored("after the refusal").await;
    assert_eq!(
        resources::full_state(&rogue_aws, &rogue).await,
        rogue_before
    );
}

#[tokio::test]
async fn recover_reverts_each_change_in_its_own_account() {
    let fleet = Fleet::new("").await;
    let scenario = fleet.scenario("fleet-crash", OPEN_SSH, "1m");
    let runs = fleet.path("runs");
    let (mut child, lines) =
        fixture::runs::start_run(&fleet.config, &scenario, &runs, Some("applied"));
    // Every drill stops once its change is made: three changes in three accounts.
    let mut reached = 0;
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while reached < 3 && std::time::Instant::now() < deadline {
        if let Ok(line) = lines.recv_timeout(std::time::Duration::from_secs(1)) {
            reached += usize::from(line.contains("driftdrill-test: reached applied"));
            seen.push(line);
        }
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert_eq!(reached, 3, "{}", seen.join("\n"));
    for (aws, group, before) in &fleet.groups {
        assert_ne!(
            &resources::full_state(aws, group).await,
            before,
            "the change in {} was made",
            group.id
        );
    }

    let out = fixture::driftdrill()
        .args(["recover", "--config"])
        .arg(&fleet.config)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    fleet.assert_restored("after recover").await;
}

/// Outcome per drill (scenario, environment) and per detector, with MTTD left out: what a
/// report must agree on however the drills were spread over jobs.
fn outcomes(records: &[RunRecord]) -> Vec<(String, String, Outcome)> {
    let mut out: Vec<(String, String, Outcome)> = records
        .iter()
        .flat_map(|r| &r.drills)
        .flat_map(|d| {
            d.expectations
                .iter()
                .map(move |e| (d.label(), e.detector.clone(), e.outcome))
        })
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

/// The report's counts (coverage per detector, matrix cells, drills), without times, from
/// folders or S3 prefixes (reached with the config's `[aws]`).
fn report_counts(config: &Path, sources: &[&std::ffi::OsStr]) -> serde_json::Value {
    let out = fixture::driftdrill()
        .args(["report", "--format", "json", "--out", "-", "--config"])
        .arg(config)
        .args(sources)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let detectors: Vec<serde_json::Value> = report["detectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| serde_json::json!([d["name"], d["tally"], d["coverage_pct"]]))
        .collect();
    let cells: Vec<serde_json::Value> = report["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| {
            row["cells"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, c)| serde_json::json!([row["action"], k, c["runs"], c["caught"]]))
                .collect::<Vec<_>>()
        })
        .collect();
    serde_json::json!({
        "drills": report["drills"],
        "accounts": report["accounts"],
        "detectors": detectors,
        "cells": cells,
        "gaps": report["gaps"].as_array().unwrap().len(),
    })
}

#[tokio::test]
async fn shards_together_equal_one_unsharded_run() {
    let fleet = Fleet::new("").await;
    let ssh = fleet.scenario("fleet-shard-ssh", OPEN_SSH, "1m");
    // Port 3389 is drift no detector here looks for: a miss in every environment.
    let rdp = fleet.scenario(
        "fleet-shard-rdp",
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 3389\ncidr = \"0.0.0.0/0\"",
        "3s",
    );
    let whole = fleet.path("whole");
    let ran = fixture::run_drills(&fleet.config, &[&ssh, &rdp], &whole, &[]);
    assert_eq!(ran.code, Some(3), "{}", ran.text());
    // Each shard job also uploads its record where the organisation keeps them.
    let bucket = fixture::unique("records");
    let aws = fixture::clients().await;
    aws.s3()
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let s3 = format!("s3://{bucket}/drills/q4/");
    let mut shard_dirs = Vec::new();
    for k in 1..=3 {
        let dir = fleet.path(&format!("shard-{k}"));
        let shard = format!("{k}/3");
        let ran = fixture::run_drills(
            &fleet.config,
            &[&ssh, &rdp],
            &dir,
            &["--shard", &shard, "--out", &s3],
        );
        assert!(matches!(ran.code, Some(0 | 3)), "{}", ran.text());
        let record = fixture::only_record(&dir);
        assert_eq!(record.drills.len(), 2, "six drills over three shards");
        assert_eq!(
            record
                .selection
                .as_ref()
                .and_then(|s| s.shard)
                .map(|s| s.to_string()),
            Some(shard)
        );
        shard_dirs.push(dir);
    }
    fleet.assert_restored("after the runs").await;

    let sharded: Vec<RunRecord> = shard_dirs.iter().map(|d| fixture::only_record(d)).collect();
    assert_eq!(
        outcomes(&sharded),
        outcomes(&[fixture::only_record(&whole)])
    );
    let dirs: Vec<&std::ffi::OsStr> = shard_dirs.iter().map(|d| d.as_os_str()).collect();
    let unsharded = report_counts(&fleet.config, &[whole.as_os_str()]);
    assert_eq!(report_counts(&fleet.config, &dirs), unsharded);
    // The merge job's view: the three records from S3 alone.
    assert_eq!(
        report_counts(&fleet.config, &[std::ffi::OsStr::new(&s3)]),
        unsharded
    );
}

#[tokio::test]
async fn a_record_in_s3_is_never_overwritten() {
    use driftdrill::s3_records::{self, S3RecordsError, S3Url};
    let aws = fixture::clients().await;
    let bucket = fixture::unique("records");
    aws.s3()
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let url = S3Url::parse(&format!("s3://{bucket}/runs")).unwrap();
    s3_records::upload(&aws, &url, "r.json", b"{\"first\": true}".to_vec())
        .await
        .expect("first upload");
    let again = s3_records::upload(&aws, &url, "r.json", b"{}".to_vec()).await;
    assert!(
        matches!(again, Err(S3RecordsError::Exists { .. })),
        "{again:?}"
    );
    let found = s3_records::download_all(&aws, &url).await.unwrap();
    assert_eq!(
        found,
        [("runs/r.json".to_string(), "{\"first\": true}".to_string())]
    );
}

#[tokio::test]
async fn an_unannounced_sample_is_marked_and_keeps_its_seed() {
    let fleet = Fleet::new("").await;
    let scenario = fleet.scenario("fleet-pick", OPEN_SSH, "1m");
    let runs = fleet.path("runs");
    let ran = fixture::run_drills(
        &fleet.config,
        &[&scenario],
        &runs,
        &["--pick", "2", "--seed", "7", "--start-within", "3s"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.text());
    let record = fixture::only_record(&runs);
    let selection = record.selection.clone().expect("selection recorded");
    assert_eq!((selection.pick, selection.seed), (Some(2), Some(7)));
    assert_eq!(record.drills.len(), 2);
    assert!(record.drills.iter().all(|d| d.unannounced));
    // The same seed picks the same environments.
    let (again, _) = driftdrill::run::plan::select(
        (0..3)
            .map(|i| driftdrill::run::plan::Planned {
                scenario: 0,
                environment: Some(ENVS[i].0.to_string()),
                region: Some(ENVS[i].2.to_string()),
                delay: None,
                unannounced: false,
            })
            .collect(),
        &selection,
    );
    let mut picked: Vec<Option<String>> = record
        .drills
        .iter()
        .map(|d| d.environment.clone())
        .collect();
    picked.sort();
    assert_eq!(
        picked,
        again.into_iter().map(|p| p.environment).collect::<Vec<_>>()
    );
    fleet.assert_restored("after the run").await;

    let out = fixture::driftdrill()
        .args(["report", "--format", "markdown", "--out", "-"])
        .arg(&runs)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("nannounced"),
        "report shows unannounced MTTD:\n{text}"
    );
}
