//! Counterparts of Tornado 5.0's `tornado/test/web_test.py` for the
//! `web` and `routing` modules, over real sockets on 127.0.0.1 (raw
//! sockets where Tornado's test drives a raw stream). Each test is named
//! as its Tornado method, prefixed with its class where two classes share
//! a method name, and says which one it stands for.
//!
//! Tornado tests that have no counterpart, and why:
//! - `WSGISafeWebTest.test_types`: checks the Python types (`str`,
//!   `bytes`, `unicode`) of what a handler sees; Rust's types say it.
//! - `DecoratedStreamingRequestFlowControlTest` and
//!   `NativeStreamingRequestFlowControlTest`: the same three tests of
//!   `BaseStreamingRequestFlowControlTest`, with `data_received` written
//!   as a `@gen.coroutine` and as a native coroutine. Rust has one form of
//!   asynchronous method, so the three run once.
//! - The `wsgi_safe` registration: the classes it marks run again under
//!   Tornado's WSGI adapter; there is no WSGI here, every test runs over
//!   HTTP.
//!
//! Adapted counterparts:
//! - Tornado's `@asynchronous` handlers and `flush(callback=...)` chains
//!   (`ConnectionCloseTest`, `NonWSGIWebTests`) are asynchronous methods
//!   awaiting; `MultipleExceptionTest` raises its errors from a streamed
//!   body's pieces instead of from IOLoop callbacks.
//! - `HandlerByNameTest`: Rust cannot import a class by its dotted name;
//!   a route gets its handler by a name looked up in a table of factories,
//!   or by a constructor's path, resolved when compiled.
//! - `HostMatchingTest`, `DefaultHostMatchingTest`: virtual hosts are
//!   added before the application serves (it is shared afterwards), and
//!   `default_host` is a setting fixed when the application is made, so
//!   the change of default host is a second application.
//! - Raw requests carry `Host`, which supercell requires on HTTP/1.1.
//! - `ClientCloseTest`: a handler cannot reach its connection's stream, so
//!   the client closes the connection while the handler runs.
//! - `RequestSummaryTest`: a remote IP is text, never missing; an empty
//!   one must not break the access log line.
//! - `DecodeArgHandler` overrides `decode_argument`, which returns text:
//!   Tornado's "bytes" case (an argument left undecoded) is a marked hex
//!   string here.
//! - Handlers have no `log_exception` to override: `ExceptionHandlerTest`'s
//!   handler logs its own error from `write_error`, which receives it.
//! - `IncorrectContentLengthTest` checks the connection's error values
//!   (`HttpOutputError`) where Tornado checks its messages.
//! - `URLSpecReverseTest` reverses with `PathMatches`, the matcher `url`
//!   builds.
#![allow(clippy::too_many_lines)]

#[path = "support/raw_http.rs"]
mod raw_http;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method};
use raw_http::{RawClient, chunked_post, request};
use serde_json::{Value, json};
use supercell::httpclient::{BodyWriter, HttpRequest, HttpResponse};
use supercell::httpserver::HttpServerSettings;
use supercell::httputil::{HttpOutputError, RequestContext};
use supercell::routing::{Matcher, PathMatches, RouteError};
use supercell::testing::{ExpectLog, HttpTestServer, LogCapture};
use supercell::util::log_target::{ACCESS_LOG, APP_LOG, GEN_LOG};
use supercell::web::{
    Application, ArgumentSource, Context, CurrentUser, DEFAULT_SUPPORTED_METHODS, ETag,
    ErrorHandler, Finish, HandlerFactory, HttpError, MissingArgumentError, RedirectHandler,
    RequestHandler, Route, Settings, UsageError, WebError, WebResult, send_error, url,
};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tracing::Level;

// Helpers.

/// An application of `routes` with default settings.
fn app(routes: Vec<Route>) -> Application {
    Application::new(routes, Settings::default()).unwrap()
}

/// A test server for `routes` (Tornado's `WebTestCase`).
fn serve(routes: Vec<Route>) -> HttpTestServer {
    HttpTestServer::new(app(routes)).unwrap()
}

/// A test server for one handler at `/` (Tornado's
/// `SimpleHandlerTestCase`).
fn serve_one<H, F>(make: F) -> HttpTestServer
where
    H: RequestHandler,
    F: Fn() -> H + Send + Sync + 'static,
{
    serve(vec![url("/", make)])
}

/// A test server for `routes` with `compress_response` on: an application
/// whose responses pass through a transform.
fn serve_compressed(routes: Vec<Route>) -> HttpTestServer {
    let settings = Settings {
        compress_response: true,
        ..Settings::default()
    };
    HttpTestServer::new(Application::new(routes, settings).unwrap()).unwrap()
}

/// The `ETag` of `server`'s response to `GET path`.
async fn etag_of(server: &HttpTestServer, path: &str) -> String {
    let response = server.fetch(path).await;
    response.headers.get("Etag").expect("an ETag").to_owned()
}

/// The address of `server`, for raw clients.
fn addr_of(server: &HttpTestServer) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], server.http_port()))
}

/// The body of `response` as JSON.
#[track_caller]
fn json_of(response: &HttpResponse) -> Value {
    assert!(
        response.error.is_none() || (200..300).contains(&response.code),
        "{}: {} {:?}: {:?}",
        response.request.url,
        response.code,
        response.error,
        response.body
    );
    serde_json::from_slice(&response.body)
        .unwrap_or_else(|error| panic!("{error}: {:?}", response.body))
}

/// A `GET` of `path` that does not follow redirects.
fn no_follow(path: &str) -> HttpRequest {
    HttpRequest::new(path).follow_redirects(false)
}

/// A `method` request of `path` with `body`.
fn with_body(path: &str, method: &str, body: &str) -> HttpRequest {
    HttpRequest::new(path).method(method).body(body.to_owned())
}

/// What a handler tells its test.
#[derive(Debug, PartialEq, Eq)]
enum Event {
    Prepared,
    Data(Bytes),
    Finished,
    Waiting,
    Closed,
}

type Events = UnboundedSender<Event>;

/// The next event, failing the test after 5 seconds without one.
async fn next_event(events: &mut UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("no event from the handler within 5 s")
        .expect("every handler is gone")
}

/// An error standing for Python's `ZeroDivisionError` (the `1 / 0` of
/// Tornado's handlers): anything that is not an `HttpError`.
#[derive(Debug)]
struct ZeroDivisionError;

impl std::fmt::Display for ZeroDivisionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("division by zero")
    }
}

impl std::error::Error for ZeroDivisionError {}

/// A handler with nothing of its own (Tornado's bare `RequestHandler`).
struct BaseHandler;

impl RequestHandler for BaseHandler {}

/// Writes `hello` (Tornado's `HelloHandler`).
#[derive(Default)]
struct HelloHandler;

impl RequestHandler for HelloHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write("hello")
    }
}

// ConnectionCloseTest

/// Waits forever, and tells the test when it starts waiting and when the
/// connection closes (Tornado's `ConnectionCloseHandler`).
struct ConnectionCloseHandler(Events);

impl RequestHandler for ConnectionCloseHandler {
    async fn get(&mut self, _: &mut Context) -> WebResult {
        let _ = self.0.send(Event::Waiting);
        std::future::pending::<()>().await;
        Ok(())
    }

    fn on_connection_close(&mut self, _: &mut Context) {
        let _ = self.0.send(Event::Closed);
    }
}

/// Tornado: ConnectionCloseTest.test_connection_close
#[tokio::test]
async fn test_connection_close() {
    let (tx, mut events) = unbounded_channel();
    let server = serve(vec![url("/", move || ConnectionCloseHandler(tx.clone()))]);
    let client = RawClient::connect(addr_of(&server)).await;
    client.send(&b"GET / HTTP/1.0\r\n\r\n"[..]).await;
    assert_eq!(next_event(&mut events).await, Event::Waiting);
    client.stream.close();
    assert_eq!(next_event(&mut events).await, Event::Closed);
    server.stop().await;
}

// RequestEncodingTest

/// Writes the path, the path arguments and the arguments as JSON
/// (Tornado's `EchoHandler`).
struct EchoHandler;

impl RequestHandler for EchoHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let mut args = serde_json::Map::new();
        let names: Vec<String> = cx.request().arguments().keys().cloned().collect();
        for name in names {
            // Decoded as the handler API decodes them (invalid UTF-8: 400).
            cx.get_arguments(&name)?;
            let values: Vec<String> = cx.request().arguments()[&name]
                .iter()
                .map(|value| String::from_utf8_lossy(value).into_owned())
                .collect();
            args.insert(name, json!(values));
        }
        let echo = json!({
            "path": cx.request().path(),
            "path_args": cx.path_args(),
            "args": args,
        });
        cx.write_json(&echo)
    }
}

fn request_encoding_server() -> HttpTestServer {
    serve(vec![
        url("/group/(.*)", || EchoHandler),
        url("/slashes/([^/]*)/([^/]*)", || EchoHandler),
    ])
}

/// Tornado: RequestEncodingTest.test_group_question_mark
#[tokio::test]
async fn test_group_question_mark() {
    let server = request_encoding_server();
    assert_eq!(
        json_of(&server.fetch("/group/%3F").await),
        json!({"path": "/group/%3F", "path_args": ["?"], "args": {}})
    );
    assert_eq!(
        json_of(&server.fetch("/group/%3F?%3F=%3F").await),
        json!({"path": "/group/%3F", "path_args": ["?"], "args": {"?": ["?"]}})
    );
    server.stop().await;
}

/// Tornado: RequestEncodingTest.test_group_encoding
#[tokio::test]
async fn test_group_encoding() {
    let server = request_encoding_server();
    assert_eq!(
        json_of(&server.fetch("/group/%C3%A9?arg=%C3%A9").await),
        json!({"path": "/group/%C3%A9", "path_args": ["\u{e9}"], "args": {"arg": ["\u{e9}"]}})
    );
    server.stop().await;
}

/// Tornado: RequestEncodingTest.test_slashes
#[tokio::test]
async fn test_slashes() {
    let server = request_encoding_server();
    assert_eq!(
        json_of(&server.fetch("/slashes/foo/bar").await),
        json!({"path": "/slashes/foo/bar", "path_args": ["foo", "bar"], "args": {}})
    );
    assert_eq!(
        json_of(&server.fetch("/slashes/a%2Fb/c%2Fd").await),
        json!({"path": "/slashes/a%2Fb/c%2Fd", "path_args": ["a/b", "c/d"], "args": {}})
    );
    server.stop().await;
}

/// Tornado: RequestEncodingTest.test_error
#[tokio::test]
async fn test_error() {
    let server = request_encoding_server();
    // A percent sign (`%25`) in the value must not confuse the log line.
    let expected = ExpectLog::new(GEN_LOG, ".*Invalid unicode").unwrap();
    let response = server.fetch("/group/?arg=%25%e9").await;
    expected.finish().unwrap();
    assert_eq!(response.code, 400);
    server.stop().await;
}

// WSGISafeWebTest

/// Describes its path argument and its `foo` argument: as text decoded
/// with the request's `encoding` argument, or as bytes without one
/// (Tornado's `DecodeArgHandler`, whose `decode_argument` does this).
struct DecodeArgHandler;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Marks an argument left undecoded (Tornado's handler returns the bytes
/// themselves; text is all a decoded argument can be here).
const UNDECODED: &str = "bytes:";

impl RequestHandler for DecodeArgHandler {
    /// Decodes with the `encoding` argument's codec, read from the raw
    /// arguments (as Tornado's does, to avoid recursion); without one,
    /// leaves the bytes undecoded.
    fn decode_argument(cx: &Context, value: &[u8], _: &str) -> WebResult<String> {
        let encoding = cx
            .request()
            .arguments()
            .get("encoding")
            .and_then(|values| values.first())
            .map(|value| String::from_utf8_lossy(value).into_owned());
        match encoding.as_deref() {
            None => Ok(format!("{UNDECODED}{}", hex(value))),
            Some("utf-8") => Ok(std::str::from_utf8(value)?.to_owned()),
            Some("latin1") => Ok(value.iter().copied().map(char::from).collect()),
            Some(other) => Err(HttpError::new(400)
                .log_message(format!("unknown encoding {other}"))
                .into()),
        }
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let describe = |decoded: &str| match decoded.strip_prefix(UNDECODED) {
            Some(hex) => json!(["bytes", hex]),
            None => json!(["unicode", decoded]),
        };
        let query = cx.get_argument("foo")?;
        let path = cx
            .path_arg(0)
            .or_else(|| cx.path_kwarg("arg"))
            .unwrap_or("");
        let described = json!({"path": describe(path), "query": describe(&query)});
        cx.write_json(&described)
    }
}

/// Reads `foo`, as Tornado's `TypeCheckHandler` does in `prepare` (its
/// type checks have no counterpart).
struct ArgumentReadingHandler;

impl RequestHandler for ArgumentReadingHandler {
    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        cx.get_argument("foo")?;
        Ok(())
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write_json(&json!({}))
    }
}

