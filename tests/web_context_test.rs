//! Settings and `Context` behaviour beyond Tornado's own tests: the
//! access log (its levels and `log_function`), `serve_traceback`, typed
//! JSON bodies, JSON output, output around the context's own room, and
//! the checks on status codes and header values, over real sockets on
//! 127.0.0.1.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use supercell::httpclient::HttpRequest;
use supercell::testing::{ExpectLog, HttpTestServer};
use supercell::util::log_target::{ACCESS_LOG, APP_LOG};
use supercell::web::{Application, Context, RequestHandler, Settings, WebError, WebResult, url};
use tracing::Level;

#[derive(Deserialize, Serialize)]
struct Point {
    x: i32,
    y: i32,
}

struct Statuses;

impl RequestHandler for Statuses {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let status: u16 = cx.path_arg(0).unwrap_or("200").parse().unwrap_or(200);
        cx.set_status(status)
    }
}

struct Failing;

impl RequestHandler for Failing {
    async fn get(&mut self, _: &mut Context) -> WebResult {
        Err(WebError::msg("the disk is on fire"))
    }
}

struct Points;

impl RequestHandler for Points {
    async fn post(&mut self, cx: &mut Context) -> WebResult {
        let point: Point = cx.json_body()?;
        cx.write_json(&Point {
            x: point.y,
            y: point.x,
        })
    }
}

struct Checks;

impl RequestHandler for Checks {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let refused = [
            cx.set_status(99).is_err(),
            cx.set_status(1000).is_err(),
            cx.set_header("X-Bad", "a\r\nInjected: yes").is_err(),
            cx.set_header("X-Bad", "tab\there").is_err(),
            cx.add_header("Bad Name", "x").is_err(),
            cx.set_status_reason(299, "Fine\r\n").is_err(),
        ];
        cx.set_header("X-Number", 42)?;
        cx.set_status_reason(299, "Fine")?;
        cx.write(format!("{refused:?}"))
    }
}

/// Writes `/output/<size>/<pieces>` bytes: `size` in `pieces` writes,
/// flushing after the first when the query has `flush`, setting a cookie
/// when it has `cookie`.
struct Output;

impl RequestHandler for Output {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let size: usize = cx.path_arg(0).unwrap_or("0").parse().unwrap_or(0);
        let pieces: usize = cx.path_arg(1).unwrap_or("1").parse().unwrap_or(1);
        let flush = cx.request().query().contains("flush");
        if cx.request().query().contains("cookie") {
            cx.set_cookie("c", "v", &Default::default())?;
        }
        let body: Vec<u8> = (0..size).map(|at| b'a' + (at % 26) as u8).collect();
        let piece = size.div_ceil(pieces.max(1)).max(1);
        for (index, chunk) in body.chunks(piece).enumerate() {
            cx.write(chunk)?;
            if flush && index == 0 {
                cx.flush().await?;
            }
        }
        Ok(())
    }
}

fn app(settings: Settings) -> Application {
    Application::new(
        vec![
            url(r"/output/([0-9]+)/([0-9]+)", || Output),
            url(r"/status/([0-9]+)", || Statuses),
            url("/fail", || Failing),
            url("/points", || Points),
            url("/checks", || Checks),
        ],
        settings,
    )
    .unwrap()
}

#[tokio::test]
async fn the_access_log_level_follows_the_status() {
    let info = ExpectLog::new(ACCESS_LOG, r"200 GET /status/200 \(127.0.0.1\) [0-9.]+ms")
        .unwrap()
        .level(Level::INFO);
    let warn = ExpectLog::new(ACCESS_LOG, r"404 GET /status/404 ")
        .unwrap()
        .level(Level::WARN);
    let error = ExpectLog::new(ACCESS_LOG, r"503 GET /status/503 ")
        .unwrap()
        .level(Level::ERROR);
    let server = HttpTestServer::new(app(Settings::default())).unwrap();
    for status in [200, 404, 503] {
        assert_eq!(server.fetch(format!("/status/{status}")).await.code, status);
    }
    server.stop().await;
    error.finish().unwrap();
    warn.finish().unwrap();
    info.finish().unwrap();
}

#[tokio::test]
async fn log_function_replaces_the_access_log_line() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let settings = Settings {
        log_function: Some(Arc::new(move |cx: &Context| {
            log.lock()
                .unwrap()
                .push(format!("{} {}", cx.get_status(), cx.request().path()));
        })),
        ..Settings::default()
    };
    let server = HttpTestServer::new(app(settings)).unwrap();
    server.fetch("/status/201").await;
    server.fetch("/nowhere").await;
    server.stop().await;
    assert_eq!(*seen.lock().unwrap(), ["201 /status/201", "404 /nowhere"]);
}

#[tokio::test]
async fn error_pages_show_the_error_only_with_serve_traceback() {
    let logged = ExpectLog::new(APP_LOG, ".*the disk is on fire").unwrap();
    let plain = HttpTestServer::new(app(Settings::default())).unwrap();
    let response = plain.fetch("/fail").await;
    assert_eq!(response.code, 500);
    assert_eq!(
        response.body,
        "<html><title>500: Internal Server Error</title><body>500: Internal Server Error</body></html>"
    );
    plain.stop().await;
    let debug = HttpTestServer::new(app(Settings {
        debug: true,
        ..Settings::default()
    }))
    .unwrap();
    let response = debug.fetch("/fail").await;
    assert_eq!(response.code, 500);
    assert_eq!(response.headers.get("Content-Type"), Some("text/plain"));
    assert!(String::from_utf8_lossy(&response.body).contains("the disk is on fire"));
    debug.stop().await;
    logged.finish().unwrap();
}

