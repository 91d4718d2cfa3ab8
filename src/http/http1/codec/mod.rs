//! The sans-IO HTTP/1.1 codec: request and response heads, body framing
//! in both directions, for the server and the client role alike. No
//! sockets and no runtime: the connection feeds it bytes and writes what
//! it produces.
//!
//! - Reading: [`parse_request_head`] / [`parse_response_head`] (or their
//!   zero-copy variants [`split_request_head`] / [`split_response_head`]
//!   on a [`BytesMut`](bytes::BytesMut) read buffer, and
//!   [`parse_request_head_shared`] / [`parse_response_head_shared`] on
//!   [`Bytes`](bytes::Bytes); a [`RequestHeadReader`] for a head arriving
//!   in pieces), then a [`BodyDecoder`] for the
//!   [`BodyLength`] the head announced.
//! - Writing: [`encode_response_head`] / [`encode_request_head`] into a
//!   [`WriteBuffer`], then the returned [`BodyEncoder`].
//!
//! Parsing is stricter than Tornado's: what RFC 9112 forbids and what
//! request smuggling relies on is refused with a [`ParseError`] whose
//! [`status`](ParseError::status) is the answer to send (400, 413, 414,
//! 431, 501 or 505): bare CR or LF, NUL, obs-fold, whitespace before a
//! colon, invalid method or target, doubled spaces, unknown versions,
//! missing or repeated `Host`, malformed or differing `Content-Length`,
//! `Content-Length` with `Transfer-Encoding`, codings other than one
//! final `chunked`, malformed chunk sizes, over-long heads. Accepted:
//! one leading empty line, OWS around values, obs-text in values,
//! uppercase hex sizes, chunk extensions, trailers.
//!
//! ```
//! use bytes::{Bytes, BytesMut};
//! use http::Method;
//! use supercell::http1::codec::{
//!     BodyDecoder, BodyLength, Decoded, RequestInfo, WriteBuffer, encode_response_head,
//!     split_request_head, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_HEADER_SIZE,
//! };
//! use supercell::httputil::{HttpHeaders, ResponseStartLine};
//!
//! // Server role: a request arrives...
//! let mut buf = BytesMut::from(
//!     &b"POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello"[..],
//! );
//! let head = split_request_head(&mut buf, DEFAULT_MAX_HEADER_SIZE)?.unwrap();
//! assert_eq!(head.start_line.method, Method::POST);
//! assert_eq!(head.body, BodyLength::Fixed(5));
//! let mut decoder = BodyDecoder::new(head.body, DEFAULT_MAX_BODY_SIZE);
//! assert_eq!(decoder.decode(&mut buf)?, Decoded::Data(Bytes::from("hello")));
//! assert_eq!(decoder.decode(&mut buf)?, Decoded::Finished);
//!
//! // ...and is answered with a chunked body.
//! let mut out = WriteBuffer::new();
//! let start_line = ResponseStartLine { version: head.start_line.version, code: 200, reason: "OK".into() };
//! let (mut body, close) =
//!     encode_response_head(&start_line, &HttpHeaders::new(), &RequestInfo::from(&head), false, &mut out)?;
//! body.encode(Bytes::from("hello"), &mut out)?;
//! body.finish(&mut out)?;
//! assert!(!close);
//! assert_eq!(
//!     &out.take_bytes()[..],
//!     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod body_encoder;
mod chunk_line;
mod decoder;
mod encode_head;
mod error;
mod extra_fields;
mod fast_head;
mod framing;
mod head;
mod http_date;
mod request;
mod request_reader;
mod response;
mod write_buffer;

pub use body_encoder::BodyEncoder;
pub use decoder::{BodyDecoder, Decoded};
pub use encode_head::{
    DefaultFields, RequestInfo, encode_request_head, encode_response_head,
    encode_response_head_with,
};
pub use error::ParseError;
pub use extra_fields::{ExtraFields, FixedFields};
pub use framing::BodyLength;
pub use http_date::HttpDate;
pub use request::{RequestHead, parse_request_head, parse_request_head_shared, split_request_head};
pub use request_reader::RequestHeadReader;
pub use response::{
    ResponseHead, parse_response_head, parse_response_head_shared, split_response_head,
};
pub use write_buffer::{BodyPiece, WriteBuffer};

/// The default limit on the size of a request or response head (64 KiB,
/// Tornado's `max_header_size`).
pub const DEFAULT_MAX_HEADER_SIZE: usize = 64 * 1024;

/// The default limit on the size of a body (100 MiB, Tornado's
/// `max_body_size`).
pub const DEFAULT_MAX_BODY_SIZE: u64 = 100 * 1024 * 1024;