/// Tornado: `OptionalPathHandler`.
struct OptionalPathHandler;

impl RequestHandler for OptionalPathHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let path = json!({"path": cx.path_arg(0)});
        cx.write_json(&path)
    }
}

/// Tornado: `MultiHeaderHandler`.
struct MultiHeaderHandler;

impl RequestHandler for MultiHeaderHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("x-overwrite", "1")?;
        cx.set_header("X-Overwrite", 2)?;
        cx.add_header("x-multi", 3)?;
        cx.add_header("X-Multi", "4")
    }
}

/// Redirects to `/` as its arguments say (Tornado's `RedirectHandler` of
/// this test file, not the built-in one).
struct ArgumentRedirectHandler;

impl RequestHandler for ArgumentRedirectHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        if let Some(permanent) = cx.get_argument_opt("permanent")? {
            let permanent = permanent.parse::<i64>()? != 0;
            cx.redirect("/", permanent, None).await
        } else if let Some(status) = cx.get_argument_opt("status")? {
            cx.redirect("/", false, Some(status.parse()?)).await
        } else {
            Err(WebError::msg("didn't get permanent or status arguments"))
        }
    }
}

/// Tornado: `HeaderInjectionHandler`.
struct HeaderInjectionHandler;

impl RequestHandler for HeaderInjectionHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        match cx.set_header("X-Foo", "foo\r\nX-Bar: baz") {
            Ok(()) => Err(WebError::msg("Didn't get expected exception")),
            Err(error)
                if error
                    .downcast_ref::<UsageError>()
                    .is_some_and(|usage| usage.0.contains("unsafe value")) =>
            {
                cx.finish_with("ok").await
            }
            Err(error) => Err(error),
        }
    }
}

/// Tornado: `GetArgumentHandler`.
struct GetArgumentHandler;

impl RequestHandler for GetArgumentHandler {
    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        let value = match cx.get_argument_opt("source")?.as_deref() {
            Some("query") => cx.get_query_argument_or("foo", "default")?,
            Some("body") => cx.get_body_argument_or("foo", "default")?,
            _ => cx.get_argument_or("foo", "default")?,
        };
        cx.finish_with(value).await
    }
}

/// Tornado: `GetArgumentsHandler`.
struct GetArgumentsHandler;

impl RequestHandler for GetArgumentsHandler {
    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        let all = json!({
            "default": cx.get_arguments("foo")?,
            "query": cx.get_query_arguments("foo")?,
            "body": cx.get_body_arguments("foo")?,
        });
        cx.write_json(&all)?;
        cx.finish().await
    }
}

fn wsgi_safe_app() -> Application {
    app(vec![
        url("/typecheck/(.*)", || ArgumentReadingHandler).name("typecheck"),
        url("/decode_arg/(.*)", || DecodeArgHandler).name("decode_arg"),
        url("/decode_arg_kw/(?P<arg>.*)", || DecodeArgHandler),
        url("/optional_path/(.+)?", || OptionalPathHandler),
        url("/multi_header", || MultiHeaderHandler),
        url("/redirect", || ArgumentRedirectHandler),
        url("/web_redirect_permanent", || {
            RedirectHandler::new("/web_redirect_newpath")
        }),
        url("/web_redirect", || {
            RedirectHandler::temporary("/web_redirect_newpath")
        }),
        url("//web_redirect_double_slash", || {
            RedirectHandler::new("/web_redirect_newpath")
        }),
        url("/header_injection", || HeaderInjectionHandler),
        url("/get_argument", || GetArgumentHandler),
        url("/get_arguments", || GetArgumentsHandler),
    ])
}

fn wsgi_safe_server() -> HttpTestServer {
    HttpTestServer::new(wsgi_safe_app()).unwrap()
}

/// Tornado: WSGISafeWebTest.test_decode_argument
#[tokio::test]
async fn test_decode_argument() {
    let server = wsgi_safe_server();
    // These URLs all decode to the same thing.
    for path in [
        "/decode_arg/%C3%A9?foo=%C3%A9&encoding=utf-8",
        "/decode_arg/%E9?foo=%E9&encoding=latin1",
        "/decode_arg_kw/%E9?foo=%E9&encoding=latin1",
    ] {
        assert_eq!(
            json_of(&server.fetch(path).await),
            json!({"path": ["unicode", "\u{e9}"], "query": ["unicode", "\u{e9}"]}),
            "{path}"
        );
    }
    assert_eq!(
        json_of(&server.fetch("/decode_arg/%C3%A9?foo=%C3%A9").await),
        json!({"path": ["bytes", "c3a9"], "query": ["bytes", "c3a9"]})
    );
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_decode_argument_invalid_unicode
#[tokio::test]
async fn test_decode_argument_invalid_unicode() {
    let server = wsgi_safe_server();
    // Invalid UTF-8 in a URL is answered 400, not 500.
    let expected = ExpectLog::new(GEN_LOG, ".*Invalid unicode.*").unwrap();
    assert_eq!(server.fetch("/typecheck/invalid%FF").await.code, 400);
    assert_eq!(server.fetch("/typecheck/invalid?foo=%FF").await.code, 400);
    expected.finish().unwrap();
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_decode_argument_plus
#[tokio::test]
async fn test_decode_argument_plus() {
    let server = wsgi_safe_server();
    // These URLs are all equivalent.
    for path in [
        "/decode_arg/1%20%2B%201?foo=1%20%2B%201&encoding=utf-8",
        "/decode_arg/1%20+%201?foo=1+%2B+1&encoding=utf-8",
    ] {
        assert_eq!(
            json_of(&server.fetch(path).await),
            json!({"path": ["unicode", "1 + 1"], "query": ["unicode", "1 + 1"]}),
            "{path}"
        );
    }
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_reverse_url
#[test]
fn test_reverse_url() {
    let app = wsgi_safe_app();
    assert_eq!(
        app.reverse_url("decode_arg", &["foo"]).unwrap(),
        "/decode_arg/foo"
    );
    assert_eq!(
        app.reverse_url("decode_arg", &[42.to_string().as_str()])
            .unwrap(),
        "/decode_arg/42"
    );
    // Tornado's `b'\xe9'` (bytes that are not UTF-8) has no counterpart:
    // arguments are text.
    assert_eq!(
        app.reverse_url("decode_arg", &["\u{e9}"]).unwrap(),
        "/decode_arg/%C3%A9"
    );
    assert_eq!(
        app.reverse_url("decode_arg", &["1 + 1"]).unwrap(),
        "/decode_arg/1%20%2B%201"
    );
}

/// Tornado: WSGISafeWebTest.test_optional_path
#[tokio::test]
async fn test_optional_path() {
    let server = wsgi_safe_server();
    assert_eq!(
        json_of(&server.fetch("/optional_path/foo").await),
        json!({"path": "foo"})
    );
    assert_eq!(
        json_of(&server.fetch("/optional_path/").await),
        json!({"path": null})
    );
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_multi_header
#[tokio::test]
async fn test_multi_header() {
    let server = wsgi_safe_server();
    let response = server.fetch("/multi_header").await;
    assert_eq!(response.headers.get("x-overwrite"), Some("2"));
    assert_eq!(response.headers.get_list("x-multi"), ["3", "4"]);
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_redirect
#[tokio::test]
async fn test_redirect() {
    let server = wsgi_safe_server();
    assert_eq!(
        server.fetch(no_follow("/redirect?permanent=1")).await.code,
        301
    );
    assert_eq!(
        server.fetch(no_follow("/redirect?permanent=0")).await.code,
        302
    );
    assert_eq!(
        server.fetch(no_follow("/redirect?status=307")).await.code,
        307
    );
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_web_redirect
#[tokio::test]
async fn test_web_redirect() {
    let server = wsgi_safe_server();
    let response = server.fetch(no_follow("/web_redirect_permanent")).await;
    assert_eq!(response.code, 301);
    assert_eq!(
        response.headers.get("Location"),
        Some("/web_redirect_newpath")
    );
    let response = server.fetch(no_follow("/web_redirect")).await;
    assert_eq!(response.code, 302);
    assert_eq!(
        response.headers.get("Location"),
        Some("/web_redirect_newpath")
    );
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_web_redirect_double_slash
#[tokio::test]
async fn test_web_redirect_double_slash() {
    let server = wsgi_safe_server();
    let response = server.fetch(no_follow("//web_redirect_double_slash")).await;
    assert_eq!(response.code, 301);
    assert_eq!(
        response.headers.get("Location"),
        Some("/web_redirect_newpath")
    );
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_header_injection
#[tokio::test]
async fn test_header_injection() {
    let server = wsgi_safe_server();
    let response = server.fetch("/header_injection").await;
    assert_eq!(response.body, "ok");
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_get_argument
#[tokio::test]
async fn test_get_argument() {
    let server = wsgi_safe_server();
    assert_eq!(server.fetch("/get_argument?foo=bar").await.body, "bar");
    assert_eq!(server.fetch("/get_argument?foo=").await.body, "");
    assert_eq!(server.fetch("/get_argument").await.body, "default");

    // Query and body arguments together: in the singular, the body's
    // value wins.
    let body = "foo=hello";
    let response = server
        .fetch(with_body("/get_argument?foo=bar", "POST", body))
        .await;
    assert_eq!(response.body, "hello");
    // In the plural, they are merged.
    let response = server
        .fetch(with_body("/get_arguments?foo=bar", "POST", body))
        .await;
    assert_eq!(
        json_of(&response),
        json!({"default": ["bar", "hello"], "query": ["bar"], "body": ["hello"]})
    );
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_get_query_arguments
#[tokio::test]
async fn test_get_query_arguments() {
    let server = wsgi_safe_server();
    // A POST, to keep the query's arguments apart from the body's.
    let body = "foo=hello";
    let fetch = |path: &'static str| server.fetch(with_body(path, "POST", body));
    assert_eq!(
        fetch("/get_argument?source=query&foo=bar").await.body,
        "bar"
    );
    assert_eq!(fetch("/get_argument?source=query&foo=").await.body, "");
    assert_eq!(fetch("/get_argument?source=query").await.body, "default");
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_get_body_arguments
#[tokio::test]
async fn test_get_body_arguments() {
    let server = wsgi_safe_server();
    let fetch = |body: &'static str| {
        server.fetch(with_body(
            "/get_argument?source=body&foo=hello",
            "POST",
            body,
        ))
    };
    assert_eq!(fetch("foo=bar").await.body, "bar");
    assert_eq!(fetch("foo=").await.body, "");
    assert_eq!(fetch("").await.body, "default");
    server.stop().await;
}

/// Answers the `a` argument as each way of reading it sees it, stripped
/// and not.
struct ArgumentCleaningHandler;

impl RequestHandler for ArgumentCleaningHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let seen = json!({
            "argument": cx.get_argument("a")?,
            "argument_or": cx.get_argument_or("a", "default")?,
            "arguments": cx.get_arguments("a")?,
            "query_argument": cx.get_query_argument("a")?,
            "kept": cx.argument_from(ArgumentSource::All, "a", false)?,
            "all_kept": cx.arguments_from(ArgumentSource::Query, "a", false)?,
        });
        cx.write_json(&seen)
    }
}

/// `get_argument` and its kin strip surrounding whitespace by default and
/// replace the control characters other than whitespace (0x00-0x08,
/// 0x0e-0x1f) by spaces; without stripping, the whitespace stays and the
/// control characters are still replaced. DEL and the whitespace controls
/// (tab, LF, VT, FF, CR) are kept inside a value.
#[tokio::test]
async fn get_argument_strips_whitespace_and_replaces_control_characters() {
    let server = serve_one(|| ArgumentCleaningHandler);
    let cases = [
        ("%20x%20", "x", " x "),
        ("%09%0A%20x%20y%0D%0A", "x y", "\t\n x y\r\n"),
        (
            "%00a%08b%0Bc%0Ed%1Fe%7F",
            "a b\u{b}c d e\u{7f}",
            " a b\u{b}c d e\u{7f}",
        ),
        ("%01%20%1F", "", "   "),
    ];
    for (query, stripped, kept) in cases {
        let response = server.fetch(format!("/?a={query}")).await;
        assert_eq!(
            json_of(&response),
            json!({
                "argument": stripped,
                "argument_or": stripped,
                "arguments": [stripped],
                "query_argument": stripped,
                "kept": kept,
                "all_kept": [kept],
            }),
            "{query}"
        );
    }
    server.stop().await;
}

// NonWSGIWebTests

/// Writes `1`, `2`, `3`, flushing after each of the first two (Tornado's
/// `FlowControlHandler`).
struct FlowControlHandler;

impl RequestHandler for FlowControlHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write("1")?;
        cx.flush().await?;
        cx.write("2")?;
        cx.flush().await?;
        cx.write("3")?;
        cx.finish().await
    }
}

/// Flushes with nothing written, before and after the head went
/// (Tornado's `EmptyFlushCallbackHandler`).
struct EmptyFlushHandler;

impl RequestHandler for EmptyFlushHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.flush().await?; // "Empty", but writes the head.
        cx.flush().await?; // Empty.
        cx.write("o")?;
        cx.flush().await?; // Flushes the "o".
        cx.flush().await?; // Empty.
        cx.finish_with("k").await
    }
}

fn non_wsgi_server() -> HttpTestServer {
    serve(vec![
        url("/flow_control", || FlowControlHandler),
        url("/empty_flush", || EmptyFlushHandler),
    ])
}

/// Tornado: NonWSGIWebTests.test_flow_control
#[tokio::test]
async fn test_flow_control() {
    let server = non_wsgi_server();
    assert_eq!(server.fetch("/flow_control").await.body, "123");
    server.stop().await;
}

/// Tornado: NonWSGIWebTests.test_empty_flush
#[tokio::test]
async fn test_empty_flush() {
    let server = non_wsgi_server();
    assert_eq!(server.fetch("/empty_flush").await.body, "ok");
    server.stop().await;
}

// ErrorResponseTest

/// Fails with the status of its `status` argument, or an error that is
/// not an `HttpError`.
struct DefaultErrorHandler;

impl RequestHandler for DefaultErrorHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        if let Some(status) = cx.get_argument_opt("status")? {
            return Err(HttpError::new(status.parse()?).into());
        }
        Err(ZeroDivisionError.into())
    }
}

/// Sends the error of its `status` argument, or fails; writes its own
/// error page.
struct WriteErrorHandler;

impl RequestHandler for WriteErrorHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        if let Some(status) = cx.get_argument_opt("status")? {
            send_error(self, cx, status.parse()?, None).await;
            return Ok(());
        }
        Err(ZeroDivisionError.into())
    }

    async fn write_error(
        &mut self,
        cx: &mut Context,
        status: u16,
        error: Option<&WebError>,
    ) -> WebResult {
        cx.set_header("Content-Type", "text/plain")?;
        match error {
            Some(error) if error.downcast_ref::<ZeroDivisionError>().is_some() => {
                cx.write("Exception: ZeroDivisionError")
            }
            Some(error) => cx.write(format!("Exception: {error}")),
            None => cx.write(format!("Status: {status}")),
        }
    }
}

