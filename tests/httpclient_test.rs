//! Counterparts of Tornado 5.0's `tornado/test/httpclient_test.py`, run
//! against a test server on raw tokio sockets (`support/http_app.rs`), plus
//! fetches from a real Python `http.server`.
//!
//! Tornado tests without a counterpart here:
//! - `HTTPClientCommonTestCase.test_types`: checks Python's dynamic types of
//!   the response fields; Rust's are fixed by the compiler.
//! - `HTTPClientCommonTestCase.test_final_callback_stack_context`: the
//!   `callback=` interface and stack contexts do not exist in Rust (a fetch
//!   is a future; what the caller does with its result is the caller's).
//! - `RequestProxyTest.test_bad_attribute`: an unknown attribute is a
//!   compile error in Rust.

#[path = "support/http_app.rs"]
mod http_app;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_app::{
    ClientFixture as Fixture, TestServer, Triggers, assert_failed, fetch_raw_reply, location, text,
    tornado_app,
};
use supercell::httpclient::{
    AsyncHttpClient, ClientSettings, FetchError, HttpClient, HttpClientError, HttpRequest,
    HttpResponse, RequestDefaults,
};
use supercell::httputil::{HttpHeaders, format_timestamp};
use supercell::testing::{HttpTestServer, LogCapture};

#[tokio::test]
async fn http_client_common_test_case_patch_receives_payload() {
    let fx = Fixture::start(None).await;
    let response = fx
        .fetch(fx.req("/patch").method("PATCH").body("some patch data"))
        .await;
    assert_eq!(response.code, 200);
    assert_eq!(text(&response.body), "some patch data");
}

#[tokio::test]
async fn http_client_common_test_case_hello_world() {
    let fx = Fixture::start(None).await;
    let response = fx.fetch(fx.req("/hello")).await;
    assert_eq!(response.code, 200);
    assert_eq!(response.headers.get("Content-Type"), Some("text/plain"));
    assert_eq!(text(&response.body), "Hello world!");
    assert!(response.error.is_none());
    assert_eq!(response.request_time, response.time_info.total);
    let t = response.time_info;
    assert!(t.namelookup <= t.connect && t.connect <= t.pretransfer);
    assert!(t.pretransfer <= t.starttransfer && t.starttransfer <= t.total);
    assert_eq!(t.appconnect, Duration::ZERO);

    let response = fx.fetch(fx.req("/hello?name=Ben")).await;
    assert_eq!(text(&response.body), "Hello Ben!");
}

#[tokio::test]
async fn http_client_common_test_case_streaming_callback() {
    let fx = Fixture::start(None).await;
    let chunks = Arc::new(Mutex::new(Vec::new()));
    let sink = chunks.clone();
    let response = fx
        .fetch(
            fx.req("/hello")
                .streaming_callback(move |chunk| sink.lock().unwrap().push(chunk)),
        )
        .await;
    assert_eq!(*chunks.lock().unwrap(), vec![Bytes::from("Hello world!")]);
    assert!(response.body.is_empty());
}

#[tokio::test]
async fn http_client_common_test_case_post() {
    let fx = Fixture::start(None).await;
    let response = fx
        .fetch(fx.req("/post").method("POST").body("arg1=foo&arg2=bar"))
        .await;
    assert_eq!(response.code, 200);
    assert_eq!(text(&response.body), "Post arg1: foo, arg2: bar");
}

#[tokio::test]
async fn http_client_common_test_case_chunked() {
    let fx = Fixture::start(None).await;
    let response = fx.fetch(fx.req("/chunk")).await;
    assert_eq!(text(&response.body), "asdfqwer");

    let chunks = Arc::new(Mutex::new(Vec::new()));
    let sink = chunks.clone();
    let response = fx
        .fetch(
            fx.req("/chunk")
                .streaming_callback(move |chunk| sink.lock().unwrap().push(chunk)),
        )
        .await;
    assert_eq!(
        *chunks.lock().unwrap(),
        vec![Bytes::from("asdf"), Bytes::from("qwer")]
    );
    assert!(response.body.is_empty());
}

