//! `driftdrill tf-cli-config`: a terraform CLI config that installs providers from the local
//! mirror (printed, or written to a file).

use std::path::{Path, PathBuf};

use crate::errors::{CommandResult, Failure};
use crate::exit_codes;
use crate::terraform::mirror;

#[derive(Debug, thiserror::Error)]
pub(crate) enum TfCliConfigError {
    #[error("find a terraform provider mirror: set {env} or put one in one of: {searched}")]
    NoMirror { env: &'static str, searched: String },
    #[error("write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub fn run(out: Option<PathBuf>) -> CommandResult {
    let found = mirror::find().ok_or_else(|| {
        Failure::new(
            exit_codes::TOOL_ERROR,
            TfCliConfigError::NoMirror {
                env: mirror::MIRROR_ENV,
                searched: mirror::DEFAULT_SEARCH.join(", "),
            },
        )
    })?;
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| {
            Failure::new(
                exit_codes::TOOL_ERROR,
                TfCliConfigError::Write { path, source },
            )
        }
    };
    match out {
        Some(path) => {
            mirror::write_cli_config(&path).map_err(failed(&path))?;
            eprintln!("wrote {} (mirror {})", path.display(), found.display());
        }
        None => {
            let cache = std::env::temp_dir().join("driftdrill-plugin-cache");
            std::fs::create_dir_all(&cache).map_err(failed(&cache))?;
            print!("{}", mirror::cli_config(&found, &cache));
        }
    }
    Ok(exit_codes::OK)
}
