//! The first line of an HTTP/1 message: [`RequestStartLine`] and
//! [`ResponseStartLine`].

use std::fmt;

use http::{Method, Version};

/// `GET /path?query HTTP/1.1`: method, request-target and version (Tornado's
/// `RequestStartLine`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestStartLine {
    /// The request method.
    pub method: Method,
    /// The request-target exactly as sent (origin form `/a?b`, absolute
    /// form `http://host/a`, `*` or authority form).
    pub path: String,
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
    /// The reason phrase (may be empty).
    pub reason: String,
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
