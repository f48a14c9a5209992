//! Missing or explicit prerequisites give one clear message, not a panic or a hang.

use std::process::Command;

#[test]
fn tf_cli_config_uses_the_mirror_from_the_environment() {
    let mirror = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_driftdrill"))
        .arg("tf-cli-config")
        .env("DRIFTDRILL_TF_PLUGIN_MIRROR", mirror.path())
        .output()
        .expect("run driftdrill");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("path    = \"{}\"", mirror.path().display())),
        "{text}"
    );
}

#[test]
fn terraform_tests_fail_loudly_without_terraform_unless_skipped() {
    // Run this same test binary's terraform test with an empty PATH: it must fail and name the
    // opt-out variable; with the opt-out set it must pass (skipped with a message).
    let me = std::env::current_exe().unwrap();
    let run = |skip: bool| {
        let mut cmd = Command::new(&me);
        cmd.args([
            "terraform_env::",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .arg("terraform_env::sample_environment_applies_clean_and_detects_an_out_of_band_rule")
        .env("PATH", "/nonexistent")
        .env_remove("DRIFTDRILL_SKIP_TERRAFORM");
        if skip {
            cmd.env("DRIFTDRILL_SKIP_TERRAFORM", "1");
        }
        cmd.output().expect("run the test binary")
    };
    let failed = run(false);
    let stdout = String::from_utf8_lossy(&failed.stdout);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        !failed.status.success(),
        "the terraform test passed without terraform:\n{stdout}{stderr}"
    );
    assert!(
        format!("{stdout}{stderr}").contains("set DRIFTDRILL_SKIP_TERRAFORM=1"),
        "no clear message:\n{stdout}{stderr}"
    );
    let skipped = run(true);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&skipped.stdout),
        String::from_utf8_lossy(&skipped.stderr)
    );
    assert!(skipped.status.success(), "{all}");
    assert!(all.contains("skipped: terraform is not installed"), "{all}");
}

#[test]
fn the_demo_refuses_a_folder_it_did_not_create_and_deletes_nothing() {
    if !crate::fixture::terraform_available() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("notes.txt"), "mine").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_driftdrill"))
        .args(["demo", "--dir"])
        .arg(home.path())
        .output()
        .expect("run driftdrill");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("was not created by `driftdrill demo`")
            && stderr.contains("nothing was deleted"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("starting LocalStack"),
        "refused before anything started: {stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(home.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn the_demo_checks_its_scenarios_path_before_starting_anything() {
    if !crate::fixture::terraform_available() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("demo");
    let out = Command::new(env!("CARGO_BIN_EXE_driftdrill"))
        .current_dir(root.path())
        .args(["demo", "--scenarios", "no-such-folder", "--dir"])
        .arg(&dir)
        .output()
        .expect("run driftdrill");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("find the scenarios in no-such-folder"),
        "{stderr}"
    );
    assert!(!stderr.contains("starting LocalStack"), "{stderr}");
    assert!(!dir.exists(), "nothing created before the check");
}

/// The Python environments driftdrill makes are usable by a person: their entry points name the
/// interpreter of the folder they live in (a venv built elsewhere and moved is not).
#[test]
fn the_venvs_driftdrill_makes_run_their_own_entry_points() {
    let out = Command::new(env!("CARGO_BIN_EXE_driftdrill"))
        .arg("custodian-env")
        .output()
        .expect("run driftdrill custodian-env");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let venv = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let custodian = Command::new(format!("{venv}/bin/custodian"))
        .arg("version")
        .output()
        .expect("run the venv's custodian");
    assert!(
        custodian.status.success(),
        "{venv}/bin/custodian version: {}",
        String::from_utf8_lossy(&custodian.stderr)
    );

    let venv = Command::new("bash")
        .args(["localstack/host.sh", "venv"])
        .output()
        .expect("run localstack/host.sh venv");
    assert!(
        venv.status.success(),
        "{}",
        String::from_utf8_lossy(&venv.stderr)
    );
    let venv = String::from_utf8_lossy(&venv.stdout).trim().to_string();
    let localstack = Command::new(format!("{venv}/bin/localstack"))
        .arg("--version")
        .output()
        .expect("run the venv's localstack");
    assert!(
        String::from_utf8_lossy(&localstack.stdout).contains("4.12.0"),
        "{venv}/bin/localstack --version: {}{}",
        String::from_utf8_lossy(&localstack.stdout),
        String::from_utf8_lossy(&localstack.stderr)
    );
}
