//! A non-blocking HTTP server (Tornado's `tornado.httpserver`).
//!
//! [`HttpServer`] serves HTTP/1.x (and HTTPS with
//! [`HttpServerSettings::tls`]) on a [`TcpServer`](crate::tcpserver::TcpServer).
//! The simple interface hands each complete request to a callback,
//! which answers through the request's
//! [`ResponseWriter`](crate::http1::ResponseWriter):
//!
//! ```
//! use supercell::httpserver::{HttpServer, HttpServerSettings};
//! use supercell::httputil::HttpHeaders;
//! use supercell::iostream::IoStream;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = HttpServer::from_callback(
//!     |request, mut writer| async move {
//!         let body = format!("You requested {}\n", request.path());
//!         let _ = writer.respond(200, HttpHeaders::new(), body).await;
//!     },
//!     HttpServerSettings::default(),
//! );
//! let addrs = server.listen(0, Some("127.0.0.1"))?;
//!
//! let client = IoStream::connect(addrs[0]).await?;
//! client.write(&b"GET /docs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..]).await?;
//! let response = client.read_until_close().await?;
//! assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"));
//! assert!(response.ends_with(b"You requested /docs\n"));
//!
//! server.stop();
//! server.close_all_connections().await;
//! # Ok(())
//! # }
//! ```
//!
//! The streaming interface, [`HttpServer::new`], takes an
//! [`HttpServerConnectionDelegate`](crate::httputil::HttpServerConnectionDelegate)
//! instead: its message delegates see the body piece by piece, each piece
//! awaited before more is read.
//!
//! Beyond Tornado, [`HttpServer::drain`] shuts down gracefully: requests
//! under way finish (their responses carry `Connection: close`), idle
//! connections close at once.

mod callback;
mod registry;
mod server;
mod settings;
mod xheaders;

pub use server::HttpServer;
pub use settings::HttpServerSettings;
