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

/// Every socket listening on `port`, as (address, port) from the kernel's tables (IPv4 and
/// IPv6): what `ss -ltn` shows, read without it.
fn listening_on(port: u16) -> Vec<std::net::IpAddr> {
    let mut found = Vec::new();
    for (table, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // fields[1]: local "ADDR:PORT" in hex; fields[3]: state, 0A is LISTEN.
            let (Some(local), Some(&"0A")) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let Some((addr, p)) = local.split_once(':') else {
                continue;
            };
            if u16::from_str_radix(p, 16) != Ok(port) {
                continue;
            }
            found.push(kernel_address(addr, v6));
        }
    }
    found
}

/// A /proc/net address: 32-bit words in the host's (little-endian) byte order.
fn kernel_address(hex: &str, v6: bool) -> std::net::IpAddr {
    let words: Vec<u32> = (0..hex.len() / 8)
        .map(|i| {
            u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16)
                .unwrap()
                .swap_bytes()
        })
        .collect();
    if v6 {
        let mut bytes = [0u8; 16];
        for (i, w) in words.iter().enumerate() {
            bytes[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
        }
        std::net::Ipv6Addr::from(bytes).into()
    } else {
        std::net::Ipv4Addr::from(words[0]).into()
    }
}

#[test]
fn smoke_localstack_listens_on_loopback_only() {
    let endpoint = fixture::localstack();
    let port: u16 = endpoint.url.rsplit(':').next().unwrap().parse().unwrap();
    let addresses = listening_on(port);
    assert!(
        !addresses.is_empty(),
        "nothing listens on {port} ({:?} mode)",
        endpoint.mode
    );
    for a in &addresses {
        let loopback = match a {
            std::net::IpAddr::V4(v4) => v4.is_loopback(),
            std::net::IpAddr::V6(v6) => {
                v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
        };
        assert!(
            loopback,
            "{:?}-mode LocalStack listens on {a}:{port}: every listener driftdrill starts must be loopback only ({addresses:?})",
            endpoint.mode
        );
    }
}

#[test]
fn the_kernel_table_reader_reads_what_it_says() {
    assert_eq!(
        kernel_address("0100007F", false),
        std::net::IpAddr::from([127, 0, 0, 1])
    );
    assert_eq!(
        kernel_address("00000000", false),
        std::net::IpAddr::from([0, 0, 0, 0])
    );
    assert_eq!(
        kernel_address("00000000000000000000000001000000", true),
        std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
    );
}
