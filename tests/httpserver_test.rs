//! Counterparts of Tornado 5.0's `tornado/test/httpserver_test.py`, over
//! real sockets on 127.0.0.1.
//!
//! Tornado tests without a counterpart here, and why:
//! - `SSLv23Test`, `SSLv3Test`, `TLSv1Test` (each `test_ssl`,
//!   `test_large_post`, `test_non_ssl_request`, `test_error_logging`):
//!   protocol-version variants of the same mixin; rustls speaks only TLS
//!   1.2 and 1.3, and SSLv3/TLS 1.0 do not exist there. The mixin runs
//!   once, as `SSLContextTest`.
//! - `BadSSLOptionsTest.test_missing_arguments`, `test_missing_key`:
//!   checking TLS options is `netutil::SslOptions`'s job, tested with it.
//! - `HTTPServerTest.test_types`: checks Python `str`/`bytes` types of
//!   request fields; Rust's types say it.
//! - `LegacyInterfaceTest.test_legacy_interface`: Tornado's deprecated
//!   callback-with-`request.write` interface, which has no Rust form.
//!
//! Where supercell is stricter than Tornado, the counterpart checks the
//! stricter answer: bare-LF requests (`test_newlines`) and HTTP/1.1
//! requests without `Host` are refused with `400`; bodies over
//! `max_body_size` get `413` (Tornado: `400`).
#![allow(clippy::too_many_lines)]

#[path = "support/certs.rs"]
mod certs;
#[path = "support/raw_http.rs"]
mod raw_http;

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use raw_http::{RawClient, chunked_post, get, gzip, post, request};
use supercell::http1::ResponseWriter;
use supercell::http1::codec::{ExtraFields, FixedFields};
use supercell::httpclient::HttpRequest;
use supercell::httpserver::{HttpServer, HttpServerSettings};
use supercell::httputil::{
    HttpConnection, HttpHeaders, HttpMessageDelegate, HttpOutputError,
    HttpServerConnectionDelegate, HttpServerRequest, RequestStartLine, ResponseStartLine,
    format_timestamp,
};
use supercell::netutil::{AddressFamily, bind_sockets};
use supercell::testing::{ExpectLog, HttpTestServer, LogCapture};
use supercell::util::log_target::{APP_LOG, GEN_LOG};
use tracing::Level;

/// A test server calling `callback`.
fn serve<F, Fut>(settings: HttpServerSettings, callback: F) -> HttpTestServer
where
    F: Fn(HttpServerRequest, ResponseWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    HttpTestServer::from_callback_with_settings(callback, settings).unwrap()
}

/// The address of `server`, for raw clients.
fn addr_of(server: &HttpTestServer) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], server.http_port()))
}

/// Tornado's `HelloWorldRequestHandler`: `Hello world` to GET, the body
/// size to POST.
async fn hello(request: HttpServerRequest, mut writer: ResponseWriter) {
    let body = if request.method == Method::POST {
        format!("Got {} bytes in POST", request.body.len())
    } else {
        "Hello world".to_owned()
    };
    let _ = writer.respond(200, HttpHeaders::new(), body).await;
}

/// Tornado's `EchoHandler`: the arguments as JSON.
async fn echo_arguments(request: HttpServerRequest, mut writer: ResponseWriter) {
    let _ = writer
        .respond(200, HttpHeaders::new(), arguments_json(&request))
        .await;
}

fn arguments_json(request: &HttpServerRequest) -> String {
    let arguments: BTreeMap<&str, Vec<String>> = request
        .arguments()
        .iter()
        .map(|(name, values)| {
            let values = values
                .iter()
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect();
            (name.as_str(), values)
        })
        .collect();
    serde_json::to_string(&arguments).unwrap()
}

/// `remote_ip` and `protocol` as JSON (Tornado's xheader test handler).
async fn remote(request: HttpServerRequest, mut writer: ResponseWriter) {
    let body = serde_json::json!({
        "remote_ip": request.remote_ip(),
        "remote_protocol": request.protocol(),
    })
    .to_string();
    let _ = writer.respond(200, HttpHeaders::new(), body).await;
}

/// Sends `data` on a new connection and reads the response (Tornado's
/// `raw_fetch`).
async fn raw_fetch(addr: SocketAddr, data: Vec<u8>) -> raw_http::Response {
    let mut client = RawClient::connect(addr).await;
    client.send(data).await;
    client.get_response().await
}

/// `GET /` with the header lines `extra` (`Name: value`).
fn get_with(extra: &[&str]) -> HttpRequest {
    extra.iter().fold(HttpRequest::new("/"), |request, line| {
        let (name, value) = line.split_once(": ").unwrap();
        request.header(name, value)
    })
}

/// A form `POST` of `body` to `path`.
fn form_post(path: &str, body: impl Into<Bytes>) -> HttpRequest {
    HttpRequest::new(path)
        .method("POST")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
}

fn tls_settings() -> HttpServerSettings {
    HttpServerSettings {
        tls: Some(certs::server_options().server_config().unwrap()),
        ..HttpServerSettings::default()
    }
}

/// Expects the warning of a failed TLS handshake on the general log.
fn expect_tls_failure() -> ExpectLog {
    ExpectLog::new(GEN_LOG, "SSL Error on ")
        .unwrap()
        .level(Level::WARN)
}

/// Expects the note on the general log about a refused request.
fn expect_malformed(pattern: &str) -> ExpectLog {
    ExpectLog::new(GEN_LOG, pattern).unwrap().level(Level::INFO)
}

// ---- SSLContextTest (the SSL test mixin)

#[tokio::test]
async fn ssl_context_test_ssl() {
    let server = serve(tls_settings(), hello);
    assert_eq!(server.protocol(), "https");
    let response = server.fetch("/").await;
    assert_eq!(response.body, "Hello world");
    server.stop().await;
}

#[tokio::test]
async fn ssl_context_test_large_post() {
    let server = serve(tls_settings(), hello);
    let request = HttpRequest::new("/").method("POST").body(vec![b'A'; 5000]);
    let response = server.fetch(request).await;
    assert_eq!(response.body, "Got 5000 bytes in POST");
    server.stop().await;
}

#[tokio::test]
async fn ssl_context_test_non_ssl_request() {
    let warned = expect_tls_failure();
    let server = serve(tls_settings(), hello);
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/", &[])).await;
    // No HTTP response to plain HTTP: the connection just ends.
    let received = client.read_until_close().await;
    assert!(!received.starts_with(b"HTTP/"), "{received:?}");
    server.stop().await;
    warned.finish().unwrap();
}

#[tokio::test]
async fn ssl_context_test_error_logging() {
    // TLS errors are warnings on the general log, never application errors.
    let logs = LogCapture::start();
    let warned = expect_tls_failure();
    let server = serve(tls_settings(), hello);
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(&b"not a TLS client hello\r\n\r\n"[..]).await;
    client.read_until_close().await;
    server.stop().await;
    warned.finish().unwrap();
    assert!(logs.app_errors().is_empty(), "{:?}", logs.app_errors());
}

// ---- HTTPConnectionTest

