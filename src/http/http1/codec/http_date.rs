//! [`HttpDate`]: a `Date` field value of fixed size.

use std::fmt;

use crate::httputil::format_timestamp;

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7),
/// the `Date` a server puts on its responses: 29 ASCII bytes held by
/// value, so that a head is written with it in one piece of fixed size and
/// it is passed around without a reference count. (Aligned as a word,
/// so that it is copied in aligned pieces.)
///
/// ```
/// use supercell::http1::codec::HttpDate;
///
/// let date = HttpDate::from_unix_secs(784_111_777);
/// assert_eq!(date.as_str(), "Sun, 06 Nov 1994 08:49:37 GMT");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(align(8))]
pub struct HttpDate([u8; 29]);

impl HttpDate {
    /// The Unix epoch, `Thu, 01 Jan 1970 00:00:00 GMT`.
    pub const UNIX_EPOCH: HttpDate = HttpDate(*b"Thu, 01 Jan 1970 00:00:00 GMT");

    /// The date `secs` seconds after the Unix epoch (clamped to the years
    /// 1–9999, as [`format_timestamp`] does).
    pub fn from_unix_secs(secs: i64) -> HttpDate {
        let text = format_timestamp(secs);
        // Always 29 bytes within the clamped years.
        HttpDate(text.as_bytes().try_into().unwrap_or(HttpDate::UNIX_EPOCH.0))
    }

    /// The date's bytes.
    pub fn as_bytes(&self) -> &[u8; 29] {
        &self.0
    }

    /// The date as text.
    pub fn as_str(&self) -> &str {
        // Made only by `from_unix_secs`, of ASCII text.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for HttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_at_the_ends_of_the_range_keep_their_fixed_size() {
        assert_eq!(HttpDate::from_unix_secs(0), HttpDate::UNIX_EPOCH);
        assert_eq!(
            HttpDate::UNIX_EPOCH.as_str(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        for secs in [i64::MIN, -1, 253_402_300_799, i64::MAX] {
            let date = HttpDate::from_unix_secs(secs);
            assert!(date.as_str().ends_with(" GMT"), "{date}");
            assert_eq!(date.as_str(), format_timestamp(secs), "{secs}");
        }
    }
}
