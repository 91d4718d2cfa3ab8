//! [`HttpHeaders::parse`] and [`HttpHeaders::parse_line`]: header fields
//! from text, as Tornado's `HTTPHeaders.parse`.
//!
//! This is the library function, lenient about line ends and continuation
//! lines; the HTTP/1 wire parser is stricter and does not use it.

use http::header::{HeaderName, HeaderValue};

use super::{HttpHeaders, HttpInputError};
use crate::util::prefix_within;

/// Whitespace trimmed around a field value, as Python's `str.strip` does
/// for the characters a header value may hold.
fn is_value_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\x0b' | '\x0c')
}

impl HttpHeaders {
    /// Parses header fields from text, one field per line (Tornado's
    /// `HTTPHeaders.parse`).
    ///
    /// Lines end with CRLF or a bare LF; empty lines are skipped. A line
    /// that starts with a space or a tab continues the previous field (see
    /// [`parse_line`](Self::parse_line)). Nothing else ends a line: a bare
    /// CR or a Unicode line separator is part of the value, and since a
    /// header value may not hold a CR or another control character, such a
    /// value is an error rather than a second field.
    ///
    /// ```
    /// use supercell::httputil::HttpHeaders;
    ///
    /// let headers = HttpHeaders::parse("Content-Type: text/html\r\nX-Long: a\r\n b\nX-Long: c\r\n").unwrap();
    /// assert_eq!(headers.get("content-type"), Some("text/html"));
    /// assert_eq!(headers.get_list("x-long"), ["a b", "c"]);
    /// ```
    pub fn parse(text: &str) -> Result<HttpHeaders, HttpInputError> {
        let mut headers = HttpHeaders::new();
        // The field being read, joined with its continuation lines before
        // it is stored, so that many continuations cost linear time.
        let mut pending: Option<(HeaderName, String)> = None;
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            if line.starts_with(is_value_space) {
                let Some((_, value)) = pending.as_mut() else {
                    return Err(orphan_continuation());
                };
                value.push(' ');
                value.push_str(line.trim_start_matches(is_value_space));
                continue;
            }
            if let Some((name, value)) = pending.take() {
                headers.append(name.clone(), field_value(&name, value.as_bytes())?);
            }
            let (name, value) = split_field(line)?;
            pending = Some((name, value.to_owned()));
        }
        if let Some((name, value)) = pending {
            headers.append(name.clone(), field_value(&name, value.as_bytes())?);
        }
        Ok(headers)
    }

    /// Adds one header line (Tornado's `HTTPHeaders.parse_line`).
    ///
    /// `Name: value` adds a field, the value trimmed of surrounding
    /// whitespace. A line starting with whitespace is the continuation of
    /// the last field: its text, trimmed at the start, is appended to that
    /// field's value after one space. A continuation with no field before
    /// it, a line without a colon, an invalid name or an invalid value is
    /// an error, and leaves the headers unchanged.
    ///
    /// ```
    /// use supercell::httputil::HttpHeaders;
    ///
    /// let mut headers = HttpHeaders::new();
    /// headers.parse_line("Content-Type: text/html").unwrap();
    /// headers.parse_line("\tcharset=utf-8").unwrap();
    /// assert_eq!(headers.get("content-type"), Some("text/html charset=utf-8"));
    /// assert!(headers.parse_line("no colon").is_err());
    /// ```
    pub fn parse_line(&mut self, line: &str) -> Result<(), HttpInputError> {
        if line.starts_with(is_value_space) {
            let Some((name, last)) = self.last_entry_mut() else {
                return Err(orphan_continuation());
            };
            let mut joined = Vec::with_capacity(last.len() + line.len());
            joined.extend_from_slice(last.as_bytes());
            joined.push(b' ');
            joined.extend_from_slice(line.trim_start_matches(is_value_space).as_bytes());
            *last = field_value(name, &joined)?;
            return Ok(());
        }
        let (name, value) = split_field(line)?;
        let value = field_value(&name, value.as_bytes())?;
        self.append(name, value);
        Ok(())
    }
}

fn orphan_continuation() -> HttpInputError {
    HttpInputError::new("header continuation line without a field before it")
}

/// The name of a `Name: value` line and its value trimmed of whitespace.
fn split_field(line: &str) -> Result<(HeaderName, &str), HttpInputError> {
    let Some((name, value)) = line.split_once(':') else {
        return Err(HttpInputError::new(format!(
            "header line without a colon: {:?}",
            truncated(line)
        )));
    };
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| HttpInputError::new(format!("invalid header name: {:?}", truncated(name))))?;
    Ok((name, value.trim_matches(is_value_space)))
}

/// `value` as the value of field `name`, if a header value may hold it.
fn field_value(name: &HeaderName, value: &[u8]) -> Result<HeaderValue, HttpInputError> {
    HeaderValue::from_bytes(value)
        .map_err(|_| HttpInputError::new(format!("invalid character in the value of {name}")))
}

/// At most the first 64 bytes of `text` (on a character boundary), for
/// error messages about untrusted input.
fn truncated(text: &str) -> &str {
    prefix_within(text, 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_without_a_field_is_an_error() {
        assert!(HttpHeaders::parse(" leading: continuation").is_err());
    }

    #[test]
    fn failed_line_leaves_headers_unchanged() {
        let mut headers = HttpHeaders::parse("A: 1").unwrap();
        assert!(headers.parse_line(" bad\x01").is_err());
        assert!(headers.parse_line("Bad Name: x").is_err());
        assert_eq!(headers.get_list("a"), ["1"]);
        assert_eq!(headers.len(), 1);
    }

    #[test]
    fn values_are_trimmed_and_may_be_empty() {
        let headers = HttpHeaders::parse("A:   spaced \t\r\nB:\r\n").unwrap();
        assert_eq!(headers.get("a"), Some("spaced"));
        assert_eq!(headers.get("b"), Some(""));
    }

    #[test]
    fn parse_joins_continuations_like_parse_line() {
        let text = "A: x  \r\n  y \r\n\r\n\tz\r\nB: 1\r\n \r\n";
        let parsed = HttpHeaders::parse(text).unwrap();
        let mut by_line = HttpHeaders::new();
        for line in text.split("\r\n").filter(|l| !l.is_empty()) {
            by_line.parse_line(line).unwrap();
        }
        assert_eq!(parsed, by_line);
        assert_eq!(parsed.get("a"), Some("x y  z"));
        assert_eq!(parsed.get("b"), Some("1 "));
    }

    #[test]
    fn many_continuations_parse() {
        let text = format!("A: 0{}", "\r\n 1".repeat(20_000));
        assert_eq!(
            HttpHeaders::parse(&text)
                .unwrap()
                .get_bytes("a")
                .map(<[u8]>::len),
            Some(40_001)
        );
    }

    #[test]
    fn truncated_respects_char_boundaries() {
        let text = "é".repeat(40);
        assert_eq!(truncated(&text).len(), 64);
        assert_eq!(truncated("short"), "short");
    }
}
