//! Tests of the HTTP/1 server connection (`supercell::http1`), over real
//! sockets on 127.0.0.1; the counterpart of Tornado 5.0's
//! `tornado/test/http1connection_test.py` is
//! `http1_connection_test_http10_no_content_length`. Tornado's file has no
//! other test; everything else here checks a limit at its edge or a rule
//! of the connection (framing, keep-alive, lingering close, backpressure,
//! the writer's rules).
//!
//! Tornado tests without a counterpart: none.

#[path = "support/raw_http.rs"]
mod raw_http;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::Method;
use raw_http::{RawClient, chunked_post, get, gzip, post, request};
use supercell::http1::{Http1ConnectionParameters, Http1ServerConnection, ResponseWriter};
use supercell::httpserver::{HttpServer, HttpServerSettings};
use supercell::httputil::{
    HttpConnection, HttpHeaders, HttpMessageDelegate, HttpOutputError,
    HttpServerConnectionDelegate, RequestContext, RequestStartLine, ResponseStartLine,
};
use supercell::iostream::IoStream;
use supercell::testing::{ExpectLog, bind_unused_port};
use supercell::util::log_target::APP_LOG;
use tokio::sync::mpsc;

/// One whole request as the test application sees it.
struct Request {
    start_line: RequestStartLine,
    headers: HttpHeaders,
    body: Bytes,
}

/// A connection delegate gathering each request and calling `F` with it.
struct App<F>(Arc<F>);

struct Message<F> {
    app: Arc<F>,
    writer: Option<ResponseWriter>,
    head: Option<(RequestStartLine, HttpHeaders)>,
    body: BytesMut,
}

impl<F, Fut> HttpServerConnectionDelegate<ResponseWriter> for App<F>
where
    F: Fn(Request, ResponseWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    type Message = Message<F>;

    fn start_request(&self, writer: ResponseWriter) -> Message<F> {
        Message {
            app: Arc::clone(&self.0),
            writer: Some(writer),
            head: None,
            body: BytesMut::new(),
        }
    }
}

impl<F, Fut> HttpMessageDelegate for Message<F>
where
    F: Fn(Request, ResponseWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    async fn headers_received(&mut self, start_line: RequestStartLine, headers: HttpHeaders) {
        self.head = Some((start_line, headers));
    }

    async fn data_received(&mut self, chunk: Bytes) {
        self.body.extend_from_slice(&chunk);
    }

    async fn finish(&mut self) {
        let (Some(writer), Some((start_line, headers))) = (self.writer.take(), self.head.take())
        else {
            return;
        };
        let request = Request {
            start_line,
            headers,
            body: std::mem::take(&mut self.body).freeze(),
        };
        (self.app)(request, writer).await;
    }
}

