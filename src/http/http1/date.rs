//! The `Date` header of responses (RFC 9110 §6.6.1), formatted at most once
//! a second per thread.

use std::cell::Cell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::codec::HttpDate;

thread_local! {
    /// The `Date` of the current second, and the instant that second
    /// ends (`None`: nothing cached yet).
    static CACHED: Cell<(Option<Instant>, HttpDate)> =
        const { Cell::new((None, HttpDate::UNIX_EPOCH)) };
}

/// The current time as a `Date`.
pub(super) fn now() -> HttpDate {
    at(Instant::now())
}

/// The `Date` at `now`, an instant read recently (when the input a
/// response answers arrived, or just now): the wall clock is read (and
/// the date formatted) once a second, when the second it was read in is
/// over; an earlier instant gets the date cached.
#[inline]
pub(super) fn at(now: Instant) -> HttpDate {
    CACHED.with(|cached| {
        let (until, date) = cached.get();
        if until.is_some_and(|until| now < until) {
            return date;
        }
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let rest_of_second =
            Duration::from_nanos(u64::from(1_000_000_000 - since_epoch.subsec_nanos()));
        let date = HttpDate::from_unix_secs(i64::try_from(since_epoch.as_secs()).unwrap_or(0));
        cached.set((Some(now + rest_of_second), date));
        date
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_a_current_date() {
        let value = now();
        let text = value.as_str();
        assert!(text.ends_with(" GMT"), "{text}");
        assert_eq!(text.len(), 29, "{text}");
    }

    #[test]
    fn the_wall_clock_is_read_again_once_its_second_is_over() {
        let until = || CACHED.with(|cached| cached.get().0.unwrap());
        let start = Instant::now();
        let first = at(start);
        let first_until = until();
        assert!(first_until > start && first_until <= start + Duration::from_secs(1));
        assert_eq!(at(first_until - Duration::from_nanos(1)), first);
        assert_eq!(until(), first_until, "within its second: kept");
        at(first_until);
        assert!(until() > first_until, "its second over: read again");
    }
}