#[tokio::test]
async fn json_bodies_are_typed_and_checked() {
    let server = HttpTestServer::new(app(Settings::default())).unwrap();
    let post = |content_type: &str, body: &str| {
        HttpRequest::new("/points")
            .method("POST")
            .header("Content-Type", content_type)
            .body(body.to_owned())
    };
    let response = server
        .fetch(post("application/json", r#"{"x":1,"y":2}"#))
        .await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, r#"{"x":2,"y":1}"#);
    assert_eq!(
        response.headers.get("Content-Type"),
        Some("application/json; charset=UTF-8")
    );
    let vendor = server
        .fetch(post(
            "application/vnd.api+json; charset=utf-8",
            r#"{"x":3,"y":4}"#,
        ))
        .await;
    assert_eq!(vendor.code, 200);
    assert_eq!(
        server
            .fetch(post("application/json", r#"{"x":1}"#))
            .await
            .code,
        400
    );
    assert_eq!(
        server.fetch(post("application/json", "{nope")).await.code,
        400
    );
    assert_eq!(
        server
            .fetch(post("text/plain", r#"{"x":1,"y":2}"#))
            .await
            .code,
        415
    );
    server.stop().await;
}

#[tokio::test]
async fn status_codes_and_header_values_are_checked() {
    let server = HttpTestServer::new(app(Settings::default())).unwrap();
    let response = server.fetch("/checks").await;
    assert_eq!(response.code, 299);
    assert_eq!(response.reason, "Fine");
    assert_eq!(response.headers.get("X-Number"), Some("42"));
    assert!(response.headers.get("Injected").is_none());
    assert_eq!(response.body, "[true, true, true, true, true, true]");
    server.stop().await;
}

/// A streaming handler whose `prepare` sets the body limits.
struct Limited;

impl RequestHandler for Limited {
    const STREAM_REQUEST_BODY: bool = true;

    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        cx.set_max_body_size(10);
        cx.set_body_timeout(Some(std::time::Duration::from_millis(200)));
        Ok(())
    }

    async fn data_received(&mut self, _: &mut Context, _: bytes::Bytes) -> WebResult {
        Ok(())
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        cx.write("taken")
    }
}

#[tokio::test]
async fn prepare_sets_the_body_limits_at_their_edge() {
    use supercell::iostream::IoStream;
    let app = Application::new(vec![url("/limited", || Limited)], Settings::default()).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let post = |size: usize| {
        HttpRequest::new("/limited")
            .method("POST")
            .body("x".repeat(size))
    };
    assert_eq!(server.fetch(post(10)).await.code, 200);
    assert_eq!(server.fetch(post(11)).await.code, 413);
    // A body that stops coming: the connection closes after the timeout.
    let addr = format!("127.0.0.1:{}", server.http_port()).parse().unwrap();
    let client = IoStream::connect(addr).await.unwrap();
    client
        .write(&b"POST /limited HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab"[..])
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let closed =
        tokio::time::timeout(std::time::Duration::from_secs(5), client.read_until_close()).await;
    assert!(closed.is_ok(), "the stalled body was not timed out");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    server.stop().await;
}

/// Answers what `require_setting` says of each setting it is asked for.
struct RequireSetting;

impl RequestHandler for RequireSetting {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let mut answers = Vec::new();
        for name in cx.get_arguments("name")? {
            answers.push(match cx.require_setting(&name, "this feature") {
                Ok(()) => "ok".to_owned(),
                Err(error) => error.to_string(),
            });
        }
        cx.write(answers.join("\n"))
    }
}

/// `require_setting` fails, with Tornado's message, for a setting not
/// set, and for a name that is no setting.
#[tokio::test]
async fn require_setting_names_what_is_missing() {
    let settings = Settings {
        login_url: Some("/login".to_owned()),
        ..Settings::default()
    };
    let app = Application::new(vec![url("/", || RequireSetting)], settings).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let response = server
        .fetch("/?name=login_url&name=cookie_secret&name=no_such_setting")
        .await;
    assert_eq!(
        String::from_utf8_lossy(&response.body),
        "ok\nYou must define the 'cookie_secret' setting in your application to use this feature\nthere is no setting named 'no_such_setting'"
    );
    // Settings that always have a value are settings too.
    let response = server
        .fetch("/?name=static_url_prefix&name=websocket_max_message_size&name=xsrf_cookie_version&name=static_handler_args&name=xsrf_cookie_name")
        .await;
    assert_eq!(
        String::from_utf8_lossy(&response.body),
        "ok\nok\nok\nYou must define the 'static_handler_args' setting in your application to use this feature\nYou must define the 'xsrf_cookie_name' setting in your application to use this feature"
    );
    server.stop().await;
}

#[tokio::test]
async fn output_of_any_size_around_the_context_s_own_room_arrives_whole() {
    let server = HttpTestServer::new(app(Settings::default())).unwrap();
    let expected =
        |size: usize| -> Vec<u8> { (0..size).map(|at| b'a' + (at % 26) as u8).collect() };
    // The context keeps up to 512 bytes itself; past that the output
    // moves to a pooled buffer, in one write or across several.
    for size in [0, 1, 511, 512, 513, 1023, 1024, 1025, 5000] {
        for pieces in [1, 2, 7] {
            for query in ["", "?flush", "?cookie", "?flush&cookie"] {
                let response = server
                    .fetch(format!("/output/{size}/{pieces}{query}"))
                    .await;
                assert_eq!(response.code, 200, "{size} {pieces} {query}");
                assert_eq!(
                    &response.body[..],
                    &expected(size)[..],
                    "{size} {pieces} {query}"
                );
                assert_eq!(
                    response.headers.get("Set-Cookie").is_some(),
                    query.contains("cookie"),
                    "{size} {pieces} {query}"
                );
            }
        }
    }
}
