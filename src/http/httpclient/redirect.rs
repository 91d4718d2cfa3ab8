//! The request that follows a redirect.

use http::Method;

use super::error::FetchError;
use super::request::HttpRequest;
use super::url::{Url, join};
use crate::httputil::HttpHeaders;

/// The headers describing a body, dropped when a redirect turns the
/// request into a `GET`.
const BODY_HEADERS: [&str; 4] = [
    "Content-Length",
    "Content-Type",
    "Content-Encoding",
    "Transfer-Encoding",
];

/// The headers carrying credentials, not sent to another origin.
const CREDENTIAL_HEADERS: [&str; 3] = ["Authorization", "Proxy-Authorization", "Cookie"];

/// The `Location` of a redirect response, ready to be joined to the
/// request's URL; `None` when there is none or it is blank (the response
/// is then not followed but returned).
///
/// A value that is not UTF-8 is read as Latin-1, as Tornado decodes
/// header values; every non-ASCII character is then percent-encoded (as
/// its UTF-8 bytes), so `/caf\xE9` leads to `/caf%C3%A9`.
pub(crate) fn redirect_location(headers: &HttpHeaders) -> Option<String> {
    let raw = headers.get_bytes("Location")?.trim_ascii();
    if raw.is_empty() {
        return None;
    }
    let decoded: String = match std::str::from_utf8(raw) {
        Ok(text) => text.to_owned(),
        Err(_) => raw.iter().copied().map(char::from).collect(),
    };
    let mut location = String::with_capacity(decoded.len());
    for c in decoded.chars() {
        if c.is_ascii() {
            location.push(c);
        } else {
            let mut utf8 = [0; 4];
            for byte in c.encode_utf8(&mut utf8).bytes() {
                location.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    Some(location)
}

/// The request for the redirect `code` to `location` answering `request`
/// (whose URL parsed as `url`), with one redirect less to go.
///
/// 301, 302 and 303 become a `GET` without a body, as browsers do (a
/// `HEAD` stays a `HEAD`); 307 and 308 keep the method and the body. The
/// `Host` header is dropped (it is set again for the new URL), and a
/// redirect to another origin (scheme, host, port) loses the credentials:
/// `Authorization`, `Proxy-Authorization`, `Cookie`, `auth_username` and
/// `auth_password`, and the TLS identity and configuration:
/// `client_cert`, `client_key` and `ssl_options` (the new origin gets a
/// configuration built from `validate_cert` and `ca_certs`, which are
/// kept).
pub(crate) fn follow(
    request: &HttpRequest,
    url: &Url,
    code: u16,
    location: &str,
) -> Result<HttpRequest, FetchError> {
    let mut next = request.clone();
    next.url = join(&request.url, location);
    let next_url = Url::parse(&next.url).map_err(FetchError::InvalidRequest)?;
    next.max_redirects = Some(request.max_redirects.unwrap_or(0).saturating_sub(1));
    next.headers.remove("Host");
    if matches!(code, 301..=303) && request.method != Method::HEAD {
        next.method = Method::GET;
        next.body = None;
        next.body_producer = None;
        next.expect_100_continue = false;
        for name in BODY_HEADERS {
            next.headers.remove(name);
        }
    }
    if !url.same_origin(&next_url) {
        for name in CREDENTIAL_HEADERS {
            next.headers.remove(name);
        }
        next.auth_username = None;
        next.auth_password = None;
        next.client_cert = None;
        next.client_key = None;
        next.ssl_options = None;
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post() -> HttpRequest {
        HttpRequest::new("http://a.example/x")
            .method("POST")
            .header("Content-Type", "text/plain")
            .header("Authorization", "Basic xyz")
            .header("Host", "a.example")
            .body("data")
            .max_redirects(5)
    }

    #[test]
    fn see_other_becomes_get_and_temporary_keeps_the_body() {
        let url = Url::parse("http://a.example/x").unwrap();
        for code in [301, 302, 303] {
            let next = follow(&post(), &url, code, "/y").unwrap();
            assert_eq!(next.method, Method::GET);
            assert!(next.body.is_none());
            assert!(!next.headers.contains("Content-Type"));
            assert_eq!(next.url, "http://a.example/y");
            assert_eq!(next.headers.get("Authorization"), Some("Basic xyz"));
            assert!(!next.headers.contains("Host"));
            assert_eq!(next.max_redirects, Some(4));
        }
        for code in [307, 308] {
            let next = follow(&post(), &url, code, "/y").unwrap();
            assert_eq!(next.method, Method::POST);
            assert_eq!(next.body.as_deref(), Some(&b"data"[..]));
        }
        let head = HttpRequest::new("http://a.example/x").method("HEAD");
        assert_eq!(follow(&head, &url, 302, "/y").unwrap().method, Method::HEAD);
    }

    #[test]
    fn another_origin_gets_no_credentials() {
        let url = Url::parse("http://a.example/x").unwrap();
        let config = crate::netutil::SslOptions::default()
            .client_config()
            .unwrap();
        let request = post()
            .auth("user", "pw")
            .client_cert("client.pem", "client.key")
            .ca_certs("ca.pem")
            .ssl_options(config);
        let same = follow(&request, &url, 307, "/y").unwrap();
        assert!(same.client_cert.is_some() && same.ssl_options.is_some());
        assert!(same.auth_username.is_some());
        let next = follow(&request, &url, 307, "https://b.example/").unwrap();
        assert!(!next.headers.contains("Authorization"));
        assert!(next.auth_username.is_none());
        assert!(next.client_cert.is_none() && next.client_key.is_none());
        assert!(next.ssl_options.is_none());
        assert!(next.ca_certs.is_some());
        assert!(follow(&request, &url, 307, "ftp://b.example/").is_err());
    }

    #[test]
    fn locations_are_read_as_latin1_when_not_utf8_and_blank_ones_are_none() {
        let location = |value: &[u8]| {
            let mut headers = HttpHeaders::new();
            headers.append(
                http::header::LOCATION,
                http::HeaderValue::from_bytes(value).unwrap(),
            );
            redirect_location(&headers)
        };
        assert_eq!(location(b"/caf\xe9?q=1").as_deref(), Some("/caf%C3%A9?q=1"));
        assert_eq!(location("/café".as_bytes()).as_deref(), Some("/caf%C3%A9"));
        assert_eq!(location(b" /plain ").as_deref(), Some("/plain"));
        assert_eq!(location(b""), None);
        assert_eq!(redirect_location(&HttpHeaders::new()), None);
    }
}
