//! A small HTTP/1.1 test server written directly on tokio sockets, under
//! the tests' full control (keep-alive, chunked and close-delimited
//! responses, `100 Continue`, hanging requests, raw bytes), with the
//! routes of Tornado's `httpclient_test` and `simple_httpclient_test`
//! applications, and a count of accepted connections; and
//! [`ClientFixture`], that server with a client to fetch from it.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use supercell::httpclient::{
    AsyncHttpClient, ClientSettings, FetchError, HttpRequest, HttpResponse,
};
use supercell::testing::bind_unused_port;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, Vec<u8>)>,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn arg(&self, name: &str) -> Option<String> {
        self.arg_bytes(name)
            .map(|v| String::from_utf8_lossy(&v).into_owned())
    }

    pub fn arg_bytes(&self, name: &str) -> Option<Vec<u8>> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn keep_alive(&self) -> bool {
        let connection = self.header("Connection").unwrap_or("").to_ascii_lowercase();
        if self.version == "HTTP/1.0" {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        }
    }
}

/// What the server answers.
pub enum Reply {
    /// A response with a `Content-Length` (added unless given, or the code
    /// is 1xx/204/304); no body is sent for HEAD.
    Full {
        code: u16,
        headers: Vec<(String, Vec<u8>)>,
        body: Vec<u8>,
    },
    /// A chunked response, each chunk sent `delay` after the previous
    /// one; gzipped (each chunk flushed) when the client accepts gzip.
    Chunked {
        headers: Vec<(String, Vec<u8>)>,
        chunks: Vec<Vec<u8>>,
        delay: Duration,
    },
    /// These bytes, then the connection is closed.
    Raw(Vec<u8>),
    /// Each part after its delay, then nothing more until the client
    /// closes.
    Script(Vec<(Duration, Vec<u8>)>),
    /// The reply sent through the channel (never, if it is dropped:
    /// the request hangs until the connection is closed).
    Wait(oneshot::Receiver<Reply>),
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            code: 200,
            headers: vec![],
            body: body.into(),
        }
    }

    pub fn status(code: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            code,
            headers: vec![],
            body: body.into(),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Reply {
        if let Reply::Full { headers, .. } | Reply::Chunked { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.into()));
        }
        self
    }
}

pub type Handler =
    Arc<dyn Fn(Request) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync>;

/// Wraps an async closure as a [`Handler`].
pub fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    Arc::new(move |request| Box::pin(f(request)))
}

/// A reply given before the body is read (Tornado's `prepare` answering
/// a streaming request): the body is never read and the connection closes.
pub type EarlyReply = Arc<dyn Fn(&Request) -> Option<Reply> + Send + Sync>;

pub struct TestServer {
    pub port: u16,
    pub tls: bool,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn start(handler: Handler) -> TestServer {
        TestServer::start_with(handler, None, None).await
    }

    pub async fn start_with(
        handler: Handler,
        early: Option<EarlyReply>,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> TestServer {
        let (listener, _) = bind_unused_port().unwrap();
        let listener = TcpListener::from_std(listener).unwrap();
        TestServer::on_listener(listener, handler, early, tls)
    }

    pub fn on_listener(
        listener: TcpListener,
        handler: Handler,
        early: Option<EarlyReply>,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> TestServer {
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        let is_tls = tls.is_some();
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                let handler = handler.clone();
                let early = early.clone();
                let acceptor = acceptor.clone();
                connections.spawn(async move {
                    match acceptor {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(socket).await {
                                serve(stream, handler, early).await;
                            }
                        }
                        None => serve(socket, handler, early).await,
                    }
                });
                while connections.try_join_next().is_some() {}
            }
        });
        TestServer {
            port,
            tls: is_tls,
            accepted,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}{path}", self.port)
    }

    /// How many connections the server accepted.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// `a=1&b=2` as pairs.
pub fn parse_qs(qs: &str) -> Vec<(String, Vec<u8>)> {
    qs.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                String::from_utf8_lossy(&percent_decode(k)).into_owned(),
                percent_decode(v),
            )
        })
        .collect()
}