/// Fails, and fails to write its error page.
struct FailedWriteErrorHandler;

impl RequestHandler for FailedWriteErrorHandler {
    async fn get(&mut self, _: &mut Context) -> WebResult {
        Err(ZeroDivisionError.into())
    }

    async fn write_error(&mut self, _: &mut Context, _: u16, _: Option<&WebError>) -> WebResult {
        Err(WebError::msg("exception in write_error"))
    }
}

fn error_response_server() -> HttpTestServer {
    serve(vec![
        url("/default", || DefaultErrorHandler),
        url("/write_error", || WriteErrorHandler),
        url("/failed_write_error", || FailedWriteErrorHandler),
    ])
}

fn contains(body: &[u8], text: &str) -> bool {
    body.windows(text.len())
        .any(|window| window == text.as_bytes())
}

/// Tornado: ErrorResponseTest.test_default
#[tokio::test]
async fn test_default() {
    let server = error_response_server();
    let expected = ExpectLog::new(APP_LOG, "Uncaught exception").unwrap();
    let response = server.fetch("/default").await;
    assert_eq!(response.code, 500);
    assert!(contains(&response.body, "500: Internal Server Error"));

    let response = server.fetch("/default?status=503").await;
    assert_eq!(response.code, 503);
    assert!(contains(&response.body, "503: Service Unavailable"));

    let response = server.fetch("/default?status=435").await;
    assert_eq!(response.code, 435);
    assert!(contains(&response.body, "435: Unknown"));
    expected.finish().unwrap();
    server.stop().await;
}

/// Tornado: ErrorResponseTest.test_write_error
#[tokio::test]
async fn test_write_error() {
    let server = error_response_server();
    let expected = ExpectLog::new(APP_LOG, "Uncaught exception").unwrap();
    let response = server.fetch("/write_error").await;
    assert_eq!(response.code, 500);
    assert_eq!(response.body, "Exception: ZeroDivisionError");

    let response = server.fetch("/write_error?status=503").await;
    assert_eq!(response.code, 503);
    assert_eq!(response.body, "Status: 503");
    expected.finish().unwrap();
    server.stop().await;
}

/// Tornado: ErrorResponseTest.test_failed_write_error
#[tokio::test]
async fn test_failed_write_error() {
    let server = error_response_server();
    let expected = ExpectLog::new(APP_LOG, "Uncaught exception").unwrap();
    let response = server.fetch("/failed_write_error").await;
    assert_eq!(response.code, 500);
    assert_eq!(response.body, "");
    expected.finish().unwrap();
    server.stop().await;
}

// BuggyLoggingTest

/// Fails, and its `log_exception` fails too (panics).
struct BuggyLoggingHandler;

impl RequestHandler for BuggyLoggingHandler {
    async fn get(&mut self, _: &mut Context) -> WebResult {
        Err(ZeroDivisionError.into())
    }

    fn log_exception(&mut self, _: &Context, _: &WebError) {
        panic!("division by zero in log_exception");
    }
}

/// Tornado: BuggyLoggingTest.test_buggy_log_exception
#[tokio::test]
async fn test_buggy_log_exception() {
    let server = serve_one(|| BuggyLoggingHandler);
    // Something is logged though the handler's logging is broken, and
    // the client is not left waiting.
    let expected = ExpectLog::new(APP_LOG, ".*division by zero in log_exception").unwrap();
    let response = tokio::time::timeout(Duration::from_secs(10), server.fetch("/"))
        .await
        .expect("an answer or a closed connection");
    assert_ne!(response.code, 200);
    expected.finish().unwrap();
    server.stop().await;
}

/// Logs errors its own way: records them, says nothing on the logs.
struct QuietLoggingHandler(UnboundedSender<String>);

impl RequestHandler for QuietLoggingHandler {
    async fn get(&mut self, _: &mut Context) -> WebResult {
        Err(ZeroDivisionError.into())
    }

    fn log_exception(&mut self, cx: &Context, error: &WebError) {
        let _ = self.0.send(format!("{} {error}", cx.request().uri));
    }
}

/// An overridden `log_exception` replaces the default line; the error
/// page is still sent.
#[tokio::test]
async fn log_exception_can_be_overridden() {
    let (sender, mut logged) = unbounded_channel();
    let server = serve(vec![url("/quiet", move || {
        QuietLoggingHandler(sender.clone())
    })]);
    let logs = LogCapture::start();
    let response = server.fetch("/quiet").await;
    assert_eq!(response.code, 500);
    assert_eq!(logged.recv().await.unwrap(), "/quiet division by zero");
    assert_eq!(logs.app_errors(), Vec::<String>::new());
    server.stop().await;
}

// HostMatchingTest, DefaultHostMatchingTest

/// Writes what it was made with (Tornado's `HostMatchingTest.Handler`).
struct ReplyHandler(&'static str);

impl RequestHandler for ReplyHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write(self.0)
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        cx.write(self.0)
    }
}

fn reply(pattern: &str, text: &'static str) -> Route {
    url(pattern, move || ReplyHandler(text))
}

fn on_host(path: &str, host: &str) -> HttpRequest {
    HttpRequest::new(path).header("Host", host)
}

/// A literal route is found by its path alone, yet never ahead of an
/// earlier route that takes the same path; with few routes and with many
/// (2 literal routes and the fillers: 8 are looked for one by one, 9 by
/// hash).
#[tokio::test]
async fn literal_routes_keep_the_order_of_the_route_list() {
    for fillers in [0, 6, 7, 20] {
        let mut routes = vec![
            reply(r"/item/(\d+)", "item"),
            reply("/item/7", "shadowed"),
            reply("/item/x", "x"),
            reply("/first", "first"),
            reply("/first", "second"),
        ];
        routes.extend((0..fillers).map(|n| reply(&format!("/filler/{n}"), "filler")));
        let server = serve(routes);
        for (path, body) in [
            ("/item/7", "item"),
            ("/item/x", "x"),
            ("/first", "first"),
            ("/first?a=b", "first"),
        ] {
            let response = server.fetch(path).await;
            assert_eq!(response.body, body, "{path}, {fillers} fillers");
        }
        // A request with a body is routed the same way.
        let post = |path: &str| HttpRequest::new(path).method("POST").body("x");
        assert_eq!(server.fetch(post("/item/7")).await.body, "item");
        assert_eq!(server.fetch(post("/first")).await.body, "first");
        assert_eq!(server.fetch("/First").await.code, 404);
        if fillers > 0 {
            let last = format!("/filler/{}", fillers - 1);
            assert_eq!(server.fetch(&*last).await.body, "filler");
        }
        server.stop().await;
    }
}

/// Implements `get`, though its `SUPPORTED_METHODS` leave `GET` out.
struct PostOnlyHandler;

impl RequestHandler for PostOnlyHandler {
    const SUPPORTED_METHODS: &'static [&'static str] = &["POST"];

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write("get ran")
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        cx.write("post ran")
    }
}

/// `GET` outside `SUPPORTED_METHODS` is refused with `405` before the
/// handler runs, even when the handler implements `get`.
#[tokio::test]
async fn get_outside_supported_methods_is_refused() {
    let server = serve_one(|| PostOnlyHandler);
    let get = server.fetch("/").await;
    assert_eq!(get.code, 405);
    assert_ne!(get.body, "get ran");
    let post = server
        .fetch(HttpRequest::new("/").method("POST").body("x"))
        .await;
    assert_eq!(post.body, "post ran");
    server.stop().await;
}

/// Sets a `Content-Type`, writes, then fails.
struct TypedThenFailsHandler;

impl RequestHandler for TypedThenFailsHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("Content-Type", "text/plain")?;
        cx.write("partial")?;
        Err(HttpError::new(503).into())
    }
}

/// The error page replaces the `Content-Type` the handler set with its
/// own HTML one.
#[tokio::test]
async fn an_error_page_has_its_own_content_type() {
    let server = serve_one(|| TypedThenFailsHandler);
    let response = server.fetch("/").await;
    assert_eq!(response.code, 503);
    assert_eq!(
        response.headers.get_list("Content-Type"),
        ["text/html; charset=UTF-8"]
    );
    assert!(!String::from_utf8_lossy(&response.body).contains("partial"));
    server.stop().await;
}

/// The response headers each request's context showed in `on_finish`.
type SeenHeaders = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// Writes as many bytes as its path says with a `Content-Type` and one
/// header, and records the response headers in `on_finish`.
struct SeesHeadersHandler(SeenHeaders);

impl RequestHandler for SeesHeadersHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("Content-Type", "text/plain")?;
        cx.set_header("X-A", "b")?;
        let len: usize = cx.path_arg(0).unwrap_or("0").parse().unwrap_or(0);
        cx.write(vec![b'x'; len])
    }

    fn on_finish(&mut self, cx: &mut Context) {
        let headers = cx
            .response_headers()
            .get_all()
            .map(|(name, value)| {
                let value = value.to_str().unwrap_or_default();
                (name.as_str().to_owned(), value.to_owned())
            })
            .collect();
        self.0.lock().unwrap().push(headers);
    }
}

