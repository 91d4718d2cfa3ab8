//! WebSocket handlers over real sockets on 127.0.0.1, driven by a raw
//! client made of the protocol core (so that what goes over the wire is
//! checked frame by frame). Counterparts of Tornado 5.0's
//! `tornado/test/websocket_test.py` are named after its tests.
//!
//! Tornado tests without a counterpart here, and why:
//! - `WebSocketTest.test_render_message`: a Tornado WebSocket handler is a
//!   `RequestHandler` and renders templates while connected; here the
//!   connection's methods get the `WebSocket`, not a request context, so a
//!   template is rendered with the application's loader or in `prepare`.
//! - `MaskFunctionMixin.test_mask` (Python and Cython): the masking
//!   implementations are unit-tested in `src/web/websocket/mask.rs`.
//!
//! Tests named for two of Tornado's cover both: `test_binary_message` and
//! `test_unicode_message`; `test_websocket_header_echo` and
//! `test_async_prepare`. `websocket_test_check_origin` holds the five
//! `test_check_origin_*` cases; `compression_test_mixin_test_message_sizes`
//! the four compression classes; `websocket_test_coroutine` also stands for
//! `WebSocketNativeCoroutineTest` (Rust has one kind of coroutine).

#[path = "support/certs.rs"]
mod certs;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use supercell::iostream::IoStream;
use supercell::testing::HttpTestServer;
use supercell::web::{
    Application, Context, CurrentUser, HttpError, RequestHandler, Settings, WebResult, url,
};
use supercell::websocket::{
    CloseCode, CloseFrame, CompressionOptions, DecoderConfig, FrameDecoder, FrameEncoder,
    HandshakeError, Incoming, Message, MessageDeflater, MessageInflater, MessageKind, Role,
    WebSocket, WebSocketClientConnection, WebSocketClosedError, WebSocketConnectOptions,
    WebSocketError, WebSocketHandler, accept_key, websocket_connect, websocket_url,
};
use tokio::sync::mpsc;

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// What the handlers report to a test.
#[derive(Debug, PartialEq)]
enum Event {
    Open(Vec<Option<String>>),
    Named(Vec<(String, Option<String>)>),
    Header(String),
    Message(Message),
    Ping(Vec<u8>),
    Pong,
    Closed(Option<u16>, Option<String>),
    WriteAfterClose(Result<(), WebSocketClosedError>),
    FloodEnded(Result<(), WebSocketClosedError>),
    User(String),
}

type Events = mpsc::UnboundedSender<Event>;

/// Echoes every message; `close` closes with 1000 "done", `goodbye`
/// closes and then tries to write.
struct Echo {
    events: Events,
    compression: Option<CompressionOptions>,
}

impl WebSocketHandler for Echo {
    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        // Awaits before the handshake goes on (Tornado's async prepare),
        // and sets a header the `101` carries.
        tokio::time::sleep(Duration::from_millis(1)).await;
        cx.set_header("X-Extra-Response-Header", "Extra-Response-Value")
    }

    fn get_compression_options(&self, _: &Context) -> Option<CompressionOptions> {
        self.compression
    }

    fn select_subprotocol(&mut self, _: &Context, offered: &[String]) -> Option<String> {
        offered.iter().find(|p| p.as_str() == "echo").cloned()
    }

    async fn open(&mut self, ws: &WebSocket) {
        if ws.path_args() == [Some("panic".to_owned())] {
            panic!("a handler failing to open");
        }
        let _ = self.events.send(Event::Open(ws.path_args().to_vec()));
        if !ws.path_kwargs().is_empty() {
            let _ = self.events.send(Event::Named(ws.path_kwargs().to_vec()));
        }
        let request = ws.request().expect("a server connection");
        if let Some(value) = request.headers.get("X-Test") {
            let _ = self.events.send(Event::Header(value.to_owned()));
        }
    }

    async fn on_message(&mut self, ws: &WebSocket, message: Message) {
        match message.as_text() {
            Some("close") => ws.close(Some(1000), "done"),
            Some("panic") => panic!("a handler failing"),
            Some("burst") => {
                // Four tasks writing at once through clones of the handle.
                let writers: Vec<_> = (0..4)
                    .map(|task| {
                        let ws = ws.clone();
                        tokio::spawn(async move {
                            for i in 0..50 {
                                let text = format!("task {task} message {i} ").repeat(8);
                                let _ = ws.write_message(text).await;
                            }
                        })
                    })
                    .collect();
                for writer in writers {
                    let _ = writer.await;
                }
            }
            Some("sleep") => {
                // Messages are handled one at a time, in order.
                tokio::time::sleep(Duration::from_millis(20)).await;
                let _ = ws.write_message("slept").await;
            }
            Some("flood") => {
                // Writes until a write fails: a peer that never reads
                // leaves the last one waiting.
                let chunk = Bytes::from(vec![b'x'; 256 * 1024]);
                let result = loop {
                    if let Err(error) = ws.write_message(chunk.clone()).await {
                        break Err(error);
                    }
                };
                let _ = self.events.send(Event::FloodEnded(result));
            }
            Some("goodbye") => {
                ws.close(None, "");
                let result = ws.write_message("too late").await;
                let _ = self.events.send(Event::WriteAfterClose(result));
            }
            _ => {
                let _ = self.events.send(Event::Message(message.clone()));
                let _ = ws.write_message(message).await;
            }
        }
    }

    fn on_ping(&mut self, _: &WebSocket, data: &[u8]) {
        let _ = self.events.send(Event::Ping(data.to_vec()));
    }

    fn on_pong(&mut self, _: &WebSocket, _: &[u8]) {
        let _ = self.events.send(Event::Pong);
    }

    fn on_close(&mut self, ws: &WebSocket) {
        let _ = self
            .events
            .send(Event::Closed(ws.close_code(), ws.close_reason()));
    }
}

/// Members only: the current user comes from the `user` cookie, and
/// `prepare` refuses a handshake without one (`403`).
struct Members {
    events: Events,
    user: String,
}

