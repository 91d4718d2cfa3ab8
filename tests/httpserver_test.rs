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
#[path = "support/logs.rs"]
mod logs;
#[path = "support/raw_http.rs"]
mod raw_http;

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use logs::Logs;
use raw_http::{RawClient, get, post, request};
use supercell::http1::ResponseWriter;
use supercell::httpserver::{HttpServer, HttpServerSettings};
use supercell::httputil::{
    HttpConnection, HttpHeaders, HttpMessageDelegate, HttpServerConnectionDelegate,
    HttpServerRequest, RequestStartLine, ResponseStartLine,
};
use supercell::util::log_target::{APP_LOG, GEN_LOG};
use tracing::Level;

/// A server on 127.0.0.1 calling `callback`.
fn serve<F, Fut>(settings: HttpServerSettings, callback: F) -> (HttpServer, SocketAddr)
where
    F: Fn(HttpServerRequest, ResponseWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let server = HttpServer::from_callback(callback, settings);
    let addr = server.listen(0, Some("127.0.0.1")).unwrap()[0];
    (server, addr)
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
        .arguments
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

async fn fetch(addr: SocketAddr, data: Vec<u8>) -> raw_http::Response {
    let mut client = RawClient::connect(addr).await;
    client.send(data).await;
    client.get_response().await
}

async fn fetch_json(addr: SocketAddr, extra: &[&str]) -> serde_json::Value {
    let response = fetch(addr, get("/", extra)).await;
    assert_eq!(response.code, 200);
    serde_json::from_slice(&response.body).unwrap()
}

fn tls_settings() -> HttpServerSettings {
    HttpServerSettings {
        tls: Some(certs::server_options().server_config().unwrap()),
        ..HttpServerSettings::default()
    }
}

// ---- SSLContextTest (the SSL test mixin)

#[tokio::test]
async fn ssl_context_test_ssl() {
    let (server, addr) = serve(tls_settings(), hello);
    let mut client = RawClient::connect_tls(addr, certs::client_config()).await;
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.body, "Hello world");
    server.stop();
}

#[tokio::test]
async fn ssl_context_test_large_post() {
    let (server, addr) = serve(tls_settings(), hello);
    let mut client = RawClient::connect_tls(addr, certs::client_config()).await;
    client.send(post("/", &[b'A'; 5000])).await;
    assert_eq!(client.get_response().await.body, "Got 5000 bytes in POST");
    server.stop();
}

#[tokio::test]
async fn ssl_context_test_non_ssl_request() {
    let (logs, _guard) = Logs::capture();
    let (server, addr) = serve(tls_settings(), hello);
    let mut client = RawClient::connect(addr).await;
    client.send(get("/", &[])).await;
    // No HTTP response to plain HTTP: the connection just ends.
    let received = client.read_until_close().await;
    assert!(!received.starts_with(b"HTTP/"), "{received:?}");
    server.stop();
    let warned = logs
        .records()
        .into_iter()
        .any(|r| r.target == GEN_LOG && r.level == Level::WARN);
    assert!(warned, "no warning about the failed handshake");
}

#[tokio::test]
async fn ssl_context_test_error_logging() {
    // TLS errors are warnings on the general log, never application errors.
    let (logs, _guard) = Logs::capture();
    let (server, addr) = serve(tls_settings(), hello);
    let mut client = RawClient::connect(addr).await;
    client.send(&b"not a TLS client hello\r\n\r\n"[..]).await;
    client.read_until_close().await;
    server.stop();
    assert!(logs.app_errors().is_empty(), "{:?}", logs.app_errors());
    assert!(
        logs.records()
            .iter()
            .any(|r| r.target == GEN_LOG && r.level == Level::WARN)
    );
}

// ---- HTTPConnectionTest

