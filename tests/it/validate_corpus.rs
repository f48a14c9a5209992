//! The malformed-input corpus: every file gets its exact diagnostic snapshotted and a non-zero
//! exit; the valid corpus and the shipped scenarios validate clean.

use std::path::{Path, PathBuf};

use driftdrill::commands::{Format, validate};
use driftdrill::exit_codes;

fn validate(config: &Path, paths: &[PathBuf], format: Format) -> (i32, String) {
    let mut out = Vec::new();
    let how = validate::How {
        format,
        strict: false,
    };
    let code = validate::run(Some(config), paths, how, &mut out).expect("corpus paths exist");
    (code, String::from_utf8(out).expect("utf-8 output"))
}

fn cases(dir: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    cases
}

fn case_name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_malformed_scenario_has_its_exact_diagnostic() {
    let config = Path::new("tests/corpus/driftdrill.toml");
    let cases = cases("tests/corpus/invalid/scenario");
    assert!(
        cases.len() >= 30,
        "the corpus should hold at least 30 scenario cases"
    );
    for case in cases {
        let (code, text) = validate(config, std::slice::from_ref(&case), Format::Text);
        assert_eq!(
            code,
            exit_codes::INVALID_INPUT,
            "{} validated clean:\n{text}",
            case.display()
        );
        insta::assert_snapshot!(format!("scenario__{}", case_name(&case)), text);
    }
}

#[test]
fn every_malformed_config_has_its_exact_diagnostic() {
    let scenarios = [PathBuf::from("tests/corpus/valid/scenarios")];
    for case in cases("tests/corpus/invalid/config") {
        let (code, text) = validate(&case, &scenarios, Format::Text);
        assert_eq!(
            code,
            exit_codes::INVALID_INPUT,
            "{} validated clean:\n{text}",
            case.display()
        );
        // Resolved paths name the checkout's folder: the same text wherever it is.
        let root = std::env::current_dir().unwrap().display().to_string();
        let text = text.replace(&root, "[checkout]");
        insta::assert_snapshot!(format!("config__{}", case_name(&case)), text);
    }
}

#[test]
fn json_diagnostics_carry_file_line_and_column() {
    let config = Path::new("tests/corpus/driftdrill.toml");
    let case = PathBuf::from("tests/corpus/invalid/scenario/14-port-out-of-range.toml");
    let (code, text) = validate(config, &[case], Format::Json);
    assert_eq!(code, exit_codes::INVALID_INPUT);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    insta::assert_json_snapshot!("json__14-port-out-of-range", doc);
}

#[test]
fn the_valid_corpus_and_the_shipped_scenarios_validate_clean() {
    let (code, text) = validate(
        Path::new("tests/corpus/driftdrill.toml"),
        &[PathBuf::from("tests/corpus/valid/scenarios")],
        Format::Text,
    );
    assert_eq!(code, exit_codes::OK, "{text}");
    let (code, text) = validate(
        Path::new("scenarios/driftdrill.toml"),
        &[PathBuf::from("scenarios")],
        Format::Text,
    );
    assert_eq!(code, exit_codes::OK, "{text}");
}

