//! Serving a listening socket: [`add_accept_handler`].

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::os::unix::net::UnixListener;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread::{self, ThreadId};
use std::time::Duration;

use tokio::task::JoinHandle;

use super::DEFAULT_BACKLOG;
use crate::util::log_target::APP_LOG;
use crate::util::{lock, panic_message};

/// How long accepting pauses after an error that is not about one
/// connection (out of file descriptors, out of memory, ...), so the
/// process is not spun by a listener that stays readable.
pub const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_secs(1);

/// A listening socket for [`add_accept_handler`]; both kinds convert into
/// it with `From`.
#[derive(Debug)]
pub enum Listener {
    /// A TCP listener, as [`bind_sockets`](super::bind_sockets) returns.
    Tcp(std::net::TcpListener),
    /// A Unix-domain listener, as
    /// [`bind_unix_socket`](super::bind_unix_socket) returns.
    Unix(UnixListener),
}

impl From<std::net::TcpListener> for Listener {
    fn from(listener: std::net::TcpListener) -> Self {
        Listener::Tcp(listener)
    }
}

impl From<UnixListener> for Listener {
    fn from(listener: UnixListener) -> Self {
        Listener::Unix(listener)
    }
}

/// A connection accepted by [`add_accept_handler`].
#[derive(Debug)]
pub enum Accepted {
    /// A TCP connection and the address of its peer.
    Tcp(tokio::net::TcpStream, SocketAddr),
    /// A Unix-domain connection.
    Unix(tokio::net::UnixStream),
}

/// The listener registered with the runtime.
enum Registered {
    Tcp(tokio::net::TcpListener),
    Unix(tokio::net::UnixListener),
}

impl Registered {
    fn new(listener: Listener) -> io::Result<Registered> {
        Ok(match listener {
            Listener::Tcp(l) => {
                l.set_nonblocking(true)?;
                Registered::Tcp(tokio::net::TcpListener::from_std(l)?)
            }
            Listener::Unix(l) => {
                l.set_nonblocking(true)?;
                Registered::Unix(tokio::net::UnixListener::from_std(l)?)
            }
        })
    }

    fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<Accepted>> {
        match self {
            Registered::Tcp(l) => l
                .poll_accept(cx)
                .map_ok(|(stream, peer)| Accepted::Tcp(stream, peer)),
            Registered::Unix(l) => l
                .poll_accept(cx)
                .map_ok(|(stream, _)| Accepted::Unix(stream)),
        }
    }
}

/// Why [`add_accept_handler`] failed before registering anything.
#[derive(Debug, thiserror::Error)]
#[error("add_accept_handler must be called inside a tokio runtime")]
struct NoRuntime;

type Callback = Box<dyn FnMut(Accepted) + Send>;

/// What the accept task and the handle share.
struct Shared {
    /// Accepting and running the callback both happen with this held, so
    /// `remove` (which takes it to close the listener) waits for a running
    /// callback and no callback starts after it.
    state: Mutex<State>,
    /// Set by `remove`; read by the accept loop after each callback, for a
    /// `remove` called from inside the callback.
    removed: AtomicBool,
    /// The thread holding `state` in the accept loop, if any.
    accepting_on: Mutex<Option<ThreadId>>,
}

struct State {
    /// `None` once removed: the socket is closed.
    listener: Option<Registered>,
    callback: Callback,
}

/// Serves `listener` on the current tokio runtime: `callback` runs for each
/// accepted connection (Tornado's `add_accept_handler`).
///
/// Up to [`DEFAULT_BACKLOG`] connections are accepted per wake-up; then the
/// accept task yields so other tasks run even under a flood of
/// connections. The callback is synchronous and should be quick, typically
/// spawning a task for the connection. A panicking callback is logged on
/// the application log and accepting goes on.
///
/// Errors of accepting are handled here, never returned:
/// - errors about one connection (`ECONNABORTED`, `ECONNRESET`, `EPROTO`,
///   network-down and host-unreachable errors, `EPERM` from a firewall,
///   Linux's `ENONET`) and
///   `EINTR`/`EAGAIN` are skipped silently;
/// - any other error (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`, ...) is
///   logged as an error on the application log and accepting pauses for
///   [`ACCEPT_ERROR_BACKOFF`] before trying again.
///
/// The returned [`AcceptHandle`]'s [`remove`](AcceptHandle::remove) stops
/// accepting and closes the listener. **Dropping the handle does not stop
/// the server**: it goes on until the runtime shuts down (Tornado's remove
/// function may likewise be ignored).
///
/// Fails when called outside a tokio runtime or when the listener cannot
/// be registered with it.
///
/// # Panics
/// When the current runtime was built without its IO driver
/// (`enable_io`), as tokio's own listeners do.
pub fn add_accept_handler(
    listener: impl Into<Listener>,
    callback: impl FnMut(Accepted) + Send + 'static,
) -> io::Result<AcceptHandle> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| io::Error::other(NoRuntime))?;
    let registered = {
        let _entered = runtime.enter();
        Registered::new(listener.into())?
    };
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            listener: Some(registered),
            callback: Box::new(callback),
        }),
        removed: AtomicBool::new(false),
        accepting_on: Mutex::new(None),
    });
    let task = runtime.spawn(accept_loop(Arc::clone(&shared)));
    Ok(AcceptHandle { shared, task })
}

