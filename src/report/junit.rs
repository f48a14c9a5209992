//! The report as JUnit XML: one test case per scenario × expectation, failing on a miss or a
//! late detection, time = MTTD, so CI systems show drills like tests.

use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

use super::model::Report;
use crate::record::{Outcome, RemediationOutcome};

pub fn render(r: &Report) -> String {
    let mut report = JReport::new(format!("driftdrill {}", r.period));
    let mut suites: std::collections::BTreeMap<&str, TestSuite> = std::collections::BTreeMap::new();
    for c in &r.cases {
        let status = match c.outcome {
            Outcome::DetectedWithinSla | Outcome::Suppressed => TestCaseStatus::success(),
            Outcome::Leaked => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!(
                    "leaked: {} had to stay silent for {}s and named the resource",
                    c.detector, c.sla_secs
                ));
                if let Some(e) = &c.evidence {
                    s.set_description(e.clone());
                }
                s
            }
            Outcome::DetectedLate | Outcome::Missed => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("{}: SLA {}s", c.result, c.sla_secs));
                if let Some(e) = &c.evidence {
                    s.set_description(e.clone());
                }
                s
            }
            Outcome::DetectorError | Outcome::NotObserved => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(c.outcome.label());
                s
            }
            Outcome::BaselineDirty => {
                let mut s = TestCaseStatus::skipped();
                s.set_message("baseline dirty: the resource had drifted before the drill");
                s
            }
            Outcome::Inconclusive => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(
                    "inconclusive: no poll that started after the change finished within the drift's lifetime",
                );
                s
            }
        };
        let name = if c.silent {
            format!("{} / {} (must stay silent)", c.scenario, c.detector)
        } else {
            format!("{} / {}", c.scenario, c.detector)
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(format!("driftdrill.{}", c.category));
        if let Some(m) = c.mttd_secs {
            case.set_time(std::time::Duration::from_secs_f64(m));
        }
        suites
            .entry(c.category.as_str())
            .or_insert_with(|| TestSuite::new(c.category.clone()))
            .add_test_case(case);
    }
    if let Some(suite) = remediation_suite(r) {
        suites.insert("remediation", suite);
    }
    report.add_test_suites(suites.into_values());
    report.to_string().expect("JUnit XML serialises")
}

/// One test case per drill that expected remediators: failing when the change was not
/// remediated (or late), an error when a remediator failed; a remediation nobody expected is
/// measured, not judged, and has no case.
fn remediation_suite(r: &Report) -> Option<TestSuite> {
    let mut suite = TestSuite::new("remediation");
    for m in r.remediations.iter().filter(|m| m.sla_secs.is_some()) {
        let in_time = matches!((m.mttr_secs, m.sla_secs), (Some(t), Some(s)) if t <= s);
        let status = match m.outcome {
            RemediationOutcome::Restored | RemediationOutcome::RemediatedDifferently if in_time => {
                TestCaseStatus::success()
            }
            RemediationOutcome::RemediatorError | RemediationOutcome::NotObserved => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(m.result.clone());
                s
            }
            RemediationOutcome::Inconclusive => {
                let mut s = TestCaseStatus::skipped();
                s.set_message("inconclusive: no read of the target succeeded");
                s
            }
            _ => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("{}: SLA {}s", m.result, m.sla_secs.unwrap_or(0.0)));
                s
            }
        };
        let mut case = TestCase::new(
            format!("{} / remediated by {}", m.scenario, m.remediators),
            status,
        );
        case.set_classname("driftdrill.remediation");
        if let Some(t) = m.mttr_secs {
            case.set_time(std::time::Duration::from_secs_f64(t));
        }
        if let Some(d) = &m.difference {
            case.set_system_out(format!("remediated differently: {d}"));
        }
        suite.add_test_case(case);
    }
    (!suite.test_cases.is_empty()).then_some(suite)
}
