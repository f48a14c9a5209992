//! Remediation measured: a remediator (here the test, acting as AWS Config remediation or a
//! reconciler would) undoes the drill's change while the drill observes. The record says when
//! the change disappeared, with its bracket, and whether the resource was restored exactly or
//! differently; the drill's own revert is then a verified no-op that writes nothing.

use std::path::Path;
use std::time::Duration;

use aws_sdk_ec2::types::{IpPermission, IpRange};
use aws_sdk_s3::types::BucketVersioningStatus;
use driftdrill::aws::AwsClients;
use driftdrill::inject::RevertKind;
use driftdrill::record::{RemediationOutcome, RemediationRecord, RunRecord};

use crate::fixture::resources::{set_versioning, versioning};
use crate::fixture::runs::{self, until};
use crate::fixture::{self, resources};

const SUSPEND: &str = "action = \"s3.versioning.suspend\"";
const OPEN_SSH: &str =
    "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"";

/// A config declaring one `[[remediator]]` read back every second, and `extra` tables.
fn config(dir: &Path, extra: &str) -> std::path::PathBuf {
    fixture::write_config(
        dir,
        &format!("[[remediator]]\nname = \"fixer\"\ninterval = \"1s\"\n\n{extra}"),
    )
}

/// The ingress ports of a group.
async fn ingress_ports(aws: &AwsClients, group: &str) -> Vec<i32> {
    let out = aws
        .ec2()
        .describe_security_groups()
        .group_ids(group)
        .send()
        .await
        .expect("describe group");
    let mut ports: Vec<i32> = out.security_groups()[0]
        .ip_permissions()
        .iter()
        .filter_map(|p| p.from_port())
        .collect();
    ports.sort();
    ports
}

async fn revoke_world(aws: &AwsClients, group: &str, port: i32) {
    let rule = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    aws.ec2()
        .revoke_security_group_ingress()
        .group_id(group)
        .ip_permissions(rule)
        .send()
        .await
        .expect("revoke ingress");
}

/// Runs the scenario while `act` plays the remediator; how it ended and its record.
async fn run_while(
    config: &Path,
    scenario: &Path,
    runs: &Path,
    act: impl std::future::Future<Output = ()>,
) -> (fixture::Ran, RunRecord) {
    let (ran, _) = runs::run_while(config, scenario, runs, act).await;
    (ran, fixture::only_record(runs))
}

fn remediation(record: &RunRecord) -> &RemediationRecord {
    let drill = &record.drills[0];
    drill
        .remediation
        .as_ref()
        .unwrap_or_else(|| panic!("no remediation recorded: {drill:#?}"))
}

/// The drill's revert found nothing of its change left and wrote nothing, verified.
fn revert_was_a_no_op(record: &RunRecord) {
    let revert = record.drills[0].revert.as_ref().expect("a revert");
    assert!(revert.verified, "{revert:?}");
    assert!(
        matches!(
            revert.kind,
            Some(RevertKind::AlreadyReverted | RevertKind::ConflictLeftAlone)
        ),
        "{revert:?}"
    );
}

#[tokio::test]
async fn an_expected_remediator_that_restores_the_snapshot_is_timed() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let expect = "remediators = [\"fixer\"]\nremediate_within = \"60s\"";
    let scenario = fixture::write_scenario(dir.path(), "fixed", &bucket, SUSPEND, expect);
    let runs = dir.path().join("runs");

    let fix = async {
        until("the suspension", || async {
            versioning(&aws, &bucket.id).await == Some(BucketVersioningStatus::Suspended)
        })
        .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        set_versioning(&aws, &bucket.id, BucketVersioningStatus::Enabled).await;
    };
    let (ran, record) = run_while(&config, &scenario, &runs, fix).await;

    assert_eq!(
        ran.code,
        Some(0),
        "remediated in time is a pass:\n{}",
        ran.text()
    );
    let m = remediation(&record);
    assert_eq!(m.outcome, RemediationOutcome::Restored, "{m:?}");
    assert_eq!(m.remediators, ["fixer"]);
    let mttr = m.mttr_secs.expect("a time to remediate");
    let (lo, hi) = m.bracket_secs.expect("a bracket");
    assert!((2.0..60.0).contains(&mttr), "{m:?}");
    assert!(
        lo <= hi && hi == mttr && hi - lo < 5.0,
        "a 1s read-back brackets tightly: {m:?}"
    );
    assert!(m.within_sla(), "{m:?}");
    revert_was_a_no_op(&record);
    assert!(ran.stdout.contains("remediated by fixer"), "{}", ran.text());
    assert_eq!(
        versioning(&aws, &bucket.id).await,
        Some(BucketVersioningStatus::Enabled)
    );
}

