//! HTTP/1.1 (Tornado's `tornado.http1connection`): one sans-IO codec for
//! both roles and the server connection driving it over an
//! [`IoStream`](crate::iostream::IoStream).
//!
//! An [`Http1ServerConnection`] reads requests from a stream and hands
//! each one to a message delegate made by an
//! [`HttpServerConnectionDelegate`](crate::httputil::HttpServerConnectionDelegate),
//! which answers through the request's [`ResponseWriter`].
//! [`HttpServer`](crate::httpserver::HttpServer) does this for every
//! accepted connection; here, one connection served by hand:
//!
//! ```
//! use supercell::http1::{Http1ConnectionParameters, Http1ServerConnection, ResponseWriter};
//! use supercell::httputil::{
//!     HttpHeaders, HttpMessageDelegate, HttpServerConnectionDelegate, RequestContext,
//!     RequestStartLine,
//! };
//! use supercell::iostream::IoStream;
//!
//! /// Answers every request with its path.
//! struct EchoPath;
//!
//! struct Message(ResponseWriter, String);
//!
//! impl HttpServerConnectionDelegate<ResponseWriter> for EchoPath {
//!     type Message = Message;
//!     fn start_request(&self, writer: ResponseWriter) -> Message {
//!         Message(writer, String::new())
//!     }
//! }
//!
//! impl HttpMessageDelegate for Message {
//!     async fn headers_received(&mut self, start_line: RequestStartLine, _headers: HttpHeaders) {
//!         self.1 = start_line.path.into();
//!     }
//!     async fn finish(&mut self) {
//!         let path = std::mem::take(&mut self.1);
//!         let _ = self.0.respond(200, HttpHeaders::new(), path).await;
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let server = tokio::spawn(async move {
//!     let (socket, peer) = listener.accept().await.unwrap();
//!     let context = RequestContext {
//!         peer: peer.into(),
//!         remote_ip: peer.ip().to_string(),
//!         protocol: "http".into(),
//!     };
//!     let stream = IoStream::from_tcp(socket);
//!     Http1ServerConnection::new(stream, Http1ConnectionParameters::default(), context)
//!         .serve(&EchoPath)
//!         .await;
//! });
//!
//! let client = IoStream::connect(addr).await?;
//! client.write(&b"GET /hi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..]).await?;
//! let response = client.read_until_close().await?;
//! assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"));
//! assert!(response.ends_with(b"\r\n\r\n/hi"));
//! server.await?;
//! # Ok(())
//! # }
//! ```

pub mod codec;

mod body;
mod connection;
mod date;
mod delegate_call;
mod error_response;
mod exchange;
mod handle;
mod input;
pub(crate) mod linger;
mod params;
mod read_timer;
mod response_wait;
mod shared;
mod slot;
mod upgrade;
mod whole;
mod writer;

pub use connection::{Http1ServerConnection, RequestContextFn};
pub use handle::ServerConnectionHandle;
pub use params::Http1ConnectionParameters;
pub use upgrade::{Upgrade, Upgraded};
pub use writer::{ResponseWriter, Sent};
