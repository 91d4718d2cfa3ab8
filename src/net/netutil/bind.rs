//! Listening TCP sockets: [`bind_sockets`].

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, ToSocketAddrs};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::AddressFamily;

/// The listen backlog used when none is given (Tornado's `_DEFAULT_BACKLOG`).
pub const DEFAULT_BACKLOG: u32 = 128;

/// How many times a port-0 bind is tried from scratch when a later socket
/// cannot take the port the first one was given.
const EPHEMERAL_ATTEMPTS: usize = 5;

/// Why [`bind_sockets`] failed; carried inside the returned `io::Error`.
#[derive(Debug, thiserror::Error)]
enum BindError {
    #[error("cannot resolve {host:?} to bind to it: {source}")]
    Resolve { host: String, source: io::Error },
    #[error("{host:?} has no {family:?} address to bind to")]
    NoAddress { host: String, family: AddressFamily },
    #[error("cannot bind {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("the platform does not support SO_REUSEPORT")]
    ReusePortUnsupported,
}

impl BindError {
    fn into_io(self) -> io::Error {
        let kind = match &self {
            BindError::Resolve { source, .. } | BindError::Bind { source, .. } => source.kind(),
            BindError::NoAddress { .. } => io::ErrorKind::AddrNotAvailable,
            BindError::ReusePortUnsupported => io::ErrorKind::Unsupported,
        };
        io::Error::new(kind, self)
    }
}

/// Creates listening sockets bound to `port` on `address` (Tornado's
/// `bind_sockets`).
///
/// - `address` may be an IP literal or a host name; every address the name
///   resolves to (of the wanted `family`) gets its own socket, duplicates
///   removed and the resolver's order kept. `None` or `""` means every
///   interface: one IPv4 socket on `0.0.0.0` and one IPv6 socket on `::`
///   (as `getaddrinfo` answers with `AI_PASSIVE`).
/// - IPv6 sockets are IPv6-only (`IPV6_V6ONLY`), so an IPv4 and an IPv6
///   socket can listen on the same port side by side.
/// - With `port` 0 the first socket gets a free port from the system and
///   the others bind that same port. If another program holds that port on
///   a later address, the whole bind starts over (a few times) instead of
///   failing.
/// - `SO_REUSEADDR` is set on Unix. `reuse_port` sets `SO_REUSEPORT`; on a
///   platform without it the call fails with
///   [`Unsupported`](io::ErrorKind::Unsupported).
/// - `backlog` defaults to [`DEFAULT_BACKLOG`] (128).
/// - A socket of a family the system does not support (IPv6 disabled in the
///   kernel) is skipped; the call fails only when nothing could be bound.
///
/// The listeners are non-blocking and close-on-exec. No runtime is needed:
/// a process may bind, then fork workers that each serve the listeners
/// with [`add_accept_handler`](super::add_accept_handler).
///
/// Errors keep the kind of the underlying failure (for example
/// [`AddrInUse`](io::ErrorKind::AddrInUse)) and say which address failed.
pub fn bind_sockets(
    port: u16,
    address: Option<&str>,
    family: AddressFamily,
    backlog: Option<u32>,
    reuse_port: bool,
) -> io::Result<Vec<TcpListener>> {
    if reuse_port && !REUSE_PORT_SUPPORTED {
        return Err(BindError::ReusePortUnsupported.into_io());
    }
    let address = address.filter(|a| !a.is_empty());
    let addrs = passive_addresses(address, port, family).map_err(BindError::into_io)?;
    let backlog = i32::try_from(backlog.unwrap_or(DEFAULT_BACKLOG)).unwrap_or(i32::MAX);
    let mut attempt = 1;
    loop {
        match bind_all(&addrs, backlog, reuse_port) {
            Err(BindError::Bind { source, .. })
                if port == 0
                    && source.kind() == io::ErrorKind::AddrInUse
                    && attempt < EPHEMERAL_ATTEMPTS =>
            {
                attempt += 1;
            }
            result => return result.map_err(BindError::into_io),
        }
    }
}

