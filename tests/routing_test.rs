//! Counterparts of Tornado 5.0's `tornado/test/routing_test.py`, over real
//! sockets on 127.0.0.1, and the routing module's own checks (the prefix
//! index keeping first-match order, reverse URLs).
//!
//! `CustomRouterTestCase.test_custom_router` is adapted: Tornado's custom
//! applications carry an `app_name` in a free-form settings dict and
//! override `reverse_url`; here each application's handlers capture the
//! name, and a custom router answers `reverse_url`.
//! `WSGIContainerTestCase` mounts a request callback where Tornado mounts
//! a WSGI app (tower services are mounted by `FallbackHandler`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use supercell::http1::ResponseWriter;
use supercell::httpclient::HttpRequest;
use supercell::httputil::{
    HttpConnection, HttpHeaders, HttpMessageDelegate, HttpServerConnectionDelegate,
    HttpServerRequest, RequestStartLine, ResponseStartLine,
};
use supercell::routing::{
    AnyMatches, CallbackTarget, Declined, DelegateTarget, HostMatches, Matcher, PathArgs,
    PathMatches, RouteError, RoutedMessage, Router, Rule, RuleRouter,
};
use supercell::testing::HttpTestServer;
use supercell::web::{
    Application, Context, HandlerFactory, HttpError, RequestHandler, Route, Settings, WebResult,
    url,
};

/// A message that answers `OK` once the request is complete.
struct OkMessage(Option<ResponseWriter>);

impl RoutedMessage for OkMessage {
    fn data_received(&mut self, _: Bytes) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    fn finish(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async {
            if let Some(mut writer) = self.0.take() {
                let mut headers = HttpHeaders::new();
                headers.set("Content-Length", "2").unwrap();
                let start_line = ResponseStartLine {
                    version: http::Version::HTTP_11,
                    code: 200,
                    reason: "OK".into(),
                };
                writer
                    .write_headers(start_line, &headers, Some(Bytes::from_static(b"OK")))
                    .await
                    .unwrap();
                writer.finish().await.unwrap();
            }
        })
    }
}

/// Answers every request `OK` (Tornado's `BasicRouter`).
struct BasicRouter;

impl Router for BasicRouter {
    fn find_handler(
        &self,
        _: HttpServerRequest,
        _: PathArgs,
        writer: ResponseWriter,
    ) -> Result<Box<dyn RoutedMessage>, Box<Declined>> {
        Ok(Box::new(OkMessage(Some(writer))))
    }
}

#[tokio::test]
async fn test_basic_router() {
    let server = HttpTestServer::new(Arc::new(BasicRouter)).unwrap();
    let response = server.fetch("/any_request").await;
    assert_eq!(response.body, "OK");
    let posted = server
        .fetch(HttpRequest::new("/any").method("POST").body("data"))
        .await;
    assert_eq!(posted.body, "OK");
    server.stop().await;
}

type Resources = Arc<Mutex<HashMap<String, Bytes>>>;

struct GetResource(Resources);

impl RequestHandler for GetResource {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let path = cx.path_arg(0).unwrap_or("").to_owned();
        let body = self.0.lock().unwrap().get(&path).cloned();
        let body = body.ok_or_else(|| HttpError::new(404))?;
        cx.finish_with(body).await
    }
}

struct PostResource(Resources);

impl RequestHandler for PostResource {
    async fn post(&mut self, cx: &mut Context) -> WebResult {
        let path = cx.path_arg(0).unwrap_or("").to_owned();
        let body = cx.request().body.clone();
        self.0.lock().unwrap().insert(path, body);
        Ok(())
    }
}

/// Picks the handler by method, through an application (Tornado's
/// `HTTPMethodRouter`).
struct HttpMethodRouter {
    app: Application,
    get: HandlerFactory,
    post: HandlerFactory,
}

impl Router for HttpMethodRouter {
    fn find_handler(
        &self,
        request: HttpServerRequest,
        _: PathArgs,
        writer: ResponseWriter,
    ) -> Result<Box<dyn RoutedMessage>, Box<Declined>> {
        let factory = if request.method == http::Method::GET {
            &self.get
        } else {
            &self.post
        };
        let args = PathArgs {
            args: vec![Some(request.path().as_bytes().to_vec())],
            kwargs: Vec::new(),
        };
        Ok(self
            .app
            .get_handler_delegate(request, factory, args, writer))
    }
}

