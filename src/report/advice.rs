//! Gap advice: the next step for an expectation that was not met, in words.

use super::text::{human, one_line};
use crate::record::{ExpectationRecord, Outcome};

/// The next step for an expectation that was not met, following its real cause: a detector
/// that failed is told to be fixed, never to be "wired"; one slower than its window is told
/// its poll time against the window. `poll_secs` is the detector's median poll in that run.
pub(crate) fn next_step(action: &str, e: &ExpectationRecord, poll_secs: Option<f64>) -> String {
    let error = one_line(e.last_error.as_deref().unwrap_or("see the run log"));
    match e.outcome {
        Outcome::Missed if e.errors == 0 && e.polls > 0 && action.ends_with(".attach_policy") => {
            let exclusive = if action.starts_with("iam.user.") {
                "aws_iam_user_policy_attachments_exclusive"
            } else {
                "aws_iam_role_policy_attachments_exclusive"
            };
            format!(
                "{} ran {} time(s) after the change without naming it: terraform does not see a managed policy attached out of band unless it manages the attachments exclusively (hashicorp/terraform#27992); declare {exclusive} for this {}, or add a policy-engine detector (Cloud Custodian, AWS Config)",
                e.detector,
                e.polls,
                if action.starts_with("iam.user.") {
                    "user"
                } else {
                    "role"
                }
            )
        }
        Outcome::Missed
            if e.errors == 0 && e.polls > 0 && action == "iam.user.put_inline_policy" =>
        {
            format!(
                "{} ran {} time(s) after the change without naming it: terraform does not see an inline policy written on a user out of band unless it manages the user's inline policies exclusively; declare aws_iam_user_policies_exclusive for this user, or add a policy-engine detector (Cloud Custodian, AWS Config)",
                e.detector, e.polls
            )
        }
        Outcome::DetectorError => format!("fix the detector: {error}"),
        Outcome::Missed if e.errors > 0 => format!(
            "fix the detector first ({} of {} polls failed: {error}); its other polls did not name the resource",
            e.errors, e.polls
        ),
        Outcome::Missed if e.polls > 0 => format!(
            "{} ran {} time(s) after the change without naming the resource: check that it covers this resource and attribute (ignore_changes, lifecycle rules, filters)",
            e.detector, e.polls
        ),
        Outcome::Missed => format!(
            "nothing from {} named the resource: check that the alert path is wired and posts resource ids",
            e.detector
        ),
        Outcome::DetectedLate => format!(
            "{} needed {:.0}s against an SLA of {:.0}s: run it more often or relax the SLA",
            e.detector,
            e.mttd_secs.unwrap_or(0.0),
            e.sla_secs
        ),
        Outcome::NotObserved => "the run was interrupted before the detector could answer".into(),
        Outcome::BaselineDirty => {
            "the resource already drifted before the drill: fix the standing drift first".into()
        }
        Outcome::Leaked => format!(
            "{} reported a change it should suppress: check the ignore rule or alert filter",
            e.detector
        ),
        Outcome::Inconclusive => {
            let window = human(e.window_secs.unwrap_or(e.sla_secs));
            match poll_secs {
                Some(p) => format!(
                    "polls take {}; a {window} window holds no complete poll after the change: widen the window or speed up the detector",
                    human(p)
                ),
                None => format!(
                    "no poll of {} finished after the change, even with the {window} window stretched to the drift's lifetime: widen the window (or the lifetime) or speed up the detector",
                    e.detector
                ),
            }
        }
        Outcome::DetectedWithinSla | Outcome::Suppressed => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Role;

    #[test]
    fn an_unseen_iam_attachment_names_the_exclusive_resource() {
        let e = ExpectationRecord {
            detector: "terraform-plan".into(),
            role: Role::Detector,
            silent: false,
            sla_secs: 900.0,
            outcome: Outcome::Missed,
            detected_at: None,
            mttd_secs: None,
            bracket_secs: None,
            evidence: None,
            polls: 4,
            errors: 0,
            last_error: None,
            clear: None,
            window_secs: Some(1800.0),
            stretched_secs: None,
        };
        let role = next_step("iam.role.attach_policy", &e, None);
        assert!(
            role.contains("aws_iam_role_policy_attachments_exclusive"),
            "{role}"
        );
        assert!(role.contains("policy-engine detector"), "{role}");
        let user = next_step("iam.user.attach_policy", &e, None);
        assert!(
            user.contains("aws_iam_user_policy_attachments_exclusive"),
            "{user}"
        );
        let inline = next_step("iam.user.put_inline_policy", &e, None);
        assert!(
            inline.contains("aws_iam_user_policies_exclusive"),
            "{inline}"
        );
        let other = next_step("ec2.instance.termination_protection", &e, None);
        assert!(other.contains("ignore_changes"), "{other}");
    }

    #[test]
    fn an_inconclusive_window_names_the_poll_time_against_the_window() {
        let e = ExpectationRecord {
            detector: "terraform-plan".into(),
            role: Role::Detector,
            silent: true,
            sla_secs: 45.0,
            outcome: Outcome::Inconclusive,
            detected_at: None,
            mttd_secs: None,
            bracket_secs: None,
            evidence: None,
            polls: 0,
            errors: 0,
            last_error: None,
            clear: None,
            window_secs: Some(45.0),
            stretched_secs: Some(40.0),
        };
        assert_eq!(
            next_step("ec2.sg.open_ingress", &e, Some(25.2)),
            "polls take 25s; a 45s window holds no complete poll after the change: widen the window or speed up the detector"
        );
        assert!(next_step("ec2.sg.open_ingress", &e, None).contains("speed up the detector"));
    }
}
