//! Counterparts of Tornado 5.0's `tornado/test/web_test.py` for cookies,
//! signed cookies, XSRF, authentication, the slash decorators and gzip
//! output, over real sockets on 127.0.0.1.
//!
//! Adapted:
//! - `XSRFTest.Handler` changes `xsrf_cookie_version` in the live
//!   settings per request; settings are immutable here, so version-1
//!   tokens come from a second application with that setting.
//! - `GetCurrentUserTest` renders templates and UI modules to show that
//!   the user is looked up lazily; here the handler asks
//!   `current_user` or not, and counts the lookups.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use supercell::httpclient::{HttpRequest, HttpResponse};
use supercell::testing::{ExpectLog, HttpTestServer};
use supercell::util::log_target::GEN_LOG;
use supercell::web::{
    Application, Context, CookieOptions, CookieSecret, CurrentUser, ErrorHandler, GzipTransform,
    OutputTransform, RequestHandler, SameSite, Settings, SignedValueVersion, WebResult,
    XsrfTokenVersion, create_signed_value_at, decode_signed_value, url,
};

fn set_cookies(response: &HttpResponse) -> Vec<String> {
    let mut cookies: Vec<String> = response
        .headers
        .get_list("Set-Cookie")
        .into_iter()
        .map(str::to_owned)
        .collect();
    cookies.sort();
    cookies
}

fn body(response: &HttpResponse) -> String {
    String::from_utf8(response.body.to_vec()).unwrap()
}

/// A handler whose `get` is a closure.
struct Get<F>(F);

impl<F> RequestHandler for Get<F>
where
    F: Fn(&mut Context) -> WebResult + Send + Sync + Clone + 'static,
{
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        (self.0)(cx)
    }
}

fn get<F>(pattern: &str, f: F) -> supercell::web::Route
where
    F: Fn(&mut Context) -> WebResult + Send + Sync + Clone + 'static,
{
    url(pattern, move || Get(f.clone()))
}

fn cookie_server() -> HttpTestServer {
    let plain = CookieOptions::default();
    let app = Application::new(
        vec![
            get("/set", |cx| {
                cx.set_cookie("str", "asdf", &CookieOptions::default())?;
                cx.set_cookie("unicode", "qwer", &CookieOptions::default())?;
                cx.set_cookie("bytes", "zxcv", &CookieOptions::default())
            }),
            get("/get", |cx| {
                let value = cx.get_cookie("foo").unwrap_or_else(|| "default".into());
                cx.write(value)
            }),
            get("/set_domain", |cx| {
                let options = CookieOptions {
                    domain: Some("foo.com".into()),
                    path: "/foo".into(),
                    ..CookieOptions::default()
                };
                cx.set_cookie("unicode_args", "blah", &options)
            }),
            get("/special_char", |cx| {
                cx.set_cookie("equals", "a=b", &CookieOptions::default())?;
                cx.set_cookie("semicolon", "a;b", &CookieOptions::default())?;
                cx.set_cookie("quote", "a\"b", &CookieOptions::default())
            }),
            get("/set_overwrite", |cx| {
                let domain = CookieOptions {
                    domain: Some("example.com".into()),
                    ..CookieOptions::default()
                };
                cx.set_cookie("a", "b", &domain)?;
                cx.set_cookie("c", "d", &domain)?;
                cx.set_cookie("a", "e", &CookieOptions::default())
            }),
            get("/set_max_age", |cx| {
                let options = CookieOptions {
                    max_age: Some(10),
                    ..CookieOptions::default()
                };
                cx.set_cookie("foo", "bar", &options)
            }),
            get("/set_expires_days", |cx| {
                let options = CookieOptions {
                    expires_days: Some(10.0),
                    ..CookieOptions::default()
                };
                cx.set_cookie("foo", "bar", &options)
            }),
            get("/set_falsy_flags", move |cx| {
                let secure = CookieOptions {
                    secure: true,
                    ..CookieOptions::default()
                };
                let httponly = CookieOptions {
                    httponly: true,
                    ..CookieOptions::default()
                };
                cx.set_cookie("a", "1", &secure)?;
                cx.set_cookie("b", "1", &plain)?;
                cx.set_cookie("c", "1", &httponly)?;
                cx.set_cookie("d", "1", &plain)
            }),
            get("/invalid", |cx| {
                let refused = cx
                    .set_cookie("bad name", "x", &CookieOptions::default())
                    .is_err()
                    && cx
                        .set_cookie("a", "x\r\nInjected: 1", &CookieOptions::default())
                        .is_err()
                    && cx
                        .set_cookie("a", "b c", &CookieOptions::default())
                        .is_err();
                cx.write(refused.to_string())
            }),
        ],
        Settings::default(),
    )
    .unwrap();
    HttpTestServer::new(app).unwrap()
}

/// Tornado: CookieTest.test_set_cookie
#[tokio::test]
async fn test_set_cookie() {
    let server = cookie_server();
    let response = server.fetch("/set").await;
    assert_eq!(
        set_cookies(&response),
        [
            "bytes=zxcv; Path=/",
            "str=asdf; Path=/",
            "unicode=qwer; Path=/"
        ]
    );
    server.stop().await;
}

/// Tornado: CookieTest.test_get_cookie
#[tokio::test]
async fn test_get_cookie() {
    let server = cookie_server();
    for (cookie, expected) in [
        ("foo=bar", "bar"),
        ("foo=\"bar\"", "bar"),
        ("/=exception;", "default"),
    ] {
        let response = server
            .fetch(HttpRequest::new("/get").header("Cookie", cookie))
            .await;
        assert_eq!(body(&response), expected, "{cookie}");
    }
    server.stop().await;
}

