//! The address family filter shared by binding and resolving.

use std::net::SocketAddr;

/// Which IP version a lookup or a bind is limited to (Tornado's `family`
/// argument: `socket.AF_UNSPEC`, `AF_INET`, `AF_INET6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AddressFamily {
    /// Both IPv4 and IPv6. Default.
    #[default]
    Unspec,
    /// IPv4 only.
    Inet,
    /// IPv6 only.
    Inet6,
}

impl AddressFamily {
    /// The family of `addr`: [`Inet`](AddressFamily::Inet) or
    /// [`Inet6`](AddressFamily::Inet6).
    pub fn of(addr: &SocketAddr) -> AddressFamily {
        match addr {
            SocketAddr::V4(_) => AddressFamily::Inet,
            SocketAddr::V6(_) => AddressFamily::Inet6,
        }
    }

    /// Whether `addr` belongs to this family; everything belongs to
    /// [`Unspec`](AddressFamily::Unspec).
    pub fn matches(self, addr: &SocketAddr) -> bool {
        self == AddressFamily::Unspec || self == AddressFamily::of(addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_filters_by_version() {
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert!(AddressFamily::Unspec.matches(&v4) && AddressFamily::Unspec.matches(&v6));
        assert!(AddressFamily::Inet.matches(&v4) && !AddressFamily::Inet.matches(&v6));
        assert!(AddressFamily::Inet6.matches(&v6) && !AddressFamily::Inet6.matches(&v4));
        assert_eq!(AddressFamily::default(), AddressFamily::Unspec);
    }
}