/// In `on_finish`, the context shows the headers the response was sent
/// with, whether its body was small or big, with or without gzip.
#[tokio::test]
async fn response_headers_in_on_finish_are_those_sent() {
    let seen = SeenHeaders::default();
    let routes = |seen: &SeenHeaders| {
        let seen = Arc::clone(seen);
        vec![url(r"/(\d+)", move || {
            SeesHeadersHandler(Arc::clone(&seen))
        })]
    };
    let plain = serve(routes(&seen));
    let with_gzip = serve_compressed(routes(&seen));
    for server in [&plain, &with_gzip] {
        for len in [5, 100_000] {
            let response = server.fetch(&*format!("/{len}")).await;
            assert_eq!(response.code, 200);
            let shown = seen.lock().unwrap().pop().unwrap();
            let value = |name: &str| {
                let values: Vec<&str> = shown
                    .iter()
                    .filter(|(shown, _)| shown == name)
                    .map(|(_, value)| value.as_str())
                    .collect();
                values
            };
            assert_eq!(value("content-type"), ["text/plain"], "{len}: {shown:?}");
            assert_eq!(value("x-a"), ["b"], "{len}: {shown:?}");
            assert_eq!(value("server"), [SERVER.as_str()], "{len}: {shown:?}");
            for name in ["content-type", "x-a", "server"] {
                assert_eq!(
                    response.headers.get(name),
                    value(name).first().copied(),
                    "{name}"
                );
            }
        }
    }
    plain.stop().await;
    with_gzip.stop().await;
}

/// Tornado: HostMatchingTest.test_host_matching
#[tokio::test]
async fn test_host_matching() {
    let mut app = app(vec![reply("/foo", "wildcard")]);
    app.add_handlers("www.example.com", vec![reply("/foo", "[0]")])
        .unwrap();
    app.add_handlers(r"www\.example\.com", vec![reply("/bar", "[1]")])
        .unwrap();
    app.add_handlers("www.example.com", vec![reply("/baz", "[2]")])
        .unwrap();
    app.add_handlers("www.e.*e.com", vec![reply("/baz", "[3]")])
        .unwrap();
    let server = HttpTestServer::new(app).unwrap();

    assert_eq!(server.fetch("/foo").await.body, "wildcard");
    assert_eq!(server.fetch("/bar").await.code, 404);
    assert_eq!(server.fetch("/baz").await.code, 404);

    let host = "www.example.com";
    assert_eq!(server.fetch(on_host("/foo", host)).await.body, "[0]");
    assert_eq!(server.fetch(on_host("/bar", host)).await.body, "[1]");
    assert_eq!(server.fetch(on_host("/baz", host)).await.body, "[2]");
    assert_eq!(
        server.fetch(on_host("/baz", "www.exe.com")).await.body,
        "[3]"
    );
    server.stop().await;
}

/// The application of `DefaultHostMatchingTest` with `default_host`.
fn default_host_app(default_host: &str) -> Application {
    let settings = Settings {
        default_host: Some(default_host.to_owned()),
        ..Settings::default()
    };
    let mut app = Application::new(Vec::new(), settings).unwrap();
    app.add_handlers("www.example.com", vec![reply("/foo", "[0]")])
        .unwrap();
    app.add_handlers(r"www\.example\.com", vec![reply("/bar", "[1]")])
        .unwrap();
    app.add_handlers("www.test.com", vec![reply("/baz", "[2]")])
        .unwrap();
    app
}

/// Tornado: DefaultHostMatchingTest.test_default_host_matching
#[tokio::test]
async fn test_default_host_matching() {
    let server = HttpTestServer::new(default_host_app("www.example.com")).unwrap();
    assert_eq!(server.fetch("/foo").await.body, "[0]");
    assert_eq!(server.fetch("/bar").await.body, "[1]");
    assert_eq!(server.fetch("/baz").await.code, 404);

    let proxied = HttpRequest::new("/foo").header("X-Real-Ip", "127.0.0.1");
    assert_eq!(server.fetch(proxied).await.code, 404);
    server.stop().await;

    // Tornado changes `app.default_host` here; the setting is fixed when
    // an application is made, so another one has the new default host.
    let server = HttpTestServer::new(default_host_app("www.test.com")).unwrap();
    assert_eq!(server.fetch("/baz").await.body, "[2]");
    server.stop().await;
}

// NamedURLSpecGroupsTest

/// Writes its `path` group.
struct NamedEchoHandler;

impl RequestHandler for NamedEchoHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let path = cx.path_kwarg("path").unwrap_or("").to_owned();
        cx.write(path)
    }
}

/// Tornado: NamedURLSpecGroupsTest.test_named_urlspec_groups
#[tokio::test]
async fn test_named_urlspec_groups() {
    let server = serve(vec![
        url("/str/(?P<path>.*)", || NamedEchoHandler),
        url("/unicode/(?P<path>.*)", || NamedEchoHandler),
    ]);
    assert_eq!(server.fetch("/str/foo").await.body, "foo");
    assert_eq!(server.fetch("/unicode/bar").await.body, "bar");
    server.stop().await;
}

// ClearHeaderTest

struct ClearHeaderHandler;

impl RequestHandler for ClearHeaderHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("h1", "foo")?;
        cx.set_header("h2", "bar")?;
        cx.clear_header("h1");
        cx.clear_header("nonexistent");
        Ok(())
    }
}

/// Tornado: ClearHeaderTest.test_clear_header
#[tokio::test]
async fn test_clear_header() {
    let server = serve_one(|| ClearHeaderHandler);
    let response = server.fetch("/").await;
    assert!(!response.headers.contains("h1"));
    assert_eq!(response.headers.get("h2"), Some("bar"));
    server.stop().await;
}

/// Changes the default headers as its path says.
struct DefaultHeadersHandler;

impl RequestHandler for DefaultHeadersHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let seen = cx.response_headers();
        assert_eq!(seen.get("Server"), Some(SERVER.as_str()));
        assert_eq!(seen.get("Content-Type"), Some("text/html; charset=UTF-8"));
        match cx.path_arg(0).unwrap_or("") {
            "set" => cx.set_header("server", "mine")?,
            "clear" => {
                cx.clear_header("Server");
                cx.clear_header("content-type");
            }
            "add" => cx.add_header("Content-Type", "text/plain")?,
            "add-then-set" => {
                cx.add_header("Content-Type", "text/plain")?;
                cx.set_header("CONTENT-TYPE", "text/csv")?;
            }
            "flush" => {
                cx.write("a")?;
                cx.flush().await?;
            }
            "type" | "type-add" | "type-clear" | "type-flush" => {
                cx.set_header("Content-Type", "text/plain")?;
                cx.set_header("content-type", "text/csv")?;
                let seen = cx.response_headers();
                assert_eq!(seen.get_list("Content-Type"), ["text/csv"]);
            }
            _ => {}
        }
        match cx.path_arg(0).unwrap_or("") {
            "type-add" => cx.add_header("Content-Type", "text/x-more")?,
            "type-clear" => cx.clear_header("Content-Type"),
            "type-flush" => {
                cx.write("a")?;
                cx.flush().await?;
            }
            _ => {}
        }
        cx.write("x")
    }
}

/// The `Server` value of every response.
static SERVER: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("supercell/{}", env!("CARGO_PKG_VERSION")));

/// Every response starts with `Server` and an HTML `Content-Type`, as
/// Tornado's does (set in `clear`): each sent once, replaced by
/// `set_header`, gone after `clear_header`, kept before a value
/// `add_header` adds, on whole and streamed responses, with transforms,
/// and left out of a `304` as the entity header it is. A `Content-Type`
/// the handler sets follows the same rules.
#[tokio::test]
async fn default_headers_are_sent_once_and_follow_set_clear_and_add() {
    let routes = || vec![url("/(.*)", || DefaultHeadersHandler)];
    let plain = serve(routes());
    let with_gzip = serve_compressed(routes());
    let html = "text/html; charset=UTF-8";
    for server in [&plain, &with_gzip] {
        for path in ["/", "/flush"] {
            let response = server.fetch(path).await;
            assert_eq!(
                response.headers.get_list("Server"),
                [SERVER.as_str()],
                "{path}"
            );
            assert_eq!(response.headers.get_list("Content-Type"), [html], "{path}");
        }
        let set = server.fetch("/set").await;
        assert_eq!(set.headers.get_list("Server"), ["mine"]);
        let clear = server.fetch("/clear").await;
        assert!(!clear.headers.contains("Server"));
        assert!(!clear.headers.contains("Content-Type"));
        let add = server.fetch("/add").await;
        assert_eq!(add.headers.get_list("Content-Type"), [html, "text/plain"]);
        for (path, types) in [
            ("/type", &["text/csv"][..]),
            ("/type-flush", &["text/csv"]),
            ("/type-add", &["text/csv", "text/x-more"]),
            ("/type-clear", &[]),
            ("/add-then-set", &["text/csv"]),
        ] {
            let response = server.fetch(path).await;
            assert_eq!(response.headers.get_list("Content-Type"), types, "{path}");
            assert_eq!(
                response.headers.get_list("Server"),
                [SERVER.as_str()],
                "{path}"
            );
        }
        let etag = etag_of(server, "/type").await;
        let not_modified = server
            .fetch(HttpRequest::new("/type").header("If-None-Match", &etag))
            .await;
        assert_eq!(not_modified.code, 304);
        assert!(!not_modified.headers.contains("Content-Type"));
        let etag = etag_of(server, "/").await;
        let not_modified = server
            .fetch(HttpRequest::new("/").header("If-None-Match", &etag))
            .await;
        assert_eq!(not_modified.code, 304);
        assert_eq!(not_modified.headers.get_list("Server"), [SERVER.as_str()]);
        assert!(!not_modified.headers.contains("Content-Type"));
    }
    plain.stop().await;
    with_gzip.stop().await;
}

// SetLazyPropertiesTest

/// Sets the current user in `prepare`; its `get_current_user` must then
/// never run.
struct SetPropertiesHandler;

impl RequestHandler for SetPropertiesHandler {
    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        cx.set_current_user(Some(Arc::new("Ben".to_owned())));
        Ok(())
    }

    fn get_current_user(_: &Context) -> Option<CurrentUser> {
        panic!("get_current_user ran although prepare set the user");
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let user = cx.current_user_as::<String>().cloned().unwrap_or_default();
        cx.write(format!("Hello {user}"))
    }
}

/// Tornado: SetLazyPropertiesTest.test_set_properties (the current user;
/// the locale half waits for `locale`)
#[tokio::test]
async fn test_set_properties() {
    let server = serve_one(|| SetPropertiesHandler);
    let response = server.fetch("/").await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, "Hello Ben");
    server.stop().await;
}

// Header204Test

struct Header204Handler;

impl RequestHandler for Header204Handler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_status(204)?;
        cx.finish().await
    }
}

/// Tornado: Header204Test.test_204_headers
#[tokio::test]
async fn test_204_headers() {
    let server = serve_one(|| Header204Handler);
    let response = server.fetch("/").await;
    assert_eq!(response.code, 204);
    assert!(!response.headers.contains("Content-Length"));
    assert!(!response.headers.contains("Transfer-Encoding"));
    server.stop().await;
}

// Header304Test

struct Header304Handler;

impl RequestHandler for Header304Handler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("Content-Language", "en_US")?;
        cx.write("hello")
    }
}

/// Tornado: Header304Test.test_304_headers
#[tokio::test]
async fn test_304_headers() {
    let server = serve_one(|| Header304Handler);
    let first = server.fetch("/").await;
    assert_eq!(first.headers.get("Content-Length"), Some("5"));
    assert_eq!(first.headers.get("Content-Language"), Some("en_US"));

    let etag = first.headers.get("Etag").expect("an ETag");
    let second = server
        .fetch(HttpRequest::new("/").header("If-None-Match", etag))
        .await;
    assert_eq!(second.code, 304);
    assert!(!second.headers.contains("Content-Length"));
    assert!(!second.headers.contains("Content-Language"));
    // Not a header of the body, but chunking must not add it to a 304.
    assert!(!second.headers.contains("Transfer-Encoding"));
    server.stop().await;
}

/// The default `ETag` is a hash of the body in quoted hex, the same
/// whether the connection writes it (the usual response) or it goes into
/// the headers first (an application with transforms); a weak tag of it
/// in `If-None-Match` matches too.
#[tokio::test]
async fn default_etag_is_the_same_written_by_the_connection_or_as_a_header() {
    let plain = serve_one(|| Header304Handler);
    let with_gzip = serve_compressed(vec![url("/", || Header304Handler)]);
    let etag = etag_of(&plain, "/").await;
    assert_eq!(etag, etag_of(&with_gzip, "/").await);
    assert_eq!(etag.len(), 18, "{etag}");
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert!(
        etag[1..17]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    for server in [&plain, &with_gzip] {
        let weak = server
            .fetch(HttpRequest::new("/").header("If-None-Match", &format!("W/{etag}")))
            .await;
        assert_eq!(weak.code, 304);
        assert_eq!(weak.headers.get("Etag"), Some(etag.as_str()));
        let other = server
            .fetch(HttpRequest::new("/").header("If-None-Match", "\"0000000000000000\""))
            .await;
        assert_eq!(other.code, 200);
    }
    plain.stop().await;
    with_gzip.stop().await;
}

/// Sets the status of its `status` argument, writes `x` and finishes.
struct BodyWithStatusHandler;

impl RequestHandler for BodyWithStatusHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let status = cx.get_argument("status")?.parse()?;
        cx.set_status(status)?;
        cx.write("x")?;
        cx.finish().await
    }
}

