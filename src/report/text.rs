//! How the report writes numbers and errors in every human format: durations, percentages,
//! poll counts, one-line errors.

/// An error as one line for a table cell: whitespace folded, at most 300 characters (the
/// record keeps the whole text).
pub(crate) fn one_line(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match folded.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &folded[..cut]),
        None => folded,
    }
}

/// Seconds as a short human duration: `42s`, `3m 05s`.
pub(crate) fn human(secs: f64) -> String {
    let s = secs.round() as u64;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    }
}

/// A window and how far it was stretched to wait for a complete poll: `45s`, or `45s +20s`.
pub(crate) fn window_text(window: f64, stretched: Option<f64>) -> String {
    match stretched {
        Some(s) => format!("{} +{}", human(window), human(s)),
        None => human(window),
    }
}

/// A duration that may be missing: [`human`], or `-` when there is none.
pub(crate) fn human_or_dash(secs: Option<f64>) -> String {
    secs.map_or("-".into(), human)
}

/// Polls with their failures: `12`, or `12 (4 failed)`.
pub(crate) fn polls_text(polls: u32, errors: u32) -> String {
    if errors > 0 {
        format!("{polls} ({errors} failed)")
    } else {
        polls.to_string()
    }
}

/// Coverage as text: `87.5%` or `-` when nothing was expected.
pub(crate) fn pct(p: Option<f64>) -> String {
    p.map_or("-".into(), |p| format!("{p:.1}%"))
}
