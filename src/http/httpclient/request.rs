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

/// Declares [`HttpRequest`] and [`RequestDefaults`] from one list: the
/// request's own fields, each with its value in [`HttpRequest::new`], then
/// the options a client may default, each with Tornado's default. An
/// option is a field of both structs, under the same doc comment:
/// `HttpRequest::new` leaves it at `None`,
/// [`HttpRequest::with_defaults`] fills it from the client's
/// [`RequestDefaults`], and `RequestDefaults::default()` holds Tornado's
/// value.
macro_rules! request_and_defaults {
    (
        $(#[$request_attr:meta])*
        pub struct HttpRequest {
            $( $(#[$own_attr:meta])* $own_vis:vis $own:ident: $own_ty:ty = $own_init:expr, )*
        }

        $(#[$new_attr:meta])*
        pub fn new($url:ident: $url_ty:ty) -> HttpRequest;

        $(#[$defaults_attr:meta])*
        pub struct RequestDefaults {
            $( $(#[$option_attr:meta])* pub $option:ident: $option_ty:ty = $default:expr, )*
        }
    ) => {
        $(#[$request_attr])*
        pub struct HttpRequest {
            $( $(#[$own_attr])* $own_vis $own: $own_ty, )*
            $( $(#[$option_attr])* pub $option: $option_ty, )*
        }

        impl HttpRequest {
            $(#[$new_attr])*
            pub fn new($url: $url_ty) -> HttpRequest {
                HttpRequest {
                    $( $own: $own_init, )*
                    $( $option: None, )*
                }
            }

            /// This request with every option it leaves at `None` taken
            /// from `defaults` (Tornado's `_RequestProxy`: the request's
            /// own value wins).
            pub fn with_defaults(mut self, defaults: &RequestDefaults) -> HttpRequest {
                $(
                    if self.$option.is_none() {
                        self.$option.clone_from(&defaults.$option);
                    }
                )*
                self
            }
        }

        $(#[$defaults_attr])*
        pub struct RequestDefaults {
            $( $(#[$option_attr])* pub $option: $option_ty, )*
        }

        impl Default for RequestDefaults {
            fn default() -> Self {
                RequestDefaults {
                    $( $option: $default, )*
                }
            }
        }
    };
}

/// Builder methods of [`HttpRequest`] that set one option to
/// `Some(value)`, each written `name(argument: Type) => value;` under its
/// doc comment.
macro_rules! option_setters {
    ($( $(#[$doc:meta])* $name:ident($arg:ident: $ty:ty) => $value:expr; )*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $arg: $ty) -> HttpRequest {
                self.$name = Some($value);
                self
            }
        )*
    };
}

request_and_defaults! {
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
        pub url: String = url.into(),
        /// The method. Default: `GET`.
        pub method: Method = Method::GET,
        /// Headers to send. `Host`, `Content-Length`, `Accept-Encoding`,
        /// `User-Agent`, `Authorization` and `Expect` are added from the other
        /// options.
        pub headers: HttpHeaders = HttpHeaders::new(),
        /// The request body. `POST`, `PUT` and `PATCH` need a body (or a
        /// `body_producer`) and other methods must not have one, unless
        /// `allow_nonstandard_methods`.
        pub body: Option<Bytes> = None,
        /// A streaming request body instead of `body`.
        pub body_producer: Option<BodyProducer> = None,
        /// Receives the body chunk by chunk instead of the response's `body`.
        pub streaming_callback: Option<StreamingCallback> = None,
        /// Receives the head of the final response line by line.
        pub header_callback: Option<HeaderCallback> = None,
        /// Send `Expect: 100-continue` and send the body only after the server
        /// answered `100 Continue`. Default: false.
        pub expect_100_continue: bool = false,
        /// When the request was made (Tornado's `start_time`).
        pub start_time: SystemTime = SystemTime::now(),
        /// What a builder method could not accept, reported by `fetch`.
        pub(crate) invalid: Option<String> = None,
    }

    /// A `GET` of `url` with every option at its default.
    pub fn new(url: impl Into<String>) -> HttpRequest;

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
        pub auth_username: Option<String> = None,
        /// Password for basic authentication. Default: empty.
        pub auth_password: Option<String> = None,
        /// Authentication mode: only `"basic"` is supported. Default: basic.
        pub auth_mode: Option<String> = None,
        /// Limit on resolving, connecting and the TLS handshake; also on the
        /// wait for a free slot among `max_clients`. `Duration::ZERO`: no
        /// limit. Default: 20 s.
        pub connect_timeout: Option<Duration> = Some(DEFAULT_TIMEOUT),
        /// Limit on the whole request, from the moment `fetch` is called
        /// (for a redirect: from the moment it is followed). `Duration::ZERO`:
        /// no limit. Default: 20 s.
        pub request_timeout: Option<Duration> = Some(DEFAULT_TIMEOUT),
        /// Follow redirects (301, 302, 303, 307, 308)? Otherwise a redirect
        /// is returned (as an error, being a non-2xx response). Default: true.
        pub follow_redirects: Option<bool> = Some(true),
        /// How many redirects to follow at most. Default: 5.
        pub max_redirects: Option<u32> = Some(DEFAULT_MAX_REDIRECTS),
        /// The `User-Agent` header. Default: none sent.
        pub user_agent: Option<String> = None,
        /// Ask for a gzip response (`Accept-Encoding: gzip`) and decompress it.
        /// Default: true.
        pub decompress_response: Option<bool> = Some(true),
        /// The local address to connect from. Default: chosen by the system.
        pub network_interface: Option<IpAddr> = None,
        /// Allow methods other than GET, HEAD, POST, PUT, DELETE, PATCH and
        /// OPTIONS, and bodies on methods that usually have none (and no body
        /// on POST, PUT, PATCH). Default: false.
        pub allow_nonstandard_methods: Option<bool> = Some(false),
        /// Verify the server's certificate and host name for HTTPS. Default:
        /// true.
        pub validate_cert: Option<bool> = Some(true),
        /// PEM file of the CA certificates to trust instead of the webpki
        /// roots.
        pub ca_certs: Option<PathBuf> = None,
        /// Use IPv6 addresses of the host too. Default: true.
        pub allow_ipv6: Option<bool> = None,
        /// PEM file of the key of `client_cert` (default: read from
        /// `client_cert`).
        pub client_key: Option<PathBuf> = None,
        /// PEM file of a client certificate chain to present.
        pub client_cert: Option<PathBuf> = None,
        /// A ready TLS configuration, overriding `validate_cert`, `ca_certs`,
        /// `client_key` and `client_cert`.
        pub ssl_options: Option<Arc<rustls::ClientConfig>> = None,
    }
}

impl HttpRequest {
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

    /// Sends `If-Modified-Since` with `time` (a `SystemTime`, seconds
    /// since the epoch, or a UTC `NaiveDateTime`).
    pub fn if_modified_since(mut self, time: impl Into<Timestamp>) -> HttpRequest {
        let stamp = format_timestamp(time);
        match self.headers.set("If-Modified-Since", &stamp) {
            Ok(()) => self,
            Err(error) => self.reject(format!("invalid If-Modified-Since: {error}")),
        }
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

    option_setters! {
        /// Sets the body (a `String` or `&str` is sent as UTF-8).
        body(body: impl Into<Bytes>) => body.into();
        /// Sets the authentication mode (only `"basic"` is supported).
        auth_mode(mode: &str) => mode.to_owned();
        /// Sets the connect timeout (`Duration::ZERO`: none).
        connect_timeout(timeout: Duration) => timeout;
        /// Sets the request timeout (`Duration::ZERO`: none).
        request_timeout(timeout: Duration) => timeout;
        /// Whether to follow redirects.
        follow_redirects(follow: bool) => follow;
        /// How many redirects to follow at most.
        max_redirects(max: u32) => max;
        /// Sets the `User-Agent`.
        user_agent(user_agent: &str) => user_agent.to_owned();
        /// Whether to ask for and decompress gzip responses (Tornado's
        /// `decompress_response`, formerly `use_gzip`).
        decompress_response(decompress: bool) => decompress;
        /// Connects from this local address.
        network_interface(address: IpAddr) => address;
        /// Receives the body chunk by chunk (see [`StreamingCallback`]).
        streaming_callback(callback: impl Fn(Bytes) + Send + Sync + 'static) => Arc::new(callback);
        /// Receives the response head line by line (see [`HeaderCallback`]).
        header_callback(callback: impl Fn(&str) + Send + Sync + 'static) => Arc::new(callback);
        /// Whether unusual methods and bodies are allowed.
        allow_nonstandard_methods(allow: bool) => allow;
        /// Whether to verify the server's certificate.
        validate_cert(validate: bool) => validate;
        /// Trusts the CA certificates in this PEM file.
        ca_certs(path: impl Into<PathBuf>) => path.into();
        /// Whether IPv6 addresses may be used.
        allow_ipv6(allow: bool) => allow;
        /// Uses this TLS configuration for HTTPS.
        ssl_options(config: Arc<rustls::ClientConfig>) => config;
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