#[tokio::test]
async fn http_connection_test_multipart_form() {
    let server = serve(
        HttpServerSettings::default(),
        |request: HttpServerRequest, mut writer: ResponseWriter| async move {
            let file = &request.files()["files"][0];
            let body = serde_json::json!({
                "header": request.headers.get_bytes("X-Header-Encoding-Test").map(|b| b.to_vec()),
                "argument": String::from_utf8_lossy(&request.arguments()["argument"][0]),
                "filename": file.filename,
                "filebody": String::from_utf8_lossy(&file.body),
            });
            let _ = writer
                .respond(200, HttpHeaders::new(), body.to_string())
                .await;
        },
    );
    let body = [
        &b"Content-Disposition: form-data; name=argument"[..],
        b"",
        "\u{e1}".as_bytes(),
        b"--1234567890",
        "Content-Disposition: form-data; name=\"files\"; filename=\"\u{f3}\"".as_bytes(),
        b"",
        "\u{fa}".as_bytes(),
        b"--1234567890--",
        b"",
    ]
    .join(&b"\r\n"[..]);
    let mut data = format!(
        "POST /multipart HTTP/1.0\r\nContent-Type: multipart/form-data; boundary=1234567890\r\n\
         X-Header-encoding-test: \u{e9}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    // The header value is the single Latin-1 byte 0xE9, not its UTF-8 form.
    let at = data
        .windows(2)
        .position(|w| w == "\u{e9}".as_bytes())
        .unwrap();
    data.splice(at..at + 2, [0xe9]);
    data.extend_from_slice(&body);
    let response = raw_fetch(addr_of(&server), data).await;
    let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(json["header"], serde_json::json!([0xe9]));
    assert_eq!(json["argument"], "\u{e1}");
    assert_eq!(json["filename"], "\u{f3}");
    assert_eq!(json["filebody"], "\u{fa}");
    server.stop().await;
}

#[tokio::test]
async fn http_connection_test_newlines() {
    let server = serve(HttpServerSettings::default(), hello);
    let addr = addr_of(&server);
    let response = raw_fetch(
        addr,
        b"GET /hello HTTP/1.0\r\nContent-Length: 0\r\n\r\n".to_vec(),
    )
    .await;
    assert_eq!(response.body, "Hello world");
    // Stricter than Tornado: bare LF line endings are refused (RFC 9112
    // lets a server refuse them; they help request smuggling).
    let mut client = RawClient::connect(addr).await;
    client
        .send(&b"GET /hello HTTP/1.0\nContent-Length: 0\n\n"[..])
        .await;
    assert_eq!(client.get_response().await.code, 400);
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop().await;
}

#[tokio::test]
async fn http_connection_test_100_continue() {
    let server = serve(HttpServerSettings::default(), hello);
    let mut client = RawClient::connect(addr_of(&server)).await;
    client
        .send(request(
            "POST",
            "/hello",
            &[
                "Content-Length: 1024",
                "Expect: 100-continue",
                "Connection: close",
            ],
            b"",
        ))
        .await;
    let interim = client.stream.read_until(b"\r\n\r\n", None).await.unwrap();
    assert!(interim.starts_with(b"HTTP/1.1 100 "), "{interim:?}");
    client.send(vec![b'a'; 1024]).await;
    let response = client.read_response(&Method::POST).await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, "Got 1024 bytes in POST");
    server.stop().await;
}

// ---- HTTPServerTest

