//! The address of the peer of an accepted connection: [`PeerAddress`].

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use super::Accepted;

/// Who is at the other end of an accepted connection: an IP address and
/// port, or a client of a Unix-domain socket (whose address is almost
/// always unnamed, so it carries none).
///
/// Displays as the socket address (`127.0.0.1:5000`, `[::1]:5000`) or
/// `unix:` for a Unix-socket peer.
///
/// ```
/// use std::net::SocketAddr;
/// use supercell::netutil::PeerAddress;
///
/// let addr: SocketAddr = "127.0.0.1:5000".parse().unwrap();
/// let inet = PeerAddress::from(addr);
/// assert_eq!(inet.socket_addr(), Some(addr));
/// assert_eq!(inet.to_string(), "127.0.0.1:5000");
/// assert_eq!(PeerAddress::Unix.socket_addr(), None);
/// assert_eq!(PeerAddress::Unix.to_string(), "unix:");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerAddress {
    /// A TCP peer (IPv4 or IPv6).
    Inet(SocketAddr),
    /// A peer connected over a Unix-domain socket.
    Unix,
}

impl PeerAddress {
    /// The IP address and port of a TCP peer; `None` for a Unix-socket peer.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        match self {
            PeerAddress::Inet(addr) => Some(*addr),
            PeerAddress::Unix => None,
        }
    }

    /// The IP address of a TCP peer; `None` for a Unix-socket peer.
    pub fn ip(&self) -> Option<IpAddr> {
        self.socket_addr().map(|addr| addr.ip())
    }
}

impl From<SocketAddr> for PeerAddress {
    fn from(addr: SocketAddr) -> Self {
        PeerAddress::Inet(addr)
    }
}

impl fmt::Display for PeerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerAddress::Inet(addr) => addr.fmt(f),
            PeerAddress::Unix => f.write_str("unix:"),
        }
    }
}

impl Accepted {
    /// The address of the peer of this connection.
    pub fn peer_address(&self) -> PeerAddress {
        match self {
            Accepted::Tcp(_, addr) => PeerAddress::Inet(*addr),
            Accepted::Unix(_) => PeerAddress::Unix,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_peers_display_in_brackets() {
        let addr: SocketAddr = "[::1]:8080".parse().unwrap();
        let peer = PeerAddress::from(addr);
        assert_eq!(peer.to_string(), "[::1]:8080");
        assert_eq!(peer.ip(), Some(addr.ip()));
        assert_eq!(PeerAddress::Unix.ip(), None);
    }
}
