//! Telling IP literals from everything else: [`is_valid_ip`].

use std::net::{Ipv4Addr, Ipv6Addr};

/// The longest network interface name (Linux's `IFNAMSIZ` less the NUL).
const MAX_INTERFACE_NAME: usize = 15;

/// Whether `ip` is a well-formed IPv4 or IPv6 address literal (Tornado's
/// `is_valid_ip`).
///
/// Host names (`localhost` included), the empty string, strings with a NUL
/// byte, surrounding spaces, trailing garbage and out-of-range numbers are
/// not IP addresses.
///
/// Tornado asks `getaddrinfo` with `AI_NUMERICHOST`; this check is purely
/// syntactic and stricter in one respect:
/// - IPv4 must be a dotted quad of decimal numbers 0-255 without leading
///   zeros. The C library's `inet_aton` shorthands (`127.1`, `0x7f.0.0.1`,
///   octal `010.0.0.1`) are rejected: they read differently in different
///   programs.
/// - IPv6 may carry a zone (`fe80::1%eth0`, `fe80::1%2`), as
///   `getaddrinfo` accepts. The zone is a number or something shaped like
///   an interface name (1 to 15 bytes, no `/`, `:`, `%` or whitespace, not
///   `.` or `..`); whether that interface exists is not checked, so the
///   answer does not depend on the machine.
pub fn is_valid_ip(ip: &str) -> bool {
    if ip.parse::<Ipv4Addr>().is_ok() {
        return true;
    }
    let (addr, zone) = match ip.split_once('%') {
        Some((addr, zone)) => (addr, Some(zone)),
        None => (ip, None),
    };
    addr.parse::<Ipv6Addr>().is_ok() && zone.is_none_or(is_valid_zone)
}

/// A numeric zone index or an interface name.
fn is_valid_zone(zone: &str) -> bool {
    if zone.parse::<u32>().is_ok() {
        return true;
    }
    !zone.is_empty()
        && zone.len() <= MAX_INTERFACE_NAME
        && zone != "."
        && zone != ".."
        && !zone
            .chars()
            .any(|c| c == '/' || c == ':' || c == '%' || c == '\0' || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_on_ipv6_only() {
        assert!(is_valid_ip("fe80::1%eth0"));
        assert!(is_valid_ip("fe80::1%2"));
        assert!(!is_valid_ip("fe80::1%"));
        assert!(!is_valid_ip("fe80::1%a b"));
        assert!(!is_valid_ip("fe80::1%a/b"));
        assert!(!is_valid_ip("fe80::1%eth0%1"));
        assert!(!is_valid_ip("fe80::1%this-name-is-too-long"));
        assert!(!is_valid_ip("127.0.0.1%eth0"));
    }

    #[test]
    fn inet_aton_shorthands_are_rejected() {
        for shorthand in ["127.1", "0x7f.0.0.1", "010.0.0.1", "2130706433"] {
            assert!(!is_valid_ip(shorthand), "{shorthand}");
        }
        assert!(!is_valid_ip("256.0.0.1"));
        assert!(is_valid_ip("::ffff:1.2.3.4"));
    }
}
