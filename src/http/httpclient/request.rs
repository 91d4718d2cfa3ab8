//! [`HttpRequest`] (Tornado's `HTTPRequest`) and [`RequestDefaults`], the
//! per-client defaults its unset options fall back to.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::Method;

use super::body_writer::BodyWriter;
use crate::httputil::{HttpHeaders, Timestamp, format_timestamp};

/// The error a [`BodyProducer`] may fail with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Called with each chunk of the response body as it arrives; the
/// response's `body` then stays empty.
pub type StreamingCallback = Arc<dyn Fn(Bytes) + Send + Sync>;

/// Called with each line of the response head as it arrives: the start
/// line, each header line, and a last line holding only `"\r\n"`; every
/// line ends with `"\r\n"`.
pub type HeaderCallback = Arc<dyn Fn(&str) + Send + Sync>;

/// Produces a request body as it goes (Tornado's `body_producer`): called
/// with a [`BodyWriter`] once per request sent (again for a redirect that
/// keeps the body), it writes the body through it and resolves when done.
/// Without a `Content-Length` header the body is sent chunked.
pub type BodyProducer = Arc<
    dyn Fn(BodyWriter) -> Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>> + Send + Sync,
>;

/// Connect timeout and request timeout when neither the request nor the
/// client's defaults set one: 20 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// How many redirects are followed when neither the request nor the
/// client's defaults say: 5.
pub const DEFAULT_MAX_REDIRECTS: u32 = 5;

/// One HTTP request for [`AsyncHttpClient::fetch`](super::AsyncHttpClient::fetch)
/// (Tornado's `HTTPRequest`).
///
/// Options left at `None` take the client's [`RequestDefaults`], then
/// Tornado's defaults (documented on each field). Build one with
/// [`HttpRequest::new`] (or from a `&str` / `String` URL) and the builder
/// methods, or set the public fields.
///
/// ```
/// use std::time::Duration;
/// use supercell::httpclient::HttpRequest;
///
/// let request = HttpRequest::new("http://example.com/upload")
///     .method("PUT")
///     .header("Content-Type", "text/plain")
///     .body("hello")
///     .request_timeout(Duration::from_secs(5));
/// assert_eq!(request.method, http::Method::PUT);
/// assert_eq!(request.headers.get("content-type"), Some("text/plain"));
/// assert_eq!(request.body.as_deref(), Some(&b"hello"[..]));
/// ```
#[derive(Clone)]
pub struct HttpRequest {
    /// The URL to fetch (`http` or `https`; `user:password@` in it is sent
    /// as basic authentication).
    pub url: String,
    /// The method. Default: `GET`.
    pub method: Method,
    /// Headers to send. `Host`, `Content-Length`, `Accept-Encoding`,
    /// `User-Agent`, `Authorization` and `Expect` are added from the other
    /// options.
    pub headers: HttpHeaders,
    /// The request body. `POST`, `PUT` and `PATCH` need a body (or a
    /// `body_producer`) and other methods must not have one, unless
    /// `allow_nonstandard_methods`.
    pub body: Option<Bytes>,
    /// A streaming request body instead of `body`.
    pub body_producer: Option<BodyProducer>,
    /// User name for basic authentication.
    pub auth_username: Option<String>,
    /// Password for basic authentication. Default: empty.
    pub auth_password: Option<String>,
    /// Authentication mode: only `"basic"` is supported. Default: basic.
    pub auth_mode: Option<String>,
    /// Limit on resolving, connecting and the TLS handshake; also on the
    /// wait for a free slot among `max_clients`. `Duration::ZERO`: no
    /// limit. Default: 20 s.
    pub connect_timeout: Option<Duration>,
    /// Limit on the whole request, from the moment `fetch` is called
    /// (for a redirect: from the moment it is followed). `Duration::ZERO`:
    /// no limit. Default: 20 s.
    pub request_timeout: Option<Duration>,
    /// Follow redirects (301, 302, 303, 307, 308)? Otherwise a redirect
    /// is returned (as an error, being a non-2xx response). Default: true.
    pub follow_redirects: Option<bool>,
    /// How many redirects to follow at most. Default: 5.
    pub max_redirects: Option<u32>,
    /// The `User-Agent` header. Default: none sent.
    pub user_agent: Option<String>,
    /// Ask for a gzip response (`Accept-Encoding: gzip`) and decompress it.
    /// Default: true.
    pub decompress_response: Option<bool>,
    /// The local address to connect from. Default: chosen by the system.
    pub network_interface: Option<IpAddr>,
    /// Receives the body chunk by chunk instead of the response's `body`.
    pub streaming_callback: Option<StreamingCallback>,
    /// Receives the head of the final response line by line.
    pub header_callback: Option<HeaderCallback>,
    /// Allow methods other than GET, HEAD, POST, PUT, DELETE, PATCH and
    /// OPTIONS, and bodies on methods that usually have none (and no body
    /// on POST, PUT, PATCH). Default: false.
    pub allow_nonstandard_methods: Option<bool>,
    /// Verify the server's certificate and host name for HTTPS. Default:
    /// true.
    pub validate_cert: Option<bool>,
    /// PEM file of the CA certificates to trust instead of the webpki
    /// roots.
    pub ca_certs: Option<PathBuf>,
    /// Use IPv6 addresses of the host too. Default: true.
    pub allow_ipv6: Option<bool>,
    /// PEM file of the key of `client_cert` (default: read from
    /// `client_cert`).
    pub client_key: Option<PathBuf>,
    /// PEM file of a client certificate chain to present.
    pub client_cert: Option<PathBuf>,
    /// Send `Expect: 100-continue` and send the body only after the server
    /// answered `100 Continue`. Default: false.
    pub expect_100_continue: bool,
    /// A ready TLS configuration, overriding `validate_cert`, `ca_certs`,
    /// `client_key` and `client_cert`.
    pub ssl_options: Option<Arc<rustls::ClientConfig>>,
    /// When the request was made (Tornado's `start_time`).
    pub start_time: SystemTime,
    /// What a builder method could not accept, reported by `fetch`.
    pub(crate) invalid: Option<String>,
}

