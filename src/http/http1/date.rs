//! The `Date` header of responses (RFC 9110 §6.6.1), formatted at most once
//! a second per thread.

use std::cell::RefCell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::HeaderValue;

use crate::httputil::format_timestamp;

/// The `Date` value of the current second, and the instant it ends.
struct Cached {
    until: Option<Instant>,
    value: HeaderValue,
}

thread_local! {
    static CACHED: RefCell<Cached> = const {
        RefCell::new(Cached {
            until: None,
            value: HeaderValue::from_static(""),
        })
    };
}

/// The current time as an IMF-fixdate `Date` value
/// (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub(super) fn now() -> HeaderValue {
    at(Instant::now())
}

/// The `Date` value at `now`, an instant read recently (when the input
/// a response answers arrived, or just now): the wall clock is read (and
/// the value formatted) once a second, when the second it was read in is
/// over; an earlier instant gets the value cached.
pub(super) fn at(now: Instant) -> HeaderValue {
    with_at(now, HeaderValue::clone)
}

/// Runs `f` with the `Date` value at `now` (see [`at`]), lent.
pub(super) fn with_at<R>(now: Instant, f: impl FnOnce(&HeaderValue) -> R) -> R {
    CACHED.with(|cached| {
        let mut cached = cached.borrow_mut();
        if cached.until.is_none_or(|until| now >= until) {
            let since_epoch = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let rest_of_second =
                Duration::from_nanos(u64::from(1_000_000_000 - since_epoch.subsec_nanos()));
            *cached = Cached {
                until: Some(now + rest_of_second),
                value: format(since_epoch.as_secs()),
            };
        }
        f(&cached.value)
    })
}

/// Formats `secs` after the epoch as an IMF-fixdate.
fn format(secs: u64) -> HeaderValue {
    let text = format_timestamp(i64::try_from(secs).unwrap_or(0));
    HeaderValue::from_maybe_shared(bytes::Bytes::from(text))
        .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_imf_fixdate() {
        assert_eq!(format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn now_is_a_current_date() {
        let value = now();
        let text = value.to_str().unwrap();
        assert!(text.ends_with(" GMT"), "{text}");
        assert_eq!(text.len(), 29, "{text}");
    }

    #[test]
    fn the_wall_clock_is_read_again_once_its_second_is_over() {
        let until = || CACHED.with(|cached| cached.borrow().until.unwrap());
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
