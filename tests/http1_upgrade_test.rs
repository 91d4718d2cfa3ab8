//! Switching protocols over real sockets on 127.0.0.1: a request answered
//! `101 Switching Protocols` hands its connection over
//! (`ResponseWriter::upgrade`), with what the client sent after it.

#[path = "support/raw_http.rs"]
mod raw_http;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use raw_http::{RawClient, get, request};
use supercell::http1::{ResponseWriter, Upgrade};
use supercell::httputil::{
    HttpHeaders, HttpMessageDelegate, HttpOutputError, HttpServerConnectionDelegate,
    HttpServerRequest, RequestStartLine,
};
use supercell::testing::HttpTestServer;
use tokio::sync::mpsc;

/// The headers of a switch to the `echo` protocol.
fn echo_switch() -> HttpHeaders {
    let mut headers = HttpHeaders::new();
    headers.add("Upgrade", "echo").unwrap();
    headers.add("Connection", "Upgrade").unwrap();
    headers
}

/// Runs the `echo` protocol once `upgrade` hands the connection over:
/// what was read ahead, then everything that arrives, is sent back.
fn echo_after(upgrade: Upgrade) {
    tokio::spawn(async move {
        let upgraded = upgrade.await.expect("the connection is handed over");
        let stream = upgraded.stream;
        if !upgraded.read_ahead.is_empty() {
            stream.write(upgraded.read_ahead.freeze()).await.unwrap();
        }
        while let Ok(data) = stream.read_bytes(1024, true).await {
            if stream.write(data).await.is_err() {
                break;
            }
        }
    });
}

/// Switches to `echo` when asked to, else answers `plain`.
async fn switching(request: HttpServerRequest, mut writer: ResponseWriter) {
    if request.headers.get("Upgrade") == Some("echo") {
        echo_after(writer.upgrade(&echo_switch()));
    } else {
        let _ = writer.respond(200, HttpHeaders::new(), "plain").await;
    }
}

fn addr_of(server: &HttpTestServer) -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], server.http_port()))
}

/// Reads from `client` until `expected` arrived after the response head.
async fn read_echo(client: &mut RawClient, expected: &[u8]) {
    let mut got = client.buffered().to_vec();
    while got.len() < expected.len() {
        let data =
            tokio::time::timeout(Duration::from_secs(5), client.stream.read_bytes(1024, true))
                .await
                .expect("echoed in time")
                .expect("the connection stays open");
        got.extend_from_slice(&data);
    }
    assert_eq!(got, expected);
}

#[tokio::test]
async fn an_upgraded_connection_carries_the_new_protocol() {
    let server = HttpTestServer::from_callback(switching).unwrap();
    let mut client = RawClient::connect(addr_of(&server)).await;
    // A request before the switch is answered as HTTP.
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.body, "plain");
    // What follows the upgrading request in the same write is the new
    // protocol's, even when it looks like HTTP.
    let early = get("/not-http-any-more", &[]);
    let mut sent = get("/", &["Upgrade: echo", "Connection: Upgrade"]);
    sent.extend_from_slice(&early);
    client.send(sent).await;
    let switched = client.get_response().await;
    assert_eq!(switched.code, 101);
    assert_eq!(switched.reason, "Switching Protocols");
    assert_eq!(switched.header("Upgrade"), Some("echo"));
    assert_eq!(switched.header("Connection"), Some("Upgrade"));
    assert!(switched.header("Date").is_some());
    assert_eq!(switched.header("Content-Length"), None);
    assert_eq!(switched.header("Transfer-Encoding"), None);
    read_echo(&mut client, &early).await;
    client.send(&b"and after"[..]).await;
    let data = client.stream.read_bytes(9, false).await.unwrap();
    assert_eq!(&data[..], b"and after");
}

#[tokio::test]
async fn an_upgrade_waits_for_its_request_call_to_return() {
    let (report, mut reports) = mpsc::unbounded_channel();
    let server = HttpTestServer::from_callback(move |_, mut writer: ResponseWriter| {
        let report = report.clone();
        async move {
            let upgrade = writer.upgrade(&echo_switch());
            let handed = Arc::new(Mutex::new(false));
            let seen = Arc::clone(&handed);
            tokio::spawn(async move {
                let upgraded = upgrade.await;
                *seen.lock().unwrap() = true;
                echo_after_upgraded(upgraded);
            });
            // The call goes on after the `101`: nothing is handed over
            // until it returns.
            tokio::time::sleep(Duration::from_millis(50)).await;
            report.send(*handed.lock().unwrap()).unwrap();
        }
    })
    .unwrap();
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/", &["Upgrade: echo"])).await;
    assert_eq!(client.get_response().await.code, 101);
    assert!(!reports.recv().await.unwrap());
    client.send(&b"ping"[..]).await;
    read_echo(&mut client, b"ping").await;
}

