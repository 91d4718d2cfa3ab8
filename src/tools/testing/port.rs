//! A listening socket on a port nobody uses: [`bind_unused_port`].

use std::io;
use std::net::TcpListener;

use crate::netutil::{AddressFamily, bind_sockets};

/// Binds a listening socket to a free port on `127.0.0.1` and returns it
/// with its port (Tornado's `bind_unused_port`).
///
/// The address is always the IPv4 loopback literal, never the name
/// `localhost`, which may resolve to `::1` first or go through a resolver.
/// The socket is non-blocking and listening, ready for
/// [`TcpServer::add_socket`](crate::tcpserver::TcpServer::add_socket) or
/// `HttpServer::add_socket`.
///
/// # Errors
/// When the system cannot create or bind the socket.
pub fn bind_unused_port() -> io::Result<(TcpListener, u16)> {
    bind_unused_port_with(false)
}

/// [`bind_unused_port`] with `SO_REUSEPORT` set when `reuse_port` is true
/// (Tornado's `bind_unused_port(reuse_port=True)`), so that other sockets
/// with the option may bind the same port.
///
/// # Errors
/// When the system cannot create or bind the socket, and with
/// [`Unsupported`](io::ErrorKind::Unsupported) for `reuse_port` on a
/// platform without `SO_REUSEPORT`.
pub fn bind_unused_port_with(reuse_port: bool) -> io::Result<(TcpListener, u16)> {
    let listener = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, reuse_port)?
        .into_iter()
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::AddrNotAvailable, "nothing was bound"))?;
    let port = listener.local_addr()?.port();
    Ok((listener, port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr, TcpStream};

    #[test]
    fn binds_the_ipv4_loopback_on_a_free_port() {
        let (listener, port) = bind_unused_port().unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(addr.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(addr.port(), port);
        assert_ne!(port, 0);
        // It listens: a connection is accepted by the kernel.
        TcpStream::connect(addr).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reuse_port_lets_another_socket_share_the_port() {
        let (_first, port) = bind_unused_port_with(true).unwrap();
        let shared = bind_sockets(port, Some("127.0.0.1"), AddressFamily::Inet, None, true);
        assert_eq!(shared.unwrap()[0].local_addr().unwrap().port(), port);
        let (_plain, other) = bind_unused_port().unwrap();
        let taken = bind_sockets(other, Some("127.0.0.1"), AddressFamily::Inet, None, true);
        assert_eq!(taken.unwrap_err().kind(), io::ErrorKind::AddrInUse);
    }

    #[test]
    fn two_calls_get_two_ports() {
        let (_first, a) = bind_unused_port().unwrap();
        let (_second, b) = bind_unused_port().unwrap();
        assert_ne!(a, b);
    }
}
