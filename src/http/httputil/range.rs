//! `Range` request headers (Tornado's `_parse_request_range` and
//! `_get_content_range`): [`parse_request_range`] reads one byte range,
//! [`RequestRange::resolve`] says what it asks of a resource of a given
//! size, and [`content_range`] writes the answer's `Content-Range`.

use std::ops::Range;

/// A single byte range of a `Range` header, as
/// [`parse_request_range`] reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestRange {
    /// `bytes=first-last` or `bytes=first-`: from byte `start`, up to byte
    /// `end` excluded (`last + 1`) when the last position is given.
    From {
        /// The first byte asked for.
        start: u64,
        /// One past the last byte asked for, if given.
        end: Option<u64>,
    },
    /// `bytes=-n`: the last `n` bytes (`n` may be 0, which no resource
    /// satisfies).
    Suffix(u64),
}

/// What a [`RequestRange`] asks of a resource of a known size.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RangeResponse {
    /// The whole resource, answered `200` (the range covers all of it:
    /// `bytes=0-` is answered so, as some clients expect).
    Full,
    /// These bytes of it, answered `206 Partial Content`; never empty.
    Partial(Range<u64>),
    /// Nothing: answered `416 Range Not Satisfiable` with
    /// `Content-Range: bytes */size`.
    Unsatisfiable,
}

/// Reads a `Range` header holding a single byte range (Tornado's
/// `_parse_request_range`); `None` for anything else, which a server
/// answers as if there were no `Range` header: another unit, several
/// ranges (`bytes=0-1,5-6`), a last position before the first, no
/// positions at all, or anything but decimal digits. The unit is
/// compared without case, and spaces around the unit, the positions and
/// the `=` are ignored. A lone first position (`bytes=26`) is read as
/// `bytes=26-`, as Tornado reads it. Positions too large for a `u64`
/// count as `u64::MAX`.
///
/// ```
/// use supercell::httputil::{RequestRange, parse_request_range};
///
/// assert_eq!(
///     parse_request_range("bytes=1-2"),
///     Some(RequestRange::From { start: 1, end: Some(3) })
/// );
/// assert_eq!(parse_request_range("bytes=6-"), Some(RequestRange::From { start: 6, end: None }));
/// assert_eq!(parse_request_range("bytes=-6"), Some(RequestRange::Suffix(6)));
/// assert_eq!(parse_request_range("bytes=1-2,6-10"), None);
/// assert_eq!(parse_request_range("foo=42"), None);
/// ```
pub fn parse_request_range(header: &str) -> Option<RequestRange> {
    let (unit, value) = header.split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return None;
    }
    let (first, last) = match value.split_once('-') {
        Some((first, last)) => (position(first)?, position(last)?),
        None => (Some(position(value)?)?, None),
    };
    match (first, last) {
        (Some(start), None) => Some(RequestRange::From { start, end: None }),
        (Some(start), Some(last)) if last >= start => Some(RequestRange::From {
            start,
            end: Some(last.saturating_add(1)),
        }),
        (None, Some(length)) => Some(RequestRange::Suffix(length)),
        _ => None,
    }
}

