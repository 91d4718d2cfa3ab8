//! Turning an [`HttpRequest`] into what goes on the wire: the checks
//! Tornado makes before sending, the headers the client adds.

use bytes::Bytes;
use http::{Method, Version};

use super::basic_auth::basic_authorization;
use super::error::FetchError;
use super::request::{BodyProducer, HttpRequest};
use super::url::Url;
use crate::httputil::{HttpHeaders, RequestStartLine, RequestTarget};

/// The methods sent without `allow_nonstandard_methods`.
const SUPPORTED_METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::OPTIONS,
];

/// The body of a request as it will be sent.
#[derive(Clone)]
pub(crate) enum OutgoingBody {
    /// No body.
    None,
    /// A body known in advance.
    Full(Bytes),
    /// A body written by a producer.
    Producer(BodyProducer),
}

/// A request ready to be written.
pub(crate) struct Prepared {
    pub(crate) start_line: RequestStartLine,
    pub(crate) headers: HttpHeaders,
    pub(crate) body: OutgoingBody,
    /// Whether the body goes out with chunked framing.
    pub(crate) chunked: bool,
    /// Whether to wait for `100 Continue` before sending the body.
    pub(crate) expect_continue: bool,
    /// Whether a gzip response is decompressed.
    pub(crate) decompress: bool,
    /// Whether the request lets the connection stay open afterwards.
    pub(crate) keep_alive: bool,
}

impl Prepared {
    /// Whether the request could be sent again unchanged on another
    /// connection (its body is not produced on the fly).
    pub(crate) fn replayable(&self) -> bool {
        !matches!(self.body, OutgoingBody::Producer(_))
    }
}

fn set(headers: &mut HttpHeaders, name: &str, value: &str) -> Result<(), FetchError> {
    headers
        .set(name, value)
        .map_err(|error| FetchError::InvalidRequest(format!("invalid {name} header: {error}")))
}

/// Checks `request` (with the client's defaults applied) and builds what
/// goes on the wire for `url`. `keep_alive`: the client pools connections.
pub(crate) fn prepare(
    request: &HttpRequest,
    url: &Url,
    keep_alive: bool,
) -> Result<Prepared, FetchError> {
    let invalid = |message: String| FetchError::InvalidRequest(message);
    if let Some(message) = &request.invalid {
        return Err(invalid(message.clone()));
    }
    let allow_nonstandard = request.allow_nonstandard_methods.unwrap_or(false);
    if !allow_nonstandard && !SUPPORTED_METHODS.contains(&request.method) {
        return Err(invalid(format!("unknown method {}", request.method)));
    }
    let mut headers = request.headers.clone();
    if !keep_alive && !headers.contains("Connection") {
        set(&mut headers, "Connection", "close")?;
    }
    if !headers.contains("Host") {
        set(&mut headers, "Host", &url.host_header)?;
    }
    let credentials = url.credentials.clone().or_else(|| {
        let username = request.auth_username.clone()?;
        Some((username, request.auth_password.clone().unwrap_or_default()))
    });
    if let Some((username, password)) = credentials {
        match request.auth_mode.as_deref() {
            None | Some("basic") => {}
            Some(mode) => return Err(invalid(format!("unsupported auth_mode {mode}"))),
        }
        set(
            &mut headers,
            "Authorization",
            &basic_authorization(&username, &password),
        )?;
    }
    if let Some(user_agent) = &request.user_agent {
        set(&mut headers, "User-Agent", user_agent)?;
    }
    let body = match (&request.body, &request.body_producer) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "only one of body and body_producer may be given".to_owned(),
            ));
        }
        (Some(body), None) => OutgoingBody::Full(body.clone()),
        (None, Some(producer)) => OutgoingBody::Producer(producer.clone()),
        (None, None) => OutgoingBody::None,
    };
    if !allow_nonstandard {
        let body_expected = matches!(request.method, Method::POST | Method::PATCH | Method::PUT);
        let body_present = !matches!(body, OutgoingBody::None);
        if body_expected != body_present {
            return Err(invalid(format!(
                "Body must {}be None for method {} (unless allow_nonstandard_methods is true)",
                if body_expected { "not " } else { "" },
                request.method
            )));
        }
    }
    if request.expect_100_continue {
        set(&mut headers, "Expect", "100-continue")?;
    }
    if let OutgoingBody::Full(body) = &body {
        set(&mut headers, "Content-Length", &body.len().to_string())?;
    }
    if request.method == Method::POST && !headers.contains("Content-Type") {
        set(
            &mut headers,
            "Content-Type",
            "application/x-www-form-urlencoded",
        )?;
    }
    let decompress = request.decompress_response.unwrap_or(true);
    if decompress {
        set(&mut headers, "Accept-Encoding", "gzip")?;
    }
    let chunked = matches!(body, OutgoingBody::Producer(_)) && !headers.contains("Content-Length");
    let closes = headers.get_list("Connection").iter().any(|value| {
        value
            .split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("close"))
    });
    Ok(Prepared {
        start_line: RequestStartLine {
            method: request.method.clone(),
            path: RequestTarget::from(url.target.as_str()),
            version: Version::HTTP_11,
        },
        headers,
        body,
        chunked,
        expect_continue: request.expect_100_continue,
        decompress,
        keep_alive: keep_alive && !closes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(request: HttpRequest) -> Result<Prepared, FetchError> {
        let url = Url::parse(&request.url).unwrap();
        prepare(&request, &url, true)
    }

    #[test]
    fn adds_host_length_type_encoding_and_auth() {
        let p = prepared(
            HttpRequest::new("http://me:secret@127.0.0.1:8/x")
                .method("POST")
                .body("a=1"),
        )
        .unwrap();
        assert_eq!(p.headers.get("Host"), Some("127.0.0.1:8"));
        assert_eq!(p.headers.get("Content-Length"), Some("3"));
        assert_eq!(
            p.headers.get("Content-Type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(p.headers.get("Accept-Encoding"), Some("gzip"));
        assert_eq!(p.headers.get("Authorization"), Some("Basic bWU6c2VjcmV0"));
        assert!(!p.chunked && p.keep_alive && p.replayable());
        assert_eq!(p.start_line.path, "/x");
    }

    #[test]
    fn checks_bodies_methods_and_auth_modes() {
        let error = prepared(HttpRequest::new("http://h/").method("PUT"))
            .err()
            .unwrap();
        assert!(error.to_string().contains("must not be None"));
        let error = prepared(HttpRequest::new("http://h/").body("x"))
            .err()
            .unwrap();
        assert!(error.to_string().contains("must be None"));
        let error = prepared(HttpRequest::new("http://h/").method("OTHER"))
            .err()
            .unwrap();
        assert!(error.to_string().contains("unknown method"));
        let error = prepared(
            HttpRequest::new("http://h/")
                .auth("a", "b")
                .auth_mode("asdf"),
        )
        .err()
        .unwrap();
        assert!(error.to_string().contains("unsupported auth_mode"));
        assert!(
            prepared(
                HttpRequest::new("http://h/")
                    .method("OTHER")
                    .allow_nonstandard_methods(true)
            )
            .is_ok()
        );
    }

    #[test]
    fn producer_without_length_is_chunked_and_connection_close_is_honoured() {
        let p = prepared(
            HttpRequest::new("http://h/")
                .method("POST")
                .header("Connection", "close")
                .body_producer(|_writer| async { Ok::<_, std::io::Error>(()) }),
        )
        .unwrap();
        assert!(p.chunked && !p.keep_alive && !p.replayable());
    }
}
