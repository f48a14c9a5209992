//! Renders diagnostics as caret excerpts for people and as JSON for editors and CI.

use serde::Serialize;

use super::{Diagnostic, SourceMap};

/// `error[code]: message`, the `--> file:line:col` line, the source line with carets, the hint.
pub fn text(map: &SourceMap, diag: &Diagnostic) -> String {
    text_as(map, diag, "error")
}

/// [`text`] with another severity (`warning`).
pub(crate) fn text_as(map: &SourceMap, diag: &Diagnostic, severity: &str) -> String {
    let start = map.line_col(diag.file, diag.span.start);
    let end = map.line_col(diag.file, diag.span.end.max(diag.span.start));
    let line = map.line_text(diag.file, start.line);
    let width = if end.line == start.line {
        (end.column - start.column).max(1)
    } else {
        1
    };
    let gutter = start.line.to_string().len();
    let pad = " ".repeat(gutter);
    let mut out = format!(
        "{severity}[{}]: {}\n{pad}--> {}:{}:{}\n{pad} |\n{} | {}\n{pad} | {}{}\n",
        diag.code,
        diag.message,
        map.path(diag.file).display(),
        start.line,
        start.column,
        start.line,
        line,
        " ".repeat(start.column - 1),
        "^".repeat(width)
    );
    if let Some(hint) = &diag.hint {
        out.push_str(&format!("{pad} = hint: {hint}\n"));
    }
    out
}

/// Every diagnostic as text, then a one-line count.
pub(crate) fn text_all(map: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&text(map, d));
        out.push('\n');
    }
    out
}

/// The JSON form of one diagnostic (schema documented in the README).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub severity: &'static str,
    pub code: &'static str,
    pub message: &'a str,
    pub hint: Option<&'a str>,
}

pub fn json<'a>(map: &'a SourceMap, diags: &'a [Diagnostic]) -> Vec<JsonDiagnostic<'a>> {
    json_as(map, diags, "error")
}

/// [`json`] with another severity (`warning`).
pub(crate) fn json_as<'a>(
    map: &'a SourceMap,
    diags: &'a [Diagnostic],
    severity: &'static str,
) -> Vec<JsonDiagnostic<'a>> {
    diags
        .iter()
        .map(|d| {
            let start = map.line_col(d.file, d.span.start);
            let end = map.line_col(d.file, d.span.end);
            JsonDiagnostic {
                file: map.path(d.file).display().to_string(),
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                severity,
                code: d.code,
                message: &d.message,
                hint: d.hint.as_deref(),
            }
        })
        .collect()
}
