//! `xheaders`: the client's address and scheme as a trusted proxy reports
//! them (Tornado's `_HTTPRequestContext._apply_xheaders`).

use crate::httputil::{HttpHeaders, RequestContext};
use crate::netutil::is_valid_ip;

/// The context of a request with `headers` behind a proxy, or `None` when
/// the headers change nothing. It holds for that request alone: the next
/// request on the connection starts from `base` again.
///
/// The IP is `X-Real-Ip`, else the last hop of `X-Forwarded-For` that is
/// not in `trusted_downstream`; it is taken only when it is a valid IP.
/// The protocol is the last entry of `X-Scheme`, else of
/// `X-Forwarded-Proto`; only `http` and `https` are taken. Several fields
/// of one name count as one comma-separated list.
pub(super) fn apply(
    base: &RequestContext,
    headers: &HttpHeaders,
    trusted_downstream: &[String],
) -> Option<RequestContext> {
    let forwarded_for = last_untrusted(headers, trusted_downstream);
    let real_ip = joined_last(headers, "X-Real-Ip", false);
    let ip = match real_ip {
        Some(ip) => Some(ip),
        None => forwarded_for,
    }
    .filter(|ip| is_valid_ip(ip) && *ip != base.remote_ip);
    let scheme = joined_last(headers, "X-Scheme", true)
        .or_else(|| joined_last(headers, "X-Forwarded-Proto", true))
        .filter(|proto| matches!(*proto, "http" | "https") && *proto != base.protocol);
    if ip.is_none() && scheme.is_none() {
        return None;
    }
    Some(RequestContext {
        peer: base.peer,
        remote_ip: ip.map_or_else(|| base.remote_ip.clone(), str::to_owned),
        protocol: scheme.map_or_else(|| base.protocol.clone(), str::to_owned),
    })
}

/// The fields called `name` as one list: with `last_entry`, its last
/// comma-separated entry, trimmed; else the whole (a list is then not a
/// valid IP, as in Tornado, which joins repeated fields with commas).
fn joined_last<'h>(headers: &'h HttpHeaders, name: &str, last_entry: bool) -> Option<&'h str> {
    let values = headers.get_list(name);
    match values.as_slice() {
        [] => None,
        [value] if !last_entry => Some(value.trim()),
        [.., value] if last_entry => value.rsplit(',').next().map(str::trim),
        // Several X-Real-Ip fields: no single address.
        _ => Some(","),
    }
}

/// The last `X-Forwarded-For` hop not in `trusted`, or its first hop when
/// all are trusted (as Tornado's loop leaves it).
fn last_untrusted<'h>(headers: &'h HttpHeaders, trusted: &[String]) -> Option<&'h str> {
    let values = headers.get_list("X-Forwarded-For");
    let mut hops = values
        .iter()
        .rev()
        .flat_map(|value| value.rsplit(','))
        .map(str::trim);
    let mut last = None;
    for hop in hops.by_ref() {
        last = Some(hop);
        if !trusted.iter().any(|t| t == hop) {
            break;
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netutil::PeerAddress;

    fn base() -> RequestContext {
        RequestContext {
            peer: PeerAddress::Inet("127.0.0.1:5000".parse().unwrap()),
            remote_ip: "127.0.0.1".into(),
            protocol: "http".into(),
        }
    }

    fn with(fields: &[(&str, &str)], trusted: &[&str]) -> (String, String) {
        let mut headers = HttpHeaders::new();
        for (name, value) in fields {
            headers.add(name, value).unwrap();
        }
        let trusted: Vec<String> = trusted.iter().map(|t| t.to_string()).collect();
        let context = apply(&base(), &headers, &trusted).unwrap_or_else(base);
        (context.remote_ip, context.protocol)
    }

    #[test]
    fn nothing_to_apply_is_none() {
        assert!(apply(&base(), &HttpHeaders::new(), &[]).is_none());
    }

    #[test]
    fn forwarded_for_takes_the_last_untrusted_hop() {
        let ip = |fields, trusted| with(fields, trusted).0;
        assert_eq!(
            ip(&[("X-Forwarded-For", "9.9.9.9, 1.2.3.4")], &[]),
            "1.2.3.4"
        );
        assert_eq!(
            ip(&[("X-Forwarded-For", "9.9.9.9, 1.2.3.4")], &["1.2.3.4"]),
            "9.9.9.9"
        );
        assert_eq!(
            ip(
                &[
                    ("X-Forwarded-For", "9.9.9.9"),
                    ("X-Forwarded-For", "1.2.3.4")
                ],
                &[]
            ),
            "1.2.3.4"
        );
        // Every hop trusted: the first one.
        assert_eq!(
            ip(
                &[("X-Forwarded-For", "9.9.9.9, 1.2.3.4")],
                &["9.9.9.9", "1.2.3.4"]
            ),
            "9.9.9.9"
        );
    }

    #[test]
    fn real_ip_wins_and_invalid_ips_are_ignored() {
        let ip = |fields| with(fields, &[]).0;
        assert_eq!(
            ip(&[("X-Forwarded-For", "1.2.3.4"), ("X-Real-Ip", "5.6.7.8")]),
            "5.6.7.8"
        );
        assert_eq!(ip(&[("X-Real-Ip", "2001:db8::1")]), "2001:db8::1");
        assert_eq!(ip(&[("X-Real-Ip", "not-an-ip")]), "127.0.0.1");
        assert_eq!(
            ip(&[("X-Real-Ip", "1.2.3.4"), ("X-Real-Ip", "5.6.7.8")]),
            "127.0.0.1"
        );
    }

    #[test]
    fn scheme_last_entry_wins_and_only_http_or_https() {
        let proto = |fields| with(fields, &[]).1;
        assert_eq!(proto(&[("X-Scheme", "https")]), "https");
        assert_eq!(proto(&[("X-Forwarded-Proto", "http, https")]), "https");
        assert_eq!(
            proto(&[("X-Scheme", "http"), ("X-Scheme", "https")]),
            "https"
        );
        assert_eq!(
            proto(&[("X-Scheme", "https"), ("X-Forwarded-Proto", "http")]),
            "https"
        );
        assert_eq!(proto(&[("X-Scheme", "javascript")]), "http");
    }
}
