use std::time::Duration;

use tokio::time::Instant;

/// The error every timed operation in supercell returns when its time runs
/// out: `run_sync`, `with_timeout`, lock and queue waits, and the network
/// layers above. It is Tornado's `tornado.util.TimeoutError` (which
/// `tornado.gen.TimeoutError` aliases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("Timeout")]
pub struct TimeoutError;

/// When a timed wait gives up: either a relative [`Duration`] (Tornado's
/// `timedelta`) counted from the moment the wait begins, or an absolute
/// [`Instant`] on tokio's monotonic clock (Tornado's deadline in
/// `IOLoop.time()` units).
///
/// Every API taking a timeout accepts `impl Into<Deadline>`, so both a
/// `Duration` and an `Instant` can be passed directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Give up this long after the wait starts.
    After(Duration),
    /// Give up at this instant.
    At(Instant),
}

impl Deadline {
    /// The absolute instant this deadline falls on, resolving a relative
    /// deadline against tokio's current time (which honours paused time in
    /// tests).
    pub fn instant(self) -> Instant {
        match self {
            Deadline::After(d) => Instant::now().checked_add(d).unwrap_or_else(far_future),
            Deadline::At(at) => at,
        }
    }
}

/// An instant so far ahead that it never arrives in practice (about 30
/// years), used when a relative deadline would overflow the clock.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400 * 365 * 30)
}

impl From<Duration> for Deadline {
    fn from(d: Duration) -> Self {
        Deadline::After(d)
    }
}

impl From<Instant> for Deadline {
    fn from(at: Instant) -> Self {
        Deadline::At(at)
    }
}

impl From<std::time::Instant> for Deadline {
    fn from(at: std::time::Instant) -> Self {
        Deadline::At(Instant::from_std(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn relative_deadline_counts_from_now() {
        let start = Instant::now();
        let d = Deadline::from(Duration::from_secs(3));
        assert_eq!(d.instant(), start + Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn absolute_deadline_is_kept() {
        let at = Instant::now() + Duration::from_millis(5);
        assert_eq!(Deadline::from(at).instant(), at);
    }

    #[tokio::test(start_paused = true)]
    async fn huge_relative_deadline_does_not_overflow() {
        let d = Deadline::from(Duration::MAX);
        assert!(d.instant() > Instant::now() + Duration::from_secs(86_400));
    }

    #[test]
    fn timeout_error_displays_like_tornado() {
        assert_eq!(TimeoutError.to_string(), "Timeout");
    }
}
