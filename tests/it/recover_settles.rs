//! `recover` never strands a journal: a drill killed with SIGKILL while its drift is live, then
//! its target deleted (or a bucket deleted and recreated under the same name), is settled as
//! target gone, exit 0, and the next run starts; an operator can list what is unsettled and
//! forget a change that can never be reverted, with a reason, and the report keeps it as
//! unresolved drift. Real processes, real LocalStack.

use std::path::Path;

use driftdrill::inject::Target;

use crate::fixture::runs::{start_run, wait_for};
use crate::fixture::{self, resources};

const NEVER: &str =
    "[[detector]]\nname = \"never\"\ntype = \"command\"\nargv = [\"true\"]\ninterval = \"1s\"\n";

/// Runs one drill of `inject` on `target` and SIGKILLs it once the change is live: the journal
/// holds an applied, unreverted change. Returns the config path.
fn kill_mid_drift(dir: &Path, id: &str, target: &Target, inject: &str) -> std::path::PathBuf {
    let config = fixture::write_config(dir, NEVER);
    let scenario = fixture::write_scenario(
        dir,
        id,
        target,
        inject,
        "detectors = [\"never\"]\ndetect_within = \"1s\"",
    );
    let (mut child, lines) = start_run(&config, &scenario, &dir.join("runs"), Some("applied"));
    let reached = wait_for(&lines, "driftdrill-test: reached applied");
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    if let Err(seen) = reached {
        panic!("the run never applied its change:\n{}", seen.join("\n"));
    }
    config
}