#[tokio::test]
async fn http_server_test_query_string_encoding() {
    let server = serve(HttpServerSettings::default(), echo_arguments);
    let response = server.fetch("/echo?foo=%C3%A9").await;
    assert_eq!(response.body, r#"{"foo":["é"]}"#);
    server.stop().await;
}

#[tokio::test]
async fn http_server_test_empty_query_string() {
    let server = serve(HttpServerSettings::default(), echo_arguments);
    let response = server.fetch("/echo?foo=&foo=").await;
    assert_eq!(response.body, r#"{"foo":["",""]}"#);
    server.stop().await;
}

#[tokio::test]
async fn http_server_test_empty_post_parameters() {
    let server = serve(HttpServerSettings::default(), echo_arguments);
    let response = server.fetch(form_post("/echo", "foo=&bar=")).await;
    assert_eq!(response.body, r#"{"bar":[""],"foo":[""]}"#);
    server.stop().await;
}

#[tokio::test]
async fn http_server_test_double_slash() {
    let server = serve(
        HttpServerSettings::default(),
        |request: HttpServerRequest, mut writer: ResponseWriter| async move {
            let _ = writer
                .respond(200, HttpHeaders::new(), request.path().to_owned())
                .await;
        },
    );
    let response = server.fetch("//doubleslash").await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, "//doubleslash");
    server.stop().await;
}

#[tokio::test]
async fn http_server_test_malformed_body() {
    // A body that is not valid form data is not fatal: the request is
    // still answered (how the bytes are read is `parse_body`'s business).
    let server = serve(HttpServerSettings::default(), echo_arguments);
    let response = server.fetch(form_post("/echo", &b"\xe9"[..])).await;
    assert_eq!(response.code, 200);
    // The callback ran with the request and answered.
    assert!(response.body.starts_with(b"{"), "{:?}", response.body);
    server.stop().await;
}

// ---- HTTPServerRawTest

#[tokio::test]
async fn http_server_raw_test_empty_request() {
    let server = serve(HttpServerSettings::default(), hello);
    let client = RawClient::connect(addr_of(&server)).await;
    client.stream.close();
    drop(client);
    // The server goes on.
    assert_eq!(server.fetch("/").await.body, "Hello world");
    server.stop().await;
}

#[tokio::test]
async fn http_server_raw_test_malformed_first_line_response() {
    let server = serve(HttpServerSettings::default(), hello);
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(&b"asdf\r\n\r\n"[..]).await;
    let response = client.get_response().await;
    assert_eq!(
        (response.code, response.reason.as_str()),
        (400, "Bad Request")
    );
    assert!(response.connection_has("close"));
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop().await;
}

#[tokio::test]
async fn http_server_raw_test_malformed_first_line_log() {
    let expected = expect_malformed(r"Malformed HTTP request from 127\.0\.0\.1");
    let server = serve(HttpServerSettings::default(), hello);
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(&b"asdf\r\n\r\n"[..]).await;
    client.read_until_close().await;
    server.stop().await;
    expected.finish().unwrap();
}

#[tokio::test]
async fn http_server_raw_test_malformed_headers() {
    let expected = expect_malformed("Malformed HTTP request");
    let server = serve(HttpServerSettings::default(), hello);
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(&b"GET / HTTP/1.0\r\nasdf\r\n\r\n"[..]).await;
    assert_eq!(client.get_response().await.code, 400);
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop().await;
    expected.finish().unwrap();
}

async fn chunked_form(transfer_encoding: &str) {
    let server = serve(HttpServerSettings::default(), echo_arguments);
    let data = request(
        "POST",
        "/echo",
        &[
            &format!("Transfer-Encoding: {transfer_encoding}"),
            "Content-Type: application/x-www-form-urlencoded",
        ],
        b"4\r\nfoo=\r\n3\r\nbar\r\n0\r\n\r\n",
    );
    let response = raw_fetch(addr_of(&server), data).await;
    assert_eq!(response.body, r#"{"foo":["bar"]}"#);
    server.stop().await;
}

#[tokio::test]
async fn http_server_raw_test_chunked_request_body() {
    chunked_form("chunked").await;
}

#[tokio::test]
async fn http_server_raw_test_chunked_request_uppercase() {
    chunked_form("Chunked").await;
}

#[tokio::test]
async fn http_server_raw_test_invalid_content_length() {
    let expected = expect_malformed("Malformed HTTP request");
    let server = serve(HttpServerSettings::default(), echo_arguments);
    let mut client = RawClient::connect(addr_of(&server)).await;
    client
        .send(request("POST", "/echo", &["Content-Length: foo"], b"bar"))
        .await;
    assert_eq!(client.get_response().await.code, 400);
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop().await;
    expected.finish().unwrap();
}

// ---- XHeaderTest, SSLXHeaderTest, ManualProtocolTest

fn xheader_settings() -> HttpServerSettings {
    HttpServerSettings {
        xheaders: true,
        trusted_downstream: vec!["5.5.5.5".into()],
        ..HttpServerSettings::default()
    }
}

/// The `remote_ip` or `remote_protocol` (`field`) the `remote` handler
/// of `server` sees for a request with the header lines `extra`.
async fn remote_field(server: &HttpTestServer, field: &str, extra: &[&str]) -> String {
    let response = server.fetch(get_with(extra)).await;
    assert_eq!(response.code, 200, "{:?}", response.error);
    let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    json[field].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn x_header_test_ip_headers() {
    let server = serve(xheader_settings(), remote);
    let ip = async |extra: &[&str]| remote_field(&server, "remote_ip", extra).await;
    assert_eq!(ip(&[]).await, "127.0.0.1");
    assert_eq!(ip(&["X-Real-IP: 4.4.4.4"]).await, "4.4.4.4");
    assert_eq!(
        ip(&["X-Forwarded-For: 127.0.0.1, 4.4.4.4"]).await,
        "4.4.4.4"
    );
    assert_eq!(
        ip(&["X-Real-IP: 2620:0:1cfe:face:b00c::3"]).await,
        "2620:0:1cfe:face:b00c::3"
    );
    assert_eq!(
        ip(&["X-Forwarded-For: ::1, 2620:0:1cfe:face:b00c::3"]).await,
        "2620:0:1cfe:face:b00c::3"
    );
    assert_eq!(ip(&["X-Real-IP: 4.4.4.4<script>"]).await, "127.0.0.1");
    assert_eq!(
        ip(&["X-Forwarded-For: 4.4.4.4, 5.5.5.5<script>"]).await,
        "127.0.0.1"
    );
    assert_eq!(ip(&["X-Real-IP: www.google.com"]).await, "127.0.0.1");
    server.stop().await;
}

#[tokio::test]
async fn x_header_test_trusted_downstream() {
    let server = serve(xheader_settings(), remote);
    let extra = ["X-Forwarded-For: 127.0.0.1, 4.4.4.4, 5.5.5.5"];
    assert_eq!(remote_field(&server, "remote_ip", &extra).await, "4.4.4.4");
    server.stop().await;
}

#[tokio::test]
async fn x_header_test_scheme_headers() {
    let server = serve(xheader_settings(), remote);
    let proto = async |extra: &[&str]| remote_field(&server, "remote_protocol", extra).await;
    assert_eq!(proto(&[]).await, "http");
    assert_eq!(proto(&["X-Scheme: https"]).await, "https");
    assert_eq!(proto(&["X-Forwarded-Proto: https"]).await, "https");
    assert_eq!(proto(&["X-Forwarded-Proto: https , http"]).await, "http");
    assert_eq!(proto(&["X-Forwarded-Proto: http,https"]).await, "https");
    assert_eq!(proto(&["X-Forwarded-Proto: unknown"]).await, "http");
    server.stop().await;
}

#[tokio::test]
async fn ssl_x_header_test_request_without_xprotocol() {
    let settings = HttpServerSettings {
        xheaders: true,
        ..tls_settings()
    };
    let server = serve(settings, remote);
    for (extra, expected) in [
        (None, "https"),
        (Some("X-Scheme: http"), "http"),
        (Some("X-Scheme: unknown"), "https"),
    ] {
        let protocol = remote_field(&server, "remote_protocol", extra.as_slice()).await;
        assert_eq!(protocol, expected);
    }
    server.stop().await;
}

#[tokio::test]
async fn manual_protocol_test_manual_protocol() {
    let settings = HttpServerSettings {
        protocol: Some("https".into()),
        ..HttpServerSettings::default()
    };
    let server = serve(settings, remote);
    assert_eq!(remote_field(&server, "remote_protocol", &[]).await, "https");
    server.stop().await;
}

// ---- UnixSocketTest

/// Serves `hello` on a Unix socket named after `name`, sends `data` there
/// and returns everything the server sends before it closes.
async fn unix_socket_exchange(name: &str, data: &'static [u8]) -> Bytes {
    let path = std::env::temp_dir().join(format!("httpserver-{name}-{}.sock", std::process::id()));
    let server = HttpServer::from_callback(hello, HttpServerSettings::default());
    let listener = supercell::netutil::bind_unix_socket(
        &path,
        supercell::netutil::DEFAULT_UNIX_SOCKET_MODE,
        None,
    )
    .unwrap();
    server.add_socket(listener).unwrap();
    let stream = supercell::iostream::IoStream::from_unix(
        tokio::net::UnixStream::connect(&path).await.unwrap(),
    );
    stream.write(data).await.unwrap();
    let response = stream.read_until_close().await.unwrap();
    server.stop();
    std::fs::remove_file(&path).unwrap();
    response
}

#[tokio::test]
async fn unix_socket_test_unix_socket() {
    let response = unix_socket_exchange("unix", b"GET /hello HTTP/1.0\r\n\r\n").await;
    assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"), "{response:?}");
    assert!(response.ends_with(b"\r\n\r\nHello world"), "{response:?}");
}

#[tokio::test]
async fn unix_socket_test_unix_socket_bad_request() {
    let expected = expect_malformed("Malformed HTTP request from unix");
    let response = unix_socket_exchange("bad", b"garbage\r\n\r\n").await;
    assert!(
        response.starts_with(b"HTTP/1.1 400 Bad Request\r\n"),
        "{response:?}"
    );
    expected.finish().unwrap();
}

// ---- KeepAliveTest

/// Tornado's KeepAliveTest application: `/` says hello, `/large` sends
/// 512 KiB, `/finish_on_close` starts a response and finishes it only
/// when the connection closes.
struct KeepAliveApp;

struct KeepAliveMessage {
    writer: Option<ResponseWriter>,
    path: String,
}

impl HttpServerConnectionDelegate<ResponseWriter> for KeepAliveApp {
    type Message = KeepAliveMessage;

    fn start_request(&self, writer: ResponseWriter) -> KeepAliveMessage {
        KeepAliveMessage {
            writer: Some(writer),
            path: String::new(),
        }
    }
}

impl HttpMessageDelegate for KeepAliveMessage {
    async fn headers_received(&mut self, start_line: RequestStartLine, _: HttpHeaders) {
        self.path = start_line.path.into();
    }

    async fn finish(&mut self) {
        let Some(writer) = self.writer.as_mut() else {
            return;
        };
        match self.path.as_str() {
            "/large" => {
                let body: Vec<u8> = (0..512u32).flat_map(|i| [i as u8; 1024]).collect();
                let _ = writer.respond(200, HttpHeaders::new(), body).await;
            }
            "/finish_on_close" => {
                let start_line = ResponseStartLine {
                    version: http::Version::HTTP_11,
                    code: 200,
                    reason: "OK".into(),
                };
                let _ = writer
                    .write_headers(start_line, &HttpHeaders::new(), None)
                    .await;
            }
            _ => {
                let _ = writer.respond(200, HttpHeaders::new(), "Hello world").await;
            }
        }
    }

    fn on_connection_close(&mut self) {
        // Finishing from the close callback, as Tornado's handler does:
        // the writer finishes what it started when dropped.
        drop(self.writer.take());
    }
}

fn keep_alive_server() -> HttpTestServer {
    HttpTestServer::new(KeepAliveApp).unwrap()
}

#[tokio::test]
async fn keep_alive_test_two_requests() {
    let server = keep_alive_server();
    let mut client = RawClient::connect(addr_of(&server)).await;
    for _ in 0..2 {
        client.send(get("/", &[])).await;
        assert_eq!(client.get_response().await.body, "Hello world");
    }
    server.stop().await;
}

#[tokio::test]
async fn keep_alive_test_request_close() {
    let server = keep_alive_server();
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/", &["Connection: close"])).await;
    let response = client.get_response().await;
    assert_eq!(response.body, "Hello world");
    assert_eq!(response.header("Connection"), Some("close"));
    assert!(client.read_until_close().await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn keep_alive_test_http10() {
    let server = keep_alive_server();
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(&b"GET / HTTP/1.0\r\n\r\n"[..]).await;
    let response = client.get_response().await;
    assert_eq!(response.body, "Hello world");
    assert_eq!(response.header("Connection"), None);
    assert!(client.read_until_close().await.is_empty());
    server.stop().await;
}

async fn http10_keep_alive(first: &[u8]) {
    let server = keep_alive_server();
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(first.to_vec()).await;
    for round in 0..2 {
        let response = client.get_response().await;
        assert_eq!(response.body, "Hello world");
        assert!(response.connection_has("keep-alive"), "{response:?}");
        if round == 0 {
            client
                .send(&b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"[..])
                .await;
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn keep_alive_test_http10_keepalive() {
    http10_keep_alive(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").await;
}

#[tokio::test]
async fn keep_alive_test_http10_keepalive_extra_crlf() {
    http10_keep_alive(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n\r\n").await;
}

#[tokio::test]
async fn keep_alive_test_pipelined_requests() {
    let server = keep_alive_server();
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send([get("/", &[]), get("/", &[])].concat()).await;
    assert_eq!(client.get_response().await.body, "Hello world");
    assert_eq!(client.get_response().await.body, "Hello world");
    server.stop().await;
}

#[tokio::test]
async fn keep_alive_test_pipelined_cancel() {
    let logs = LogCapture::start();
    let server = keep_alive_server();
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send([get("/", &[]), get("/", &[])].concat()).await;
    assert_eq!(client.get_response().await.body, "Hello world");
    drop(client);
    // The server goes on, quietly.
    assert_eq!(server.fetch("/").await.body, "Hello world");
    server.stop().await;
    assert!(logs.app_errors().is_empty(), "{:?}", logs.app_errors());
}

#[tokio::test]
async fn keep_alive_test_cancel_during_download() {
    let logs = LogCapture::start();
    let server = keep_alive_server();
    let client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/large", &[])).await;
    client.stream.read_until(b"\r\n\r\n", None).await.unwrap();
    client.stream.read_bytes(1024, false).await.unwrap();
    client.stream.close();
    assert_eq!(server.fetch("/").await.body, "Hello world");
    server.stop().await;
    assert!(logs.app_errors().is_empty(), "{:?}", logs.app_errors());
}

#[tokio::test]
async fn keep_alive_test_finish_while_closed() {
    let logs = LogCapture::start();
    let server = keep_alive_server();
    let client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/finish_on_close", &[])).await;
    let head = client.stream.read_until(b"\r\n\r\n", None).await.unwrap();
    assert!(head.starts_with(b"HTTP/1.1 200 OK\r\n"));
    client.stream.close();
    // The connection ends (the registry empties) and nothing is logged.
    tokio::time::timeout(Duration::from_secs(5), async {
        while server.http_server().connection_count() > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    server.stop().await;
    assert!(logs.app_errors().is_empty(), "{:?}", logs.app_errors());
}

#[tokio::test]
async fn keep_alive_test_keepalive_chunked() {
    let server = keep_alive_server();
    let mut client = RawClient::connect(addr_of(&server)).await;
    // HTTP/1.0 with Transfer-Encoding is refused: the HTTP/1.1 form of the
    // same exchange.
    client
        .send(&b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"[..])
        .await;
    assert_eq!(
        client.read_response(&Method::POST).await.body,
        "Hello world"
    );
    client
        .send(&b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"[..])
        .await;
    let response = client.get_response().await;
    assert_eq!(response.body, "Hello world");
    assert!(response.connection_has("keep-alive"));
    server.stop().await;
}

// ---- GzipTest, GzipUnsupportedTest

/// A form `POST` of `foo=bar`, gzipped when `gzipped`.
fn foo_bar_post(gzipped: bool) -> HttpRequest {
    if gzipped {
        form_post("/", gzip(b"foo=bar")).header("Content-Encoding", "gzip")
    } else {
        form_post("/", "foo=bar")
    }
}

fn decompressing() -> HttpServerSettings {
    HttpServerSettings {
        decompress_request: true,
        ..HttpServerSettings::default()
    }
}

/// What `echo_arguments` answers to [`foo_bar_post`] on a server with
/// `settings`.
async fn echoed_foo_bar(settings: HttpServerSettings, gzipped: bool) -> Bytes {
    let server = serve(settings, echo_arguments);
    let response = server.fetch(foo_bar_post(gzipped)).await;
    server.stop().await;
    response.body
}

#[tokio::test]
async fn gzip_test_uncompressed() {
    let body = echoed_foo_bar(decompressing(), false).await;
    assert_eq!(body, r#"{"foo":["bar"]}"#);
}

#[tokio::test]
async fn gzip_test_gzip() {
    let body = echoed_foo_bar(decompressing(), true).await;
    assert_eq!(body, r#"{"foo":["bar"]}"#);
}

#[tokio::test]
async fn gzip_unsupported_test_uncompressed() {
    let body = echoed_foo_bar(HttpServerSettings::default(), false).await;
    assert_eq!(body, r#"{"foo":["bar"]}"#);
}

#[tokio::test]
async fn gzip_unsupported_test_gzip_unsupported() {
    let expected = ExpectLog::new(GEN_LOG, "Unsupported Content-Encoding").unwrap();
    let body = echoed_foo_bar(HttpServerSettings::default(), true).await;
    assert_eq!(body, "{}");
    expected.finish().unwrap();
}

// ---- StreamingChunkSizeTest

const STREAMING_BODY: &[u8] = b"01234567890123456789012345678901234567890123456789";
const STREAMING_CHUNK_SIZE: usize = 16;

/// Answers with the lengths of the body pieces it was given, as JSON.
struct ChunkLengths;

struct ChunkLengthsMessage {
    writer: ResponseWriter,
    lengths: Vec<usize>,
}

impl HttpServerConnectionDelegate<ResponseWriter> for ChunkLengths {
    type Message = ChunkLengthsMessage;

    fn start_request(&self, writer: ResponseWriter) -> ChunkLengthsMessage {
        ChunkLengthsMessage {
            writer,
            lengths: Vec::new(),
        }
    }
}

impl HttpMessageDelegate for ChunkLengthsMessage {
    async fn headers_received(&mut self, _: RequestStartLine, _: HttpHeaders) {}

    async fn data_received(&mut self, chunk: Bytes) {
        self.lengths.push(chunk.len());
    }

    async fn finish(&mut self) {
        let body = serde_json::to_string(&self.lengths).unwrap();
        let mut headers = HttpHeaders::new();
        headers
            .add("Content-Length", &body.len().to_string())
            .unwrap();
        let start_line = ResponseStartLine {
            version: http::Version::HTTP_11,
            code: 200,
            reason: "OK".into(),
        };
        let _ = self.writer.write_headers(start_line, &headers, None).await;
        let _ = self.writer.write(Bytes::from(body)).await;
        let _ = self.writer.finish().await;
    }
}

async fn fetch_chunk_sizes(data: Vec<u8>) -> Vec<usize> {
    let settings = HttpServerSettings {
        chunk_size: STREAMING_CHUNK_SIZE,
        decompress_request: true,
        ..HttpServerSettings::default()
    };
    let server = HttpTestServer::with_settings(ChunkLengths, settings).unwrap();
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(data).await;
    let response = client.read_response(&Method::POST).await;
    server.stop().await;
    let chunks: Vec<usize> = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(chunks.iter().sum::<usize>(), STREAMING_BODY.len());
    assert!(
        chunks.iter().all(|&c| c > 0 && c <= STREAMING_CHUNK_SIZE),
        "{chunks:?}"
    );
    chunks
}

#[tokio::test]
async fn streaming_chunk_size_test_regular_body() {
    let chunks = fetch_chunk_sizes(post("/", STREAMING_BODY)).await;
    assert_eq!(chunks, [16, 16, 16, 2]);
}

#[tokio::test]
async fn streaming_chunk_size_test_compressed_body() {
    let compressed = gzip(STREAMING_BODY);
    assert!(compressed.len() < STREAMING_BODY.len());
    let data = request(
        "POST",
        "/",
        &[
            "Content-Encoding: gzip",
            &format!("Content-Length: {}", compressed.len()),
        ],
        &compressed,
    );
    fetch_chunk_sizes(data).await;
}

#[tokio::test]
async fn streaming_chunk_size_test_chunked_body() {
    let data = chunked_post(&[&STREAMING_BODY[..20], &STREAMING_BODY[20..]], &[]);
    assert_eq!(fetch_chunk_sizes(data).await, [16, 4, 16, 14]);
}

#[tokio::test]
async fn streaming_chunk_size_test_chunked_compressed() {
    let compressed = gzip(STREAMING_BODY);
    assert!(compressed.len() > 20);
    let data = chunked_post(
        &[&compressed[..20], &compressed[20..]],
        &["Content-Encoding: gzip"],
    );
    fetch_chunk_sizes(data).await;
}

// ---- MaxHeaderSizeTest

fn small_headers() -> HttpServerSettings {
    HttpServerSettings {
        max_header_size: 1024,
        ..HttpServerSettings::default()
    }
}

#[tokio::test]
async fn max_header_size_test_small_headers() {
    let server = serve(small_headers(), hello);
    let request = HttpRequest::new("/").header("X-Filler", &"a".repeat(100));
    assert_eq!(server.fetch(request).await.body, "Hello world");
    server.stop().await;
}

#[tokio::test]
async fn max_header_size_test_large_headers() {
    let server = serve(small_headers(), hello);
    let filler = format!("X-Filler: {}", "a".repeat(1000));
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/", &[&filler])).await;
    assert_eq!(client.get_response().await.code, 431);
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop().await;
}

// ---- IdleTimeoutTest

fn idle_settings() -> HttpServerSettings {
    HttpServerSettings {
        idle_connection_timeout: Duration::from_millis(100),
        ..HttpServerSettings::default()
    }
}

#[tokio::test(start_paused = true)]
async fn idle_timeout_test_unused_connection() {
    let server = serve(idle_settings(), hello);
    let mut client = RawClient::connect(addr_of(&server)).await;
    client
        .assert_closed_after(Duration::from_millis(100), Duration::from_secs(1))
        .await;
    server.stop().await;
}

#[tokio::test(start_paused = true)]
async fn idle_timeout_test_idle_after_use() {
    let server = serve(idle_settings(), hello);
    let mut client = RawClient::connect(addr_of(&server)).await;
    for _ in 0..2 {
        client.send(get("/", &[])).await;
        assert_eq!(client.get_response().await.body, "Hello world");
    }
    client
        .assert_closed_after(Duration::from_millis(100), Duration::from_secs(1))
        .await;
    server.stop().await;
}

/// The wait for the next request starts once the last response is out:
/// at once for a response written as its request arrived, and not from
/// the request's arrival for a response written after a wait.
#[tokio::test(start_paused = true)]
async fn idle_timeout_test_counts_from_the_response() {
    let settings = HttpServerSettings {
        idle_connection_timeout: Duration::from_secs(10),
        ..HttpServerSettings::default()
    };
    let server = serve(settings, |request, mut writer| async move {
        if request.path() == "/slow" {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        let _ = writer.respond(200, HttpHeaders::new(), "ok").await;
    });
    for path in ["/", "/slow"] {
        let mut client = RawClient::connect(addr_of(&server)).await;
        client.send(get(path, &[])).await;
        assert_eq!(client.get_response().await.body, "ok");
        client
            .assert_closed_after(Duration::from_millis(9_900), Duration::from_millis(10_100))
            .await;
    }
    server.stop().await;
}

// ---- BodyLimitsTest

/// Counts the body it streams; `?expected_size=N` and `?body_timeout=S`
/// override the limits (Tornado's `StreamingHandler`); other paths get
/// the buffered body's size (its `BufferedHandler`).
struct BodyCounter;

struct BodyCounterMessage {
    writer: ResponseWriter,
    read: usize,
}

impl HttpServerConnectionDelegate<ResponseWriter> for BodyCounter {
    type Message = BodyCounterMessage;

    fn start_request(&self, writer: ResponseWriter) -> BodyCounterMessage {
        BodyCounterMessage { writer, read: 0 }
    }
}

impl HttpMessageDelegate for BodyCounterMessage {
    async fn headers_received(&mut self, start_line: RequestStartLine, _: HttpHeaders) {
        let query = start_line.path.split_once('?').map_or("", |(_, q)| q);
        for (name, value) in query.split('&').filter_map(|pair| pair.split_once('=')) {
            match name {
                "expected_size" => self.writer.set_max_body_size(value.parse().unwrap()),
                "body_timeout" => self
                    .writer
                    .set_body_timeout(Some(Duration::from_secs_f64(value.parse().unwrap()))),
                _ => {}
            }
        }
    }

    async fn data_received(&mut self, chunk: Bytes) {
        self.read += chunk.len();
    }

    async fn finish(&mut self) {
        let body = self.read.to_string();
        let _ = self.writer.respond(200, HttpHeaders::new(), body).await;
    }
}

fn body_limits_server() -> (HttpTestServer, SocketAddr) {
    let settings = HttpServerSettings {
        body_timeout: Some(Duration::from_secs(3600)),
        max_body_size: 4096,
        ..HttpServerSettings::default()
    };
    let server = HttpTestServer::with_settings(BodyCounter, settings).unwrap();
    let addr = addr_of(&server);
    (server, addr)
}

fn put(path: &str, body: &[u8]) -> Vec<u8> {
    request(
        "PUT",
        path,
        &[&format!("Content-Length: {}", body.len())],
        body,
    )
}

fn chunked_put(path: &str, body: &[u8]) -> Vec<u8> {
    let mut data = request(
        "PUT",
        path,
        &["Transfer-Encoding: chunked"],
        format!("{:x}\r\n", body.len()).as_bytes(),
    );
    data.extend_from_slice(body);
    data.extend_from_slice(b"\r\n0\r\n\r\n");
    data
}

async fn put_code(addr: SocketAddr, data: Vec<u8>) -> (u16, Bytes) {
    let mut client = RawClient::connect(addr).await;
    client.send_quietly(data);
    let response = client.read_response(&Method::PUT).await;
    (response.code, response.body)
}

#[tokio::test]
async fn body_limits_test_small_body() {
    let (server, addr) = body_limits_server();
    assert_eq!(
        put_code(addr, put("/buffered", &[b'a'; 4096])).await,
        (200, "4096".into())
    );
    assert_eq!(
        put_code(addr, chunked_put("/streaming", &[b'a'; 4096])).await,
        (200, "4096".into())
    );
    server.stop().await;
}

#[tokio::test]
async fn body_limits_test_large_body_buffered() {
    let expected = ExpectLog::new(GEN_LOG, "Malformed HTTP request").unwrap();
    let (server, addr) = body_limits_server();
    assert_eq!(
        put_code(addr, put("/buffered", &[b'a'; 10240])).await.0,
        413
    );
    server.stop().await;
    expected.finish().unwrap();
}

#[tokio::test]
async fn body_limits_test_large_body_buffered_chunked() {
    let (server, addr) = body_limits_server();
    assert_eq!(
        put_code(addr, chunked_put("/buffered", &[b'a'; 10240]))
            .await
            .0,
        413
    );
    server.stop().await;
}

#[tokio::test]
async fn body_limits_test_large_body_streaming() {
    let (server, addr) = body_limits_server();
    assert_eq!(
        put_code(addr, put("/streaming", &[b'a'; 10240])).await.0,
        413
    );
    server.stop().await;
}

#[tokio::test]
async fn body_limits_test_large_body_streaming_chunked() {
    let (server, addr) = body_limits_server();
    assert_eq!(
        put_code(addr, chunked_put("/streaming", &[b'a'; 10240]))
            .await
            .0,
        413
    );
    server.stop().await;
}

#[tokio::test]
async fn body_limits_test_large_body_streaming_override() {
    let (server, addr) = body_limits_server();
    let data = put("/streaming?expected_size=10240", &[b'a'; 10240]);
    assert_eq!(put_code(addr, data).await, (200, "10240".into()));
    server.stop().await;
}

#[tokio::test]
async fn body_limits_test_large_body_streaming_chunked_override() {
    let (server, addr) = body_limits_server();
    let data = chunked_put("/streaming?expected_size=10240", &[b'a'; 10240]);
    assert_eq!(put_code(addr, data).await, (200, "10240".into()));
    server.stop().await;
}

#[tokio::test(start_paused = true)]
async fn body_limits_test_timeout() {
    let expected = ExpectLog::new(GEN_LOG, "Timeout reading body").unwrap();
    let (server, addr) = body_limits_server();
    let mut client = RawClient::connect(addr).await;
    client
        .send(&b"PUT /streaming?body_timeout=0.1 HTTP/1.0\r\nContent-Length: 42\r\n\r\n"[..])
        .await;
    client
        .assert_closed_after(Duration::from_millis(100), Duration::from_secs(1))
        .await;
    server.stop().await;
    expected.finish().unwrap();
}

#[tokio::test]
async fn body_limits_test_body_size_override_reset() {
    let (server, addr) = body_limits_server();
    let mut client = RawClient::connect(addr).await;
    client
        .send(put("/streaming?expected_size=10240", &[b'a'; 10240]))
        .await;
    assert_eq!(client.read_response(&Method::PUT).await.body, "10240");
    // The next request on the connection has the default limit again.
    client.send_quietly(put("/streaming", &[b'a'; 10240]));
    let response = client.read_response(&Method::PUT).await;
    assert_eq!(response.code, 413);
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop().await;
}

// ---- Beyond Tornado: shutting down

/// A server answering `done`; to `/slow` only once `release` is notified.
fn slow_server(release: &Arc<tokio::sync::Notify>) -> HttpTestServer {
    let held = Arc::clone(release);
    serve(
        HttpServerSettings::default(),
        move |request: HttpServerRequest, mut writer: ResponseWriter| {
            let held = Arc::clone(&held);
            async move {
                if request.path() == "/slow" {
                    held.notified().await;
                }
                let _ = writer.respond(200, HttpHeaders::new(), "done").await;
            }
        },
    )
}

/// Two connections to `server`: an idle one, its exchange done (kept
/// alive), and a busy one waiting for the answer to `/slow`.
async fn idle_and_busy(server: &HttpTestServer) -> (RawClient, RawClient) {
    let addr = addr_of(server);
    let mut idle = RawClient::connect(addr).await;
    idle.send(get("/", &[])).await;
    assert!(!idle.get_response().await.connection_has("close"));
    let busy = RawClient::connect(addr).await;
    busy.send(get("/slow", &[])).await;
    while server.http_server().connection_count() < 2 {
        tokio::task::yield_now().await;
    }
    (idle, busy)
}

#[tokio::test]
async fn close_all_connections_ends_idle_and_busy_connections() {
    let release = Arc::new(tokio::sync::Notify::new());
    let server = slow_server(&release);
    let (mut idle, mut busy) = idle_and_busy(&server).await;
    let http = server.http_server();
    http.stop();
    tokio::time::timeout(Duration::from_secs(5), http.close_all_connections())
        .await
        .unwrap();
    assert_eq!(http.connection_count(), 0);
    assert!(idle.closed_within(Duration::from_secs(5)).await);
    assert!(busy.try_read_response(&Method::GET).await.is_none());
}

#[tokio::test]
async fn drain_finishes_requests_in_flight_with_connection_close() {
    let release = Arc::new(tokio::sync::Notify::new());
    let server = slow_server(&release);
    let addr = addr_of(&server);
    let (mut idle, mut busy) = idle_and_busy(&server).await;
    let drain = tokio::spawn({
        let http = server.http_server().clone();
        async move { http.drain(Duration::from_secs(10)).await }
    });
    // The idle connection closes at once; the busy one waits for its
    // response, which says the connection closes.
    assert!(idle.closed_within(Duration::from_secs(5)).await);
    tokio::task::yield_now().await;
    release.notify_one();
    let response = busy.get_response().await;
    assert_eq!(response.body, "done");
    assert!(response.connection_has("close"));
    assert!(busy.closed_within(Duration::from_secs(5)).await);
    tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(server.http_server().connection_count(), 0);
    // No longer accepting.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// A server answering every request with `len` bytes, after waiting
/// `wait` first when it is not zero, without waiting for the response to
/// be sent.
fn large_response_server(len: usize, wait: Duration) -> HttpTestServer {
    serve(
        HttpServerSettings::default(),
        move |_request: HttpServerRequest, mut writer: ResponseWriter| async move {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            drop(writer.respond(200, HttpHeaders::new(), vec![b'x'; len]));
        },
    )
}

#[tokio::test]
async fn drain_lets_a_response_written_at_once_finish() {
    const BODY: usize = 8 * 1024 * 1024;
    // Answered at once (written as it is made, nothing gathered with it)
    // and after a wait: either way the connection is idle, and ended by
    // a drain, only once the response is out.
    for wait in [Duration::ZERO, Duration::from_millis(20)] {
        let server = large_response_server(BODY, wait);
        let mut client = RawClient::connect(addr_of(&server)).await;
        client.send(get("/", &[])).await;
        // The client does not read yet: the response is stuck in the
        // socket buffers.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let drain = tokio::spawn({
            let http = server.http_server().clone();
            async move { http.drain(Duration::from_secs(30)).await }
        });
        let response = tokio::time::timeout(Duration::from_secs(30), client.get_response())
            .await
            .expect("the response arrives");
        assert_eq!(response.body.len(), BODY, "after waiting {wait:?}");
        assert!(client.closed_within(Duration::from_secs(5)).await);
        drain.await.unwrap();
    }
}

#[tokio::test]
async fn a_response_after_a_wait_is_dated_when_it_is_written() {
    // The `Date` of a response made as the request arrives is the arrival
    // time; one made after a wait is the time it is written: whether the
    // handler waited, or returned and left its writer to a task that
    // answers later (the connection waits for that response).
    let server = serve(
        HttpServerSettings::default(),
        |request: HttpServerRequest, mut writer: ResponseWriter| async move {
            let late = Duration::from_millis(2500);
            match request.path() {
                "/late" => {
                    tokio::time::sleep(late).await;
                    let _ = writer.respond(200, HttpHeaders::new(), "").await;
                }
                "/later-by-a-task" => {
                    tokio::spawn(async move {
                        tokio::time::sleep(late).await;
                        let _ = writer.respond(200, HttpHeaders::new(), "").await;
                    });
                }
                _ => {
                    let _ = writer.respond(200, HttpHeaders::new(), "").await;
                }
            }
        },
    );
    for path in ["/late", "/later-by-a-task"] {
        let mut client = RawClient::connect(addr_of(&server)).await;
        // A response at once first: the server's `Date` of this second is
        // made, and the late request arrives in the same second (mostly).
        let sent = std::time::SystemTime::now();
        client.send(get("/", &[])).await;
        client.get_response().await;
        client.send(get(path, &[])).await;
        let response = client.get_response().await;
        let date = response.header("Date").expect("a Date").to_owned();
        // At least two whole seconds after the second the request was sent in.
        let written: Vec<String> = (2..=8)
            .map(|seconds| format_timestamp(sent + Duration::from_secs(seconds)))
            .collect();
        assert!(
            written.contains(&date),
            "{path}: {date} is not in {written:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn drain_closes_what_is_still_open_at_the_deadline() {
    let server = serve(
        HttpServerSettings::default(),
        |_request: HttpServerRequest, writer: ResponseWriter| async move {
            let _held = writer;
            std::future::pending::<()>().await
        },
    );
    let http = server.http_server();
    let mut busy = RawClient::connect(addr_of(&server)).await;
    busy.send(get("/", &[])).await;
    while http.connection_count() < 1 {
        tokio::task::yield_now().await;
    }
    let start = tokio::time::Instant::now();
    http.drain(Duration::from_secs(3)).await;
    assert!(start.elapsed() >= Duration::from_secs(3));
    assert_eq!(http.connection_count(), 0);
    let response = busy.try_read_response(&Method::GET).await;
    assert!(response.is_none(), "{response:?}");
}

#[tokio::test]
async fn no_keep_alive_closes_after_each_response() {
    let settings = HttpServerSettings {
        no_keep_alive: true,
        ..HttpServerSettings::default()
    };
    let server = serve(settings, hello);
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/", &[])).await;
    let response = client.get_response().await;
    assert!(response.connection_has("close"));
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop().await;
}

#[tokio::test]
async fn callback_without_response_is_answered_500_and_logged() {
    let logs = LogCapture::start();
    let server = serve(
        HttpServerSettings::default(),
        |_request: HttpServerRequest, _writer: ResponseWriter| async {},
    );
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.code, 500);
    // The connection stays usable.
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.code, 500);
    server.stop().await;
    assert_eq!(logs.app_errors().len(), 2, "{:?}", logs.app_errors());
    assert!(
        logs.records()
            .iter()
            .all(|r| !r.is_on(APP_LOG) || r.level == Level::ERROR)
    );
}

#[test]
fn http_server_settings_default_is_tornados() {
    let settings = HttpServerSettings::default();
    assert!(!settings.no_keep_alive);
    assert!(!settings.xheaders);
    assert!(settings.trusted_downstream.is_empty());
    assert_eq!(settings.protocol, None);
    assert!(!settings.decompress_request);
    assert_eq!(settings.chunk_size, 65536);
    assert_eq!(settings.max_header_size, 65536);
    assert_eq!(settings.max_body_size, 100 * 1024 * 1024);
    assert_eq!(settings.max_buffer_size, 100 * 1024 * 1024);
    assert_eq!(settings.idle_connection_timeout, Duration::from_secs(3600));
    assert_eq!(settings.body_timeout, None);
    assert!(settings.tls.is_none());
}

/// Fetches `/` from `addr` with a raw client.
async fn hello_at(addr: SocketAddr) -> Bytes {
    raw_fetch(addr, get("/", &[])).await.body
}

#[tokio::test]
async fn http_server_bind_and_start_serve_requests() {
    let server = HttpServer::from_callback(hello, HttpServerSettings::default());
    let addrs = server
        .bind(0, Some("127.0.0.1"), AddressFamily::Inet, None, false)
        .unwrap();
    assert_eq!(server.start(Some(1)).unwrap(), None);
    assert_eq!(hello_at(addrs[0]).await, "Hello world");
    server.stop();
}

#[tokio::test]
async fn http_server_add_sockets_serves_requests() {
    let listeners = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, false).unwrap();
    let addr = listeners[0].local_addr().unwrap();
    let server = HttpServer::from_callback(hello, HttpServerSettings::default());
    server.add_sockets(listeners).unwrap();
    assert_eq!(hello_at(addr).await, "Hello world");
    server.stop();
}

/// The request callback's path begins a request without taking the
/// connection's lock: a writer that answers only after the callback
/// returned (from a task of its own) still answers its own request, in
/// order, and the request after it is answered too.
#[tokio::test]
async fn a_writer_answering_after_the_callback_returned_answers_its_own_request() {
    let server = serve(
        HttpServerSettings::default(),
        |request: HttpServerRequest, mut writer: ResponseWriter| async move {
            let path = request.path().to_owned();
            if path == "/later" {
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    let _ = writer.respond(200, HttpHeaders::new(), path).await;
                });
            } else {
                let _ = writer.respond(200, HttpHeaders::new(), path).await;
            }
        },
    );
    let mut client = RawClient::connect(addr_of(&server)).await;
    let mut pipelined = get("/later", &[]);
    pipelined.extend_from_slice(&get("/now", &[]));
    client.send(pipelined).await;
    assert_eq!(client.get_response().await.body, "/later");
    assert_eq!(client.get_response().await.body, "/now");
    client.send(get("/later", &[])).await;
    assert_eq!(client.get_response().await.body, "/later");
}

#[tokio::test]
async fn respond_writes_when_called_and_its_future_only_reports() {
    // The future `respond` returns is dropped unpolled: the response went
    // out with the call. A second `respond` fails at once, without being
    // awaited, as the response is finished.
    let server = serve(
        HttpServerSettings::default(),
        |_request: HttpServerRequest, mut writer: ResponseWriter| async move {
            drop(writer.respond(200, HttpHeaders::new(), "sent"));
            let again = writer.respond(200, HttpHeaders::new(), "twice").await;
            assert!(
                matches!(again, Err(HttpOutputError::Misuse(_))),
                "{again:?}"
            );
            let interim = writer.respond(101, HttpHeaders::new(), "").await;
            assert!(matches!(interim, Err(HttpOutputError::Misuse(_))));
        },
    );
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/", &[])).await;
    let response = client.get_response().await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, "sent");
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.body, "sent");
}

#[tokio::test]
async fn a_head_request_to_a_callback_keeps_content_length_and_gets_no_body() {
    let server = serve(
        HttpServerSettings::default(),
        |request: HttpServerRequest, mut writer: ResponseWriter| async move {
            if request.path() != "/silent" {
                let _ = writer.respond(200, HttpHeaders::new(), "hello").await;
            }
        },
    );
    let mut client = RawClient::connect(addr_of(&server)).await;
    client
        .send([request("HEAD", "/", &[], b""), get("/", &[])].concat())
        .await;
    let head = client.read_response(&Method::HEAD).await;
    assert_eq!((head.code, head.header("Content-Length")), (200, Some("5")));
    assert!(head.body.is_empty());
    // The GET after it gets the whole body: nothing of the HEAD's went out.
    assert_eq!(client.get_response().await.body, "hello");
    // Unanswered, a HEAD gets the 500 without its page.
    let unanswered = ExpectLog::new(APP_LOG, "Request from .* ended without a response").unwrap();
    client.send(request("HEAD", "/silent", &[], b"")).await;
    let silent = client.read_response(&Method::HEAD).await;
    assert_eq!(silent.code, 500);
    assert!(silent.body.is_empty());
    unanswered.finish().unwrap();
}

#[tokio::test]
async fn a_bodyless_gzip_request_to_a_callback_has_its_encoding_renamed() {
    let settings = HttpServerSettings {
        decompress_request: true,
        ..HttpServerSettings::default()
    };
    let server = serve(
        settings,
        |request: HttpServerRequest, mut writer: ResponseWriter| async move {
            let seen = format!(
                "{:?} {:?}",
                request.headers.get("Content-Encoding"),
                request.headers.get("X-Consumed-Content-Encoding")
            );
            let _ = writer.respond(200, HttpHeaders::new(), seen).await;
        },
    );
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/", &["Content-Encoding: gzip"])).await;
    assert_eq!(client.get_response().await.body, "None Some(\"gzip\")");
}

/// The application log line of a request callback's panic.
fn expect_callback_panic() -> ExpectLog {
    ExpectLog::new(APP_LOG, ".*callback failed")
        .unwrap()
        .level(Level::ERROR)
}

/// Requests `path` and expects `500` with `Connection: close`, then the
/// connection's end.
async fn expect_500_then_close(server: &HttpTestServer, path: &str) {
    let mut client = RawClient::connect(addr_of(server)).await;
    client.send(get(path, &[])).await;
    let response = client.get_response().await;
    assert_eq!(response.code, 500);
    assert!(response.connection_has("close"));
    assert!(client.closed_within(Duration::from_secs(5)).await);
}

/// A request callback that panics before its writer wrote anything is
/// answered 500 with `Connection: close` (the writer is dropped as the
/// panic unwinds), and the connection closes.
#[tokio::test]
async fn a_panicking_request_callback_is_answered_500_and_closes() {
    let expected = expect_callback_panic();
    let server = serve(
        HttpServerSettings::default(),
        |request: HttpServerRequest, writer: ResponseWriter| async move {
            let _writer = writer;
            if request.path() == "/panic" {
                panic!("callback failed");
            }
        },
    );
    expect_500_then_close(&server, "/panic").await;
    expected.finish().unwrap();
}

/// A future that panics when polled, holding the request's writer: the
/// writer outlives the panic and answers only when the future is dropped.
struct PanicsHoldingWriter {
    _writer: ResponseWriter,
}

impl Future for PanicsHoldingWriter {
    type Output = ();

    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        panic!("callback failed");
    }
}

/// A request callback whose future panics while holding its writer (not
/// dropped as the panic unwinds) still gets `Connection: close` on the
/// 500 its writer sends later.
#[tokio::test]
async fn a_writer_outliving_its_callbacks_panic_answers_500_and_closes() {
    let expected = expect_callback_panic();
    let server = serve(
        HttpServerSettings::default(),
        |_request: HttpServerRequest, writer: ResponseWriter| PanicsHoldingWriter {
            _writer: writer,
        },
    );
    expect_500_then_close(&server, "/").await;
    expected.finish().unwrap();
}

/// Answers with `respond_with`: a fixed `Server` line, a `Content-Type`
/// and an `ETag` from a hash beside one header.
async fn extra_fields(request: HttpServerRequest, mut writer: ResponseWriter) {
    const SERVER: FixedFields = FixedFields::new("Server: fixed/1\r\n");
    let mut headers = HttpHeaders::new();
    headers.add("X-Given", "yes").unwrap();
    let extra = ExtraFields {
        fixed: SERVER,
        content_type: Some(&http::HeaderValue::from_static("text/x-given")),
        etag: Some(0x00ff_1234_abcd_0001),
    };
    let _ = writer
        .respond_with(200, headers, extra, request.path().to_owned())
        .await;
}

/// Answers with `respond_from` from a buffer it keeps: a body as long as
/// the path's number (`/5`, `/200000`).
async fn copied_body(request: HttpServerRequest, mut writer: ResponseWriter) {
    let len: usize = request.path()[1..].parse().unwrap_or(0);
    let kept: Vec<u8> = (0..len).map(|at| b'a' + (at % 26) as u8).collect();
    let _ = writer
        .respond_from(200, &HttpHeaders::new(), ExtraFields::default(), &kept[..])
        .await;
    assert_eq!(kept.len(), len);
}

/// `respond_from` sends a small borrowed body (copied with the head) and a
/// big one (copied as a piece of its own) whole, on one kept-alive
/// connection, and keeps the `Content-Length` of a `HEAD`.
#[tokio::test]
async fn respond_from_sends_borrowed_bodies_of_any_size_whole() {
    let server = serve(HttpServerSettings::default(), copied_body);
    let mut client = RawClient::connect(addr_of(&server)).await;
    // 1,023 bytes are the most copied with the head, 1,024 a piece of
    // their own.
    for len in [0, 5, 1_023, 1_024, 200_000] {
        client.send(raw_http::get(&format!("/{len}"), &[])).await;
        let response = client.get_response().await;
        let expected: Vec<u8> = (0..len).map(|at| b'a' + (at % 26) as u8).collect();
        assert_eq!(response.body.len(), len);
        assert!(response.body[..] == expected[..], "{len}");
        assert_eq!(response.header("Content-Length"), Some(&*len.to_string()));
    }
    client.send(raw_http::request("HEAD", "/7", &[], b"")).await;
    let head = client.read_response(&Method::HEAD).await;
    assert_eq!(head.header("Content-Length"), Some("7"));
    assert!(head.body.is_empty());
    server.stop().await;
}

/// `respond_with` writes its fixed lines, its `Content-Type` and the
/// hash's `ETag` into the head beside the headers, on each response of a kept-alive connection
/// and on a `HEAD` (whose length stays).
#[tokio::test]
async fn respond_with_writes_extra_fields_beside_the_headers() {
    let server = serve(HttpServerSettings::default(), extra_fields);
    let mut client = RawClient::connect(addr_of(&server)).await;
    for path in ["/a", "/bc"] {
        client.send(raw_http::get(path, &[])).await;
        let response = client.get_response().await;
        assert_eq!(response.header("Server"), Some("fixed/1"));
        assert_eq!(response.header("Etag"), Some("\"00ff1234abcd0001\""));
        assert_eq!(response.header("X-Given"), Some("yes"));
        assert_eq!(response.header("Content-Type"), Some("text/x-given"));
        assert_eq!(response.headers.get_list("Etag").len(), 1);
        assert_eq!(&response.body[..], path.as_bytes());
    }
    client
        .send(raw_http::request("HEAD", "/abc", &[], b""))
        .await;
    let head = client.read_response(&Method::HEAD).await;
    assert_eq!(head.header("Etag"), Some("\"00ff1234abcd0001\""));
    assert_eq!(head.header("Content-Length"), Some("4"));
    assert!(head.body.is_empty());
    server.stop().await;
}
