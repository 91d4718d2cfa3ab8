//! `FallbackHandler`: requests under a supercell route answered by a
//! request callback, and by a `tower::Service` (as an axum or tower
//! application would be), over real sockets on 127.0.0.1; and an
//! `Application` answering as a `tower::Service`.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use supercell::http1::ResponseWriter;
use supercell::httpclient::HttpRequest;
use supercell::httputil::{HttpHeaders, HttpServerRequest};
use supercell::testing::{ExpectLog, HttpTestServer};
use supercell::util::log_target::APP_LOG;
use supercell::web::{
    Application, Context, FallbackHandler, RequestHandler, Settings, TowerService, WebResult, url,
};

struct Native;

impl RequestHandler for Native {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write("native")
    }
}

/// Answers with what it got: method, path, a header and the body.
async fn echo(
    request: http::Request<Full<Bytes>>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let text = format!(
        "{} {} {} {}",
        parts.method,
        parts.uri,
        parts
            .headers
            .get("x-test")
            .map_or("-", |v| v.to_str().unwrap()),
        String::from_utf8_lossy(&body)
    );
    let response = http::Response::builder()
        .status(201)
        .header("x-from", "tower")
        .body(Full::new(Bytes::from(text)))
        .unwrap();
    Ok(response)
}

async fn failing(_: http::Request<Full<Bytes>>) -> Result<http::Response<Full<Bytes>>, String> {
    Err("the service is down".to_owned())
}

fn server() -> HttpTestServer {
    let tower = FallbackHandler::new(TowerService::new(tower::service_fn(echo)));
    let broken = FallbackHandler::new(TowerService::new(tower::service_fn(failing)));
    let callback = FallbackHandler::new(
        |request: HttpServerRequest, mut writer: ResponseWriter| async move {
            let body = format!("callback saw {}", request.path());
            let _ = writer.respond(200, HttpHeaders::new(), body).await;
        },
    );
    let app = Application::new(
        vec![
            url("/native", || Native),
            url("/tower/.*", move || tower.clone()),
            url("/broken", move || broken.clone()),
            url("/callback/.*", move || callback.clone()),
        ],
        Settings::default(),
    )
    .unwrap();
    HttpTestServer::new(app).unwrap()
}

#[tokio::test]
async fn a_tower_service_answers_under_a_route() {
    let server = server();
    let response = server
        .fetch(
            HttpRequest::new("/tower/a?b=1")
                .method("POST")
                .header("X-Test", "yes")
                .body("payload"),
        )
        .await;
    assert_eq!(response.code, 201);
    assert_eq!(response.headers.get("X-From"), Some("tower"));
    assert_eq!(response.body, "POST /tower/a?b=1 yes payload");
    // The application's own handlers answer beside it.
    assert_eq!(server.fetch("/native").await.body, "native");
    server.stop().await;
}

#[tokio::test]
async fn a_failing_tower_service_is_answered_500_and_logged() {
    let log = ExpectLog::new(APP_LOG, ".*the service is down").unwrap();
    let server = server();
    assert_eq!(server.fetch("/broken").await.code, 500);
    log.finish().unwrap();
    server.stop().await;
}

#[tokio::test]
async fn a_request_callback_answers_under_a_route() {
    let server = server();
    let response = server.fetch("/callback/x").await;
    assert_eq!(
        (response.code, &response.body[..]),
        (200, &b"callback saw /callback/x"[..])
    );
    server.stop().await;
}

// An application as a tower::Service.

struct Streamed;

impl RequestHandler for Streamed {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.set_header("X-Kind", "streamed")?;
        cx.write("one ")?;
        cx.flush().await?;
        cx.write("two")
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        let body = cx.request().body.clone();
        cx.set_status(201)?;
        cx.write(body)
    }
}

fn inner_app() -> Application {
    Application::new(
        vec![url("/inner/streamed", || Streamed)],
        Settings::default(),
    )
    .unwrap()
}

#[tokio::test]
async fn an_application_answers_as_a_tower_service() {
    use tower::ServiceExt;
    let app = inner_app();
    let get = http::Request::get("/inner/streamed")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = app.clone().oneshot(get).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-kind"], "streamed");
    assert!(response.headers().get("transfer-encoding").is_none());
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        "one two"
    );
    let post = http::Request::post("/inner/streamed")
        .body(Full::new(Bytes::from_static(b"payload")))
        .unwrap();
    let response = app.clone().oneshot(post).await.unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        "payload"
    );
    let missing = http::Request::get("/elsewhere")
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(app.oneshot(missing).await.unwrap().status(), 404);
}

#[tokio::test]
async fn an_application_as_a_service_mounts_under_another() {
    let inner = FallbackHandler::new(TowerService::new(inner_app()));
    let outer = Application::new(
        vec![
            url("/native", || Native),
            url("/inner/.*", move || inner.clone()),
        ],
        Settings::default(),
    )
    .unwrap();
    let server = HttpTestServer::new(outer).unwrap();
    let response = server.fetch("/inner/streamed").await;
    assert_eq!((response.code, &response.body[..]), (200, &b"one two"[..]));
    let posted = server
        .fetch(
            HttpRequest::new("/inner/streamed")
                .method("POST")
                .body("sent"),
        )
        .await;
    assert_eq!((posted.code, &posted.body[..]), (201, &b"sent"[..]));
    assert_eq!(server.fetch("/native").await.body, "native");
    server.stop().await;
}
