use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpSocket, TcpStream};

use super::ConnectError;

/// The local side asked for by `source_ip` and `source_port`.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Source {
    pub(super) ip: Option<IpAddr>,
    pub(super) port: Option<u16>,
}

impl Source {
    /// The local address to bind for a connection to `remote`, if any was
    /// asked for: a `source_port` alone binds every interface of the
    /// remote's family.
    fn local_addr(self, remote: SocketAddr) -> Option<SocketAddr> {
        if self.ip.is_none() && self.port.is_none() {
            return None;
        }
        let ip = self.ip.unwrap_or(match remote {
            SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        });
        Some(SocketAddr::new(ip, self.port.unwrap_or(0)))
    }

    /// One connection attempt to `remote` from this source: Tornado's
    /// `TCPClient._create_stream` plus the connect.
    pub(super) async fn connect(self, remote: SocketAddr) -> Result<TcpStream, ConnectError> {
        let failed = |source| ConnectError::Connect {
            addr: remote,
            source,
        };
        let socket = new_socket(remote).map_err(failed)?;
        if let Some(local) = self.local_addr(remote) {
            socket.bind(local).map_err(|source| ConnectError::Bind {
                addr: local,
                source,
            })?;
        }
        socket.connect(remote).await.map_err(failed)
    }
}

/// A non-blocking socket of `remote`'s family. An IPv6 socket is IPv6-only,
/// so that binding `[::]:P` (a `source_port` alone) does not also claim
/// `0.0.0.0:P`: with happy eyeballs an IPv4 attempt from the same port may
/// be in flight, and a dual-stack bind would fail with "address in use".
fn new_socket(remote: SocketAddr) -> std::io::Result<TcpSocket> {
    let socket = Socket::new(
        Domain::for_address(remote),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    if remote.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    Ok(TcpSocket::from_std_stream(socket.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn no_source_binds_nothing() {
        assert_eq!(Source::default().local_addr(sa("127.0.0.1:80")), None);
    }

    #[test]
    fn a_source_port_alone_binds_every_interface_of_the_family() {
        let source = Source {
            ip: None,
            port: Some(4000),
        };
        assert_eq!(
            source.local_addr(sa("127.0.0.1:80")),
            Some(sa("0.0.0.0:4000"))
        );
        assert_eq!(source.local_addr(sa("[::1]:80")), Some(sa("[::]:4000")));
    }

    #[test]
    fn a_source_ip_alone_lets_the_system_pick_the_port() {
        let source = Source {
            ip: Some("127.0.0.2".parse().unwrap()),
            port: None,
        };
        assert_eq!(
            source.local_addr(sa("127.0.0.1:80")),
            Some(sa("127.0.0.2:0"))
        );
    }
}
