//! `driftdrill custodian-env`: makes the pinned Cloud Custodian environment and prints where.

use crate::detect::custodian_env;
use crate::errors::{CommandResult, Failure};
use crate::exit_codes;

#[derive(Debug, thiserror::Error)]
#[error("install Cloud Custodian")]
pub(crate) struct InstallError(#[source] custodian_env::CustodianEnvError);

pub fn run() -> CommandResult {
    let dir = custodian_env::ensure()
        .map_err(|e| Failure::new(exit_codes::TOOL_ERROR, InstallError(e)))?;
    println!("{}", dir.display());
    Ok(exit_codes::OK)
}
