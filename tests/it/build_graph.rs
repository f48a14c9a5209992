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
