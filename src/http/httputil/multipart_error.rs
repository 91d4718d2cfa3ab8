//! [`MultipartError`]: why a `multipart/form-data` body was refused.

use super::HttpInputError;

/// Why a `multipart/form-data` body was refused, one variant per cause.
///
/// [`MultipartParser`](super::MultipartParser) returns it as it is;
/// [`parse_multipart_form_data`](super::parse_multipart_form_data) returns
/// it as an [`HttpInputError`] with the same message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MultipartError {
    /// The `boundary` parameter is empty (or only a pair of quotes).
    #[error("multipart/form-data boundary is empty")]
    EmptyBoundary,
    /// The boundary holds a CR or an LF, which no header value can carry.
    #[error("multipart/form-data boundary holds CR or LF")]
    BoundaryLineBreak,
    /// The body ended before its closing `--boundary--`.
    #[error("Invalid multipart/form-data: no final boundary found")]
    NoFinalBoundary,
    /// More parts than [`ParseMultipartConfig::max_parts`](super::ParseMultipartConfig::max_parts).
    #[error("multipart/form-data has too many parts (more than {0})")]
    TooManyParts(usize),
    /// A part has no empty line ending its headers.
    #[error("multipart/form-data missing headers")]
    MissingHeaders,
    /// A part's headers are longer than
    /// [`ParseMultipartConfig::max_part_header_size`](super::ParseMultipartConfig::max_part_header_size).
    #[error("multipart/form-data part header too large (more than {0} bytes)")]
    HeaderTooLarge(usize),
    /// A part's headers are not UTF-8.
    #[error("multipart/form-data part headers are not UTF-8")]
    HeadersNotUtf8,
    /// A part's headers are not header fields.
    #[error("Invalid multipart/form-data part headers: {0}")]
    InvalidHeaders(String),
    /// A part's `Content-Disposition` is missing or not `form-data`.
    #[error("Invalid multipart/form-data: part is not form-data")]
    NotFormData,
    /// A part's value is not followed by CRLF before the next boundary.
    #[error("Invalid multipart/form-data: part does not end with CRLF")]
    MissingCrlf,
    /// A part's `Content-Disposition` has no `name`, or an empty one.
    #[error("multipart/form-data value missing name")]
    MissingName,
}

impl From<MultipartError> for HttpInputError {
    fn from(error: MultipartError) -> HttpInputError {
        HttpInputError::new(error.to_string())
    }
}
