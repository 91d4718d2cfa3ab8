//! Counterparts of Tornado 5.0's `tornado/test/simple_httpclient_test.py`
//! (the tests of `SimpleHTTPClientTestMixin` run over HTTP and HTTPS, as
//! Tornado runs them), against a test server on raw tokio sockets
//! (`support/http_app.rs`); plus the keep-alive pool, which Tornado's
//! simple client does not have.
//!
//! Tornado tests without a counterpart here:
//! - `SimpleHTTPClientTestMixin.test_singleton` (HTTP and HTTPS): there is
//!   no implicit client per event loop; a client is an explicit, cloneable
//!   handle.
//! - The second half of `CreateAsyncHTTPClientTestCase.test_max_clients`
//!   (`AsyncHTTPClient.configure` overridden per instance): there is no
//!   class-level `configure`; the first half (the default and an explicit
//!   `max_clients`) has its counterpart.
//! - `SimpleHTTPClientTestMixin.xtest_multiple_content_length_accepted` is
//!   disabled in Tornado itself.

#[path = "support/certs.rs"]
mod certs;
#[path = "support/http_app.rs"]
mod http_app;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_app::{
    ClientFixture as Mixin, Handler, Reply, TestServer, Triggers, assert_failed, fetch_raw_reply,
    handler, location, numbered, text, tornado_app,
};
use supercell::httpclient::{
    AsyncHttpClient, BodyWriter, ClientSettings, FetchError, HttpClientError, HttpRequest,
    HttpResponse,
};
use supercell::httputil::HttpHeaders;
use supercell::netutil::{AddressFamily, OverrideKey, OverrideTarget, ResolveFuture, Resolver};
use supercell::testing::{LogCapture, bind_unused_port};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Tornado's `SimpleHTTPClientTestMixin` set-up: the test application
/// over HTTP or HTTPS, and a client for it.
async fn mixin(tls: bool) -> Mixin {
    Mixin::start(tls.then(|| certs::server_options().server_config().unwrap())).await
}

/// Runs `client.fetch_with(request, false)` as a task of its own.
fn spawn_fetch(
    client: &AsyncHttpClient,
    request: impl Into<HttpRequest>,
) -> JoinHandle<Result<HttpResponse, HttpClientError>> {
    let (client, request) = (client.clone(), request.into());
    tokio::spawn(async move { client.fetch_with(request, false).await })
}

/// A client of `mx` with one connection at most (`max_clients: 1`).
fn one_slot_client(mx: &Mixin) -> AsyncHttpClient {
    mx.create_client(ClientSettings {
        max_clients: 1,
        ..ClientSettings::default()
    })
}

/// A one-slot client whose slot is taken by a fetch of `/hang` (the task
/// returned).
async fn one_busy_slot(
    mx: &Mixin,
) -> (
    AsyncHttpClient,
    JoinHandle<Result<HttpResponse, HttpClientError>>,
) {
    let client = one_slot_client(mx);
    let first = spawn_fetch(&client, mx.url("/hang"));
    while client.active() == 0 {
        tokio::task::yield_now().await;
    }
    (client, first)
}

/// Fetches `https://127.0.0.1:PORT/`, shaped by `request`, from a server
/// that accepts the connection and never answers the TLS handshake.
async fn fetch_from_a_silent_tls_server(
    request: impl FnOnce(HttpRequest) -> HttpRequest,
) -> HttpResponse {
    let (listener, port) = bind_unused_port().unwrap();
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    let held = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        std::future::pending::<()>().await;
        drop(socket);
    });
    let response = AsyncHttpClient::default()
        .fetch_with(
            request(HttpRequest::new(format!("https://127.0.0.1:{port}/"))),
            false,
        )
        .await
        .unwrap();
    held.abort();
    response
}

