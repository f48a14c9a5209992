//! `Located<T>`: a value read from a user's file with the place it was written.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{Diagnostic, FileId};

/// A value with the place it was written, so later checks (duplicates, references between files)
/// can point at it. Serialises as the bare value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Located<T> {
    pub value: T,
    #[serde(skip)]
    pub at: Option<(FileId, Range<usize>)>,
}

impl<T> Located<T> {
    pub fn new(value: T, file: FileId, span: Range<usize>) -> Self {
        Located {
            value,
            at: Some((file, span)),
        }
    }

    /// A diagnostic pointing at this value (or at nothing, for a bare value).
    pub fn diag(&self, code: &'static str, message: impl Into<String>) -> Diagnostic {
        let (file, span) = self.at.clone().unwrap_or((FileId(0), 0..0));
        Diagnostic::new(file, span, code, message)
    }
}

/// Equality is the value's: where it was written does not matter.
impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Located<T> {}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}