/// Tornado: CookieTest.test_set_cookie_domain
#[tokio::test]
async fn test_set_cookie_domain() {
    let server = cookie_server();
    let response = server.fetch("/set_domain").await;
    assert_eq!(
        set_cookies(&response),
        ["unicode_args=blah; Domain=foo.com; Path=/foo"]
    );
    server.stop().await;
}

/// Tornado: CookieTest.test_cookie_special_char
#[tokio::test]
async fn test_cookie_special_char() {
    let server = cookie_server();
    let response = server.fetch("/special_char").await;
    assert_eq!(
        set_cookies(&response),
        [
            "equals=\"a=b\"; Path=/",
            "quote=\"a\\\"b\"; Path=/",
            "semicolon=\"a\\073b\"; Path=/"
        ]
    );
    let data = [
        ("foo=a=b", "a=b"),
        ("foo=\"a=b\"", "a=b"),
        ("foo=\"a;b\"", "\"a"),
        ("foo=a\\073b", "a\\073b"),
        ("foo=\"a\\073b\"", "a;b"),
        ("foo=\"a\\\"b\"", "a\"b"),
    ];
    for (cookie, expected) in data {
        let response = server
            .fetch(HttpRequest::new("/get").header("Cookie", cookie))
            .await;
        assert_eq!(body(&response), expected, "{cookie}");
    }
    server.stop().await;
}

/// Tornado: CookieTest.test_set_cookie_overwrite
#[tokio::test]
async fn test_set_cookie_overwrite() {
    let server = cookie_server();
    let response = server.fetch("/set_overwrite").await;
    assert_eq!(
        set_cookies(&response),
        ["a=e; Path=/", "c=d; Domain=example.com; Path=/"]
    );
    server.stop().await;
}

/// Tornado: CookieTest.test_set_cookie_max_age
#[tokio::test]
async fn test_set_cookie_max_age() {
    let server = cookie_server();
    let response = server.fetch("/set_max_age").await;
    assert_eq!(set_cookies(&response), ["foo=bar; Max-Age=10; Path=/"]);
    server.stop().await;
}

/// Tornado: CookieTest.test_set_cookie_expires_days
#[tokio::test]
async fn test_set_cookie_expires_days() {
    let server = cookie_server();
    let response = server.fetch("/set_expires_days").await;
    let header = response.headers.get("Set-Cookie").unwrap().to_owned();
    let expires = header
        .strip_prefix("foo=bar; expires=")
        .and_then(|rest| rest.strip_suffix("; Path=/"))
        .unwrap_or_else(|| panic!("unexpected {header}"));
    let when = httpdate_seconds(expires);
    let wanted = SystemTime::now() + Duration::from_secs(10 * 86_400);
    let wanted = wanted
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((when - wanted).abs() < 10, "{expires}");
    server.stop().await;
}

/// Seconds since the epoch of an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn httpdate_seconds(text: &str) -> i64 {
    let parts: Vec<&str> = text.split([' ', ':']).collect();
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day: i64 = parts[1].parse().unwrap();
    let month = months.iter().position(|m| *m == parts[2]).unwrap() as i64 + 1;
    let year: i64 = parts[3].parse().unwrap();
    let (h, m, s): (i64, i64, i64) = (
        parts[4].parse().unwrap(),
        parts[5].parse().unwrap(),
        parts[6].parse().unwrap(),
    );
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + h * 3600 + m * 60 + s
}

/// Tornado: CookieTest.test_set_cookie_false_flags
#[tokio::test]
async fn test_set_cookie_false_flags() {
    let server = cookie_server();
    let response = server.fetch("/set_falsy_flags").await;
    let lower: Vec<String> = set_cookies(&response)
        .iter()
        .map(|c| c.to_lowercase())
        .collect();
    assert_eq!(
        lower,
        [
            "a=1; path=/; secure",
            "b=1; path=/",
            "c=1; httponly; path=/",
            "d=1; path=/"
        ]
    );
    server.stop().await;
}

#[tokio::test]
async fn invalid_cookie_names_and_values_are_refused() {
    let server = cookie_server();
    let response = server.fetch("/invalid").await;
    assert_eq!(body(&response), "true");
    assert!(response.headers.get("Set-Cookie").is_none());
    server.stop().await;
}

/// Redirects to its login URL unless a user is logged in.
struct AuthRedirect {
    login_url: &'static str,
}

impl RequestHandler for AuthRedirect {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.authenticated().await?;
        cx.set_status(500)
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        cx.authenticated().await?;
        cx.write(self.login_url)
    }
}

fn auth_server() -> HttpTestServer {
    let relative = Settings {
        login_url: Some("/login".into()),
        ..Settings::default()
    };
    let app = Application::new(
        vec![url("/relative", || AuthRedirect {
            login_url: "/login",
        })],
        relative,
    )
    .unwrap();
    let mut absolute = Application::new(
        Vec::new(),
        Settings {
            login_url: Some("http://example.com/login".into()),
            ..Settings::default()
        },
    )
    .unwrap();
    absolute
        .add_handlers(
            ".*",
            vec![url("/absolute", || AuthRedirect { login_url: "" })],
        )
        .unwrap();
    let routes = supercell::routing::RuleRouter::new(vec![
        supercell::routing::Rule::new(
            supercell::routing::PathMatches::new("/absolute").unwrap(),
            Arc::new(absolute) as Arc<dyn supercell::routing::Router>,
        ),
        supercell::routing::Rule::new(
            supercell::routing::AnyMatches,
            Arc::new(app) as Arc<dyn supercell::routing::Router>,
        ),
    ]);
    HttpTestServer::new(Arc::new(routes)).unwrap()
}

