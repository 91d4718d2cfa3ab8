//! [`split_host_and_port`].

/// Splits `host:port` into the host and the port, if it has a valid one
/// (Tornado's `split_host_and_port`). IPv6 literals keep their brackets
/// out: `[::1]:8080` gives `("::1", Some(8080))`. Without a valid port
/// (missing, not all digits, over 65535, or no host before it) the whole
/// `netloc` is the host; so is a bare IPv6 address, whose last group
/// cannot be told from a port.
///
/// ```
/// use supercell::httputil::split_host_and_port;
///
/// assert_eq!(split_host_and_port("example.com:8080"), ("example.com".to_owned(), Some(8080)));
/// assert_eq!(split_host_and_port("example.com"), ("example.com".to_owned(), None));
/// assert_eq!(split_host_and_port("[::1]:443"), ("::1".to_owned(), Some(443)));
/// ```
pub fn split_host_and_port(netloc: &str) -> (String, Option<u16>) {
    let (host, port) = split_host_and_port_borrowed(netloc);
    (host.to_owned(), port)
}

/// [`split_host_and_port`] without copying: the host is a slice of
/// `netloc`.
pub(crate) fn split_host_and_port_borrowed(netloc: &str) -> (&str, Option<u16>) {
    let port_of = |digits: &str| {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<u16>().ok()
    };
    if let Some(rest) = netloc.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            if after.is_empty() {
                return (host, None);
            }
            if let Some(port) = after.strip_prefix(':').and_then(port_of) {
                return (host, Some(port));
            }
        }
        return (netloc, None);
    }
    match netloc.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !host.contains(':') => match port_of(port) {
            Some(port) => (host, Some(port)),
            None => (netloc, None),
        },
        _ => (netloc, None),
    }
}