#[test]
fn the_cli_exits_2_on_invalid_input_and_0_on_valid() {
    let bin = env!("CARGO_BIN_EXE_driftdrill");
    let bad = std::process::Command::new(bin)
        .args([
            "validate",
            "--config",
            "tests/corpus/driftdrill.toml",
            "tests/corpus/invalid/scenario/16-cidr-prefix-too-long.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(exit_codes::INVALID_INPUT));
    let good = std::process::Command::new(bin)
        .args([
            "validate",
            "--config",
            "tests/corpus/driftdrill.toml",
            "tests/corpus/valid/scenarios",
        ])
        .output()
        .unwrap();
    assert_eq!(
        good.status.code(),
        Some(exit_codes::OK),
        "{}",
        String::from_utf8_lossy(&good.stdout)
    );
    let missing = std::process::Command::new(bin)
        .args(["validate", "no/such/folder"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(exit_codes::INVALID_INPUT));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("error: failed to read no/such/folder")
    );
}

#[test]
fn printing_commands_end_quietly_when_the_reader_stops_early() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    // `driftdrill list | head -c 1`: the reader takes one byte and closes the pipe.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_driftdrill"))
        .args(["list", "scenarios"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
        "{:?}: {stderr}",
        out.status
    );
}

#[test]
fn permissions_prints_the_policy_the_selected_drills_need() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_driftdrill"))
        .args([
            "permissions",
            "--config",
            "tests/corpus/driftdrill.toml",
            "tests/corpus/valid/scenarios",
            "--only",
            "sg-open-ssh",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON policy");
    assert_eq!(policy["Version"], "2012-10-17");
    let actions: Vec<&str> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap())
        .map(|a| a.as_str().unwrap())
        .collect();
    for needed in [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:DescribeSecurityGroups",
        "sts:GetCallerIdentity",
    ] {
        assert!(actions.contains(&needed), "{needed} missing: {actions:?}");
    }
    assert!(
        !actions
            .iter()
            .any(|a| a.starts_with("iam:") || a.starts_with("s3:")),
        "only what the selected drill needs: {actions:?}"
    );
    let ec2 = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "DriftdrillEc2")
        .unwrap();
    assert_eq!(
        ec2["Condition"]["StringEquals"]["aws:RequestedRegion"],
        serde_json::json!(["us-east-1"])
    );
}

#[test]
fn an_sla_no_detector_can_meet_is_a_warning_and_an_error_when_strict() {
    let dir = tempfile::tempdir().unwrap();
    let drills = dir.path().join("drills");
    std::fs::create_dir_all(drills.join("scenarios")).unwrap();
    std::fs::write(
        drills.join("driftdrill.toml"),
        "[aws]\nregion = \"us-east-1\"\nendpoint_url = \"http://127.0.0.1:9\"\n\n\
         [safety]\nallowed_accounts = [\"000000000000\"]\nallowed_regions = [\"us-east-1\"]\n\
         max_drift_lifetime = \"30m\"\n\n[[detector]]\nname = \"terraform-plan\"\ntype = \"command\"\n\
         argv = [\"true\"]\ninterval = \"60s\"\n",
    )
    .unwrap();
    let scenario = "id = \"sla-90s\"\ntitle = \"t\"\ncategory = \"network\"\nseverity = \"high\"\n\
         [target]\ntype = \"aws_security_group\"\nid = \"sg-0123456789abcdef0\"\n[inject]\n\
         action = \"ec2.sg.open_ingress\"\nprotocol = \"tcp\"\nport = 22\ncidr = \"0.0.0.0/0\"\n\
         [expect]\ndetectors = [\"terraform-plan\"]\ndetect_within = \"90s\"\n";
    std::fs::write(drills.join("scenarios/sla.toml"), scenario).unwrap();
    let validate = |strict: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_driftdrill"));
        cmd.current_dir(dir.path()).args([
            "validate",
            "--config",
            "drills/driftdrill.toml",
            "drills/scenarios",
        ]);
        if strict {
            cmd.arg("--strict");
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };

    // A 60 s interval meets a 90 s SLA, as far as anyone knows.
    let (code, text) = validate(true);
    assert_eq!(code, Some(exit_codes::OK), "{text}");
    assert!(!text.contains("warning"), "{text}");

    // Earlier runs beside the config show plans taking about 69 s: 60 s + 69 s > 90 s.
    std::fs::create_dir_all(drills.join("runs")).unwrap();
    std::fs::copy(
        "tests/fixtures/runs/shard-a/20261103T100000Z-bbbbbb.json",
        drills.join("runs/20261103T100000Z-bbbbbb.json"),
    )
    .unwrap();
    let (code, text) = validate(false);
    assert_eq!(code, Some(exit_codes::OK), "{text}");
    assert!(text.contains("warning[infeasible-sla]: 1m 30s SLA to detect for `terraform-plan` can never be met: terraform-plan polls every 1m and its polls take 1m 9s at the median"), "{text}");
    assert!(
        text.contains("--> drills/scenarios/sla.toml:14:14"),
        "{text}"
    );
    assert!(
        text.contains("valid: drills/driftdrill.toml, 1 scenario(s), 1 warning(s)"),
        "{text}"
    );
    let (code, text) = validate(true);
    assert_eq!(code, Some(exit_codes::INVALID_INPUT), "{text}");
    assert!(
        text.contains("invalid: 1 warning(s) with --strict; nothing was injected"),
        "{text}"
    );

    // `run` says the same before it starts (here it then fails to reach a closed loopback port).
    let ran = std::process::Command::new(env!("CARGO_BIN_EXE_driftdrill"))
        .current_dir(dir.path())
        .args([
            "run",
            "--dry-run",
            "--config",
            "drills/driftdrill.toml",
            "drills/scenarios",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(stderr.contains("warning[infeasible-sla]"), "{stderr}");
}
