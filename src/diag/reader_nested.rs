//! The `TableReader` getters for nested values: arrays of strings, sub-tables, arrays of
//! tables and string maps. Scalars are in `reader.rs`.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::Located;
use super::reader::{TABLE, TableReader, Value};

impl<'a, 'i> TableReader<'a, 'i> {
    fn array(&mut self, key: &str, required: bool) -> Option<&'a [Value<'i>]> {
        let v = self.take(key, required, "[...]")?;
        match v.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                self.mismatch(key, v, "an array");
                None
            }
        }
    }

    fn strings_inner(&mut self, key: &str, required: bool) -> Option<Vec<Located<String>>> {
        let items = self.array(key, required)?;
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            match item.get_ref() {
                DeValue::String(s) => out.push(Located::new(s.to_string(), self.file, item.span())),
                _ => {
                    self.mismatch(key, item, "an array of strings");
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    pub fn strings(&mut self, key: &str) -> Option<Vec<Located<String>>> {
        self.strings_inner(key, true)
    }

    pub(crate) fn opt_strings(&mut self, key: &str) -> Option<Vec<Located<String>>> {
        self.strings_inner(key, false)
    }

    fn table_value(
        &mut self,
        key: &str,
        required: bool,
    ) -> Option<(&'a DeTable<'i>, Range<usize>)> {
        let v = self.take(key, required, TABLE)?;
        match v.get_ref() {
            DeValue::Table(t) => Some((t, v.span())),
            _ => {
                self.mismatch(key, v, "a table");
                None
            }
        }
    }

    /// A sub-table, read by the returned reader (call its `finish` too).
    pub fn table(&mut self, key: &str, required: bool) -> Option<TableReader<'a, 'i>> {
        let (t, span) = self.table_value(key, required)?;
        Some(TableReader::new(
            self.sink,
            self.file,
            t,
            span,
            format!("[{}]", self.child_name(key)),
        ))
    }

    /// An array of tables (`[[key]]`), one reader per entry.
    pub fn tables(&mut self, key: &str) -> Vec<TableReader<'a, 'i>> {
        let Some(items) = self.array(key, false) else {
            return Vec::new();
        };
        let name = self.child_name(key);
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(t) => out.push(TableReader::new(
                    self.sink,
                    self.file,
                    t,
                    item.span(),
                    format!("[[{name}]] #{}", i + 1),
                )),
                _ => self.mismatch(key, item, "an array of tables"),
            }
        }
        out
    }

    /// A table of string values, e.g. `tags = { Team = "x" }`.
    pub(crate) fn opt_string_map(
        &mut self,
        key: &str,
    ) -> Option<Located<BTreeMap<String, String>>> {
        let (t, span) = self.table_value(key, false)?;
        let mut out = BTreeMap::new();
        for (k, v) in t.iter() {
            match v.get_ref() {
                DeValue::String(s) => {
                    out.insert(k.get_ref().to_string(), s.to_string());
                }
                _ => self.mismatch(&format!("{key}.{}", k.get_ref()), v, "a string"),
            }
        }
        Some(Located::new(out, self.file, span))
    }

    /// A table whose values are a string or an array of strings, e.g. allowed tag values.
    pub(crate) fn opt_string_set_map(
        &mut self,
        key: &str,
    ) -> Option<Located<BTreeMap<String, Vec<String>>>> {
        let (t, span) = self.table_value(key, false)?;
        let mut out = BTreeMap::new();
        for (k, v) in t.iter() {
            let values = match v.get_ref() {
                DeValue::String(s) => vec![s.to_string()],
                DeValue::Array(items) if items.iter().all(|i| i.get_ref().is_str()) => items
                    .iter()
                    .filter_map(|i| i.get_ref().as_str().map(String::from))
                    .collect(),
                _ => {
                    self.mismatch(
                        &format!("{key}.{}", k.get_ref()),
                        v,
                        "a string or an array of strings",
                    );
                    continue;
                }
            };
            out.insert(k.get_ref().to_string(), values);
        }
        Some(Located::new(out, self.file, span))
    }
}