/// A body written with a status that may have none (1xx, 204, 304) is an
/// error raised by `finish`: the body is not sent and, the head not being
/// sent yet, the client gets the `500` error page instead.
#[tokio::test]
async fn a_body_with_a_1xx_204_or_304_status_is_an_error_answered_500() {
    let server = serve_one(|| BodyWithStatusHandler);
    for status in [100, 150, 204, 304] {
        let expected = ExpectLog::new(
            APP_LOG,
            &format!("Uncaught exception GET .*Cannot send body with {status}"),
        )
        .unwrap();
        let response = server.fetch(format!("/?status={status}")).await;
        expected.finish().unwrap();
        assert_eq!(response.code, 500, "{status}");
        assert!(
            contains(&response.body, "500: Internal Server Error"),
            "{status}: {:?}",
            response.body
        );
        assert_ne!(response.body, "x", "{status}");
    }
    // The same handler with a status that has a body.
    let response = server.fetch("/?status=200").await;
    assert_eq!((response.code, &response.body[..]), (200, &b"x"[..]));
    server.stop().await;
}

// StatusReasonTest

struct StatusReasonHandler;

impl RequestHandler for StatusReasonHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let reason = cx
            .request()
            .arguments()
            .get("reason")
            .and_then(|values| values.first())
            .map(|value| String::from_utf8_lossy(value).into_owned());
        let code = cx.get_argument("code")?.parse()?;
        match reason {
            Some(reason) => cx.set_status_reason(code, reason),
            None => cx.set_status(code),
        }
    }
}

/// Tornado: StatusReasonTest.test_status
#[tokio::test]
async fn test_status() {
    let server = serve_one(|| StatusReasonHandler);
    for (path, code, reason) in [
        ("/?code=304", 304, "Not Modified"),
        ("/?code=304&reason=Foo", 304, "Foo"),
        ("/?code=682&reason=Bar", 682, "Bar"),
        ("/?code=682", 682, "Unknown"),
    ] {
        let response = server.fetch(path).await;
        assert_eq!((response.code, &response.reason[..]), (code, reason));
    }
    server.stop().await;
}

// DateHeaderTest

/// Tornado: DateHeaderTest.test_date_header
#[tokio::test]
async fn test_date_header() {
    let server = serve_one(|| HelloHandler);
    let response = server.fetch("/").await;
    let date = response.headers.get("Date").expect("a Date header");
    let date = chrono::DateTime::parse_from_rfc2822(date).unwrap();
    let off = chrono::Utc::now().signed_duration_since(date);
    assert!(off.num_milliseconds().abs() < 2000, "{off}");
    server.stop().await;
}

// RaiseWithReasonTest

struct RaiseWithReasonHandler;

impl RequestHandler for RaiseWithReasonHandler {
    async fn get(&mut self, _: &mut Context) -> WebResult {
        Err(HttpError::new(682).reason("Foo").into())
    }
}

/// Tornado: RaiseWithReasonTest.test_raise_with_reason
#[tokio::test]
async fn test_raise_with_reason() {
    let server = serve_one(|| RaiseWithReasonHandler);
    let response = server.fetch("/").await;
    assert_eq!(response.code, 682);
    assert_eq!(response.reason, "Foo");
    assert!(contains(&response.body, "682: Foo"));
    // Sent with its length, as every response finished whole.
    assert_eq!(
        response.headers.get("Content-Length"),
        Some(response.body.len().to_string().as_str())
    );
    server.stop().await;
}

/// Tornado: RaiseWithReasonTest.test_httperror_str
#[test]
fn test_httperror_str() {
    assert_eq!(
        HttpError::new(682).reason("Foo").to_string(),
        "HTTP 682: Foo"
    );
}

/// Tornado: RaiseWithReasonTest.test_httperror_str_from_httputil
#[test]
fn test_httperror_str_from_httputil() {
    assert_eq!(HttpError::new(682).to_string(), "HTTP 682: Unknown");
}

// PathArgsInPrepareTest

struct PathArgsInPrepareHandler;

impl RequestHandler for PathArgsInPrepareHandler {
    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        let kwargs: serde_json::Map<String, Value> = cx
            .path_kwargs()
            .iter()
            .map(|(name, value)| (name.clone(), json!(value)))
            .collect();
        let args = json!({"args": cx.path_args(), "kwargs": kwargs});
        cx.write_json(&args)
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let path = cx.path_arg(0).or_else(|| cx.path_kwarg("path"));
        if path != Some("foo") {
            return Err(WebError::msg(format!("path is {path:?}")));
        }
        cx.finish().await
    }
}

fn path_args_server() -> HttpTestServer {
    serve(vec![
        url("/pos/(.*)", || PathArgsInPrepareHandler),
        url("/kw/(?P<path>.*)", || PathArgsInPrepareHandler),
    ])
}

/// Tornado: PathArgsInPrepareTest.test_pos
#[tokio::test]
async fn test_pos() {
    let server = path_args_server();
    assert_eq!(
        json_of(&server.fetch("/pos/foo").await),
        json!({"args": ["foo"], "kwargs": {}})
    );
    server.stop().await;
}

/// Tornado: PathArgsInPrepareTest.test_kw
#[tokio::test]
async fn test_kw() {
    let server = path_args_server();
    assert_eq!(
        json_of(&server.fetch("/kw/foo").await),
        json!({"args": [], "kwargs": {"path": "foo"}})
    );
    server.stop().await;
}

// ExceptionHandlerTest

/// An error of the application's own (Tornado's `PermissionError`).
#[derive(Debug)]
struct PermissionError(String);

impl std::fmt::Display for PermissionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PermissionError {}

struct ExceptionHandler;

impl RequestHandler for ExceptionHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        match &cx.get_argument("exc")?[..] {
            "http" => Err(HttpError::new(410).log_message("no longer here").into()),
            "zero" => Err(ZeroDivisionError.into()),
            "permission" => Err(PermissionError("not allowed".into()).into()),
            _ => Ok(()),
        }
    }

    /// Answers a `PermissionError` with 403 and logs it its own way
    /// (Tornado does the logging in an overridden `log_exception`, a hook
    /// supercell handlers do not have).
    async fn write_error(
        &mut self,
        cx: &mut Context,
        status: u16,
        error: Option<&WebError>,
    ) -> WebResult {
        if let Some(PermissionError(message)) = error.and_then(WebError::downcast_ref) {
            tracing::warn!(target: APP_LOG, "custom logging for PermissionError: {message}");
            cx.set_status(403)?;
            return cx.write("PermissionError");
        }
        cx.write_default_error_page(status, error)
    }
}

/// Tornado: ExceptionHandlerTest.test_http_error
#[tokio::test]
async fn test_http_error() {
    let server = serve_one(|| ExceptionHandler);
    // An HttpError is logged as a warning, without its cause.
    let expected = ExpectLog::new(GEN_LOG, ".*no longer here")
        .unwrap()
        .level(Level::WARN);
    assert_eq!(server.fetch("/?exc=http").await.code, 410);
    expected.finish().unwrap();
    server.stop().await;
}

/// Tornado: ExceptionHandlerTest.test_unknown_error
#[tokio::test]
async fn test_unknown_error() {
    let server = serve_one(|| ExceptionHandler);
    // Other errors are logged as errors.
    let expected = ExpectLog::new(APP_LOG, "Uncaught exception")
        .unwrap()
        .level(Level::ERROR);
    assert_eq!(server.fetch("/?exc=zero").await.code, 500);
    expected.finish().unwrap();
    server.stop().await;
}

/// Tornado: ExceptionHandlerTest.test_known_error
#[tokio::test]
async fn test_known_error() {
    let server = serve_one(|| ExceptionHandler);
    // The handler logs its own error its own way, and answers it its own
    // way.
    let expected =
        ExpectLog::new(APP_LOG, "custom logging for PermissionError: not allowed").unwrap();
    assert_eq!(server.fetch("/?exc=permission").await.code, 403);
    expected.finish().unwrap();
    server.stop().await;
}

// GetArgumentErrorTest

struct GetArgumentErrorHandler;

impl RequestHandler for GetArgumentErrorHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        match cx.get_argument("foo") {
            Ok(_) => cx.write_json(&json!({})),
            Err(error) => match error.downcast_ref::<MissingArgumentError>() {
                Some(missing) => cx.write_json(&json!({
                    "arg_name": missing.name,
                    "log_message": missing.to_http_error().log_message,
                })),
                None => Err(error),
            },
        }
    }
}

/// Tornado: GetArgumentErrorTest.test_catch_error
#[tokio::test]
async fn test_catch_error() {
    let server = serve_one(|| GetArgumentErrorHandler);
    assert_eq!(
        json_of(&server.fetch("/").await),
        json!({"arg_name": "foo", "log_message": "Missing argument foo"})
    );
    server.stop().await;
}

/// A missing argument that the handler does not catch answers `400`, its
/// name in the warning logged.
#[tokio::test]
async fn an_uncaught_missing_argument_answers_400() {
    struct Strict;
    impl RequestHandler for Strict {
        async fn get(&mut self, cx: &mut Context) -> WebResult {
            let foo = cx.get_argument("foo")?;
            cx.write(foo)
        }
    }
    let server = serve_one(|| Strict);
    let expected = ExpectLog::new(GEN_LOG, ".*Missing argument foo").unwrap();
    let response = server.fetch("/").await;
    assert_eq!(response.code, 400);
    expected.finish().unwrap();
    let response = server.fetch("/?foo=bar").await;
    assert_eq!((response.code, &response.body[..]), (200, &b"bar"[..]));
    server.stop().await;
}

// MultipleExceptionTest

/// Fails on every piece of its streamed body.
struct MultipleExceptionHandler;

impl RequestHandler for MultipleExceptionHandler {
    const STREAM_REQUEST_BODY: bool = true;

    async fn data_received(&mut self, _: &mut Context, _: Bytes) -> WebResult {
        Err(ZeroDivisionError.into())
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        cx.write("unreachable")
    }
}

/// Tornado: MultipleExceptionTest.test_multi_exception
#[tokio::test]
async fn test_multi_exception() {
    // Errors after the first of a request must not bring extra log lines
    // such as "Cannot send error response after headers written": the
    // first is answered, each is logged.
    let server = serve_one(|| MultipleExceptionHandler);
    let errors = ExpectLog::new(APP_LOG, "Uncaught exception").unwrap();
    let late = ExpectLog::new(GEN_LOG, "Cannot send error response")
        .unwrap()
        .required(false);
    for _ in 0..2 {
        let mut client = RawClient::connect(addr_of(&server)).await;
        client
            .send(chunked_post(&[&b"asdf"[..], &b"qwer"[..]], &[]))
            .await;
        let response = client.read_response(&Method::POST).await;
        assert_eq!(response.code, 500);
    }
    assert!(!late.matched(), "{:?}", late.records());
    assert!(errors.records().len() >= 2, "{:?}", errors.records());
    late.finish().unwrap();
    errors.finish().unwrap();
    server.stop().await;
}

// UnimplementedHTTPMethodsTest

/// Tornado: UnimplementedHTTPMethodsTest.test_unimplemented_standard_methods
#[tokio::test]
async fn test_unimplemented_standard_methods() {
    let server = serve_one(|| BaseHandler);
    for method in ["HEAD", "GET", "DELETE", "OPTIONS"] {
        let response = server.fetch(HttpRequest::new("/").method(method)).await;
        assert_eq!(response.code, 405, "{method}");
    }
    for method in ["POST", "PUT"] {
        let response = server.fetch(with_body("/", method, "")).await;
        assert_eq!(response.code, 405, "{method}");
    }
    server.stop().await;
}

// UnimplementedNonStandardMethodsTest

/// Has a method for `OTHER`, which is not among its supported methods.
struct UnsupportedOtherHandler;

impl RequestHandler for UnsupportedOtherHandler {
    async fn other_method(&mut self, cx: &mut Context) -> WebResult {
        // It is never called: OTHER is not in SUPPORTED_METHODS.
        cx.write("other")
    }
}

/// Tornado: UnimplementedNonStandardMethodsTest.test_unimplemented_patch
#[tokio::test]
async fn test_unimplemented_patch() {
    let server = serve_one(|| UnsupportedOtherHandler);
    let response = server.fetch(with_body("/", "PATCH", "")).await;
    assert_eq!(response.code, 405);
    server.stop().await;
}

