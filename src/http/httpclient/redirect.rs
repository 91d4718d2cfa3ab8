//! The request that follows a redirect.

use http::Method;

use super::error::FetchError;
use super::request::HttpRequest;
use super::url::{Url, join};

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

/// The request for the redirect `code` to `location` answering `request`
/// (whose URL parsed as `url`), with one redirect less to go.
///
/// 301, 302 and 303 become a `GET` without a body, as browsers do (a
/// `HEAD` stays a `HEAD`); 307 and 308 keep the method and the body. The
/// `Host` header is dropped (it is set again for the new URL), and a
/// redirect to another origin (scheme, host, port) loses the credentials:
/// `Authorization`, `Proxy-Authorization`, `Cookie`, `auth_username` and
/// `auth_password`.
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
        let request = post().auth("user", "pw");
        let next = follow(&request, &url, 307, "https://b.example/").unwrap();
        assert!(!next.headers.contains("Authorization"));
        assert!(next.auth_username.is_none());
        assert!(follow(&request, &url, 307, "ftp://b.example/").is_err());
    }
}
