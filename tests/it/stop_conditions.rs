//! Stop conditions, AWS FIS's safety lever: a CloudWatch alarm (LocalStack's `SetAlarmState`)
//! or a command that fires mid-drill stops the run, every change in flight is reverted at once
//! and the record says who stopped it; one that does not answer, or already fires, keeps the
//! run from starting and nothing is changed.

use std::time::Duration;

use aws_sdk_cloudwatch::types::{ComparisonOperator, StateValue, Statistic};
use aws_sdk_s3::types::BucketVersioningStatus;
use driftdrill::aws::AwsClients;
use driftdrill::record::DrillStatus;

use crate::fixture::resources::versioning;
use crate::fixture::runs::{run_while, until};
use crate::fixture::{self, resources};

const SUSPEND: &str = "action = \"s3.versioning.suspend\"";
/// A detector that never names anything, watched for up to two minutes: only a stop ends the
/// drill early.
const BLIND: &str = "[[detector]]\nname = \"blind\"\ntype = \"command\"\nargv = [\"/bin/true\"]\ninterval = \"1s\"\nresource_regex = \"(bkt-[a-z0-9-]+)\"\n";
const EXPECT: &str = "detectors = [\"blind\"]\ndetect_within = \"60s\"";

fn cloudwatch(aws: &AwsClients) -> aws_sdk_cloudwatch::Client {
    aws_sdk_cloudwatch::Client::new(&aws.config)
}

/// A metric alarm in state OK.
async fn alarm(aws: &AwsClients) -> String {
    let name = fixture::unique("alarm");
    let cw = cloudwatch(aws);
    cw.put_metric_alarm()
        .alarm_name(&name)
        .namespace("DriftDrill/Test")
        .metric_name("Errors")
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        // LocalStack evaluates the alarm every period and, with no data and the default
        // ("missing"), sets it to INSUFFICIENT_DATA over the state a test set: under load that
        // undid the ALARM before the run asked. With "ignore" it keeps the state, as AWS does.
        .treat_missing_data("ignore")
        .send()
        .await
        .expect("put alarm");
    set_alarm(aws, &name, StateValue::Ok).await;
    name
}

async fn set_alarm(aws: &AwsClients, name: &str, state: StateValue) {
    cloudwatch(aws)
        .set_alarm_state()
        .alarm_name(name)
        .state_value(state)
        .state_reason("error rate over budget (test)")
        .send()
        .await
        .expect("set alarm state");
}

async fn until_suspended(aws: &AwsClients, bucket: &str) {
    until("the drill's suspension of versioning", || async {
        versioning(aws, bucket).await == Some(BucketVersioningStatus::Suspended)
    })
    .await;
}

#[tokio::test]
async fn an_alarm_that_fires_mid_drill_reverts_at_once_and_says_who_stopped_the_run() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let alarm = alarm(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "{BLIND}\n[[stop_condition]]\nname = \"error-budget\"\nalarm_name = \"{alarm}\"\ninterval = \"1s\"\n"
        ),
    );
    let scenario = fixture::write_scenario(dir.path(), "stopped", &bucket, SUSPEND, EXPECT);
    let runs = dir.path().join("runs");

    let fire = async {
        until_suspended(&aws, &bucket.id).await;
        set_alarm(&aws, &alarm, StateValue::Alarm).await;
    };
    let (ran, took) = run_while(&config, &scenario, &runs, fire).await;

    assert_eq!(
        ran.code,
        Some(1),
        "a stopped run is exit 1:\n{}",
        ran.text()
    );
    assert!(
        took < Duration::from_secs(100),
        "the 2-minute window was cut short: {took:?}"
    );
    let record = fixture::only_record(&runs);
    let stopped = record.stopped_by.as_ref().expect("stopped_by");
    assert_eq!(stopped.name, "error-budget");
    assert!(stopped.detail.contains("ALARM"), "{stopped:?}");
    let drill = &record.drills[0];
    assert_eq!(drill.status, DrillStatus::Interrupted, "{drill:?}");
    assert!(
        drill
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("stopped by error-budget"),
        "{drill:?}"
    );
    assert!(
        drill.revert.as_ref().is_some_and(|r| r.verified),
        "{drill:?}"
    );
    assert_eq!(
        versioning(&aws, &bucket.id).await,
        Some(BucketVersioningStatus::Enabled)
    );
}

#[tokio::test]
async fn a_command_that_exits_non_zero_mid_drill_stops_the_run() {
    use std::os::unix::fs::PermissionsExt;
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("budget-spent");
    let script = dir.path().join("budget-ok.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif [ -e '{}' ]; then echo 'error budget spent' >&2; exit 1; fi\nexit 0\n",
            flag.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Named relative to the config's folder, as a user would.
    let config = fixture::write_config(
        dir.path(),
        &format!(
            "{BLIND}\n[[stop_condition]]\nname = \"budget\"\ncommand = [\"./budget-ok.sh\"]\ninterval = \"1s\"\n"
        ),
    );
    let scenario =
        fixture::write_scenario(dir.path(), "stopped-by-command", &bucket, SUSPEND, EXPECT);
    let runs = dir.path().join("runs");

    let fire = async {
        until_suspended(&aws, &bucket.id).await;
        std::fs::write(&flag, "").unwrap();
    };
    let (ran, took) = run_while(&config, &scenario, &runs, fire).await;

    assert_eq!(ran.code, Some(1), "{}", ran.text());
    assert!(took < Duration::from_secs(100), "{took:?}");
    let record = fixture::only_record(&runs);
    let stopped = record.stopped_by.as_ref().expect("stopped_by");
    assert!(stopped.detail.contains("error budget spent"), "{stopped:?}");
    assert!(record.drills[0].revert.as_ref().is_some_and(|r| r.verified));
    assert_eq!(
        versioning(&aws, &bucket.id).await,
        Some(BucketVersioningStatus::Enabled)
    );
}

#[tokio::test]
async fn a_missing_or_firing_stop_condition_keeps_the_run_from_starting() {
    let aws = fixture::clients().await;
    let bucket = resources::bucket(&aws).await;
    let firing = alarm(&aws).await;
    set_alarm(&aws, &firing, StateValue::Alarm).await;
    for (alarm, said) in [
        (fixture::unique("no-such-alarm"), "does not exist"),
        (firing, "is firing"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let config = fixture::write_config(
            dir.path(),
            &format!("{BLIND}\n[[stop_condition]]\nname = \"guard\"\nalarm_name = \"{alarm}\"\n"),
        );
        let scenario = fixture::write_scenario(dir.path(), "never", &bucket, SUSPEND, EXPECT);
        let runs = dir.path().join("runs");
        let ran = fixture::run_drills(&config, &[&scenario], &runs, &[]);
        assert_eq!(ran.code, Some(1), "{}", ran.text());
        assert!(ran.stderr.contains(said), "{}", ran.text());
        assert!(ran.stderr.contains("nothing was changed"), "{}", ran.text());
        let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap_or_default();
        assert!(
            !journal.contains("intent"),
            "nothing may be journaled: {journal}"
        );
    }
    assert_eq!(
        versioning(&aws, &bucket.id).await,
        Some(BucketVersioningStatus::Enabled)
    );
}