/// Tornado: UnimplementedNonStandardMethodsTest.test_unimplemented_other
#[tokio::test]
async fn test_unimplemented_other() {
    let server = serve_one(|| UnsupportedOtherHandler);
    let request = HttpRequest::new("/")
        .method("OTHER")
        .allow_nonstandard_methods(true);
    assert_eq!(server.fetch(request).await.code, 405);
    server.stop().await;
}

// AllHTTPMethodsTest

/// Writes the method of each request it implements.
struct AllMethodsHandler;

impl AllMethodsHandler {
    fn method(cx: &mut Context) -> WebResult {
        let method = cx.request().method.to_string();
        cx.write(method)
    }
}

impl RequestHandler for AllMethodsHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        Self::method(cx)
    }

    async fn delete(&mut self, cx: &mut Context) -> WebResult {
        Self::method(cx)
    }

    async fn options(&mut self, cx: &mut Context) -> WebResult {
        Self::method(cx)
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        Self::method(cx)
    }

    async fn put(&mut self, cx: &mut Context) -> WebResult {
        Self::method(cx)
    }
}

/// Tornado: AllHTTPMethodsTest.test_standard_methods
#[tokio::test]
async fn test_standard_methods() {
    let server = serve_one(|| AllMethodsHandler);
    let response = server.fetch(HttpRequest::new("/").method("HEAD")).await;
    assert_eq!(response.body, "");
    for method in ["GET", "DELETE", "OPTIONS"] {
        let response = server.fetch(HttpRequest::new("/").method(method)).await;
        assert_eq!(response.body, method);
    }
    for method in ["POST", "PUT"] {
        let response = server.fetch(with_body("/", method, "")).await;
        assert_eq!(response.body, method);
    }
    server.stop().await;
}

// PatchMethodTest

/// Supports `OTHER` beside the standard methods.
struct PatchOtherHandler;

/// Tornado's `RequestHandler.SUPPORTED_METHODS + ('OTHER',)`.
const WITH_OTHER: &[&str] = &[
    DEFAULT_SUPPORTED_METHODS[0],
    DEFAULT_SUPPORTED_METHODS[1],
    DEFAULT_SUPPORTED_METHODS[2],
    DEFAULT_SUPPORTED_METHODS[3],
    DEFAULT_SUPPORTED_METHODS[4],
    DEFAULT_SUPPORTED_METHODS[5],
    DEFAULT_SUPPORTED_METHODS[6],
    "OTHER",
];

impl RequestHandler for PatchOtherHandler {
    const SUPPORTED_METHODS: &'static [&'static str] = WITH_OTHER;

    async fn patch(&mut self, cx: &mut Context) -> WebResult {
        cx.write("patch")
    }

    async fn other_method(&mut self, cx: &mut Context) -> WebResult {
        cx.write("other")
    }
}

/// Tornado: PatchMethodTest.test_patch
#[tokio::test]
async fn test_patch() {
    assert_eq!(DEFAULT_SUPPORTED_METHODS.len(), 7);
    let server = serve_one(|| PatchOtherHandler);
    let response = server.fetch(with_body("/", "PATCH", "")).await;
    assert_eq!(response.body, "patch");
    server.stop().await;
}

/// Tornado: PatchMethodTest.test_other
#[tokio::test]
async fn test_other() {
    let server = serve_one(|| PatchOtherHandler);
    let request = HttpRequest::new("/")
        .method("OTHER")
        .allow_nonstandard_methods(true);
    assert_eq!(server.fetch(request).await.body, "other");
    server.stop().await;
}

// FinishInPrepareTest

struct FinishInPrepareHandler;

impl RequestHandler for FinishInPrepareHandler {
    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        cx.finish_with("done").await
    }

    async fn get(&mut self, _: &mut Context) -> WebResult {
        // Reaching it would be answered 500 and logged.
        Err(WebError::msg("should not reach this method"))
    }
}

/// Tornado: FinishInPrepareTest.test_finish_in_prepare
#[tokio::test]
async fn test_finish_in_prepare() {
    let server = serve_one(|| FinishInPrepareHandler);
    let logs = LogCapture::start();
    let response = server.fetch("/").await;
    assert_eq!(response.body, "done");
    assert_eq!(logs.app_errors(), Vec::<String>::new());
    server.stop().await;
}

// Default404Test, Custom404Test, DefaultHandlerArgumentsTest

/// Tornado: Default404Test.test_404
#[tokio::test]
async fn default_404_test_test_404() {
    let server = serve(vec![url("/foo", || BaseHandler)]);
    let response = server.fetch("/").await;
    assert_eq!(response.code, 404);
    assert_eq!(
        response.body,
        "<html><title>404: Not Found</title><body>404: Not Found</body></html>"
    );
    server.stop().await;
}

struct Custom404Handler;

impl RequestHandler for Custom404Handler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_status(404)?;
        cx.write("custom 404 response")
    }
}

/// Tornado: Custom404Test.test_404
#[tokio::test]
async fn custom_404_test_test_404() {
    let settings = Settings {
        default_handler: Some(HandlerFactory::new(|| Custom404Handler)),
        ..Settings::default()
    };
    let app = Application::new(vec![url("/foo", || BaseHandler)], settings).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let response = server.fetch("/").await;
    assert_eq!(response.code, 404);
    assert_eq!(response.body, "custom 404 response");
    server.stop().await;
}

/// Tornado: DefaultHandlerArgumentsTest.test_403
#[tokio::test]
async fn test_403() {
    let settings = Settings {
        default_handler: Some(HandlerFactory::new(|| ErrorHandler::new(403))),
        ..Settings::default()
    };
    let app = Application::new(vec![url("/foo", || BaseHandler)], settings).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    assert_eq!(server.fetch("/").await.code, 403);
    server.stop().await;
}

// HandlerByNameTest

/// The handlers an application can name (Rust cannot import a type from
/// a dotted name at run time, as Tornado does: a table of factories by
/// name stands in for it).
fn handler_by_name(name: &str) -> Option<HandlerFactory> {
    match name {
        "HelloHandler" => Some(HandlerFactory::new(|| HelloHandler)),
        _ => None,
    }
}

/// Tornado: HandlerByNameTest.test_handler_by_name
#[tokio::test]
async fn test_handler_by_name() {
    // All three are equivalent: a closure, a factory found by name, and
    // a constructor's path (resolved by the compiler).
    let by_name = handler_by_name("HelloHandler").expect("a handler named HelloHandler");
    let server = serve(vec![
        url("/hello1", || HelloHandler),
        Route::handler(PathMatches::new("/hello2").unwrap(), by_name),
        url("/hello3", HelloHandler::default),
    ]);
    for path in ["/hello1", "/hello2", "/hello3"] {
        assert_eq!(server.fetch(path).await.body, "hello", "{path}");
    }
    server.stop().await;
}

// StreamingRequestBodyTest

/// Tells the test of each step of a streamed body.
struct StreamingBodyHandler(Events);

impl RequestHandler for StreamingBodyHandler {
    const STREAM_REQUEST_BODY: bool = true;

    async fn prepare(&mut self, _: &mut Context) -> WebResult {
        let _ = self.0.send(Event::Prepared);
        Ok(())
    }

    async fn data_received(&mut self, _: &mut Context, chunk: Bytes) -> WebResult {
        let _ = self.0.send(Event::Data(chunk));
        Ok(())
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let _ = self.0.send(Event::Finished);
        cx.write_json(&json!({}))
    }
}

/// Refuses the request before its body (it has no `data_received`).
struct EarlyReturnHandler;

impl RequestHandler for EarlyReturnHandler {
    const STREAM_REQUEST_BODY: bool = true;

    async fn prepare(&mut self, _: &mut Context) -> WebResult {
        Err(HttpError::new(401).into())
    }
}

/// Tells the test when the connection closes.
struct CloseDetectionHandler(Events);

impl RequestHandler for CloseDetectionHandler {
    const STREAM_REQUEST_BODY: bool = true;

    fn on_connection_close(&mut self, _: &mut Context) {
        let _ = self.0.send(Event::Closed);
    }
}

fn streaming_server(events: &Events) -> HttpTestServer {
    let (stream, close) = (events.clone(), events.clone());
    serve(vec![
        url("/stream_body", move || StreamingBodyHandler(stream.clone())),
        url("/early_return", || EarlyReturnHandler),
        url("/close_detection", move || {
            CloseDetectionHandler(close.clone())
        }),
    ])
}

/// Opens a raw connection and sends the head of a chunked `GET` of
/// `path`: the test sends the body itself.
async fn connect(server: &HttpTestServer, path: &str, connection_close: bool) -> RawClient {
    let client = RawClient::connect(addr_of(server)).await;
    let mut headers = Vec::new();
    if connection_close {
        headers.push("Connection: close");
    }
    headers.push("Transfer-Encoding: chunked");
    client.send(request("GET", path, &headers, b"")).await;
    client
}

/// Tornado: StreamingRequestBodyTest.test_streaming_body
#[tokio::test]
async fn test_streaming_body() {
    let (tx, mut events) = unbounded_channel();
    let server = streaming_server(&tx);
    let mut client = connect(&server, "/stream_body", true).await;
    assert_eq!(next_event(&mut events).await, Event::Prepared);
    client.send(&b"4\r\nasdf\r\n"[..]).await;
    // The first piece arrives before the second is sent.
    assert_eq!(
        next_event(&mut events).await,
        Event::Data(Bytes::from_static(b"asdf"))
    );
    client.send(&b"4\r\nqwer\r\n"[..]).await;
    assert_eq!(
        next_event(&mut events).await,
        Event::Data(Bytes::from_static(b"qwer"))
    );
    client.send(&b"0\r\n\r\n"[..]).await;
    assert_eq!(next_event(&mut events).await, Event::Finished);
    let data = client.read_until_close().await;
    assert!(data.starts_with(b"HTTP/1.1 200 OK\r\n"), "{data:?}");
    assert!(data.ends_with(b"{}"), "{data:?}");
    server.stop().await;
}

/// Tornado: StreamingRequestBodyTest.test_early_return
#[tokio::test]
async fn test_early_return() {
    let (tx, _events) = unbounded_channel();
    let server = streaming_server(&tx);
    let mut client = connect(&server, "/early_return", false).await;
    let data = client.read_until_close().await;
    assert!(data.starts_with(b"HTTP/1.1 401"), "{data:?}");
    server.stop().await;
}

/// Tornado: StreamingRequestBodyTest.test_early_return_with_data
#[tokio::test]
async fn test_early_return_with_data() {
    let (tx, _events) = unbounded_channel();
    let server = streaming_server(&tx);
    let mut client = connect(&server, "/early_return", false).await;
    client.send(&b"4\r\nasdf\r\n"[..]).await;
    let data = client.read_until_close().await;
    assert!(data.starts_with(b"HTTP/1.1 401"), "{data:?}");
    server.stop().await;
}

/// Tornado: StreamingRequestBodyTest.test_close_during_upload
#[tokio::test]
async fn test_close_during_upload() {
    let (tx, mut events) = unbounded_channel();
    let server = streaming_server(&tx);
    let client = connect(&server, "/close_detection", false).await;
    client.stream.close();
    assert_eq!(next_event(&mut events).await, Event::Closed);
    server.stop().await;
}

// BaseStreamingRequestFlowControlTest

/// Records the methods called, each yielding to the loop, and fails when
/// one is entered while another runs (Tornado's
/// `BaseFlowControlHandler`, with a native `data_received`).
#[derive(Default)]
struct FlowControlledHandler {
    method: Option<&'static str>,
    methods: Vec<&'static str>,
}

impl FlowControlledHandler {
    fn enter(&mut self, method: &'static str) -> WebResult {
        if let Some(current) = self.method {
            return Err(WebError::msg(format!(
                "entered method {method} while in {current}"
            )));
        }
        self.method = Some(method);
        self.methods.push(method);
        Ok(())
    }
}

impl RequestHandler for FlowControlledHandler {
    const STREAM_REQUEST_BODY: bool = true;

    async fn prepare(&mut self, _: &mut Context) -> WebResult {
        self.methods.push("prepare");
        tokio::task::yield_now().await;
        Ok(())
    }

    async fn data_received(&mut self, _: &mut Context, _: Bytes) -> WebResult {
        self.enter("data_received")?;
        tokio::task::yield_now().await;
        self.method = None;
        Ok(())
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        self.enter("post")?;
        tokio::task::yield_now().await;
        self.method = None;
        let methods = json!({"methods": self.methods});
        cx.write_json(&methods)
    }
}