impl HttpRequest {
    /// A `GET` of `url` with every option at its default.
    pub fn new(url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            url: url.into(),
            method: Method::GET,
            headers: HttpHeaders::new(),
            body: None,
            body_producer: None,
            auth_username: None,
            auth_password: None,
            auth_mode: None,
            connect_timeout: None,
            request_timeout: None,
            follow_redirects: None,
            max_redirects: None,
            user_agent: None,
            decompress_response: None,
            network_interface: None,
            streaming_callback: None,
            header_callback: None,
            allow_nonstandard_methods: None,
            validate_cert: None,
            ca_certs: None,
            allow_ipv6: None,
            client_key: None,
            client_cert: None,
            expect_100_continue: false,
            ssl_options: None,
            start_time: SystemTime::now(),
            invalid: None,
        }
    }

    fn reject(mut self, what: String) -> HttpRequest {
        self.invalid.get_or_insert(what);
        self
    }

    /// Sets the method; one that is not a valid token makes `fetch` fail.
    pub fn method(mut self, method: &str) -> HttpRequest {
        match Method::from_bytes(method.as_bytes()) {
            Ok(method) => {
                self.method = method;
                self
            }
            Err(_) => self.reject(format!("invalid method {method:?}")),
        }
    }

    /// Adds a header (keeping others of the same name); an invalid name or
    /// value makes `fetch` fail.
    pub fn header(mut self, name: &str, value: &str) -> HttpRequest {
        match self.headers.add(name, value) {
            Ok(()) => self,
            Err(error) => self.reject(format!("invalid header {name:?}: {error}")),
        }
    }

    /// Replaces all headers.
    pub fn headers(mut self, headers: HttpHeaders) -> HttpRequest {
        self.headers = headers;
        self
    }

    /// Sets the body (a `String` or `&str` is sent as UTF-8).
    pub fn body(mut self, body: impl Into<Bytes>) -> HttpRequest {
        self.body = Some(body.into());
        self
    }

    /// Streams the body from `producer` (see [`BodyProducer`]).
    pub fn body_producer<F, Fut, E>(mut self, producer: F) -> HttpRequest
    where
        F: Fn(BodyWriter) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        self.body_producer = Some(Arc::new(move |writer| {
            let produced = producer(writer);
            Box::pin(async move { produced.await.map_err(Into::into) })
        }));
        self
    }

    /// Sets the credentials for basic authentication.
    pub fn auth(mut self, username: &str, password: &str) -> HttpRequest {
        self.auth_username = Some(username.to_owned());
        self.auth_password = Some(password.to_owned());
        self
    }

    /// Sets the authentication mode (only `"basic"` is supported).
    pub fn auth_mode(mut self, mode: &str) -> HttpRequest {
        self.auth_mode = Some(mode.to_owned());
        self
    }

    /// Sets the connect timeout (`Duration::ZERO`: none).
    pub fn connect_timeout(mut self, timeout: Duration) -> HttpRequest {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the request timeout (`Duration::ZERO`: none).
    pub fn request_timeout(mut self, timeout: Duration) -> HttpRequest {
        self.request_timeout = Some(timeout);
        self
    }

    /// Sends `If-Modified-Since` with `time` (a `SystemTime`, seconds
    /// since the epoch, or a UTC `NaiveDateTime`).
    pub fn if_modified_since(mut self, time: impl Into<Timestamp>) -> HttpRequest {
        let stamp = format_timestamp(time);
        match self.headers.set("If-Modified-Since", &stamp) {
            Ok(()) => self,
            Err(error) => self.reject(format!("invalid If-Modified-Since: {error}")),
        }
    }

    /// Whether to follow redirects.
    pub fn follow_redirects(mut self, follow: bool) -> HttpRequest {
        self.follow_redirects = Some(follow);
        self
    }

    /// How many redirects to follow at most.
    pub fn max_redirects(mut self, max: u32) -> HttpRequest {
        self.max_redirects = Some(max);
        self
    }

    /// Sets the `User-Agent`.
    pub fn user_agent(mut self, user_agent: &str) -> HttpRequest {
        self.user_agent = Some(user_agent.to_owned());
        self
    }

    /// Whether to ask for and decompress gzip responses (Tornado's
    /// `decompress_response`, formerly `use_gzip`).
    pub fn decompress_response(mut self, decompress: bool) -> HttpRequest {
        self.decompress_response = Some(decompress);
        self
    }

    /// Connects from this local address.
    pub fn network_interface(mut self, address: IpAddr) -> HttpRequest {
        self.network_interface = Some(address);
        self
    }

    /// Receives the body chunk by chunk (see [`StreamingCallback`]).
    pub fn streaming_callback(
        mut self,
        callback: impl Fn(Bytes) + Send + Sync + 'static,
    ) -> HttpRequest {
        self.streaming_callback = Some(Arc::new(callback));
        self
    }

    /// Receives the response head line by line (see [`HeaderCallback`]).
    pub fn header_callback(
        mut self,
        callback: impl Fn(&str) + Send + Sync + 'static,
    ) -> HttpRequest {
        self.header_callback = Some(Arc::new(callback));
        self
    }

    /// Whether unusual methods and bodies are allowed.
    pub fn allow_nonstandard_methods(mut self, allow: bool) -> HttpRequest {
        self.allow_nonstandard_methods = Some(allow);
        self
    }

    /// Whether to verify the server's certificate.
    pub fn validate_cert(mut self, validate: bool) -> HttpRequest {
        self.validate_cert = Some(validate);
        self
    }

    /// Trusts the CA certificates in this PEM file.
    pub fn ca_certs(mut self, path: impl Into<PathBuf>) -> HttpRequest {
        self.ca_certs = Some(path.into());
        self
    }

    /// Whether IPv6 addresses may be used.
    pub fn allow_ipv6(mut self, allow: bool) -> HttpRequest {
        self.allow_ipv6 = Some(allow);
        self
    }

    /// Presents the client certificate in `cert` with the key in `key`.
    pub fn client_cert(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> HttpRequest {
        self.client_cert = Some(cert.into());
        self.client_key = Some(key.into());
        self
    }

    /// Whether to send `Expect: 100-continue` and wait for the go-ahead.
    pub fn expect_100_continue(mut self, expect: bool) -> HttpRequest {
        self.expect_100_continue = expect;
        self
    }

    /// Uses this TLS configuration for HTTPS.
    pub fn ssl_options(mut self, config: Arc<rustls::ClientConfig>) -> HttpRequest {
        self.ssl_options = Some(config);
        self
    }

    /// This request with every option it leaves at `None` taken from
    /// `defaults` (Tornado's `_RequestProxy`: the request's own value wins).
    pub fn with_defaults(mut self, defaults: &RequestDefaults) -> HttpRequest {
        fn fill<T: Clone>(field: &mut Option<T>, default: &Option<T>) {
            if field.is_none() {
                field.clone_from(default);
            }
        }
        fill(&mut self.auth_username, &defaults.auth_username);
        fill(&mut self.auth_password, &defaults.auth_password);
        fill(&mut self.auth_mode, &defaults.auth_mode);
        fill(&mut self.connect_timeout, &defaults.connect_timeout);
        fill(&mut self.request_timeout, &defaults.request_timeout);
        fill(&mut self.follow_redirects, &defaults.follow_redirects);
        fill(&mut self.max_redirects, &defaults.max_redirects);
        fill(&mut self.user_agent, &defaults.user_agent);
        fill(&mut self.decompress_response, &defaults.decompress_response);
        fill(&mut self.network_interface, &defaults.network_interface);
        fill(
            &mut self.allow_nonstandard_methods,
            &defaults.allow_nonstandard_methods,
        );
        fill(&mut self.validate_cert, &defaults.validate_cert);
        fill(&mut self.ca_certs, &defaults.ca_certs);
        fill(&mut self.allow_ipv6, &defaults.allow_ipv6);
        fill(&mut self.client_key, &defaults.client_key);
        fill(&mut self.client_cert, &defaults.client_cert);
        fill(&mut self.ssl_options, &defaults.ssl_options);
        self
    }
}

impl From<&str> for HttpRequest {
    fn from(url: &str) -> Self {
        HttpRequest::new(url)
    }
}

impl From<String> for HttpRequest {
    fn from(url: String) -> Self {
        HttpRequest::new(url)
    }
}

impl From<&String> for HttpRequest {
    fn from(url: &String) -> Self {
        HttpRequest::new(url.as_str())
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("url", &self.url)
            .field("method", &self.method)
            .field("headers", &self.headers)
            .field("body", &self.body.as_ref().map(Bytes::len))
            .field("body_producer", &self.body_producer.is_some())
            .field("auth_username", &self.auth_username)
            .field("auth_mode", &self.auth_mode)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("follow_redirects", &self.follow_redirects)
            .field("max_redirects", &self.max_redirects)
            .field("user_agent", &self.user_agent)
            .field("decompress_response", &self.decompress_response)
            .field("network_interface", &self.network_interface)
            .field("allow_nonstandard_methods", &self.allow_nonstandard_methods)
            .field("validate_cert", &self.validate_cert)
            .field("ca_certs", &self.ca_certs)
            .field("allow_ipv6", &self.allow_ipv6)
            .field("client_cert", &self.client_cert)
            .field("expect_100_continue", &self.expect_100_continue)
            .finish_non_exhaustive()
    }
}

/// Per-client defaults for the options a request leaves at `None`
/// (Tornado's `defaults` argument of `AsyncHTTPClient`, merged with
/// `HTTPRequest._DEFAULTS`). [`Default`] holds Tornado's defaults: 20 s
/// timeouts, redirects followed up to 5, responses decompressed,
/// certificates validated, only standard methods.
///
/// ```
/// use supercell::httpclient::{HttpRequest, RequestDefaults};
///
/// let defaults = RequestDefaults {
///     user_agent: Some("MyAgent/1.0".into()),
///     ..RequestDefaults::default()
/// };
/// let request = HttpRequest::new("http://example.com/").with_defaults(&defaults);
/// assert_eq!(request.user_agent.as_deref(), Some("MyAgent/1.0"));
/// assert_eq!(request.max_redirects, Some(5));
/// ```
///
/// Each field is the default of the [`HttpRequest`] field of the same
/// name.
#[derive(Clone, Debug)]
pub struct RequestDefaults {
    /// User name for basic authentication.
    pub auth_username: Option<String>,
    /// Password for basic authentication.
    pub auth_password: Option<String>,
    /// Authentication mode (only `"basic"`).
    pub auth_mode: Option<String>,
    /// Connect timeout. Default: 20 s.
    pub connect_timeout: Option<Duration>,
    /// Request timeout. Default: 20 s.
    pub request_timeout: Option<Duration>,
    /// Whether redirects are followed. Default: true.
    pub follow_redirects: Option<bool>,
    /// How many redirects are followed. Default: 5.
    pub max_redirects: Option<u32>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// Whether gzip responses are asked for and decompressed. Default: true.
    pub decompress_response: Option<bool>,
    /// The local address to connect from.
    pub network_interface: Option<IpAddr>,
    /// Whether unusual methods and bodies are allowed. Default: false.
    pub allow_nonstandard_methods: Option<bool>,
    /// Whether server certificates are verified. Default: true.
    pub validate_cert: Option<bool>,
    /// PEM file of the CA certificates to trust.
    pub ca_certs: Option<PathBuf>,
    /// Whether IPv6 addresses may be used (unset: yes).
    pub allow_ipv6: Option<bool>,
    /// PEM file of the client certificate's key.
    pub client_key: Option<PathBuf>,
    /// PEM file of a client certificate chain.
    pub client_cert: Option<PathBuf>,
    /// A ready TLS configuration.
    pub ssl_options: Option<Arc<rustls::ClientConfig>>,
}

impl Default for RequestDefaults {
    fn default() -> Self {
        RequestDefaults {
            auth_username: None,
            auth_password: None,
            auth_mode: None,
            connect_timeout: Some(DEFAULT_TIMEOUT),
            request_timeout: Some(DEFAULT_TIMEOUT),
            follow_redirects: Some(true),
            max_redirects: Some(DEFAULT_MAX_REDIRECTS),
            user_agent: None,
            decompress_response: Some(true),
            network_interface: None,
            allow_nonstandard_methods: Some(false),
            validate_cert: Some(true),
            ca_certs: None,
            allow_ipv6: None,
            client_key: None,
            client_cert: None,
            ssl_options: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_builder_input_is_kept_for_fetch_to_report() {
        let request = HttpRequest::new("http://example.com/")
            .header("X-Ok", "1")
            .header("Bad Name", "x")
            .method("GE T");
        assert!(request.invalid.as_deref().unwrap().contains("Bad Name"));
        assert_eq!(request.headers.get("x-ok"), Some("1"));
    }

    #[test]
    fn if_modified_since_is_an_imf_fixdate() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        let request = HttpRequest::new("http://example.com/").if_modified_since(time);
        assert_eq!(
            request.headers.get("If-Modified-Since"),
            Some("Sun, 06 Nov 1994 08:49:37 GMT")
        );
    }

    #[test]
    fn request_values_win_over_defaults() {
        let defaults = RequestDefaults {
            user_agent: Some("default".into()),
            allow_ipv6: Some(false),
            ..RequestDefaults::default()
        };
        let request = HttpRequest::new("http://example.com/")
            .user_agent("mine")
            .with_defaults(&defaults);
        assert_eq!(request.user_agent.as_deref(), Some("mine"));
        assert_eq!(request.allow_ipv6, Some(false));
        assert_eq!(request.connect_timeout, Some(DEFAULT_TIMEOUT));
    }
}
