//! A small JSON path: dotted keys with `[*]` (every element) and `[N]`, e.g.
//! `alerts[*].labels.resource_id`. Collects every string (and number) found.

use serde_json::Value;

/// Every scalar at `path` in `doc`, as strings.
pub fn select(doc: &Value, path: &str) -> Vec<String> {
    let mut current = vec![doc];
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (key, indexes) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !key.is_empty() {
            current = current.into_iter().filter_map(|v| v.get(key)).collect();
        }
        for index in indexes
            .split('[')
            .filter(|s| !s.is_empty())
            .map(|s| s.trim_end_matches(']'))
        {
            current = current
                .into_iter()
                .flat_map(|v| match (index, v) {
                    ("*", Value::Array(items)) => items.iter().collect::<Vec<_>>(),
                    (n, Value::Array(items)) => n
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| items.get(n))
                        .into_iter()
                        .collect(),
                    _ => Vec::new(),
                })
                .collect();
        }
    }
    let mut out = Vec::new();
    for v in current {
        collect_strings(v, &mut out);
    }
    out
}

/// Every string and number anywhere in `v`, depth first.
pub(crate) fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_through_arrays() {
        let doc = serde_json::json!({"alerts": [{"labels": {"id": "sg-1"}}, {"labels": {"id": "sg-2"}}], "n": [1, 2]});
        assert_eq!(select(&doc, "alerts[*].labels.id"), ["sg-1", "sg-2"]);
        assert_eq!(select(&doc, "alerts[1].labels"), ["sg-2"]);
        assert_eq!(select(&doc, "n"), ["1", "2"]);
        assert!(select(&doc, "missing.key").is_empty());
    }
}
