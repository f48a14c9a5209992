//! Diagnostics for user files: every problem with file, line, column, caret excerpt and hint.

pub(crate) mod located;
pub mod reader;
mod reader_nested;
pub mod render;
pub mod source;
pub(crate) mod suggest;

pub use reader::Located;
pub use reader::{Sink, TableReader};
pub use source::FileId;
pub use source::SourceMap;

use std::ops::Range;

use serde::Serialize;

/// One problem found in a user's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: FileId,
    /// Byte range in the file's text.
    pub span: Range<usize>,
    /// Stable kebab-case code, e.g. `unknown-key`, for editors and docs.
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(
        file: FileId,
        span: Range<usize>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file,
            span,
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}