#[tokio::test]
async fn http_client_common_test_case_chunked_close() {
    // The final chunks and the close arrive at once.
    let response = fetch_raw_reply(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n1\r\n1\r\n2\r\n0\r\n\r\n",
        true,
    )
    .await;
    assert_eq!(text(&response.body), "12");
}

#[tokio::test]
async fn http_client_common_test_case_streaming_stack_context() {
    let logs = LogCapture::start();
    let fx = Fixture::start(None).await;
    let chunks = Arc::new(Mutex::new(Vec::new()));
    let sink = chunks.clone();
    let response = fx
        .fetch(fx.req("/chunk").streaming_callback(move |chunk: Bytes| {
            let last = chunk == "qwer";
            sink.lock().unwrap().push(chunk);
            assert!(!last, "refusing qwer");
        }))
        .await;
    assert_eq!(
        *chunks.lock().unwrap(),
        vec![Bytes::from("asdf"), Bytes::from("qwer")]
    );
    assert_eq!(response.code, 599);
    let error = response.error.unwrap();
    assert!(matches!(
        error.cause,
        Some(FetchError::CallbackPanicked {
            callback: "streaming_callback",
            ..
        })
    ));
    assert_eq!(logs.app_errors().len(), 1, "{:?}", logs.app_errors());
}

