use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::iostream::IoStream;
use crate::netutil::PeerAddress;

/// What a failing [`StreamHandler`] returns: any error. It is logged on the
/// application log ([`APP_LOG`](crate::util::log_target::APP_LOG)) and the
/// server goes on.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The connection handler of a [`TcpServer`](super::TcpServer): Tornado's
/// `TCPServer.handle_stream`.
///
/// The server calls [`handle_stream`](StreamHandler::handle_stream) once per
/// accepted connection, each call in its own tokio task, so a slow handler
/// never holds up accepting. With TLS, the handshake is already complete
/// when it is called. An `Err` or a panic is logged on the application log
/// and affects no other connection.
///
/// A closure can be a handler through [`handler_fn`].
pub trait StreamHandler: Send + Sync + 'static {
    /// Serves one connection: `stream` is connected to the peer at
    /// `address`, an IP address and port for TCP, [`PeerAddress::Unix`]
    /// for a Unix socket (Tornado passes an empty address there).
    fn handle_stream(
        &self,
        stream: IoStream,
        address: PeerAddress,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

/// A [`StreamHandler`] that calls `f(stream, address)` for each connection.
///
/// ```
/// use supercell::tcpserver::{TcpServer, handler_fn};
///
/// let server = TcpServer::new(handler_fn(|stream, _address| async move {
///     stream.write(&b"hello\n"[..]).await?;
///     stream.close();
///     Ok(())
/// }));
/// # drop(server);
/// ```
pub fn handler_fn<F, Fut>(f: F) -> impl StreamHandler
where
    F: Fn(IoStream, PeerAddress) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    FnHandler(f)
}

/// The handler [`handler_fn`] makes.
struct FnHandler<F>(F);

impl<F, Fut> StreamHandler for FnHandler<F>
where
    F: Fn(IoStream, PeerAddress) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    fn handle_stream(
        &self,
        stream: IoStream,
        address: PeerAddress,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send {
        (self.0)(stream, address)
    }
}

/// A handler call as a `'static` task body.
pub(super) type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send>>;

/// [`StreamHandler`] with its type erased, so the server is not generic.
pub(super) trait ErasedHandler: Send + Sync {
    /// Calls `handle_stream` on a shared handler, owning what it needs.
    fn call(self: Arc<Self>, stream: IoStream, address: PeerAddress) -> HandlerFuture;
}

impl<H: StreamHandler> ErasedHandler for H {
    fn call(self: Arc<Self>, stream: IoStream, address: PeerAddress) -> HandlerFuture {
        Box::pin(async move { self.handle_stream(stream, address).await })
    }
}