/// A position: `Some(None)` when blank, `None` when not decimal digits.
fn position(text: &str) -> Option<Option<u64>> {
    let text = text.trim_matches([' ', '\t']);
    if text.is_empty() {
        return Some(None);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = text.bytes().fold(0_u64, |value, digit| {
        value
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    });
    Some(Some(value))
}

impl RequestRange {
    /// What this range asks of a resource of `size` bytes, as Tornado's
    /// `StaticFileHandler` answers it: unsatisfiable when it starts at or
    /// past the end, or is a suffix of no bytes (or of an empty
    /// resource); a last position past the
    /// end is cut to the end, a suffix longer than the resource covers it
    /// all; a range covering every byte is the whole resource.
    ///
    /// ```
    /// use supercell::httputil::{RangeResponse, parse_request_range};
    ///
    /// let resolve = |header| parse_request_range(header).unwrap().resolve(26);
    /// assert_eq!(resolve("bytes=0-9"), RangeResponse::Partial(0..10));
    /// assert_eq!(resolve("bytes=-4"), RangeResponse::Partial(22..26));
    /// assert_eq!(resolve("bytes=1-10000000"), RangeResponse::Partial(1..26));
    /// assert_eq!(resolve("bytes=0-"), RangeResponse::Full);
    /// assert_eq!(resolve("bytes=26-"), RangeResponse::Unsatisfiable);
    /// assert_eq!(resolve("bytes=-0"), RangeResponse::Unsatisfiable);
    /// ```
    pub fn resolve(self, size: u64) -> RangeResponse {
        let range = match self {
            RequestRange::Suffix(0) => return RangeResponse::Unsatisfiable,
            RequestRange::Suffix(_) if size == 0 => return RangeResponse::Unsatisfiable,
            RequestRange::Suffix(length) => size.saturating_sub(length)..size,
            RequestRange::From { start, .. } if start >= size => {
                return RangeResponse::Unsatisfiable;
            }
            RequestRange::From { start, end } => start..end.map_or(size, |end| end.min(size)),
        };
        if range == (0..size) {
            RangeResponse::Full
        } else {
            RangeResponse::Partial(range)
        }
    }
}

/// The `Content-Range` of a partial response carrying `range` (not
/// empty) of a resource of `total` bytes (Tornado's `_get_content_range`, with an
/// end excluded as in a slice).
///
/// ```
/// use supercell::httputil::content_range;
///
/// assert_eq!(content_range(&(1..3), 4), "bytes 1-2/4");
/// assert_eq!(content_range(&(0..4), 4), "bytes 0-3/4");
/// ```
pub fn content_range(range: &Range<u64>, total: u64) -> String {
    let last = range.end.saturating_sub(1);
    format!("bytes {}-{last}/{total}", range.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tornado_doctests() {
        assert_eq!(
            parse_request_range("bytes=1-2"),
            Some(RequestRange::From {
                start: 1,
                end: Some(3)
            })
        );
        assert_eq!(
            parse_request_range("bytes=6-"),
            Some(RequestRange::From {
                start: 6,
                end: None
            })
        );
        assert_eq!(
            parse_request_range("bytes=-6"),
            Some(RequestRange::Suffix(6))
        );
        assert_eq!(
            parse_request_range("bytes=-0"),
            Some(RequestRange::Suffix(0))
        );
        assert_eq!(parse_request_range("foo=42"), None);
        assert_eq!(parse_request_range("bytes=1-2,6-10"), None);
        assert_eq!(content_range(&(0..1), 4), "bytes 0-0/4");
        assert_eq!(content_range(&(1..3), 4), "bytes 1-2/4");
        assert_eq!(content_range(&(0..4), 4), "bytes 0-3/4");
    }

    #[test]
    fn blank_and_malformed_ranges_are_ignored() {
        for header in [
            "bytes=",
            "bytes=-",
            "bytes",
            "asdf",
            "bytes=5-2",
            "bytes=+1-2",
            "bytes=1-2-3",
            "bytes=0x10-",
            "bytes=1 0-",
            "bytes=١-",
            "bytes=1-2, 3-4",
            "items=0-1",
        ] {
            assert_eq!(parse_request_range(header), None, "{header:?}");
        }
    }

    #[test]
    fn spacing_unit_case_and_lone_start() {
        assert_eq!(
            parse_request_range(" Bytes = 1 - 2 "),
            Some(RequestRange::From {
                start: 1,
                end: Some(3)
            })
        );
        assert_eq!(
            parse_request_range("bytes=26"),
            Some(RequestRange::From {
                start: 26,
                end: None
            })
        );
    }

    #[test]
    fn huge_positions_saturate() {
        let huge = "bytes=99999999999999999999999-";
        let range = parse_request_range(huge).unwrap();
        assert_eq!(range.resolve(100), RangeResponse::Unsatisfiable);
        let range = parse_request_range("bytes=0-18446744073709551615").unwrap();
        assert_eq!(range.resolve(100), RangeResponse::Full);
        let range = parse_request_range("bytes=-99999999999999999999").unwrap();
        assert_eq!(range.resolve(100), RangeResponse::Full);
    }

    #[test]
    fn empty_resources_satisfy_no_range() {
        for header in ["bytes=0-", "bytes=0-0", "bytes=-1", "bytes=-0"] {
            let range = parse_request_range(header).unwrap();
            assert_eq!(range.resolve(0), RangeResponse::Unsatisfiable, "{header}");
        }
    }
}
