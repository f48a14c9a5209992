//! The README's two commands share one build: `cargo test` (which adds the dev-dependencies)
//! and `cargo run` (which does not) must resolve every crate they both use with the same
//! features, or the second command recompiles the SDKs for minutes. A dev-dependency that
//! turns on a feature of a shared crate must be matched in [dependencies] (see Cargo.toml).

use std::collections::BTreeMap;
use std::process::Command;

/// Crate → features, for the dependency graph with the given edge kinds.
fn graph(edges: &str) -> BTreeMap<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "--offline", "--locked", "--prefix", "none"])
        .args(["-e", edges, "-f", "{p}|{f}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (package, features) = l.trim_end_matches(" (*)").split_once('|')?;
            Some((package.trim().to_string(), features.trim().to_string()))
        })
        .collect()
}

#[test]
fn cargo_test_and_cargo_run_resolve_shared_crates_with_the_same_features() {
    let run = graph("normal,build");
    let test = graph("normal,build,dev");
    let forks: Vec<String> = run
        .iter()
        .filter_map(|(package, features)| {
            let with_dev = test.get(package)?;
            (with_dev != features)
                .then(|| format!("{package}: run [{features}] / test [{with_dev}]"))
        })
        .collect();
    assert!(
        run.len() > 100 && forks.is_empty(),
        "crates built twice, once per command (add the test features to [dependencies]):\n{}",
        forks.join("\n")
    );
}

/// The SDK crates in vendor/ (trimmed to the operations driftdrill calls, see
/// vendor/trim-sdk.py) are the ones built: a version bump in Cargo.toml that the vendored copy
/// does not match would silently bring back the full crates and minutes of build.
#[test]
fn the_trimmed_sdk_crates_in_vendor_are_the_ones_built() {
    let vendor = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor");
    let built = graph("normal");
    let mut vendored: Vec<String> = std::fs::read_dir(&vendor)
        .expect("read vendor/")
        .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
        .filter(|name| vendor.join(name).join("Cargo.toml").is_file())
        .collect();
    vendored.sort();
    let not_built: Vec<&String> = vendored
        .iter()
        .filter(|name| {
            !built.keys().any(|package| {
                package.starts_with(&format!("{name} v"))
                    && package.contains(&format!("vendor/{name})"))
            })
        })
        .collect();
    assert!(
        vendored.len() >= 8 && not_built.is_empty(),
        "vendored SDK crates not in the build (run python3 vendor/trim-sdk.py after a version \
         bump): {not_built:?} of {vendored:?}"
    );
}
