//! A non-blocking HTTP/1.1 client (Tornado's `tornado.httpclient` and
//! `tornado.simple_httpclient`), with keep-alive connection pooling.
//!
//! [`AsyncHttpClient::fetch`] takes an [`HttpRequest`] (or a URL) with
//! Tornado's request options — method, headers, body or streaming
//! `body_producer`, basic auth, connect and request timeouts (20 s),
//! redirects (up to 5), gzip decompression, streaming and header callbacks,
//! TLS verification, client certificates, `Expect: 100-continue` — and
//! resolves to an [`HttpResponse`]. A response whose code is not 2xx, and a
//! fetch that got no response at all (code 599: network error, timeout,
//! malformed response), are an [`HttpClientError`] carrying the response,
//! unless `raise_error` is off ([`AsyncHttpClient::fetch_with`]).
//!
//! At most `max_clients` (10) requests run at once; the others queue, and
//! the queue honours their timeouts. Connections are kept open when the
//! server allows it and reused per origin. [`HttpClient`] is the blocking
//! form for code that is not async. Proxies (Tornado's `proxy_*` options,
//! which its simple client does not support either) and digest
//! authentication are not implemented.
//!
//! The wire format is [`http1::codec`](crate::http1::codec)'s, driven
//! over an [`IoStream`](crate::iostream::IoStream) made by
//! [`TcpClient`](crate::tcpclient::TcpClient).
//!
//! ```
//! use supercell::httpclient::{AsyncHttpClient, HttpRequest};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! use tokio::net::TcpListener;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A tiny server answering one request.
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let port = listener.local_addr()?.port();
//! tokio::spawn(async move {
//!     let (mut socket, _) = listener.accept().await?;
//!     let mut head = [0; 1024];
//!     let _ = socket.read(&mut head).await?;
//!     socket
//!         .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nHello world!")
//!         .await
//! });
//!
//! let client = AsyncHttpClient::default();
//! let response = client
//!     .fetch(HttpRequest::new(format!("http://127.0.0.1:{port}/hello")).user_agent("doc"))
//!     .await?;
//! assert_eq!(response.code, 200);
//! assert_eq!(&response.body[..], b"Hello world!");
//! # Ok(())
//! # }
//! ```

mod basic_auth;
mod blocking;
mod body_writer;
mod callbacks;
mod client;
mod connect;
mod connection;
mod error;
mod exchange;
mod head_scan;
mod pool;
mod prepare;
mod redirect;
mod request;
mod response;
mod response_body;
mod settings;
mod time_info;
pub(crate) mod tls;
pub(crate) mod url;

pub use blocking::HttpClient;
pub use body_writer::{BodyWrite, BodyWriteError, BodyWriter};
pub use client::AsyncHttpClient;
pub use error::{FetchError, HttpClientError, NETWORK_ERROR_CODE};
pub use request::{
    BodyProducer, BoxError, DEFAULT_MAX_REDIRECTS, DEFAULT_TIMEOUT, HeaderCallback, HttpRequest,
    RequestDefaults, StreamingCallback,
};
pub use response::HttpResponse;
pub use settings::{
    ClientSettings, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BUFFER_SIZE, DEFAULT_MAX_CLIENTS,
};
pub use time_info::TimeInfo;
