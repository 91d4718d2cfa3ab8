//! The time an asynchronous test may take: [`get_async_test_timeout`].

use std::time::Duration;

/// The environment variable that sets the default test timeout, in
/// seconds (fractions allowed), as in Tornado.
pub const ASYNC_TEST_TIMEOUT_VAR: &str = "ASYNC_TEST_TIMEOUT";

/// The timeout used when [`ASYNC_TEST_TIMEOUT_VAR`] is unset or not a
/// number: 5 seconds.
pub const DEFAULT_ASYNC_TEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The default timeout of an asynchronous test (Tornado's
/// `get_async_test_timeout`): the `ASYNC_TEST_TIMEOUT` environment
/// variable, a number of seconds such as `10` or `0.5`, read at each call.
///
/// Unset, empty, not a number, negative or NaN: 5 seconds. `inf`: no limit
/// in practice ([`Duration::MAX`]).
pub fn get_async_test_timeout() -> Duration {
    let value = std::env::var(ASYNC_TEST_TIMEOUT_VAR).ok();
    parse_timeout(value.as_deref()).unwrap_or(DEFAULT_ASYNC_TEST_TIMEOUT)
}

/// Reads a number of seconds as Python's `float()` accepts it (surrounding
/// whitespace allowed); `None` for anything that is not a usable duration.
fn parse_timeout(value: Option<&str>) -> Option<Duration> {
    let seconds: f64 = value?.trim().parse().ok()?;
    if seconds == f64::INFINITY {
        return Some(Duration::MAX);
    }
    Duration::try_from_secs_f64(seconds).ok()
}

/// Writes `duration` as a number of seconds, as Tornado's messages do
/// (`5`, `0.1`, `2.5`).
pub(super) fn format_seconds(duration: Duration) -> String {
    if duration == Duration::MAX {
        "inf".to_owned()
    } else {
        duration.as_secs_f64().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_fractional_seconds() {
        assert_eq!(parse_timeout(Some("10")), Some(Duration::from_secs(10)));
        assert_eq!(
            parse_timeout(Some("0.25")),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse_timeout(Some(" 1.5\n")),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_timeout(Some("1e-3")), Some(Duration::from_millis(1)));
        assert_eq!(parse_timeout(Some("0")), Some(Duration::ZERO));
    }

    #[test]
    fn unusable_values_fall_back() {
        for value in [
            None,
            Some(""),
            Some("five"),
            Some("-1"),
            Some("NaN"),
            Some("1s"),
        ] {
            assert_eq!(parse_timeout(value), None, "{value:?}");
        }
    }

    #[test]
    fn infinity_is_no_limit() {
        assert_eq!(parse_timeout(Some("inf")), Some(Duration::MAX));
        assert_eq!(format_seconds(Duration::MAX), "inf");
    }

    #[test]
    fn seconds_are_written_like_python_floats() {
        assert_eq!(format_seconds(Duration::from_secs(5)), "5");
        assert_eq!(format_seconds(Duration::from_millis(100)), "0.1");
        assert_eq!(format_seconds(Duration::from_millis(2500)), "2.5");
    }
}