/// Tornado: AuthRedirectTest.test_relative_auth_redirect
#[tokio::test]
async fn test_relative_auth_redirect() {
    let server = auth_server();
    let response = server
        .fetch(HttpRequest::new("/relative").follow_redirects(false))
        .await;
    assert_eq!(response.code, 302);
    assert_eq!(
        response.headers.get("Location"),
        Some("/login?next=%2Frelative")
    );
    let posted = server
        .fetch(HttpRequest::new("/relative").method("POST").body(""))
        .await;
    assert_eq!(posted.code, 403);
    server.stop().await;
}

/// Tornado: AuthRedirectTest.test_absolute_auth_redirect
#[tokio::test]
async fn test_absolute_auth_redirect() {
    let server = auth_server();
    let response = server
        .fetch(HttpRequest::new("/absolute").follow_redirects(false))
        .await;
    assert_eq!(response.code, 302);
    let location = response.headers.get("Location").unwrap();
    let expected = format!(
        "http://example.com/login?next=http%3A%2F%2F127.0.0.1%3A{}%2Fabsolute",
        server.http_port()
    );
    assert_eq!(location, expected);
    server.stop().await;
}

/// Hands out the XSRF token; accepts posts.
struct XsrfHandler;

impl RequestHandler for XsrfHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let token = cx.xsrf_token()?;
        cx.write(token)
    }

    async fn post(&mut self, cx: &mut Context) -> WebResult {
        cx.write("ok")
    }

    async fn put(&mut self, cx: &mut Context) -> WebResult {
        cx.write("ok")
    }

    async fn patch(&mut self, cx: &mut Context) -> WebResult {
        cx.write("ok")
    }

    async fn delete(&mut self, cx: &mut Context) -> WebResult {
        cx.write("ok")
    }

    async fn head(&mut self, _cx: &mut Context) -> WebResult {
        Ok(())
    }

    async fn options(&mut self, _cx: &mut Context) -> WebResult {
        Ok(())
    }
}

struct Xsrf {
    v2: HttpTestServer,
    v1: HttpTestServer,
    token: String,
}

impl Xsrf {
    async fn new() -> Xsrf {
        let server = |version| {
            let settings = Settings {
                xsrf_cookies: true,
                xsrf_cookie_version: version,
                ..Settings::default()
            };
            HttpTestServer::new(Application::new(vec![url("/", || XsrfHandler)], settings).unwrap())
                .unwrap()
        };
        let mut xsrf = Xsrf {
            v2: server(XsrfTokenVersion::V2),
            v1: server(XsrfTokenVersion::V1),
            token: String::new(),
        };
        xsrf.token = xsrf.get_token(None, 2).await;
        xsrf
    }

    async fn get_token(&self, old: Option<&str>, version: u32) -> String {
        let mut request = HttpRequest::new("/");
        if let Some(old) = old {
            request = request.header("Cookie", &format!("_xsrf={old}"));
        }
        let server = if version == 1 { &self.v1 } else { &self.v2 };
        let response = server.fetch(request).await;
        assert_eq!(response.code, 200);
        body(&response)
    }

    async fn post(
        &self,
        cookie: Option<&str>,
        form: Option<&str>,
        header: Option<&str>,
        query: &str,
    ) -> u16 {
        let mut request = HttpRequest::new(format!("/{query}")).method("POST");
        request = match form {
            Some(token) => request.body(format!(
                "_xsrf={}",
                supercell::escape::url_escape(token, true)
            )),
            None => request.body(""),
        };
        if let Some(cookie) = cookie {
            request = request.header("Cookie", &format!("_xsrf={cookie}"));
        }
        if let Some(token) = header {
            request = request.header("X-Xsrftoken", token);
        }
        self.v2.fetch(request).await.code
    }

    async fn stop(self) {
        self.v2.stop().await;
        self.v1.stop().await;
    }
}

