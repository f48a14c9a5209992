//! How a failure reaches the user: commands return a [`Failure`] (the exit code, the typed error
//! with its causes, any file diagnostics to show first); only `cli::main` prints it, through
//! [`render`]. `chain` flattens a cause chain into one line for records and tables.

use std::error::Error;

/// A command that could not do what it was asked.
#[derive(Debug)]
pub struct Failure {
    /// From `exit_codes`.
    pub code: i32,
    pub error: Box<dyn Error + Send + Sync + 'static>,
    /// Rendered `file:line:column` diagnostics, printed before the error.
    pub diagnostics: Option<String>,
}

impl Failure {
    pub fn new(code: i32, error: impl Into<Box<dyn Error + Send + Sync + 'static>>) -> Self {
        Failure {
            code,
            error: error.into(),
            diagnostics: None,
        }
    }

    pub(crate) fn with_diagnostics(mut self, text: String) -> Self {
        self.diagnostics = Some(text);
        self
    }
}

/// What a command returns: its exit code, or a failure for `cli::main` to print.
pub(crate) type CommandResult = Result<i32, Failure>;

/// `error: failed to <message>`, then every cause on its own line.
pub fn render(failure: &Failure) -> String {
    let mut text = failure.diagnostics.clone().unwrap_or_default();
    text.push_str(&format!("error: failed to {}\n", failure.error));
    let mut source = failure.error.source();
    while let Some(cause) = source {
        text.push_str(&format!("  caused by: {cause}\n"));
        source = cause.source();
    }
    text
}

/// `message: cause: cause ...` on one line.
pub fn chain(err: &(dyn Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("write {0}")]
    struct Outer(&'static str, #[source] std::io::Error);

    #[test]
    fn render_prints_diagnostics_then_the_error_and_every_cause() {
        let f = Failure::new(2, Outer("a.json", std::io::Error::other("disk full")))
            .with_diagnostics("a.toml:1:1: bad\n".into());
        assert_eq!(
            render(&f),
            "a.toml:1:1: bad\nerror: failed to write a.json\n  caused by: disk full\n"
        );
        assert_eq!(chain(f.error.as_ref()), "write a.json: disk full");
    }
}
