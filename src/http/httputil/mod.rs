//! HTTP utilities shared by the server and the client (Tornado's
//! `tornado.httputil`):
//!
//! - [`HttpHeaders`]: case-insensitive, multi-valued, ordered header
//!   fields, parsed from text with [`HttpHeaders::parse`].
//! - [`HttpServerRequest`] (query arguments, form bodies with
//!   [`HttpServerRequest::parse_body`], cookies) and [`HttpFile`].
//! - Form bodies: [`parse_body_arguments`], [`parse_multipart_form_data`]
//!   (bounded by [`ParseMultipartConfig`]), and [`MultipartParser`], which
//!   reads a `multipart/form-data` body as it streams in, in
//!   [`MultipartEvent`]s, without holding its parts (errors:
//!   [`MultipartError`]); header parameters: [`parse_header_value`],
//!   [`encode_header_value`].
//! - URLs and query strings: [`url_concat`], [`parse_qs_bytes`],
//!   [`qs_to_qsl`], [`split_host_and_port`].
//! - Start lines: [`parse_request_start_line`],
//!   [`parse_response_start_line`]; [`reason_phrase`] of a status code.
//! - [`format_timestamp`] and [`parse_http_date`] (HTTP dates),
//!   [`parse_cookie`] (as browsers send cookies),
//!   [`encode_username_password`].
//! - `Range` requests: [`parse_request_range`], [`RequestRange::resolve`],
//!   [`content_range`].
//! - The delegate traits connecting a connection to an application:
//!   [`HttpServerConnectionDelegate`], [`HttpMessageDelegate`],
//!   [`HttpConnection`].
//!
//! ```
//! use bytes::Bytes;
//! use supercell::httputil::{
//!     HttpHeaders, HttpServerRequest, RequestContext, format_timestamp,
//!     parse_request_start_line, url_concat,
//! };
//! use supercell::netutil::PeerAddress;
//!
//! let url = url_concat("/search?q=rust", &[("page", "2")]);
//! assert_eq!(url, "/search?q=rust&page=2");
//!
//! let start_line = parse_request_start_line(&format!("POST {url} HTTP/1.1")).unwrap();
//! let headers = HttpHeaders::parse(
//!     "Host: example.com\r\n\
//!      Content-Type: application/x-www-form-urlencoded\r\n\
//!      Cookie: session=abc; theme=dark\r\n",
//! )
//! .unwrap();
//! let context = RequestContext {
//!     peer: PeerAddress::Inet("127.0.0.1:50000".parse().unwrap()),
//!     remote_ip: "127.0.0.1".into(),
//!     protocol: "http".into(),
//! };
//! let mut request =
//!     HttpServerRequest::new(start_line, headers, Bytes::from_static(b"q=tokio"), context);
//! request.parse_body();
//! assert_eq!(request.arguments()["q"], ["rust", "tokio"]);
//! assert_eq!(request.query_arguments()["page"], ["2"]);
//! assert_eq!(request.cookies()["theme"], "dark");
//! assert_eq!(request.full_url(), "http://example.com/search?q=rust&page=2");
//! assert_eq!(format_timestamp(0_i64), "Thu, 01 Jan 1970 00:00:00 GMT");
//! ```

mod auth;
mod body;
pub(crate) mod body_pool;
mod cookie;
mod delegate;
mod error;
mod field_pool;
mod gathered_body;
mod header_parse;
mod header_value;
mod headers;
mod host;
mod multipart;
mod multipart_delimiter;
mod multipart_error;
mod multipart_head;
mod multipart_stream;
mod range;
mod reason;
mod request;
mod start_line;
mod target;
mod timestamp;
mod url;

pub use auth::encode_username_password;
pub use body::parse_body_arguments;
pub use cookie::parse_cookie;
pub use delegate::{
    HttpConnection, HttpMessageDelegate, HttpServerConnectionDelegate, RequestContext,
};
pub use error::{HttpInputError, HttpOutputError};
pub(crate) use gathered_body::GatheredBody;
pub use header_value::{HeaderParams, encode_header_value, parse_header_value};
pub use headers::{HeaderError, HttpHeaders};
pub(crate) use headers::{common_value, is_content_type, parse_name};
pub use host::split_host_and_port;
pub use multipart::{
    ParseMultipartConfig, parse_multipart_form_data, parse_multipart_form_data_with,
};
pub use multipart_error::MultipartError;
pub use multipart_stream::{MultipartEvent, MultipartParser};
pub use range::{RangeResponse, RequestRange, content_range, parse_request_range};
pub(crate) use reason::reason_or_unknown;
pub use reason::reason_phrase;
pub use request::{Arguments, Files, HttpFile, HttpServerRequest, NameHasher};
pub use start_line::{
    RequestStartLine, ResponseStartLine, parse_request_start_line, parse_response_start_line,
};
pub use target::RequestTarget;
pub use timestamp::{Timestamp, format_timestamp, parse_http_date};
pub use url::{qs_to_qsl, url_concat};

/// Tornado's `httputil` re-exports `escape.parse_qs_bytes`; so does this
/// module.
pub use crate::escape::parse_qs_bytes;
