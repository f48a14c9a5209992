//! Reads a spanned TOML table field by field, recording every problem instead of stopping at the
//! first, and reports the keys nobody asked for as unknown (with a suggestion).

use std::cell::RefCell;
use std::ops::Range;
use std::time::Duration;

use toml::de::{DeTable, DeValue};

pub use super::located::Located;
use super::{Diagnostic, FileId, suggest};

pub(super) const TABLE: &str = "{ ... }";

/// How messages name a file's top-level table.
pub(crate) const TOP_LEVEL: &str = "the top level";

/// Where diagnostics collect while a file is read.
pub type Sink = RefCell<Vec<Diagnostic>>;

pub(super) type Value<'i> = toml::Spanned<DeValue<'i>>;

/// A reader over one table. Call the typed getters for every key the table may have, then
/// [`TableReader::finish`] to report the rest as unknown.
pub struct TableReader<'a, 'i> {
    pub(super) sink: &'a Sink,
    pub(super) file: FileId,
    pub(super) table: &'a DeTable<'i>,
    pub(super) span: Range<usize>,
    /// How messages name this table, e.g. `[inject]` or `[[detector]] "tf"`.
    pub(super) name: String,
    pub(super) requested: Vec<String>,
}

impl<'a, 'i> TableReader<'a, 'i> {
    pub fn new(
        sink: &'a Sink,
        file: FileId,
        table: &'a DeTable<'i>,
        span: Range<usize>,
        name: impl Into<String>,
    ) -> Self {
        TableReader {
            sink,
            file,
            table,
            span,
            name: name.into(),
            requested: Vec::new(),
        }
    }

    pub fn file(&self) -> FileId {
        self.file
    }

    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Records a diagnostic.
    pub fn report(&self, diag: Diagnostic) {
        self.sink.borrow_mut().push(diag);
    }

    /// Records a diagnostic at a span of this file.
    pub fn error(
        &self,
        span: Range<usize>,
        code: &'static str,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let mut d = Diagnostic::new(self.file, span, code, message);
        d.hint = hint;
        self.report(d);
    }

    /// True if the key is present (and marks it as known).
    pub fn has(&mut self, key: &str) -> bool {
        self.requested.push(key.to_string());
        self.get(key).is_some()
    }

    /// The span of a key's value, if present (does not mark the key as known).
    pub(crate) fn value_span(&self, key: &str) -> Option<Range<usize>> {
        self.get(key).map(|v| v.span())
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Value<'i>> {
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    pub(super) fn take(
        &mut self,
        key: &str,
        required: bool,
        expected: &str,
    ) -> Option<&'a Value<'i>> {
        self.requested.push(key.to_string());
        let value = self.get(key);
        if value.is_none() && required {
            let hint = if expected == TABLE {
                format!("add a [{}] table", self.child_name(key))
            } else {
                format!("add `{key} = {expected}`")
            };
            self.error(
                self.span.clone(),
                "missing-key",
                format!("missing `{key}` in {}", self.name),
                Some(hint),
            );
        }
        value
    }

    pub(super) fn mismatch(&self, key: &str, value: &Value<'i>, expected: &str) {
        self.error(
            value.span(),
            "wrong-type",
            format!(
                "`{key}` in {} must be {expected}, found {}",
                self.name,
                type_name(value.get_ref())
            ),
            None,
        );
    }

    fn string_inner(&mut self, key: &str, required: bool) -> Option<Located<String>> {
        let v = self.take(key, required, "\"...\"")?;
        match v.get_ref() {
            DeValue::String(s) => Some(Located::new(s.to_string(), self.file, v.span())),
            _ => {
                self.mismatch(key, v, "a string");
                None
            }
        }
    }

    pub fn string(&mut self, key: &str) -> Option<Located<String>> {
        self.string_inner(key, true)
    }

    pub(crate) fn opt_string(&mut self, key: &str) -> Option<Located<String>> {
        self.string_inner(key, false)
    }

    /// A string that must be one of `choices`.
    pub fn choice(
        &mut self,
        key: &str,
        choices: &[&str],
        required: bool,
    ) -> Option<Located<String>> {
        let s = self.string_inner(key, required)?;
        if choices.contains(&s.value.as_str()) {
            Some(s)
        } else {
            let (_, span) = s.at.clone().unwrap_or((self.file, 0..0));
            self.error(
                span,
                "invalid-value",
                format!("`{key}` in {} cannot be {:?}", self.name, s.value),
                Some(suggest::hint(&s.value, choices)),
            );
            None
        }
    }

    fn integer_inner(
        &mut self,
        key: &str,
        range: Range<i64>,
        required: bool,
    ) -> Option<Located<i64>> {
        let v = self.take(key, required, &range.start.to_string())?;
        let n = match v.get_ref() {
            DeValue::Integer(i) => {
                i64::from_str_radix(i.as_str().replace('_', "").as_str(), i.radix()).ok()
            }
            _ => {
                self.mismatch(key, v, "an integer");
                return None;
            }
        };
        match n {
            Some(n) if range.contains(&n) => Some(Located::new(n, self.file, v.span())),
            _ => {
                self.error(
                    v.span(),
                    "out-of-range",
                    format!(
                        "`{key}` in {} must be between {} and {}",
                        self.name,
                        range.start,
                        range.end - 1
                    ),
                    None,
                );
                None
            }
        }
    }

    /// An integer in `range` (end exclusive).
    pub(crate) fn integer(&mut self, key: &str, range: Range<i64>) -> Option<Located<i64>> {
        self.integer_inner(key, range, true)
    }

    pub(crate) fn opt_integer(&mut self, key: &str, range: Range<i64>) -> Option<Located<i64>> {
        self.integer_inner(key, range, false)
    }

    fn bool_inner(&mut self, key: &str, required: bool) -> Option<Located<bool>> {
        let v = self.take(key, required, "true")?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(Located::new(*b, self.file, v.span())),
            _ => {
                self.mismatch(key, v, "true or false");
                None
            }
        }
    }

