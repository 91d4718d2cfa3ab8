//! [`split_host_and_port`].

/// Splits `host:port` into the host and the port, if it has a valid one
/// (Tornado's `split_host_and_port`). IPv6 literals keep their brackets
/// out: `[::1]:8080` gives `("::1", Some(8080))`.
///
/// ```
/// use supercell::httputil::split_host_and_port;
///
/// assert_eq!(split_host_and_port("example.com:8080"), ("example.com".to_owned(), Some(8080)));
/// assert_eq!(split_host_and_port("example.com"), ("example.com".to_owned(), None));
/// assert_eq!(split_host_and_port("[::1]:443"), ("::1".to_owned(), Some(443)));
/// ```
pub fn split_host_and_port(netloc: &str) -> (String, Option<u16>) {
    if let Some(rest) = netloc.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
            return (host.to_owned(), port);
        }
    }
    match netloc.rsplit_once(':') {
        Some((host, port))
            if !host.contains(':')
                && !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            match port.parse() {
                Ok(port) => (host.to_owned(), Some(port)),
                Err(_) => (netloc.to_owned(), None),
            }
        }
        _ => (netloc.to_owned(), None),
    }
}
