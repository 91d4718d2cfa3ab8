//! [`HttpServer`]: a [`TcpServer`] serving HTTP/1.x on each connection.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use super::callback::CallbackDelegate;
use super::registry::Registry;
use super::{HttpServerSettings, xheaders};
use crate::http1::{
    Http1ConnectionParameters, Http1ServerConnection, RequestContextFn, ResponseWriter,
};
use crate::httputil::{HttpServerConnectionDelegate, HttpServerRequest, RequestContext};
use crate::iostream::IoStream;
use crate::netutil::{AddressFamily, Listener, PeerAddress};
use crate::tcpserver::{HandlerError, ServerOptions, StartError, StreamHandler, TcpServer};
use crate::util::Deadline;

/// A non-blocking, single-threaded-per-connection HTTP/1.x server
/// (Tornado's `HTTPServer`).
///
/// Serves each request through a delegate
/// ([`new`](HttpServer::new), the streaming interface: the delegate sees
/// the body piece by piece) or a callback
/// ([`from_callback`](HttpServer::from_callback), the simple one: the
/// callback gets the whole request). Starts like a
/// [`TcpServer`]: [`listen`](HttpServer::listen), or
/// [`bind`](HttpServer::bind) + [`start`](HttpServer::start), or
/// [`add_sockets`](HttpServer::add_sockets).
///
/// A cheap handle: clones share one server. Dropping every handle does
/// not stop it; call [`stop`](HttpServer::stop), and
/// [`close_all_connections`](HttpServer::close_all_connections) or
/// [`drain`](HttpServer::drain) to end the connections too.
#[derive(Clone)]
pub struct HttpServer {
    tcp: TcpServer,
    connections: Arc<Registry>,
}

impl std::fmt::Debug for HttpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpServer")
            .field("tcp", &self.tcp)
            .field("connections", &self.connections.len())
            .finish()
    }
}

/// Serves each accepted stream as an HTTP/1 connection.
struct ConnectionHandler<D> {
    delegate: D,
    params: Http1ConnectionParameters,
    protocol: String,
    context_fn: Option<RequestContextFn>,
    connections: Arc<Registry>,
}

impl<D> StreamHandler for ConnectionHandler<D>
where
    D: HttpServerConnectionDelegate<ResponseWriter>,
{
    async fn handle_stream(&self, stream: IoStream, peer: PeerAddress) -> Result<(), HandlerError> {
        let context = RequestContext {
            peer,
            remote_ip: peer.ip().map(|ip| ip.to_string()).unwrap_or_default(),
            protocol: self.protocol.clone(),
        };
        // Responses leave whole (the connection gathers each one, and a
        // pipelined batch, into one write), so nothing is gained by
        // holding a segment back for the peer's ACK, and a streamed
        // response's small writes would wait for it (Tornado turns
        // Nagle's algorithm off as a response finishes for this reason).
        // Not a TCP socket (a Unix one): nothing to turn off.
        let _ = stream.set_nodelay(true);
        let mut connection = Http1ServerConnection::new(stream, self.params, context);
        if let Some(context_fn) = &self.context_fn {
            connection = connection.with_request_context(Arc::clone(context_fn));
        }
        let _registration = self.connections.register(connection.handle());
        connection.serve(&self.delegate).await;
        Ok(())
    }
}

impl HttpServer {
    /// A server handing each request to a message delegate made by
    /// `delegate` (the streaming interface).
    pub fn new<D>(delegate: D, settings: HttpServerSettings) -> HttpServer
    where
        D: HttpServerConnectionDelegate<ResponseWriter>,
    {
        let connections = Arc::new(Registry::default());
        let context_fn: Option<RequestContextFn> = settings.xheaders.then(|| {
            let trusted = settings.trusted_downstream.clone();
            Arc::new(move |base: &RequestContext, headers: &_| {
                xheaders::apply(base, headers, &trusted)
            }) as RequestContextFn
        });
        let handler = ConnectionHandler {
            delegate,
            params: settings.connection_parameters(),
            protocol: settings.default_protocol(),
            context_fn,
            connections: Arc::clone(&connections),
        };
        let options = ServerOptions {
            tls: settings.tls.clone(),
            max_buffer_size: Some(settings.max_buffer_size),
            ..ServerOptions::default()
        };
        HttpServer {
            tcp: TcpServer::with_options(handler, options),
            connections,
        }
    }

