//! The callbacks a request gives for its response: running them with
//! panics caught, and the lines a header callback receives.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use http::Version;

use super::error::FetchError;
use super::request::{HeaderCallback, StreamingCallback};
use crate::httputil::{HttpHeaders, ResponseStartLine};
use crate::util::log_target::APP_LOG;

/// Where the response goes besides the value `exchange` returns.
#[derive(Clone, Default)]
pub(crate) struct Callbacks {
    pub(crate) streaming: Option<StreamingCallback>,
    pub(crate) header: Option<HeaderCallback>,
}

/// Runs `f`, turning a panic into an error (and a log record on the
/// application log).
pub(crate) fn guarded(callback: &'static str, f: impl FnOnce()) -> Result<(), FetchError> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| panicked(callback, payload))
}

/// The error of `callback`'s panic with `payload`, logged on the
/// application log.
pub(crate) fn panicked(callback: &'static str, payload: Box<dyn Any + Send>) -> FetchError {
    let message = crate::util::panic_message(payload.as_ref()).to_owned();
    tracing::error!(target: APP_LOG, "Exception in {callback}: {message}");
    FetchError::CallbackPanicked { callback, message }
}

/// The line a header callback gets for the start line.
fn start_line_text(start_line: &ResponseStartLine) -> String {
    let version = if start_line.version == Version::HTTP_10 {
        "HTTP/1.0"
    } else {
        "HTTP/1.1"
    };
    format!("{version} {} {}\r\n", start_line.code, start_line.reason)
}

/// `content-type` as `Content-Type`.
fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}

/// Bytes as ISO-8859-1 text (how HTTP header values were meant to be
/// read; ASCII stays as it is).
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

pub(crate) fn call_header_callback(
    callback: &HeaderCallback,
    start_line: &ResponseStartLine,
    headers: &HttpHeaders,
) -> Result<(), FetchError> {
    guarded("header_callback", || {
        callback(&start_line_text(start_line));
        for (name, value) in headers.get_all() {
            callback(&format!(
                "{}: {}\r\n",
                title_case(name.as_str()),
                latin1(value.as_bytes())
            ));
        }
        callback("\r\n");
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_are_title_cased_and_latin1() {
        assert_eq!(title_case("x-xss-protection"), "X-Xss-Protection");
        assert_eq!(latin1(b"caf\xe9"), "café");
        let start = ResponseStartLine {
            version: Version::HTTP_10,
            code: 200,
            reason: "OK".into(),
        };
        assert_eq!(start_line_text(&start), "HTTP/1.0 200 OK\r\n");
    }

    #[test]
    fn a_panicking_callback_becomes_an_error() {
        let error = guarded("streaming_callback", || panic!("boom")).unwrap_err();
        assert!(
            matches!(error, FetchError::CallbackPanicked { callback: "streaming_callback", ref message } if message == "boom")
        );
    }
}