#[tokio::test]
async fn test_http_method_router() {
    let resources = Resources::default();
    let (get, post) = (resources.clone(), resources);
    let router = HttpMethodRouter {
        app: Application::new(Vec::new(), Settings::default()).unwrap(),
        get: HandlerFactory::new(move || GetResource(get.clone())),
        post: HandlerFactory::new(move || PostResource(post.clone())),
    };
    let server = HttpTestServer::new(Arc::new(router)).unwrap();
    let response = server
        .fetch(
            HttpRequest::new("/post_resource")
                .method("POST")
                .body("data"),
        )
        .await;
    assert_eq!(response.code, 200);
    assert_eq!(server.fetch("/get_resource").await.code, 404);
    let response = server.fetch("/post_resource").await;
    assert_eq!((response.code, &response.body[..]), (200, &b"data"[..]));
    server.stop().await;
}

/// Writes its name, its application's name, and its own URL.
struct NamedHandler {
    name: &'static str,
    app_name: Option<&'static str>,
}

impl RequestHandler for NamedHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        if let Some(app_name) = self.app_name {
            cx.write(format!("{app_name}: "))?;
        }
        let url = cx.reverse_url(self.name, &[])?;
        cx.finish_with(format!("{}: {url}", self.name)).await
    }
}

fn named(name: &'static str, app_name: Option<&'static str>) -> HandlerFactory {
    HandlerFactory::new(move || NamedHandler { name, app_name })
}

/// Routes exact paths to (application, handler) pairs, and rebuilds
/// `/name` for the names it routes (Tornado's `CustomRouter`).
#[derive(Default)]
struct CustomRouter {
    routes: HashMap<String, (Application, HandlerFactory)>,
}

impl Router for CustomRouter {
    fn find_handler(
        &self,
        request: HttpServerRequest,
        _: PathArgs,
        writer: ResponseWriter,
    ) -> Result<Box<dyn RoutedMessage>, Box<Declined>> {
        match self.routes.get(request.path()) {
            Some((app, factory)) => {
                Ok(app.get_handler_delegate(request, factory, PathArgs::default(), writer))
            }
            None => Err(Box::new(Declined { request, writer })),
        }
    }

    fn reverse_url(&self, name: &str, _: &[&str]) -> Option<Result<String, RouteError>> {
        let path = format!("/{name}");
        self.routes.contains_key(&path).then_some(Ok(path))
    }
}

#[tokio::test]
async fn test_custom_router() {
    // Each application's routes end in the custom router, so its
    // handlers' `reverse_url` finds the router's names.
    let app_with = |router: Arc<CustomRouter>| {
        Application::new(
            vec![Route::router(AnyMatches, router as Arc<dyn Router>)],
            Settings::default(),
        )
        .unwrap()
    };
    // The router the applications' handlers rebuild URLs with knows the
    // same paths as the one serving them.
    let mut custom = CustomRouter::default();
    for path in ["/first_handler", "/second_handler"] {
        custom.routes.insert(
            path.to_owned(),
            (
                Application::new(Vec::new(), Settings::default()).unwrap(),
                named("unused", None),
            ),
        );
    }
    let names = Arc::new(custom);
    let app1 = app_with(Arc::clone(&names));
    let app2 = app_with(Arc::clone(&names));
    let mut custom = CustomRouter::default();
    custom.routes.insert(
        "/first_handler".into(),
        (app1, named("first_handler", Some("app1"))),
    );
    custom.routes.insert(
        "/second_handler".into(),
        (app2.clone(), named("second_handler", Some("app2"))),
    );
    custom.routes.insert(
        "/first_handler_second_app".into(),
        (app2, named("first_handler", Some("app2"))),
    );
    let server = HttpTestServer::new(Arc::new(custom)).unwrap();
    assert_eq!(
        server.fetch("/first_handler").await.body,
        "app1: first_handler: /first_handler"
    );
    assert_eq!(
        server.fetch("/second_handler").await.body,
        "app2: second_handler: /second_handler"
    );
    assert_eq!(
        server.fetch("/first_handler_second_app").await.body,
        "app2: first_handler: /first_handler"
    );
    assert_eq!(server.fetch("/elsewhere").await.code, 404);
    server.stop().await;
}

/// Answers `OK` as a connection delegate would, head then body (Tornado's
/// `ConnectionDelegate`).
struct OkDelegate;

struct OkDelegateMessage(Option<ResponseWriter>);

impl HttpMessageDelegate for OkDelegateMessage {
    async fn headers_received(&mut self, _: RequestStartLine, _: HttpHeaders) {}

    async fn finish(&mut self) {
        if let Some(mut writer) = self.0.take() {
            let mut headers = HttpHeaders::new();
            headers.set("Content-Length", "2").unwrap();
            let start_line = ResponseStartLine {
                version: http::Version::HTTP_11,
                code: 200,
                reason: "OK".into(),
            };
            writer
                .write_headers(start_line, &headers, None)
                .await
                .unwrap();
            writer.write(Bytes::from_static(b"OK")).await.unwrap();
            writer.finish().await.unwrap();
        }
    }
}

