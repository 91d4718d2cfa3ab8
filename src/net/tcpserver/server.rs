use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

use super::connection::Connections;
use super::{ServerOptions, StartError, StreamHandler};
use crate::netutil::{AcceptHandle, AddressFamily, Listener, add_accept_handler, bind_sockets};
use crate::process::{ForkError, fork_processes};
use crate::util::lock;

/// A TCP server: accepts connections and hands each one, as an
/// [`IoStream`](crate::iostream::IoStream), to a [`StreamHandler`]
/// (Tornado's `TCPServer`). It serves Unix-domain sockets as well, given
/// to [`add_socket`](TcpServer::add_socket).
///
/// A cheap handle: clones share one server, and every method takes `&self`,
/// so a handler can hold a clone and [`stop`](TcpServer::stop) the server.
/// Dropping every handle does **not** stop the server (as in Tornado, the
/// listening sockets live on in the runtime); call `stop`.
///
/// See the [module docs](super) for the three ways to start one.
#[derive(Clone)]
pub struct TcpServer {
    connections: Arc<Connections>,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    /// The sockets being served.
    accepting: Vec<AcceptHandle>,
    /// Sockets bound by `bind` and not served yet.
    pending: Vec<TcpListener>,
    /// Whether `start` was called.
    started: bool,
}

impl TcpServer {
    /// A server calling `handler` with the default [`ServerOptions`].
    pub fn new(handler: impl StreamHandler) -> TcpServer {
        TcpServer::with_options(handler, ServerOptions::default())
    }

    /// A server calling `handler`, with TLS, buffer sizes or a handshake
    /// timeout from `options`.
    pub fn with_options(handler: impl StreamHandler, options: ServerOptions) -> TcpServer {
        TcpServer {
            connections: Arc::new(Connections {
                handler: Arc::new(handler),
                options,
            }),
            state: Arc::default(),
        }
    }

    /// The options the server was made with.
    pub fn options(&self) -> &ServerOptions {
        &self.connections.options
    }

    /// Binds `port` on `address` (`None`: every interface, both IPv4 and
    /// IPv6) and starts accepting at once; returns the addresses now
    /// listened on, which tell the port chosen for port 0. Must be called
    /// inside a tokio runtime. May be called more than once.
    pub fn listen(&self, port: u16, address: Option<&str>) -> io::Result<Vec<SocketAddr>> {
        let listeners = bind_sockets(port, address, AddressFamily::Unspec, None, false)?;
        let addrs = local_addrs(&listeners)?;
        self.add_sockets(listeners)?;
        Ok(addrs)
    }

    /// Starts accepting connections on sockets bound elsewhere: TCP
    /// listeners such as [`bind_sockets`] makes (typically before
    /// [`fork_processes`](crate::process::fork_processes)), or Unix-domain
    /// listeners from [`bind_unix_socket`](crate::netutil::bind_unix_socket)
    /// (Tornado's `add_sockets`; both kinds convert into [`Listener`]).
    /// Must be called inside a tokio runtime.
    ///
    /// The handler gets the peer of a Unix-socket connection as
    /// [`PeerAddress::Unix`](crate::netutil::PeerAddress::Unix); with TLS,
    /// the handshake runs over a Unix socket as over TCP.
    ///
    /// All or nothing: when one listener cannot be registered with the
    /// runtime, the listeners of this call registered before it stop being
    /// served, every listener of the call is closed, and the error is
    /// returned; the sockets served before the call go on.
    pub fn add_sockets<L: Into<Listener>>(
        &self,
        listeners: impl IntoIterator<Item = L>,
    ) -> io::Result<()> {
        self.serve(&mut lock(&self.state), listeners)
    }

    /// Serves `listeners` with the state locked, so that a concurrent
    /// `stop`, which takes the lock too, either closes them all or comes
    /// before any is served.
    fn serve<L: Into<Listener>>(
        &self,
        state: &mut State,
        listeners: impl IntoIterator<Item = L>,
    ) -> io::Result<()> {
        let mut added = Vec::new();
        for listener in listeners {
            let connections = Arc::clone(&self.connections);
            let registered = add_accept_handler(listener, move |accepted| {
                tokio::spawn(Arc::clone(&connections).serve(accepted));
            });
            match registered {
                Ok(handle) => added.push(handle),
                Err(error) => {
                    for handle in added {
                        handle.remove();
                    }
                    return Err(error);
                }
            }
        }
        state.accepting.extend(added);
        Ok(())
    }

    /// Singular version of [`add_sockets`](TcpServer::add_sockets).
    pub fn add_socket(&self, listener: impl Into<Listener>) -> io::Result<()> {
        self.add_sockets([listener])
    }