/// Makes an HTTP/1 connection with `params` of each connection accepted
/// on an unused port of 127.0.0.1 and hands it to `on_connection` (which
/// starts it).
fn accept_each<F>(params: Http1ConnectionParameters, mut on_connection: F) -> SocketAddr
where
    F: FnMut(Http1ServerConnection) + Send + 'static,
{
    let (listener, port) = bind_unused_port().unwrap();
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    tokio::spawn(async move {
        loop {
            let (socket, peer) = listener.accept().await.unwrap();
            let context = RequestContext {
                peer: peer.into(),
                remote_ip: peer.ip().to_string(),
                protocol: "http".into(),
            };
            on_connection(Http1ServerConnection::new(
                IoStream::from_tcp(socket),
                params,
                context,
            ));
        }
    });
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Serves every connection to a listener on 127.0.0.1 with `delegate`.
fn start<D>(params: Http1ConnectionParameters, delegate: D) -> SocketAddr
where
    D: HttpServerConnectionDelegate<ResponseWriter>,
{
    let delegate = Arc::new(delegate);
    accept_each(params, move |connection| {
        connection.start(Arc::clone(&delegate));
    })
}

fn start_app<F, Fut>(params: Http1ConnectionParameters, app: F) -> SocketAddr
where
    F: Fn(Request, ResponseWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    start(params, App(Arc::new(app)))
}

/// Answers with the body's length (or `hello` for no body).
async fn sizes(request: Request, mut writer: ResponseWriter) {
    let body = if request.body.is_empty() {
        "hello".to_owned()
    } else {
        request.body.len().to_string()
    };
    writer.respond(200, HttpHeaders::new(), body).await.unwrap();
}

fn ok_line() -> ResponseStartLine {
    ResponseStartLine {
        version: http::Version::HTTP_11,
        code: 200,
        reason: "OK".into(),
    }
}

fn params() -> Http1ConnectionParameters {
    Http1ConnectionParameters::default()
}

#[tokio::test]
async fn http1_connection_test_http10_no_content_length() {
    // An HTTP/1.0 response without Content-Length is delimited by the
    // close of the connection.
    let addr = start_app(params(), |_request, mut writer| async move {
        writer
            .write_headers(ok_line(), &HttpHeaders::new(), None)
            .await
            .unwrap();
        writer.write(Bytes::from_static(b"hello")).await.unwrap();
        writer.finish().await.unwrap();
    });
    let mut client = RawClient::connect(addr).await;
    client.send(&b"GET / HTTP/1.0\r\n\r\n"[..]).await;
    let response = client.get_response().await;
    assert_eq!(response.body, "hello");
    assert_eq!(response.header("Content-Length"), None);
    assert_eq!(response.header("Transfer-Encoding"), None);
    assert!(client.closed_within(Duration::from_secs(5)).await);
}

/// A GET head of exactly `len` bytes (final blank line included).
fn head_of_len(len: usize) -> Vec<u8> {
    let bare = get("/", &["X-Fill: "]).len();
    let fill = "f".repeat(len - bare);
    let head = get("/", &[&format!("X-Fill: {fill}")]);
    assert_eq!(head.len(), len);
    head
}

/// Serves [`sizes`] with `max_header_size`.
fn sizes_with_max_header_size(max_header_size: usize) -> SocketAddr {
    let limits = Http1ConnectionParameters {
        max_header_size,
        ..params()
    };
    start_app(limits, sizes)
}

/// A head of exactly `max` bytes is answered; one of a byte more gets
/// `431` and the connection closes.
async fn check_head_edge(addr: SocketAddr, max: usize) {
    let mut client = RawClient::connect(addr).await;
    client.send(head_of_len(max)).await;
    assert_eq!(client.get_response().await.code, 200);
    client.send(head_of_len(max + 1)).await;
    let response = client.get_response().await;
    assert_eq!(response.code, 431);
    assert!(response.connection_has("close"));
    assert!(client.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn max_header_size_is_enforced_at_its_edge() {
    check_head_edge(sizes_with_max_header_size(1024), 1024).await;
}

#[tokio::test]
async fn max_body_size_is_enforced_at_its_edge() {
    let limits = Http1ConnectionParameters {
        max_body_size: 1000,
        ..params()
    };
    let addr = start_app(limits, sizes);
    let (accepted, refused) = (post("/", &[b'x'; 1000]), post("/", &[b'x'; 1001]));
    check_edge(addr, accepted, "1000", refused, 413).await;
}

/// Sends the POST `accepted` (answered with `body`), then the POST
/// `refused` (answered `code`, and the connection closes).
async fn check_edge(addr: SocketAddr, accepted: Vec<u8>, body: &str, refused: Vec<u8>, code: u16) {
    let mut client = RawClient::connect(addr).await;
    client.send(accepted).await;
    assert_eq!(client.read_response(&Method::POST).await.body, body);
    client.send_quietly(refused);
    assert_eq!(client.read_response(&Method::POST).await.code, code);
    assert!(client.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn max_body_size_applies_to_chunked_bodies_at_its_edge() {
    let limits = Http1ConnectionParameters {
        max_body_size: 1000,
        ..params()
    };
    let addr = start_app(limits, sizes);
    let mut client = RawClient::connect(addr).await;
    client
        .send(chunked_post(&[&[b'x'; 600], &[b'x'; 400]], &[]))
        .await;
    assert_eq!(client.read_response(&Method::POST).await.body, "1000");
    // The connection is usable after a chunked request.
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.body, "hello");
    client.send_quietly(chunked_post(&[&[b'x'; 600], &[b'x'; 401]], &[]));
    assert_eq!(client.read_response(&Method::POST).await.code, 413);
    assert!(client.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn decompressed_size_counts_against_max_body_size() {
    let limits = Http1ConnectionParameters {
        max_body_size: 10_000,
        decompress: true,
        ..params()
    };
    let addr = start_app(
        limits,
        |request: Request, mut writer: ResponseWriter| async move {
            let body = format!(
                "{} {:?} {:?}",
                request.body.len(),
                request.headers.get("Content-Encoding"),
                request.headers.get("X-Consumed-Content-Encoding"),
            );
            writer.respond(200, HttpHeaders::new(), body).await.unwrap();
        },
    );
    let send = |size: usize| {
        let compressed = gzip(&vec![b'z'; size]);
        request(
            "POST",
            "/",
            &[
                "Content-Encoding: gzip",
                &format!("Content-Length: {}", compressed.len()),
            ],
            &compressed,
        )
    };
    let mut client = RawClient::connect(addr).await;
    client.send(send(10_000)).await;
    let response = client.read_response(&Method::POST).await;
    assert_eq!(response.body, r#"10000 None Some("gzip")"#);
    client.send_quietly(send(10_001));
    assert_eq!(client.read_response(&Method::POST).await.code, 413);
    assert!(client.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn corrupt_gzip_body_is_a_bad_request() {
    let limits = Http1ConnectionParameters {
        decompress: true,
        ..params()
    };
    let addr = start_app(limits, sizes);
    let mut client = RawClient::connect(addr).await;
    let data = request(
        "POST",
        "/",
        &["Content-Encoding: gzip", "Content-Length: 9"],
        b"not gzip!",
    );
    client.send_quietly(data);
    assert_eq!(client.read_response(&Method::POST).await.code, 400);
    assert!(client.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test(start_paused = true)]
async fn body_timeout_is_enforced_at_its_edge() {
    let limits = Http1ConnectionParameters {
        body_timeout: Some(Duration::from_secs(1)),
        ..params()
    };
    let addr = start_app(limits, sizes);
    let mut client = RawClient::connect(addr).await;
    // The last piece just before the deadline: answered.
    client
        .send(request("POST", "/", &["Content-Length: 4"], b"ab"))
        .await;
    tokio::time::sleep(Duration::from_millis(990)).await;
    client.send(&b"cd"[..]).await;
    assert_eq!(client.read_response(&Method::POST).await.body, "4");
    // The body not complete at the deadline: the connection closes then.
    client
        .send(request("POST", "/", &["Content-Length: 4"], b"ab"))
        .await;
    client
        .assert_closed_after(Duration::from_secs(1), Duration::from_millis(1100))
        .await;
}

#[tokio::test(start_paused = true)]
async fn header_timeout_bounds_a_trickling_head() {
    let limits = Http1ConnectionParameters {
        header_timeout: Some(Duration::from_secs(5)),
        ..params()
    };
    let addr = start_app(limits, sizes);
    let mut client = RawClient::connect(addr).await;
    let start = tokio::time::Instant::now();
    client.send(&b"GET / HTTP/1.1\r\nHost: x\r\n"[..]).await;
    let mut line = 0;
    let closed = loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        client.send_quietly(format!("X-Slow-{line}: x\r\n"));
        line += 1;
        if client.closed_within(Duration::from_millis(1)).await || line > 10 {
            break client.stream.closed();
        }
    };
    assert!(closed, "still open after {line} lines");
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(7),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn idle_timeout_bounds_a_stalled_body_but_not_a_slow_one() {
    let limits = Http1ConnectionParameters {
        idle_timeout: Some(Duration::from_secs(2)),
        ..params()
    };
    let addr = start_app(limits, sizes);
    let mut client = RawClient::connect(addr).await;
    client
        .send(request("POST", "/", &["Content-Length: 5"], b""))
        .await;
    // A piece every 1.5 s: slow, never idle for 2 s.
    for piece in [b"a", b"b", b"c", b"d", b"e"] {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        client.send(&piece[..]).await;
    }
    assert_eq!(client.read_response(&Method::POST).await.body, "5");
    client
        .send(request("POST", "/", &["Content-Length: 5"], b"ab"))
        .await;
    client
        .assert_closed_after(Duration::from_secs(2), Duration::from_millis(2100))
        .await;
}

#[tokio::test]
async fn continue_is_sent_only_when_the_body_is_not_there_yet() {
    let addr = start_app(params(), sizes);
    let mut client = RawClient::connect(addr).await;
    // Body sent with the head: no interim response.
    client
        .send(request(
            "POST",
            "/",
            &["Content-Length: 3", "Expect: 100-continue"],
            b"abc",
        ))
        .await;
    let response = client.read_response(&Method::POST).await;
    assert_eq!(
        (response.interim.as_slice(), &response.body[..]),
        (&[][..], &b"3"[..])
    );
    // Chunked body after the interim response.
    client
        .send(request(
            "POST",
            "/",
            &["Transfer-Encoding: chunked", "Expect: 100-continue"],
            b"",
        ))
        .await;
    let interim = client.stream.read_until(b"\r\n\r\n", None).await.unwrap();
    assert_eq!(&interim[..], b"HTTP/1.1 100 Continue\r\n\r\n");
    client.send(&b"3\r\nabc\r\n0\r\n\r\n"[..]).await;
    assert_eq!(client.read_response(&Method::POST).await.body, "3");
}

#[tokio::test]
async fn no_framing_headers_or_body_on_204_and_304() {
    let addr = start_app(
        params(),
        |request: Request, mut writer: ResponseWriter| async move {
            let code: u16 = request.start_line.path[1..].parse().unwrap();
            let mut headers = HttpHeaders::new();
            headers.add("Content-Length", "10").unwrap();
            let start_line = ResponseStartLine {
                version: http::Version::HTTP_11,
                code,
                reason: String::new().into(),
            };
            writer
                .write_headers(start_line, &headers, None)
                .await
                .unwrap();
            assert_eq!(
                writer.write(Bytes::from_static(b"body")).await,
                Err(HttpOutputError::BodyNotAllowed(code))
            );
            writer.finish().await.unwrap();
        },
    );
    let mut client = RawClient::connect(addr).await;
    for code in [204u16, 304] {
        client.send(get(&format!("/{code}"), &[])).await;
        let response = client.get_response().await;
        assert_eq!(response.code, code);
        assert_eq!(response.header("Content-Length"), None);
        assert_eq!(response.header("Transfer-Encoding"), None);
    }
    // Nothing stray on the wire: the connection goes on.
    client.send(get("/204", &[])).await;
    assert_eq!(client.get_response().await.code, 204);
    assert!(client.buffered().is_empty());
}

#[tokio::test]
async fn head_response_drops_a_streamed_body_and_keeps_its_content_length() {
    let addr = start_app(
        params(),
        |_request, mut writer: ResponseWriter| async move {
            let mut headers = HttpHeaders::new();
            headers.add("Content-Length", "11").unwrap();
            writer
                .write_headers(ok_line(), &headers, Some(Bytes::from_static(b"hello")))
                .await
                .unwrap();
            writer.write(Bytes::from_static(b" world")).await.unwrap();
            writer.finish().await.unwrap();
        },
    );
    let mut client = RawClient::connect(addr).await;
    client
        .send([request("HEAD", "/", &[], b""), get("/", &[])].concat())
        .await;
    let head = client.read_response(&Method::HEAD).await;
    assert_eq!(head.code, 200);
    assert_eq!(head.header("Content-Length"), Some("11"));
    assert!(head.body.is_empty());
    // The GET after it gets the whole body: nothing of the HEAD's went out.
    assert_eq!(client.get_response().await.body, "hello world");
    assert!(client.buffered().is_empty());
}

#[tokio::test]
async fn head_response_keeps_content_length_and_sends_no_body() {
    let addr = start_app(
        params(),
        |_request, mut writer: ResponseWriter| async move {
            writer
                .respond(200, HttpHeaders::new(), "Hello, world")
                .await
                .unwrap();
        },
    );
    let mut client = RawClient::connect(addr).await;
    client
        .send([request("HEAD", "/", &[], b""), get("/", &[])].concat())
        .await;
    let head = client.read_response(&Method::HEAD).await;
    assert_eq!(head.header("Content-Length"), Some("12"));
    assert!(head.body.is_empty());
    assert_eq!(client.get_response().await.body, "Hello, world");
    assert!(client.buffered().is_empty());
}

#[tokio::test]
async fn responses_have_a_date() {
    let addr = start_app(params(), sizes);
    let response = {
        let mut client = RawClient::connect(addr).await;
        client.send(get("/", &[])).await;
        client.get_response().await
    };
    let date = response.header("Date").unwrap();
    assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order_even_when_slow() {
    let addr = start_app(
        params(),
        |request: Request, mut writer: ResponseWriter| async move {
            let path = request.start_line.path;
            if path == "/slow" {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            writer
                .respond(200, HttpHeaders::new(), String::from(path))
                .await
                .unwrap();
        },
    );
    let mut client = RawClient::connect(addr).await;
    let batch = [
        get("/slow", &[]),
        post("/post", b"body"),
        get("/fast", &[]),
        get("/slow", &[]),
    ]
    .concat();
    client.send(batch).await;
    for expected in ["/slow", "/post", "/fast", "/slow"] {
        assert_eq!(client.read_response(&Method::GET).await.body, expected);
    }
}

#[tokio::test]
async fn many_pipelined_requests_in_one_write() {
    let addr = start_app(params(), sizes);
    let mut client = RawClient::connect(addr).await;
    client.send(get("/", &[]).repeat(200)).await;
    for _ in 0..200 {
        assert_eq!(client.get_response().await.body, "hello");
    }
    assert!(!client.closed_within(Duration::from_millis(20)).await);
}

#[tokio::test]
async fn malformed_request_gets_400_despite_unread_input() {
    // Lingering close: the 400 survives the input the server never reads.
    let addr = start_app(params(), sizes);
    for _ in 0..5 {
        let mut client = RawClient::connect(addr).await;
        let mut data = b"GET /bad path HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
        data.extend(get("/", &[]).repeat(1000));
        client.send_quietly(data);
        let response = client.get_response().await;
        assert_eq!(response.code, 400);
        assert!(response.connection_has("close"));
        assert!(client.closed_within(Duration::from_secs(5)).await);
    }
}

#[tokio::test]
async fn request_after_connection_close_is_not_processed() {
    let served = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&served);
    let addr = start_app(params(), move |request, writer| {
        count.fetch_add(1, Ordering::SeqCst);
        sizes(request, writer)
    });
    let mut client = RawClient::connect(addr).await;
    client
        .send([get("/", &["Connection: close"]), get("/", &[])].concat())
        .await;
    let response = client.get_response().await;
    assert!(response.connection_has("close"));
    assert!(client.read_until_close().await.is_empty());
    assert_eq!(served.load(Ordering::SeqCst), 1);
}

/// Holds each `data_received` (and the `headers_received` of a request
/// to `/gated-headers`) until the test lets it go, counting calls and
/// `on_connection_close` calls; answers with the body's length. A
/// request's `X-Max` header sets its `max_body_size` in
/// `headers_received`.
struct Gated {
    gate: Arc<tokio::sync::Semaphore>,
    calls: Arc<AtomicUsize>,
    closes: Arc<AtomicUsize>,
}

struct GatedMessage {
    gate: Arc<tokio::sync::Semaphore>,
    calls: Arc<AtomicUsize>,
    closes: Arc<AtomicUsize>,
    writer: ResponseWriter,
    received: usize,
}

impl GatedMessage {
    async fn pass_gate(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.gate.acquire().await.unwrap().forget();
    }
}

impl Gated {
    /// A gate letting `permits` calls through at first.
    fn new(permits: usize) -> Gated {
        Gated {
            gate: Arc::new(tokio::sync::Semaphore::new(permits)),
            calls: Arc::default(),
            closes: Arc::default(),
        }
    }
}

impl HttpServerConnectionDelegate<ResponseWriter> for Gated {
    type Message = GatedMessage;

    fn start_request(&self, writer: ResponseWriter) -> GatedMessage {
        GatedMessage {
            gate: Arc::clone(&self.gate),
            calls: Arc::clone(&self.calls),
            closes: Arc::clone(&self.closes),
            writer,
            received: 0,
        }
    }
}

impl HttpMessageDelegate for GatedMessage {
    async fn headers_received(&mut self, start_line: RequestStartLine, headers: HttpHeaders) {
        if let Some(max) = headers.get("X-Max") {
            self.writer.set_max_body_size(max.parse().unwrap());
        }
        if start_line.path == "/gated-headers" {
            self.pass_gate().await;
        }
    }

    async fn data_received(&mut self, chunk: Bytes) {
        self.pass_gate().await;
        self.received += chunk.len();
    }

    async fn finish(&mut self) {
        let body = self.received.to_string();
        self.writer
            .respond(200, HttpHeaders::new(), body)
            .await
            .unwrap();
    }

    fn on_connection_close(&mut self) {
        self.closes.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn streaming_body_is_read_only_as_fast_as_the_delegate_takes_it() {
    let gated = Gated::new(0);
    let (gate, calls) = (Arc::clone(&gated.gate), Arc::clone(&gated.calls));
    let addr = start(params(), gated);
    let size = 32 * 1024 * 1024;
    let mut client = RawClient::connect(addr).await;
    let mut upload = client.stream.write(post("/", &vec![b'u'; size]));
    // The delegate holds its first piece: the server stops reading, so
    // the upload cannot all leave the client.
    let stalled = tokio::time::timeout(Duration::from_millis(300), &mut upload).await;
    assert!(stalled.is_err(), "the whole upload was taken");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    gate.add_permits(usize::MAX >> 4);
    upload.await.unwrap();
    let response = client.read_response(&Method::POST).await;
    assert_eq!(response.body, size.to_string());
}

#[tokio::test]
async fn dropped_writer_finishes_a_started_response() {
    let addr = start_app(
        params(),
        |_request, mut writer: ResponseWriter| async move {
            writer
                .write_headers(
                    ok_line(),
                    &HttpHeaders::new(),
                    Some(Bytes::from_static(b"partial ")),
                )
                .await
                .unwrap();
            writer.write(Bytes::from_static(b"body")).await.unwrap();
        },
    );
    let mut client = RawClient::connect(addr).await;
    for _ in 0..2 {
        client.send(get("/", &[])).await;
        let response = client.get_response().await;
        assert_eq!(response.header("Transfer-Encoding"), Some("chunked"));
        assert_eq!(response.body, "partial body");
    }
}

#[tokio::test]
async fn dropped_writer_short_of_content_length_closes_the_connection() {
    let addr = start_app(
        params(),
        |_request, mut writer: ResponseWriter| async move {
            let mut headers = HttpHeaders::new();
            headers.add("Content-Length", "10").unwrap();
            writer
                .write_headers(ok_line(), &headers, Some(Bytes::from_static(b"12345")))
                .await
                .unwrap();
        },
    );
    let mut client = RawClient::connect(addr).await;
    client.send(get("/", &[])).await;
    assert!(client.try_read_response(&Method::GET).await.is_none());
}

#[tokio::test]
async fn writer_refuses_misuse() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = std::sync::Mutex::new(Some(tx));
    let addr = start_app(params(), move |_request, mut writer: ResponseWriter| {
        let tx = tx.lock().unwrap().take();
        async move {
            let mut errors = Vec::new();
            errors.push(writer.write(Bytes::from_static(b"x")).await);
            errors.push(writer.finish().await);
            let mut headers = HttpHeaders::new();
            headers.add("Content-Length", "2").unwrap();
            writer
                .write_headers(ok_line(), &headers, None)
                .await
                .unwrap();
            errors.push(writer.write_headers(ok_line(), &headers, None).await);
            errors.push(writer.write(Bytes::from_static(b"abc")).await);
            if let Some(tx) = tx {
                let _ = tx.send(errors);
            }
        }
    });
    let mut client = RawClient::connect(addr).await;
    client.send(get("/", &[])).await;
    let errors = rx.await.unwrap();
    assert!(matches!(errors[0], Err(HttpOutputError::Misuse(_))));
    assert!(matches!(errors[1], Err(HttpOutputError::Misuse(_))));
    assert!(matches!(errors[2], Err(HttpOutputError::Misuse(_))));
    assert_eq!(errors[3], Err(HttpOutputError::TooMuchData(2)));
    // More than Content-Length closes the connection: nothing framed
    // wrongly goes out.
    assert!(client.try_read_response(&Method::GET).await.is_none());
}

#[tokio::test]
async fn a_writer_kept_past_its_response_cannot_touch_the_next_one() {
    let kept: Arc<std::sync::Mutex<Option<ResponseWriter>>> = Arc::default();
    let keep = Arc::clone(&kept);
    let addr = start_app(
        params(),
        move |request: Request, mut writer: ResponseWriter| {
            let keep = Arc::clone(&keep);
            async move {
                if request.start_line.path == "/second" {
                    let mut old = keep.lock().unwrap().take().unwrap();
                    let stale = old.write(Bytes::from_static(b"stale")).await;
                    assert!(
                        matches!(stale, Err(HttpOutputError::Misuse(_))),
                        "{stale:?}"
                    );
                    drop(old);
                }
                let first = request.start_line.path == "/first";
                writer
                    .respond(
                        200,
                        HttpHeaders::new(),
                        String::from(request.start_line.path),
                    )
                    .await
                    .unwrap();
                if first {
                    *keep.lock().unwrap() = Some(writer);
                }
            }
        },
    );
    let mut client = RawClient::connect(addr).await;
    client.send(get("/first", &[])).await;
    assert_eq!(client.get_response().await.body, "/first");
    client.send(get("/second", &[])).await;
    assert_eq!(client.get_response().await.body, "/second");
}

#[tokio::test]
async fn panicking_delegate_is_logged_and_answered_500() {
    let expected = ExpectLog::new(APP_LOG, ".*handler failed")
        .unwrap()
        .level(tracing::Level::ERROR);
    let addr = start_app(
        params(),
        |request: Request, writer: ResponseWriter| async move {
            let _writer = writer;
            if request.start_line.path == "/panic" {
                panic!("handler failed");
            }
        },
    );
    let mut client = RawClient::connect(addr).await;
    client.send(get("/panic", &[])).await;
    let response = client.get_response().await;
    assert_eq!(response.code, 500);
    assert!(response.connection_has("close"));
    assert!(client.closed_within(Duration::from_secs(5)).await);
    expected.finish().unwrap();
}

#[tokio::test]
async fn handle_drain_closes_an_idle_connection_and_close_ends_a_busy_one() {
    let app = Arc::new(App(Arc::new(
        |request: Request, writer: ResponseWriter| async move {
            if request.start_line.path == "/hang" {
                let _held = writer;
                std::future::pending::<()>().await;
            } else {
                sizes(request, writer).await;
            }
        },
    )));
    let (handles_tx, mut handles) = mpsc::unbounded_channel();
    let addr = accept_each(params(), move |connection| {
        handles_tx.send(connection.handle()).unwrap();
        connection.start(Arc::clone(&app));
    });
    let mut idle = RawClient::connect(addr).await;
    let idle_handle = handles.recv().await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    idle_handle.drain();
    assert!(idle.closed_within(Duration::from_secs(5)).await);
    assert!(idle_handle.closed());

    let mut busy = RawClient::connect(addr).await;
    let busy_handle = handles.recv().await.unwrap();
    busy.send(get("/hang", &[])).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    busy_handle.close();
    assert!(busy.try_read_response(&Method::GET).await.is_none());
}

#[tokio::test]
async fn respond_with_a_body_not_matching_content_length_sends_nothing() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let addr = start_app(
        params(),
        move |request: Request, mut writer: ResponseWriter| {
            let tx = tx.clone();
            async move {
                let mut headers = HttpHeaders::new();
                let length = if request.start_line.path == "/long" {
                    "2"
                } else {
                    "10"
                };
                headers.add("Content-Length", length).unwrap();
                let _ = tx.send(writer.respond(200, headers, "hello").await);
            }
        },
    );
    for (path, error) in [
        ("/long", HttpOutputError::TooMuchData(2)),
        (
            "/short",
            HttpOutputError::TooLittleData {
                written: 5,
                expected: 10,
            },
        ),
    ] {
        let mut client = RawClient::connect(addr).await;
        client.send(get(path, &[])).await;
        assert_eq!(rx.recv().await.unwrap(), Err(error));
        // Neither the head nor a 500 after it: the connection just closes.
        let rest = tokio::time::timeout(Duration::from_secs(10), client.read_until_close())
            .await
            .expect("the connection closes");
        assert_eq!(&rest[..], b"", "{path}");
    }
}

#[tokio::test]
async fn unanswered_head_request_gets_a_500_without_a_body() {
    let unanswered = ExpectLog::new(APP_LOG, "Request from .* ended without a response").unwrap();
    let addr = start_app(params(), |_request, writer: ResponseWriter| async move {
        drop(writer);
    });
    let mut client = RawClient::connect(addr).await;
    client
        .send([request("HEAD", "/", &[], b""), get("/", &[])].concat())
        .await;
    let head = client.read_response(&Method::HEAD).await;
    assert_eq!(head.code, 500);
    assert_eq!(head.header("Content-Length"), Some("93"));
    assert!(head.body.is_empty());
    // The next response is read from right after the first's head.
    let full = client.get_response().await;
    assert_eq!(full.code, 500);
    assert_eq!(full.body.len(), 93);
    assert!(client.buffered().is_empty());
    // An HTTP/1.0 request kept alive hears that it is.
    client
        .send(&b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"[..])
        .await;
    let http10 = client.get_response().await;
    assert_eq!(http10.code, 500);
    assert!(http10.connection_has("keep-alive"));
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.code, 500);
    unanswered.finish().unwrap();
}

/// Answers `413` as soon as the request head is in, before any body.
struct EarlyAnswer;

struct EarlyMessage(Option<ResponseWriter>);

impl HttpServerConnectionDelegate<ResponseWriter> for EarlyAnswer {
    type Message = EarlyMessage;

    fn start_request(&self, writer: ResponseWriter) -> EarlyMessage {
        EarlyMessage(Some(writer))
    }
}

impl HttpMessageDelegate for EarlyMessage {
    async fn headers_received(&mut self, _start_line: RequestStartLine, _headers: HttpHeaders) {
        if let Some(mut writer) = self.0.take() {
            writer.respond(413, HttpHeaders::new(), "").await.unwrap();
        }
    }

    async fn data_received(&mut self, _chunk: Bytes) {}

    async fn finish(&mut self) {}
}

#[tokio::test]
async fn answer_before_the_whole_body_says_connection_close() {
    let addr = start(params(), EarlyAnswer);
    let mut client = RawClient::connect(addr).await;
    client
        .send(request("POST", "/", &["Content-Length: 100"], &[b'x'; 10]))
        .await;
    let response = client.read_response(&Method::POST).await;
    assert_eq!(response.code, 413);
    assert!(response.connection_has("close"));
    assert!(client.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn drain_lets_the_last_response_finish_writing() {
    const BODY: usize = 8 * 1024 * 1024;
    // A response smaller than chunk_size is gathered and written out
    // when the connection next waits for a request.
    let params = Http1ConnectionParameters {
        chunk_size: 2 * BODY,
        ..params()
    };
    let app = Arc::new(App(Arc::new(
        |_request: Request, mut writer: ResponseWriter| async move {
            writer
                .respond(200, HttpHeaders::new(), vec![b'x'; BODY])
                .await
                .unwrap();
        },
    )));
    let (handles_tx, mut handles) = mpsc::unbounded_channel();
    let addr = accept_each(params, move |connection| {
        handles_tx.send(connection.handle()).unwrap();
        connection.start(Arc::clone(&app));
    });
    let mut client = RawClient::connect(addr).await;
    let handle = handles.recv().await.unwrap();
    client.send(get("/", &[])).await;
    // The client does not read yet: the response is stuck in the socket
    // buffers while the connection waits for its write.
    tokio::time::sleep(Duration::from_millis(200)).await;
    handle.drain();
    let response = tokio::time::timeout(Duration::from_secs(30), client.get_response())
        .await
        .expect("the response arrives");
    assert_eq!(response.body.len(), BODY);
    assert!(client.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunk_size_zero_is_taken_as_one() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let params = Http1ConnectionParameters {
        chunk_size: 0,
        ..params()
    };
    let addr = start_app(params, move |request: Request, writer: ResponseWriter| {
        let _ = tx.send(request.body.clone());
        sizes(request, writer)
    });
    let mut client = RawClient::connect(addr).await;
    client.send(post("/", b"hello")).await;
    let response = tokio::time::timeout(Duration::from_secs(10), client.get_response())
        .await
        .expect("the body is read");
    assert_eq!(response.body, "5");
    assert_eq!(&rx.recv().await.unwrap()[..], b"hello");
}

#[tokio::test]
async fn nothing_after_switching_protocols_is_parsed_as_http() {
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&requests);
    let addr = start_app(params(), move |_request, mut writer: ResponseWriter| {
        seen.fetch_add(1, Ordering::SeqCst);
        async move {
            let mut headers = HttpHeaders::new();
            headers.add("Connection", "Upgrade").unwrap();
            headers.add("Upgrade", "example").unwrap();
            writer.respond(101, headers, "").await.unwrap();
        }
    });
    let mut client = RawClient::connect(addr).await;
    // The bytes of the new protocol happen to look like a request.
    client
        .send(
            [
                get("/", &["Connection: Upgrade", "Upgrade: example"]),
                get("/smuggled", &[]),
            ]
            .concat(),
        )
        .await;
    let response = client.get_response().await;
    assert_eq!(response.code, 101);
    assert_eq!(response.header("Upgrade"), Some("example"));
    assert!(client.closed_within(Duration::from_secs(5)).await);
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

/// Hands the writer to a task that answers after `delay`, streaming
/// `hello` and ` world` a little apart: the connection then waits for a
/// response its delegate is done with.
async fn answer_later(delay: Duration, mut writer: ResponseWriter) {
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        writer
            .write_headers(ok_line(), &HttpHeaders::new(), None)
            .await
            .unwrap();
        writer.write(Bytes::from_static(b"hello")).await.unwrap();
        tokio::time::sleep(delay).await;
        writer.write(Bytes::from_static(b" world")).await.unwrap();
        writer.finish().await.unwrap();
    });
}

/// Sends `data` on a plain socket, shuts its sending side and reads all
/// the server sends until it closes (within 5 s).
async fn send_and_half_close(addr: SocketAddr, data: &[u8]) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket.write_all(data).await.unwrap();
    socket.shutdown().await.unwrap();
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut received))
        .await
        .expect("the server closes")
        .unwrap();
    received
}

#[tokio::test]
async fn half_closed_client_gets_its_response() {
    let addr = start_app(params(), sizes);
    let received = send_and_half_close(addr, &get("/", &[])).await;
    assert!(received.starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert!(received.ends_with(b"\r\n\r\nhello"));
}

#[tokio::test]
async fn half_closed_client_gets_a_response_streamed_later() {
    let addr = start_app(params(), |_request, writer| {
        answer_later(Duration::from_millis(100), writer)
    });
    // Two pipelined requests, then the end of the client's side: both
    // are answered, then the connection closes.
    let requests = [get("/1", &[]), get("/2", &[])].concat();
    let received = send_and_half_close(addr, &requests).await;
    let text = String::from_utf8_lossy(&received);
    assert_eq!(text.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{text}");
    assert_eq!(
        text.matches("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            .count(),
        2,
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn header_timeout_counts_from_when_the_last_response_is_out() {
    let limits = Http1ConnectionParameters {
        header_timeout: Some(Duration::from_secs(10)),
        // Gathered whole and written out only as the connection waits
        // for the next request.
        chunk_size: 64 * 1024 * 1024,
        ..params()
    };
    let addr = start_app(limits, |_request, mut writer: ResponseWriter| async move {
        let body = vec![b'x'; 16 * 1024 * 1024];
        writer.respond(200, HttpHeaders::new(), body).await.unwrap();
    });
    let mut client = RawClient::connect(addr).await;
    client.send(get("/", &[])).await;
    // The response waits 15 s for the client to read it, longer than the
    // header timeout: the timeout starts only once it is out.
    tokio::time::sleep(Duration::from_secs(15)).await;
    let response = client.get_response().await;
    assert_eq!(response.body.len(), 16 * 1024 * 1024);
    tokio::time::sleep(Duration::from_secs(3)).await;
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.code, 200);
    // Idle for the whole header timeout: closed.
    client
        .assert_closed_after(Duration::from_secs(10), Duration::from_millis(10_100))
        .await;
}

/// Waits (at most 5 s) until `calls` is `n`.
async fn until_calls(calls: &AtomicUsize, n: usize) {
    tokio::time::timeout(Duration::from_secs(5), async {
        while calls.load(Ordering::SeqCst) != n {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn close_from_outside_during_a_delegate_call_calls_on_connection_close() {
    for request in [get("/gated-headers", &[]), post("/", b"body")] {
        let gated = Gated::new(0);
        let (calls, closes) = (Arc::clone(&gated.calls), Arc::clone(&gated.closes));
        let delegate = Arc::new(gated);
        let (handles_tx, mut handles) = mpsc::unbounded_channel();
        let addr = accept_each(params(), move |connection| {
            handles_tx.send(connection.handle()).unwrap();
            connection.start(Arc::clone(&delegate));
        });
        let mut client = RawClient::connect(addr).await;
        client.send(request).await;
        until_calls(&calls, 1).await;
        handles.recv().await.unwrap().close();
        assert!(client.closed_within(Duration::from_secs(5)).await);
        assert_eq!(closes.load(Ordering::SeqCst), 1);
    }
}

#[tokio::test]
async fn close_all_connections_during_a_delegate_call_calls_on_connection_close() {
    let gated = Gated::new(0);
    let (calls, closes) = (Arc::clone(&gated.calls), Arc::clone(&gated.closes));
    let server = HttpServer::new(gated, HttpServerSettings::default());
    let addrs = server.listen(0, Some("127.0.0.1")).unwrap();
    let mut client = RawClient::connect(addrs[0]).await;
    client.send(get("/gated-headers", &[])).await;
    until_calls(&calls, 1).await;
    server.stop();
    tokio::time::timeout(Duration::from_secs(5), server.close_all_connections())
        .await
        .unwrap();
    assert!(client.closed_within(Duration::from_secs(5)).await);
    assert_eq!(closes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn trailer_section_is_bounded_by_max_header_size_at_its_edge() {
    let addr = sizes_with_max_header_size(1024);
    // A chunked body whose trailer section (field line and final CRLF)
    // takes `size` bytes.
    let with_trailers = |size: usize| {
        let fill = "t".repeat(size - b"X-T: \r\n\r\n".len());
        let mut data = request("POST", "/", &["Transfer-Encoding: chunked"], b"");
        data.extend_from_slice(format!("3\r\nabc\r\n0\r\nX-T: {fill}\r\n\r\n").as_bytes());
        data
    };
    check_edge(addr, with_trailers(1024), "3", with_trailers(1025), 400).await;
}

#[tokio::test]
async fn expect_continue_over_max_body_size_is_refused_without_continue() {
    let limits = Http1ConnectionParameters {
        max_body_size: 1000,
        ..params()
    };
    let addr = start(limits, Gated::new(tokio::sync::Semaphore::MAX_PERMITS));
    let head = |length: usize, extra: &str| {
        let length = format!("Content-Length: {length}");
        let mut lines = vec![length.as_str(), "Expect: 100-continue"];
        if !extra.is_empty() {
            lines.push(extra);
        }
        request("POST", "/", &lines, b"")
    };
    // Over the limit: 413 at once, no 100 Continue first.
    let client = RawClient::connect(addr).await;
    client.send(head(1001, "")).await;
    let first = client.stream.read_until(b"\r\n\r\n", None).await.unwrap();
    assert!(first.starts_with(b"HTTP/1.1 413 "), "{first:?}");
    // The limit raised in `headers_received` applies before the answer.
    let mut client = RawClient::connect(addr).await;
    client.send(head(2000, "X-Max: 2000")).await;
    let interim = client.stream.read_until(b"\r\n\r\n", None).await.unwrap();
    assert_eq!(&interim[..], b"HTTP/1.1 100 Continue\r\n\r\n");
    client.send(vec![b'x'; 2000]).await;
    assert_eq!(client.read_response(&Method::POST).await.body, "2000");
    // And so does a limit lowered there.
    let client = RawClient::connect(addr).await;
    client.send(head(600, "X-Max: 500")).await;
    let first = client.stream.read_until(b"\r\n\r\n", None).await.unwrap();
    assert!(first.starts_with(b"HTTP/1.1 413 "), "{first:?}");
}

#[test]
fn http1_connection_parameters_default_is_tornados() {
    assert_eq!(
        Http1ConnectionParameters::default(),
        Http1ConnectionParameters {
            no_keep_alive: false,
            chunk_size: 65536,
            max_header_size: 65536,
            max_body_size: 100 * 1024 * 1024,
            header_timeout: None,
            body_timeout: None,
            idle_timeout: None,
            decompress: false,
        }
    );
}

#[tokio::test]
async fn default_max_header_size_is_enforced_at_its_edge() {
    check_head_edge(start_app(params(), sizes), 65536).await;
}

/// A delegate answering requests without a body in one call (naming them
/// `whole`) and the others through its message delegate (`message`);
/// `whole_requests` says whether it takes whole requests at all.
struct WholeOrMessage {
    whole_requests: bool,
}

/// Answers with the body `what`.
async fn answer(mut writer: ResponseWriter, what: &'static str) {
    writer
        .respond(200, HttpHeaders::new(), Bytes::from_static(what.as_bytes()))
        .await
        .unwrap();
}

struct AnswerMessage(Option<ResponseWriter>);

impl HttpMessageDelegate for AnswerMessage {
    async fn headers_received(&mut self, _: RequestStartLine, _: HttpHeaders) {}

    async fn finish(&mut self) {
        if let Some(writer) = self.0.take() {
            answer(writer, "message").await;
        }
    }
}

impl HttpServerConnectionDelegate<ResponseWriter> for WholeOrMessage {
    type Message = AnswerMessage;

    fn start_request(&self, writer: ResponseWriter) -> AnswerMessage {
        AnswerMessage(Some(writer))
    }

    fn answers_whole_requests(&self) -> bool {
        self.whole_requests
    }

    fn request_without_body(
        &self,
        start_line: RequestStartLine,
        _: HttpHeaders,
        writer: ResponseWriter,
    ) -> impl Future<Output = ()> + Send {
        assert_eq!(start_line.path, "/whole");
        answer(writer, "whole")
    }
}

/// Serves `delegate` on an unused port.
fn serve_delegate<D: HttpServerConnectionDelegate<ResponseWriter>>(delegate: D) -> SocketAddr {
    let delegate = Arc::new(delegate);
    accept_each(params(), move |connection| {
        connection.start(Arc::clone(&delegate));
    })
}

#[tokio::test]
async fn requests_without_a_body_go_whole_to_a_delegate_that_takes_them() {
    let addr = serve_delegate(WholeOrMessage {
        whole_requests: true,
    });
    let mut client = RawClient::connect(addr).await;
    let mut pipelined = get("/whole", &[]);
    pipelined.extend(post("/message", b"body"));
    pipelined.extend(get("/whole", &[]));
    client.send(pipelined).await;
    for expected in ["whole", "message", "whole"] {
        assert_eq!(client.get_response().await.body, expected);
    }
    let addr = serve_delegate(WholeOrMessage {
        whole_requests: false,
    });
    let mut client = RawClient::connect(addr).await;
    client.send(get("/whole", &[])).await;
    assert_eq!(client.get_response().await.body, "message");
}

#[tokio::test]
async fn a_malformed_request_after_pipelined_whole_requests_is_answered_400_after_them() {
    let addr = serve_delegate(WholeOrMessage {
        whole_requests: true,
    });
    let mut client = RawClient::connect(addr).await;
    let mut pipelined = get("/whole", &[]).repeat(2);
    pipelined.extend(b"GET /bad path HTTP/1.1\r\nHost: x\r\n\r\n");
    pipelined.extend(get("/whole", &[]));
    client.send(pipelined).await;
    for _ in 0..2 {
        assert_eq!(client.get_response().await.body, "whole");
    }
    let refused = client.get_response().await;
    assert_eq!(refused.code, 400);
    assert!(refused.connection_has("close"));
    assert!(client.read_until_close().await.is_empty());
}

#[tokio::test]
async fn a_head_split_after_pipelined_whole_requests_is_read_when_it_completes() {
    let addr = serve_delegate(WholeOrMessage {
        whole_requests: true,
    });
    let mut client = RawClient::connect(addr).await;
    let next = get("/whole", &[]);
    let (first_part, rest) = next.split_at(next.len() / 2);
    let mut pipelined = get("/whole", &[]).repeat(2);
    pipelined.extend(first_part);
    client.send(pipelined).await;
    for _ in 0..2 {
        assert_eq!(client.get_response().await.body, "whole");
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    client.send(rest.to_vec()).await;
    assert_eq!(client.get_response().await.body, "whole");
    assert!(client.buffered().is_empty());
}

/// Says it takes whole requests but keeps the default
/// `request_without_body`, which drops them.
struct DropsWholeRequests;

impl HttpServerConnectionDelegate<ResponseWriter> for DropsWholeRequests {
    type Message = AnswerMessage;

    fn start_request(&self, writer: ResponseWriter) -> AnswerMessage {
        AnswerMessage(Some(writer))
    }

    fn answers_whole_requests(&self) -> bool {
        true
    }
}

#[tokio::test]
async fn a_whole_request_dropped_by_the_default_is_answered_500() {
    let addr = serve_delegate(DropsWholeRequests);
    let _log = ExpectLog::new(APP_LOG, "Request from .* ended without a response").unwrap();
    let mut client = RawClient::connect(addr).await;
    client.send(get("/", &[])).await;
    assert_eq!(client.get_response().await.code, 500);
}

/// Reports on `dropped` when the answer holding it is dropped.
struct DropSignal(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        if let Some(dropped) = self.0.take() {
            let _ = dropped.send(());
        }
    }
}

/// A server whose answers wait forever, each holding a drop signal.
fn waiting_server() -> (
    HttpServer,
    SocketAddr,
    mpsc::UnboundedReceiver<tokio::sync::oneshot::Receiver<()>>,
) {
    let (answers, answered) = mpsc::unbounded_channel();
    let server = HttpServer::from_callback(
        move |_request, _writer: ResponseWriter| {
            let (dropped, on_drop) = tokio::sync::oneshot::channel();
            let _ = answers.send(on_drop);
            let signal = DropSignal(Some(dropped));
            async move {
                let _signal = signal;
                std::future::pending::<()>().await;
            }
        },
        HttpServerSettings::default(),
    );
    let addrs = server.listen(0, Some("127.0.0.1")).unwrap();
    (server, addrs[0], answered)
}

#[tokio::test]
async fn a_peer_closing_while_an_answer_waits_cancels_the_answer() {
    for request in [
        &b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"[..],
        &b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"[..],
    ] {
        let (server, addr, mut answered) = waiting_server();
        let client = IoStream::connect(addr).await.unwrap();
        client.write(request).await.unwrap();
        let on_drop = answered.recv().await.unwrap();
        client.close();
        tokio::time::timeout(Duration::from_secs(5), on_drop)
            .await
            .expect("the waiting answer was not dropped")
            .unwrap();
        server.stop();
        server.close_all_connections().await;
    }
}

#[tokio::test]
async fn a_pipelined_request_arriving_while_an_answer_waits_is_kept() {
    // The first answer waits for a signal; the request after it arrives
    // meanwhile and must be answered after it, not lost.
    let (release, released) = tokio::sync::watch::channel(false);
    let server = HttpServer::from_callback(
        move |request, mut writer: ResponseWriter| {
            let mut released = released.clone();
            async move {
                if request.path() == "/first" {
                    let _ = released.wait_for(|done| *done).await;
                }
                let _ = writer
                    .respond(200, HttpHeaders::new(), request.path().to_owned())
                    .await;
            }
        },
        HttpServerSettings::default(),
    );
    let addr = server.listen(0, Some("127.0.0.1")).unwrap()[0];
    let client = IoStream::connect(addr).await.unwrap();
    client
        .write(&b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n"[..])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    client
        .write(&b"GET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    release.send(true).unwrap();
    let responses = client.read_until_close().await.unwrap();
    let text = String::from_utf8_lossy(&responses);
    let first = text.find("/first").expect("first answered");
    let second = text.find("/second").expect("second answered");
    assert!(first < second, "{text}");
    server.stop();
}
