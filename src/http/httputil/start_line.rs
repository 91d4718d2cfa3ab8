//! The first line of an HTTP/1 message: [`RequestStartLine`] and
//! [`ResponseStartLine`], and [`parse_request_start_line`] and
//! [`parse_response_start_line`] reading them from text.

use std::borrow::Cow;
use std::fmt;

use http::{Method, Version};

use super::{HttpInputError, RequestTarget};

/// `GET /path?query HTTP/1.1`: method, request-target and version (Tornado's
/// `RequestStartLine`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestStartLine {
    /// The request method.
    pub method: Method,
    /// The request-target exactly as sent (origin form `/a?b`, absolute
    /// form `http://host/a`, `*` or authority form).
    pub path: RequestTarget,
    /// The protocol version.
    pub version: Version,
}

/// `HTTP/1.1 200 OK`: version, status code and reason phrase (Tornado's
/// `ResponseStartLine`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseStartLine {
    /// The protocol version.
    pub version: Version,
    /// The status code, any value from 100 to 999.
    pub code: u16,
    /// The reason phrase (may be empty): borrowed for the standard ones.
    pub reason: Cow<'static, str>,
}

impl fmt::Display for RequestStartLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {:?}", self.method, self.path, self.version)
    }
}

impl fmt::Display for ResponseStartLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {} {}", self.version, self.code, self.reason)
    }
}

/// The version of `HTTP/1.x`: 1.0, or 1.1 for any later minor version
/// (a 1.x peer understands 1.1, RFC 9112 section 2.3).
fn parse_http1_version(text: &str) -> Option<Version> {
    match text.as_bytes() {
        b"HTTP/1.0" => Some(Version::HTTP_10),
        [b'H', b'T', b'T', b'P', b'/', b'1', b'.', minor] if minor.is_ascii_digit() => {
            Some(Version::HTTP_11)
        }
        _ => None,
    }
}

/// Parses a request line such as `GET /foo HTTP/1.1` (Tornado's
/// `parse_request_start_line`).
///
/// The line (without its line end) must be exactly three pieces separated
/// by single spaces: a method made of token characters, a non-empty
/// request-target without control characters, and `HTTP/1.N`
/// (`HTTP/1.2`–`HTTP/1.9` count as 1.1).
///
/// ```
/// use supercell::httputil::parse_request_start_line;
///
/// let line = parse_request_start_line("GET /foo HTTP/1.1").unwrap();
/// assert_eq!((line.method.as_str(), line.path.as_str()), ("GET", "/foo"));
/// assert_eq!(line.version, http::Version::HTTP_11);
/// assert!(parse_request_start_line("GET /foo HTTP/2.0").is_err());
/// assert!(parse_request_start_line("GET  /foo HTTP/1.1").is_err());
/// ```
pub fn parse_request_start_line(line: &str) -> Result<RequestStartLine, HttpInputError> {
    let mut pieces = line.split(' ');
    let (Some(method), Some(path), Some(version), None) =
        (pieces.next(), pieces.next(), pieces.next(), pieces.next())
    else {
        return Err(HttpInputError::new("Malformed HTTP request line"));
    };
    let version = parse_http1_version(version)
        .ok_or_else(|| HttpInputError::new("Malformed HTTP version in HTTP Request-Line"))?;
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| HttpInputError::new("Malformed HTTP method in HTTP Request-Line"))?;
    if path.is_empty() || path.bytes().any(|b| b.is_ascii_control()) {
        return Err(HttpInputError::new(
            "Malformed request-target in HTTP Request-Line",
        ));
    }
    Ok(RequestStartLine {
        method,
        path: RequestTarget::from(path),
        version,
    })
}

/// Parses a status line such as `HTTP/1.1 200 OK` (Tornado's
/// `parse_response_start_line`).
///
/// The version is `HTTP/1.N`, the code three digits (100–999), and the
/// reason phrase is the rest of the line up to a CR or LF; it may be
/// empty, and the space before it may be missing (some servers leave it
/// out).
///
/// ```
/// use supercell::httputil::parse_response_start_line;
///
/// let line = parse_response_start_line("HTTP/1.1 404 Not Found\r\n").unwrap();
/// assert_eq!((line.code, line.reason.as_ref()), (404, "Not Found"));
/// assert_eq!(parse_response_start_line("HTTP/1.0 204").unwrap().reason, "");
/// assert!(parse_response_start_line("HTTP/1.1 2000 OK").is_err());
/// ```
pub fn parse_response_start_line(line: &str) -> Result<ResponseStartLine, HttpInputError> {
    let error = || HttpInputError::new("Error parsing response start line");
    let (version, rest) = line.split_once(' ').ok_or_else(error)?;
    let version = parse_http1_version(version).ok_or_else(error)?;
    let line_end = rest.find(['\r', '\n']).unwrap_or(rest.len());
    let rest = &rest[..line_end];
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error());
    }
    let code: u16 = code.parse().map_err(|_| error())?;
    if code < 100 {
        return Err(error());
    }
    Ok(ResponseStartLine {
        version,
        code,
        reason: Cow::Owned(reason.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_versions() {
        let version = |line| parse_request_start_line(line).map(|l| l.version);
        assert_eq!(version("GET / HTTP/1.0"), Ok(Version::HTTP_10));
        assert_eq!(version("GET / HTTP/1.9"), Ok(Version::HTTP_11));
        assert!(version("GET / HTTP/1.10").is_err());
        assert!(version("GET / http/1.1").is_err());
        assert!(version("GET / HTTP/1.1 ").is_err());
    }

    #[test]
    fn request_method_and_target() {
        assert!(parse_request_start_line("G(T / HTTP/1.1").is_err());
        assert!(parse_request_start_line(" / HTTP/1.1").is_err());
        assert!(parse_request_start_line("GET  HTTP/1.1").is_err());
        assert!(parse_request_start_line("GET /\x7f HTTP/1.1").is_err());
        let line = parse_request_start_line("PURGE * HTTP/1.1").unwrap();
        assert_eq!((line.method.as_str(), line.path.as_str()), ("PURGE", "*"));
    }

    #[test]
    fn response_lines() {
        let line = parse_response_start_line("HTTP/1.1 200 OK fine\r\nX: y").unwrap();
        assert_eq!(line.reason, "OK fine");
        assert!(parse_response_start_line("HTTP/1.1 099 Low").is_err());
        assert!(parse_response_start_line("HTTP/1.1 20 OK").is_err());
        assert!(parse_response_start_line("HTTP/2 200 OK").is_err());
        assert!(parse_response_start_line("HTTP/1.1").is_err());
        assert_eq!(
            parse_response_start_line("HTTP/1.1 999 ").unwrap().code,
            999
        );
    }
}
