//! Live progress of a run: a line per drill on a terminal, plain log lines otherwise (or
//! nothing). Drills report their phase here; nothing here knows about drills or the runner.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// Live progress: a line per drill on a terminal, plain log lines otherwise (or nothing).
pub struct Progress {
    started: Instant,
    quiet: bool,
    bars: Option<(
        MultiProgress,
        std::collections::BTreeMap<String, ProgressBar>,
    )>,
}

impl Progress {
    /// One line per drill label (a scenario id, with `@environment/region` when the run has
    /// environments).
    pub fn new(labels: &[String]) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress {
                started: Instant::now(),
                quiet: false,
                bars: None,
            };
        }
        let multi = MultiProgress::new();
        let style = ProgressStyle::with_template("{spinner} {prefix:<36} {msg:<28} {elapsed}")
            .expect("valid template");
        let bars = labels
            .iter()
            .map(|label| {
                let bar = multi.add(
                    ProgressBar::new_spinner()
                        .with_style(style.clone())
                        .with_prefix(label.clone()),
                );
                bar.set_message("queued");
                bar.enable_steady_tick(std::time::Duration::from_millis(200));
                (label.clone(), bar)
            })
            .collect();
        Progress {
            started: Instant::now(),
            quiet: false,
            bars: Some((multi, bars)),
        }
    }

    /// Reports nothing (benchmarks, embedding).
    pub(crate) fn quiet() -> Progress {
        Progress {
            started: Instant::now(),
            quiet: true,
            bars: None,
        }
    }

    pub(crate) fn phase(&self, scenario: &str, phase: &str) {
        match &self.bars {
            Some((_, bars)) => {
                if let Some(bar) = bars.get(scenario) {
                    if phase == "done" {
                        bar.finish_with_message("done");
                    } else {
                        bar.set_message(phase.to_string());
                    }
                }
            }
            None if self.quiet => {}
            // A closed stderr (`driftdrill run 2>&1 | head`) must not stop a drill mid-change.
            None => {
                let _ = writeln!(
                    std::io::stderr(),
                    "[{:>7.1}s] {scenario}: {phase}",
                    self.started.elapsed().as_secs_f64()
                );
            }
        }
    }

    pub fn finish(&self) {
        if let Some((_, bars)) = &self.bars {
            bars.values().for_each(|b| b.finish());
        }
    }
}
