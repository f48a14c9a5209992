//! Harness overhead per drill: driftdrill's snapshot + journaled inject + verify + journaled
//! revert + verify, through the runner's own `apply`/`revert`, against the floor: the same six
//! EC2 calls made directly with the SDK in a tight loop. Both run in one process against the
//! same LocalStack and the same security group, alternating drill by drill so drift in
//! LocalStack's speed hits both alike; per-drill medians are compared.
//!
//! `DRIFTDRILL_BENCH_ENDPOINT=http://127.0.0.1:4566 cargo bench --bench overhead`
//! (benches/run.sh starts LocalStack and passes it). Prints one JSON line.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{IpPermission, IpRange, ResourceType, Tag, TagSpecification};
use driftdrill::aws::{AwsClients, AwsSettings};
use driftdrill::inject::InjectCx;
use driftdrill::run::drill::{self, RunCx};
use driftdrill::run::hub::Hub;
use driftdrill::run::journal::Journal;
use driftdrill::run::runner::{self, RunOptions};

fn main() {
    let endpoint = std::env::var("DRIFTDRILL_BENCH_ENDPOINT")
        .expect("set DRIFTDRILL_BENCH_ENDPOINT to a LocalStack gateway on loopback");
    assert!(
        driftdrill::aws::is_local_endpoint(&endpoint),
        "the benchmark only runs against LocalStack on loopback"
    );
    let drills: usize = std::env::var("DRIFTDRILL_BENCH_DRILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(bench(&endpoint, drills));
}

async fn bench(endpoint: &str, drills: usize) {
    let aws = AwsClients::new(&AwsSettings::localstack(endpoint, "us-east-1")).await;
    let name = format!(
        "bench-overhead-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let group = aws
        .ec2()
        .create_security_group()
        .group_name(&name)
        .description("driftdrill overhead benchmark")
        .tag_specifications(
            TagSpecification::builder()
                .resource_type(ResourceType::SecurityGroup)
                .tags(Tag::builder().key("Environment").value("staging").build())
                .build(),
        )
        .send()
        .await
        .expect("create the benchmark security group")
        .group_id()
        .expect("group id")
        .to_string();

    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("driftdrill.toml");
    std::fs::write(
        &config,
        format!(
            "[aws]\nregion = \"us-east-1\"\nendpoint_url = \"{endpoint}\"\n\
             [safety]\nallowed_accounts = [\"000000000000\"]\nallowed_regions = [\"us-east-1\"]\n\
             journal = \"journal.jsonl\"\n\
             [[detector]]\nname = \"none\"\ntype = \"command\"\nargv = [\"true\"]\ninterval = \"1h\"\n"
        ),
    )
    .expect("write config");
    let scenario = dir.path().join("open22.toml");
    std::fs::write(
        &scenario,
        format!(
            "id = \"open22\"\ntitle = \"bench\"\ncategory = \"network\"\nseverity = \"low\"\n\
             [target]\ntype = \"aws_security_group\"\nid = \"{group}\"\n\
             [inject]\naction = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\n\
             cidr = \"0.0.0.0/0\"\n[expect]\ndetectors = [\"none\"]\ndetect_within = \"1h\"\n"
        ),
    )
    .expect("write scenario");
    let (config, scenarios) = runner::load(&RunOptions {
        config: Some(config),
        paths: vec![PathBuf::from(&scenario)],
        ..Default::default()
    })
    .expect("load the benchmark drill");
    let scenario = &scenarios[0];
    let journal = Journal::open(&config.resolve(&config.safety.journal)).expect("journal");
    let target = driftdrill::run::guard::prepare(&aws, &scenario.target, &config.safety)
        .await
        .expect("target passes the guardrails");
    let spec = driftdrill::inject::find(&scenario.inject.action.value).expect("action");
    let injector = (spec.build)(&scenario.inject.params).expect("injector");
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let cx = RunCx::new(
        "bench".into(),
        aws.clone(),
        config,
        Hub::start(Vec::new()).await,
        journal,
        stop,
    );

    let place = driftdrill::run::places::Place {
        environment: None,
        account: "000000000000".into(),
        aws: aws.clone(),
    };
    let driftdrill_drill = |i: usize| {
        let (cx, injector, target, scenario, place) = (&cx, &injector, &target, scenario, &place);
        async move {
            let mark = format!("driftdrill:bench:{i}");
            let icx = InjectCx {
                aws: &cx.aws,
                mark: &mark,
            };
            let drill_id = format!("bench/{i}");
            let applied = drill::apply(cx, &drill_id, scenario, &**injector, &icx, target, place)
                .await
                .expect("apply");
            applied.confirmed.as_ref().expect("injection confirmed");
            let deadline = drill::drift_ends(cx, applied.inject_started);
            let reverted = drill::revert(
                cx,
                &drill_id,
                &**injector,
                &icx,
                target,
                &applied.snapshot,
                deadline,
            )
            .await;
            assert!(reverted.verified, "revert verified: {reverted:?}");
        }
    };
    let floor_drill = |i: usize| {
        let (aws, group) = (&aws, &group);
        async move {
            let rule = || {
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(22)
                    .to_port(22)
                    .ip_ranges(
                        IpRange::builder()
                            .cidr_ip("0.0.0.0/0")
                            .description(format!("driftdrill:bench:{i}"))
                            .build(),
                    )
                    .build()
            };
            let describe = || aws.ec2().describe_security_groups().group_ids(group).send();
            describe().await.expect("snapshot");
            aws.ec2()
                .authorize_security_group_ingress()
                .group_id(group)
                .ip_permissions(rule())
                .send()
                .await
                .expect("authorize");
            describe().await.expect("verify injected");
            describe().await.expect("read before revert");
            aws.ec2()
                .revoke_security_group_ingress()
                .group_id(group)
                .ip_permissions(rule())
                .send()
                .await
                .expect("revoke");
            describe().await.expect("verify reverted");
        }
    };

    // Warm both paths (connections, LocalStack's lazy service start).
    for i in 0..3 {
        floor_drill(i).await;
        driftdrill_drill(i).await;
    }
    // Alternate drill by drill, so LocalStack slowing down or speeding up hits both alike; the
    // per-drill medians are compared.
    let mut floor = Vec::new();
    let mut ours = Vec::new();
    for i in 0..drills {
        let t = Instant::now();
        floor_drill(i).await;
        floor.push(t.elapsed());
        let t = Instant::now();
        driftdrill_drill(i).await;
        ours.push(t.elapsed());
    }
    let _ = aws
        .ec2()
        .delete_security_group()
        .group_id(&group)
        .send()
        .await;
    let (floor, ours) = (median(floor), median(ours));
    println!(
        "{{\"drills\": {}, \"floor_ms\": {:.2}, \"driftdrill_ms\": {:.2}, \"ratio\": {:.3}}}",
        drills,
        ms(floor),
        ms(ours),
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