#[tokio::test]
async fn a_remediator_that_also_removes_the_teams_rule_is_remediated_differently() {
    let aws = fixture::clients().await;
    let group = resources::security_group(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let expect = "remediators = [\"fixer\"]\nremediate_within = \"60s\"";
    let scenario = fixture::write_scenario(dir.path(), "overfixed", &group, OPEN_SSH, expect);
    let runs = dir.path().join("runs");

    // A heavy-handed remediator: every world-open rule goes, the team's https one too.
    let fix = async {
        until("the opened port", || async {
            ingress_ports(&aws, &group.id).await.contains(&22)
        })
        .await;
        revoke_world(&aws, &group.id, 22).await;
        revoke_world(&aws, &group.id, 443).await;
    };
    let (ran, record) = run_while(&config, &scenario, &runs, fix).await;

    let m = remediation(&record);
    assert_eq!(
        m.outcome,
        RemediationOutcome::RemediatedDifferently,
        "{m:?}"
    );
    let difference = m.difference.as_deref().unwrap_or_default();
    assert!(
        difference.contains("443"),
        "the difference names the lost rule: {difference}"
    );
    assert_eq!(ran.code, Some(0), "{}", ran.text());
    revert_was_a_no_op(&record);
    assert_eq!(
        ingress_ports(&aws, &group.id).await,
        [80],
        "driftdrill never writes back a rule it did not create"
    );
}

#[tokio::test]
async fn a_change_undone_with_no_remediator_expected_is_remediated_by_something_else() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        dir.path(),
        "[[detector]]\nname = \"blind\"\ntype = \"command\"\nargv = [\"/bin/true\"]\ninterval = \"1s\"\nresource_regex = \"(bkt-[a-z0-9-]+)\"\n",
    );
    let expect = "detectors = [\"blind\"]\ndetect_within = \"4s\"";
    let scenario = fixture::write_scenario(dir.path(), "undone", &bucket, SUSPEND, expect);
    let runs = dir.path().join("runs");

    let colleague = async {
        until("the suspension", || async {
            versioning(&aws, &bucket.id).await == Some(BucketVersioningStatus::Suspended)
        })
        .await;
        set_versioning(&aws, &bucket.id, BucketVersioningStatus::Enabled).await;
    };
    let (ran, record) = run_while(&config, &scenario, &runs, colleague).await;

    assert_eq!(
        ran.code,
        Some(3),
        "the blind detector still missed:\n{}",
        ran.text()
    );
    let m = remediation(&record);
    assert!(!m.expected(), "{m:?}");
    assert_eq!(m.outcome, RemediationOutcome::Restored, "{m:?}");
    let (lo, hi) = m.bracket_secs.expect("a bracket");
    assert!(lo == 0.0 && hi > 0.0, "{m:?}");
    assert!(
        m.result_text().contains("by something else"),
        "{}",
        m.result_text()
    );
    revert_was_a_no_op(&record);
}

#[tokio::test]
async fn a_change_nobody_undoes_is_not_remediated_and_reverted_by_the_drill() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let expect = "remediators = [\"fixer\"]\nremediate_within = \"2s\"";
    let scenario = fixture::write_scenario(dir.path(), "unfixed", &bucket, SUSPEND, expect);
    let runs = dir.path().join("runs");

    let (ran, record) = run_while(&config, &scenario, &runs, async {}).await;

    assert_eq!(
        ran.code,
        Some(3),
        "not remediated is a miss:\n{}",
        ran.text()
    );
    let m = remediation(&record);
    assert_eq!(m.outcome, RemediationOutcome::NotRemediated, "{m:?}");
    assert!(
        m.reads >= 2 && m.read_errors == 0,
        "read back every second: {m:?}"
    );
    let revert = record.drills[0].revert.as_ref().expect("a revert");
    assert!(
        revert.verified && revert.kind == Some(RevertKind::Restored),
        "{revert:?}"
    );
    assert_eq!(
        versioning(&aws, &bucket.id).await,
        Some(BucketVersioningStatus::Enabled)
    );
}