    /// A server calling `callback` with each request once all of it
    /// arrived (the simple interface, Tornado's request callback). The
    /// callback answers through the [`ResponseWriter`]; if its future ends
    /// without finishing the response, the writer finishes it (see
    /// [`ResponseWriter`]).
    pub fn from_callback<F, Fut>(callback: F, settings: HttpServerSettings) -> HttpServer
    where
        F: Fn(HttpServerRequest, ResponseWriter) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        HttpServer::new(
            CallbackDelegate {
                callback: Arc::new(callback),
            },
            settings,
        )
    }

    /// Binds `port` on `address` (`None`: every interface) and serves it
    /// at once; returns the bound addresses. Inside a tokio runtime.
    pub fn listen(&self, port: u16, address: Option<&str>) -> io::Result<Vec<SocketAddr>> {
        self.tcp.listen(port, address)
    }

    /// Serves sockets bound elsewhere (see
    /// [`TcpServer::add_sockets`]).
    pub fn add_sockets<L: Into<Listener>>(
        &self,
        listeners: impl IntoIterator<Item = L>,
    ) -> io::Result<()> {
        self.tcp.add_sockets(listeners)
    }

    /// Serves one socket bound elsewhere, TCP or Unix.
    pub fn add_socket(&self, listener: impl Into<Listener>) -> io::Result<()> {
        self.tcp.add_socket(listener)
    }

    /// Binds without serving yet (see [`TcpServer::bind`]).
    pub fn bind(
        &self,
        port: u16,
        address: Option<&str>,
        family: AddressFamily,
        backlog: Option<u32>,
        reuse_port: bool,
    ) -> io::Result<Vec<SocketAddr>> {
        self.tcp.bind(port, address, family, backlog, reuse_port)
    }

    /// Serves the bound sockets, forking first unless `num_processes` is
    /// `Some(1)` (see [`TcpServer::start`]).
    pub fn start(&self, num_processes: Option<usize>) -> Result<Option<usize>, StartError> {
        self.tcp.start(num_processes)
    }

    /// Serves the sockets `bind` and `start` left for the runtime (see
    /// [`TcpServer::add_pending_sockets`]).
    pub fn add_pending_sockets(&self) -> io::Result<()> {
        self.tcp.add_pending_sockets()
    }

    /// Stops accepting connections; the open ones go on.
    pub fn stop(&self) {
        self.tcp.stop();
    }

    /// How many connections are open.
    pub fn connection_count(&self) -> usize {
        self.connections.len()
    }

    /// Closes every open connection and returns once all have ended
    /// (Tornado's `close_all_connections`). Requests under way see their
    /// connection closed. Call [`stop`](HttpServer::stop) first, or new
    /// connections keep coming.
    pub async fn close_all_connections(&self) {
        self.connections.close_all().await;
    }

    /// Shuts down gracefully: stops accepting, closes idle connections at
    /// once, lets each request under way finish, its response carrying
    /// `Connection: close`, and closes its connection after it; whatever
    /// is still open at `deadline` is closed as by
    /// [`close_all_connections`](HttpServer::close_all_connections).
    pub async fn drain(&self, deadline: impl Into<Deadline>) {
        let deadline = deadline.into().instant();
        self.stop();
        if !self.connections.drain(deadline).await {
            self.connections.close_all().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::httputil::HttpServerRequest;
    use socket2::SockRef;

    #[tokio::test]
    async fn server_connections_send_without_waiting_for_acks() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, peer) = listener.accept().unwrap();
        let probe = accepted.try_clone().unwrap();
        assert!(!SockRef::from(&probe).tcp_nodelay().unwrap());
        accepted.set_nonblocking(true).unwrap();
        let stream = IoStream::from_tcp(tokio::net::TcpStream::from_std(accepted).unwrap());
        let handler = ConnectionHandler {
            delegate: CallbackDelegate {
                callback: Arc::new(|_: HttpServerRequest, _: ResponseWriter| async {}),
            },
            params: Http1ConnectionParameters::default(),
            protocol: "http".to_owned(),
            context_fn: None,
            connections: Arc::default(),
        };
        let serving =
            tokio::spawn(
                async move { handler.handle_stream(stream, PeerAddress::Inet(peer)).await },
            );
        tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while !SockRef::from(&probe).tcp_nodelay().unwrap() {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("TCP_NODELAY is set on the served connection");
        serving.abort();
    }
}
