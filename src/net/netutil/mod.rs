//! Network utilities (Tornado's `tornado.netutil`): listening sockets,
//! serving them, telling IP literals apart, resolving names, and TLS
//! configuration.
//!
//! - [`bind_sockets`] and [`bind_unix_socket`] make non-blocking std
//!   listeners without needing a runtime, so a process can bind and then
//!   fork workers.
//! - [`add_accept_handler`] serves a listener on the current tokio runtime,
//!   calling back for each connection until [`AcceptHandle::remove`];
//!   [`PeerAddress`] tells who connected (an IP address and port, or a
//!   Unix-socket client).
//! - [`is_valid_ip`] checks for IPv4 and IPv6 literals.
//! - [`Resolver`] is asynchronous name resolution: [`DefaultResolver`] runs
//!   `getaddrinfo` on the loop's executor, [`OverrideResolver`] puts a table
//!   of local overrides in front of another resolver.
//!
//! ```
//! use std::sync::mpsc;
//! use supercell::netutil::{Accepted, AddressFamily, add_accept_handler, bind_sockets};
//!
//! let rt = tokio::runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let listeners = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, false).unwrap();
//!     let addr = listeners[0].local_addr().unwrap();
//!     let (tx, rx) = mpsc::channel();
//!     let handle = add_accept_handler(listeners.into_iter().next().unwrap(), move |conn| {
//!         if let Accepted::Tcp(_, peer) = conn {
//!             tx.send(peer).unwrap();
//!         }
//!     })
//!     .unwrap();
//!     let client = tokio::net::TcpStream::connect(addr).await.unwrap();
//!     let peer = tokio::task::spawn_blocking(move || rx.recv().unwrap()).await.unwrap();
//!     assert_eq!(peer, client.local_addr().unwrap());
//!     handle.remove();
//! });
//! ```

mod accept;
mod bind;
mod family;
mod ip;
mod override_resolver;
mod peer;
mod resolver;
mod tls;
mod unix;

pub use accept::{ACCEPT_ERROR_BACKOFF, AcceptHandle, Accepted, Listener, add_accept_handler};
pub use bind::{DEFAULT_BACKLOG, bind_sockets};
pub use family::AddressFamily;
pub use ip::is_valid_ip;
pub use override_resolver::{OverrideKey, OverrideResolver, OverrideTarget};
pub use peer::PeerAddress;
pub use resolver::{DefaultResolver, ResolveError, ResolveFuture, Resolver};
pub use tls::*;
pub use unix::{DEFAULT_UNIX_SOCKET_MODE, bind_unix_socket};