/// Tornado: XSRFTest.test_xsrf_fail_no_token
#[tokio::test]
async fn test_xsrf_fail_no_token() {
    let log = ExpectLog::new(GEN_LOG, ".*'_xsrf' argument missing").unwrap();
    let xsrf = Xsrf::new().await;
    assert_eq!(xsrf.post(None, None, None, "").await, 403);
    log.finish().unwrap();
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_xsrf_fail_body_no_cookie
#[tokio::test]
async fn test_xsrf_fail_body_no_cookie() {
    let log = ExpectLog::new(GEN_LOG, ".*XSRF cookie does not match POST").unwrap();
    let xsrf = Xsrf::new().await;
    assert_eq!(xsrf.post(None, Some(&xsrf.token), None, "").await, 403);
    log.finish().unwrap();
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_xsrf_fail_argument_invalid_format
#[tokio::test]
async fn test_xsrf_fail_argument_invalid_format() {
    let log = ExpectLog::new(GEN_LOG, ".*'_xsrf' argument has invalid format").unwrap();
    let xsrf = Xsrf::new().await;
    assert_eq!(
        xsrf.post(Some(&xsrf.token), Some("3|"), None, "").await,
        403
    );
    log.finish().unwrap();
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_xsrf_fail_cookie_invalid_format
#[tokio::test]
async fn test_xsrf_fail_cookie_invalid_format() {
    let log = ExpectLog::new(GEN_LOG, ".*XSRF cookie does not match POST").unwrap();
    let xsrf = Xsrf::new().await;
    assert_eq!(
        xsrf.post(Some("3|"), Some(&xsrf.token), None, "").await,
        403
    );
    log.finish().unwrap();
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_xsrf_fail_cookie_no_body
#[tokio::test]
async fn test_xsrf_fail_cookie_no_body() {
    let log = ExpectLog::new(GEN_LOG, ".*'_xsrf' argument missing").unwrap();
    let xsrf = Xsrf::new().await;
    assert_eq!(xsrf.post(Some(&xsrf.token), None, None, "").await, 403);
    log.finish().unwrap();
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_xsrf_success_short_token
#[tokio::test]
async fn test_xsrf_success_short_token() {
    let xsrf = Xsrf::new().await;
    assert_eq!(
        xsrf.post(Some("deadbeef"), Some("deadbeef"), None, "")
            .await,
        200
    );
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_xsrf_success_non_hex_token
#[tokio::test]
async fn test_xsrf_success_non_hex_token() {
    let xsrf = Xsrf::new().await;
    assert_eq!(xsrf.post(Some("xoxo"), Some("xoxo"), None, "").await, 200);
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_xsrf_success_post_body
#[tokio::test]
async fn test_xsrf_success_post_body() {
    let xsrf = Xsrf::new().await;
    assert_eq!(
        xsrf.post(Some(&xsrf.token), Some(&xsrf.token), None, "")
            .await,
        200
    );
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_xsrf_success_query_string
#[tokio::test]
async fn test_xsrf_success_query_string() {
    let xsrf = Xsrf::new().await;
    let query = format!(
        "?_xsrf={}",
        supercell::escape::url_escape(&xsrf.token, true)
    );
    assert_eq!(xsrf.post(Some(&xsrf.token), None, None, &query).await, 200);
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_xsrf_success_header
#[tokio::test]
async fn test_xsrf_success_header() {
    let xsrf = Xsrf::new().await;
    assert_eq!(
        xsrf.post(Some(&xsrf.token), None, Some(&xsrf.token), "")
            .await,
        200
    );
    xsrf.stop().await;
}

/// Tornado checks the token for every method but `GET`, `HEAD` and
/// `OPTIONS`: `PUT`, `PATCH` and `DELETE` are refused without it and
/// accepted with it, in either header.
#[tokio::test]
async fn the_xsrf_check_covers_put_patch_and_delete_and_spares_head_and_options() {
    let log = ExpectLog::new(GEN_LOG, ".*'_xsrf' argument missing").unwrap();
    let xsrf = Xsrf::new().await;
    let send = |method: &'static str, header: Option<(&'static str, String)>| {
        let mut request = HttpRequest::new("/").method(method);
        if matches!(method, "PUT" | "PATCH") {
            request = request.body("");
        }
        request = request.header("Cookie", &format!("_xsrf={}", xsrf.token));
        if let Some((name, token)) = header {
            request = request.header(name, &token);
        }
        async { xsrf.v2.fetch(request).await.code }
    };
    for method in ["PUT", "PATCH", "DELETE"] {
        assert_eq!(send(method, None).await, 403, "{method}");
        for name in ["X-Xsrftoken", "X-Csrftoken"] {
            let header = Some((name, xsrf.token.clone()));
            assert_eq!(send(method, header).await, 200, "{method} {name}");
        }
    }
    for method in ["HEAD", "OPTIONS"] {
        assert_eq!(send(method, None).await, 200, "{method}");
    }
    assert_eq!(log.records().len(), 3);
    log.finish().unwrap();
    xsrf.stop().await;
}

/// As in Tornado, an empty `_xsrf` argument or `X-Xsrftoken` header does
/// not count: the next of the three sources is taken.
#[tokio::test]
async fn an_empty_xsrf_argument_or_header_gives_way_to_the_next() {
    let xsrf = Xsrf::new().await;
    let cookie = format!("_xsrf={}", xsrf.token);
    let with_empty_argument = HttpRequest::new("/")
        .method("POST")
        .body("_xsrf=")
        .header("Cookie", &cookie)
        .header("X-Xsrftoken", &xsrf.token);
    assert_eq!(xsrf.v2.fetch(with_empty_argument).await.code, 200);
    let with_empty_header = HttpRequest::new("/")
        .method("POST")
        .body("")
        .header("Cookie", &cookie)
        .header("X-Xsrftoken", "")
        .header("X-Csrftoken", &xsrf.token);
    assert_eq!(xsrf.v2.fetch(with_empty_header).await.code, 200);
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_distinct_tokens
#[tokio::test]
async fn test_distinct_tokens() {
    let xsrf = Xsrf::new().await;
    let mut tokens = std::collections::HashSet::new();
    for _ in 0..10 {
        tokens.insert(xsrf.get_token(None, 2).await);
    }
    assert_eq!(tokens.len(), 10);
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_cross_user
#[tokio::test]
async fn test_cross_user() {
    // Server tasks log through the checks in place when they start.
    let log = ExpectLog::new(GEN_LOG, ".*XSRF cookie does not match POST").unwrap();
    let xsrf = Xsrf::new().await;
    let token2 = xsrf.get_token(None, 2).await;
    for token in [&xsrf.token, &token2] {
        assert_eq!(xsrf.post(Some(token), Some(token), None, "").await, 200);
    }
    for (cookie, form) in [(&xsrf.token, &token2), (&token2, &xsrf.token)] {
        assert_eq!(xsrf.post(Some(cookie), Some(form), None, "").await, 403);
    }
    assert_eq!(log.records().len(), 2);
    log.finish().unwrap();
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_refresh_token
#[tokio::test]
async fn test_refresh_token() {
    let xsrf = Xsrf::new().await;
    let mut token = xsrf.token.clone();
    let mut seen = std::collections::HashSet::from([token.clone()]);
    for _ in 0..5 {
        token = xsrf.get_token(Some(&token), 2).await;
        seen.insert(token.clone());
        assert_eq!(
            xsrf.post(Some(&token), Some(&xsrf.token), None, "").await,
            200
        );
    }
    assert_eq!(seen.len(), 6);
    xsrf.stop().await;
}

/// Tornado: XSRFTest.test_versioning
#[tokio::test]
async fn test_versioning() {
    let xsrf = Xsrf::new().await;
    assert_ne!(xsrf.get_token(None, 1).await, xsrf.get_token(None, 1).await);
    let v1 = xsrf.get_token(None, 1).await;
    for _ in 0..5 {
        assert_eq!(xsrf.get_token(Some(&v1), 1).await, v1);
    }
    let v2 = xsrf.get_token(Some(&v1), 2).await;
    assert_ne!(v1, v2);
    assert_ne!(v2, xsrf.get_token(Some(&v1), 2).await);
    for (cookie, form) in [(&v1, &v2), (&v2, &v1)] {
        assert_eq!(xsrf.post(Some(cookie), Some(form), None, "").await, 200);
    }
    xsrf.stop().await;
}

/// Tornado: XSRFCookieKwargsTest.test_xsrf_httponly
#[tokio::test]
async fn test_xsrf_httponly() {
    let mut settings = Settings {
        xsrf_cookies: true,
        ..Settings::default()
    };
    settings.xsrf_cookie_kwargs.httponly = true;
    let server =
        HttpTestServer::new(Application::new(vec![url("/", || XsrfHandler)], settings).unwrap())
            .unwrap();
    let response = server.fetch("/").await;
    let cookie = response.headers.get("Set-Cookie").unwrap().to_lowercase();
    assert!(cookie.contains("httponly;"), "{cookie}");
    // The XSRF cookie says SameSite=Lax unless told otherwise.
    assert!(cookie.contains("samesite=lax"), "{cookie}");
    server.stop().await;
}

/// Tornado: ErrorHandlerXSRFTest.test_error_xsrf
#[tokio::test]
async fn test_error_xsrf() {
    let settings = Settings {
        xsrf_cookies: true,
        ..Settings::default()
    };
    let app = Application::new(vec![url("/error", || ErrorHandler::new(417))], settings).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let response = server
        .fetch(HttpRequest::new("/error").method("POST").body(""))
        .await;
    assert_eq!(response.code, 417);
    server.stop().await;
}

/// Tornado: ErrorHandlerXSRFTest.test_404_xsrf
#[tokio::test]
async fn test_404_xsrf() {
    let settings = Settings {
        xsrf_cookies: true,
        ..Settings::default()
    };
    let app = Application::new(vec![url("/error", || ErrorHandler::new(417))], settings).unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let response = server
        .fetch(HttpRequest::new("/404").method("POST").body(""))
        .await;
    assert_eq!(response.code, 404);
    server.stop().await;
}

/// Tornado: ClearAllCookiesTest.test_clear_all_cookies
#[tokio::test]
async fn test_clear_all_cookies() {
    let app = Application::new(
        vec![get("/", |cx| {
            cx.clear_all_cookies("/", None)?;
            cx.write("ok")
        })],
        Settings::default(),
    )
    .unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let response = server
        .fetch(HttpRequest::new("/").header("Cookie", "foo=bar; baz=xyzzy"))
        .await;
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 2);
    assert!(cookies[0].starts_with("baz=; expires="), "{}", cookies[0]);
    assert!(cookies[1].starts_with("foo=; expires="), "{}", cookies[1]);
    server.stop().await;
}

/// `clear_cookie_with` and `clear_all_cookies_with` send the attributes a
/// cookie was set with (a `__Host-` cookie is deleted only with `Secure`),
/// and the cookie expires a year ago whatever lifetime the options give.
#[tokio::test]
async fn cookies_are_cleared_with_the_attributes_they_were_set_with() {
    let options = CookieOptions {
        secure: true,
        httponly: true,
        samesite: Some(SameSite::Strict),
        max_age: Some(3_600),
        expires_days: Some(10.0),
        ..CookieOptions::default()
    };
    let one = options.clone();
    let app = Application::new(
        vec![
            get("/one", move |cx| cx.clear_cookie_with("__Host-id", &one)),
            get("/all", move |cx| cx.clear_all_cookies_with(&options)),
        ],
        Settings::default(),
    )
    .unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let expired = |cookie: &str, name: &str| {
        let rest = cookie
            .strip_prefix(&format!("{name}=; expires="))
            .unwrap_or_else(|| panic!("unexpected {cookie}"));
        let (date, attributes) = rest.split_once(';').unwrap();
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let age = now - httpdate_seconds(date);
        assert!((age - 365 * 86_400).abs() < 10, "{cookie}");
        assert_eq!(
            attributes, " HttpOnly; Path=/; SameSite=Strict; Secure",
            "{cookie}"
        );
    };
    let response = server.fetch("/one").await;
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1);
    expired(&cookies[0], "__Host-id");
    let response = server
        .fetch(HttpRequest::new("/all").header("Cookie", "__Secure-a=1; b=2"))
        .await;
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 2);
    expired(&cookies[0], "__Secure-a");
    expired(&cookies[1], "b");
    server.stop().await;
}

fn slash_server() -> HttpTestServer {
    struct RemoveSlash;
    impl RequestHandler for RemoveSlash {
        async fn get(&mut self, cx: &mut Context) -> WebResult {
            cx.removeslash().await
        }
    }
    struct AddSlash;
    impl RequestHandler for AddSlash {
        async fn get(&mut self, cx: &mut Context) -> WebResult {
            cx.addslash().await
        }
    }
    let app = Application::new(
        vec![
            url("/removeslash/", || RemoveSlash),
            url("/addslash", || AddSlash),
            url("/+", || RemoveSlash),
        ],
        Settings::default(),
    )
    .unwrap();
    HttpTestServer::new(app).unwrap()
}

/// Tornado: DecoratorTest.test_removeslash
#[tokio::test]
async fn test_removeslash() {
    let server = slash_server();
    for (path, location) in [
        ("/removeslash/", "/removeslash"),
        ("/removeslash/?foo=bar", "/removeslash?foo=bar"),
    ] {
        let response = server
            .fetch(HttpRequest::new(path).follow_redirects(false))
            .await;
        assert_eq!(response.code, 301);
        assert_eq!(response.headers.get("Location"), Some(location));
    }
    // `/` has nothing to remove; a POST gets 404.
    assert_eq!(server.fetch("/").await.code, 200);
    let posted = server
        .fetch(HttpRequest::new("/removeslash/").method("POST").body(""))
        .await;
    assert_eq!(posted.code, 405);
    server.stop().await;
}

/// Tornado: DecoratorTest.test_addslash
#[tokio::test]
async fn test_addslash() {
    let server = slash_server();
    for (path, location) in [
        ("/addslash", "/addslash/"),
        ("/addslash?foo=bar", "/addslash/?foo=bar"),
    ] {
        let response = server
            .fetch(HttpRequest::new(path).follow_redirects(false))
            .await;
        assert_eq!(response.code, 301);
        assert_eq!(response.headers.get("Location"), Some(location));
    }
    server.stop().await;
}

/// Writes enough to be compressed, with the `vary` arguments as `Vary`.
fn gzip_server() -> HttpTestServer {
    let settings = Settings {
        compress_response: true,
        ..Settings::default()
    };
    let app = Application::new(
        vec![get("/", |cx| {
            for vary in cx.get_arguments("vary")? {
                cx.add_header("Vary", vary)?;
            }
            cx.write(format!("hello world{}", "!".repeat(1024)))
        })],
        settings,
    )
    .unwrap();
    HttpTestServer::new(app).unwrap()
}

fn assert_compressed(response: &HttpResponse) {
    let encoding = response
        .headers
        .get("Content-Encoding")
        .or_else(|| response.headers.get("X-Consumed-Content-Encoding"));
    assert_eq!(encoding, Some("gzip"));
    assert_eq!(body(response), format!("hello world{}", "!".repeat(1024)));
}

/// Tornado: GzipTestCase.test_gzip
#[tokio::test]
async fn test_gzip() {
    let server = gzip_server();
    let response = server.fetch("/").await;
    assert_compressed(&response);
    assert_eq!(response.headers.get("Vary"), Some("Accept-Encoding"));
    server.stop().await;
}

/// Tornado: `GZipContentEncoding` given as a transform of its own, with
/// `compress_response` off.
#[tokio::test]
async fn the_gzip_transform_added_by_hand_compresses() {
    let mut app = Application::new(
        vec![get("/", |cx| {
            cx.write(format!("hello world{}", "!".repeat(1024)))
        })],
        Settings::default(),
    )
    .unwrap();
    app.add_transform(Arc::new(|request| {
        Box::new(GzipTransform::for_request(request))
    }))
    .unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let response = server.fetch("/").await;
    assert_compressed(&response);
    assert_eq!(response.headers.get("Vary"), Some("Accept-Encoding"));
    server.stop().await;
}

/// Tornado: GzipTestCase.test_gzip_not_requested
#[tokio::test]
async fn test_gzip_not_requested() {
    let server = gzip_server();
    let response = server
        .fetch(HttpRequest::new("/").decompress_response(false))
        .await;
    assert!(response.headers.get("Content-Encoding").is_none());
    assert_eq!(response.headers.get("Vary"), Some("Accept-Encoding"));
    server.stop().await;
}

/// Tornado: GzipTestCase.test_vary_already_present
#[tokio::test]
async fn test_vary_already_present() {
    let server = gzip_server();
    let response = server.fetch("/?vary=Accept-Language").await;
    assert_compressed(&response);
    assert_eq!(
        response.headers.get("Vary"),
        Some("Accept-Language, Accept-Encoding")
    );
    server.stop().await;
}

/// Tornado: GzipTestCase.test_vary_already_present_multiple
#[tokio::test]
async fn test_vary_already_present_multiple() {
    let server = gzip_server();
    let response = server.fetch("/?vary=Accept-Language&vary=Cookie").await;
    assert_compressed(&response);
    assert_eq!(
        response.headers.get("Vary"),
        Some("Accept-Language, Cookie, Accept-Encoding")
    );
    server.stop().await;
}

/// Counts the pieces of body it sees, says so in a header, and marks the
/// status it was given: a transform of the application's own.
struct Tally {
    pieces: usize,
}

impl OutputTransform for Tally {
    fn transform_first_chunk(
        &mut self,
        status: &mut u16,
        headers: &mut supercell::httputil::HttpHeaders,
        chunk: bytes::Bytes,
        finishing: bool,
    ) -> bytes::Bytes {
        self.pieces += 1;
        let _ = headers.set(
            "X-First-Piece-Was-Last",
            if finishing { "yes" } else { "no" },
        );
        let gzipped = headers.get("Content-Encoding").unwrap_or("no").to_owned();
        let _ = headers.set("X-Gzipped-First", &gzipped);
        let _ = headers.set("X-Status", &status.to_string());
        *status = 203;
        chunk
    }

    fn transform_chunk(&mut self, chunk: bytes::Bytes, finishing: bool) -> bytes::Bytes {
        self.pieces += 1;
        if !finishing {
            return chunk;
        }
        let mut out = chunk.to_vec();
        out.extend_from_slice(format!("[{} pieces]", self.pieces).as_bytes());
        out.into()
    }
}

/// Transforms added to an application run on every response, after
/// gzip, on whole and streamed responses (Tornado's `add_transform`).
#[tokio::test]
async fn added_transforms_run_after_gzip() {
    let mut app = Application::new(
        vec![
            get("/short", |cx| cx.write("short body")),
            get("/long", |cx| cx.write("long body".repeat(200))),
            url("/streamed", || Streamed),
        ],
        Settings {
            compress_response: true,
            ..Settings::default()
        },
    )
    .unwrap();
    app.add_transform(Arc::new(|_| Box::new(Tally { pieces: 0 })))
        .unwrap();
    let shared = app.clone();
    assert!(
        app.add_transform(Arc::new(|_| Box::new(Tally { pieces: 0 })))
            .is_err()
    );
    drop(shared);
    let server = HttpTestServer::new(app).unwrap();

    let response = server.fetch("/short").await;
    assert_eq!(response.code, 203);
    assert_eq!(response.headers.get("X-First-Piece-Was-Last"), Some("yes"));
    assert_eq!(response.headers.get("X-Status"), Some("200"));
    // Too short to compress; gzip ran first and added its Vary.
    assert_eq!(response.headers.get("X-Gzipped-First"), Some("no"));
    assert_eq!(response.headers.get("Vary"), Some("Accept-Encoding"));
    assert_eq!(body(&response), "short body");

    // Long enough: compressed before this transform saw it.
    let response = server.fetch("/long").await;
    assert_eq!(response.headers.get("X-Gzipped-First"), Some("gzip"));
    assert_eq!(body(&response), "long body".repeat(200));

    let response = server
        .fetch(HttpRequest::new("/streamed").decompress_response(false))
        .await;
    assert_eq!(response.code, 203);
    assert_eq!(response.headers.get("X-First-Piece-Was-Last"), Some("no"));
    assert_eq!(body(&response), "one two [3 pieces]");
    server.stop().await;
}

/// Writes its body in two flushes and a finish.
struct Streamed;

impl RequestHandler for Streamed {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write("one ")?;
        cx.flush().await?;
        cx.write("two ")?;
        cx.flush().await?;
        cx.finish().await
    }
}

/// Counts its user lookups and answers whether the user was loaded.
struct CurrentUserHandler {
    ask: bool,
}

static LOOKUPS: AtomicUsize = AtomicUsize::new(0);

impl RequestHandler for CurrentUserHandler {
    fn get_current_user(_: &Context) -> Option<CurrentUser> {
        LOOKUPS.fetch_add(1, Ordering::SeqCst);
        Some(Arc::new(String::new()))
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let before = LOOKUPS.load(Ordering::SeqCst);
        if self.ask {
            // Asked twice, looked up once.
            assert!(cx.current_user().is_some());
            assert_eq!(cx.current_user_as::<String>().map(String::as_str), Some(""));
        }
        let loaded = LOOKUPS.load(Ordering::SeqCst) - before;
        cx.write(loaded.to_string())
    }
}

/// Tornado: GetCurrentUserTest.test_get_current_user_is_lazy
/// Tornado: GetCurrentUserTest.test_get_current_user_works
#[tokio::test]
async fn test_get_current_user_is_lazy_and_works() {
    let app = Application::new(
        vec![
            url("/without_user", || CurrentUserHandler { ask: false }),
            url("/with_user", || CurrentUserHandler { ask: true }),
        ],
        Settings::default(),
    )
    .unwrap();
    let server = HttpTestServer::new(app).unwrap();
    assert_eq!(body(&server.fetch("/without_user").await), "0");
    assert_eq!(body(&server.fetch("/with_user").await), "1");
    server.stop().await;
}

/// Secure cookies through a handler: set, read back, tampered, and key
/// versions (Tornado's SecureCookieV1Test and
/// SecureCookieV2Test exercise the same through `create_signed_value`;
/// their counterparts are in web_signed_value_test).
#[tokio::test]
async fn secure_cookies_round_trip_through_handlers() {
    let settings = Settings {
        cookie_secret: Some(CookieSecret::versioned([(0, "zero"), (1, "one")], 1).unwrap()),
        ..Settings::default()
    };
    let app = Application::new(
        vec![
            get("/set", |cx| cx.set_secure_cookie("user", b"alice")),
            get("/get", |cx| {
                let value = cx.get_secure_cookie("user")?;
                let version = cx.get_secure_cookie_key_version("user", None);
                cx.write(format!(
                    "{:?} {version:?}",
                    value.map(|v| String::from_utf8(v).unwrap())
                ))
            }),
        ],
        settings,
    )
    .unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let response = server.fetch("/set").await;
    let cookie = response.headers.get("Set-Cookie").unwrap().to_owned();
    assert!(cookie.contains("; expires="), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let read = server
        .fetch(HttpRequest::new("/get").header("Cookie", &pair))
        .await;
    assert_eq!(body(&read), "Some(\"alice\") Some(1)");
    // The value holds `=`: it is quoted, as Python quotes it.
    let quoted = pair.strip_suffix('"').unwrap();
    let flipped = if quoted.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{flipped}\"", &quoted[..quoted.len() - 1]);
    let read = server
        .fetch(HttpRequest::new("/get").header("Cookie", &tampered))
        .await;
    assert_eq!(body(&read), "None Some(1)");
    server.stop().await;
}

/// A signed cookie read through a handler with `get_secure_cookie_with`:
/// accepted up to `max_age_days` old and refused past it, refused under
/// `min_version`; and one set with `set_secure_cookie_with` carries the
/// options' attributes and the version asked for.
#[tokio::test]
async fn secure_cookies_expire_by_max_age_days_and_keep_set_options() {
    let secret = CookieSecret::single("secret");
    let settings = Settings {
        cookie_secret: Some(secret.clone()),
        ..Settings::default()
    };
    let app = Application::new(
        vec![
            get("/get", |cx| {
                let days: f64 = cx.get_argument("days")?.parse().unwrap();
                let min = match cx.get_argument_or("min", "1")?.as_str() {
                    "2" => Some(SignedValueVersion::V2),
                    _ => Some(SignedValueVersion::V1),
                };
                let value = cx.get_secure_cookie_with("user", None, days, min)?;
                cx.write(format!(
                    "{:?}",
                    value.map(|v| String::from_utf8(v).unwrap())
                ))
            }),
            get("/default", |cx| {
                let value = cx.get_secure_cookie("user")?;
                cx.write(format!("{}", value.is_some()))
            }),
            get("/set", |cx| {
                let options = CookieOptions {
                    path: "/app".to_owned(),
                    httponly: true,
                    samesite: Some(SameSite::Lax),
                    ..CookieOptions::default()
                };
                cx.set_secure_cookie_with("user", b"bob", &options, Some(SignedValueVersion::V1))
            }),
        ],
        settings,
    )
    .unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let day = Duration::from_secs(86_400);
    let signed = |age: Duration, version| {
        let made = SystemTime::now() - age;
        create_signed_value_at(&secret, "user", b"alice", version, made).unwrap()
    };
    let read = |path: String, cookie: String| {
        let request = HttpRequest::new(path).header("Cookie", &format!("user=\"{cookie}\""));
        async { body(&server.fetch(request).await) }
    };
    let two_days_old = signed(2 * day, SignedValueVersion::V2);
    let alice = "Some(\"alice\")";
    assert_eq!(
        read("/get?days=3".into(), two_days_old.clone()).await,
        alice
    );
    assert_eq!(
        read("/get?days=1".into(), two_days_old.clone()).await,
        "None"
    );
    assert_eq!(read("/default".into(), two_days_old).await, "true");
    let month_old = signed(32 * day, SignedValueVersion::V2);
    assert_eq!(read("/default".into(), month_old.clone()).await, "false");
    assert_eq!(read("/get?days=33".into(), month_old).await, alice);
    let v1 = signed(Duration::ZERO, SignedValueVersion::V1);
    assert_eq!(read("/get?days=1".into(), v1.clone()).await, alice);
    assert_eq!(read("/get?days=1&min=2".into(), v1).await, "None");

    let response = server.fetch("/set").await;
    let cookie = response.headers.get("Set-Cookie").unwrap().to_owned();
    let (pair, attributes) = cookie.split_once(';').unwrap();
    assert_eq!(attributes, " HttpOnly; Path=/app; SameSite=Lax", "{cookie}");
    let value = pair.strip_prefix("user=").unwrap().trim_matches('"');
    assert!(!value.starts_with("2|"), "a version 1 value: {value}");
    let decoded = decode_signed_value(&secret, "user", value, 1.0, SignedValueVersion::V1);
    assert_eq!(decoded.unwrap(), b"bob");
    server.stop().await;
}

#[tokio::test]
async fn secure_cookies_need_a_secret() {
    let app = Application::new(
        vec![get("/", |cx| cx.set_secure_cookie("user", b"x"))],
        Settings::default(),
    )
    .unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let log = ExpectLog::new(supercell::util::log_target::APP_LOG, ".*cookie_secret").unwrap();
    assert_eq!(server.fetch("/").await.code, 500);
    log.finish().unwrap();
    server.stop().await;
}

/// The XSRF cookie takes the `xsrf_cookie_name` setting's name (Tornado
/// 6.3's `xsrf_cookie_name`): handed out under it, and only it checked
/// against the `_xsrf` argument.
#[tokio::test]
async fn the_xsrf_cookie_takes_the_name_the_settings_give() {
    let mut settings = Settings {
        xsrf_cookies: true,
        xsrf_cookie_name: "__Host-xsrf".to_owned(),
        ..Settings::default()
    };
    settings.xsrf_cookie_kwargs.secure = true;
    let server =
        HttpTestServer::new(Application::new(vec![url("/", || XsrfHandler)], settings).unwrap())
            .unwrap();
    let response = server.fetch("/").await;
    let set = response.headers.get("Set-Cookie").unwrap().to_owned();
    let token = body(&response);
    assert!(set.starts_with(&format!("__Host-xsrf={token};")), "{set}");
    assert!(set.to_lowercase().contains("secure"), "{set}");
    let post = |cookie: String| {
        let request = HttpRequest::new("/")
            .method("POST")
            .header("Cookie", &cookie)
            .body(format!(
                "_xsrf={}",
                supercell::escape::url_escape(&token, true)
            ));
        server.fetch(request)
    };
    assert_eq!(post(format!("__Host-xsrf={token}")).await.code, 200);
    assert_eq!(post(format!("_xsrf={token}")).await.code, 403);
    server.stop().await;
}
