//! Report periods: calendar quarters (`2026-Q4`) or explicit `--since/--until` dates.

use crate::record::{DrillRecord, DrillStatus, RunRecord};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

/// A period that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("read the quarter {text:?}: it {why}")]
    Quarter { text: String, why: &'static str },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub label: String,
    pub start: DateTime<Utc>,
    /// Exclusive.
    pub end: DateTime<Utc>,
}

fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(
        &NaiveDate::from_ymd_opt(y, m, d)
            .expect("valid date")
            .and_hms_opt(0, 0, 0)
            .expect("midnight"),
    )
}

impl Period {
    pub(crate) fn quarter(year: i32, q: u32) -> Period {
        let start = day(year, (q - 1) * 3 + 1, 1);
        let end = if q == 4 {
            day(year + 1, 1, 1)
        } else {
            day(year, q * 3 + 1, 1)
        };
        Period {
            label: format!("{year}-Q{q}"),
            start,
            end,
        }
    }

    /// Parses `2026-Q4`.
    pub fn parse_quarter(text: &str) -> Result<Period, PeriodError> {
        let bad = |why: &'static str| PeriodError::Quarter {
            text: text.to_string(),
            why,
        };
        let (y, q) = text
            .split_once("-Q")
            .or_else(|| text.split_once("-q"))
            .ok_or_else(|| bad("is not a quarter like 2026-Q4"))?;
        let year: i32 = y.parse().map_err(|_| bad("has no valid year"))?;
        match q.parse::<u32>() {
            Ok(q @ 1..=4) => Ok(Period::quarter(year, q)),
            _ => Err(bad("names no quarter: it must be Q1 to Q4")),
        }
    }

    pub fn containing(t: DateTime<Utc>) -> Period {
        Period::quarter(t.year(), (t.month() - 1) / 3 + 1)
    }

    /// The quarter before this one (for `--since/--until` periods: the same length before).
    pub(crate) fn previous(&self) -> Period {
        if let Some((y, q)) = self
            .label
            .split_once("-Q")
            .and_then(|(y, q)| Some((y.parse::<i32>().ok()?, q.parse::<u32>().ok()?)))
        {
            return if q == 1 {
                Period::quarter(y - 1, 4)
            } else {
                Period::quarter(y, q - 1)
            };
        }
        let len = self.end - self.start;
        Period {
            label: format!(
                "{} to {}",
                (self.start - len).date_naive(),
                self.start.date_naive()
            ),
            start: self.start - len,
            end: self.start,
        }
    }

    /// `--since A --until B` (inclusive dates).
    pub(crate) fn between(since: NaiveDate, until: NaiveDate) -> Period {
        let start = day(since.year(), since.month(), since.day());
        let end = day(until.year(), until.month(), until.day()) + chrono::Duration::days(1);
        Period {
            label: format!("{since} to {until}"),
            start,
            end,
        }
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}

/// The records of runs that started in `period`.
/// The runs that count in `period`: every run that started in it except discovery runs, which
/// watched without expectations and are never coverage.
pub(super) fn in_period<'a>(records: &'a [RunRecord], period: &Period) -> Vec<&'a RunRecord> {
    records
        .iter()
        .filter(|r| period.contains(r.started_at) && !r.discovery)
        .collect()
}

/// Discovery runs that started in `period` (reported apart, never counted).
pub(super) fn discoveries(records: &[RunRecord], period: &Period) -> usize {
    records
        .iter()
        .filter(|r| period.contains(r.started_at) && r.discovery)
        .count()
}

/// Whether a drill counts towards coverage: it ran, or was skipped because its target had
/// already drifted.
pub(super) fn completed(d: &DrillRecord) -> bool {
    matches!(
        d.status,
        DrillStatus::Completed | DrillStatus::SkippedBaselineDirty
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_and_step_back() {
        let q = Period::parse_quarter("2026-Q1").unwrap();
        assert_eq!(q.start, day(2026, 1, 1));
        assert_eq!(q.end, day(2026, 4, 1));
        assert_eq!(q.previous().label, "2025-Q4");
        assert!(Period::parse_quarter("2026-Q5").is_err());
        assert_eq!(Period::containing(day(2026, 11, 22)).label, "2026-Q4");
    }
}
