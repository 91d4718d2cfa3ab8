//! Errors of the HTTP layer shared by its modules.

/// Input that is not valid HTTP (Tornado's `HTTPInputError`): a malformed
/// start line, header, body framing or body.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed HTTP input: {0}")]
pub struct HttpInputError(pub String);

impl HttpInputError {
    /// An error with this description.
    pub fn new(message: impl Into<String>) -> HttpInputError {
        HttpInputError(message.into())
    }
}

/// A response (or request) written wrongly or to a closed connection
/// (Tornado's `HTTPOutputError`, plus the closed case).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HttpOutputError {
    /// The connection is closed; nothing more can be written.
    #[error("connection closed")]
    Closed,
    /// More body than the `Content-Length` header announced.
    #[error("tried to write more data than Content-Length ({0})")]
    TooMuchData(u64),
    /// `finish` before the announced `Content-Length` was written.
    #[error("tried to finish with {written} of {expected} bytes of Content-Length written")]
    TooLittleData {
        /// Bytes written.
        written: u64,
        /// Bytes announced.
        expected: u64,
    },
    /// A body on a response that may not have one (1xx, 204, 304, or a
    /// response to HEAD).
    #[error("a {0} response cannot have a body")]
    BodyNotAllowed(u16),
    /// Headers written twice, a body before the headers, or anything after
    /// `finish`.
    #[error("{0}")]
    Misuse(&'static str),
}