/// A server whose small chunks make flow control matter though the body
/// arrives at once, and that decompresses bodies.
fn flow_control_server() -> HttpTestServer {
    let settings = HttpServerSettings {
        chunk_size: 10,
        decompress_request: true,
        ..HttpServerSettings::default()
    };
    HttpTestServer::with_settings(
        app(vec![url("/", FlowControlledHandler::default)]),
        settings,
    )
    .unwrap()
}

fn expected_methods() -> Value {
    json!({"methods": ["prepare", "data_received", "data_received", "data_received", "post"]})
}

/// Tornado: BaseStreamingRequestFlowControlTest.test_flow_control_fixed_body
#[tokio::test]
async fn test_flow_control_fixed_body() {
    let server = flow_control_server();
    let response = server
        .fetch(with_body("/", "POST", "abcdefghijklmnopqrstuvwxyz"))
        .await;
    assert_eq!(json_of(&response), expected_methods());
    server.stop().await;
}

/// Tornado: BaseStreamingRequestFlowControlTest.test_flow_control_chunked_body
#[tokio::test]
async fn test_flow_control_chunked_body() {
    let server = flow_control_server();
    let request =
        HttpRequest::new("/")
            .method("POST")
            .body_producer(|write: BodyWriter| async move {
                for chunk in ["abcd", "efgh", "ijkl"] {
                    write.write(chunk).await?;
                }
                Ok::<(), supercell::httpclient::BodyWriteError>(())
            });
    let response = server.fetch(request).await;
    assert_eq!(json_of(&response), expected_methods());
    server.stop().await;
}

/// Tornado: BaseStreamingRequestFlowControlTest.test_flow_control_compressed_body
#[tokio::test]
async fn test_flow_control_compressed_body() {
    let server = flow_control_server();
    let request = HttpRequest::new("/")
        .method("POST")
        .header("Content-Encoding", "gzip")
        .body(raw_http::gzip(b"abcdefghijklmnopqrstuvwxyz"));
    let response = server.fetch(request).await;
    assert_eq!(json_of(&response), expected_methods());
    server.stop().await;
}

// IncorrectContentLengthTest

type ServerError = Arc<Mutex<Option<HttpOutputError>>>;

/// Announces `content_length` bytes and finishes with `body`, keeping the
/// error it gets.
struct WrongLengthHandler {
    content_length: &'static str,
    body: &'static str,
    error: ServerError,
}

impl RequestHandler for WrongLengthHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("Content-Length", self.content_length)?;
        let finished = cx.finish_with(self.body).await;
        if let Err(error) = &finished {
            *self.error.lock().unwrap() = error.downcast_ref::<HttpOutputError>().cloned();
        }
        finished
    }
}

fn incorrect_content_length_server(error: &ServerError) -> HttpTestServer {
    let (high, low) = (error.clone(), error.clone());
    serve(vec![
        url("/high", move || WrongLengthHandler {
            content_length: "42",
            body: "ok",
            error: high.clone(),
        }),
        url("/low", move || WrongLengthHandler {
            content_length: "2",
            body: "hello",
            error: low.clone(),
        }),
    ])
}

/// Tornado: IncorrectContentLengthTest.test_content_length_too_high
#[tokio::test]
async fn test_content_length_too_high() {
    // The connection is closed without completing the response, and an
    // error is logged.
    let error = ServerError::default();
    let server = incorrect_content_length_server(&error);
    // Tornado logs a second line, on the general log, as it fails to
    // send an error page after the head went out; supercell's response
    // is finished once handed to the connection, so no error page is
    // tried, and the one line says what went wrong.
    let uncaught = ExpectLog::new(
        APP_LOG,
        r"Uncaught exception GET /high \(127\.0\.0\.1\): tried to finish with 2 of 42 bytes",
    )
    .unwrap();
    let response = server.fetch("/high").await;
    uncaught.finish().unwrap();
    assert_eq!(response.code, 599);
    assert_eq!(
        *error.lock().unwrap(),
        Some(HttpOutputError::TooLittleData {
            written: 2,
            expected: 42
        })
    );
    server.stop().await;
}

/// Tornado: IncorrectContentLengthTest.test_content_length_too_low
#[tokio::test]
async fn test_content_length_too_low() {
    // The connection is closed without the end of the body, so the client
    // never sees the response complete.
    let error = ServerError::default();
    let server = incorrect_content_length_server(&error);
    // Tornado logs a second line, on the general log, as it fails to
    // send an error page after the head went out; supercell's response
    // is finished once handed to the connection, so no error page is
    // tried, and the one line says what went wrong.
    let uncaught = ExpectLog::new(
        APP_LOG,
        r"Uncaught exception GET /low \(127\.0\.0\.1\): tried to write more data than Content-Length",
    )
    .unwrap();
    let response = server.fetch("/low").await;
    uncaught.finish().unwrap();
    assert_eq!(response.code, 599);
    assert!(
        matches!(
            *error.lock().unwrap(),
            Some(HttpOutputError::TooMuchData(_))
        ),
        "{:?}",
        error.lock().unwrap()
    );
    server.stop().await;
}

// ClientCloseTest

/// Writes `hello` once the test says the client has gone.
struct ClientCloseHandler {
    events: Events,
    go: Arc<tokio::sync::Notify>,
}

impl RequestHandler for ClientCloseHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let _ = self.events.send(Event::Waiting);
        self.go.notified().await;
        cx.write("hello")
    }

    fn on_finish(&mut self, _: &mut Context) {
        let _ = self.events.send(Event::Finished);
    }

    fn on_connection_close(&mut self, _: &mut Context) {
        let _ = self.events.send(Event::Closed);
    }
}

/// Tornado: ClientCloseTest.test_client_close
#[tokio::test]
async fn test_client_close() {
    // The client closes the connection while the request is processed:
    // the server goes on gracefully, logging no error.
    let (tx, mut events) = unbounded_channel();
    let go = Arc::new(tokio::sync::Notify::new());
    let handler_go = go.clone();
    let server = serve_one(move || ClientCloseHandler {
        events: tx.clone(),
        go: handler_go.clone(),
    });
    let logs = LogCapture::start();
    let client = RawClient::connect(addr_of(&server)).await;
    client.send(raw_http::get("/", &[])).await;
    assert_eq!(next_event(&mut events).await, Event::Waiting);
    client.stream.close();
    tokio::time::sleep(Duration::from_millis(50)).await;
    go.notify_one();
    let end = next_event(&mut events).await;
    assert!(matches!(end, Event::Closed | Event::Finished), "{end:?}");
    server.stop().await;
    let problems: Vec<_> = logs
        .records()
        .into_iter()
        .filter(|record| matches!(record.level, Level::WARN | Level::ERROR))
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
}

// FinishExceptionTest

struct FinishExceptionHandler;

impl RequestHandler for FinishExceptionHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_status(401)?;
        cx.set_header("WWW-Authenticate", r#"Basic realm="something""#)?;
        if !cx.get_argument_or("finish_value", "")?.is_empty() {
            return Err(Finish::with_body("authentication required").into());
        }
        cx.write("authentication required")?;
        Err(Finish::new().into())
    }
}

/// Tornado: FinishExceptionTest.test_finish_exception
#[tokio::test]
async fn test_finish_exception() {
    let server = serve_one(|| FinishExceptionHandler);
    for path in ["/", "/?finish_value=1"] {
        let response = server.fetch(path).await;
        assert_eq!(response.code, 401, "{path}");
        assert_eq!(
            response.headers.get("WWW-Authenticate"),
            Some(r#"Basic realm="something""#)
        );
        assert_eq!(response.body, "authentication required");
    }
    server.stop().await;
}

// CacheTest

/// Writes its path argument, which is also its ETag.
struct EtagHandler;

impl RequestHandler for EtagHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let etag = cx.path_arg(0).unwrap_or("").to_owned();
        cx.write(etag)
    }

    fn compute_etag(cx: &Context) -> Option<ETag> {
        HeaderValue::from_bytes(cx.pending_output())
            .ok()
            .map(ETag::Value)
    }
}

/// Fetches with `etags` in `If-None-Match` from a handler whose ETag is
/// `computed_etag`, expecting `status`.
async fn check_etag(computed_etag: &str, etags: &str, status: u16) {
    let server = serve(vec![url("/etag/(.*)", || EtagHandler)]);
    let request = HttpRequest::new(format!("/etag/{computed_etag}")).header("If-None-Match", etags);
    let response = server.fetch(request).await;
    assert_eq!(response.code, status, "{computed_etag} against {etags}");
    server.stop().await;
}

