//! [`HttpTestServer`]: an [`HttpServer`] on an unused port of `127.0.0.1`,
//! with a client to fetch from it (Tornado's `AsyncHTTPTestCase`).

use std::fmt;
use std::future::Future;
use std::io;
use std::panic::Location;
use std::sync::Arc;

use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::runtime::Handle;

use super::gen_test::run_timed;
use super::port::bind_unused_port;
use super::timeout::get_async_test_timeout;
use crate::http1::ResponseWriter;
use crate::httpclient::{
    AsyncHttpClient, ClientSettings, HttpClientError, HttpRequest, HttpResponse, RequestDefaults,
};
use crate::httpserver::{HttpServer, HttpServerSettings};
use crate::httputil::{HttpServerConnectionDelegate, HttpServerRequest};

/// An [`HttpServer`] listening on an unused port of `127.0.0.1` (never
/// `localhost`), with an [`AsyncHttpClient`] to fetch from it: Tornado's
/// `AsyncHTTPTestCase`, and `AsyncHTTPSTestCase` when the settings carry a
/// TLS configuration.
///
/// Made inside a tokio runtime (`#[tokio::test]`, or the body given to
/// [`run_test`](super::run_test)). [`stop`](HttpTestServer::stop) ends it
/// the way Tornado's `tearDown` does: the server stops accepting, its
/// connections are closed, and so is the client. Dropping it does the
/// same, the connections being closed by a task on the runtime.
///
/// To check what the server and the client log with an
/// [`ExpectLog`](super::ExpectLog) or a [`LogCapture`](super::LogCapture),
/// run the test on a current-thread runtime (`#[tokio::test]` without a
/// `flavor`, or [`run_test`](super::run_test)): the log checks see the
/// records of the thread that made them only, and on a multi-thread
/// runtime the server's tasks log from worker threads they do not watch.
///
/// ```
/// use supercell::httputil::HttpHeaders;
/// use supercell::testing::{HttpTestServer, run_test};
///
/// run_test(|| async {
///     let server = HttpTestServer::from_callback(|request, mut writer| async move {
///         let body = format!("Hello, {}", request.path());
///         writer.respond(200, HttpHeaders::new(), body).await.unwrap();
///     })
///     .unwrap();
///     let response = server.fetch("/world").await;
///     assert_eq!(response.code, 200);
///     assert_eq!(&response.body[..], b"Hello, /world");
///     assert_eq!(server.get_url("/world"), format!("http://127.0.0.1:{}/world", server.http_port()));
///     server.stop().await;
/// });
/// ```
pub struct HttpTestServer {
    server: HttpServer,
    client: AsyncHttpClient,
    port: u16,
    protocol: &'static str,
    /// Ended by `stop`: nothing left for `Drop`.
    stopped: bool,
}

impl HttpTestServer {
    /// Serves each request through `delegate` (the streaming interface)
    /// with the default settings.
    ///
    /// # Errors
    /// When no port can be bound, or when called outside a tokio runtime.
    pub fn new<D>(delegate: D) -> io::Result<HttpTestServer>
    where
        D: HttpServerConnectionDelegate<ResponseWriter>,
    {
        HttpTestServer::with_settings(delegate, HttpServerSettings::default())
    }

    /// Serves each request through `delegate` with `settings` (Tornado's
    /// `get_httpserver_options`). With `settings.tls` set the server speaks
    /// HTTPS, URLs start with `https://` and the client does not verify
    /// the server's certificate (as Tornado's `AsyncHTTPSTestCase`).
    ///
    /// # Errors
    /// As [`new`](HttpTestServer::new).
    pub fn with_settings<D>(delegate: D, settings: HttpServerSettings) -> io::Result<HttpTestServer>
    where
        D: HttpServerConnectionDelegate<ResponseWriter>,
    {
        let protocol = protocol_of(&settings);
        HttpTestServer::serve(HttpServer::new(delegate, settings), protocol)
    }

