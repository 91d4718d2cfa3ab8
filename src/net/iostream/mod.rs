//! Non-blocking streams over sockets, pipes and TLS (Tornado's
//! `tornado.iostream`).
//!
//! [`IoStream`] reads and writes one connection: TCP, a Unix socket, one
//! end of a pipe, or TLS over a socket (rustls). Reads wait for a
//! delimiter ([`IoStream::read_until`]), a pattern
//! ([`IoStream::read_until_regex`]), a number of bytes
//! ([`IoStream::read_bytes`], [`IoStream::read_into`]) or the end of the
//! stream ([`IoStream::read_until_close`]); one read is pending at a time.
//! The end of the stream closes it, except for
//! [`IoStream::read_available`], which reports it and leaves the stream
//! open for writing (a peer that half-closed).
//! [`IoStream::write`] queues data at once and returns a future that
//! resolves when it reached the kernel; [`IoStream::shutdown_write`]
//! half-closes the stream once everything written is out. Limits guard memory:
//! `max_buffer_size` for reads, `max_bytes` per delimited read,
//! `max_write_buffer_size` for writes.
//!
//! An echo over TCP:
//!
//! ```
//! use supercell::iostream::IoStream;
//! use tokio::net::TcpListener;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let server = tokio::spawn(async move {
//!     let (socket, _) = listener.accept().await?;
//!     let stream = IoStream::from_tcp(socket);
//!     let line = stream.read_until(b"\n", Some(1024)).await?;
//!     stream.write(line).await?;
//!     Ok::<_, supercell::iostream::StreamError>(())
//! });
//!
//! let client = IoStream::connect(addr).await?;
//! client.write(&b"hello\n"[..]).await?;
//! assert_eq!(&client.read_until(b"\n", None).await?[..], b"hello\n");
//! server.await??;
//! # Ok(())
//! # }
//! ```

mod error;
mod monitor;
mod read;
mod state;
mod stream;
mod tls;
mod transport;
mod write;
mod write_queue;
mod write_waiters;

pub use error::{
    StartTlsError, StreamBufferFullError, StreamClosedError, StreamError, UnsatisfiableReadError,
};
pub use stream::IoStream;
pub use write::WriteFuture;