/// Tornado: CacheTest.test_wildcard_etag
#[tokio::test]
async fn test_wildcard_etag() {
    check_etag(r#""xyzzy""#, "*", 304).await;
}

/// Tornado: CacheTest.test_strong_etag_match
#[tokio::test]
async fn test_strong_etag_match() {
    check_etag(r#""xyzzy""#, r#""xyzzy""#, 304).await;
}

/// Tornado: CacheTest.test_multiple_strong_etag_match
#[tokio::test]
async fn test_multiple_strong_etag_match() {
    check_etag(r#""xyzzy1""#, r#""xyzzy1", "xyzzy2""#, 304).await;
}

/// Tornado: CacheTest.test_strong_etag_not_match
#[tokio::test]
async fn test_strong_etag_not_match() {
    check_etag(r#""xyzzy""#, r#""xyzzy1""#, 200).await;
}

/// Tornado: CacheTest.test_multiple_strong_etag_not_match
#[tokio::test]
async fn test_multiple_strong_etag_not_match() {
    check_etag(r#""xyzzy""#, r#""xyzzy1", "xyzzy2""#, 200).await;
}

/// Tornado: CacheTest.test_weak_etag_match
#[tokio::test]
async fn test_weak_etag_match() {
    check_etag(r#""xyzzy1""#, r#"W/"xyzzy1""#, 304).await;
}

/// Tornado: CacheTest.test_multiple_weak_etag_match
#[tokio::test]
async fn test_multiple_weak_etag_match() {
    check_etag(r#""xyzzy2""#, r#"W/"xyzzy1", W/"xyzzy2""#, 304).await;
}

/// Tornado: CacheTest.test_weak_etag_not_match
#[tokio::test]
async fn test_weak_etag_not_match() {
    check_etag(r#""xyzzy2""#, r#"W/"xyzzy1""#, 200).await;
}

/// Tornado: CacheTest.test_multiple_weak_etag_not_match
#[tokio::test]
async fn test_multiple_weak_etag_not_match() {
    check_etag(r#""xyzzy3""#, r#"W/"xyzzy1", W/"xyzzy2""#, 200).await;
}

/// Sets its `ETag` before writing anything (its `compute_etag` tags the
/// output written so far by its length), answers `304` itself when
/// `If-None-Match` matches it, and otherwise writes `hello`, which the
/// `ETag` set must not follow.
struct ExplicitEtagHandler;

impl ExplicitEtagHandler {
    async fn respond(cx: &mut Context) -> WebResult {
        cx.set_etag_header();
        if cx.check_etag_header() {
            return cx.set_status(304);
        }
        cx.write("hello")
    }
}

impl RequestHandler for ExplicitEtagHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        Self::respond(cx).await
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        Self::respond(cx).await
    }

    fn compute_etag(cx: &Context) -> Option<ETag> {
        let tag = format!("\"{}-bytes\"", cx.pending_output().len());
        HeaderValue::from_str(&tag).ok().map(ETag::Value)
    }
}

/// `set_etag_header` called by a handler sets `Etag` to its
/// `compute_etag` then and there (`finish` adds none over it, and a `POST`,
/// which `finish` gives none, gets it too); a request whose
/// `If-None-Match` matches it then gets the handler's `304`.
#[tokio::test]
async fn set_etag_header_sets_the_computed_etag_for_the_handler_to_check() {
    let server = serve_one(|| ExplicitEtagHandler);
    let response = server.fetch("/").await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, "hello");
    assert_eq!(response.headers.get("Etag"), Some("\"0-bytes\""));

    let posted = server.fetch(with_body("/", "POST", "")).await;
    assert_eq!(posted.code, 200);
    assert_eq!(posted.headers.get("Etag"), Some("\"0-bytes\""));

    for etag in ["\"0-bytes\"", "W/\"0-bytes\"", "\"5-bytes\", \"0-bytes\""] {
        let response = server
            .fetch(HttpRequest::new("/").header("If-None-Match", etag))
            .await;
        assert_eq!(response.code, 304, "{etag}");
        assert_eq!(response.body, "", "{etag}");
        assert_eq!(response.headers.get("Etag"), Some("\"0-bytes\""), "{etag}");
    }
    // The tag `finish` would have computed from the whole body is not the
    // response's.
    let response = server
        .fetch(HttpRequest::new("/").header("If-None-Match", "\"5-bytes\""))
        .await;
    assert_eq!(response.code, 200);
    assert_eq!(response.headers.get("Etag"), Some("\"0-bytes\""));
    server.stop().await;
}

// RequestSummaryTest

/// Clears the request's remote IP before finishing.
struct NoRemoteIpHandler;

impl RequestHandler for NoRemoteIpHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let context = RequestContext {
            remote_ip: String::new(),
            ..RequestContext::clone(&cx.request().context)
        };
        cx.request_mut().context = Arc::new(context);
        cx.finish_with("ok").await
    }
}

/// Tornado: RequestSummaryTest.test_missing_remote_ip
#[tokio::test]
async fn test_missing_remote_ip() {
    let server = serve_one(|| NoRemoteIpHandler);
    let expected = ExpectLog::new(ACCESS_LOG, r"200 GET / \(\) [0-9.]+ms").unwrap();
    let response = server.fetch("/").await;
    expected.finish().unwrap();
    assert_eq!((response.code, &response.body[..]), (200, &b"ok"[..]));
    server.stop().await;
}

// HTTPErrorTest

/// Tornado: HTTPErrorTest.test_copy
#[test]
fn test_copy() {
    let error = HttpError::new(403).reason("Go away");
    let copy = error.clone();
    assert!(!std::ptr::eq(&error, &copy));
    assert_eq!(error.status, copy.status);
    assert_eq!(error.reason, copy.reason);
}

// ApplicationTest

/// Tornado: ApplicationTest.test_listen
#[tokio::test]
async fn test_listen() {
    let app = app(Vec::new());
    let server = app.listen(0, Some("127.0.0.1")).unwrap();
    server.stop();
}

// URLSpecReverseTest

/// Tornado: URLSpecReverseTest.test_reverse
#[test]
fn test_reverse() {
    for pattern in [r"/favicon\.ico", r"^/favicon\.ico$"] {
        let matcher = PathMatches::new(pattern).unwrap();
        assert_eq!(matcher.reverse(&[]).unwrap(), "/favicon.ico", "{pattern}");
    }
}

/// Tornado: URLSpecReverseTest.test_non_reversible
#[test]
fn test_non_reversible() {
    // A pattern is not reversible when it has pattern syntax other than
    // text outside its groups; checked strictly for escaped classes.
    let pattern = r"^/api/v\d+/foo/(\w+)$";
    // The route can be made even though it cannot be reversed.
    let matcher = PathMatches::new(pattern).unwrap();
    let result = matcher.reverse(&[]);
    assert!(
        matches!(result, Err(RouteError::NotReversible(_))),
        "reversing {pattern}: {result:?}"
    );
}

/// Tornado: URLSpecReverseTest.test_reverse_arguments
#[test]
fn test_reverse_arguments() {
    let matcher = PathMatches::new(r"^/api/v1/foo/(\w+)$").unwrap();
    assert_eq!(matcher.reverse(&["bar"]).unwrap(), "/api/v1/foo/bar");
}

// RedirectHandlerTest

fn redirect_server() -> HttpTestServer {
    serve(vec![
        url("/src", || RedirectHandler::new("/dst")),
        url("/src2", || RedirectHandler::new("/dst2?foo=bar")),
        url("/fragment", || RedirectHandler::new("/dst#top")),
        url(r"/in-turn/(.*?)/(.*)", || {
            RedirectHandler::new("/{}/{0}/{}")
        }),
        url(r"/(.*?)/(.*?)/(.*)", || {
            RedirectHandler::new("/{1}/{0}/{2}")
        }),
    ])
}

async fn check_redirect(path: &str, location: &str) {
    let server = redirect_server();
    let response = server.fetch(no_follow(path)).await;
    assert_eq!(response.code, 301);
    assert_eq!(response.headers.get("Location"), Some(location));
    server.stop().await;
}

/// Tornado: RedirectHandlerTest.test_basic_redirect
#[tokio::test]
async fn test_basic_redirect() {
    check_redirect("/src", "/dst").await;
}

/// Tornado: RedirectHandlerTest.test_redirect_with_argument
#[tokio::test]
async fn test_redirect_with_argument() {
    check_redirect("/src?foo=bar", "/dst?foo=bar").await;
}

/// Tornado: RedirectHandlerTest.test_redirect_with_appending_argument
#[tokio::test]
async fn test_redirect_with_appending_argument() {
    check_redirect("/src2?foo2=bar2", "/dst2?foo=bar&foo2=bar2").await;
}

/// Tornado: RedirectHandlerTest.test_redirect_pattern
#[tokio::test]
async fn test_redirect_pattern() {
    check_redirect("/a/b/c", "/b/a/c").await;
}

/// As Python's `str.format` fills `{}`: the path arguments in turn.
#[tokio::test]
async fn redirect_targets_take_empty_braces_in_turn() {
    check_redirect("/in-turn/a/b", "/a/a/b").await;
}

/// As Tornado's `url_concat`: the query goes before the target's fragment.
#[tokio::test]
async fn redirect_keeps_the_targets_fragment_after_the_query() {
    check_redirect("/fragment?x=1", "/dst?x=1#top").await;
    check_redirect("/fragment", "/dst#top").await;
}

/// Tornado: WSGISafeWebTest.test_no_gzip
#[tokio::test]
async fn test_no_gzip() {
    let server = wsgi_safe_server();
    let response = server.fetch("/get_argument").await;
    assert!(
        !response
            .headers
            .get("Vary")
            .unwrap_or("")
            .contains("Accept-Encoding")
    );
    assert!(
        !response
            .headers
            .get("Content-Encoding")
            .unwrap_or("")
            .contains("gzip")
    );
    server.stop().await;
}

// Beyond Tornado's tests.

/// Takes a posted body whole.
struct BodyTaker;

impl RequestHandler for BodyTaker {
    async fn post(&mut self, cx: &mut Context) -> WebResult {
        let len = cx.request().body.len();
        cx.write(len.to_string())
    }
}

/// Takes a posted body piece by piece.
struct StreamedBodyTaker;

impl RequestHandler for StreamedBodyTaker {
    const STREAM_REQUEST_BODY: bool = true;

    async fn data_received(&mut self, _: &mut Context, _: bytes::Bytes) -> WebResult {
        Ok(())
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        cx.write("done")
    }
}

#[tokio::test]
async fn a_malformed_body_to_a_handler_is_answered_400_not_500() {
    let app = Application::new(
        vec![
            url("/whole", || BodyTaker),
            url("/streamed", || StreamedBodyTaker),
        ],
        Settings::default(),
    )
    .unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", server.http_port()).parse().unwrap();
    for path in ["/whole", "/streamed"] {
        let mut client = RawClient::connect(addr).await;
        let head = format!("POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        client.send(format!("{head}5x\r\nhello\r\n0\r\n\r\n")).await;
        let response = client.read_response(&http::Method::POST).await;
        assert_eq!(response.code, 400, "{path}");
        assert!(client.closed_within(Duration::from_secs(5)).await, "{path}");
    }
    server.stop().await;
}

/// Writes 2048 bytes of text-like content with the `type` argument as its
/// `Content-Type`.
struct TypedBodyHandler;

/// What [`TypedBodyHandler`] writes: compressible whatever its type says.
fn typed_body() -> String {
    "compress me ".repeat(2048 / 12 + 1)[..2048].to_owned()
}

impl RequestHandler for TypedBodyHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let content_type = cx.get_argument("type")?;
        cx.set_header("Content-Type", content_type)?;
        cx.write(typed_body())
    }
}

/// With `compress_response`, a body over the minimum size is gzipped when
/// its content type is textual, and sent as it is when it is not (an
/// image, an octet stream): no `Content-Encoding`, `Vary` all the same.
#[tokio::test]
async fn gzip_leaves_non_compressible_content_types_alone() {
    use std::io::Read;

    let server = serve_compressed(vec![url("/", || TypedBodyHandler)]);
    let fetch = |content_type: &str| {
        server.fetch(
            HttpRequest::new(format!("/?type={}", content_type.replace('/', "%2F")))
                .decompress_response(false)
                .header("Accept-Encoding", "gzip"),
        )
    };
    for content_type in ["text/plain", "application/json"] {
        let response = fetch(content_type).await;
        assert_eq!(response.code, 200, "{content_type}");
        assert_eq!(
            response.headers.get("Content-Encoding"),
            Some("gzip"),
            "{content_type}"
        );
        assert_eq!(response.headers.get("Vary"), Some("Accept-Encoding"));
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&response.body[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, typed_body(), "{content_type}");
        assert!(response.body.len() < decoded.len(), "{content_type}");
    }
    for content_type in ["image/png", "application/octet-stream"] {
        let response = fetch(content_type).await;
        assert_eq!(response.code, 200, "{content_type}");
        assert_eq!(
            response.headers.get("Content-Encoding"),
            None,
            "{content_type}"
        );
        assert_eq!(response.headers.get("Vary"), Some("Accept-Encoding"));
        assert_eq!(response.headers.get("Content-Type"), Some(content_type));
        assert_eq!(response.body, typed_body(), "{content_type}");
    }
    server.stop().await;
}

/// Requires a user, and has a login URL of its own.
struct OwnLoginUrlHandler;

impl RequestHandler for OwnLoginUrlHandler {
    fn get_login_url(_: &Context) -> WebResult<String> {
        Ok("/own/login".to_owned())
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.authenticated().await?;
        cx.write("logged in")
    }
}

/// A handler's `get_login_url` decides where `authenticated` sends a
/// `GET` without a user, `next` added, whatever the `login_url` setting
/// says, and whether there is one.
#[tokio::test]
async fn authenticated_redirects_to_the_handlers_own_login_url() {
    let with_setting = Settings {
        login_url: Some("/settings/login".into()),
        ..Settings::default()
    };
    for settings in [with_setting, Settings::default()] {
        let app = Application::new(vec![url("/private", || OwnLoginUrlHandler)], settings);
        let server = HttpTestServer::new(app.unwrap()).unwrap();
        let response = server.fetch(no_follow("/private?x=1")).await;
        assert_eq!(response.code, 302);
        assert_eq!(
            response.headers.get("Location"),
            Some("/own/login?next=%2Fprivate%3Fx%3D1")
        );
        server.stop().await;
    }
}

/// Runs `removeslash` or `addslash` (its `add` says which) for every
/// method, then writes the method's name.
struct SlashGuarded {
    add: bool,
}

impl SlashGuarded {
    async fn respond(&self, cx: &mut Context, method: &str) -> WebResult {
        if self.add {
            cx.addslash().await?;
        } else {
            cx.removeslash().await?;
        }
        cx.write(method)
    }
}

impl RequestHandler for SlashGuarded {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        self.respond(cx, "get").await
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        self.respond(cx, "post").await
    }

    async fn delete(&mut self, cx: &mut Context) -> WebResult {
        self.respond(cx, "delete").await
    }
}

/// `removeslash` and `addslash` redirect a `GET` whose path they would
/// change, and answer `404` (no redirect) to a `POST` or `DELETE` of such
/// a path, which the handler does implement; a path they would leave
/// alone reaches the handler whatever the method.
#[tokio::test]
async fn slash_guards_answer_404_not_a_redirect_to_other_methods() {
    let server = serve(vec![
        url("/removeslash/?", || SlashGuarded { add: false }),
        url("/addslash/?", || SlashGuarded { add: true }),
    ]);
    for (changed, unchanged) in [
        ("/removeslash/", "/removeslash"),
        ("/addslash", "/addslash/"),
    ] {
        let response = server.fetch(no_follow(changed)).await;
        assert_eq!(response.code, 301, "GET {changed}");
        assert_eq!(response.headers.get("Location"), Some(unchanged));
        for method in ["POST", "DELETE"] {
            // A POST has a body, even if empty; a DELETE has none.
            let request = |path: &str| match method {
                "POST" => with_body(path, method, "").follow_redirects(false),
                _ => no_follow(path).method(method),
            };
            let response = server.fetch(request(changed)).await;
            assert_eq!(response.code, 404, "{method} {changed}");
            assert_eq!(response.headers.get("Location"), None, "{method} {changed}");

            let response = server.fetch(request(unchanged)).await;
            assert_eq!(response.code, 200, "{method} {unchanged}");
            assert_eq!(response.body, method.to_ascii_lowercase());
        }
    }
    server.stop().await;
}
