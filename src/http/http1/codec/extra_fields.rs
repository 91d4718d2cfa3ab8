//! Fields a response head carries besides its headers, written straight
//! into the head: lines known at compile time, a `Content-Type`, and an
//! `ETag` made from a hash. A server's constant fields (`Server`, a
//! default `Content-Type`) then cost one copy, not a header entry each.

use http::HeaderValue;

/// Complete field lines known when the program is compiled, each
/// `Name: value\r\n`, checked by [`FixedFields::new`].
///
/// ```
/// use supercell::http1::codec::FixedFields;
///
/// const SERVER: FixedFields = FixedFields::new("Server: example/1.0\r\n");
/// assert_eq!(SERVER.as_bytes(), b"Server: example/1.0\r\n");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixedFields(&'static str);

impl FixedFields {
    /// No lines.
    pub const NONE: FixedFields = FixedFields("");

    /// The field lines `lines`.
    ///
    /// # Panics
    ///
    /// When a line is not a token name, `": "`, a value without control
    /// characters (tab allowed) and CRLF. Made in a `const`, a bad line
    /// is a compile error rather than a panic.
    pub const fn new(lines: &'static str) -> FixedFields {
        let bytes = lines.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let start = at;
            while at < bytes.len() && super::framing::is_tchar(bytes[at]) {
                at += 1;
            }
            assert!(at > start, "a field line needs a token name");
            assert!(
                at + 1 < bytes.len() && bytes[at] == b':' && bytes[at + 1] == b' ',
                "a field name is followed by \": \""
            );
            at += 2;
            while at < bytes.len() && bytes[at] != b'\r' {
                let b = bytes[at];
                assert!(
                    b == b'\t' || (b >= 0x20 && b != 0x7f),
                    "a field value has no control characters"
                );
                at += 1;
            }
            assert!(
                at + 1 < bytes.len() && bytes[at + 1] == b'\n',
                "a field line ends with CRLF"
            );
            at += 2;
        }
        FixedFields(lines)
    }

    /// The lines as written.
    pub const fn as_bytes(&self) -> &'static [u8] {
        self.0.as_bytes()
    }
}

/// What a response head gets besides its headers (see
/// [`ResponseWriter::respond_with`](crate::http1::ResponseWriter::respond_with)).
/// The headers should not give the same fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExtraFields<'a> {
    /// Lines written right after the status line.
    pub fixed: FixedFields,
    /// A `Content-Type`, written after the fixed lines: the header nearly
    /// every response sets, without an entry in the header list.
    pub content_type: Option<&'a HeaderValue>,
    /// An `ETag` of this hash, its 16 lowercase hex digits in quotes.
    pub etag: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_lines_are_accepted() {
        for lines in [
            "",
            "A: b\r\n",
            "Server: x/1\r\nContent-Type: text/html; a=\"b\"\r\n",
            "X: \t\r\n",
        ] {
            assert_eq!(FixedFields::new(lines).as_bytes(), lines.as_bytes());
        }
    }

    #[test]
    fn malformed_lines_are_refused() {
        for lines in [
            "A: b",
            "A: b\n",
            "A:b\r\n",
            ": b\r\n",
            "A b: c\r\n",
            "A: b\rc\r\n",
            "A: b\x00\r\n",
            "A: b\r\nC",
        ] {
            let made = std::panic::catch_unwind(|| FixedFields::new(lines));
            assert!(made.is_err(), "{lines:?}");
        }
    }
}
