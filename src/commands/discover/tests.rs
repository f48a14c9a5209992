//! The proposal's text and the edit of a scenario file: comments, other keys and layout stay.

use std::time::Duration;

use super::*;
use crate::run::discovery::Caught;

const SCENARIO: &str = r#"# Who opened SSH to the world?
id = "sg-ssh"
title = "SSH open to the world"
category = "network"
severity = "high"

[target]
type = "aws_security_group"
id = "sg-0123456789abcdef0"

[inject]
action = "ec2.sg.open_ingress"   # the change
protocol = "tcp"
port = 22
cidr = "0.0.0.0/0"

[expect]
# guessed last quarter
detectors = ["tf", "hook"]   # keep this comment
detect_within = "15m"
alert_within = "15m"
clear_within = "10m"
"#;

const CONFIG: &str = r#"[safety]
allowed_accounts = ["000000000000"]
allowed_regions = ["us-east-1"]
max_drift_lifetime = "30m"

[[detector]]
name = "tf"
type = "command"
argv = ["true"]
interval = "30s"

[[channel]]
name = "hook"
type = "webhook"
listen = "127.0.0.1:19813"
"#;

fn proposal() -> Proposal {
    Proposal {
        scenario: "sg-ssh".into(),
        action: "ec2.sg.open_ingress".into(),
        caught: vec![Caught {
            name: "tf".into(),
            role: crate::vocab::Role::Detector,
            seen_secs: 41.0,
            sla: Duration::from_secs(70),
        }],
        silent: vec!["hook".into()],
        unanswered: vec![("c7n".into(), "detector error: exited 1".into())],
        skipped: None,
    }
}

#[test]
fn the_block_proposes_what_caught_it_and_comments_the_rest() {
    assert_eq!(
        block(&proposal()),
        "[expect]\ndetectors = [\"tf\"]\nsla = { tf = \"1m 10s\" }\n\
         # discover: stayed silent over complete, healthy polls; if they must, confirm:\n\
         # discover: silent = [\"hook\"]\n# discover: c7n could not be judged: detector error: exited 1\n"
    );
}

#[test]
fn writing_keeps_comments_other_keys_and_layout_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("driftdrill.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let file = dir.path().join("sg-ssh.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let loaded = crate::formats::load(
        Some(&config),
        std::slice::from_ref(&file),
        &crate::catalogs::all(),
    )
    .unwrap();
    assert!(loaded.is_valid(), "{:?}", loaded.diagnostics);

    assert!(write(&loaded.scenarios[0], &proposal(), &config).unwrap());
    let text = std::fs::read_to_string(&file).unwrap();
    let expected = SCENARIO.replace(
        "# guessed last quarter\ndetectors = [\"tf\", \"hook\"]   # keep this comment\n",
        "# guessed last quarter\n# discover: stayed silent over complete, healthy polls; if they must, confirm:\n\
         # discover: silent = [\"hook\"]\n# discover: c7n could not be judged: detector error: exited 1\n\
         detectors = [\"tf\"]   # keep this comment\n",
    ) + "sla = { tf = \"1m 10s\" }\n";
    assert_eq!(text, expected);
    // A second discovery replaces its own notes and keeps the person's.
    let again = crate::formats::load(
        Some(&config),
        std::slice::from_ref(&file),
        &crate::catalogs::all(),
    )
    .unwrap();
    assert!(write(&again.scenarios[0], &proposal(), &config).unwrap());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
    let again = crate::formats::load(Some(&config), &[file], &crate::catalogs::all()).unwrap();
    assert!(again.is_valid(), "{:?}", again.diagnostics);
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 2, "no temporary file is left");
}

#[test]
fn nothing_caught_leaves_the_file_alone() {
    let mut p = proposal();
    p.caught.clear();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("driftdrill.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let file = dir.path().join("sg-ssh.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let loaded = crate::formats::load(
        Some(&config),
        std::slice::from_ref(&file),
        &crate::catalogs::all(),
    )
    .unwrap();
    assert!(!write(&loaded.scenarios[0], &p, &config).unwrap());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), SCENARIO);
}
