//! [`format_timestamp`] and [`parse_http_date`]: dates as HTTP writes
//! and reads them.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Timelike, Utc};

/// The first and last second an IMF-fixdate can show (years 0001–9999).
const FIRST: i64 = -62_135_596_800;
const LAST: i64 = 253_402_300_799;

/// A point in time to the second, from any of the representations
/// [`format_timestamp`] accepts: a [`SystemTime`], Unix seconds (`i64`,
/// `u64` or `f64`, like Python's `time.time()`), or a chrono date-time (a
/// naive one is taken as UTC). Fractions of a second are dropped (rounding
/// towards the past).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    secs: i64,
}

impl Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    pub fn unix_seconds(self) -> i64 {
        self.secs
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Timestamp {
        let secs = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => {
                let before = before.duration();
                let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                0_i64
                    .saturating_sub(whole)
                    .saturating_sub(i64::from(before.subsec_nanos() > 0))
            }
        };
        Timestamp { secs }
    }
}

impl From<i64> for Timestamp {
    fn from(secs: i64) -> Timestamp {
        Timestamp { secs }
    }
}

impl From<u64> for Timestamp {
    fn from(secs: u64) -> Timestamp {
        Timestamp {
            secs: i64::try_from(secs).unwrap_or(i64::MAX),
        }
    }
}

impl From<f64> for Timestamp {
    /// NaN counts as the epoch; infinities as the far past or future.
    fn from(secs: f64) -> Timestamp {
        // `as` saturates, and maps NaN to 0.
        Timestamp {
            secs: secs.floor() as i64,
        }
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for Timestamp {
    fn from(time: DateTime<Tz>) -> Timestamp {
        Timestamp {
            secs: time.timestamp(),
        }
    }
}

impl From<NaiveDateTime> for Timestamp {
    fn from(time: NaiveDateTime) -> Timestamp {
        Timestamp::from(time.and_utc())
    }
}

/// Formats a time as HTTP dates are written, the IMF-fixdate of RFC 9110
/// (Tornado's `format_timestamp`): `Sun, 27 Jan 2013 18:43:20 GMT`.
///
/// Times outside the years 0001–9999, which the format cannot show, are
/// clamped to the nearest one it can.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use supercell::httputil::format_timestamp;
///
/// let expected = "Sun, 27 Jan 2013 18:43:20 GMT";
/// assert_eq!(format_timestamp(UNIX_EPOCH + Duration::from_secs(1_359_312_200)), expected);
/// assert_eq!(format_timestamp(1_359_312_200_i64), expected);
/// assert_eq!(format_timestamp(1_359_312_200.503611), expected);
/// ```
pub fn format_timestamp(time: impl Into<Timestamp>) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = time.into().secs.clamp(FIRST, LAST);
    // Every clamped second is in chrono's range.
    let time = DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default();
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[time.weekday().num_days_from_monday() as usize],
        time.day(),
        MONTHS[time.month0() as usize],
        time.year(),
        time.hour(),
        time.minute(),
        time.second(),
    )
}

/// Reads an HTTP date (as `If-Modified-Since` carries one): the
/// IMF-fixdate of RFC 9110 (`Sun, 06 Nov 1994 08:49:37 GMT`) and the
/// other forms of RFC 5322 with a numeric zone, and the two obsolete forms
/// recipients must still accept, RFC 850 (`Sunday, 06-Nov-94 08:49:37
/// GMT`) and asctime (`Sun Nov  6 08:49:37 1994`). `None` for anything
/// else. Dates before 1970 are read too (some clients send one to defeat
/// caches).
///
/// ```
/// use supercell::httputil::{format_timestamp, parse_http_date};
///
/// let date = parse_http_date("Sun, 27 Jan 2013 18:43:20 GMT").unwrap();
/// assert_eq!(date.unix_seconds(), 1_359_312_200);
/// assert_eq!(parse_http_date(&format_timestamp(date)), Some(date));
/// assert_eq!(parse_http_date("Sunday, 27-Jan-13 18:43:20 GMT"), Some(date));
/// assert_eq!(parse_http_date("Sun Jan 27 18:43:20 2013"), Some(date));
/// assert_eq!(parse_http_date("yesterday"), None);
/// ```
pub fn parse_http_date(value: &str) -> Option<Timestamp> {
    let value = value.trim();
    if let Ok(time) = DateTime::parse_from_rfc2822(value) {
        return Some(Timestamp::from(time));
    }
    // RFC 850's two-digit years: 69 to 99 are read as 1969 to 1999, 00
    // to 68 as 2000 to 2068.
    if let Ok(time) = NaiveDateTime::parse_from_str(value, "%A, %d-%b-%y %H:%M:%S GMT") {
        return Some(Timestamp::from(time));
    }
    NaiveDateTime::parse_from_str(value, "%a %b %e %H:%M:%S %Y")
        .ok()
        .map(Timestamp::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn before_the_epoch_rounds_to_the_past() {
        let time = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(Timestamp::from(time).unix_seconds(), -1);
        assert_eq!(format_timestamp(time), "Wed, 31 Dec 1969 23:59:59 GMT");
        assert_eq!(format_timestamp(-0.5), "Wed, 31 Dec 1969 23:59:59 GMT");
    }

    #[test]
    fn out_of_range_is_clamped() {
        assert_eq!(format_timestamp(i64::MIN), "Mon, 01 Jan 0001 00:00:00 GMT");
        assert_eq!(format_timestamp(u64::MAX), "Fri, 31 Dec 9999 23:59:59 GMT");
        assert_eq!(
            format_timestamp(f64::INFINITY),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
        assert_eq!(format_timestamp(f64::NAN), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn http_dates_are_read_in_every_form() {
        let read = |text| parse_http_date(text).map(Timestamp::unix_seconds);
        assert_eq!(read("Fri, 01 Jan 1960 00:00:00 GMT"), Some(-315_619_200));
        assert_eq!(read("  Thu, 01 Jan 1970 00:00:00 GMT "), Some(0));
        assert_eq!(read("Thu, 01 Jan 1970 01:00:00 +0100"), Some(0));
        assert_eq!(read("Thursday, 01-Jan-70 00:00:00 GMT"), Some(0));
        assert_eq!(read("Thu Jan  1 00:00:00 1970"), Some(0));
        for junk in [
            "",
            "0",
            "Thu, 32 Jan 1970 00:00:00 GMT",
            "1970-01-01T00:00:00Z",
        ] {
            assert_eq!(read(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn leap_day() {
        assert_eq!(
            format_timestamp(951_782_400_i64),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
    }
}