impl WebSocketHandler for Members {
    fn get_current_user(cx: &Context) -> Option<CurrentUser> {
        cx.get_cookie("user")
            .map(|user| std::sync::Arc::new(user) as CurrentUser)
    }

    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        match cx.current_user_as::<String>() {
            Some(user) => {
                self.user = user.clone();
                Ok(())
            }
            None => Err(HttpError::new(403).into()),
        }
    }

    async fn open(&mut self, ws: &WebSocket) {
        let _ = self.events.send(Event::User(self.user.clone()));
        // Small messages leave at once.
        ws.set_nodelay(true)
            .expect("TCP_NODELAY on an open connection");
    }

    async fn on_message(&mut self, ws: &WebSocket, message: Message) {
        let _ = ws.write_message(message).await;
    }
}

/// Its own limits, whatever the application's settings: pings every
/// 50 ms, closing when none is answered for 300 ms, and messages of at
/// most 16 bytes.
struct Strict;

impl WebSocketHandler for Strict {
    fn ping_interval(&self, _: &Context) -> Option<Duration> {
        Some(Duration::from_millis(50))
    }

    fn ping_timeout(&self, _: &Context) -> Duration {
        Duration::from_millis(300)
    }

    fn max_message_size(&self, _: &Context) -> usize {
        16
    }

    async fn on_message(&mut self, ws: &WebSocket, message: Message) {
        let _ = ws.write_message(message).await;
    }
}

/// Not a WebSocket: `ok` to any `GET`.
struct Plain;

impl RequestHandler for Plain {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write("ok")
    }
}

/// A server with the echo handler at `/echo` and `/path/(.*)`.
struct Server {
    port: u16,
    events: mpsc::UnboundedReceiver<Event>,
    _server: HttpTestServer,
}

fn start(settings: Settings, compression: Option<CompressionOptions>) -> Server {
    let (events, receiver) = mpsc::unbounded_channel();
    let sender = events.clone();
    let members = events.clone();
    let app = Application::new(
        vec![
            websocket_url("/echo", move || Echo {
                events: events.clone(),
                compression,
            }),
            websocket_url("/path/(.*)", {
                let events = sender.clone();
                move || Echo {
                    events: events.clone(),
                    compression: None,
                }
            }),
            websocket_url("/room/(?P<room>[^/]+)/(?P<seat>[0-9]*)", move || Echo {
                events: sender.clone(),
                compression: None,
            }),
            websocket_url("/strict", || Strict),
            websocket_url("/members", {
                let events = members.clone();
                move || Members {
                    events: events.clone(),
                    user: String::new(),
                }
            }),
            url("/plain", || Plain),
        ],
        settings,
    )
    .unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let port = server.http_port();
    Server {
        port,
        events: receiver,
        _server: server,
    }
}

impl Server {
    async fn event(&mut self) -> Event {
        tokio::time::timeout(Duration::from_secs(5), self.events.recv())
            .await
            .expect("an event in time")
            .expect("the handlers are alive")
    }
}

/// A raw client: the handshake by hand, frames with the protocol core.
struct Client {
    stream: IoStream,
    buf: BytesMut,
    decoder: FrameDecoder,
    encoder: FrameEncoder,
    status: u16,
    head: String,
}

