//! The texts of every loaded file, so byte spans can become line:column and excerpts.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileId(pub usize);

#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<(PathBuf, String)>,
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceMap {
    pub fn add(&mut self, path: impl Into<PathBuf>, text: String) -> FileId {
        self.files.push((path.into(), text));
        FileId(self.files.len() - 1)
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.files[id.0].0
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.files[id.0].1
    }

    /// Line and column of a byte offset (clamped to the text, snapped to a char boundary).
    pub(crate) fn line_col(&self, id: FileId, offset: usize) -> LineCol {
        let text = self.text(id);
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        LineCol {
            line,
            column: text[line_start..offset].chars().count() + 1,
        }
    }

    /// The full text of a 1-based line, without its newline.
    pub(crate) fn line_text(&self, id: FileId, line: usize) -> &str {
        self.text(id)
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let mut map = SourceMap::default();
        let id = map.add("a.toml", "a = 1\nbé = \"x\"\n".into());
        assert_eq!(map.line_col(id, 0), LineCol { line: 1, column: 1 });
        assert_eq!(map.line_col(id, 6), LineCol { line: 2, column: 1 });
        assert_eq!(map.line_col(id, 10), LineCol { line: 2, column: 4 });
        assert_eq!(map.line_text(id, 2), "bé = \"x\"");
    }
}