impl HttpServerConnectionDelegate<ResponseWriter> for OkDelegate {
    type Message = OkDelegateMessage;

    fn start_request(&self, writer: ResponseWriter) -> OkDelegateMessage {
        OkDelegateMessage(Some(writer))
    }
}

#[tokio::test]
async fn test_rule_based_router() {
    let mut nested = CustomRouter::default();
    nested.routes.insert(
        "/nested_handler".into(),
        (
            Application::new(
                vec![
                    url("/nested_handler", || NamedHandler {
                        name: "nested_handler",
                        app_name: None,
                    })
                    .name("nested_handler"),
                ],
                Settings::default(),
            )
            .unwrap(),
            named("nested_handler", None),
        ),
    );
    let callback = CallbackTarget::new(
        |_: HttpServerRequest, mut writer: ResponseWriter| async move {
            let _ = writer.respond(200, HttpHeaders::new(), "OK").await;
        },
    );
    let mut app = Application::new(Vec::new(), Settings::default()).unwrap();
    app.add_handlers(
        ".*",
        vec![
            Route::nested(
                HostMatches::new("www.example.com").unwrap(),
                vec![
                    url("/first_handler", || NamedHandler {
                        name: "second_handler",
                        app_name: None,
                    })
                    .name("second_handler"),
                ],
            ),
            Route::router_at("/.*handler", Arc::new(nested)),
            Route::handler(
                PathMatches::new("/first_handler").unwrap(),
                named("first_handler", None),
            )
            .name("first_handler"),
            Route::router_at("/request_callable", Arc::new(callback)),
            Route::router_at("/connection_delegate", Arc::new(DelegateTarget(OkDelegate))),
        ],
    )
    .unwrap();
    let server = HttpTestServer::new(app).unwrap();
    let body = |response: supercell::httpclient::HttpResponse| {
        String::from_utf8(response.body.to_vec()).unwrap()
    };
    assert_eq!(
        body(server.fetch("/first_handler").await),
        "first_handler: /first_handler"
    );
    let virtual_host = HttpRequest::new("/first_handler").header("Host", "www.example.com");
    assert_eq!(
        body(server.fetch(virtual_host).await),
        "second_handler: /first_handler"
    );
    assert_eq!(
        body(server.fetch("/nested_handler").await),
        "nested_handler: /nested_handler"
    );
    assert_eq!(server.fetch("/nested_not_found_handler").await.code, 404);
    assert_eq!(body(server.fetch("/connection_delegate").await), "OK");
    assert_eq!(body(server.fetch("/request_callable").await), "OK");
    assert_eq!(server.fetch("/404").await.code, 404);
    server.stop().await;
}

struct ReverseHandler;

impl RequestHandler for ReverseHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let url = cx.reverse_url("tornado", &[])?;
        cx.finish_with(url).await
    }
}

fn container_router() -> RuleRouter<Arc<dyn Router>> {
    let app = Application::new(
        vec![url("/tornado/test", || ReverseHandler).name("tornado")],
        Settings::default(),
    )
    .unwrap();
    let mounted = CallbackTarget::new(
        |_: HttpServerRequest, mut writer: ResponseWriter| async move {
            let _ = writer.respond(200, HttpHeaders::new(), "WSGI").await;
        },
    );
    RuleRouter::new(vec![
        Rule::new(
            PathMatches::new("/tornado.*").unwrap(),
            Arc::new(app) as Arc<dyn Router>,
        ),
        Rule::new(
            PathMatches::new("/wsgi").unwrap(),
            Arc::new(mounted) as Arc<dyn Router>,
        ),
    ])
}

#[tokio::test]
async fn test_wsgi_container() {
    let server = HttpTestServer::new(Arc::new(container_router())).unwrap();
    assert_eq!(server.fetch("/tornado/test").await.body, "/tornado/test");
    assert_eq!(server.fetch("/wsgi").await.body, "WSGI");
    server.stop().await;
}

#[tokio::test]
async fn test_delegate_not_found() {
    let server = HttpTestServer::new(Arc::new(container_router())).unwrap();
    assert_eq!(server.fetch("/404").await.code, 404);
    server.stop().await;
}

// The routing module's own checks.

