//! Stop conditions: asked once before any drill starts (each must answer, and none may be
//! firing), then once per interval for the whole run. The first to fire stops the run through
//! the same signal as Ctrl-C: drills in flight stop observing and revert, no new drill starts.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::watch;

use crate::aws::AwsClients;
use crate::formats::stop_condition::{StopCheck, StopConditionDecl};
use crate::process;
use crate::record::StopRecord;

/// Why a stop condition could not be asked, or why the run may not start.
#[derive(Debug, thiserror::Error)]
pub enum StopError {
    #[error("ask stop condition {name}: run its command")]
    Command {
        name: String,
        #[source]
        source: process::ProcessError,
    },
    #[error("ask stop condition {name}: read the CloudWatch alarm {alarm}")]
    Alarm {
        name: String,
        alarm: String,
        #[source]
        source: crate::aws::AwsError,
    },
    #[error("find the CloudWatch alarm {alarm} of stop condition {name}: it does not exist")]
    NoAlarm { name: String, alarm: String },
    #[error("start while stop condition {name} is firing ({detail}); nothing was changed")]
    Firing { name: String, detail: String },
}

/// The stop conditions with what asking them needs.
#[derive(Clone)]
pub(crate) struct StopConditions {
    pub decls: Vec<StopConditionDecl>,
    pub dir: PathBuf,
    pub aws: AwsClients,
}

impl StopConditions {
    /// Asks every condition once: all must answer and none may be firing.
    pub(crate) async fn preflight(&self) -> Result<(), StopError> {
        for decl in &self.decls {
            if let Some(detail) = ask(decl, &self.dir, &self.aws).await? {
                return Err(StopError::Firing {
                    name: decl.name.value.clone(),
                    detail,
                });
            }
        }
        Ok(())
    }

    /// Asks each condition once per its interval until one fires (recorded, and the run
    /// stopped) or the task is aborted. A condition that cannot be asked is logged and asked
    /// again: it neither stops the run nor counts as clear.
    pub(crate) fn spawn(
        self,
        stop: watch::Sender<bool>,
        fired: Arc<Mutex<Option<StopRecord>>>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let this = Arc::new(self);
        (0..this.decls.len())
            .map(|i| {
                let (this, stop, fired) = (this.clone(), stop.clone(), fired.clone());
                tokio::spawn(async move { this.watch_one(i, stop, fired).await })
            })
            .collect()
    }

    async fn watch_one(
        &self,
        i: usize,
        stop: watch::Sender<bool>,
        fired: Arc<Mutex<Option<StopRecord>>>,
    ) {
        let decl = &self.decls[i];
        loop {
            tokio::time::sleep(decl.interval).await;
            if *stop.borrow() {
                return;
            }
            match ask(decl, &self.dir, &self.aws).await {
                Ok(None) => {}
                Ok(Some(detail)) => {
                    let mut first = fired.lock().expect("stop record lock");
                    if first.is_none() {
                        tracing::warn!(condition = %decl.name.value, %detail, "stop condition fired: reverting every drill");
                        *first = Some(StopRecord {
                            name: decl.name.value.clone(),
                            at: Utc::now(),
                            detail,
                        });
                    }
                    let _ = stop.send(true);
                    return;
                }
                Err(e) => {
                    let error = crate::errors::chain(&e);
                    tracing::warn!(condition = %decl.name.value, %error, "stop condition did not answer");
                }
            }
        }
    }
}

/// Asks one condition: `Some(why)` when it fires.
async fn ask(
    decl: &StopConditionDecl,
    dir: &Path,
    aws: &AwsClients,
) -> Result<Option<String>, StopError> {
    let name = decl.name.value.clone();
    match &decl.check {
        StopCheck::Command { argv, timeout } => {
            let program = process::program_path(dir, &argv[0]);
            let spec = process::Spec {
                program: &program,
                args: &argv[1..],
                dir: Some(dir),
                env: &[],
                unset: &[],
                timeout: *timeout,
            };
            let out = process::run(spec)
                .await
                .map_err(|source| StopError::Command { name, source })?;
            Ok((out.code != Some(0)).then(|| {
                let said = process::tail(&out.stderr, 3);
                let code = out.code.map_or("a signal".into(), |c| c.to_string());
                format!("{} exited with {code} {}", argv[0], said.trim())
                    .trim()
                    .to_string()
            }))
        }
        StopCheck::Alarm { alarm_name, region } => {
            alarm_state(aws, &name, alarm_name, region.as_deref()).await
        }
    }
}

/// `Some("alarm X is in ALARM: reason")` when the alarm is firing; an error when it does not
/// exist or cannot be read.
async fn alarm_state(
    aws: &AwsClients,
    name: &str,
    alarm: &str,
    region: Option<&str>,
) -> Result<Option<String>, StopError> {
    let mut conf = aws_sdk_cloudwatch::config::Builder::from(&aws.config);
    if let Some(region) = region {
        conf = conf.region(aws_sdk_cloudwatch::config::Region::new(region.to_string()));
    }
    let client = aws_sdk_cloudwatch::Client::from_conf(conf.build());
    let out = client
        .describe_alarms()
        .alarm_names(alarm)
        .send()
        .await
        .map_err(|e| StopError::Alarm {
            name: name.to_string(),
            alarm: alarm.to_string(),
            source: crate::aws::error("DescribeAlarms", alarm)(e),
        })?;
    let Some(found) = out
        .metric_alarms()
        .iter()
        .find(|a| a.alarm_name() == Some(alarm))
    else {
        return Err(StopError::NoAlarm {
            name: name.to_string(),
            alarm: alarm.to_string(),
        });
    };
    let firing = found.state_value() == Some(&aws_sdk_cloudwatch::types::StateValue::Alarm);
    Ok(firing.then(|| {
        let reason = found.state_reason().unwrap_or_default();
        format!("alarm {alarm} is in ALARM: {reason}")
            .trim_end_matches(": ")
            .to_string()
    }))
}
