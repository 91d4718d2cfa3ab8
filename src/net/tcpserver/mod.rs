//! A TCP server handing each connection to a handler task (Tornado's
//! `tornado.tcpserver`).
//!
//! Implement [`StreamHandler`] (or wrap a closure with [`handler_fn`]) and
//! give it to a [`TcpServer`]. Each accepted connection becomes an
//! [`IoStream`](crate::iostream::IoStream) and its own tokio task runs the
//! handler with the peer's [`PeerAddress`](crate::netutil::PeerAddress);
//! an `Err` or a panic from the handler is logged on the application log
//! and touches nothing else.
//!
//! An echo server on a free port of 127.0.0.1, and a client:
//!
//! ```
//! use supercell::iostream::{IoStream, StreamError};
//! use supercell::netutil::PeerAddress;
//! use supercell::tcpclient::{ConnectOptions, TcpClient};
//! use supercell::tcpserver::{HandlerError, StreamHandler, TcpServer};
//!
//! struct EchoServer;
//!
//! impl StreamHandler for EchoServer {
//!     async fn handle_stream(&self, stream: IoStream, _address: PeerAddress) -> Result<(), HandlerError> {
//!         loop {
//!             match stream.read_until(b"\n", None).await {
//!                 Ok(line) => stream.write(line).await?,
//!                 Err(StreamError::Closed(_)) => return Ok(()),
//!                 Err(error) => return Err(error.into()),
//!             }
//!         }
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = TcpServer::new(EchoServer);
//! let addrs = server.listen(0, Some("127.0.0.1"))?;
//!
//! let client = TcpClient::default();
//! let stream = client.connect("127.0.0.1", addrs[0].port(), ConnectOptions::default()).await?;
//! stream.write(&b"hello\n"[..]).await?;
//! assert_eq!(&stream.read_until(b"\n", None).await?[..], b"hello\n");
//!
//! server.stop();
//! # Ok(())
//! # }
//! ```
//!
//! # Starting a server
//!
//! As in Tornado, in one of three ways:
//!
//! 1. [`listen`](TcpServer::listen), inside a tokio runtime: binds and
//!    serves at once, in this process.
//! 2. [`bind`](TcpServer::bind), then [`start`](TcpServer::start): a simple
//!    multi-process server. Forking must happen before any tokio runtime
//!    exists, so call `bind` and `start(n)` first, then build the runtime
//!    in each worker and call
//!    [`add_pending_sockets`](TcpServer::add_pending_sockets) inside it:
//!
//!    ```no_run
//!    # use supercell::tcpserver::{TcpServer, handler_fn};
//!    # use supercell::netutil::AddressFamily;
//!    # fn main() -> Result<(), Box<dyn std::error::Error>> {
//!    let server = TcpServer::new(handler_fn(|stream, _| async move {
//!        stream.write(&b"bye\n"[..]).await?;
//!        Ok(())
//!    }));
//!    server.bind(8888, None, AddressFamily::Unspec, None, false)?;
//!    server.start(None)?; // forks one worker per CPU; no runtime yet
//!    let runtime = tokio::runtime::Runtime::new()?;
//!    runtime.block_on(async {
//!        server.add_pending_sockets()?;
//!        std::future::pending::<std::io::Result<()>>().await
//!    })?;
//!    # Ok(())
//!    # }
//!    ```
//!
//!    `bind` then `start(Some(1))` inside a runtime serves at once, with no
//!    fork.
//! 3. [`bind_sockets`](crate::netutil::bind_sockets), then
//!    [`fork_processes`](crate::process::fork_processes), then (in the
//!    runtime of each worker) [`add_sockets`](TcpServer::add_sockets): the
//!    same with full control over when the fork happens.
//!
//! [`stop`](TcpServer::stop) stops accepting and closes the listening
//! sockets; connections already accepted go on.
//!
//! # Unix-domain sockets
//!
//! As in Tornado, a server also serves a Unix socket given to
//! [`add_socket`](TcpServer::add_socket) (plain or TLS alike); the handler
//! gets [`PeerAddress::Unix`](crate::netutil::PeerAddress::Unix) as the
//! address:
//!
//! ```
//! use supercell::iostream::IoStream;
//! use supercell::netutil::{DEFAULT_UNIX_SOCKET_MODE, PeerAddress, bind_unix_socket};
//! use supercell::tcpserver::{TcpServer, handler_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let path = std::env::temp_dir().join(format!("tcpserver-doc-{}.sock", std::process::id()));
//! let server = TcpServer::new(handler_fn(|stream, address| async move {
//!     assert_eq!(address, PeerAddress::Unix);
//!     stream.write(&b"hello\n"[..]).await?;
//!     Ok(())
//! }));
//! server.add_socket(bind_unix_socket(&path, DEFAULT_UNIX_SOCKET_MODE, None)?)?;
//!
//! let client = IoStream::from_unix(tokio::net::UnixStream::connect(&path).await?);
//! assert_eq!(&client.read_until(b"\n", None).await?[..], b"hello\n");
//! server.stop(); // leaves the socket file, as Tornado does
//! std::fs::remove_file(&path)?;
//! # Ok(())
//! # }
//! ```
//!
//! # TLS
//!
//! With [`ServerOptions::tls`], the TLS handshake is complete before the
//! handler is called. A handshake that fails (a plain-text client, a
//! certificate the client rejects) is logged on the general log as a
//! warning naming the client's address; a client that closes or resets the
//! connection during the handshake is noted at debug level only. Either
//! way the server goes on. A client gets
//! [`ServerOptions::handshake_timeout`] (default
//! [`DEFAULT_HANDSHAKE_TIMEOUT`], 30 seconds) to complete the handshake;
//! then its connection is closed, so a silent client holds neither a
//! socket nor a task.

mod connection;
mod error;
mod handler;
mod options;
mod server;

pub use error::StartError;
pub use handler::{HandlerError, StreamHandler, handler_fn};
pub use options::{DEFAULT_HANDSHAKE_TIMEOUT, ServerOptions};
pub use server::TcpServer;
