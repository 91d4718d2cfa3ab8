//! Exit statuses as Python's return codes.

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

/// Python's `returncode` for a finished process: its exit code, or the
/// negated number of the signal that killed it.
pub fn returncode(status: ExitStatus) -> i32 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => -signal,
        // A finished process either exited or was killed; a stopped one
        // (only reported when asked for) keeps its raw status.
        (None, None) => status.into_raw(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_and_signals() {
        // Raw wait statuses: exit code in the second byte, signal in the
        // low seven bits.
        assert_eq!(returncode(ExitStatus::from_raw(0)), 0);
        assert_eq!(returncode(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(
            returncode(ExitStatus::from_raw(libc::SIGTERM)),
            -libc::SIGTERM
        );
        assert_eq!(returncode(ExitStatus::from_raw(libc::SIGKILL)), -9);
    }
}