#[tokio::test]
async fn http_client_common_test_case_basic_auth() {
    let fx = Fixture::start(None).await;
    let response = fx
        .fetch(fx.req("/auth").auth("Aladdin", "open sesame"))
        .await;
    assert_eq!(text(&response.body), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

#[tokio::test]
async fn http_client_common_test_case_basic_auth_explicit_mode() {
    let fx = Fixture::start(None).await;
    let response = fx
        .fetch(
            fx.req("/auth")
                .auth("Aladdin", "open sesame")
                .auth_mode("basic"),
        )
        .await;
    assert_eq!(text(&response.body), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

#[tokio::test]
async fn http_client_common_test_case_unsupported_auth_mode() {
    let fx = Fixture::start(None).await;
    let error = fx
        .client
        .fetch(
            fx.req("/auth")
                .auth("Aladdin", "open sesame")
                .auth_mode("asdf"),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code, 599);
    assert!(
        matches!(error.cause, Some(FetchError::InvalidRequest(_))),
        "{error}"
    );
    assert!(error.message.contains("asdf"));
    // Nothing was sent: no fallback to basic authentication.
    assert_eq!(fx.server.accepted(), 0);
}

#[tokio::test]
async fn http_client_common_test_case_follow_redirect() {
    let fx = Fixture::start(None).await;
    let response = fx
        .fetch(fx.req("/countdown/2").follow_redirects(false))
        .await;
    assert_eq!(response.code, 302);
    assert!(location(&response).ends_with("/countdown/1"));

    let response = fx.fetch(fx.req("/countdown/2")).await;
    assert_eq!(response.code, 200);
    assert!(response.effective_url.ends_with("/countdown/0"));
    assert_eq!(text(&response.body), "Zero");
    assert!(response.time_info.redirect > Duration::ZERO);
}

#[tokio::test]
async fn http_client_common_test_case_credentials_in_url() {
    let fx = Fixture::start(None).await;
    let url = fx.url("/auth").replace("http://", "http://me:secret@");
    let response = fx.client.fetch(url).await.unwrap();
    assert_eq!(text(&response.body), "Basic bWU6c2VjcmV0");
}

#[tokio::test]
async fn http_client_common_test_case_body_encoding() {
    let fx = Fixture::start(None).await;
    let post = |body: Bytes| {
        fx.req("/echopost")
            .method("POST")
            .header("Content-Type", "application/blah")
            .body(body)
    };
    // A string body goes out as UTF-8.
    let response = fx.fetch(post(Bytes::from("\u{e9}"))).await;
    assert_eq!(response.headers.get("Content-Length"), Some("2"));
    assert_eq!(&response.body[..], "\u{e9}".as_bytes());
    // Bytes pass through as they are.
    let response = fx.fetch(post(Bytes::from_static(b"\xe9"))).await;
    assert_eq!(response.headers.get("Content-Length"), Some("1"));
    assert_eq!(&response.body[..], b"\xe9");
    // A text user agent with a byte body.
    let response = fx
        .fetch(post(Bytes::from_static(b"\xe9")).user_agent("foo"))
        .await;
    assert_eq!(response.headers.get("Content-Length"), Some("1"));
    assert_eq!(&response.body[..], b"\xe9");
}

#[tokio::test]
async fn http_client_common_test_case_header_callback() {
    let fx = Fixture::start(None).await;
    let first_lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let headers = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let ended = Arc::new(Mutex::new(false));
    let chunks = Arc::new(Mutex::new(Vec::new()));
    let (lines, seen, end) = (first_lines.clone(), headers.clone(), ended.clone());
    let (seen_by_data, sink) = (headers.clone(), chunks.clone());
    fx.fetch(
        fx.req("/chunk")
            .header_callback(move |line| {
                if line.starts_with("HTTP/") {
                    lines.lock().unwrap().push(line.to_owned());
                } else if line == "\r\n" {
                    *end.lock().unwrap() = true;
                } else {
                    let (k, v) = line.split_once(':').unwrap();
                    seen.lock()
                        .unwrap()
                        .push((k.to_lowercase(), v.trim().to_owned()));
                }
            })
            .streaming_callback(move |chunk| {
                // Every header line came before the first chunk.
                let headers = seen_by_data.lock().unwrap();
                assert!(headers.contains(&(
                    "content-type".to_owned(),
                    "text/html; charset=UTF-8".to_owned()
                )));
                sink.lock().unwrap().push(chunk);
            }),
    )
    .await;
    let first_lines = first_lines.lock().unwrap();
    assert_eq!(first_lines.len(), 1, "{first_lines:?}");
    let re = regex::Regex::new(r"^HTTP/[0-9]\.[0-9] 200.*\r\n$").unwrap();
    assert!(re.is_match(&first_lines[0]), "{:?}", first_lines[0]);
    assert!(*ended.lock().unwrap());
    assert_eq!(
        *chunks.lock().unwrap(),
        vec![Bytes::from("asdf"), Bytes::from("qwer")]
    );
}

#[tokio::test]
async fn http_client_common_test_case_header_callback_stack_context() {
    let logs = LogCapture::start();
    let fx = Fixture::start(None).await;
    let response = fx
        .fetch(fx.req("/chunk").header_callback(|line| {
            assert!(
                !line.to_lowercase().starts_with("content-type:"),
                "no content type"
            );
        }))
        .await;
    assert_failed(&response, |cause| {
        matches!(
            cause,
            FetchError::CallbackPanicked {
                callback: "header_callback",
                ..
            }
        )
    });
    assert_eq!(logs.app_errors().len(), 1);
}

#[tokio::test]
async fn http_client_common_test_case_configure_defaults() {
    let client = AsyncHttpClient::new(ClientSettings {
        defaults: RequestDefaults {
            user_agent: Some("TestDefaultUserAgent".into()),
            allow_ipv6: Some(false),
            ..RequestDefaults::default()
        },
        ..ClientSettings::default()
    });
    let fx = Fixture::start(None).await.with_client(client);
    let response = fx.client.fetch(fx.url("/user_agent")).await.unwrap();
    assert_eq!(text(&response.body), "TestDefaultUserAgent");
    fx.client.close();
}

#[tokio::test]
async fn http_client_common_test_case_header_types() {
    // A header given through the builder, through an HttpHeaders, as text
    // or as bytes: the same on the wire.
    let fx = Fixture::start(None).await;
    let mut from_bytes = HttpHeaders::new();
    from_bytes.append(
        http::HeaderName::from_static("user-agent"),
        http::HeaderValue::from_bytes(b"MyUserAgent").unwrap(),
    );
    let mut from_text = HttpHeaders::new();
    from_text.add("User-Agent", "MyUserAgent").unwrap();
    for request in [
        fx.req("/user_agent").header("User-Agent", "MyUserAgent"),
        fx.req("/user_agent").headers(from_text),
        fx.req("/user_agent").headers(from_bytes),
    ] {
        let response = fx.fetch(request).await;
        assert_eq!(text(&response.body), "MyUserAgent");
    }
}

#[tokio::test]
async fn http_client_common_test_case_multi_line_headers() {
    let response = fetch_raw_reply(
        b"HTTP/1.1 200 OK\r\nX-XSS-Protection: 1;\r\n\tmode=block\r\n\r\n",
        true,
    )
    .await;
    assert_eq!(
        response.headers.get("X-XSS-Protection"),
        Some("1; mode=block")
    );
}

#[tokio::test]
async fn http_client_common_test_case_304_with_content_length() {
    let fx = Fixture::start(None).await;
    let response = fx.fetch(fx.req("/304_with_content_length")).await;
    assert_eq!(response.code, 304);
    assert_eq!(response.headers.get("Content-Length"), Some("42"));
    assert!(response.body.is_empty());
}

#[tokio::test]
async fn http_client_common_test_case_future_interface() {
    let fx = Fixture::start(None).await;
    let response = fx.client.fetch(fx.url("/hello")).await.unwrap();
    assert_eq!(text(&response.body), "Hello world!");
}

#[tokio::test]
async fn http_client_common_test_case_future_http_error() {
    let fx = Fixture::start(None).await;
    let error = fx.client.fetch(fx.url("/notfound")).await.unwrap_err();
    assert_eq!(error.code, 404);
    assert_eq!(error.response.unwrap().code, 404);
}

#[tokio::test]
async fn http_client_common_test_case_future_http_error_no_raise() {
    let fx = Fixture::start(None).await;
    let response = fx
        .client
        .fetch_with(fx.url("/notfound"), false)
        .await
        .unwrap();
    assert_eq!(response.code, 404);
    assert_eq!(response.error.unwrap().code, 404);
}

#[tokio::test]
async fn http_client_common_test_case_reuse_request_from_response() {
    let fx = Fixture::start(None).await;
    let url = fx.url("/hello");
    let response = fx.client.fetch(url.as_str()).await.unwrap();
    assert_eq!(response.request.url, url);
    let response2 = fx.client.fetch(response.request).await.unwrap();
    assert_eq!(text(&response2.body), "Hello world!");
}

#[tokio::test]
async fn http_client_common_test_case_all_methods() {
    let fx = Fixture::start(None).await;
    for method in ["GET", "DELETE", "OPTIONS"] {
        let response = fx.fetch(fx.req("/all_methods").method(method)).await;
        assert_eq!(text(&response.body), method);
    }
    for method in ["POST", "PUT", "PATCH"] {
        let response = fx
            .fetch(fx.req("/all_methods").method(method).body(""))
            .await;
        assert_eq!(text(&response.body), method);
    }
    let response = fx.fetch(fx.req("/all_methods").method("HEAD")).await;
    assert_eq!(response.code, 200);
    assert!(response.body.is_empty());
    let response = fx
        .fetch(
            fx.req("/all_methods")
                .method("OTHER")
                .allow_nonstandard_methods(true),
        )
        .await;
    assert_eq!(text(&response.body), "OTHER");
}

#[tokio::test]
async fn http_client_common_test_case_body_sanity_checks() {
    let fx = Fixture::start(None).await;
    for method in ["POST", "PUT", "PATCH"] {
        let error = fx
            .client
            .fetch(fx.req("/all_methods").method(method))
            .await
            .unwrap_err();
        assert!(matches!(error.cause, Some(FetchError::InvalidRequest(_))));
        assert!(error.message.contains("must not be None"), "{error}");
        let response = fx
            .fetch(
                fx.req("/all_methods")
                    .method(method)
                    .allow_nonstandard_methods(true),
            )
            .await;
        assert_eq!(response.code, 200);
    }
    for method in ["GET", "DELETE", "OPTIONS"] {
        let error = fx
            .client
            .fetch(fx.req("/all_methods").method(method).body("asdf"))
            .await
            .unwrap_err();
        assert!(error.message.contains("must be None"), "{error}");
        let response = fx
            .client
            .fetch(
                fx.req("/all_methods")
                    .method(method)
                    .body("asdf")
                    .allow_nonstandard_methods(true),
            )
            .await
            .unwrap();
        assert_eq!(response.code, 200);
    }
}

#[tokio::test]
async fn http_client_common_test_case_put_307() {
    let fx = Fixture::start(None).await;
    let response = fx
        .client
        .fetch(
            fx.req("/redirect?status=307&url=/put")
                .method("PUT")
                .body("hello"),
        )
        .await
        .unwrap();
    assert_eq!(text(&response.body), "Put body: hello");
}

#[tokio::test]
async fn http_client_common_test_case_non_ascii_header() {
    // Non-ASCII header bytes arrive as they were sent (ISO-8859-1).
    let fx = Fixture::start(None).await;
    let response = fx
        .client
        .fetch(fx.url("/set_header?k=foo&v=%E9"))
        .await
        .unwrap();
    let value = response.headers.get_bytes("Foo").unwrap();
    assert_eq!(value, b"\xe9");
    let latin1: String = value.iter().map(|&b| char::from(b)).collect();
    assert_eq!(latin1, "\u{e9}");
}

#[test]
fn request_proxy_test_request_set() {
    let request = HttpRequest::new("http://example.com/")
        .user_agent("foo")
        .with_defaults(&RequestDefaults::default());
    assert_eq!(request.user_agent.as_deref(), Some("foo"));
}

#[test]
fn request_proxy_test_default_set() {
    let address = "127.0.0.2".parse().unwrap();
    let defaults = RequestDefaults {
        network_interface: Some(address),
        ..RequestDefaults::default()
    };
    let request = HttpRequest::new("http://example.com/").with_defaults(&defaults);
    assert_eq!(request.network_interface, Some(address));
}

#[test]
fn request_proxy_test_both_set() {
    let defaults = RequestDefaults {
        user_agent: Some("bar".into()),
        ..RequestDefaults::default()
    };
    let request = HttpRequest::new("http://example.com/")
        .user_agent("foo")
        .with_defaults(&defaults);
    assert_eq!(request.user_agent.as_deref(), Some("foo"));
}

#[test]
fn request_proxy_test_neither_set() {
    let request =
        HttpRequest::new("http://example.com/").with_defaults(&RequestDefaults::default());
    assert_eq!(request.auth_username, None);
}

#[test]
fn request_proxy_test_defaults_none() {
    let none = RequestDefaults {
        connect_timeout: None,
        request_timeout: None,
        follow_redirects: None,
        max_redirects: None,
        decompress_response: None,
        allow_nonstandard_methods: None,
        validate_cert: None,
        ..RequestDefaults::default()
    };
    let request = HttpRequest::new("http://example.com/").with_defaults(&none);
    assert_eq!(request.auth_username, None);
    assert_eq!(request.connect_timeout, None);
    assert_eq!(request.max_redirects, None);
}

#[test]
fn http_response_test_case_str() {
    let response = HttpResponse::new(HttpRequest::new("http://example.com"), 200);
    let s = format!("{response:?}");
    assert!(s.starts_with("HttpResponse {"), "{s}");
    assert!(s.contains("code: 200"), "{s}");
}

/// A server on a runtime of its own thread, for the blocking client.
struct ThreadServer {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ThreadServer {
    fn start() -> ThreadServer {
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let server = TestServer::start(tornado_app(Triggers::default())).await;
                port_tx.send(server.url("")).unwrap();
                let _ = stopped.await;
            });
        });
        ThreadServer {
            url: port_rx.recv().unwrap(),
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for ThreadServer {
    fn drop(&mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.thread.take().unwrap().join().unwrap();
    }
}

#[test]
fn sync_http_client_test_sync_client() {
    let server = ThreadServer::start();
    let client = HttpClient::new(ClientSettings::default()).unwrap();
    let response = client.fetch(format!("{}/hello", server.url)).unwrap();
    assert_eq!(text(&response.body), "Hello world!");
    client.close();
    let error = client.fetch(format!("{}/hello", server.url)).unwrap_err();
    assert!(matches!(error.cause, Some(FetchError::ClientClosed)));
}

#[test]
fn sync_http_client_test_sync_client_error() {
    // The blocking client returns errors directly.
    let server = ThreadServer::start();
    let client = HttpClient::new(ClientSettings::default()).unwrap();
    let error = client
        .fetch(format!("{}/notfound", server.url))
        .unwrap_err();
    assert_eq!(error.code, 404);
    let response = client
        .fetch_with(format!("{}/notfound", server.url), false)
        .unwrap();
    assert_eq!(response.code, 404);
}

#[test]
fn http_request_test_case_headers() {
    let request = HttpRequest::new("http://example.com").header("foo", "bar");
    let mut expected = HttpHeaders::new();
    expected.add("foo", "bar").unwrap();
    assert_eq!(request.headers, expected);
}

#[test]
fn http_request_test_case_headers_setter() {
    let mut request = HttpRequest::new("http://example.com");
    let mut headers = HttpHeaders::new();
    headers.add("bar", "baz").unwrap();
    request.headers = headers.clone();
    assert_eq!(request.headers, headers);
}

#[test]
fn http_request_test_case_null_headers_setter() {
    let request = HttpRequest::new("http://example.com")
        .header("foo", "bar")
        .headers(HttpHeaders::new());
    assert!(request.headers.is_empty());
}

#[test]
fn http_request_test_case_body() {
    let request = HttpRequest::new("http://example.com").body("foo");
    assert_eq!(request.body.as_deref(), Some(&b"foo"[..]));
}

#[test]
fn http_request_test_case_body_setter() {
    let mut request = HttpRequest::new("http://example.com");
    request.body = Some(Bytes::from("foo"));
    assert_eq!(request.body.as_deref(), Some(&b"foo"[..]));
}

#[test]
fn http_request_test_case_if_modified_since() {
    let date = SystemTime::now();
    let request = HttpRequest::new("http://example.com").if_modified_since(date);
    let mut expected = HttpHeaders::new();
    expected
        .add("If-Modified-Since", &format_timestamp(date))
        .unwrap();
    assert_eq!(request.headers, expected);
}

#[test]
fn http_error_test_case_copy() {
    let e = HttpClientError::new(403);
    let e2 = e.clone();
    assert_eq!(e.code, e2.code);
    assert_eq!(e.message, e2.message);
}

#[test]
fn http_error_test_case_plain_error() {
    let e = HttpClientError::new(403);
    assert_eq!(e.to_string(), "HTTP 403: Forbidden");
    assert_eq!(format!("{e:?}"), "HTTP 403: Forbidden");
}

#[test]
fn http_error_test_case_error_with_response() {
    let response = HttpResponse::new(HttpRequest::new("http://example.com/"), 403);
    let e = response.rethrow().unwrap_err();
    assert_eq!(e.to_string(), "HTTP 403: Forbidden");
    assert_eq!(format!("{e:?}"), "HTTP 403: Forbidden");
    assert_eq!(e.response.unwrap().code, 403);
}

/// A Python `http.server` on a free port of 127.0.0.1, stopped on drop.
struct PythonServer {
    child: std::process::Child,
    port: u16,
}

const PYTHON_SERVER: &str = r#"
import gzip, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = sys.argv[1]

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/gzip":
            body = gzip.compress(b"compressed " * 100)
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
        elif self.path == "/redirect":
            body = b""
            self.send_response(302)
            self.send_header("Location", "/hello")
        else:
            body = b"Hello from Python " + self.request_version.encode()
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[::-1])

server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

impl PythonServer {
    /// `None` (and a message) when python3 is missing.
    fn start(protocol_version: &str) -> Option<PythonServer> {
        use std::io::BufRead;
        let spawned = std::process::Command::new("python3")
            .args(["-c", PYTHON_SERVER, protocol_version])
            .stdout(std::process::Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) => {
                eprintln!("skipped: python3 is not available ({error})");
                return None;
            }
        };
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap();
        Some(PythonServer { child, port })
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn python_http_server_http10_get_post_gzip_and_redirect() {
    let Some(server) = PythonServer::start("HTTP/1.0") else {
        return;
    };
    let client = AsyncHttpClient::default();
    let response = client.fetch(server.url("/hello")).await.unwrap();
    assert_eq!(text(&response.body), "Hello from Python HTTP/1.1");
    let response = client
        .fetch(
            HttpRequest::new(server.url("/echo"))
                .method("POST")
                .body("abc"),
        )
        .await
        .unwrap();
    assert_eq!((response.code, text(&response.body)), (201, "cba"));
    let response = client.fetch(server.url("/gzip")).await.unwrap();
    assert_eq!(text(&response.body), "compressed ".repeat(100));
    assert_eq!(
        response.headers.get("X-Consumed-Content-Encoding"),
        Some("gzip")
    );
    let response = client.fetch(server.url("/redirect")).await.unwrap();
    assert!(response.effective_url.ends_with("/hello"));
    // An HTTP/1.0 server closes every connection: nothing to keep.
    assert_eq!(client.idle_connections(), 0);
}

#[tokio::test]
async fn python_http_server_http11_keeps_the_connection() {
    let Some(server) = PythonServer::start("HTTP/1.1") else {
        return;
    };
    let client = AsyncHttpClient::default();
    for _ in 0..3 {
        let response = client.fetch(server.url("/hello")).await.unwrap();
        assert_eq!(text(&response.body), "Hello from Python HTTP/1.1");
        assert_eq!(client.idle_connections(), 1);
    }
}

// The client against supercell's own HttpServer.

#[path = "support/certs.rs"]
mod certs;

use supercell::httpserver::HttpServerSettings;

/// A test server echoing what it got: method, path, arguments, body; the
/// client's address in `X-Peer`.
fn echo_server(settings: HttpServerSettings) -> HttpTestServer {
    HttpTestServer::from_callback_with_settings(
        |request, mut writer| async move {
            let mut arguments: Vec<String> = request
                .arguments()
                .iter()
                .map(|(name, values)| {
                    let values: Vec<_> = values
                        .iter()
                        .map(|v| String::from_utf8_lossy(v).into_owned())
                        .collect();
                    format!("{name}={}", values.join(","))
                })
                .collect();
            arguments.sort();
            let body = format!(
                "{} {} [{}] {}",
                request.method,
                request.path(),
                arguments.join(" "),
                String::from_utf8_lossy(&request.body)
            );
            let mut headers = HttpHeaders::new();
            let peer = format!("{:?}", request.context.peer);
            headers.add("X-Peer", &peer).unwrap();
            let _ = writer.respond(200, headers, body).await;
        },
        settings,
    )
    .unwrap()
}

#[tokio::test]
async fn supercell_http_server_get_post_and_keep_alive() {
    let server = echo_server(HttpServerSettings::default());
    let first = server.fetch_with("/hello?name=Ben", true).await.unwrap();
    assert_eq!(text(&first.body), "GET /hello [name=Ben] ");
    let response = server
        .fetch_with(
            HttpRequest::new("/post")
                .method("POST")
                .body("arg1=foo&arg2=bar"),
            true,
        )
        .await
        .unwrap();
    assert_eq!(
        text(&response.body),
        "POST /post [arg1=foo arg2=bar] arg1=foo&arg2=bar"
    );
    // Both requests went over one kept connection.
    assert_eq!(response.headers.get("X-Peer"), first.headers.get("X-Peer"));
    assert_eq!(server.http_server().connection_count(), 1);
    assert_eq!(server.http_client().idle_connections(), 1);
    server.stop().await;
}

#[tokio::test]
async fn supercell_http_server_streamed_upload_and_100_continue() {
    let server = echo_server(HttpServerSettings::default());
    // A chunked body from a producer, then the connection serves a plain
    // request again.
    let upload = HttpRequest::new("/upload").method("PUT").body_producer(
        |write: supercell::httpclient::BodyWriter| async move {
            for part in ["one ", "two ", "three"] {
                write.write(part).await?;
            }
            Ok::<_, supercell::httpclient::BodyWriteError>(())
        },
    );
    let first = server.fetch_with(upload, true).await.unwrap();
    assert_eq!(text(&first.body), "PUT /upload [] one two three");
    let response = server
        .fetch_with(
            HttpRequest::new("/upload")
                .method("POST")
                .header("Content-Type", "application/octet-stream")
                .body("1234")
                .expect_100_continue(true),
            true,
        )
        .await
        .unwrap();
    assert_eq!(text(&response.body), "POST /upload [] 1234");
    assert_eq!(response.headers.get("X-Peer"), first.headers.get("X-Peer"));
    server.stop().await;
}

#[tokio::test]
async fn supercell_http_server_over_https() {
    let settings = HttpServerSettings {
        tls: Some(certs::server_options().server_config().unwrap()),
        ..HttpServerSettings::default()
    };
    // The certificate names `localhost`; the name is mapped to the
    // loopback address so that the system resolver is never asked.
    let client = AsyncHttpClient::new(ClientSettings {
        hostname_mapping: vec![(
            supercell::netutil::OverrideKey::from("localhost"),
            supercell::netutil::OverrideTarget::from("127.0.0.1"),
        )],
        ..ClientSettings::default()
    });
    let server = echo_server(settings).with_client(client);
    let port = server.http_port();
    let request = HttpRequest::new(format!("https://localhost:{port}/secure"))
        .ca_certs(&certs::certs().ca_file);
    let first = server.fetch_with(request.clone(), true).await.unwrap();
    assert_eq!(text(&first.body), "GET /secure [] ");
    assert!(first.time_info.appconnect > Duration::ZERO);
    let second = server.fetch_with(request, true).await.unwrap();
    assert_eq!(second.headers.get("X-Peer"), first.headers.get("X-Peer"));
    assert_eq!(second.time_info.appconnect, Duration::ZERO);
    server.stop().await;
}

#[tokio::test]
async fn redirects_301_becomes_get_and_308_keeps_method_and_body() {
    let fx = Fixture::start(None).await;
    let response = fx
        .client
        .fetch(
            fx.req("/redirect?status=301&url=/see_other_get")
                .method("POST")
                .body("dropped"),
        )
        .await
        .unwrap();
    assert_eq!(text(&response.body), "ok");
    assert_eq!(response.request.method, http::Method::POST);
    // A streamed body is produced again for the new request.
    let calls = Arc::new(Mutex::new(0));
    let counted = calls.clone();
    let response = fx
        .client
        .fetch(
            fx.req("/redirect?status=308&url=/echopost")
                .method("POST")
                .body_producer(move |write: supercell::httpclient::BodyWriter| {
                    *counted.lock().unwrap() += 1;
                    async move { write.write("kept").await }
                }),
        )
        .await
        .unwrap();
    assert_eq!(text(&response.body), "kept");
    assert!(response.effective_url.ends_with("/echopost"));
    assert_eq!(*calls.lock().unwrap(), 2);
}
