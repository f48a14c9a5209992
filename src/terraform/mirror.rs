//! Finds the local `hashicorp/aws` provider mirror and writes the terraform CLI config that uses it.

use std::path::{Path, PathBuf};

/// Environment variable naming the filesystem mirror folder (the one that holds
/// `registry.terraform.io/hashicorp/aws/...`).
pub(crate) const MIRROR_ENV: &str = "DRIFTDRILL_TF_PLUGIN_MIRROR";

/// Folders searched, in order, when [`MIRROR_ENV`] is unset. `~` is the home folder.
pub(crate) const DEFAULT_SEARCH: &[&str] = &[
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt/terraform/plugins",
    "/opt/tf-plugins",
];

/// The mirror to use: [`MIRROR_ENV`] if set, else the first folder of [`DEFAULT_SEARCH`] that
/// holds an aws provider. `None` means no mirror: terraform will use the registry.
pub fn find() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(MIRROR_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    DEFAULT_SEARCH
        .iter()
        .filter_map(|p| match p.strip_prefix("~/") {
            Some(rest) => home.as_ref().map(|h| h.join(rest)),
            None => Some(PathBuf::from(p)),
        })
        .find(|dir| holds_aws_provider(dir))
}

/// True if `dir` is a filesystem mirror with at least one hashicorp/aws version.
pub(crate) fn holds_aws_provider(dir: &Path) -> bool {
    std::fs::read_dir(dir.join("registry.terraform.io/hashicorp/aws"))
        .is_ok_and(|mut d| d.next().is_some())
}

/// A CLI config that installs hashicorp providers from `mirror` only (never the network) and
/// shares a plugin cache so workspaces link rather than copy the provider.
pub fn cli_config(mirror: &Path, plugin_cache: &Path) -> String {
    format!(
        r#"# Written by driftdrill: install hashicorp providers from a local mirror, never the network.
plugin_cache_dir = "{cache}"

provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
  direct {{
    exclude = ["registry.terraform.io/hashicorp/*"]
  }}
}}
"#,
        cache = plugin_cache.display(),
        mirror = mirror.display()
    )
}

/// Writes the CLI config for the mirror [`find`] picks into `path` (creating the plugin cache
/// beside it) and returns the mirror used, or `None` (nothing written) when there is no mirror.
pub(crate) fn write_cli_config(path: &Path) -> std::io::Result<Option<PathBuf>> {
    let Some(mirror) = find() else {
        return Ok(None);
    };
    let parent = path.parent().unwrap_or(Path::new("."));
    let cache = parent.join("plugin-cache");
    std::fs::create_dir_all(&cache)?;
    std::fs::write(path, cli_config(&mirror, &cache))?;
    Ok(Some(mirror))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_names_the_mirror_and_excludes_direct_downloads() {
        let text = cli_config(Path::new("/m"), Path::new("/c"));
        assert!(text.contains(r#"path    = "/m""#));
        assert!(text.contains(r#"plugin_cache_dir = "/c""#));
        assert!(text.contains(r#"exclude = ["registry.terraform.io/hashicorp/*"]"#));
    }

    #[test]
    fn a_folder_without_the_provider_is_not_a_mirror() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!holds_aws_provider(dir.path()));
        std::fs::create_dir_all(
            dir.path()
                .join("registry.terraform.io/hashicorp/aws/5.100.0"),
        )
        .unwrap();
        assert!(holds_aws_provider(dir.path()));
    }
}