/// Echoes over `upgraded` (as `echo_after` does once handed over).
fn echo_after_upgraded(upgraded: Result<supercell::http1::Upgraded, HttpOutputError>) {
    let upgraded = upgraded.expect("the connection is handed over");
    tokio::spawn(async move {
        let stream = upgraded.stream;
        while let Ok(data) = stream.read_bytes(1024, true).await {
            if stream.write(data).await.is_err() {
                break;
            }
        }
    });
}

#[tokio::test]
async fn an_upgrade_after_the_response_is_refused() {
    let (report, mut reports) = mpsc::unbounded_channel();
    let server = HttpTestServer::from_callback(move |_, mut writer: ResponseWriter| {
        let report = report.clone();
        async move {
            let _ = writer.respond(200, HttpHeaders::new(), "done").await;
            report.send(writer.upgrade(&echo_switch()).await).unwrap();
        }
    })
    .unwrap();
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/", &["Upgrade: echo"])).await;
    let response = client.get_response().await;
    assert_eq!((response.code, &response.body[..]), (200, &b"done"[..]));
    assert!(matches!(
        reports.recv().await.unwrap(),
        Err(HttpOutputError::Misuse(_))
    ));
    // The connection still speaks HTTP.
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.body, "done");
}

#[tokio::test]
async fn an_upgrade_whose_connection_closes_first_fails() {
    let (report, mut reports) = mpsc::unbounded_channel();
    let server = HttpTestServer::from_callback(move |_, mut writer: ResponseWriter| {
        let report = report.clone();
        async move {
            let upgrade = writer.upgrade(&echo_switch());
            tokio::spawn(async move { report.send(upgrade.await.map(|_| ())).unwrap() });
            // The call never returns: the client closing drops it.
            std::future::pending::<()>().await;
        }
    })
    .unwrap();
    let mut client = RawClient::connect(addr_of(&server)).await;
    client.send(get("/", &["Upgrade: echo"])).await;
    assert_eq!(client.get_response().await.code, 101);
    drop(client);
    let result = tokio::time::timeout(Duration::from_secs(5), reports.recv())
        .await
        .expect("the upgrade ends");
    assert_eq!(result, Some(Err(HttpOutputError::Closed)));
}

/// A delegate that tries to switch as soon as the head of a request with
/// a body arrives, and reports how that went.
struct EarlySwitch(mpsc::UnboundedSender<Result<(), HttpOutputError>>);

struct EarlySwitchMessage {
    writer: ResponseWriter,
    report: mpsc::UnboundedSender<Result<(), HttpOutputError>>,
}

impl HttpServerConnectionDelegate<ResponseWriter> for EarlySwitch {
    type Message = EarlySwitchMessage;

    fn start_request(&self, writer: ResponseWriter) -> EarlySwitchMessage {
        EarlySwitchMessage {
            writer,
            report: self.0.clone(),
        }
    }
}

impl HttpMessageDelegate for EarlySwitchMessage {
    async fn headers_received(&mut self, _: RequestStartLine, _: HttpHeaders) {
        let upgraded = self.writer.upgrade(&echo_switch()).await.map(|_| ());
        self.report.send(upgraded).unwrap();
    }

    async fn data_received(&mut self, _: Bytes) {}

    async fn finish(&mut self) {
        let _ = self
            .writer
            .respond(200, HttpHeaders::new(), "not switched")
            .await;
    }
}

#[tokio::test]
async fn an_upgrade_before_the_body_is_read_is_refused() {
    let (report, mut reports) = mpsc::unbounded_channel();
    let server = HttpTestServer::new(EarlySwitch(report)).unwrap();
    let mut client = RawClient::connect(addr_of(&server)).await;
    client
        .send(request(
            "POST",
            "/",
            &["Upgrade: echo", "Content-Length: 6"],
            b"a body",
        ))
        .await;
    let response = client.read_response(&Method::POST).await;
    assert_eq!(
        (response.code, &response.body[..]),
        (200, &b"not switched"[..])
    );
    assert!(matches!(
        reports.recv().await.unwrap(),
        Err(HttpOutputError::Misuse(_))
    ));
}