#[test]
fn rules_are_tried_in_order_with_and_without_the_prefix_index() {
    for filler in [0, 50] {
        let mut rules = vec![
            Rule::new(PathMatches::new("/a/(.*)").unwrap(), "a-any"),
            Rule::new(PathMatches::new("/a/b").unwrap(), "a-b"),
            Rule::new(PathMatches::new(".*/b").unwrap(), "any-b"),
        ];
        for n in 0..filler {
            rules.push(Rule::new(
                PathMatches::new(&format!("/f{n}/x")).unwrap(),
                "filler",
            ));
        }
        rules.push(Rule::new(PathMatches::new("/c/b").unwrap(), "c-b"));
        rules.push(Rule::new(PathMatches::new("/f1/x").unwrap(), "second-f1"));
        let router = RuleRouter::new(rules);
        let target = |path| router.find_path(path).map(|(rule, _)| rule.target);
        assert_eq!(target("/a/b"), Some("a-any"), "filler {filler}");
        assert_eq!(target("/c/b"), Some("any-b"), "filler {filler}");
        assert_eq!(target("/c/d"), None, "filler {filler}");
        let f1 = if filler > 0 { "filler" } else { "second-f1" };
        assert_eq!(target("/f1/x"), Some(f1), "filler {filler}");
    }
}

/// A matcher the router knows nothing about: it may accept any path.
#[derive(Debug)]
struct HeaderMatches;

impl Matcher for HeaderMatches {
    fn match_request(&self, request: &HttpServerRequest) -> Option<PathArgs> {
        request
            .headers
            .contains("X-Special")
            .then(PathArgs::default)
    }
}

#[test]
fn exact_rules_are_the_literal_paths_no_earlier_rule_may_take() {
    let router = RuleRouter::new(vec![
        Rule::new(PathMatches::new("/first").unwrap(), "first"),
        Rule::new(PathMatches::new("/item/(\\d+)").unwrap(), "item"),
        Rule::new(PathMatches::new("/item/7").unwrap(), "shadowed by item"),
        Rule::new(PathMatches::new("/item/x").unwrap(), "item-x"),
        Rule::new(PathMatches::new("/first").unwrap(), "second first"),
        Rule::new(PathMatches::new("/a\\.b").unwrap(), "escaped"),
        Rule::new(HeaderMatches, "header"),
        Rule::new(
            PathMatches::new("/after").unwrap(),
            "after a custom matcher",
        ),
    ]);
    let exact = router.exact_rules();
    assert_eq!(exact, [("/first", 0), ("/item/x", 3), ("/a.b", 5)]);
    // What the exact rules say agrees with the scan in order.
    for (path, at) in exact {
        let (rule, _) = router.find_path(path).unwrap();
        assert_eq!(rule.target, router.rules()[at].target, "{path}");
    }
    assert_eq!(router.find_path("/item/7").unwrap().0.target, "item");
}

#[test]
fn patterns_are_anchored_at_both_ends_as_in_tornado() {
    let matcher = PathMatches::new("/a").unwrap();
    assert!(matcher.match_path("/a").is_some());
    assert!(matcher.match_path("/ab").is_none());
    assert!(matcher.match_path("x/a").is_none());
    // A pattern ending in `$` is not anchored twice.
    assert!(PathMatches::new("/a$").unwrap().match_path("/a").is_some());
}

#[test]
fn groups_are_percent_decoded_and_positional_or_named() {
    let positional = PathMatches::new("/(.*)/(x)?").unwrap();
    let args = positional.match_path("/a%20b+c/").unwrap();
    assert_eq!(args.args, [Some(b"a b+c".to_vec()), None]);
    let named = PathMatches::new("/(?P<id>[0-9]+)").unwrap();
    assert_eq!(
        named.match_path("/12").unwrap().kwarg("id"),
        Some(&b"12"[..])
    );
    assert!(matches!(
        PathMatches::new("/(?P<id>a)/(b)"),
        Err(RouteError::MixedGroups(_))
    ));
    assert!(matches!(
        PathMatches::new("/("),
        Err(RouteError::Pattern { .. })
    ));
}

#[test]
fn reverse_fills_groups_with_escaped_arguments() {
    let matcher = PathMatches::new(r"/item/([0-9]+)/(\w+)\.json").unwrap();
    assert_eq!(
        matcher.reverse(&["1", "a/b c"]).unwrap(),
        "/item/1/a/b%20c.json"
    );
    assert!(matches!(
        matcher.reverse(&["1"]),
        Err(RouteError::ArgumentCount {
            expected: 2,
            given: 1,
            ..
        })
    ));
    assert!(matches!(
        PathMatches::new(r"/(?:a|b)").unwrap().reverse(&[]),
        Err(RouteError::NotReversible(_))
    ));
    assert!(matches!(
        PathMatches::new(r"/\d").unwrap().reverse(&[]),
        Err(RouteError::NotReversible(_))
    ));
    let router = RuleRouter::new(vec![Rule::new(AnyMatches, "x")]);
    assert!(matches!(
        router.reverse_url("nope", &[]),
        Err(RouteError::UnknownName(_))
    ));
}