async fn read_line<S: AsyncRead + Unpin>(reader: &mut BufReader<S>) -> Option<String> {
    let mut line = Vec::new();
    let n = reader.read_until(b'\n', &mut line).await.ok()?;
    if n == 0 {
        return None;
    }
    Some(
        String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_owned(),
    )
}

async fn read_head<S: AsyncRead + Unpin>(reader: &mut BufReader<S>) -> Option<Request> {
    let mut start = read_line(reader).await?;
    if start.is_empty() {
        start = read_line(reader).await?;
    }
    let mut parts = start.split(' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let version = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader).await?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    Some(Request {
        method,
        path: path.to_owned(),
        query: parse_qs(query),
        version,
        headers,
        body: Vec::new(),
    })
}

async fn read_body<S: AsyncRead + Unpin>(
    reader: &mut BufReader<S>,
    request: &Request,
) -> Option<Vec<u8>> {
    if let Some(length) = request.header("Content-Length") {
        let mut body = vec![0; length.parse().ok()?];
        reader.read_exact(&mut body).await.ok()?;
        return Some(body);
    }
    if request
        .header("Transfer-Encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        let mut body = Vec::new();
        loop {
            let line = read_line(reader).await?;
            let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
            if size == 0 {
                while !read_line(reader).await?.is_empty() {}
                return Some(body);
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).await.ok()?;
            body.extend_from_slice(&chunk[..size]);
        }
    }
    Some(Vec::new())
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Writes `reply`; `false` when the connection must close afterwards.
async fn write_reply<S: AsyncWrite + Unpin>(
    stream: &mut S,
    request: &Request,
    reply: Reply,
) -> bool {
    let accepts_gzip = request
        .header("Accept-Encoding")
        .is_some_and(|v| v.contains("gzip"));
    let mut out: Vec<u8> = Vec::new();
    match reply {
        Reply::Wait(_) => unreachable!("resolved before writing"),
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            return false;
        }
        Reply::Script(parts) => {
            for (delay, bytes) in parts {
                tokio::time::sleep(delay).await;
                let _ = stream.write_all(&bytes).await;
                let _ = stream.flush().await;
            }
            std::future::pending::<()>().await;
        }
        Reply::Full {
            code,
            headers,
            body,
        } => {
            let _ = write!(out, "HTTP/1.1 {code} {}\r\n", reason(code));
            let mut has_length = false;
            for (name, value) in &headers {
                has_length |= name.eq_ignore_ascii_case("Content-Length");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(value);
                out.extend_from_slice(b"\r\n");
            }
            let bodyless = (100..200).contains(&code) || code == 204 || code == 304;
            if !has_length && !bodyless {
                let _ = write!(out, "Content-Length: {}\r\n", body.len());
            }
            if !request.keep_alive() {
                out.extend_from_slice(b"Connection: close\r\n");
            }
            out.extend_from_slice(b"\r\n");
            if request.method != "HEAD" && !bodyless {
                out.extend_from_slice(&body);
            }
            if stream.write_all(&out).await.is_err() {
                return false;
            }
        }
        Reply::Chunked {
            headers,
            chunks,
            delay,
        } => {
            out.extend_from_slice(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
            for (name, value) in &headers {
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b": ");
                out.extend_from_slice(value);
                out.extend_from_slice(b"\r\n");
            }
            if accepts_gzip {
                out.extend_from_slice(b"Content-Encoding: gzip\r\n");
            }
            if !request.keep_alive() {
                out.extend_from_slice(b"Connection: close\r\n");
            }
            out.extend_from_slice(b"\r\n");
            let mut encoder = accepts_gzip
                .then(|| flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default()));
            let count = chunks.len();
            for (i, chunk) in chunks.into_iter().enumerate() {
                let data = match &mut encoder {
                    Some(encoder) => {
                        encoder.write_all(&chunk).unwrap();
                        encoder.flush().unwrap();
                        std::mem::take(encoder.get_mut())
                    }
                    None => chunk,
                };
                let _ = write!(out, "{:x}\r\n", data.len());
                out.extend_from_slice(&data);
                out.extend_from_slice(b"\r\n");
                if stream.write_all(&std::mem::take(&mut out)).await.is_err() {
                    return false;
                }
                let _ = stream.flush().await;
                if i + 1 < count {
                    tokio::time::sleep(delay).await;
                }
            }
            if let Some(encoder) = encoder {
                let tail = encoder.finish().unwrap();
                let _ = write!(out, "{:x}\r\n", tail.len());
                out.extend_from_slice(&tail);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
            if stream.write_all(&out).await.is_err() {
                return false;
            }
        }
    }
    let _ = stream.flush().await;
    request.keep_alive()
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin + Send>(
    stream: S,
    handler: Handler,
    early: Option<EarlyReply>,
) {
    let mut reader = BufReader::new(stream);
    loop {
        let Some(mut request) = read_head(&mut reader).await else {
            return;
        };
        if let Some(reply) = early.as_ref().and_then(|early| early(&request)) {
            write_reply(reader.get_mut(), &request, reply).await;
            return;
        }
        let expects_continue = request
            .header("Expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
        if expects_continue
            && reader
                .get_mut()
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await
                .is_err()
        {
            return;
        }
        let Some(body) = read_body(&mut reader, &request).await else {
            return;
        };
        request.body = body;
        let mut reply = handler(request.clone()).await;
        while let Reply::Wait(receiver) = reply {
            match receiver.await {
                Ok(next) => reply = next,
                Err(_) => {
                    // Nobody will answer: hang until the client goes away.
                    let mut rest = Vec::new();
                    let _ = reader.read_to_end(&mut rest).await;
                    return;
                }
            }
        }
        if !write_reply(reader.get_mut(), &request, reply).await {
            let _ = reader.get_mut().shutdown().await;
            return;
        }
    }
}

pub fn reason(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        _ => "Unknown",
    }
}

/// Requests of `/trigger` waiting to be answered (Tornado's `triggers`).
#[derive(Default, Clone)]
pub struct Triggers {
    waiting: Arc<Mutex<VecDeque<oneshot::Sender<Reply>>>>,
    arrived: Arc<Notify>,
}

impl Triggers {
    pub fn len(&self) -> usize {
        self.waiting.lock().unwrap().len()
    }

    /// Answers the oldest waiting request with "ok".
    pub fn fire(&self) {
        let sender = self
            .waiting
            .lock()
            .unwrap()
            .pop_front()
            .expect("a waiting trigger");
        let _ = sender.send(Reply::ok("ok"));
    }

    /// Waits until `n` requests wait.
    pub async fn wait_for(&self, n: usize) {
        loop {
            let notified = self.arrived.notified();
            if self.len() >= n {
                return;
            }
            notified.await;
        }
    }

    fn push(&self, sender: oneshot::Sender<Reply>) {
        self.waiting.lock().unwrap().push_back(sender);
        self.arrived.notify_waiters();
    }
}

fn form(body: &[u8]) -> Vec<(String, Vec<u8>)> {
    parse_qs(&String::from_utf8_lossy(body))
}

/// The routes of Tornado's client test applications.
pub fn tornado_app(triggers: Triggers) -> Handler {
    handler(move |request: Request| {
        let triggers = triggers.clone();
        async move { route(request, &triggers).await }
    })
}

async fn route(request: Request, triggers: &Triggers) -> Reply {
    let method = request.method.as_str();
    let path = request.path.as_str();
    if let Some(count) = path.strip_prefix("/countdown/") {
        let count: u32 = count.parse().unwrap_or(0);
        return if count > 0 {
            Reply::status(302, "").with_header("Location", format!("/countdown/{}", count - 1))
        } else {
            Reply::ok("Zero")
        };
    }
    match (method, path) {
        ("GET", "/hello") => {
            let name = request.arg("name").unwrap_or_else(|| "world".into());
            Reply::ok(format!("Hello {name}!")).with_header("Content-Type", "text/plain")
        }
        ("POST", "/post") => {
            let args = form(&request.body);
            let get = |k: &str| {
                args.iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
                    .unwrap_or_default()
            };
            Reply::ok(format!("Post arg1: {}, arg2: {}", get("arg1"), get("arg2")))
        }
        ("PUT", "/put") => {
            let mut body = b"Put body: ".to_vec();
            body.extend_from_slice(&request.body);
            Reply::ok(body)
        }
        (_, "/redirect") => {
            let status = request
                .arg("status")
                .and_then(|s| s.parse().ok())
                .unwrap_or(302);
            Reply::status(status, "redirects can have bodies too")
                .with_header("Location", request.arg("url").unwrap_or_default())
        }
        ("GET", "/chunk") => Reply::Chunked {
            headers: vec![("Content-Type".into(), b"text/html; charset=UTF-8".to_vec())],
            chunks: vec![b"asdf".to_vec(), b"qwer".to_vec()],
            delay: Duration::from_millis(10),
        },
        ("GET", "/auth") => Reply::ok(request.header("Authorization").unwrap_or("").to_owned()),
        ("POST", "/echopost" | "/echo_post") | ("PATCH", "/patch") => {
            Reply::ok(request.body.clone())
        }
        ("GET", "/user_agent") => Reply::ok(
            request
                .header("User-Agent")
                .unwrap_or("User agent not set")
                .to_owned(),
        ),
        ("GET", "/304_with_content_length") => {
            Reply::status(304, "").with_header("Content-Length", "42")
        }
        (_, "/all_methods") => Reply::ok(request.method.clone()),
        ("GET", "/set_header") => {
            let mut reply = Reply::ok("");
            for ((_, k), (_, v)) in request
                .query
                .iter()
                .filter(|(n, _)| n == "k")
                .zip(request.query.iter().filter(|(n, _)| n == "v"))
            {
                reply = reply.with_header(&String::from_utf8_lossy(k), v.clone());
            }
            reply
        }
        ("GET", "/trigger") => {
            let (sender, receiver) = oneshot::channel();
            triggers.push(sender);
            Reply::Wait(receiver)
        }
        ("GET", "/hang") => {
            let (_, receiver) = oneshot::channel();
            Reply::Wait(receiver)
        }
        ("GET", "/content_length") => {
            Reply::ok("ok").with_header("Content-Length", request.arg("value").unwrap_or_default())
        }
        ("HEAD", "/head") => Reply::ok("").with_header("Content-Length", "7"),
        ("OPTIONS", "/options") => Reply::ok("ok").with_header("Access-Control-Allow-Origin", "*"),
        ("GET", "/no_content") => Reply::status(204, ""),
        ("POST", "/see_other_post") => {
            let code: u16 = String::from_utf8_lossy(&request.body).parse().unwrap_or(0);
            assert!(
                code == 302 || code == 303,
                "unexpected body {:?}",
                request.body
            );
            Reply::status(code, "").with_header("Location", "/see_other_get")
        }
        ("GET", "/see_other_get") => {
            if request.body.is_empty() {
                Reply::ok("ok")
            } else {
                Reply::status(500, "unexpected body")
            }
        }
        ("GET", "/host_echo") => Reply::ok(request.header("Host").unwrap_or("").to_owned()),
        ("GET", "/no_content_length") => Reply::Raw(b"HTTP/1.0 200 OK\r\n\r\nhello".to_vec()),
        ("GET", "/large_gzip") => {
            let size: usize = request
                .arg("size")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let body = vec![b'a'; size];
            if request
                .header("Accept-Encoding")
                .is_some_and(|v| v.contains("gzip"))
            {
                Reply::ok(gzip(&body)).with_header("Content-Encoding", "gzip")
            } else {
                Reply::ok(body)
            }
        }
        (
            _,
            "/hello" | "/post" | "/put" | "/chunk" | "/auth" | "/echopost" | "/echo_post"
            | "/patch" | "/user_agent" | "/head" | "/options",
        ) => Reply::status(405, "Method Not Allowed"),
        _ => Reply::status(404, "<html><title>404: Not Found</title></html>"),
    }
}

/// Answers `/respond_in_prepare` with 403 before reading the body.
pub fn respond_in_prepare() -> EarlyReply {
    Arc::new(|request: &Request| {
        (request.path == "/respond_in_prepare").then(|| Reply::status(403, "forbidden"))
    })
}

/// Fetches `/` with a default client from a server answering every
/// connection with `bytes`, then closing it; `raise_error` as
/// [`AsyncHttpClient::fetch_with`], the outcome unwrapped.
pub async fn fetch_raw_reply(bytes: &'static [u8], raise_error: bool) -> HttpResponse {
    let server =
        TestServer::start(handler(move |_| async move { Reply::Raw(bytes.to_vec()) })).await;
    AsyncHttpClient::default()
        .fetch_with(server.url("/"), raise_error)
        .await
        .unwrap()
}

/// A handler answering with `reply(n)` to the `n`th request it gets
/// (from 1, over all connections), and the count (which a test may
/// reset).
pub fn numbered<F>(reply: F) -> (Handler, Arc<Mutex<usize>>)
where
    F: Fn(usize) -> Reply + Send + Sync + 'static,
{
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    let reply = Arc::new(reply);
    let handler = handler(move |_| {
        let n = {
            let mut count = seen.lock().unwrap();
            *count += 1;
            *count
        };
        let reply = reply.clone();
        async move { reply(n) }
    });
    (handler, count)
}

/// Checks that `response` is the 599 of a failed request whose error's
/// cause passes `is_expected`.
pub fn assert_failed(response: &HttpResponse, is_expected: impl Fn(&FetchError) -> bool) {
    assert_eq!(response.code, 599, "{:?}", response.error);
    let cause = response
        .error
        .as_ref()
        .and_then(|error| error.cause.as_ref());
    assert!(cause.is_some_and(is_expected), "{:?}", response.error);
}

/// The `Location` header of `response`.
pub fn location(response: &HttpResponse) -> &str {
    response.headers.get("Location").unwrap()
}

/// A response body as text.
pub fn text(body: &Bytes) -> &str {
    std::str::from_utf8(body).unwrap()
}

/// The set-up of Tornado's client tests: the routes of its test
/// application ([`tornado_app`], with [`respond_in_prepare`]) over HTTP,
/// or HTTPS with a server configuration, and a client to fetch from it
/// (not checking the test certificate over HTTPS, as Tornado's HTTPS
/// cases).
pub struct ClientFixture {
    pub server: TestServer,
    pub triggers: Triggers,
    pub client: AsyncHttpClient,
}

impl ClientFixture {
    pub async fn start(tls: Option<Arc<rustls::ServerConfig>>) -> ClientFixture {
        let triggers = Triggers::default();
        let server = TestServer::start_with(
            tornado_app(triggers.clone()),
            Some(respond_in_prepare()),
            tls,
        )
        .await;
        let mut fixture = ClientFixture {
            server,
            triggers,
            client: AsyncHttpClient::default(),
        };
        fixture.client = fixture.create_client(ClientSettings::default());
        fixture
    }

    /// Fetches with `client` instead.
    pub fn with_client(mut self, client: AsyncHttpClient) -> ClientFixture {
        self.client = client;
        self
    }

    /// A new client with `settings` for this server.
    pub fn create_client(&self, mut settings: ClientSettings) -> AsyncHttpClient {
        if self.server.tls {
            settings.defaults.validate_cert = Some(false);
        }
        AsyncHttpClient::new(settings)
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    pub fn req(&self, path: &str) -> HttpRequest {
        HttpRequest::new(self.url(path))
    }

    /// As Tornado's `AsyncHTTPTestCase.fetch`: the response whatever its
    /// code.
    pub async fn fetch(&self, request: HttpRequest) -> HttpResponse {
        self.client.fetch_with(request, false).await.unwrap()
    }
}
