//! Opening TCP connections (Tornado's `tornado.tcpclient`).
//!
//! [`TcpClient::connect`] resolves a host name, connects with the "Happy
//! Eyeballs" algorithm of RFC 6555 ([`Connector`]: the resolver's first
//! address family first, the other one [`INITIAL_CONNECT_TIMEOUT`] later or
//! as soon as the first fails), and hands back an
//! [`IoStream`](crate::iostream::IoStream), optionally over TLS. The
//! [`ConnectOptions`] add a family filter, a local source address, a buffer
//! limit and an overall timeout.
//!
//! A client talking to an echo server on a free port of 127.0.0.1:
//!
//! ```
//! use std::time::Duration;
//! use supercell::iostream::StreamError;
//! use supercell::tcpclient::{ConnectOptions, TcpClient};
//! use supercell::tcpserver::{TcpServer, handler_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = TcpServer::new(handler_fn(|stream, _address| async move {
//!     loop {
//!         match stream.read_until(b"\n", None).await {
//!             Ok(line) => stream.write(line).await?,
//!             Err(StreamError::Closed(_)) => return Ok(()),
//!             Err(error) => return Err(error.into()),
//!         }
//!     }
//! }));
//! let port = server.listen(0, Some("127.0.0.1"))?[0].port();
//!
//! let options = ConnectOptions {
//!     timeout: Some(Duration::from_secs(5).into()),
//!     ..ConnectOptions::default()
//! };
//! let stream = TcpClient::default().connect("127.0.0.1", port, options).await?;
//! stream.write(&b"ping\n"[..]).await?;
//! assert_eq!(&stream.read_until(b"\n", None).await?[..], b"ping\n");
//!
//! server.stop();
//! # Ok(())
//! # }
//! ```

mod attempt;
mod client;
mod connector;
mod error;
mod options;

pub use client::TcpClient;
pub use connector::{Connector, INITIAL_CONNECT_TIMEOUT};
pub use error::ConnectError;
pub use options::ConnectOptions;