#[tokio::test]
async fn http_connection_test_multipart_form() {
    let (server, addr) = serve(
        HttpServerSettings::default(),
        |request: HttpServerRequest, mut writer: ResponseWriter| async move {
            let file = &request.files["files"][0];
            let body = serde_json::json!({
                "header": request.headers.get_bytes("X-Header-Encoding-Test").map(|b| b.to_vec()),
                "argument": String::from_utf8_lossy(&request.arguments["argument"][0]),
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
    let response = fetch(addr, data).await;
    let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(json["header"], serde_json::json!([0xe9]));
    assert_eq!(json["argument"], "\u{e1}");
    assert_eq!(json["filename"], "\u{f3}");
    assert_eq!(json["filebody"], "\u{fa}");
    server.stop();
}

#[tokio::test]
async fn http_connection_test_newlines() {
    let (server, addr) = serve(HttpServerSettings::default(), hello);
    let response = fetch(
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
    server.stop();
}

#[tokio::test]
async fn http_connection_test_100_continue() {
    let (server, addr) = serve(HttpServerSettings::default(), hello);
    let mut client = RawClient::connect(addr).await;
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
    server.stop();
}

// ---- HTTPServerTest

#[tokio::test]
async fn http_server_test_query_string_encoding() {
    let (server, addr) = serve(HttpServerSettings::default(), echo_arguments);
    let response = fetch(addr, get("/echo?foo=%C3%A9", &[])).await;
    assert_eq!(response.body, r#"{"foo":["é"]}"#);
    server.stop();
}

#[tokio::test]
async fn http_server_test_empty_query_string() {
    let (server, addr) = serve(HttpServerSettings::default(), echo_arguments);
    let response = fetch(addr, get("/echo?foo=&foo=", &[])).await;
    assert_eq!(response.body, r#"{"foo":["",""]}"#);
    server.stop();
}

#[tokio::test]
async fn http_server_test_empty_post_parameters() {
    let (server, addr) = serve(HttpServerSettings::default(), echo_arguments);
    let body = b"foo=&bar=";
    let data = request(
        "POST",
        "/echo",
        &[
            "Content-Type: application/x-www-form-urlencoded",
            &format!("Content-Length: {}", body.len()),
        ],
        body,
    );
    assert_eq!(fetch(addr, data).await.body, r#"{"bar":[""],"foo":[""]}"#);
    server.stop();
}

#[tokio::test]
async fn http_server_test_double_slash() {
    let (server, addr) = serve(
        HttpServerSettings::default(),
        |request: HttpServerRequest, mut writer: ResponseWriter| async move {
            let _ = writer
                .respond(200, HttpHeaders::new(), request.path().to_owned())
                .await;
        },
    );
    let response = fetch(addr, get("//doubleslash", &[])).await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, "//doubleslash");
    server.stop();
}

#[tokio::test]
async fn http_server_test_malformed_body() {
    // A body that is not valid form data is not fatal: the request is
    // still answered (how the bytes are read is `parse_body`'s business).
    let (server, addr) = serve(HttpServerSettings::default(), echo_arguments);
    let data = request(
        "POST",
        "/echo",
        &[
            "Content-Type: application/x-www-form-urlencoded",
            "Content-Length: 1",
        ],
        b"\xe9",
    );
    let response = fetch(addr, data).await;
    assert_eq!(response.code, 200);
    // The callback ran with the request and answered.
    assert!(response.body.starts_with(b"{"), "{:?}", response.body);
    server.stop();
}

// ---- HTTPServerRawTest

#[tokio::test]
async fn http_server_raw_test_empty_request() {
    let (server, addr) = serve(HttpServerSettings::default(), hello);
    let client = RawClient::connect(addr).await;
    client.stream.close();
    drop(client);
    // The server goes on.
    assert_eq!(fetch(addr, get("/", &[])).await.body, "Hello world");
    server.stop();
}

#[tokio::test]
async fn http_server_raw_test_malformed_first_line_response() {
    let (server, addr) = serve(HttpServerSettings::default(), hello);
    let mut client = RawClient::connect(addr).await;
    client.send(&b"asdf\r\n\r\n"[..]).await;
    let response = client.get_response().await;
    assert_eq!(
        (response.code, response.reason.as_str()),
        (400, "Bad Request")
    );
    assert!(response.connection_has("close"));
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop();
}

#[tokio::test]
async fn http_server_raw_test_malformed_first_line_log() {
    let (logs, _guard) = Logs::capture();
    let (server, addr) = serve(HttpServerSettings::default(), hello);
    let mut client = RawClient::connect(addr).await;
    client.send(&b"asdf\r\n\r\n"[..]).await;
    client.read_until_close().await;
    server.stop();
    assert!(logs.records().iter().any(|r| {
        r.target == GEN_LOG
            && r.level == Level::INFO
            && r.message
                .starts_with("Malformed HTTP request from 127.0.0.1")
    }));
}

#[tokio::test]
async fn http_server_raw_test_malformed_headers() {
    let (logs, _guard) = Logs::capture();
    let (server, addr) = serve(HttpServerSettings::default(), hello);
    let mut client = RawClient::connect(addr).await;
    client.send(&b"GET / HTTP/1.0\r\nasdf\r\n\r\n"[..]).await;
    assert_eq!(client.get_response().await.code, 400);
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop();
    assert!(
        logs.records()
            .iter()
            .any(|r| r.message.starts_with("Malformed HTTP request"))
    );
}

async fn chunked_form(transfer_encoding: &str) {
    let (server, addr) = serve(HttpServerSettings::default(), echo_arguments);
    let data = request(
        "POST",
        "/echo",
        &[
            &format!("Transfer-Encoding: {transfer_encoding}"),
            "Content-Type: application/x-www-form-urlencoded",
        ],
        b"4\r\nfoo=\r\n3\r\nbar\r\n0\r\n\r\n",
    );
    let response = fetch(addr, data).await;
    assert_eq!(response.body, r#"{"foo":["bar"]}"#);
    server.stop();
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
    let (logs, _guard) = Logs::capture();
    let (server, addr) = serve(HttpServerSettings::default(), echo_arguments);
    let mut client = RawClient::connect(addr).await;
    client
        .send(request("POST", "/echo", &["Content-Length: foo"], b"bar"))
        .await;
    assert_eq!(client.get_response().await.code, 400);
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop();
    assert!(
        logs.records()
            .iter()
            .any(|r| r.message.starts_with("Malformed HTTP request"))
    );
}

// ---- XHeaderTest, SSLXHeaderTest, ManualProtocolTest

fn xheader_settings() -> HttpServerSettings {
    HttpServerSettings {
        xheaders: true,
        trusted_downstream: vec!["5.5.5.5".into()],
        ..HttpServerSettings::default()
    }
}

#[tokio::test]
async fn x_header_test_ip_headers() {
    let (server, addr) = serve(xheader_settings(), remote);
    let ip = |extra: &'static [&'static str]| async move {
        fetch_json(addr, extra).await["remote_ip"]
            .as_str()
            .unwrap()
            .to_owned()
    };
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
    server.stop();
}

#[tokio::test]
async fn x_header_test_trusted_downstream() {
    let (server, addr) = serve(xheader_settings(), remote);
    let json = fetch_json(addr, &["X-Forwarded-For: 127.0.0.1, 4.4.4.4, 5.5.5.5"]).await;
    assert_eq!(json["remote_ip"], "4.4.4.4");
    server.stop();
}

#[tokio::test]
async fn x_header_test_scheme_headers() {
    let (server, addr) = serve(xheader_settings(), remote);
    let proto = |extra: &'static [&'static str]| async move {
        fetch_json(addr, extra).await["remote_protocol"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(proto(&[]).await, "http");
    assert_eq!(proto(&["X-Scheme: https"]).await, "https");
    assert_eq!(proto(&["X-Forwarded-Proto: https"]).await, "https");
    assert_eq!(proto(&["X-Forwarded-Proto: https , http"]).await, "http");
    assert_eq!(proto(&["X-Forwarded-Proto: http,https"]).await, "https");
    assert_eq!(proto(&["X-Forwarded-Proto: unknown"]).await, "http");
    server.stop();
}

#[tokio::test]
async fn ssl_x_header_test_request_without_xprotocol() {
    let settings = HttpServerSettings {
        xheaders: true,
        ..tls_settings()
    };
    let (server, addr) = serve(settings, remote);
    for (extra, expected) in [
        (None, "https"),
        (Some("X-Scheme: http"), "http"),
        (Some("X-Scheme: unknown"), "https"),
    ] {
        let mut client = RawClient::connect_tls(addr, certs::client_config()).await;
        client.send(get("/", extra.as_slice())).await;
        let json: serde_json::Value =
            serde_json::from_slice(&client.get_response().await.body).unwrap();
        assert_eq!(json["remote_protocol"], expected);
    }
    server.stop();
}

#[tokio::test]
async fn manual_protocol_test_manual_protocol() {
    let settings = HttpServerSettings {
        protocol: Some("https".into()),
        ..HttpServerSettings::default()
    };
    let (server, addr) = serve(settings, remote);
    assert_eq!(fetch_json(addr, &[]).await["remote_protocol"], "https");
    server.stop();
}

// ---- UnixSocketTest

fn unix_socket_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("httpserver-{name}-{}.sock", std::process::id()))
}

#[tokio::test]
async fn unix_socket_test_unix_socket() {
    let path = unix_socket_path("unix");
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
    stream
        .write(&b"GET /hello HTTP/1.0\r\n\r\n"[..])
        .await
        .unwrap();
    let response = stream.read_until_close().await.unwrap();
    assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"), "{response:?}");
    assert!(response.ends_with(b"\r\n\r\nHello world"), "{response:?}");
    server.stop();
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn unix_socket_test_unix_socket_bad_request() {
    let (logs, _guard) = Logs::capture();
    let path = unix_socket_path("bad");
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
    stream.write(&b"garbage\r\n\r\n"[..]).await.unwrap();
    let response = stream.read_until_close().await.unwrap();
    assert!(
        response.starts_with(b"HTTP/1.1 400 Bad Request\r\n"),
        "{response:?}"
    );
    server.stop();
    std::fs::remove_file(&path).unwrap();
    assert!(
        logs.records()
            .iter()
            .any(|r| r.message.starts_with("Malformed HTTP request from unix"))
    );
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
        self.path = start_line.path;
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

fn keep_alive_server() -> (HttpServer, SocketAddr) {
    let server = HttpServer::new(KeepAliveApp, HttpServerSettings::default());
    let addr = server.listen(0, Some("127.0.0.1")).unwrap()[0];
    (server, addr)
}

#[tokio::test]
async fn keep_alive_test_two_requests() {
    let (server, addr) = keep_alive_server();
    let mut client = RawClient::connect(addr).await;
    for _ in 0..2 {
        client.send(get("/", &[])).await;
        assert_eq!(client.get_response().await.body, "Hello world");
    }
    server.stop();
}

#[tokio::test]
async fn keep_alive_test_request_close() {
    let (server, addr) = keep_alive_server();
    let mut client = RawClient::connect(addr).await;
    client.send(get("/", &["Connection: close"])).await;
    let response = client.get_response().await;
    assert_eq!(response.body, "Hello world");
    assert_eq!(response.header("Connection"), Some("close"));
    assert!(client.read_until_close().await.is_empty());
    server.stop();
}

#[tokio::test]
async fn keep_alive_test_http10() {
    let (server, addr) = keep_alive_server();
    let mut client = RawClient::connect(addr).await;
    client.send(&b"GET / HTTP/1.0\r\n\r\n"[..]).await;
    let response = client.get_response().await;
    assert_eq!(response.body, "Hello world");
    assert_eq!(response.header("Connection"), None);
    assert!(client.read_until_close().await.is_empty());
    server.stop();
}

async fn http10_keep_alive(first: &[u8]) {
    let (server, addr) = keep_alive_server();
    let mut client = RawClient::connect(addr).await;
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
    server.stop();
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
    let (server, addr) = keep_alive_server();
    let mut client = RawClient::connect(addr).await;
    client.send([get("/", &[]), get("/", &[])].concat()).await;
    assert_eq!(client.get_response().await.body, "Hello world");
    assert_eq!(client.get_response().await.body, "Hello world");
    server.stop();
}

#[tokio::test]
async fn keep_alive_test_pipelined_cancel() {
    let (logs, _guard) = Logs::capture();
    let (server, addr) = keep_alive_server();
    let mut client = RawClient::connect(addr).await;
    client.send([get("/", &[]), get("/", &[])].concat()).await;
    assert_eq!(client.get_response().await.body, "Hello world");
    drop(client);
    // The server goes on, quietly.
    assert_eq!(fetch(addr, get("/", &[])).await.body, "Hello world");
    server.stop();
    assert!(logs.app_errors().is_empty(), "{:?}", logs.app_errors());
}

#[tokio::test]
async fn keep_alive_test_cancel_during_download() {
    let (logs, _guard) = Logs::capture();
    let (server, addr) = keep_alive_server();
    let client = RawClient::connect(addr).await;
    client.send(get("/large", &[])).await;
    client.stream.read_until(b"\r\n\r\n", None).await.unwrap();
    client.stream.read_bytes(1024, false).await.unwrap();
    client.stream.close();
    assert_eq!(fetch(addr, get("/", &[])).await.body, "Hello world");
    server.stop();
    assert!(logs.app_errors().is_empty(), "{:?}", logs.app_errors());
}

#[tokio::test]
async fn keep_alive_test_finish_while_closed() {
    let (logs, _guard) = Logs::capture();
    let (server, addr) = keep_alive_server();
    let client = RawClient::connect(addr).await;
    client.send(get("/finish_on_close", &[])).await;
    let head = client.stream.read_until(b"\r\n\r\n", None).await.unwrap();
    assert!(head.starts_with(b"HTTP/1.1 200 OK\r\n"));
    client.stream.close();
    // The connection ends (the registry empties) and nothing is logged.
    tokio::time::timeout(Duration::from_secs(5), async {
        while server.connection_count() > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    server.stop();
    assert!(logs.app_errors().is_empty(), "{:?}", logs.app_errors());
}

#[tokio::test]
async fn keep_alive_test_keepalive_chunked() {
    let (server, addr) = keep_alive_server();
    let mut client = RawClient::connect(addr).await;
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
    server.stop();
}

// ---- GzipTest, GzipUnsupportedTest

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn form_post(body: &[u8], extra: &[&str]) -> Vec<u8> {
    let mut headers = vec![
        "Content-Type: application/x-www-form-urlencoded".to_owned(),
        format!("Content-Length: {}", body.len()),
    ];
    headers.extend(extra.iter().map(|h| h.to_string()));
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    request("POST", "/", &headers, body)
}

fn decompressing() -> HttpServerSettings {
    HttpServerSettings {
        decompress_request: true,
        ..HttpServerSettings::default()
    }
}

#[tokio::test]
async fn gzip_test_uncompressed() {
    let (server, addr) = serve(decompressing(), echo_arguments);
    let response = fetch(addr, form_post(b"foo=bar", &[])).await;
    assert_eq!(response.body, r#"{"foo":["bar"]}"#);
    server.stop();
}

#[tokio::test]
async fn gzip_test_gzip() {
    let (server, addr) = serve(decompressing(), echo_arguments);
    let data = form_post(&gzip(b"foo=bar"), &["Content-Encoding: gzip"]);
    assert_eq!(fetch(addr, data).await.body, r#"{"foo":["bar"]}"#);
    server.stop();
}

#[tokio::test]
async fn gzip_unsupported_test_uncompressed() {
    let (server, addr) = serve(HttpServerSettings::default(), echo_arguments);
    let response = fetch(addr, form_post(b"foo=bar", &[])).await;
    assert_eq!(response.body, r#"{"foo":["bar"]}"#);
    server.stop();
}

#[tokio::test]
async fn gzip_unsupported_test_gzip_unsupported() {
    let (logs, _guard) = Logs::capture();
    let (server, addr) = serve(HttpServerSettings::default(), echo_arguments);
    let data = form_post(&gzip(b"foo=bar"), &["Content-Encoding: gzip"]);
    assert_eq!(fetch(addr, data).await.body, "{}");
    server.stop();
    assert!(
        logs.records()
            .iter()
            .any(|r| r.target == GEN_LOG && r.message.contains("Unsupported Content-Encoding")),
        "{:?}",
        logs.records()
    );
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
    let server = HttpServer::new(ChunkLengths, settings);
    let addr = server.listen(0, Some("127.0.0.1")).unwrap()[0];
    let mut client = RawClient::connect(addr).await;
    client.send(data).await;
    let response = client.read_response(&Method::POST).await;
    server.stop();
    let chunks: Vec<usize> = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(chunks.iter().sum::<usize>(), STREAMING_BODY.len());
    assert!(
        chunks.iter().all(|&c| c > 0 && c <= STREAMING_CHUNK_SIZE),
        "{chunks:?}"
    );
    chunks
}

fn chunked_post(pieces: &[&[u8]], extra: &[&str]) -> Vec<u8> {
    let mut body = Vec::new();
    for piece in pieces {
        body.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        body.extend_from_slice(piece);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let mut headers = vec!["Transfer-Encoding: chunked"];
    headers.extend_from_slice(extra);
    request("POST", "/", &headers, &body)
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
    let (server, addr) = serve(small_headers(), hello);
    let filler = format!("X-Filler: {}", "a".repeat(100));
    assert_eq!(fetch(addr, get("/", &[&filler])).await.body, "Hello world");
    server.stop();
}

#[tokio::test]
async fn max_header_size_test_large_headers() {
    let (server, addr) = serve(small_headers(), hello);
    let filler = format!("X-Filler: {}", "a".repeat(1000));
    let mut client = RawClient::connect(addr).await;
    client.send(get("/", &[&filler])).await;
    assert_eq!(client.get_response().await.code, 431);
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop();
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
    let (server, addr) = serve(idle_settings(), hello);
    let mut client = RawClient::connect(addr).await;
    let start = tokio::time::Instant::now();
    assert!(client.read_until_close().await.is_empty());
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(100), "{waited:?}");
    assert!(waited < Duration::from_secs(1), "{waited:?}");
    server.stop();
}

#[tokio::test(start_paused = true)]
async fn idle_timeout_test_idle_after_use() {
    let (server, addr) = serve(idle_settings(), hello);
    let mut client = RawClient::connect(addr).await;
    for _ in 0..2 {
        client.send(get("/", &[])).await;
        assert_eq!(client.get_response().await.body, "Hello world");
    }
    let start = tokio::time::Instant::now();
    assert!(client.read_until_close().await.is_empty());
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(100), "{waited:?}");
    assert!(waited < Duration::from_secs(1), "{waited:?}");
    server.stop();
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

fn body_limits_server() -> (HttpServer, SocketAddr) {
    let settings = HttpServerSettings {
        body_timeout: Some(Duration::from_secs(3600)),
        max_body_size: 4096,
        ..HttpServerSettings::default()
    };
    let server = HttpServer::new(BodyCounter, settings);
    let addr = server.listen(0, Some("127.0.0.1")).unwrap()[0];
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
    server.stop();
}

#[tokio::test]
async fn body_limits_test_large_body_buffered() {
    let (logs, _guard) = Logs::capture();
    let (server, addr) = body_limits_server();
    assert_eq!(
        put_code(addr, put("/buffered", &[b'a'; 10240])).await.0,
        413
    );
    server.stop();
    assert!(
        logs.records()
            .iter()
            .any(|r| r.target == GEN_LOG && r.message.starts_with("Malformed HTTP request"))
    );
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
    server.stop();
}

#[tokio::test]
async fn body_limits_test_large_body_streaming() {
    let (server, addr) = body_limits_server();
    assert_eq!(
        put_code(addr, put("/streaming", &[b'a'; 10240])).await.0,
        413
    );
    server.stop();
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
    server.stop();
}

#[tokio::test]
async fn body_limits_test_large_body_streaming_override() {
    let (server, addr) = body_limits_server();
    let data = put("/streaming?expected_size=10240", &[b'a'; 10240]);
    assert_eq!(put_code(addr, data).await, (200, "10240".into()));
    server.stop();
}

#[tokio::test]
async fn body_limits_test_large_body_streaming_chunked_override() {
    let (server, addr) = body_limits_server();
    let data = chunked_put("/streaming?expected_size=10240", &[b'a'; 10240]);
    assert_eq!(put_code(addr, data).await, (200, "10240".into()));
    server.stop();
}

#[tokio::test(start_paused = true)]
async fn body_limits_test_timeout() {
    let (logs, _guard) = Logs::capture();
    let (server, addr) = body_limits_server();
    let mut client = RawClient::connect(addr).await;
    client
        .send(&b"PUT /streaming?body_timeout=0.1 HTTP/1.0\r\nContent-Length: 42\r\n\r\n"[..])
        .await;
    let start = tokio::time::Instant::now();
    assert!(client.read_until_close().await.is_empty());
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(100) && waited < Duration::from_secs(1),
        "{waited:?}"
    );
    server.stop();
    assert!(
        logs.records()
            .iter()
            .any(|r| r.target == GEN_LOG && r.message.starts_with("Timeout reading body"))
    );
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
    server.stop();
}

// ---- Beyond Tornado: shutting down

#[tokio::test]
async fn close_all_connections_ends_idle_and_busy_connections() {
    let release = Arc::new(tokio::sync::Notify::new());
    let held = Arc::clone(&release);
    let (server, addr) = serve(
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
    );
    let mut idle = RawClient::connect(addr).await;
    idle.send(get("/", &[])).await;
    idle.get_response().await;
    let mut busy = RawClient::connect(addr).await;
    busy.send(get("/slow", &[])).await;
    while server.connection_count() < 2 {
        tokio::task::yield_now().await;
    }
    server.stop();
    tokio::time::timeout(Duration::from_secs(5), server.close_all_connections())
        .await
        .unwrap();
    assert_eq!(server.connection_count(), 0);
    assert!(idle.closed_within(Duration::from_secs(5)).await);
    assert!(busy.try_read_response(&Method::GET).await.is_none());
}

#[tokio::test]
async fn drain_finishes_requests_in_flight_with_connection_close() {
    let release = Arc::new(tokio::sync::Notify::new());
    let held = Arc::clone(&release);
    let (server, addr) = serve(
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
    );
    let mut idle = RawClient::connect(addr).await;
    idle.send(get("/", &[])).await;
    assert!(!idle.get_response().await.connection_has("close"));
    let mut busy = RawClient::connect(addr).await;
    busy.send(get("/slow", &[])).await;
    while server.connection_count() < 2 {
        tokio::task::yield_now().await;
    }
    let drain = tokio::spawn({
        let server = server.clone();
        async move { server.drain(Duration::from_secs(10)).await }
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
    assert_eq!(server.connection_count(), 0);
    // No longer accepting.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn drain_closes_what_is_still_open_at_the_deadline() {
    let (server, addr) = serve(
        HttpServerSettings::default(),
        |_request: HttpServerRequest, writer: ResponseWriter| async move {
            let _held = writer;
            std::future::pending::<()>().await
        },
    );
    let mut busy = RawClient::connect(addr).await;
    busy.send(get("/", &[])).await;
    while server.connection_count() < 1 {
        tokio::task::yield_now().await;
    }
    let start = tokio::time::Instant::now();
    server.drain(Duration::from_secs(3)).await;
    assert!(start.elapsed() >= Duration::from_secs(3));
    assert_eq!(server.connection_count(), 0);
    let response = busy.try_read_response(&Method::GET).await;
    assert!(response.is_none(), "{response:?}");
}

#[tokio::test]
async fn no_keep_alive_closes_after_each_response() {
    let settings = HttpServerSettings {
        no_keep_alive: true,
        ..HttpServerSettings::default()
    };
    let (server, addr) = serve(settings, hello);
    let mut client = RawClient::connect(addr).await;
    client.send(get("/", &[])).await;
    let response = client.get_response().await;
    assert!(response.connection_has("close"));
    assert!(client.closed_within(Duration::from_secs(5)).await);
    server.stop();
}

#[tokio::test]
async fn callback_without_response_is_answered_500_and_logged() {
    let (logs, _guard) = Logs::capture();
    let (server, addr) = serve(
        HttpServerSettings::default(),
        |_request: HttpServerRequest, _writer: ResponseWriter| async {},
    );
    let mut client = RawClient::connect(addr).await;
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.code, 500);
    // The connection stays usable.
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.code, 500);
    server.stop();
    assert_eq!(logs.app_errors().len(), 2, "{:?}", logs.app_errors());
    assert!(
        logs.records()
            .iter()
            .all(|r| r.target != APP_LOG || r.level == Level::ERROR)
    );
}