fn recover(config: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = fixture::driftdrill()
        .args(["recover", "--config"])
        .arg(config)
        .args(args)
        .arg("--out")
        .arg(config.parent().unwrap().join("runs"))
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

fn journal_text(config: &Path) -> String {
    std::fs::read_to_string(config.parent().unwrap().join("journal.jsonl")).unwrap()
}

/// A dry run of a fresh drill starts (is not refused because of the journal).
fn a_new_run_starts(config: &Path, target: &Target) {
    let dir = config.parent().unwrap();
    let scenario = fixture::write_scenario(
        dir,
        "after-recover",
        target,
        "action = \"ec2.tag.set\"\nkey = \"Owner\"\nvalue = \"drill\"",
        "detectors = [\"never\"]\ndetect_within = \"1s\"",
    );
    let out = fixture::driftdrill()
        .args(["run", "--dry-run", "--config"])
        .arg(config)
        .arg(&scenario)
        .arg("--out")
        .arg(dir.join("dry"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "a new run must start: {stderr}");
}

#[tokio::test]
async fn a_deleted_security_group_is_settled_as_gone_and_the_next_run_starts() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let other = resources::security_group(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let config = kill_mid_drift(
        dir.path(),
        "gone-sg",
        &target,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"",
    );

    // --list shows it and touches nothing.
    let (code, text) = recover(&config, &["--list"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("/gone-sg")
            && text.contains(&target.id)
            && text.contains("ec2.sg.open_ingress"),
        "{text}"
    );
    // Torn down by someone else while the drift was live.
    aws.ec2()
        .delete_security_group()
        .group_id(&target.id)
        .send()
        .await
        .expect("delete the group");

    let (code, text) = recover(&config, &[]);
    assert_eq!(
        code,
        Some(0),
        "a gone target is settled, not a failure:\n{text}"
    );
    assert!(
        text.contains("settled: target gone") && text.contains("does not exist any more"),
        "{text}"
    );
    assert!(
        !text.contains("Error {") && !text.contains("aws_request_id"),
        "no SDK Debug text: {text}"
    );
    let journal = journal_text(&config);
    assert!(
        journal.contains(r#""step":"settled","settled":"target_gone""#),
        "{journal}"
    );
    let (code, text) = recover(&config, &[]);
    assert_eq!(code, Some(0));
    assert!(
        text.contains("nothing to recover"),
        "second recover: {text}"
    );
    a_new_run_starts(&config, &other);
}

/// A bucket's full state, or `None` once it is gone.
async fn bucket_state(aws: &driftdrill::aws::AwsClients, target: &Target) -> Vec<String> {
    resources::full_state(aws, target).await
}

async fn delete_bucket(aws: &driftdrill::aws::AwsClients, name: &str) {
    // The fixture's buckets hold no objects; versioning leaves no versions behind either.
    aws.s3()
        .delete_bucket()
        .bucket(name)
        .send()
        .await
        .expect("delete the bucket");
}

#[tokio::test]
async fn a_deleted_bucket_is_settled_and_a_recreated_one_is_left_untouched() {
    let aws = fixture::clients().await;
    let other = resources::security_group(&aws).await;
    let suspend = "action = \"s3.versioning.suspend\"";

    // Deleted: settled as gone.
    let gone = resources::bucket(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let config = kill_mid_drift(dir.path(), "gone-bucket", &gone, suspend);
    delete_bucket(&aws, &gone.id).await;
    let (code, text) = recover(&config, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("settled: target gone"), "{text}");
    a_new_run_starts(&config, &other);

    // Deleted and recreated under the same name: another bucket, never "reverted".
    let reused = resources::bucket(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let config = kill_mid_drift(dir.path(), "recreated-bucket", &reused, suspend);
    delete_bucket(&aws, &reused.id).await;
    // Creation dates have second precision: make the new bucket's differ.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    aws.s3()
        .create_bucket()
        .bucket(&reused.id)
        .send()
        .await
        .expect("recreate the bucket");
    let before = bucket_state(&aws, &reused).await;
    let (code, text) = recover(&config, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("settled: target gone")
            && text.contains("another bucket under the same name"),
        "{text}"
    );
    assert_eq!(
        bucket_state(&aws, &reused).await,
        before,
        "the new bucket must be left untouched"
    );
    a_new_run_starts(&config, &other);
}

#[tokio::test]
async fn an_operator_can_forget_a_change_only_with_a_reason_and_the_report_keeps_it() {
    let aws = fixture::clients().await;
    let target = resources::security_group(&aws).await;
    let other = resources::security_group(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let config = kill_mid_drift(
        dir.path(),
        "forget-me",
        &target,
        "action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 23\ncidr = \"0.0.0.0/0\"",
    );

    let (code, text) = recover(&config, &["--forget", "forget-me"]);
    assert_eq!(code, Some(2), "no --reason, no forgetting: {text}");
    assert!(text.contains("--reason"), "{text}");
    let (code, text) = recover(&config, &["--forget", "no-such-drill", "--reason", "x"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("forget-me"),
        "names what could be forgotten: {text}"
    );

    let (code, text) = recover(
        &config,
        &[
            "--forget",
            "forget-me",
            "--reason",
            "account closed before the revert",
        ],
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("forgotten:")
            && text.contains("drift may remain on")
            && text.contains(&target.id),
        "{text}"
    );
    let journal = journal_text(&config);
    assert!(
        journal.contains(r#""settled":"forgotten""#)
            && journal.contains("account closed before the revert"),
        "{journal}"
    );
    let (code, text) = recover(&config, &[]);
    assert_eq!(code, Some(0));
    assert!(text.contains("nothing to recover"), "{text}");
    a_new_run_starts(&config, &other);

    // The report lists it as unresolved drift.
    let out = fixture::driftdrill()
        .arg("report")
        .arg(dir.path().join("runs"))
        .args(["--format", "markdown", "--out"])
        .arg(dir.path().join("report.md"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        md.contains("**Unresolved drift**")
            && md.contains("forget-me")
            && md.contains("account closed"),
        "{md}"
    );

    // The test cleans up its own drift: the group was made for it.
    aws.ec2()
        .delete_security_group()
        .group_id(&target.id)
        .send()
        .await
        .expect("delete the test's group");
}
