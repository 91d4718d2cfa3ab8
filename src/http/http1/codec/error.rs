//! [`ParseError`]: why incoming HTTP/1 bytes were refused, and the status
//! code a server answers with.

use crate::httputil::HttpInputError;

/// Why a request or response head, or a body, was refused.
///
/// Every variant names one reason; [`status`](ParseError::status) is the
/// status code a server answers with before it closes the connection.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The request line is not `method SP request-target SP version`: a
    /// method that is not a token, a target with spaces or control bytes,
    /// doubled spaces, or a target that is not UTF-8.
    #[error("malformed request line")]
    BadRequestLine,
    /// The status line is not `version SP 3DIGIT SP reason`.
    #[error("malformed status line")]
    BadStatusLine,
    /// The version is not of the form `HTTP/DIGIT.DIGIT` (e.g. `http/1.1`).
    #[error("malformed HTTP version")]
    BadVersion,
    /// A well-formed version other than HTTP/1.0 and HTTP/1.1.
    #[error("unsupported HTTP version")]
    UnsupportedVersion,
    /// More than one empty line before the start line.
    #[error("more than one empty line before the start line")]
    LeadingEmptyLines,
    /// A line ending in a bare LF, or a CR not followed by LF.
    #[error("line not terminated by CRLF")]
    BadLineEnding,
    /// An empty header name, a name with a space or another non-token byte,
    /// whitespace before the colon, a line without a colon, or a folded
    /// (obs-fold) line.
    #[error("malformed header name")]
    BadHeaderName,
    /// A header value with NUL, a bare CR or another control byte.
    #[error("malformed header value")]
    BadHeaderValue,
    /// An HTTP/1.1 request without `Host`.
    #[error("HTTP/1.1 request without Host header")]
    MissingHost,
    /// More than one `Host` field.
    #[error("more than one Host header")]
    DuplicateHost,
    /// A `Content-Length` that is not `1*DIGIT` after trimming whitespace,
    /// or that does not fit in 64 bits.
    #[error("malformed Content-Length")]
    BadContentLength,
    /// `Content-Length` values (in one field as a list, or in several
    /// fields) that differ.
    #[error("conflicting Content-Length values")]
    ConflictingContentLength,
    /// Both `Content-Length` and `Transfer-Encoding`.
    #[error("both Content-Length and Transfer-Encoding")]
    ContentLengthWithTransferEncoding,
    /// A `Transfer-Encoding` that is not one final `chunked`: empty,
    /// `chunked` twice, a final coding other than `chunked` on a request,
    /// or one on an HTTP/1.0 message.
    #[error("malformed Transfer-Encoding")]
    BadTransferEncoding,
    /// A transfer coding other than `chunked` before the final `chunked`.
    #[error("unsupported transfer coding")]
    UnsupportedTransferEncoding,
    /// A 204 response announcing a body.
    #[error("a 204 response with a body")]
    BodyOnNoContent,
    /// The head is larger than the limit.
    #[error("request or response head too large")]
    HeadTooLarge,
    /// The start line alone is larger than the head limit.
    #[error("request line too long")]
    UriTooLong,
    /// A chunk-size line that is not `1*HEXDIG [BWS ; ext] CRLF`, or a
    /// size that does not fit in 64 bits.
    #[error("malformed chunk size")]
    BadChunkSize,
    /// Chunk data not followed by CRLF (more data than the size said).
    #[error("chunk data longer than its size")]
    BadChunkData,
    /// A malformed or too large trailer section.
    #[error("malformed chunked trailer")]
    BadTrailer,
    /// The body is larger than the limit.
    #[error("body too large")]
    BodyTooLarge,
    /// The peer closed the connection before the body was complete.
    #[error("connection closed before the body was complete")]
    Truncated,
}

impl ParseError {
    /// The status code a server answers with: 413 body too large, 414 URI
    /// too long, 431 head too large, 501 unsupported transfer coding, 505
    /// unsupported version, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            ParseError::BodyTooLarge => 413,
            ParseError::UriTooLong => 414,
            ParseError::HeadTooLarge => 431,
            ParseError::UnsupportedTransferEncoding => 501,
            ParseError::UnsupportedVersion => 505,
            _ => 400,
        }
    }
}

impl From<ParseError> for HttpInputError {
    fn from(error: ParseError) -> HttpInputError {
        HttpInputError::new(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_follow_the_reason() {
        assert_eq!(ParseError::BodyTooLarge.status(), 413);
        assert_eq!(ParseError::UriTooLong.status(), 414);
        assert_eq!(ParseError::HeadTooLarge.status(), 431);
        assert_eq!(ParseError::UnsupportedTransferEncoding.status(), 501);
        assert_eq!(ParseError::UnsupportedVersion.status(), 505);
        assert_eq!(ParseError::BadChunkSize.status(), 400);
        assert_eq!(ParseError::MissingHost.status(), 400);
    }

    #[test]
    fn converts_to_an_input_error_with_its_message() {
        let error = HttpInputError::from(ParseError::DuplicateHost);
        assert_eq!(error.0, "more than one Host header");
    }
}