/// Stops an [`add_accept_handler`] server (Tornado's returned remove
/// function). Dropping it leaves the server running.
pub struct AcceptHandle {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl AcceptHandle {
    /// Stops accepting and closes the listening socket.
    ///
    /// When it returns, no callback is running (it waits for one running on
    /// another thread to finish) and none will start, even for connections
    /// still waiting in the listen backlog: those are refused when the
    /// socket closes. Nothing is logged. Called from inside the callback,
    /// it returns at once and the socket closes as soon as the callback
    /// returns.
    ///
    /// Because it waits for a running callback, two servers must not remove
    /// each other from their callbacks at the same time on two threads:
    /// each would wait for the other.
    pub fn remove(self) {
        self.shared.removed.store(true, Ordering::Release);
        let inside_callback = *lock(&self.shared.accepting_on) == Some(thread::current().id());
        if !inside_callback {
            lock(&self.shared.state).listener = None;
        }
        // Frees the callback even if the task waits on the closed socket.
        self.task.abort();
    }
}

impl std::fmt::Debug for AcceptHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcceptHandle")
            .field("removed", &self.shared.removed.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

/// Why the accept loop stopped polling the listener.
enum Pause {
    Stopped,
    Failed(io::Error),
}

async fn accept_loop(shared: Arc<Shared>) {
    loop {
        match poll_fn(|cx| accept_batch(&shared, cx)).await {
            Pause::Stopped => return,
            Pause::Failed(e) => {
                if shared.removed.load(Ordering::Acquire) {
                    return;
                }
                tracing::error!(
                    target: APP_LOG,
                    "error accepting a connection, pausing for {ACCEPT_ERROR_BACKOFF:?}: {e}"
                );
                tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
            }
        }
    }
}

/// Accepts and hands over up to a backlog's worth of connections.
fn accept_batch(shared: &Shared, cx: &mut Context<'_>) -> Poll<Pause> {
    let mut state = lock(&shared.state);
    let _accepting = AcceptingOn::enter(shared);
    let State { listener, callback } = &mut *state;
    for _ in 0..DEFAULT_BACKLOG {
        if shared.removed.load(Ordering::Acquire) {
            *listener = None;
        }
        let Some(registered) = listener else {
            return Poll::Ready(Pause::Stopped);
        };
        match registered.poll_accept(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(accepted)) => run_callback(callback, accepted),
            Poll::Ready(Err(e)) if is_per_connection(&e) => {}
            Poll::Ready(Err(e)) => return Poll::Ready(Pause::Failed(e)),
        }
    }
    // A full batch: let other tasks run before accepting more.
    cx.waker().wake_by_ref();
    Poll::Pending
}

fn run_callback(callback: &mut Callback, accepted: Accepted) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| callback(accepted))) {
        tracing::error!(
            target: APP_LOG,
            "accept callback panicked: {}",
            panic_message(panic.as_ref())
        );
    }
}

/// Errors about one connection, or none at all: accepting goes on at once.
fn is_per_connection(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted
            | ConnectionReset
            | Interrupted
            | WouldBlock
            | TimedOut
            | HostUnreachable
            | NetworkUnreachable
            | NetworkDown
    ) || matches!(
        e.raw_os_error(),
        Some(libc::EPROTO | libc::ENOPROTOOPT | libc::EHOSTDOWN | libc::EPERM)
    ) || is_enonet(e)
}

/// Linux's `accept(2)` lists `ENONET` among the network errors of the
/// pending connection, to be treated like `EAGAIN`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn is_enonet(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ENONET)
}

/// `ENONET` exists on Linux only.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn is_enonet(_: &io::Error) -> bool {
    false
}

/// Records which thread runs the accept loop while it holds the state.
struct AcceptingOn<'a>(&'a Shared);

impl<'a> AcceptingOn<'a> {
    fn enter(shared: &'a Shared) -> Self {
        *lock(&shared.accepting_on) = Some(thread::current().id());
        AcceptingOn(shared)
    }
}

impl Drop for AcceptingOn<'_> {
    fn drop(&mut self) {
        *lock(&self.0.accepting_on) = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_connection_errors_are_told_from_exhaustion() {
        for errno in [libc::ECONNABORTED, libc::EINTR, libc::EAGAIN, libc::EPROTO] {
            assert!(
                is_per_connection(&io::Error::from_raw_os_error(errno)),
                "{errno}"
            );
        }
        for errno in [
            libc::EMFILE,
            libc::ENFILE,
            libc::ENOBUFS,
            libc::ENOMEM,
            libc::EBADF,
        ] {
            assert!(
                !is_per_connection(&io::Error::from_raw_os_error(errno)),
                "{errno}"
            );
        }
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn enonet_is_about_one_connection() {
        assert!(is_per_connection(&io::Error::from_raw_os_error(
            libc::ENONET
        )));
    }

    #[test]
    fn outside_a_runtime_is_an_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let err = add_accept_handler(listener, |_| {}).unwrap_err();
        assert!(err.to_string().contains("tokio runtime"), "{err}");
    }
}