/// The addresses to bind: the wildcard pair, or what `host` resolves to.
fn passive_addresses(
    host: Option<&str>,
    port: u16,
    family: AddressFamily,
) -> Result<Vec<SocketAddr>, BindError> {
    let resolved: Vec<SocketAddr> = match host {
        None => vec![
            SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)),
            SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)),
        ],
        Some(host) => (host, port)
            .to_socket_addrs()
            .map_err(|source| BindError::Resolve {
                host: host.to_owned(),
                source,
            })?
            .collect(),
    };
    let mut addrs: Vec<SocketAddr> = Vec::with_capacity(resolved.len());
    for addr in resolved {
        if family.matches(&addr) && !addrs.contains(&addr) && !skipped(host, &addr) {
            addrs.push(addr);
        }
    }
    if addrs.is_empty() {
        return Err(BindError::NoAddress {
            host: host.unwrap_or("").to_owned(),
            family,
        });
    }
    Ok(addrs)
}

/// macOS lists the link-local `fe80::1%lo0` for `localhost`; its firewall
/// does not treat it as local and prompts for it, so it is not bound.
#[cfg(target_os = "macos")]
fn skipped(host: Option<&str>, addr: &SocketAddr) -> bool {
    matches!(addr, SocketAddr::V6(v6) if host == Some("localhost") && v6.scope_id() != 0)
}

#[cfg(not(target_os = "macos"))]
fn skipped(_host: Option<&str>, _addr: &SocketAddr) -> bool {
    false
}

/// Binds every address in order; the first one's port is reused by the
/// others when the requested port is 0.
fn bind_all(
    addrs: &[SocketAddr],
    backlog: i32,
    reuse_port: bool,
) -> Result<Vec<TcpListener>, BindError> {
    let mut listeners = Vec::with_capacity(addrs.len());
    let mut bound_port = None;
    let mut unsupported = None;
    for &requested in addrs {
        let mut addr = requested;
        if let (0, Some(port)) = (addr.port(), bound_port) {
            addr.set_port(port);
        }
        let bind_error = |source| BindError::Bind { addr, source };
        let socket = match Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        {
            Ok(socket) => socket,
            Err(e) if e.raw_os_error() == Some(libc::EAFNOSUPPORT) => {
                unsupported = Some(bind_error(e));
                continue;
            }
            Err(e) => return Err(bind_error(e)),
        };
        configure(&socket, &addr, reuse_port).map_err(bind_error)?;
        socket.bind(&SockAddr::from(addr)).map_err(bind_error)?;
        let local = socket.local_addr().and_then(|a| {
            a.as_socket()
                .ok_or_else(|| io::Error::other("bound socket has no IP address"))
        });
        bound_port = Some(local.map_err(bind_error)?.port());
        socket.listen(backlog).map_err(bind_error)?;
        listeners.push(TcpListener::from(socket));
    }
    match unsupported {
        Some(error) if listeners.is_empty() => Err(error),
        _ => Ok(listeners),
    }
}

/// The socket options set before binding.
fn configure(socket: &Socket, addr: &SocketAddr, reuse_port: bool) -> io::Result<()> {
    socket.set_nonblocking(true)?;
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    // Without SO_REUSEPORT, `bind_sockets` refused `reuse_port` already.
    #[cfg(all(
        unix,
        not(any(target_os = "solaris", target_os = "illumos", target_os = "cygwin"))
    ))]
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    Ok(())
}

/// Whether the platform has `SO_REUSEPORT` (where socket2 offers it).
const REUSE_PORT_SUPPORTED: bool = cfg!(all(
    unix,
    not(any(
        target_os = "solaris",
        target_os = "illumos",
        target_os = "cygwin"
    ))
));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_lists_both_families_in_ipv4_first_order() {
        let all = passive_addresses(None, 8000, AddressFamily::Unspec).unwrap();
        assert_eq!(
            all,
            vec![
                "0.0.0.0:8000".parse::<SocketAddr>().unwrap(),
                "[::]:8000".parse().unwrap()
            ]
        );
        let v6 = passive_addresses(None, 1, AddressFamily::Inet6).unwrap();
        assert_eq!(v6, vec!["[::]:1".parse::<SocketAddr>().unwrap()]);
    }

    #[test]
    fn literal_of_another_family_is_an_error() {
        let err = passive_addresses(Some("127.0.0.1"), 0, AddressFamily::Inet6).unwrap_err();
        assert!(matches!(err, BindError::NoAddress { .. }));
        let io = err.into_io();
        assert_eq!(io.kind(), io::ErrorKind::AddrNotAvailable);
        assert!(io.to_string().contains("127.0.0.1"), "{io}");
    }

    #[test]
    fn unresolvable_name_says_which() {
        let err = bind_sockets(
            0,
            Some("no such host.invalid"),
            AddressFamily::Unspec,
            None,
            false,
        )
        .unwrap_err();
        assert!(err.to_string().contains("no such host.invalid"), "{err}");
    }
}