    /// Binds `port` on `address` without serving it yet (Tornado's `bind`):
    /// [`start`](TcpServer::start) does. Returns the bound addresses, which
    /// tell the port chosen for port 0. Works before any runtime exists,
    /// so a multi-process server binds before forking and every process
    /// shares the sockets.
    ///
    /// `address` is an IP address or a host name (every address it
    /// resolves to is bound); `None` binds every interface. `family`
    /// restricts to IPv4 or IPv6; `backlog` defaults to 128; `reuse_port`
    /// sets `SO_REUSEPORT`. May be called several times before `start`;
    /// called after `start` inside a runtime, it serves the new sockets at
    /// once.
    pub fn bind(
        &self,
        port: u16,
        address: Option<&str>,
        family: AddressFamily,
        backlog: Option<u32>,
        reuse_port: bool,
    ) -> io::Result<Vec<SocketAddr>> {
        let listeners = bind_sockets(port, address, family, backlog, reuse_port)?;
        let addrs = local_addrs(&listeners)?;
        let mut state = lock(&self.state);
        state.pending.extend(listeners);
        if state.started && tokio::runtime::Handle::try_current().is_ok() {
            let pending = std::mem::take(&mut state.pending);
            self.serve(&mut state, pending)?;
        }
        Ok(addrs)
    }

    /// Starts serving the sockets of [`bind`](TcpServer::bind), first
    /// forking worker processes unless `num_processes` is `Some(1)`
    /// (Tornado's `start`).
    ///
    /// `None` or `Some(0)` forks one process per CPU, `Some(n)` forks `n`,
    /// through [`fork_processes`] (which must run before any tokio runtime
    /// exists, and keeps the parent process supervising the children).
    /// Called inside a runtime, `start` serves the sockets at once; called
    /// before the runtime exists, as forking requires, it leaves them for
    /// [`add_pending_sockets`](TcpServer::add_pending_sockets), to call
    /// inside the runtime.
    ///
    /// Returns the task id of this worker when it forked (`0..n`, as
    /// [`fork_processes`] returns it), `None` for `Some(1)`. Fails when
    /// called twice, when forking fails, or when a socket cannot be
    /// registered with the runtime.
    ///
    /// Only when [`fork_processes`] refused to fork at all
    /// ([`ForkError::RuntimeExists`](crate::process::ForkError::RuntimeExists),
    /// [`ForkError::ThreadsExist`](crate::process::ForkError::ThreadsExist))
    /// is the server left as it was, so that `start` may be called again.
    /// Any later error of [`fork_processes`] (a failed `fork`, too many
    /// restarts) comes back in the parent while children made before it
    /// may still run and serve the sockets, as in Tornado; the server then
    /// stays started, and a second `start` is
    /// [`StartError::AlreadyStarted`].
    pub fn start(&self, num_processes: Option<usize>) -> Result<Option<usize>, StartError> {
        {
            let mut state = lock(&self.state);
            if state.started {
                return Err(StartError::AlreadyStarted);
            }
            state.started = true;
        }
        let task_id = match num_processes {
            Some(1) => None,
            _ => match fork_processes(num_processes, None) {
                Ok(task_id) => Some(task_id),
                Err(error) => {
                    if matches!(
                        error,
                        ForkError::RuntimeExists | ForkError::ThreadsExist { .. }
                    ) {
                        // Refused before any fork: nothing started.
                        lock(&self.state).started = false;
                    }
                    return Err(error.into());
                }
            },
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            self.add_pending_sockets()?;
        }
        Ok(task_id)
    }

    /// Serves the sockets that [`bind`](TcpServer::bind) and
    /// [`start`](TcpServer::start) left pending because no runtime existed
    /// yet. Must be called inside a tokio runtime; does nothing when no
    /// socket is pending.
    pub fn add_pending_sockets(&self) -> io::Result<()> {
        let mut state = lock(&self.state);
        let pending = std::mem::take(&mut state.pending);
        self.serve(&mut state, pending)
    }

    /// Stops accepting and closes the listening sockets (Tornado's `stop`).
    ///
    /// Connections already accepted go on. When it returns, no new
    /// connection will reach the handler. Logs nothing and may be called
    /// any number of times, including from inside a handler.
    ///
    /// The file of a Unix-domain socket stays where it was bound, as in
    /// Tornado: the server never removes files. Clients trying it are
    /// refused, and [`bind_unix_socket`](crate::netutil::bind_unix_socket)
    /// replaces it when the path is bound again.
    pub fn stop(&self) {
        let (accepting, pending) = {
            let mut state = lock(&self.state);
            (
                std::mem::take(&mut state.accepting),
                std::mem::take(&mut state.pending),
            )
        };
        for handle in accepting {
            handle.remove();
        }
        drop(pending);
    }
}

/// The addresses `listeners` are bound to.
fn local_addrs(listeners: &[TcpListener]) -> io::Result<Vec<SocketAddr>> {
    listeners.iter().map(TcpListener::local_addr).collect()
}

impl std::fmt::Debug for TcpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("TcpServer")
            .field("options", &self.connections.options)
            .field("accepting", &state.accepting.len())
            .field("pending", &state.pending.len())
            .field("started", &state.started)
            .finish_non_exhaustive()
    }
}
