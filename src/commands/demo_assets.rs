//! What the demo carries inside the binary so it runs from any folder: the built-in scenarios
//! (every `scenarios/**/*.toml` at build time, listed by build.rs) and the shipped Cloud
//! Custodian policies (`detectors/custodian/`).

use std::path::Path;

/// A file of the demo's that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("write {}", path.display())]
pub(crate) struct AssetError {
    path: std::path::PathBuf,
    #[source]
    source: std::io::Error,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AssetError {
    let path = path.to_path_buf();
    move |source| AssetError { path, source }
}

/// Every file under `scenarios/` at build time, as (path relative to it, contents).
pub(crate) const BUILTIN_SCENARIOS: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_scenarios.rs"));

/// The shipped Cloud Custodian policies the demo's custodian detector runs.
const CUSTODIAN_POLICIES: &[(&str, &str)] = &[
    (
        "network.yml",
        include_str!("../../detectors/custodian/network.yml"),
    ),
    (
        "storage.yml",
        include_str!("../../detectors/custodian/storage.yml"),
    ),
    (
        "instances.yml",
        include_str!("../../detectors/custodian/instances.yml"),
    ),
    ("iam.yml", include_str!("../../detectors/custodian/iam.yml")),
    (
        "platform.yml",
        include_str!("../../detectors/custodian/platform.yml"),
    ),
];

/// The shipped Cloud Custodian policies with actions: the demo's remediating detector runs them.
const REMEDIATION_POLICIES: &[(&str, &str)] = &[(
    "remediate/sg-ssh-self-healing.yml",
    include_str!("../../detectors/custodian/remediate/sg-ssh-self-healing.yml"),
)];

fn write_all(dir: &Path, files: &[(&str, &str)]) -> Result<(), AssetError> {
    for (relative, text) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    Ok(())
}

/// Writes the built-in scenarios under `dir`: the scenario files, not the checkout's sample
/// config (its paths name the checkout; the demo writes a config of its own).
pub(crate) fn write_builtin_scenarios(dir: &Path) -> Result<(), AssetError> {
    let scenarios: Vec<(&str, &str)> = BUILTIN_SCENARIOS
        .iter()
        .copied()
        .filter(|(path, _)| *path != crate::formats::load::CONFIG_NAME)
        .collect();
    write_all(dir, &scenarios)
}

/// Writes the Cloud Custodian policies into `dir` (the demo folder's `custodian/`) and returns
/// them as `policy` lists of a config in the demo folder: the detecting ones, and the ones with
/// actions.
pub(crate) fn write_custodian_policies(dir: &Path) -> Result<(String, String), AssetError> {
    write_all(dir, CUSTODIAN_POLICIES)?;
    write_all(dir, REMEDIATION_POLICIES)?;
    let list = |files: &[(&str, &str)]| {
        files
            .iter()
            .map(|(name, _)| format!("\"custodian/{name}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok((list(CUSTODIAN_POLICIES), list(REMEDIATION_POLICIES)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(root: &Path, ext: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == ext) {
                    out.push(path.strip_prefix(root).unwrap().display().to_string());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn the_binary_carries_every_scenario_file_and_they_validate() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let on_disk = walk(&root, "toml");
        let carried: Vec<&str> = BUILTIN_SCENARIOS.iter().map(|(p, _)| *p).collect();
        assert_eq!(carried, on_disk);
        // Written where a checkout would have them: the sample config's paths resolve.
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("scenarios");
        write_builtin_scenarios(&dir).unwrap();
        let (_, config) = BUILTIN_SCENARIOS
            .iter()
            .find(|(p, _)| *p == crate::formats::load::CONFIG_NAME)
            .expect("the sample config is carried");
        std::fs::write(dir.join("driftdrill.toml"), config).unwrap();
        std::fs::create_dir_all(root.path().join("localstack/terraform")).unwrap();
        std::fs::create_dir_all(root.path().join("localstack/terraform-selfheal")).unwrap();
        write_custodian_policies(&root.path().join("detectors/custodian")).unwrap();
        let loaded =
            crate::formats::load::load(None, std::slice::from_ref(&dir), &crate::catalogs::all())
                .unwrap();
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let scenario_files = on_disk.iter().filter(|p| !p.ends_with("driftdrill.toml"));
        assert_eq!(loaded.scenarios.len(), scenario_files.count());
    }

    #[test]
    fn the_binary_carries_every_shipped_custodian_policy() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("detectors/custodian");
        let all = CUSTODIAN_POLICIES.iter().chain(REMEDIATION_POLICIES);
        let carried: Vec<&str> = all.map(|(p, _)| *p).collect();
        let mut carried: Vec<String> = carried.iter().map(|s| s.to_string()).collect();
        carried.sort();
        assert_eq!(carried, walk(&root, "yml"));
    }
}
