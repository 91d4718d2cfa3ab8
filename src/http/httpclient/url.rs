//! The parts of an `http`/`https` URL the client needs, and resolving a
//! redirect's `Location` against the URL it answered (RFC 3986 §5.2).

use percent_encoding::percent_decode_str;

use crate::httputil::split_host_and_port;

/// A parsed `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    /// `true` for `https`.
    pub(crate) tls: bool,
    /// The host, without the brackets of an IPv6 literal.
    pub(crate) host: String,
    /// The port, explicit or the scheme's.
    pub(crate) port: u16,
    /// The authority without credentials: the `Host` header.
    pub(crate) host_header: String,
    /// Credentials given as `user:password@`, percent-decoded.
    pub(crate) credentials: Option<(String, String)>,
    /// The request-target: path (at least `/`) and `?query`, non-ASCII
    /// bytes percent-encoded; the fragment left out.
    pub(crate) target: String,
}

impl Url {
    /// Parses `url`; the message says what is wrong.
    pub(crate) fn parse(url: &str) -> Result<Url, String> {
        let unsupported = || format!("Unsupported url scheme: {url}");
        let (scheme, rest) = url.split_once("://").ok_or_else(unsupported)?;
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "http" => false,
            "https" => true,
            _ => return Err(unsupported()),
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(authority_end);
        let (credentials, netloc) = match authority.rsplit_once('@') {
            Some((userinfo, netloc)) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
                (Some((decode(user), decode(password))), netloc)
            }
            None => (None, authority),
        };
        let (host, port) = split_host_and_port(netloc);
        let port_given = netloc
            .rsplit_once(':')
            .is_some_and(|(_, p)| !p.contains(']'));
        if port_given && port.is_none() {
            return Err(format!("invalid port in url: {url}"));
        }
        let invalid_host = |b: u8| b.is_ascii_control() || b" <>\\\"{}|^`%".contains(&b);
        if host.is_empty() || host.bytes().any(invalid_host) {
            return Err(format!("invalid host in url: {url}"));
        }
        if target.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err(format!("invalid characters in url: {url}"));
        }
        let target = match target.strip_prefix('?') {
            Some(_) => format!("/{target}"),
            None if target.is_empty() => "/".to_owned(),
            None => target.to_owned(),
        };
        Ok(Url {
            tls,
            host,
            port: port.unwrap_or(if tls { 443 } else { 80 }),
            host_header: netloc.to_owned(),
            credentials,
            target: encode_non_ascii(&target),
        })
    }

    /// Whether `other` has the same scheme, host and port (the same
    /// origin).
    pub(crate) fn same_origin(&self, other: &Url) -> bool {
        self.tls == other.tls
            && self.port == other.port
            && self.host.eq_ignore_ascii_case(&other.host)
    }
}

/// Percent-encodes the bytes of `s` that are not ASCII.
fn encode_non_ascii(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The five components of a URI reference (RFC 3986 §5.2.1), fragment
/// dropped.
struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
}

fn split(reference: &str) -> Parts<'_> {
    let reference = reference.split('#').next().unwrap_or_default();
    let (scheme, rest) = match reference.find([':', '/', '?']) {
        Some(i)
            if reference.as_bytes()[i] == b':'
                && i > 0
                && reference.as_bytes()[0].is_ascii_alphabetic()
                && reference[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
        {
            (Some(&reference[..i]), &reference[i + 1..])
        }
        _ => (None, reference),
    };
    let (authority, rest) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find(['/', '?']).unwrap_or(after.len());
            (Some(&after[..end]), &after[end..])
        }
        None => (None, rest),
    };
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    Parts {
        scheme,
        authority,
        path,
        query,
    }
}

/// RFC 3986 §5.2.4: removes `.` and `..` segments.
fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {
                if i == last {
                    output.push("");
                }
            }
            ".." => {
                if output.len() > usize::from(absolute) {
                    output.pop();
                }
                if i == last {
                    output.push("");
                }
            }
            s => output.push(s),
        }
    }
    let joined = output.join("/");
    if absolute && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Resolves `reference` (a `Location` header) against `base` (the URL it
/// came with), as browsers and Python's `urljoin` do.
pub(crate) fn join(base: &str, reference: &str) -> String {
    let b = split(base);
    let r = split(reference.trim());
    let (scheme, authority, path, query);
    if let Some(s) = r.scheme {
        scheme = s;
        authority = r.authority;
        path = remove_dot_segments(r.path);
        query = r.query;
    } else {
        scheme = b.scheme.unwrap_or("http");
        if r.authority.is_some() {
            authority = r.authority;
            path = remove_dot_segments(r.path);
            query = r.query;
        } else {
            authority = b.authority;
            if r.path.is_empty() {
                path = b.path.to_owned();
                query = r.query.or(b.query);
            } else {
                path = if r.path.starts_with('/') {
                    remove_dot_segments(r.path)
                } else if b.authority.is_some() && b.path.is_empty() {
                    remove_dot_segments(&format!("/{}", r.path))
                } else {
                    let dir = b.path.rfind('/').map_or("", |i| &b.path[..=i]);
                    remove_dot_segments(&format!("{dir}{}", r.path))
                };
                query = r.query;
            }
        }
    }
    let mut out = format!("{scheme}:");
    if let Some(authority) = authority {
        out.push_str("//");
        out.push_str(authority);
    }
    out.push_str(&path);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_host_port_credentials_and_target() {
        let url = Url::parse("http://me:s%40cret@127.0.0.1:8080/a/b?c=d#frag").unwrap();
        assert!(!url.tls);
        assert_eq!((url.host.as_str(), url.port), ("127.0.0.1", 8080));
        assert_eq!(url.host_header, "127.0.0.1:8080");
        assert_eq!(url.credentials, Some(("me".into(), "s@cret".into())));
        assert_eq!(url.target, "/a/b?c=d");
    }

    #[test]
    fn defaults_ports_paths_and_handles_ipv6() {
        let url = Url::parse("HTTPS://[::1]?x=1").unwrap();
        assert!(url.tls);
        assert_eq!((url.host.as_str(), url.port), ("::1", 443));
        assert_eq!(url.host_header, "[::1]");
        assert_eq!(url.target, "/?x=1");
        assert_eq!(Url::parse("http://h").unwrap().target, "/");
        assert_eq!(Url::parse("http://h/é").unwrap().target, "/%C3%A9");
    }

    #[test]
    fn rejects_other_schemes_and_bad_hosts() {
        assert!(
            Url::parse("ftp://example.com/")
                .unwrap_err()
                .contains("Unsupported url scheme")
        );
        assert!(Url::parse("example.com").is_err());
        assert!(Url::parse("http:///path").is_err());
        assert!(Url::parse("http://host:99999/").is_err());
        assert!(Url::parse("http://host/a b").is_err());
    }

    #[test]
    fn joins_references_as_rfc_3986_examples() {
        let base = "http://a/b/c/d;p?q";
        for (reference, expected) in [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("g/../h", "http://a/b/c/h"),
        ] {
            assert_eq!(join(base, reference), expected, "{reference}");
        }
        assert_eq!(
            join("http://127.0.0.1:9/countdown/2", "/countdown/1"),
            "http://127.0.0.1:9/countdown/1"
        );
        assert_eq!(join("http://h", "x"), "http://h/x");
    }
}
