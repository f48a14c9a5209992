//! `driftdrill permissions`: the least-privilege IAM policy (JSON) the selected drills need,
//! from what each action declares in its catalog entry. Never calls AWS.

use std::path::PathBuf;

use crate::errors::CommandResult;
use crate::exit_codes;
use crate::run::runner::{self, RunOptions};

pub fn run(config: Option<PathBuf>, paths: Vec<PathBuf>, only: Vec<String>) -> CommandResult {
    let (config, scenarios) = runner::load(&RunOptions {
        config,
        paths,
        only,
        ..Default::default()
    })
    .map_err(super::run::failure)?;
    let policy = crate::permissions::policy(&config, &scenarios);
    println!(
        "{}",
        serde_json::to_string_pretty(&policy).expect("policy serialises")
    );
    // The policy is for the identity drills run as; who starts them may need more.
    let roles: Vec<&str> = config
        .environments
        .iter()
        .filter_map(|e| e.role_arn.as_deref())
        .collect();
    if !roles.is_empty() {
        eprintln!(
            "attach this to the role of every environment ({}); the identity running driftdrill needs sts:AssumeRole on them",
            roles.join(", ")
        );
    }
    eprintln!(
        "detectors and channels run with their own credentials (an sqs channel with driftdrill's: sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility, sqs:GetQueueAttributes); `run --out s3://...` needs s3:PutObject on the records prefix"
    );
    Ok(exit_codes::OK)
}
