//! The one table of process exit codes. Every command maps its outcome here; the README copies it.

/// Everything asked for happened: input valid, every expectation met, every revert verified.
pub const OK: i32 = 0;
/// driftdrill itself or the infrastructure it talks to failed (AWS error, detector crash, I/O).
pub const TOOL_ERROR: i32 = 1;
/// A config or scenario file is invalid; nothing was injected.
pub const INVALID_INPUT: i32 = 2;
/// A drill ran but a detection was missed or late.
pub(crate) const DETECTION_MISSED: i32 = 3;
/// A revert failed or could not be verified: drift may be left behind. Run `driftdrill recover`.
pub const REVERT_FAILED: i32 = 4;

/// Severity order used when one run has several outcomes: the most severe code wins.
pub(crate) fn most_severe(codes: impl IntoIterator<Item = i32>) -> i32 {
    codes.into_iter().max_by_key(|c| rank(*c)).unwrap_or(OK)
}

fn rank(code: i32) -> u8 {
    match code {
        OK => 0,
        DETECTION_MISSED => 1,
        INVALID_INPUT => 2,
        TOOL_ERROR => 3,
        REVERT_FAILED => 4,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revert_failure_outranks_everything() {
        assert_eq!(
            most_severe([OK, DETECTION_MISSED, TOOL_ERROR, REVERT_FAILED]),
            REVERT_FAILED
        );
        assert_eq!(most_severe([DETECTION_MISSED, OK]), DETECTION_MISSED);
        assert_eq!(most_severe([]), OK);
    }
}
