//! The `Date` header of responses (RFC 9110 §6.6.1), formatted at most once
//! a second per thread.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

use http::HeaderValue;

use crate::httputil::format_timestamp;

thread_local! {
    static CACHED: RefCell<(u64, HeaderValue)> =
        const { RefCell::new((u64::MAX, HeaderValue::from_static(""))) };
}

/// The current time as an IMF-fixdate `Date` value
/// (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub(super) fn now() -> HeaderValue {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    CACHED.with(|cached| {
        let mut cached = cached.borrow_mut();
        if cached.0 != secs {
            *cached = (secs, format(secs));
        }
        cached.1.clone()
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
}