    /// Calls `callback` with each whole request (the simple interface,
    /// Tornado's request callback) with the default settings.
    ///
    /// # Errors
    /// As [`new`](HttpTestServer::new).
    pub fn from_callback<F, Fut>(callback: F) -> io::Result<HttpTestServer>
    where
        F: Fn(HttpServerRequest, ResponseWriter) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        HttpTestServer::from_callback_with_settings(callback, HttpServerSettings::default())
    }

    /// Calls `callback` with each whole request, with `settings` (see
    /// [`with_settings`](HttpTestServer::with_settings)).
    ///
    /// # Errors
    /// As [`new`](HttpTestServer::new).
    pub fn from_callback_with_settings<F, Fut>(
        callback: F,
        settings: HttpServerSettings,
    ) -> io::Result<HttpTestServer>
    where
        F: Fn(HttpServerRequest, ResponseWriter) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let protocol = protocol_of(&settings);
        HttpTestServer::serve(HttpServer::from_callback(callback, settings), protocol)
    }

    fn serve(server: HttpServer, protocol: &'static str) -> io::Result<HttpTestServer> {
        let (listener, port) = bind_unused_port()?;
        server.add_socket(listener)?;
        let defaults = RequestDefaults {
            validate_cert: (protocol == "https").then_some(false),
            ..RequestDefaults::default()
        };
        let client = AsyncHttpClient::new(ClientSettings {
            defaults,
            ..ClientSettings::default()
        });
        Ok(HttpTestServer {
            server,
            client,
            port,
            protocol,
            stopped: false,
        })
    }

    /// Fetches with `client` from now on instead of the server's own
    /// (Tornado's `get_http_client`); the own client is closed. `client`
    /// is closed when the server stops.
    pub fn with_client(mut self, client: AsyncHttpClient) -> HttpTestServer {
        self.client.close();
        self.client = client;
        self
    }

    /// The port the server listens on, on `127.0.0.1` (Tornado's
    /// `get_http_port`). Each test server has its own.
    pub fn http_port(&self) -> u16 {
        self.port
    }

    /// `"http"`, or `"https"` when the server speaks TLS (Tornado's
    /// `get_protocol`).
    pub fn protocol(&self) -> &'static str {
        self.protocol
    }

    /// The absolute URL of `path` on the server (Tornado's `get_url`):
    /// `http://127.0.0.1:PORT` followed by `path` (a `/` is put in front of
    /// a path that does not start with one).
    pub fn get_url(&self, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("{}://127.0.0.1:{}{slash}{path}", self.protocol, self.port)
    }

    /// The server.
    pub fn http_server(&self) -> &HttpServer {
        &self.server
    }

    /// The client [`fetch`](HttpTestServer::fetch) uses.
    pub fn http_client(&self) -> &AsyncHttpClient {
        &self.client
    }

    /// Fetches `request` — a path on the server, or an [`HttpRequest`]
    /// whose URL is one — and returns the response whatever its code
    /// (Tornado's `AsyncHTTPTestCase.fetch`): errors come back as the
    /// response's [`error`](HttpResponse::error), a request that got no
    /// response at all as code 599. A URL starting with `http://` or
    /// `https://` is fetched as it is, a path is made absolute with
    /// [`get_url`](HttpTestServer::get_url). The future does not borrow
    /// the server, so several fetches can run as tasks of their own.
    ///
    /// # Panics
    /// When the fetch takes longer than
    /// [`get_async_test_timeout`](super::get_async_test_timeout) (as
    /// Tornado's `fetch` fails the test), and when the client was closed.
    #[track_caller]
    pub fn fetch(
        &self,
        request: impl Into<HttpRequest>,
    ) -> impl Future<Output = HttpResponse> + Send + 'static {
        let fetch = self.fetch_with(request, false);
        let timed = run_timed(
            "fetch",
            Location::caller(),
            get_async_test_timeout().into(),
            fetch,
        );
        async move {
            match timed.await {
                Ok(response) => response,
                Err(error) => panic!("the test server's client cannot fetch: {error}"),
            }
        }
    }

    /// Fetches `request` as [`fetch`](HttpTestServer::fetch) does, but
    /// with the client's own rules and no time limit: with `raise_error`, a
    /// response that is not 2xx, and a failed request, are an error
    /// (Tornado 5.1's `fetch(raise_error=True)`).
    ///
    /// # Errors
    /// As [`AsyncHttpClient::fetch_with`].
    pub fn fetch_with(
        &self,
        request: impl Into<HttpRequest>,
        raise_error: bool,
    ) -> impl Future<Output = Result<HttpResponse, HttpClientError>> + Send + 'static {
        let mut request = request.into();
        if !is_absolute(&request.url) {
            request.url = self.get_url(&request.url);
        }
        let client = self.client.clone();
        async move { client.fetch_with(request, raise_error).await }
    }

    /// Stops the server and waits until its connections are closed, then
    /// closes the client (Tornado's `tearDown`).
    ///
    /// # Panics
    /// When closing the connections takes longer than
    /// [`get_async_test_timeout`](super::get_async_test_timeout).
    #[track_caller]
    pub fn stop(mut self) -> impl Future<Output = ()> {
        let location = Location::caller();
        async move {
            self.stopped = true;
            self.server.stop();
            let timeout = get_async_test_timeout().into();
            run_timed(
                "stop",
                location,
                timeout,
                self.server.close_all_connections(),
            )
            .await;
            self.client.close();
        }
    }
}

impl Drop for HttpTestServer {
    /// Stops the server and the client; the connections are closed by a
    /// task on the current runtime (or end with the runtime).
    fn drop(&mut self) {
        if self.stopped {
            return;
        }
        self.server.stop();
        self.client.close();
        if let Ok(runtime) = Handle::try_current() {
            let server = self.server.clone();
            drop(runtime.spawn(async move { server.close_all_connections().await }));
        }
    }
}

impl fmt::Debug for HttpTestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTestServer")
            .field("url", &self.get_url("/"))
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

/// Settings for an HTTPS test server presenting `cert_chain` (leaf first)
/// with `key`; the other settings are the defaults.
///
/// # Errors
/// When rustls refuses the certificate or the key.
pub fn https_settings(
    cert_chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<HttpServerSettings, rustls::Error> {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(cert_chain, key)?;
    Ok(HttpServerSettings {
        tls: Some(Arc::new(config)),
        ..HttpServerSettings::default()
    })
}

fn protocol_of(settings: &HttpServerSettings) -> &'static str {
    if settings.tls.is_some() {
        "https"
    } else {
        "http"
    }
}

/// Whether `url` is an absolute `http`/`https` URL (any case), fetched as
/// it is.
fn is_absolute(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_urls_are_recognised_in_any_case() {
        assert!(is_absolute("http://example.com/"));
        assert!(is_absolute("HTTPS://example.com/"));
        assert!(is_absolute("hTTp://x"));
        assert!(!is_absolute("/path"));
        assert!(!is_absolute("path"));
        assert!(!is_absolute("ftp://example.com/"));
        assert!(!is_absolute("http:/x"));
        assert!(!is_absolute("é"));
    }
}
