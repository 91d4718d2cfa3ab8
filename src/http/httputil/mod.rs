//! HTTP utilities shared by the server and the client (Tornado's
//! `tornado.httputil`): [`HttpHeaders`], [`HttpServerRequest`], start
//! lines, and the delegate traits connecting a connection to an
//! application.
//!
//! ```
//! use supercell::httputil::{HttpHeaders, split_host_and_port};
//!
//! let mut headers = HttpHeaders::new();
//! headers.add("Host", "example.com:8080").unwrap();
//! let (host, port) = split_host_and_port(headers.get("host").unwrap());
//! assert_eq!((host.as_str(), port), ("example.com", Some(8080)));
//! ```

mod delegate;
mod error;
mod headers;
mod host;
mod request;
mod start_line;

pub use delegate::{
    HttpConnection, HttpMessageDelegate, HttpServerConnectionDelegate, RequestContext,
};
pub use error::{HttpInputError, HttpOutputError};
pub use headers::{HeaderError, HttpHeaders};
pub use host::split_host_and_port;
pub use request::{Arguments, Files, HttpFile, HttpServerRequest};
pub use start_line::{RequestStartLine, ResponseStartLine};