/// Runs each mixin test over HTTP (`simple_http_client_test_case_*`) and
/// HTTPS (`simple_https_client_test_case_*`).
macro_rules! mixin_tests {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {
        mod simple_http_client_test_case {
            $($(#[$attr])* async fn $name() { super::$name(false).await })*
        }
        mod simple_https_client_test_case {
            $($(#[$attr])* async fn $name() { super::$name(true).await })*
        }
    };
}

mixin_tests! {
    #[tokio::test] connection_limit,
    #[tokio::test] redirect_connection_limit,
    #[tokio::test] gzip,
    #[tokio::test] max_redirects,
    #[tokio::test] header_reuse,
    #[tokio::test] see_other_redirect,
    #[tokio::test(start_paused = true)] connect_timeout,
    #[tokio::test(start_paused = true)] request_timeout,
    #[tokio::test] ipv6,
    #[tokio::test] head_request,
    #[tokio::test] options_request,
    #[tokio::test] no_content,
    #[tokio::test] host_header,
    #[tokio::test] connection_refused,
    #[tokio::test] queue_timeout,
    #[tokio::test] no_content_length,
    #[tokio::test] sync_body_producer_chunked,
    #[tokio::test] sync_body_producer_content_length,
    #[tokio::test] async_body_producer_chunked,
    #[tokio::test] async_body_producer_content_length,
    #[tokio::test] native_body_producer_chunked,
    #[tokio::test] native_body_producer_content_length,
    #[tokio::test] continue_100,
    #[tokio::test] continue_100_early_response,
    #[tokio::test] streaming_follow_redirects,
}

async fn connection_limit(tls: bool) {
    let mx = mixin(tls).await;
    let client = mx.create_client(ClientSettings {
        max_clients: 2,
        ..ClientSettings::default()
    });
    assert_eq!(client.max_clients(), 2);
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    // Four requests: two are sent at once, two wait in the queue.
    for i in 0..4 {
        let (client, url, seen_tx) = (client.clone(), mx.url("/trigger"), seen_tx.clone());
        tokio::spawn(async move {
            let response = client.fetch(url).await.unwrap();
            seen_tx.send((i, response.code)).unwrap();
        });
    }
    mx.triggers.wait_for(2).await;
    while client.queued() < 2 {
        tokio::task::yield_now().await;
    }
    assert_eq!(client.queued(), 2);
    assert_eq!(client.active(), 2);

    // Finishing the first two lets the next two through.
    mx.triggers.fire();
    mx.triggers.fire();
    let mut done = vec![seen.recv().await.unwrap().0, seen.recv().await.unwrap().0];
    done.sort();
    assert_eq!(done, [0, 1]);
    mx.triggers.wait_for(2).await;
    assert_eq!(client.queued(), 0);

    mx.triggers.fire();
    mx.triggers.fire();
    done.push(seen.recv().await.unwrap().0);
    done.push(seen.recv().await.unwrap().0);
    done.sort();
    assert_eq!(done, [0, 1, 2, 3]);
    assert_eq!(mx.triggers.len(), 0);
}

async fn redirect_connection_limit(tls: bool) {
    // Following redirects takes no more slots.
    let mx = mixin(tls).await;
    let client = one_slot_client(&mx);
    let response = client
        .fetch(mx.req("/countdown/3").max_redirects(3))
        .await
        .unwrap();
    assert_eq!(text(&response.body), "Zero");
}

async fn gzip(tls: bool) {
    // Asking for gzip by hand, without decompress_response, shows the raw
    // compressed body.
    let mx = mixin(tls).await;
    let response = mx
        .fetch(
            mx.req("/chunk")
                .decompress_response(false)
                .header("Accept-Encoding", "gzip"),
        )
        .await;
    assert_eq!(response.headers.get("Content-Encoding"), Some("gzip"));
    assert_ne!(&response.body[..], b"asdfqwer");
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(&response.body[..])
        .read_to_string(&mut decoded)
        .unwrap();
    assert_eq!(decoded, "asdfqwer");
}

async fn max_redirects(tls: bool) {
    let mx = mixin(tls).await;
    let response = mx.fetch(mx.req("/countdown/5").max_redirects(3)).await;
    assert_eq!(response.code, 302);
    // Requested 5, followed three redirects (to 4, 3, 2); the last one,
    // to 1, is not followed.
    assert!(response.request.url.ends_with("/countdown/5"));
    assert!(response.effective_url.ends_with("/countdown/2"));
    assert!(location(&response).ends_with("/countdown/1"));
}

async fn header_reuse(tls: bool) {
    // The headers given are not changed by what the client adds.
    let mx = mixin(tls).await;
    let mut headers = HttpHeaders::new();
    headers.add("User-Agent", "Foo").unwrap();
    let response = mx.fetch(mx.req("/hello").headers(headers.clone())).await;
    assert_eq!(response.code, 200);
    assert_eq!(response.request.headers, headers);
}

async fn see_other_redirect(tls: bool) {
    let mx = mixin(tls).await;
    for code in [302, 303] {
        let response = mx
            .fetch(
                mx.req("/see_other_post")
                    .method("POST")
                    .body(code.to_string()),
            )
            .await;
        assert_eq!(response.code, 200);
        assert!(response.request.url.ends_with("/see_other_post"));
        assert!(response.effective_url.ends_with("/see_other_get"));
        // The request is the original one, still a POST.
        assert_eq!(response.request.method, http::Method::POST);
    }
}

/// A resolver that never answers.
struct TimeoutResolver;

impl Resolver for TimeoutResolver {
    fn resolve<'a>(&'a self, _: &'a str, _: u16, _: AddressFamily) -> ResolveFuture<'a> {
        Box::pin(std::future::pending())
    }
}

async fn connect_timeout(tls: bool) {
    let mx = mixin(tls).await;
    let client = mx.create_client(ClientSettings {
        resolver: Some(Arc::new(TimeoutResolver)),
        ..ClientSettings::default()
    });
    let timeout = Duration::from_millis(100);
    let response = client
        .fetch_with(mx.req("/hello").connect_timeout(timeout), false)
        .await
        .unwrap();
    assert_eq!(response.code, 599);
    assert_eq!(response.request_time, timeout);
    assert_eq!(
        response.error.unwrap().to_string(),
        "HTTP 599: Timeout while connecting"
    );
}

async fn request_timeout(tls: bool) {
    let mx = mixin(tls).await;
    let timeout = Duration::from_millis(100);
    let response = mx
        .fetch(mx.req("/trigger?wake=false").request_timeout(timeout))
        .await;
    assert_eq!(response.code, 599);
    assert_eq!(response.request_time, timeout);
    assert_eq!(
        response.error.unwrap().to_string(),
        "HTTP 599: Timeout during request"
    );
    // Let the hanging request clean up after itself.
    mx.triggers.wait_for(1).await;
    mx.triggers.fire();
}

async fn ipv6(tls: bool) {
    let Ok(listener) = tokio::net::TcpListener::bind("[::1]:0").await else {
        eprintln!("skipped: no IPv6 loopback");
        return;
    };
    let config = tls.then(|| certs::server_options().server_config().unwrap());
    let server = TestServer::on_listener(listener, tornado_app(Triggers::default()), None, config);
    let mx = mixin(tls).await;
    let url = server.url("/hello").replace("127.0.0.1", "[::1]");

    // IPv6 is on by default, and can be turned off.
    let response = mx
        .fetch(HttpRequest::new(url.as_str()).allow_ipv6(false))
        .await;
    assert_eq!(response.code, 599);
    let response = mx.fetch(HttpRequest::new(url.as_str())).await;
    assert_eq!(text(&response.body), "Hello world!");
}

async fn head_request(tls: bool) {
    let mx = mixin(tls).await;
    let response = mx.fetch(mx.req("/head").method("HEAD")).await;
    assert_eq!(response.code, 200);
    assert_eq!(response.headers.get("content-length"), Some("7"));
    assert!(response.body.is_empty());
}

async fn options_request(tls: bool) {
    let mx = mixin(tls).await;
    let response = mx.fetch(mx.req("/options").method("OPTIONS")).await;
    assert_eq!(response.code, 200);
    assert_eq!(response.headers.get("content-length"), Some("2"));
    assert_eq!(
        response.headers.get("access-control-allow-origin"),
        Some("*")
    );
    assert_eq!(text(&response.body), "ok");
}

async fn no_content(tls: bool) {
    let mx = mixin(tls).await;
    let response = mx.fetch(mx.req("/no_content")).await;
    assert_eq!(response.code, 204);
    assert!(!response.headers.contains("Content-Length"));
}

async fn host_header(tls: bool) {
    let mx = mixin(tls).await;
    let host = regex::Regex::new(r"^127\.0\.0\.1:[0-9]+$").unwrap();
    let response = mx.fetch(mx.req("/host_echo")).await;
    assert!(host.is_match(text(&response.body)), "{:?}", response.body);

    let url = mx.url("/host_echo").replace("://", "://me:secret@");
    let response = mx.fetch(HttpRequest::new(url)).await;
    assert!(host.is_match(text(&response.body)), "{:?}", response.body);
}

async fn connection_refused(tls: bool) {
    let mx = mixin(tls).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let scheme = if tls { "https" } else { "http" };
    let response = mx
        .fetch(HttpRequest::new(format!("{scheme}://127.0.0.1:{port}/")))
        .await;
    assert_eq!(response.code, 599);
    let error = response.error.unwrap().to_string();
    assert!(error.contains(&libc::ECONNREFUSED.to_string()), "{error}");
    assert!(error.contains("Connection refused"), "{error}");
}

async fn queue_timeout(tls: bool) {
    let mx = mixin(tls).await;
    let client = one_slot_client(&mx);
    let first = spawn_fetch(
        &client,
        mx.req("/trigger").request_timeout(Duration::from_secs(10)),
    );
    // The first request holds the only slot until it is triggered.
    mx.triggers.wait_for(1).await;
    // Paused time for the wait in the queue only: the first request then
    // finishes in real time.
    tokio::time::pause();
    let response = client
        .fetch_with(
            mx.req("/hello").connect_timeout(Duration::from_millis(100)),
            false,
        )
        .await
        .unwrap();
    tokio::time::resume();
    assert_eq!(response.code, 599);
    // Timers tick in milliseconds; the clock was paused between two ticks.
    let waited = Duration::from_millis(100)..Duration::from_millis(102);
    assert!(
        waited.contains(&response.request_time),
        "{:?}",
        response.request_time
    );
    assert_eq!(response.time_info.queue, response.request_time);
    assert_eq!(
        response.error.unwrap().to_string(),
        "HTTP 599: Timeout in request queue"
    );
    mx.triggers.fire();
    let first = first.await.unwrap().unwrap();
    assert_eq!(first.code, 200);
    assert!(first.error.is_none(), "{:?}", first.error);
}

async fn no_content_length(tls: bool) {
    // An HTTP/1.0 response without Content-Length: the body lasts until
    // the server closes.
    let mx = mixin(tls).await;
    let response = mx.fetch(mx.req("/no_content_length")).await;
    assert_eq!(text(&response.body), "hello");
}

/// Writes both halves without waiting for either (Tornado's
/// `sync_body_producer`).
fn sync_producer(request: HttpRequest) -> HttpRequest {
    request.body_producer(|write: BodyWriter| {
        let first = write.write("1234");
        let second = write.write("5678");
        drop((first, second));
        async { Ok::<_, std::io::Error>(()) }
    })
}

/// Waits for each write and yields to the loop between them (Tornado's
/// `async_body_producer`).
fn async_producer(request: HttpRequest) -> HttpRequest {
    request.body_producer(|write: BodyWriter| async move {
        write.write("1234").await?;
        tokio::task::yield_now().await;
        write.write("5678").await?;
        Ok::<_, supercell::httpclient::BodyWriteError>(())
    })
}

/// Tornado's native (`async def`) producer: an `async fn`.
async fn native_body_producer(write: BodyWriter) -> Result<(), supercell::httpclient::BoxError> {
    write.write("1234").await?;
    tokio::task::yield_now().await;
    write.write("5678").await?;
    Ok(())
}

async fn echo_with(tls: bool, make: impl Fn(HttpRequest) -> HttpRequest, length: bool) {
    let mx = mixin(tls).await;
    let mut request = make(mx.req("/echo_post").method("POST"));
    if length {
        request = request.header("Content-Length", "8");
    }
    let response = mx.client.fetch(request).await.unwrap();
    assert_eq!(text(&response.body), "12345678");
}

async fn sync_body_producer_chunked(tls: bool) {
    echo_with(tls, sync_producer, false).await;
}

async fn sync_body_producer_content_length(tls: bool) {
    echo_with(tls, sync_producer, true).await;
}

async fn async_body_producer_chunked(tls: bool) {
    echo_with(tls, async_producer, false).await;
}

async fn async_body_producer_content_length(tls: bool) {
    echo_with(tls, async_producer, true).await;
}

async fn native_body_producer_chunked(tls: bool) {
    echo_with(tls, |r| r.body_producer(native_body_producer), false).await;
}

async fn native_body_producer_content_length(tls: bool) {
    echo_with(tls, |r| r.body_producer(native_body_producer), true).await;
}

async fn continue_100(tls: bool) {
    let mx = mixin(tls).await;
    let response = mx
        .fetch(
            mx.req("/echo_post")
                .method("POST")
                .body("1234")
                .expect_100_continue(true),
        )
        .await;
    assert_eq!(text(&response.body), "1234");
}

async fn continue_100_early_response(tls: bool) {
    let mx = mixin(tls).await;
    let response = mx
        .fetch(
            mx.req("/respond_in_prepare")
                .method("POST")
                .body_producer(|_write: BodyWriter| async {
                    Err::<(), _>(std::io::Error::other("should not be called"))
                })
                .expect_100_continue(true),
        )
        .await;
    assert_eq!(response.code, 403);
}

async fn streaming_follow_redirects(tls: bool) {
    // With redirects followed, the callbacks see only the final response.
    let mx = mixin(tls).await;
    let headers = Arc::new(Mutex::new(Vec::<String>::new()));
    let chunks = Arc::new(Mutex::new(Vec::new()));
    let (h, c) = (headers.clone(), chunks.clone());
    mx.fetch(
        mx.req("/redirect?url=/hello")
            .header_callback(move |line| h.lock().unwrap().push(line.to_owned()))
            .streaming_callback(move |chunk| c.lock().unwrap().push(chunk)),
    )
    .await;
    assert_eq!(*chunks.lock().unwrap(), vec![Bytes::from("Hello world!")]);
    let start_lines = headers
        .lock()
        .unwrap()
        .iter()
        .filter(|line| line.starts_with("HTTP/"))
        .count();
    assert_eq!(start_lines, 1);
}

async fn https_fetch(request: impl Fn(String) -> HttpRequest) -> HttpResponse {
    let mx = mixin(true).await;
    AsyncHttpClient::default()
        .fetch_with(request(mx.url("/hello")), false)
        .await
        .unwrap()
}

#[tokio::test]
async fn simple_https_client_test_case_ssl_options() {
    let config = certs::client_options().client_config().unwrap();
    let response = https_fetch(|url| HttpRequest::new(url).ssl_options(config.clone())).await;
    assert_eq!(text(&response.body), "Hello world!");
}

#[tokio::test]
async fn simple_https_client_test_case_ssl_context() {
    let supercell::netutil::TlsConfig::Client(config) = certs::client_config_direct() else {
        unreachable!("a client configuration")
    };
    let response = https_fetch(|url| HttpRequest::new(url).ssl_options(config.clone())).await;
    assert_eq!(text(&response.body), "Hello world!");
}

#[tokio::test]
async fn simple_https_client_test_case_ssl_options_handshake_fail() {
    // Verifying against the public roots: the test certificate fails.
    let config = supercell::netutil::SslOptions::default()
        .client_config()
        .unwrap();
    let response = https_fetch(|url| HttpRequest::new(url).ssl_options(config.clone())).await;
    assert_eq!(response.code, 599);
    let error = response.rethrow().unwrap_err();
    assert!(
        matches!(&error.cause, Some(FetchError::Connect(e)) if matches!(**e, supercell::tcpclient::ConnectError::Tls(_))),
        "{error}"
    );
}

#[tokio::test]
async fn simple_https_client_test_case_ssl_context_handshake_fail() {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    let config = Arc::new(config);
    let response = https_fetch(|url| HttpRequest::new(url).ssl_options(config.clone())).await;
    assert_failed(&response, |cause| matches!(cause, FetchError::Connect(_)));
}

#[tokio::test]
async fn simple_https_client_test_case_error_logging() {
    // A certificate that does not validate: a 599 whose error says so,
    // and nothing logged as an application error.
    let logs = LogCapture::start();
    let response = https_fetch(|url| HttpRequest::new(url).validate_cert(true)).await;
    assert_eq!(response.code, 599);
    let error = response.error.unwrap().to_string();
    assert!(
        error.contains("TLS") || error.contains("certificate"),
        "{error}"
    );
    assert!(logs.app_errors().is_empty(), "{:?}", logs.app_errors());
}

#[tokio::test]
async fn create_async_http_client_test_case_max_clients() {
    assert_eq!(AsyncHttpClient::default().max_clients(), 10);
    let client = AsyncHttpClient::new(ClientSettings {
        max_clients: 11,
        ..ClientSettings::default()
    });
    assert_eq!(client.max_clients(), 11);
}

#[tokio::test]
async fn http100_continue_test_case_100_continue() {
    // A 100 Continue before the response to a request that did not ask
    // for one is skipped.
    let response = fetch_raw_reply(
        b"HTTP/1.1 100 CONTINUE\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA",
        true,
    )
    .await;
    assert_eq!(text(&response.body), "A");
}

#[tokio::test]
async fn http204_no_content_test_case_204_no_content() {
    let response = fetch_raw_reply(
        b"HTTP/1.1 204 No content\r\nContent-Length: 0\r\n\r\n",
        true,
    )
    .await;
    assert_eq!(response.code, 204);
    assert!(response.body.is_empty());
}

#[tokio::test]
async fn http204_no_content_test_case_204_invalid_content_length() {
    let response = fetch_raw_reply(
        b"HTTP/1.1 204 No content\r\nContent-Length: 5\r\n\r\n",
        false,
    )
    .await;
    assert_failed(&response, |cause| matches!(cause, FetchError::Malformed(_)));
}

async fn hello_server() -> TestServer {
    TestServer::start(tornado_app(Triggers::default())).await
}

#[tokio::test]
async fn hostname_mapping_test_case_hostname_mapping() {
    let server = hello_server().await;
    let client = AsyncHttpClient::new(ClientSettings {
        hostname_mapping: vec![(
            OverrideKey::from("www.example.com"),
            OverrideTarget::from("127.0.0.1"),
        )],
        ..ClientSettings::default()
    });
    let response = client
        .fetch(format!("http://www.example.com:{}/hello", server.port))
        .await
        .unwrap();
    assert_eq!(text(&response.body), "Hello world!");
}

#[tokio::test]
async fn hostname_mapping_test_case_port_mapping() {
    let server = hello_server().await;
    let client = AsyncHttpClient::new(ClientSettings {
        hostname_mapping: vec![(
            OverrideKey::from(("foo.example.com", 8000)),
            OverrideTarget::from(("127.0.0.1", server.port)),
        )],
        ..ClientSettings::default()
    });
    let response = client
        .fetch("http://foo.example.com:8000/hello")
        .await
        .unwrap();
    assert_eq!(text(&response.body), "Hello world!");
}

#[tokio::test(start_paused = true)]
async fn resolve_timeout_test_case_resolve_timeout() {
    let server = hello_server().await;
    let client = AsyncHttpClient::new(ClientSettings {
        resolver: Some(Arc::new(TimeoutResolver)),
        ..ClientSettings::default()
    });
    let response = client
        .fetch_with(
            HttpRequest::new(server.url("/hello")).connect_timeout(Duration::from_millis(100)),
            false,
        )
        .await
        .unwrap();
    assert_eq!(response.code, 599);
    assert!(response.error.unwrap().is_timeout());
}

/// `/small` and `/large`: a header or body of the given sizes.
fn sized_app(small: usize, large: usize, in_header: bool) -> Handler {
    handler(move |request| async move {
        let size = if request.path == "/small" {
            small
        } else {
            large
        };
        if in_header {
            Reply::ok("ok").with_header("X-Filler", vec![b'a'; size])
        } else {
            Reply::ok(vec![b'a'; size])
        }
    })
}

async fn sized_fetch(app: Handler, settings: ClientSettings, path: &str) -> HttpResponse {
    let server = TestServer::start(app).await;
    AsyncHttpClient::new(settings)
        .fetch_with(server.url(path), false)
        .await
        .unwrap()
}

fn header_limited() -> ClientSettings {
    ClientSettings {
        max_header_size: 1024,
        ..ClientSettings::default()
    }
}

#[tokio::test]
async fn max_header_size_test_small_headers() {
    let response = sized_fetch(sized_app(100, 1000, true), header_limited(), "/small").await;
    response.rethrow().unwrap();
    assert_eq!(text(&response.body), "ok");
}

#[tokio::test]
async fn max_header_size_test_large_headers() {
    let response = sized_fetch(sized_app(100, 1000, true), header_limited(), "/large").await;
    assert_failed(&response, |cause| matches!(cause, FetchError::Malformed(_)));
}

fn body_limited() -> ClientSettings {
    ClientSettings {
        max_body_size: 64 * 1024,
        ..ClientSettings::default()
    }
}

#[tokio::test]
async fn max_body_size_test_small_body() {
    let response = sized_fetch(
        sized_app(64 * 1024, 100 * 1024, false),
        body_limited(),
        "/small",
    )
    .await;
    response.rethrow().unwrap();
    assert_eq!(&response.body[..], &vec![b'a'; 64 * 1024][..]);
}

#[tokio::test]
async fn max_body_size_test_large_body() {
    let response = sized_fetch(
        sized_app(64 * 1024, 100 * 1024, false),
        body_limited(),
        "/large",
    )
    .await;
    assert_failed(&response, |cause| matches!(cause, FetchError::Malformed(_)));
}

#[tokio::test]
async fn max_buffer_size_test_large_body() {
    // A 100 KiB body through a 64 KiB read buffer.
    let settings = ClientSettings {
        max_body_size: 100 * 1024,
        max_buffer_size: 64 * 1024,
        ..ClientSettings::default()
    };
    let response = sized_fetch(sized_app(0, 100 * 1024, false), settings, "/large").await;
    response.rethrow().unwrap();
    assert_eq!(&response.body[..], &vec![b'a'; 100 * 1024][..]);
}

#[tokio::test]
async fn chunked_with_content_length_test_chunked_with_content_length() {
    let response = fetch_raw_reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 11\r\n\r\nb\r\nHello world\r\n0\r\n\r\n", false).await;
    assert_failed(&response, |cause| matches!(cause, FetchError::Malformed(_)));
}

// Beyond Tornado's simple client: keep-alive pooling, and the options it
// lacked (client certificates, `network_interface`).

#[tokio::test]
async fn keep_alive_connections_are_reused_per_origin() {
    let server = hello_server().await;
    let client = AsyncHttpClient::default();
    for _ in 0..3 {
        let response = client.fetch(server.url("/hello")).await.unwrap();
        assert_eq!(text(&response.body), "Hello world!");
    }
    assert_eq!(server.accepted(), 1);
    assert_eq!(client.idle_connections(), 1);
    // A redirect chain on one origin stays on the one connection too.
    client.fetch(server.url("/countdown/3")).await.unwrap();
    assert_eq!(server.accepted(), 1);
    // Another origin (here: another server) gets its own connection.
    let other = hello_server().await;
    client.fetch(other.url("/hello")).await.unwrap();
    assert_eq!((server.accepted(), other.accepted()), (1, 1));
    assert_eq!(client.idle_connections(), 2);
    client.close();
    assert_eq!(client.idle_connections(), 0);
    let error = client.fetch(server.url("/hello")).await.unwrap_err();
    assert!(matches!(error.cause, Some(FetchError::ClientClosed)));
}

#[tokio::test]
async fn keep_alive_connections_are_reused_over_https() {
    let mx = mixin(true).await;
    for _ in 0..3 {
        let response = mx.client.fetch(mx.url("/hello")).await.unwrap();
        assert_eq!(text(&response.body), "Hello world!");
        assert!(response.time_info.appconnect >= response.time_info.connect);
    }
    assert_eq!(mx.server.accepted(), 1);
}

#[tokio::test]
async fn without_keep_alive_every_request_closes_its_connection() {
    let server = hello_server().await;
    let client = AsyncHttpClient::new(ClientSettings {
        keep_alive: false,
        ..ClientSettings::default()
    });
    for _ in 0..3 {
        client.fetch(server.url("/hello")).await.unwrap();
    }
    assert_eq!(server.accepted(), 3);
    assert_eq!(client.idle_connections(), 0);
}

#[tokio::test]
async fn connection_close_and_close_delimited_responses_are_not_reused() {
    let server = hello_server().await;
    let client = AsyncHttpClient::default();
    client
        .fetch(HttpRequest::new(server.url("/hello")).header("Connection", "close"))
        .await
        .unwrap();
    client
        .fetch(server.url("/no_content_length"))
        .await
        .unwrap();
    client.fetch(server.url("/hello")).await.unwrap();
    assert_eq!(server.accepted(), 3);
    assert_eq!(client.idle_connections(), 1);
}

#[tokio::test]
async fn a_request_on_a_connection_the_server_dropped_is_sent_again() {
    // The second request arrives on the kept connection, and the server
    // closes it without answering (as when an idle timeout strikes just
    // then): the client sends it again on a new connection.
    let (app, count) = numbered(|n| {
        if n == 2 {
            Reply::Raw(Vec::new())
        } else {
            Reply::ok(format!("answer {n}"))
        }
    });
    let server = TestServer::start(app).await;
    let client = AsyncHttpClient::default();
    let response = client.fetch(server.url("/")).await.unwrap();
    assert_eq!(text(&response.body), "answer 1");
    let response = client.fetch(server.url("/")).await.unwrap();
    assert_eq!(text(&response.body), "answer 3");
    assert_eq!(server.accepted(), 2);
    // A streamed body is not produced twice: the failure is reported.
    *count.lock().unwrap() = 1;
    let calls = Arc::new(Mutex::new(0));
    let counted = calls.clone();
    let request = HttpRequest::new(server.url("/"))
        .method("POST")
        .body_producer(move |write: BodyWriter| {
            *counted.lock().unwrap() += 1;
            async move { write.write("x").await }
        });
    let response = client.fetch_with(request, false).await.unwrap();
    assert_eq!(response.code, 599);
    assert_eq!(*calls.lock().unwrap(), 1);
    assert_failed(&response, |cause| {
        matches!(cause, FetchError::ConnectionClosed)
    });
}

#[tokio::test]
async fn a_connection_the_server_wrote_to_while_idle_is_not_reused() {
    // After its response the server sends a stray one on the idle
    // connection (as some servers do before closing an idle connection).
    let (app, _) = numbered(|n| {
        if n == 1 {
            Reply::Script(vec![
                (
                    Duration::ZERO,
                    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst".to_vec(),
                ),
                (
                    Duration::from_millis(20),
                    b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n".to_vec(),
                ),
            ])
        } else {
            Reply::ok("second")
        }
    });
    let server = TestServer::start(app).await;
    let client = AsyncHttpClient::default();
    let response = client.fetch(server.url("/")).await.unwrap();
    assert_eq!(text(&response.body), "first");
    assert_eq!(client.idle_connections(), 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let response = client.fetch(server.url("/")).await.unwrap();
    assert_eq!(text(&response.body), "second");
    assert_eq!(server.accepted(), 2);
}

#[tokio::test]
async fn a_decompressed_body_is_bounded_by_max_body_size() {
    let server = hello_server().await;
    let client = AsyncHttpClient::new(ClientSettings {
        max_body_size: 64 * 1024,
        ..ClientSettings::default()
    });
    // 1 MiB of 'a' compresses to about 1 KiB: under the limit on the
    // wire, over it once decompressed.
    let response = client
        .fetch_with(server.url("/large_gzip?size=1048576"), false)
        .await
        .unwrap();
    assert_eq!(response.code, 599);
    assert!(response.error.unwrap().message.contains("max_body_size"));
    let response = client
        .fetch(server.url("/large_gzip?size=65536"))
        .await
        .unwrap();
    assert_eq!(response.body.len(), 65536);
}

#[tokio::test(start_paused = true)]
async fn request_timeout_while_the_body_trickles_in() {
    // The head arrives, then the body stops half way.
    let slow = TestServer::start(handler(|_| async {
        Reply::Script(vec![(
            Duration::ZERO,
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello".to_vec(),
        )])
    }))
    .await;
    let timeout = Duration::from_secs(2);
    let response = AsyncHttpClient::default()
        .fetch_with(
            HttpRequest::new(slow.url("/")).request_timeout(timeout),
            false,
        )
        .await
        .unwrap();
    assert_eq!(response.code, 599);
    assert_eq!(response.request_time, timeout);
    assert!(response.error.unwrap().is_timeout());
}

#[tokio::test]
async fn ca_certs_and_client_certificates() {
    let c = certs::certs();
    let server_config =
        certs::server_options_requiring_client_cert(supercell::netutil::CertReqs::Required)
            .server_config()
            .unwrap();
    let server =
        TestServer::start_with(tornado_app(Triggers::default()), None, Some(server_config)).await;
    let client = AsyncHttpClient::default();
    let url = server.url("/hello");
    let with_cert = HttpRequest::new(url.as_str())
        .ca_certs(&c.ca_file)
        .client_cert(&c.client_cert, &c.client_key);
    let response = client.fetch(with_cert).await.unwrap();
    assert_eq!(text(&response.body), "Hello world!");
    // Without a client certificate the server refuses the handshake.
    let response = client
        .fetch_with(HttpRequest::new(url.as_str()).ca_certs(&c.ca_file), false)
        .await
        .unwrap();
    assert_eq!(response.code, 599);
    // A CA file that cannot be read.
    let response = client
        .fetch_with(
            HttpRequest::new(url.as_str()).ca_certs(c.dir.join("missing.pem")),
            false,
        )
        .await
        .unwrap();
    assert_failed(&response, |cause| matches!(cause, FetchError::Tls(_)));
}

#[tokio::test]
async fn network_interface_is_the_source_address() {
    let server = TestServer::start(handler(|_| async { Reply::ok("ok") })).await;
    let client = AsyncHttpClient::default();
    let local = "127.0.0.1".parse().unwrap();
    let response = client
        .fetch(HttpRequest::new(server.url("/")).network_interface(local))
        .await
        .unwrap();
    assert_eq!(text(&response.body), "ok");
    // An address of no local interface cannot be bound.
    let foreign = "192.0.2.1".parse().unwrap();
    let response = client
        .fetch_with(
            HttpRequest::new(server.url("/")).network_interface(foreign),
            false,
        )
        .await
        .unwrap();
    assert_failed(&response, |cause| matches!(cause, FetchError::Connect(_)));
}

#[tokio::test(start_paused = true)]
async fn connect_timeout_during_the_tls_handshake() {
    let timeout = Duration::from_millis(500);
    let response = fetch_from_a_silent_tls_server(|request| request.connect_timeout(timeout)).await;
    assert_eq!(response.code, 599);
    assert_eq!(response.request_time, timeout);
    assert_eq!(
        response.error.unwrap().to_string(),
        "HTTP 599: Timeout while connecting"
    );
}

#[tokio::test(start_paused = true)]
async fn request_timeout_bounds_the_queue_wait_too() {
    // A request whose request_timeout is shorter than its connect_timeout
    // leaves the queue at the request timeout.
    let mx = mixin(false).await;
    let (client, first) = one_busy_slot(&mx).await;
    let response = client
        .fetch_with(
            mx.req("/hello")
                .connect_timeout(Duration::from_secs(10))
                .request_timeout(Duration::from_secs(3)),
            false,
        )
        .await
        .unwrap();
    assert_eq!(response.code, 599);
    assert_eq!(response.request_time, Duration::from_secs(3));
    assert_failed(&response, |cause| matches!(cause, FetchError::QueueTimeout));
    // The first request keeps its slot until its own 20 s run out.
    let first = first.await.unwrap().unwrap();
    assert_eq!(first.code, 599);
    assert_eq!(first.request_time, Duration::from_secs(20));
}

#[tokio::test]
async fn a_failing_or_panicking_body_producer_fails_the_fetch() {
    let logs = LogCapture::start();
    let mx = mixin(false).await;
    let response =
        mx.fetch(mx.req("/echo_post").method("POST").body_producer(
            |write: BodyWriter| async move {
                write.write("12").await?;
                Err::<(), supercell::httpclient::BoxError>("no more data".into())
            },
        ))
        .await;
    assert_eq!(response.code, 599);
    let error = response.error.unwrap();
    assert!(matches!(error.cause, Some(FetchError::BodyProducer(_))));
    assert!(error.message.contains("no more data"));

    let response =
        mx.fetch(mx.req("/echo_post").method("POST").body_producer(
            |_write: BodyWriter| async move {
                if true {
                    panic!("producer bug");
                }
                Ok::<(), std::io::Error>(())
            },
        ))
        .await;
    assert_failed(&response, |cause| {
        matches!(
            cause,
            FetchError::CallbackPanicked {
                callback: "body_producer",
                ..
            }
        )
    });
    assert_eq!(logs.app_errors().len(), 1, "{:?}", logs.app_errors());
}

#[tokio::test]
async fn only_idempotent_requests_are_sent_again_after_a_reused_connection_dropped() {
    // The server answers on a kept connection, then reads a whole request
    // and closes without answering: a POST may have taken effect and is
    // not sent again; a GET is.
    let posts = Arc::new(AtomicUsize::new(0));
    let flaky = Arc::new(AtomicUsize::new(0));
    let (seen_posts, seen_flaky) = (posts.clone(), flaky.clone());
    let server = TestServer::start(handler(move |request| {
        let reply = match (request.method.as_str(), request.path.as_str()) {
            ("POST", _) => {
                seen_posts.fetch_add(1, Ordering::SeqCst);
                Reply::Raw(Vec::new())
            }
            (_, "/flaky") if seen_flaky.fetch_add(1, Ordering::SeqCst) == 0 => {
                Reply::Raw(Vec::new())
            }
            _ => Reply::ok("hello"),
        };
        async move { reply }
    }))
    .await;
    let client = AsyncHttpClient::default();
    client.fetch(server.url("/")).await.unwrap();
    let response = client
        .fetch_with(
            HttpRequest::new(server.url("/"))
                .method("POST")
                .body("once"),
            false,
        )
        .await
        .unwrap();
    assert_failed(&response, |cause| {
        matches!(cause, FetchError::ConnectionClosed)
    });
    assert_eq!(posts.load(Ordering::SeqCst), 1);
    assert_eq!(server.accepted(), 1);

    client.fetch(server.url("/")).await.unwrap();
    let response = client.fetch(server.url("/flaky")).await.unwrap();
    assert_eq!(text(&response.body), "hello");
    assert_eq!(flaky.load(Ordering::SeqCst), 2);
    assert_eq!(server.accepted(), 3);
}

/// A server for one connection: answers one request with a keep-alive
/// response, then reports when it reads EOF.
async fn keep_alive_once_server(
    close_after_response: bool,
) -> (u16, tokio::sync::oneshot::Receiver<tokio::time::Instant>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (eof_tx, eof_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0; 1024];
        while !head.ends_with(b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the client closed before its request");
            head.extend_from_slice(&buf[..n]);
        }
        socket
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .await
            .unwrap();
        if close_after_response {
            return;
        }
        while socket.read(&mut buf).await.unwrap_or(0) > 0 {}
        let _ = eof_tx.send(tokio::time::Instant::now());
    });
    (port, eof_rx)
}

#[tokio::test(start_paused = true)]
async fn idle_connections_are_closed_when_idle_timeout_expires() {
    let (port, eof) = keep_alive_once_server(false).await;
    let idle_timeout = Duration::from_millis(100);
    let client = AsyncHttpClient::new(ClientSettings {
        idle_timeout,
        ..ClientSettings::default()
    });
    let start = tokio::time::Instant::now();
    let response = client
        .fetch(format!("http://127.0.0.1:{port}/"))
        .await
        .unwrap();
    assert_eq!(text(&response.body), "ok");
    assert_eq!(client.idle_connections(), 1);
    let closed_at = tokio::time::timeout(Duration::from_secs(5), eof)
        .await
        .expect("the idle connection was never closed")
        .unwrap();
    assert!(closed_at - start >= idle_timeout, "{:?}", closed_at - start);
    assert_eq!(client.idle_connections(), 0);
}

#[tokio::test]
async fn an_idle_connection_the_server_closed_leaves_the_pool() {
    let (port, _eof) = keep_alive_once_server(true).await;
    let client = AsyncHttpClient::default();
    client
        .fetch(format!("http://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while client.idle_connections() != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the closed connection stayed in the pool"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn redirect_locations_not_utf8_empty_or_missing() {
    let hits = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = hits.clone();
    let server = TestServer::start(handler(move |request| {
        seen.lock().unwrap().push(request.path.clone());
        let reply = match request.path.as_str() {
            "/latin1" => {
                Reply::status(302, "").with_header("Location", b"/caf\xe9?q=\xe9".to_vec())
            }
            "/empty" => Reply::status(302, "").with_header("Location", Vec::new()),
            "/missing" => Reply::status(302, "moved somewhere"),
            path => Reply::ok(format!("{path} {}", request.arg("q").unwrap_or_default())),
        };
        async move { reply }
    }))
    .await;
    let client = AsyncHttpClient::default();
    // Bytes that are not UTF-8 are read as Latin-1 (as Tornado decodes
    // headers), then percent-encoded.
    let response = client.fetch(server.url("/latin1")).await.unwrap();
    assert_eq!(text(&response.body), "/caf%C3%A9 \u{e9}");
    assert!(response.effective_url.ends_with("/caf%C3%A9?q=%C3%A9"));
    // A redirect without a usable Location is the response.
    for path in ["/empty", "/missing"] {
        hits.lock().unwrap().clear();
        let response = client.fetch_with(server.url(path), false).await.unwrap();
        assert_eq!(response.code, 302);
        assert_eq!(*hits.lock().unwrap(), vec![path.to_owned()]);
    }
}

#[tokio::test(start_paused = true)]
async fn request_timeout_during_the_connect_phase_is_a_request_timeout() {
    // The request timeout comes before the connect timeout.
    let response = fetch_from_a_silent_tls_server(|request| {
        request
            .connect_timeout(Duration::from_secs(10))
            .request_timeout(Duration::from_secs(1))
    })
    .await;
    assert_eq!(response.code, 599);
    assert_eq!(response.request_time, Duration::from_secs(1));
    let error = response.error.unwrap();
    assert!(matches!(error.cause, Some(FetchError::RequestTimeout)));
    assert_eq!(error.to_string(), "HTTP 599: Timeout during request");
}

#[tokio::test(start_paused = true)]
async fn close_fails_the_queued_requests() {
    let mx = mixin(false).await;
    let (client, first) = one_busy_slot(&mx).await;
    let queued = spawn_fetch(&client, mx.url("/hello"));
    while client.queued() == 0 {
        tokio::task::yield_now().await;
    }
    let start = tokio::time::Instant::now();
    client.close();
    let error = tokio::time::timeout(Duration::from_secs(1), queued)
        .await
        .expect("the queued request still waits")
        .unwrap();
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert!(
        matches!(error, Ok(ref r) if matches!(r.error.as_ref().and_then(|e| e.cause.as_ref()), Some(FetchError::ClientClosed))),
        "{error:?}"
    );
    assert_eq!(client.queued(), 0);
    first.abort();
}

#[tokio::test]
async fn a_redirect_to_another_origin_does_not_present_the_client_certificate() {
    let c = certs::certs();
    let server_config =
        certs::server_options_requiring_client_cert(supercell::netutil::CertReqs::Required)
            .server_config()
            .unwrap();
    let secure =
        TestServer::start_with(tornado_app(Triggers::default()), None, Some(server_config)).await;
    let target = secure.url("/hello");
    let plain = TestServer::start(handler(move |_| {
        let reply = Reply::status(302, "").with_header("Location", target.clone().into_bytes());
        async move { reply }
    }))
    .await;
    let client = AsyncHttpClient::default();
    let with_cert = |url: String| {
        HttpRequest::new(url)
            .ca_certs(&c.ca_file)
            .client_cert(&c.client_cert, &c.client_key)
    };
    // On the same origin the certificate goes with the redirect.
    let response = client
        .fetch(with_cert(secure.url("/redirect?url=/hello")))
        .await
        .unwrap();
    assert_eq!(text(&response.body), "Hello world!");
    // To another origin it does not: the server refuses the handshake.
    let response = client
        .fetch_with(with_cert(plain.url("/")), false)
        .await
        .unwrap();
    assert_eq!(response.code, 599, "{:?}", response.body);
    assert!(response.effective_url.starts_with("https://"));
}