impl Client {
    async fn connect(port: u16, path: &str, extra: &[&str]) -> Client {
        let stream = IoStream::connect(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .unwrap();
        Client::handshake(stream, port, path, extra).await
    }

    /// A client whose socket receives into a small kernel buffer (so
    /// that a server it does not read from soon has to queue).
    async fn connect_with_small_buffer(port: u16, path: &str) -> Client {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let tcp = socket
            .connect(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .unwrap();
        Client::handshake(IoStream::from_tcp(tcp), port, path, &[]).await
    }

    async fn handshake(stream: IoStream, port: u16, path: &str, extra: &[&str]) -> Client {
        let mut request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n"
        );
        for line in extra {
            request.push_str(line);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        stream.write(Bytes::from(request)).await.unwrap();
        let head = stream.read_until(b"\r\n\r\n", Some(1 << 16)).await.unwrap();
        let head = String::from_utf8(head.to_vec()).unwrap();
        let status = head[9..12].parse().unwrap();
        Client {
            stream,
            buf: BytesMut::new(),
            decoder: FrameDecoder::with_config(
                Role::Client,
                DecoderConfig {
                    compression: true,
                    ..DecoderConfig::default()
                },
            ),
            encoder: FrameEncoder::new(Role::Client),
            status,
            head,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (field, value) = line.split_once(':')?;
            field.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    async fn send_raw(&self, data: BytesMut) {
        self.stream.write(data.freeze()).await.unwrap();
    }

    async fn send(&self, message: Message) {
        let mut out = BytesMut::new();
        self.encoder
            .message(message.kind(), message.as_bytes(), false, &mut out);
        self.send_raw(out).await;
    }

    /// The next frame from the server; `None` once it closed.
    /// The next frame or message that is not a ping.
    async fn next_past_pings(&mut self) -> Option<Incoming> {
        loop {
            match self.next().await {
                Some(Incoming::Ping(_)) => continue,
                other => return other,
            }
        }
    }

    async fn next(&mut self) -> Option<Incoming> {
        loop {
            if let Some(incoming) = self.decoder.decode(&mut self.buf).unwrap() {
                return Some(incoming);
            }
            let read = tokio::time::timeout(
                Duration::from_secs(5),
                self.stream.read_available(64 * 1024),
            )
            .await
            .expect("the server answers in time");
            match read {
                Ok(Some(data)) => self.buf.extend_from_slice(&data),
                _ => return None,
            }
        }
    }

    /// Whether the server closes the connection (within 5 seconds).
    async fn closed(&mut self) -> bool {
        tokio::time::timeout(Duration::from_secs(5), self.stream.read_until_close())
            .await
            .is_ok()
    }
}

/// Sends `request` on a new connection to `port`; the stream and the
/// response head, once it arrived (within 5 seconds).
async fn raw_exchange(port: u16, request: impl Into<Bytes>) -> (IoStream, String) {
    let stream = IoStream::connect(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .unwrap();
    stream.write(request.into()).await.unwrap();
    let head = tokio::time::timeout(
        Duration::from_secs(5),
        stream.read_until(b"\r\n\r\n", Some(1 << 16)),
    )
    .await
    .expect("a response head in time")
    .unwrap();
    (stream, String::from_utf8_lossy(&head).into_owned())
}

/// Checks that connecting to `path` on `server` fails with the server
/// answering `status`, not `101`.
async fn assert_not_switching(server: &Server, path: &str, status: u16) {
    let error = websocket_connect(ws_url(server, path), WebSocketConnectOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, WebSocketError::Handshake(HandshakeError::NotSwitching(got)) if got == status),
        "{error:?}"
    );
}

/// Checks that `waited` is the server's close wait (5 seconds), give or
/// take the test's own timing.
fn assert_the_close_wait(waited: Duration) {
    assert!(
        waited >= Duration::from_millis(4500) && waited < Duration::from_secs(7),
        "{waited:?}"
    );
}

/// A message of `limit` bytes is echoed; one of `limit + 1` closes the
/// connection with 1009 (pings in between are skipped).
async fn assert_message_size_edge(client: &mut Client, limit: usize) {
    client.send(Message::from(vec![7u8; limit])).await;
    assert_eq!(
        client.next_past_pings().await,
        Some(Incoming::Binary(Bytes::from(vec![7u8; limit])))
    );
    client.send(Message::from(vec![7u8; limit + 1])).await;
    match client.next_past_pings().await {
        Some(Incoming::Close(frame)) => assert_eq!(frame.code, Some(CloseCode::MESSAGE_TOO_BIG)),
        other => panic!("{other:?}"),
    }
}

fn text(text: &'static str) -> Message {
    Message::from(text)
}

#[tokio::test]
async fn websocket_test_websocket_gen() {
    let mut server = start(Settings::default(), None);
    let mut client = Client::connect(server.port, "/echo", &[]).await;
    assert_eq!(client.status, 101);
    assert_eq!(
        client.header("Sec-WebSocket-Accept"),
        Some(accept_key(KEY).as_str())
    );
    assert_eq!(client.header("Upgrade"), Some("websocket"));
    assert_eq!(server.event().await, Event::Open(vec![]));
    client.send(text("hello")).await;
    assert_eq!(
        client.next().await,
        Some(Incoming::Text(Bytes::from("hello")))
    );
    client.send(Message::from(vec![0u8, 1, 255])).await;
    assert_eq!(
        client.next().await,
        Some(Incoming::Binary(Bytes::from_static(&[0, 1, 255])))
    );
    assert_eq!(server.event().await, Event::Message(text("hello")));
}

#[tokio::test]
async fn websocket_test_path_args() {
    let mut server = start(Settings::default(), None);
    let client = Client::connect(server.port, "/path/hello", &[]).await;
    assert_eq!(client.status, 101);
    assert_eq!(
        server.event().await,
        Event::Open(vec![Some("hello".into())])
    );
}

#[tokio::test]
async fn named_path_arguments_reach_the_connection() {
    let mut server = start(Settings::default(), None);
    let client = connect(&server, "/room/lobby/7").await;
    assert_eq!(server.event().await, Event::Open(vec![]));
    let named = vec![
        ("room".to_owned(), Some("lobby".to_owned())),
        ("seat".to_owned(), Some("7".to_owned())),
    ];
    assert_eq!(server.event().await, Event::Named(named));
    drop(client);
}

#[tokio::test]
async fn a_handlers_own_ping_interval_and_timeout_close_an_unanswering_peer() {
    // The application sends no pings; the handler's own settings do.
    let server = start(Settings::default(), None);
    let mut client = Client::connect(server.port, "/strict", &[]).await;
    assert!(matches!(client.next().await, Some(Incoming::Ping(_))));
    assert!(matches!(
        client.next_past_pings().await,
        Some(Incoming::Close(_))
    ));
}

#[tokio::test]
async fn a_handlers_own_max_message_size_is_enforced_at_its_edge() {
    let server = start(Settings::default(), None);
    let mut client = Client::connect(server.port, "/strict", &[]).await;
    assert_message_size_edge(&mut client, 16).await;
}

#[tokio::test]
async fn websocket_test_websocket_close_buffered_data() {
    // Frames sent right behind the handshake, in the same write, are read.
    let mut server = start(Settings::default(), None);
    let stream = IoStream::connect(SocketAddr::from(([127, 0, 0, 1], server.port)))
        .await
        .unwrap();
    let mut data = format!(
        "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .into_bytes();
    let mut frame = BytesMut::new();
    FrameEncoder::new(Role::Client).text("early", &mut frame);
    data.extend_from_slice(&frame);
    stream.write(Bytes::from(data)).await.unwrap();
    assert_eq!(server.event().await, Event::Open(vec![]));
    assert_eq!(server.event().await, Event::Message(text("early")));
}

#[tokio::test]
async fn websocket_test_client_close_reason() {
    let mut server = start(Settings::default(), None);
    let mut client = Client::connect(server.port, "/echo", &[]).await;
    server.event().await;
    let mut frame = BytesMut::new();
    client
        .encoder
        .close(Some(CloseCode::GOING_AWAY), "goodbye", &mut frame)
        .unwrap();
    client.send_raw(frame).await;
    // The server answers with the same code, then closes.
    assert_eq!(
        client.next().await,
        Some(Incoming::Close(CloseFrame {
            code: Some(CloseCode::GOING_AWAY),
            reason: String::new()
        }))
    );
    assert!(client.closed().await);
    assert_eq!(
        server.event().await,
        Event::Closed(Some(1001), Some("goodbye".into()))
    );
}

#[tokio::test]
async fn websocket_test_server_close_reason() {
    let mut server = start(Settings::default(), None);
    let mut client = Client::connect(server.port, "/echo", &[]).await;
    server.event().await;
    client.send(text("close")).await;
    assert_eq!(
        client.next().await,
        Some(Incoming::Close(CloseFrame {
            code: Some(CloseCode::NORMAL),
            reason: "done".into()
        }))
    );
    let mut frame = BytesMut::new();
    client
        .encoder
        .close(Some(CloseCode::NORMAL), "", &mut frame)
        .unwrap();
    client.send_raw(frame).await;
    assert!(client.closed().await);
    assert_eq!(server.event().await, Event::Closed(Some(1000), None));
}

#[tokio::test]
async fn websocket_test_write_after_close() {
    let mut server = start(Settings::default(), None);
    let client = Client::connect(server.port, "/echo", &[]).await;
    server.event().await;
    client.send(text("goodbye")).await;
    assert_eq!(
        server.event().await,
        Event::WriteAfterClose(Err(WebSocketClosedError))
    );
}

#[tokio::test]
async fn a_ping_is_answered_and_reported() {
    let mut server = start(Settings::default(), None);
    let mut client = Client::connect(server.port, "/echo", &[]).await;
    server.event().await;
    let mut frame = BytesMut::new();
    client.encoder.ping(b"are you there", &mut frame).unwrap();
    client.send_raw(frame).await;
    assert_eq!(
        client.next().await,
        Some(Incoming::Pong(Bytes::from_static(b"are you there")))
    );
    assert_eq!(server.event().await, Event::Ping(b"are you there".to_vec()));
}

#[tokio::test]
async fn a_protocol_error_closes_with_its_code() {
    let mut server = start(Settings::default(), None);
    let mut client = Client::connect(server.port, "/echo", &[]).await;
    server.event().await;
    // A server frame (unmasked) sent to the server.
    let mut frame = BytesMut::new();
    FrameEncoder::new(Role::Server).text("unmasked", &mut frame);
    client.send_raw(frame).await;
    match client.next().await {
        Some(Incoming::Close(frame)) => assert_eq!(frame.code, Some(CloseCode::PROTOCOL_ERROR)),
        other => panic!("{other:?}"),
    }
    assert!(client.closed().await);
    assert_eq!(server.event().await, Event::Closed(None, None));
}

#[tokio::test]
async fn max_message_size_test_large_message() {
    let settings = Settings {
        websocket_max_message_size: 1024,
        ..Settings::default()
    };
    let mut server = start(settings, None);
    let mut client = Client::connect(server.port, "/echo", &[]).await;
    server.event().await;
    assert_message_size_edge(&mut client, 1024).await;
}

#[tokio::test]
async fn websocket_test_bad_websocket_version() {
    let server = start(Settings::default(), None);
    let port = server.port;
    let cases: [(&str, &str, u16); 5] = [
        ("Upgrade: h2c", "Upgrade", 400),
        ("Sec-WebSocket-Version: 12", "Sec-WebSocket-Version", 426),
        ("Sec-WebSocket-Key: abc", "Sec-WebSocket-Key", 400),
        ("Connection: keep-alive", "Connection", 400),
        ("Origin: http://elsewhere.example", "", 403),
    ];
    for (line, replaced, status) in cases {
        let mut request = String::from("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (name, value) in [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", KEY),
            ("Sec-WebSocket-Version", "13"),
        ] {
            if name != replaced {
                request.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        request.push_str(line);
        request.push_str("\r\n\r\n");
        let (_, head) = raw_exchange(port, request).await;
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status} ")),
            "{line}: {head}"
        );
        if status == 426 {
            assert!(head.contains("Sec-Websocket-Version: 7, 8, 13"), "{head}");
        }
    }
}

#[tokio::test]
async fn websocket_test_check_origin_valid_with_path() {
    let mut server = start(Settings::default(), None);
    let port = server.port;
    let origin = format!("Origin: http://127.0.0.1:{port}/something");
    let client = Client::connect(port, "/echo", &[&origin]).await;
    assert_eq!(client.status, 101);
    server.event().await;
    let other_port = format!("Origin: http://127.0.0.1:{}", port.wrapping_add(1));
    assert_eq!(
        Client::connect(port, "/echo", &[&other_port]).await.status,
        403
    );
}

#[tokio::test]
async fn a_post_upgrade_is_not_allowed() {
    let server = start(Settings::default(), None);
    let request = format!(
        "POST /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"
    );
    let (_, head) = raw_exchange(server.port, request).await;
    assert!(head.starts_with("HTTP/1.1 405 "), "{head}");
}

#[tokio::test]
async fn a_subprotocol_offered_is_selected() {
    let mut server = start(Settings::default(), None);
    let client = Client::connect(
        server.port,
        "/echo",
        &["Sec-WebSocket-Protocol: goodbye, echo"],
    )
    .await;
    assert_eq!(client.header("Sec-WebSocket-Protocol"), Some("echo"));
    server.event().await;
    let client = Client::connect(server.port, "/echo", &["Sec-WebSocket-Protocol: other"]).await;
    assert_eq!(client.header("Sec-WebSocket-Protocol"), None);
}

/// A server accepting compression, and a raw client offering `offer` in
/// `Sec-WebSocket-Extensions`.
async fn compressing_server_and_client(offer: &str) -> (Server, Client) {
    let server = start(Settings::default(), Some(CompressionOptions::default()));
    let extensions = format!("Sec-WebSocket-Extensions: {offer}");
    let client = Client::connect(server.port, "/echo", &[&extensions]).await;
    (server, client)
}

#[tokio::test]
async fn compressed_messages_from_a_raw_client_echo_compressed() {
    let (mut server, mut client) =
        compressing_server_and_client("permessage-deflate; client_max_window_bits").await;
    assert_eq!(
        client.header("Sec-WebSocket-Extensions"),
        Some("permessage-deflate")
    );
    server.event().await;
    let mut deflater = MessageDeflater::new(&CompressionOptions::default(), 15, false).unwrap();
    let mut inflater = MessageInflater::new(15, false);
    let message = "compressible ".repeat(100);
    for _ in 0..3 {
        let mut compressed = BytesMut::new();
        deflater.compress(message.as_bytes(), &mut compressed);
        let mut frame = BytesMut::new();
        client
            .encoder
            .message(MessageKind::Text, &compressed, true, &mut frame);
        client.send_raw(frame).await;
        match client.next().await {
            Some(Incoming::Compressed { kind, payload }) => {
                assert_eq!(kind, MessageKind::Text);
                assert!(payload.len() < message.len() / 4);
                let mut out = BytesMut::new();
                inflater.inflate(&payload, true, &mut out, 1 << 20).unwrap();
                assert_eq!(out, message.as_bytes());
            }
            other => panic!("{other:?}"),
        }
    }
    // Without an offer, nothing is compressed.
    let client = Client::connect(server.port, "/echo", &[]).await;
    assert_eq!(client.header("Sec-WebSocket-Extensions"), None);
}

#[tokio::test]
async fn unanswered_pings_close_the_connection() {
    let settings = Settings {
        websocket_ping_interval: Some(Duration::from_millis(50)),
        websocket_ping_timeout: Some(Duration::from_millis(300)),
        ..Settings::default()
    };
    let mut server = start(settings, None);
    let mut client = Client::connect(server.port, "/echo", &[]).await;
    server.event().await;
    // Pings come; unanswered, they end with the server closing.
    assert!(matches!(client.next().await, Some(Incoming::Ping(_))));
    assert!(matches!(
        client.next_past_pings().await,
        Some(Incoming::Close(_))
    ));
}

// The client side: `websocket_connect` against the same handlers.

fn ws_url(server: &Server, path: &str) -> String {
    format!("ws://127.0.0.1:{}{path}", server.port)
}

async fn connect(server: &Server, path: &str) -> WebSocketClientConnection {
    websocket_connect(ws_url(server, path), WebSocketConnectOptions::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn websocket_test_websocket_callbacks() {
    let mut server = start(Settings::default(), None);
    let mut client = connect(&server, "/echo").await;
    server.event().await;
    client.write_message("hello").await.unwrap();
    assert_eq!(client.read_message().await, Some(text("hello")));
}

#[tokio::test]
async fn websocket_test_binary_message_and_unicode_message() {
    let mut server = start(Settings::default(), None);
    let mut client = connect(&server, "/echo").await;
    server.event().await;
    client.write_message(vec![0u8, 1, 2, 255]).await.unwrap();
    assert_eq!(
        client.read_message().await,
        Some(Message::from(vec![0u8, 1, 2, 255]))
    );
    client.write_message("héllo κόσμε").await.unwrap();
    assert_eq!(
        client.read_message().await.unwrap().as_text(),
        Some("héllo κόσμε")
    );
}

#[tokio::test]
async fn websocket_test_websocket_http_fail() {
    let server = start(Settings::default(), None);
    assert_not_switching(&server, "/notfound", 404).await;
}

#[tokio::test]
async fn websocket_test_websocket_network_fail() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let error = websocket_connect(
        format!("ws://127.0.0.1:{port}/"),
        WebSocketConnectOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, WebSocketError::Connect(_)), "{error:?}");
    let error = websocket_connect("ftp://127.0.0.1/", WebSocketConnectOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, WebSocketError::InvalidUrl(_)), "{error:?}");
}

#[tokio::test]
async fn websocket_test_client_close_reason_through_the_client() {
    let mut server = start(Settings::default(), None);
    let mut client = connect(&server, "/echo").await;
    server.event().await;
    client.close(Some(1001), "goodbye");
    assert_eq!(client.read_message().await, None);
    assert_eq!(client.close_code(), Some(1001));
    assert_eq!(
        server.event().await,
        Event::Closed(Some(1001), Some("goodbye".into()))
    );
    assert_eq!(
        client.write_message("late").await,
        Err(WebSocketClosedError)
    );
}

#[tokio::test]
async fn websocket_test_server_close_reason_through_the_client() {
    let mut server = start(Settings::default(), None);
    let mut client = connect(&server, "/echo").await;
    server.event().await;
    client.write_message("close").await.unwrap();
    assert_eq!(client.read_message().await, None);
    assert_eq!(
        (client.close_code(), client.close_reason()),
        (Some(1000), Some("done".into()))
    );
}

#[tokio::test]
async fn the_client_learns_the_selected_subprotocol() {
    let mut server = start(Settings::default(), None);
    let options = WebSocketConnectOptions {
        subprotocols: vec!["goodbye".into(), "echo".into()],
        ..WebSocketConnectOptions::default()
    };
    let client = websocket_connect(ws_url(&server, "/echo"), options)
        .await
        .unwrap();
    assert_eq!(client.selected_subprotocol(), Some("echo"));
    server.event().await;
    let client = connect(&server, "/echo").await;
    assert_eq!(client.selected_subprotocol(), None);
}

#[tokio::test]
async fn compression_with_window_limits_through_the_client() {
    for server_options in [
        CompressionOptions::default(),
        CompressionOptions {
            server_no_context_takeover: true,
            server_max_window_bits: Some(10),
            client_max_window_bits: Some(9),
            ..CompressionOptions::default()
        },
    ] {
        let mut server = start(Settings::default(), Some(server_options));
        let options = WebSocketConnectOptions {
            compression_options: Some(CompressionOptions::default()),
            ..WebSocketConnectOptions::default()
        };
        let mut client = websocket_connect(ws_url(&server, "/echo"), options)
            .await
            .unwrap();
        assert!(client.websocket().compressed());
        server.event().await;
        for size in [0, 1, 100, 70_000] {
            let message = "x".repeat(size);
            client.write_message(message.clone()).await.unwrap();
            assert_eq!(
                client.read_message().await.unwrap().as_text(),
                Some(message.as_str())
            );
        }
    }
}

#[tokio::test]
async fn the_clients_max_message_size_closes_the_connection() {
    let mut server = start(Settings::default(), None);
    let options = WebSocketConnectOptions {
        max_message_size: Some(100),
        ..WebSocketConnectOptions::default()
    };
    let mut client = websocket_connect(ws_url(&server, "/echo"), options)
        .await
        .unwrap();
    server.event().await;
    client.write_message("x".repeat(100)).await.unwrap();
    assert_eq!(client.read_message().await.unwrap().as_bytes().len(), 100);
    // The echo of a larger message is over the client's limit.
    client.write_message("x".repeat(101)).await.unwrap();
    assert_eq!(client.read_message().await, None);
    assert_eq!(
        server.event().await,
        Event::Message(Message::from("x".repeat(100)))
    );
}

#[tokio::test]
async fn client_periodic_ping_test_client_ping() {
    let mut server = start(Settings::default(), None);
    let options = WebSocketConnectOptions {
        ping_interval: Some(Duration::from_millis(20)),
        ..WebSocketConnectOptions::default()
    };
    let client = websocket_connect(ws_url(&server, "/echo"), options)
        .await
        .unwrap();
    server.event().await;
    assert_eq!(server.event().await, Event::Ping(Vec::new()));
    drop(client);
}

/// Tornado: the client's `on_ping` and `on_pong`, as callbacks: the
/// server's keepalive pings reach one, the pong to the client's own ping
/// the other, each with its data.
#[tokio::test]
async fn the_clients_ping_and_pong_callbacks_get_their_data() {
    let settings = Settings {
        websocket_ping_interval: Some(Duration::from_millis(20)),
        ..Settings::default()
    };
    let server = start(settings, None);
    let (pings, mut pinged) = mpsc::unbounded_channel();
    let (pongs, mut ponged) = mpsc::unbounded_channel();
    let options = WebSocketConnectOptions {
        on_ping_callback: Some(Box::new(move |data: &[u8]| {
            let _ = pings.send(data.to_vec());
        })),
        on_pong_callback: Some(Box::new(move |data: &[u8]| {
            let _ = pongs.send(data.to_vec());
        })),
        ..WebSocketConnectOptions::default()
    };
    let client = websocket_connect(ws_url(&server, "/echo"), options)
        .await
        .unwrap();
    let within = |what| tokio::time::timeout(Duration::from_secs(5), what);
    assert_eq!(within(pinged.recv()).await.unwrap(), Some(Vec::new()));
    client.ping(b"are you there").await.unwrap();
    assert_eq!(
        within(ponged.recv()).await.unwrap(),
        Some(b"are you there".to_vec())
    );
}

/// A client whose messages go to a callback, which passes them on to the
/// receiver returned.
async fn connect_with_callback(
    server: &Server,
) -> (
    WebSocketClientConnection,
    mpsc::UnboundedReceiver<Option<Message>>,
) {
    let (sender, received) = mpsc::unbounded_channel();
    let options = WebSocketConnectOptions {
        on_message_callback: Some(Box::new(move |message| {
            let _ = sender.send(message);
        })),
        ..WebSocketConnectOptions::default()
    };
    let client = websocket_connect(ws_url(server, "/echo"), options)
        .await
        .unwrap();
    (client, received)
}

#[tokio::test]
async fn on_message_callback_gets_each_message_then_none() {
    let mut server = start(Settings::default(), None);
    let (client, mut received) = connect_with_callback(&server).await;
    server.event().await;
    client.write_message("one").await.unwrap();
    assert_eq!(received.recv().await, Some(Some(text("one"))));
    client.close(None, "");
    assert_eq!(received.recv().await, Some(None));
}

#[tokio::test]
async fn websocket_test_websocket_headers() {
    let mut server = start(Settings::default(), None);
    let mut request = supercell::httpclient::HttpRequest::new(ws_url(&server, "/echo"));
    request.headers.add("X-Test", "hello").unwrap();
    let client = websocket_connect(request, WebSocketConnectOptions::default())
        .await
        .unwrap();
    assert_eq!(server.event().await, Event::Open(vec![]));
    assert_eq!(server.event().await, Event::Header("hello".into()));
    // The `101`'s fields, one set by the handler's `prepare`.
    assert_eq!(
        client.headers().get("X-Extra-Response-Header"),
        Some("Extra-Response-Value")
    );
    assert_eq!(client.headers().get("Upgrade"), Some("websocket"));
}

#[tokio::test]
async fn websocket_over_tls() {
    let (events, _receiver) = mpsc::unbounded_channel();
    let app = Application::new(
        vec![websocket_url("/echo", move || Echo {
            events: events.clone(),
            compression: None,
        })],
        Settings::default(),
    )
    .unwrap();
    let settings = supercell::httpserver::HttpServerSettings {
        tls: Some(certs::server_options().server_config().unwrap()),
        ..supercell::httpserver::HttpServerSettings::default()
    };
    let server = HttpTestServer::with_settings(app, settings).unwrap();
    let mut request = supercell::httpclient::HttpRequest::new(format!(
        "wss://localhost:{}/echo",
        server.http_port()
    ));
    request.validate_cert = Some(false);
    let mut client = websocket_connect(request, WebSocketConnectOptions::default())
        .await
        .unwrap();
    client.write_message("secret").await.unwrap();
    assert_eq!(client.read_message().await, Some(text("secret")));
}

#[tokio::test]
async fn websocket_test_http_request() {
    let server = start(Settings::default(), None);
    let request = Bytes::from_static(b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
    let (stream, head) = raw_exchange(server.port, request).await;
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    let expected = b"Can \"Upgrade\" only to \"WebSocket\".";
    let body = tokio::time::timeout(
        Duration::from_secs(5),
        stream.read_bytes(expected.len(), false),
    )
    .await
    .expect("the body in time")
    .unwrap();
    assert_eq!(&body[..], expected);
}

#[tokio::test]
async fn websocket_test_missing_websocket_key() {
    let server = start(Settings::default(), None);
    let request = Bytes::from_static(
        b"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
          Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    let (_, head) = raw_exchange(server.port, request).await;
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
}

#[tokio::test]
async fn websocket_test_websocket_http_success() {
    let server = start(Settings::default(), None);
    assert_not_switching(&server, "/plain", 200).await;
}

#[tokio::test]
async fn websocket_test_error_in_on_message() {
    let mut server = start(Settings::default(), None);
    let mut client = connect(&server, "/echo").await;
    server.event().await;
    client.write_message("panic").await.unwrap();
    assert_eq!(client.read_message().await, None);
    assert_eq!(client.close_code(), Some(1011));
    assert_eq!(server.event().await, Event::Closed(Some(1011), None));
}

#[tokio::test]
async fn websocket_test_websocket_header_echo_and_async_prepare() {
    let mut server = start(Settings::default(), None);
    let client = Client::connect(server.port, "/echo", &[]).await;
    assert_eq!(client.status, 101);
    assert_eq!(
        client.header("X-Extra-Response-Header"),
        Some("Extra-Response-Value")
    );
    server.event().await;
}

#[tokio::test]
async fn websocket_test_coroutine() {
    let mut server = start(Settings::default(), None);
    let mut client = connect(&server, "/echo").await;
    server.event().await;
    client.write_message("sleep").await.unwrap();
    client.write_message("after").await.unwrap();
    assert_eq!(client.read_message().await, Some(text("slept")));
    assert_eq!(client.read_message().await, Some(text("after")));
}

#[tokio::test]
async fn websocket_test_check_origin() {
    let mut server = start(Settings::default(), None);
    let port = server.port;
    // Each origin, and whether the default check accepts it for a
    // request to `127.0.0.1:<port>` (the `Host` the raw client sends).
    let cases = [
        (format!("http://127.0.0.1:{port}"), true),
        (format!("http://127.0.0.1:{port}/something"), true),
        (format!("https://127.0.0.1:{port}"), true),
        (format!("127.0.0.1:{port}"), false),
        ("http://somewhereelse.com".to_owned(), false),
        (format!("http://subtenant.127.0.0.1:{port}"), false),
        ("null".to_owned(), false),
    ];
    for (origin, accepted) in cases {
        let line = format!("Origin: {origin}");
        let client = Client::connect(port, "/echo", &[&line]).await;
        assert_eq!(client.status, if accepted { 101 } else { 403 }, "{origin}");
        if accepted {
            server.event().await;
        }
    }
}

#[tokio::test]
async fn compression_test_mixin_test_message_sizes() {
    // Tornado's NoCompressionTest, ServerOnlyCompressionTest,
    // ClientOnlyCompressionTest and DefaultCompressionTest: compression
    // only when both sides want it; messages of every size echo.
    for (server_side, client_side) in [(false, false), (true, false), (false, true), (true, true)] {
        let mut server = start(
            Settings::default(),
            server_side.then(CompressionOptions::default),
        );
        let options = WebSocketConnectOptions {
            compression_options: client_side.then(CompressionOptions::default),
            ..WebSocketConnectOptions::default()
        };
        let mut client = websocket_connect(ws_url(&server, "/echo"), options)
            .await
            .unwrap();
        assert_eq!(client.websocket().compressed(), server_side && client_side);
        server.event().await;
        for size in [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 1 << 16] {
            let message = Message::from(vec![b'a'; size]);
            client.write_message(message.clone()).await.unwrap();
            assert_eq!(client.read_message().await, Some(message));
        }
    }
}

#[tokio::test]
async fn server_periodic_ping_test_server_ping() {
    let settings = Settings {
        websocket_ping_interval: Some(Duration::from_millis(10)),
        ..Settings::default()
    };
    let mut server = start(settings, None);
    let _client = connect(&server, "/echo").await;
    server.event().await;
    // The client answers the server's pings by itself.
    assert_eq!(server.event().await, Event::Pong);
}

#[tokio::test]
async fn a_close_unanswered_ends_the_connection_after_the_close_wait() {
    let mut server = start(Settings::default(), None);
    let mut client = Client::connect(server.port, "/echo", &[]).await;
    server.event().await;
    client.send(text("close")).await;
    assert!(matches!(client.next().await, Some(Incoming::Close(_))));
    // The client never answers: the server waits 5 seconds, then closes.
    let start = tokio::time::Instant::now();
    let ended =
        tokio::time::timeout(Duration::from_secs(8), client.stream.read_until_close()).await;
    assert!(ended.is_ok(), "the server closed");
    assert_the_close_wait(start.elapsed());
    assert_eq!(server.event().await, Event::Closed(None, None));
}

#[tokio::test]
async fn a_handshake_without_an_answer_times_out() {
    // A server that accepts and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let silent = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(socket);
    });
    let mut request = supercell::httpclient::HttpRequest::new(format!("ws://127.0.0.1:{port}/"));
    request.request_timeout = Some(Duration::from_millis(200));
    let start = tokio::time::Instant::now();
    let error = websocket_connect(request, WebSocketConnectOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, WebSocketError::Timeout), "{error:?}");
    assert!(start.elapsed() < Duration::from_secs(2));
    silent.abort();
}

#[tokio::test]
async fn a_panic_in_open_closes_with_1011() {
    let server = start(Settings::default(), None);
    let mut client = connect(&server, "/path/panic").await;
    assert_eq!(client.read_message().await, None);
    assert_eq!(client.close_code(), Some(1011));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn compressed_messages_written_from_several_tasks_all_inflate() {
    let mut server = start(Settings::default(), Some(CompressionOptions::default()));
    let options = WebSocketConnectOptions {
        compression_options: Some(CompressionOptions::default()),
        ..WebSocketConnectOptions::default()
    };
    let mut client = websocket_connect(ws_url(&server, "/echo"), options)
        .await
        .unwrap();
    server.event().await;
    client.write_message("burst").await.unwrap();
    let mut per_task = [0usize; 4];
    for _ in 0..200 {
        let message = client.read_message().await.expect("every message inflates");
        let text = message.as_text().unwrap().to_owned();
        let task: usize = text[5..6].parse().unwrap();
        let i: usize = text.split(' ').nth(3).unwrap().parse().unwrap();
        // Each task's messages arrive in the order it wrote them.
        assert_eq!(i, per_task[task], "{text}");
        per_task[task] += 1;
    }
}

#[tokio::test]
async fn a_handler_waiting_on_a_peer_that_stopped_reading_is_ended_by_the_ping_timeout() {
    let settings = Settings {
        websocket_ping_interval: Some(Duration::from_millis(100)),
        websocket_ping_timeout: Some(Duration::from_millis(300)),
        ..Settings::default()
    };
    let mut server = start(settings, None);
    let client = Client::connect_with_small_buffer(server.port, "/echo").await;
    server.event().await;
    let start = tokio::time::Instant::now();
    client.send(text("flood")).await;
    // The client reads nothing: the handler's write waits, the pongs never
    // come, the close frame cannot go out, and after the close wait the
    // connection is closed under the write.
    let ended = tokio::time::timeout(Duration::from_secs(10), server.events.recv())
        .await
        .expect("the handler's write ends");
    assert_eq!(ended, Some(Event::FloodEnded(Err(WebSocketClosedError))));
    assert_the_close_wait(start.elapsed());
    assert_eq!(server.event().await, Event::Closed(None, None));
}

#[tokio::test]
async fn pings_from_a_peer_that_does_not_read_get_one_pong_at_a_time() {
    const PINGS: usize = 20_000;
    let mut server = start(Settings::default(), None);
    let mut client = Client::connect_with_small_buffer(server.port, "/echo").await;
    server.event().await;
    let payload = |i: usize| format!("{i:0125}").into_bytes();
    let mut flood = BytesMut::new();
    for i in 0..PINGS {
        client.encoder.ping(&payload(i), &mut flood).unwrap();
    }
    client.send_raw(flood).await;
    // Handled once every ping before it was read.
    client.send(text("after the pings")).await;
    for _ in 0..PINGS {
        assert!(matches!(server.event().await, Event::Ping(_)));
    }
    assert_eq!(
        server.event().await,
        Event::Message(text("after the pings"))
    );
    // Now the client reads: fewer pongs than pings, the echo, and an
    // answer to the latest ping.
    let (mut pongs, mut echoed, mut latest_answered) = (0, false, false);
    while !(echoed && latest_answered) {
        match client.next().await {
            Some(Incoming::Pong(data)) => {
                pongs += 1;
                latest_answered = data[..] == payload(PINGS - 1)[..];
            }
            Some(Incoming::Text(data)) => echoed = &data[..] == b"after the pings",
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(pongs < PINGS / 2, "{pongs} pongs for {PINGS} pings");
}

#[tokio::test]
async fn dropping_the_client_connection_closes_it() {
    let mut server = start(Settings::default(), None);
    let client = connect(&server, "/echo").await;
    server.event().await;
    drop(client);
    assert_eq!(server.event().await, Event::Closed(None, None));
}

#[tokio::test]
async fn prepare_cookies_and_the_current_user_work_as_on_any_handler() {
    let mut server = start(Settings::default(), None);
    let mut request = supercell::httpclient::HttpRequest::new(ws_url(&server, "/members"));
    request.headers.add("Cookie", "user=ann").unwrap();
    let mut client = websocket_connect(request, WebSocketConnectOptions::default())
        .await
        .unwrap();
    assert_eq!(server.event().await, Event::User("ann".into()));
    client.write_message("hello").await.unwrap();
    assert_eq!(client.read_message().await, Some(text("hello")));
    // Without the cookie, prepare refuses the handshake.
    assert_not_switching(&server, "/members", 403).await;
}

#[tokio::test]
async fn the_upgrade_fields_replace_the_requests_own_and_its_host_is_kept() {
    let mut server = start(Settings::default(), None);
    let mut request = supercell::httpclient::HttpRequest::new(ws_url(&server, "/echo"));
    // Sent twice, any of these would break the handshake: a second Host
    // is a bad request, a second version the wrong one.
    request
        .headers
        .add("Host", &format!("127.0.0.1:{}", server.port))
        .unwrap();
    request.headers.add("Connection", "keep-alive").unwrap();
    request.headers.add("Sec-WebSocket-Version", "8").unwrap();
    request.headers.add("X-Test", "kept").unwrap();
    let mut client = websocket_connect(request, WebSocketConnectOptions::default())
        .await
        .unwrap();
    assert_eq!(server.event().await, Event::Open(vec![]));
    assert_eq!(server.event().await, Event::Header("kept".into()));
    client.write_message("hello").await.unwrap();
    assert_eq!(client.read_message().await, Some(text("hello")));
}

#[tokio::test]
async fn a_compressed_message_that_does_not_inflate_closes_with_1007() {
    let (mut server, mut client) = compressing_server_and_client("permessage-deflate").await;
    server.event().await;
    let mut frame = BytesMut::new();
    client.encoder.message(
        MessageKind::Binary,
        b"\xff\xff\xff\xff not deflate",
        true,
        &mut frame,
    );
    client.send_raw(frame).await;
    match client.next().await {
        Some(Incoming::Close(frame)) => assert_eq!(frame.code, Some(CloseCode(1007))),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn dropping_a_connection_with_a_callback_keeps_it_open() {
    let mut server = start(Settings::default(), None);
    let (client, mut received) = connect_with_callback(&server).await;
    server.event().await;
    let ws = client.websocket().clone();
    drop(client);
    // Messages still come to the callback.
    ws.write_message("still open").await.unwrap();
    assert_eq!(received.recv().await, Some(Some(text("still open"))));
    assert_eq!(server.event().await, Event::Message(text("still open")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_keeps_sending_after_the_close_frame_is_closed_after_the_close_wait() {
    let mut server = start(Settings::default(), None);
    let mut client = Client::connect(server.port, "/echo", &[]).await;
    server.event().await;
    client.send(text("close")).await;
    assert!(matches!(client.next().await, Some(Incoming::Close(_))));
    // The client never answers the close frame and sends data frames as
    // fast as it can: the server still closes when its wait is over.
    let mut burst = BytesMut::new();
    for _ in 0..4096 {
        client.encoder.binary(b"more", &mut burst);
    }
    let burst = burst.freeze();
    let writer = client.stream.clone();
    let flood = tokio::spawn(async move {
        let start = tokio::time::Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if writer.write(burst.clone()).await.is_err() {
                return true;
            }
        }
        false
    });
    let start = tokio::time::Instant::now();
    let ended =
        tokio::time::timeout(Duration::from_secs(9), client.stream.read_until_close()).await;
    assert!(ended.is_ok(), "the server closed");
    assert_the_close_wait(start.elapsed());
    assert!(
        flood.await.unwrap(),
        "the flood's writes failed once closed"
    );
}
