//! The remediation sections: time to remediate per remediator, what became of each drilled
//! change, and where the period's median times stand against the reference tiers.

use super::{Cell, Section, Tone, table};
use crate::record::RemediationOutcome;
use crate::report::model::Report;
use crate::report::remediation::{RemediationRow, tier_of};
use crate::report::text::{human, human_or_dash, pct};

/// The three sections, each left out when it has nothing to say.
pub(super) fn sections(r: &Report) -> Vec<Section> {
    [remediators(r), remediations(r), timeline(r), standing(r)]
        .into_iter()
        .flatten()
        .collect()
}

fn remediators(r: &Report) -> Option<Section> {
    let rows = r
        .remediators
        .iter()
        .map(|s| {
            vec![
                Cell::text(&s.name),
                Cell::text(s.expected.to_string()),
                Cell::text(s.within_sla.to_string()),
                Cell::text(s.late.to_string()),
                Cell::text(s.differently.to_string()),
                Cell::text(s.not_remediated.to_string()),
                Cell::text(s.errors.to_string()),
                Cell::text(s.inconclusive.to_string()),
                Cell::text(pct(s.coverage_pct)),
                Cell::text(human_or_dash(s.mttr.p50_secs)),
                Cell::text(human_or_dash(s.mttr.p95_secs)),
                Cell::text(human_or_dash(s.mttr.max_secs)),
            ]
        })
        .collect();
    table(
        "Time to remediate",
        &[
            ("remediator", false),
            ("expected", true),
            ("within SLA", true),
            ("late", true),
            ("differently", true),
            ("not remediated", true),
            ("errors", true),
            ("inconclusive", true),
            ("coverage", true),
            ("p50", true),
            ("p95", true),
            ("max", true),
        ],
        rows,
    )
}

fn remediations(r: &Report) -> Option<Section> {
    let rows = r
        .remediations
        .iter()
        .map(|m| {
            vec![
                Cell::text(&m.scenario),
                Cell::text(&m.remediators),
                Cell::toned(&m.result, tone(m)),
                Cell::text(bracket_text(m.bracket_secs)),
                Cell::text(human_or_dash(m.sla_secs)),
                Cell::text(m.difference.clone().unwrap_or_default()),
            ]
        })
        .collect();
    table(
        "Remediations",
        &[
            ("scenario", false),
            ("remediated by", false),
            ("result", false),
            ("between", true),
            ("SLA", true),
            ("differs from the snapshot", false),
        ],
        rows,
    )
}

/// How a remediation reads at a glance: in time and as it was is caught; late or different
/// is a warning; not remediated is a miss. An unexpected one is measured, not judged.
fn tone(m: &RemediationRow) -> Tone {
    let in_time = matches!((m.mttr_secs, m.sla_secs), (Some(t), Some(s)) if t <= s);
    match m.outcome {
        _ if m.sla_secs.is_none() => Tone::Absent,
        RemediationOutcome::Restored if in_time => Tone::Caught,
        RemediationOutcome::Restored | RemediationOutcome::RemediatedDifferently => Tone::Late,
        RemediationOutcome::NotRemediated => Tone::Missed,
        RemediationOutcome::RemediatorError => Tone::Error,
        RemediationOutcome::Inconclusive | RemediationOutcome::NotObserved => Tone::Inconclusive,
    }
}

/// Each completed drill, change to detection, alert, remediation and verified revert.
fn timeline(r: &Report) -> Option<Section> {
    let at = |x: &Option<(String, f64)>| {
        x.as_ref()
            .map_or("-".into(), |(by, t)| format!("{} ({by})", human(*t)))
    };
    let rows = r
        .timeline
        .iter()
        .map(|t| {
            vec![
                Cell::text(&t.scenario),
                Cell::text(at(&t.detected)),
                Cell::text(at(&t.alerted)),
                Cell::text(at(&t.remediated)),
                Cell::text(human_or_dash(t.reverted_secs)),
            ]
        })
        .collect();
    table(
        "Timeline (from the confirmed change)",
        &[
            ("scenario", false),
            ("detected", true),
            ("alerted", true),
            ("remediated", true),
            ("revert verified", true),
        ],
        rows,
    )
}

/// A polled time's bracket: `12s–15s`, or `-`.
fn bracket_text(bracket: Option<(f64, f64)>) -> String {
    bracket.map_or("-".into(), |(lo, hi)| {
        format!("{}–{}", human(lo), human(hi))
    })
}

/// The reference tiers and the period's medians, with the tier each median reaches; left out
/// when the period measured neither time.
fn standing(r: &Report) -> Option<Section> {
    let s = &r.standing;
    if s.mttd_p50_secs.is_none() && s.mttr_p50_secs.is_none() {
        return None;
    }
    let mut rows: Vec<Vec<Cell>> = s
        .tiers
        .iter()
        .map(|t| {
            vec![
                Cell::text(t.name),
                Cell::text(human(t.mttd_secs)),
                Cell::text(human(t.mttr_secs)),
            ]
        })
        .collect();
    let reached = |secs: Option<f64>, of: fn(&crate::report::remediation::Tier) -> f64| {
        secs.map_or("-".into(), |v| format!("{} ({})", human(v), tier_of(v, of)))
    };
    rows.push(vec![
        Cell::text("this period (median)"),
        Cell::text(reached(s.mttd_p50_secs, |t| t.mttd_secs)),
        Cell::text(reached(s.mttr_p50_secs, |t| t.mttr_secs)),
    ]);
    table(
        "Where you stand (reference tiers of drift handling)",
        &[
            ("tier", false),
            ("time to detect", true),
            ("time to remediate", true),
        ],
        rows,
    )
}
