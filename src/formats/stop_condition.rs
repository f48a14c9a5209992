//! `[[stop_condition]]` entries, AWS FIS's safety lever: a command (a non-zero exit means stop)
//! or a CloudWatch alarm (state `ALARM` means stop), polled for the whole run. When one fires,
//! every drill in flight is reverted at once and no new drill starts.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::diag::{Located, TableReader};
use crate::vocab::catalog::{NamedPath, PathKind};

/// What a stop condition asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopCheck {
    /// A program and its arguments; it runs in the config's folder.
    Command {
        argv: Vec<String>,
        timeout: Duration,
    },
    /// A CloudWatch alarm, in `region` (default: the config's).
    Alarm {
        alarm_name: String,
        region: Option<String>,
    },
}

/// One `[[stop_condition]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopConditionDecl {
    pub name: Located<String>,
    pub check: StopCheck,
    /// How often it is asked while the run lasts.
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
}

impl StopConditionDecl {
    /// The command's program when it is named by a path (`./check.sh`): `validate` checks it
    /// lies on disk, resolved against the config's folder. A bare name is looked up on `PATH`.
    pub(super) fn program_path(&self) -> Option<NamedPath> {
        let StopCheck::Command { argv, .. } = &self.check else {
            return None;
        };
        argv[0].contains('/').then(|| NamedPath {
            key: "command",
            path: argv[0].clone().into(),
            kind: PathKind::Program,
        })
    }
}

/// Reads one `[[stop_condition]]` table; every problem goes to the reader's sink.
pub(super) fn read(r: &mut TableReader) -> Option<StopConditionDecl> {
    let name = r.string("name");
    if let Some(n) = &name {
        super::names::check_name(r, n, "stop condition");
    }
    let argv = r.opt_strings("command");
    let alarm = r.opt_string("alarm_name");
    let region = r
        .opt_string("region")
        .and_then(|g| super::names::check_region(r, g));
    let timeout = r.opt_duration("timeout").map(|t| t.value);
    let interval = r
        .opt_duration("interval")
        .map_or(Duration::from_secs(10), |i| i.value);
    r.finish();
    let check = match (argv, alarm) {
        (Some(argv), None) if !argv.is_empty() => StopCheck::Command {
            argv: argv.into_iter().map(|a| a.value).collect(),
            timeout: timeout.unwrap_or(Duration::from_secs(30)),
        },
        (None, Some(alarm)) => StopCheck::Alarm {
            alarm_name: alarm.value,
            region,
        },
        (Some(_), Some(_)) => {
            r.error(
                r.span(),
                "invalid-value",
                "a stop condition is either a `command` or an `alarm_name`, not both",
                Some("declare two [[stop_condition]] entries".into()),
            );
            return None;
        }
        (Some(_), None) | (None, None) => {
            r.error(
                r.span(),
                "missing-key",
                "a stop condition needs a `command` (exit non-zero means stop) or an `alarm_name` (state ALARM means stop)",
                Some("e.g. command = [\"./error-rate-ok.sh\"] or alarm_name = \"api-5xx-high\"".into()),
            );
            return None;
        }
    };
    Some(StopConditionDecl {
        name: name?,
        check,
        interval,
    })
}