    pub fn bool(&mut self, key: &str) -> Option<Located<bool>> {
        self.bool_inner(key, true)
    }

    pub(crate) fn opt_bool(&mut self, key: &str) -> Option<Located<bool>> {
        self.bool_inner(key, false)
    }

    fn duration_inner(&mut self, key: &str, required: bool) -> Option<Located<Duration>> {
        let s = self.string_inner(key, required)?;
        let (_, span) = s.at.clone().unwrap_or((self.file, 0..0));
        match parse_duration(&s.value) {
            Ok(d) => Some(Located::new(d, self.file, span)),
            Err(problem) => {
                self.error(
                    span,
                    "invalid-duration",
                    format!("`{key}` in {}: {problem}", self.name),
                    Some("write a positive duration such as \"90s\", \"15m\" or \"1h 30m\"".into()),
                );
                None
            }
        }
    }

    /// A humantime duration string (e.g. "15m"), positive.
    pub fn duration(&mut self, key: &str) -> Option<Located<Duration>> {
        self.duration_inner(key, true)
    }

    pub(crate) fn opt_duration(&mut self, key: &str) -> Option<Located<Duration>> {
        self.duration_inner(key, false)
    }

    /// The raw value of a key (marks it as known), for readers that dispatch on its type.
    pub fn raw(&mut self, key: &str) -> Option<&'a Value<'i>> {
        self.requested.push(key.to_string());
        self.get(key)
    }

    pub(super) fn child_name(&self, key: &str) -> String {
        let parent = self.name.trim_start_matches('[').trim_end_matches(']');
        if parent.is_empty() || self.name == TOP_LEVEL {
            key.to_string()
        } else {
            format!("{parent}.{key}")
        }
    }

    /// Marks every key as known, e.g. when the keys' meaning is unknown (an unknown action) and
    /// listing them all as unknown would only add noise.
    pub(crate) fn accept_rest(&mut self) {
        let keys: Vec<String> = self
            .table
            .iter()
            .map(|(k, _)| k.get_ref().to_string())
            .collect();
        self.requested.extend(keys);
    }

    /// Every key a getter asked for, once each, in the order first asked (a reader may look at
    /// a key twice, e.g. to see its type before reading it).
    fn known_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::new();
        for key in &self.requested {
            if !keys.contains(&key.as_str()) {
                keys.push(key);
            }
        }
        keys
    }

    /// Reports every key that no getter asked for, with a "did you mean" suggestion.
    pub fn finish(&self) {
        for (key, _) in self.table.iter() {
            let k = key.get_ref().as_ref();
            if !self.requested.iter().any(|r| r == k) {
                self.error(
                    key.span(),
                    "unknown-key",
                    format!("unknown key `{k}` in {}", self.name),
                    Some(suggest::hint(k, &self.known_keys())),
                );
            }
        }
    }
}

/// Parses a humantime duration, rejecting negative and zero durations with a clear reason.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if trimmed.starts_with('-') {
        return Err(format!("{text:?} is negative; durations must be positive"));
    }
    match humantime::parse_duration(trimmed) {
        Ok(d) if d.is_zero() => Err(format!("{text:?} is zero; durations must be positive")),
        Ok(d) => Ok(d),
        Err(e) => Err(format!("{text:?} is not a duration ({e})")),
    }
}

pub(super) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, f: impl FnOnce(&mut TableReader)) -> Vec<Diagnostic> {
        let doc = DeTable::parse(text).unwrap();
        let sink = Sink::default();
        let mut r = TableReader::new(&sink, FileId(0), doc.get_ref(), doc.span(), TOP_LEVEL);
        f(&mut r);
        r.finish();
        sink.into_inner()
    }

    #[test]
    fn collects_every_problem() {
        let diags = read(
            "port = 70000\nname = 3\nextra = true\nwait = \"-5m\"\n",
            |r| {
                assert!(r.integer("port", 0..65536).is_none());
                assert!(r.string("name").is_none());
                assert!(r.string("missing").is_none());
                assert!(r.duration("wait").is_none());
            },
        );
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                "out-of-range",
                "wrong-type",
                "missing-key",
                "invalid-duration",
                "unknown-key"
            ]
        );
    }

    #[test]
    fn durations_must_be_positive() {
        assert!(parse_duration("15m").is_ok());
        assert!(parse_duration("-1s").unwrap_err().contains("negative"));
        assert!(parse_duration("0s").unwrap_err().contains("zero"));
        assert!(
            parse_duration("soon")
                .unwrap_err()
                .contains("not a duration")
        );
    }
}