/// A custodian policy that flags world-open SSH and removes exactly the matched permission.
/// Acts on the test's own group only: an account-wide `remove-permissions` would remove the
/// SSH rules other tests inject into LocalStack at the same time.
const C7N_FIX: &str = r#"policies:
  - name: sg-ssh-open-to-world-fix
    resource: aws.security-group
    filters:
      - GroupId: GROUP_ID
      - type: ingress
        Ports: [22]
        Cidr:
          value: "0.0.0.0/0"
    actions:
      - type: remove-permissions
        ingress: matched
"#;

#[tokio::test]
async fn a_custodian_policy_with_actions_detects_and_remediates_in_one_poll() {
    fixture::custodian();
    let aws = fixture::clients().await;
    let group = resources::security_group(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("fix.yml"),
        C7N_FIX.replace("GROUP_ID", &group.id),
    )
    .unwrap();
    let config = fixture::write_config(
        dir.path(),
        "[[detector]]\nname = \"c7n-fix\"\ntype = \"custodian\"\npolicy = [\"fix.yml\"]\ninterval = \"2s\"\n",
    );
    let expect = "detectors = [\"c7n-fix\"]\ndetect_within = \"3m\"\nremediators = [\"c7n-fix\"]\nremediate_within = \"3m\"";
    let scenario = fixture::write_scenario(dir.path(), "c7n-fixed", &group, OPEN_SSH, expect);
    let runs = dir.path().join("runs");

    let ran = fixture::run_drills(&config, &[&scenario], &runs, &[]);
    let record = fixture::only_record(&runs);

    assert_eq!(ran.code, Some(0), "{}", ran.text());
    let detected = &record.drills[0].expectations[0];
    let mttd = detected.mttd_secs.expect("detected");
    let m = remediation(&record);
    assert_eq!(
        m.outcome,
        RemediationOutcome::Restored,
        "only the drill's rule goes: {m:?}"
    );
    let mttr = m.mttr_secs.expect("a time to remediate");
    assert!(mttr > 0.0 && mttd > 0.0, "both times: {mttd} {mttr}");
    let health = record
        .detector_health
        .iter()
        .find(|h| h.name == "c7n-fix")
        .expect("health");
    assert!(
        health
            .actions
            .iter()
            .any(|a| a.what.contains("removepermissions") && a.resources.contains(&group.id)),
        "the record logs c7n's action: {health:?}"
    );
    revert_was_a_no_op(&record);
    assert_eq!(ingress_ports(&aws, &group.id).await, [80, 443]);
}

#[tokio::test]
async fn a_terraform_apply_remediator_restores_suspended_versioning() {
    if !fixture::terraform_available() {
        return;
    }
    let aws = fixture::clients().await;
    let env = fixture::sample_env("tfapply", false).await;
    let ws = &env.workspace;
    let bucket = driftdrill::inject::Target {
        kind: driftdrill::inject::s3::BUCKET,
        id: env.outputs.bucket_names["reports"].clone(),
        tags: Default::default(),
    };
    let dir = tempfile::tempdir().unwrap();
    let cli_config = ws
        .cli_config
        .as_ref()
        .map(|c| format!("cli_config = \"{}\"\n", c.display()))
        .unwrap_or_default();
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "[[detector]]\nname = \"tf-apply\"\ntype = \"terraform\"\ndir = \"{}\"\n{cli_config}interval = \"3s\"\napply = true\n",
            ws.dir.display()
        ),
    );
    let expect = "remediators = [\"tf-apply\"]\nremediate_within = \"3m\"";
    let scenario = fixture::write_scenario(dir.path(), "tf-fixed", &bucket, SUSPEND, expect);
    let runs = dir.path().join("runs");

    let ran = fixture::run_drills(&config, &[&scenario], &runs, &[]);
    let record = fixture::only_record(&runs);

    assert_eq!(ran.code, Some(0), "{}", ran.text());
    let m = remediation(&record);
    assert_eq!(m.outcome, RemediationOutcome::Restored, "{m:?}");
    let health = record
        .detector_health
        .iter()
        .find(|h| h.name == "tf-apply")
        .expect("health");
    assert!(
        health
            .actions
            .iter()
            .any(|a| a.what.contains("Apply complete!") && a.resources.contains(&bucket.id)),
        "every apply is logged: {health:?}"
    );
    revert_was_a_no_op(&record);
    assert_eq!(
        versioning(&aws, &bucket.id).await,
        Some(BucketVersioningStatus::Enabled)
    );
    assert!(
        matches!(
            ws.plan_detailed().await.expect("plan"),
            driftdrill::terraform::PlanExit::Clean
        ),
        "terraform finds nothing left to do"
    );
}
