//! Templates through the web framework: `render`, `render_string`, the
//! template settings, UI methods and UI modules (counterparts of
//! Tornado's `web_test` cases that render, and what they leave out).
//!
//! `GetCurrentUserTest.test_get_current_user_from_ui_module_is_lazy` has
//! no counterpart: a page's `current_user` is looked up as its render
//! starts. Tornado's passes only because its handler's
//! `get_template_namespace` replaces the whole namespace with the UI
//! modules (a handler here can only add names), and its
//! `test_get_current_user_is_lazy` is skipped in Tornado for the same
//! reason.

use std::fs;
use std::sync::Arc;

use serde_json::json;
use supercell::template::{BaseLoader, DictLoader, Namespace, Value};
use supercell::testing::{ExpectLog, HttpTestServer};
use supercell::util::log_target::APP_LOG;
use supercell::web::{
    Application, Context, CurrentUser, RequestHandler, Route, Settings, TemplateHandler, UiModule,
    WebResult, ui_method, ui_module, url,
};

fn dict_loader(templates: &[(&str, &str)]) -> Arc<dyn BaseLoader> {
    Arc::new(DictLoader::new(templates.iter().copied()))
}

fn serve_with(routes: Vec<Route>, settings: Settings) -> HttpTestServer {
    HttpTestServer::new(Application::new(routes, settings).unwrap()).unwrap()
}

/// Renders a template with arguments.
struct Render {
    template: &'static str,
    args: Namespace,
}

impl RequestHandler for Render {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.render(self.template, &self.args).await
    }
}

fn render(template: &'static str, args: Namespace) -> impl Fn() -> Render + Send + Sync {
    move || Render {
        template,
        args: args.clone(),
    }
}

fn args(pairs: serde_json::Value) -> Namespace {
    let mut namespace = Namespace::new();
    for (name, value) in pairs.as_object().unwrap() {
        namespace.insert(name.as_str(), value);
    }
    namespace
}

// WSGISafeWebTest

fn wsgi_safe_loader() -> Arc<dyn BaseLoader> {
    dict_loader(&[
        ("linkify.html", "{% module linkify(message) %}"),
        (
            "page.html",
            "<html><head></head><body>\n{% for e in entries %}\n{% module Template(\"entry.html\", entry=e) %}\n{% end %}\n</body></html>",
        ),
        (
            "entry.html",
            "{{ set_resources(embedded_css=\".entry { margin-bottom: 1em; }\",\n                 embedded_javascript=\"js_embed()\",\n                 css_files=[\"/base.css\", \"/foo.css\"],\n                 javascript_files=\"/common.js\",\n                 html_head=\"<meta>\",\n                 html_body='<script src=\"/analytics.js\"/>') }}\n<div class=\"entry\">...</div>",
        ),
    ])
}

fn wsgi_safe_server() -> HttpTestServer {
    serve_with(
        vec![
            url(
                "/linkify",
                render(
                    "linkify.html",
                    args(json!({"message": "http://example.com"})),
                ),
            ),
            url(
                "/uimodule_resources",
                render("page.html", args(json!({"entries": [1, 2]}))),
            ),
        ],
        Settings {
            template_loader: Some(wsgi_safe_loader()),
            autoescape: Some("xhtml_escape".to_owned()),
            ..Settings::default()
        },
    )
}

/// Tornado: WSGISafeWebTest.test_uimodule_unescaped
#[tokio::test]
async fn test_uimodule_unescaped() {
    let server = wsgi_safe_server();
    let response = server.fetch("/linkify").await;
    assert_eq!(
        response.body,
        "<a href=\"http://example.com\">http://example.com</a>"
    );
    server.stop().await;
}

/// Tornado: WSGISafeWebTest.test_uimodule_resources
#[tokio::test]
async fn test_uimodule_resources() {
    let server = wsgi_safe_server();
    let response = server.fetch("/uimodule_resources").await;
    let expected = "\
<html><head><link href=\"/base.css\" type=\"text/css\" rel=\"stylesheet\"/><link href=\"/foo.css\" type=\"text/css\" rel=\"stylesheet\"/>
<style type=\"text/css\">
.entry { margin-bottom: 1em; }
</style>
<meta>
</head><body>


<div class=\"entry\">...</div>


<div class=\"entry\">...</div>

<script src=\"/common.js\" type=\"text/javascript\"></script>
<script type=\"text/javascript\">
//<![CDATA[
js_embed()
//]]>
</script>
<script src=\"/analytics.js\"/>
</body></html>";
    assert_eq!(String::from_utf8_lossy(&response.body), expected);
    server.stop().await;
}

// UIMethodUIModuleTest

/// Reads the `value` argument in a UI module (Tornado's `MyModule`).
struct MyModule;

impl UiModule for MyModule {
    fn render(
        &self,
        handler: &TemplateHandler,
        args: &[Value],
    ) -> Result<String, minijinja::Error> {
        Ok(format!(
            "In MyModule({}) with handler value {}.",
            args[0],
            handler.get_argument("value").unwrap_or_default()
        ))
    }
}

/// Tornado: UIMethodUIModuleTest.test_ui_method
#[tokio::test]
async fn test_ui_method() {
    let mut settings = Settings {
        template_loader: Some(dict_loader(&[(
            "foo.html",
            "{{ my_ui_method(42) }} {% module MyModule(123) %}",
        )])),
        ..Settings::default()
    };
    settings.ui_methods.insert(
        "my_ui_method".to_owned(),
        ui_method(|handler, args| {
            Ok(Value::from(format!(
                "In my_ui_method({}) with handler value {}.",
                args[0],
                handler.get_argument("value").unwrap_or_default()
            )))
        }),
    );
    settings
        .ui_modules
        .insert("MyModule".to_owned(), ui_module(|| MyModule));
    let server = serve_with(
        vec![url("/", render("foo.html", Namespace::new()))],
        settings,
    );
    let response = server.fetch("/?value=asdf").await;
    assert_eq!(
        response.body,
        "In my_ui_method(42) with handler value asdf. In MyModule(123) with handler value asdf."
    );
    server.stop().await;
}

// GetCurrentUserTest

/// Renders `template` to a string, then answers whether its
/// `get_current_user` ran.
struct CurrentUserHandler(&'static str);

static LOADED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

impl RequestHandler for CurrentUserHandler {
    fn get_current_user(cx: &Context) -> Option<CurrentUser> {
        LOADED.lock().unwrap().push(cx.request().path().to_owned());
        Some(Arc::new(String::new()))
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.render_string(self.0, &Namespace::new())?;
        let path = cx.request().path().to_owned();
        let loaded = LOADED.lock().unwrap().contains(&path);
        cx.finish_with(if loaded { "True" } else { "False" }).await
    }
}

/// Tornado: GetCurrentUserTest.test_get_current_user_works
#[tokio::test]
async fn test_get_current_user_works() {
    let server = serve_with(
        vec![url("/with_user", || CurrentUserHandler("with_user.html"))],
        Settings {
            template_loader: Some(dict_loader(&[("with_user.html", "{{ current_user }}")])),
            ..Settings::default()
        },
    );
    let response = server.fetch("/with_user").await;
    assert_eq!(response.body, "True");
    server.stop().await;
}

/// Writes the current user (Tornado's `WithUserModule`).
struct WithUserModule;

impl UiModule for WithUserModule {
    fn render(&self, handler: &TemplateHandler, _: &[Value]) -> Result<String, minijinja::Error> {
        let user = handler
            .current_user()
            .and_then(|user| user.downcast_ref::<String>());
        Ok(user.cloned().unwrap_or_else(|| "None".to_owned()))
    }
}

/// Tornado: GetCurrentUserTest.test_get_current_user_from_ui_module_works
#[tokio::test]
async fn test_get_current_user_from_ui_module_works() {
    let mut settings = Settings {
        template_loader: Some(dict_loader(&[(
            "with_user_module.html",
            "{% module WithUserModule() %}",
        )])),
        ..Settings::default()
    };
    settings
        .ui_modules
        .insert("WithUserModule".to_owned(), ui_module(|| WithUserModule));
    let server = serve_with(
        vec![url("/with_user_module", || {
            CurrentUserHandler("with_user_module.html")
        })],
        settings,
    );
    let response = server.fetch("/with_user_module").await;
    assert_eq!(response.body, "True");
    server.stop().await;
}

// Beyond Tornado's tests.

/// A handler writing what `render_string` gives, as JSON.
struct RenderString(&'static str);

impl RequestHandler for RenderString {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let text = cx.render_string(self.0, &args(json!({"name": "<b>"})))?;
        cx.write_json(&json!({ "text": text }))
    }
}

/// `template_path` is read by a loader made on first use, with the
/// `autoescape` setting; `render` sends HTML with Tornado's content type.
#[tokio::test]
async fn templates_come_from_template_path_with_the_autoescape_setting() {
    let dir = tempdir("path");
    fs::write(dir.join("hello.html"), "Hello, {{ name }}!").unwrap();
    let routes = || {
        vec![
            url(
                "/render",
                render("hello.html", args(json!({"name": "<b>"}))),
            ),
            url("/string", || RenderString("hello.html")),
        ]
    };
    let escaped = serve_with(
        routes(),
        Settings {
            template_path: Some(dir.clone()),
            ..Settings::default()
        },
    );
    let response = escaped.fetch("/render").await;
    assert_eq!(response.code, 200);
    assert_eq!(response.body, "Hello, &lt;b&gt;!");
    assert_eq!(
        response.headers.get("Content-Type"),
        Some("text/html; charset=UTF-8")
    );
    let response = escaped.fetch("/string").await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&response.body).unwrap(),
        json!({"text": "Hello, &lt;b&gt;!"})
    );
    escaped.stop().await;

    let raw = serve_with(
        routes(),
        Settings {
            template_path: Some(dir.clone()),
            autoescape: None,
            ..Settings::default()
        },
    );
    assert_eq!(raw.fetch("/render").await.body, "Hello, <b>!");
    raw.stop().await;
    fs::remove_dir_all(dir).unwrap();
}

/// Compiled templates are kept unless `compiled_template_cache` is off
/// (as `debug` turns it): then a changed file is read again.
#[tokio::test]
async fn compiled_template_cache_decides_whether_changes_are_seen() {
    for (cache, sees_change) in [(true, false), (false, true)] {
        let dir = tempdir(if cache { "cached" } else { "uncached" });
        fs::write(dir.join("page.html"), "one").unwrap();
        let server = serve_with(
            vec![url("/", render("page.html", Namespace::new()))],
            Settings {
                template_path: Some(dir.clone()),
                compiled_template_cache: Some(cache),
                ..Settings::default()
            },
        );
        assert_eq!(server.fetch("/").await.body, "one");
        fs::write(dir.join("page.html"), "two").unwrap();
        let expected = if sees_change { "two" } else { "one" };
        assert_eq!(server.fetch("/").await.body, expected, "cache {cache}");
        server.stop().await;
        fs::remove_dir_all(dir).unwrap();
    }
    assert!(Settings::default().compiled_template_cache());
    let debug = Settings {
        debug: true,
        ..Settings::default()
    };
    assert!(!debug.compiled_template_cache());
}

/// A page using `xsrf_form_html` gets the field and sets the `_xsrf`
/// cookie; a page not using it sets no cookie.
#[tokio::test]
async fn xsrf_form_html_sets_the_cookie_only_when_a_page_uses_it() {
    let server = serve_with(
        vec![
            url("/form", render("form.html", Namespace::new())),
            url("/module", render("module.html", Namespace::new())),
            url("/plain", render("plain.html", Namespace::new())),
        ],
        Settings {
            template_loader: Some(dict_loader(&[
                ("form.html", "<form>{% raw xsrf_form_html() %}</form>"),
                ("module.html", "<form>{% module xsrf_form_html() %}</form>"),
                ("plain.html", "no form"),
            ])),
            xsrf_cookies: true,
            ..Settings::default()
        },
    );
    for path in ["/form", "/module"] {
        let response = server.fetch(path).await;
        let body = String::from_utf8_lossy(&response.body).into_owned();
        assert!(
            body.starts_with("<form><input type=\"hidden\" name=\"_xsrf\" value=\"2|"),
            "{body}"
        );
        let cookie = response.headers.get("Set-Cookie").unwrap_or_default();
        assert!(cookie.starts_with("_xsrf=2|"), "{cookie}");
        let value = cookie
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("_xsrf=");
        assert!(!value.is_empty());
    }
    let response = server.fetch("/plain").await;
    assert_eq!(response.body, "no form");
    assert_eq!(response.headers.get("Set-Cookie"), None);
    server.stop().await;
}

/// `static_url`, `reverse_url`, `request` and `current_user` in the page
/// namespace.
#[tokio::test]
async fn the_page_namespace_has_urls_the_request_and_the_user() {
    struct User;
    impl RequestHandler for User {
        fn get_current_user(_: &Context) -> Option<CurrentUser> {
            Some(Arc::new(json!({"name": "ben"})))
        }
        async fn get(&mut self, cx: &mut Context) -> WebResult {
            cx.render("page.html", &Namespace::new()).await
        }
    }
    let static_dir = tempdir("static");
    fs::write(static_dir.join("app.css"), "body {}").unwrap();
    let server = serve_with(
        vec![
            url("/page", || User).name("page"),
            url("/item/([0-9]+)", || User).name("item"),
        ],
        Settings {
            static_path: Some(static_dir.clone()),
            template_loader: Some(dict_loader(&[(
                "page.html",
                "{{ static_url('app.css') }} {{ reverse_url('item', '7') }} {{ request.method }} {{ request.path }} {{ current_user.name }}",
            )])),
            ..Settings::default()
        },
    );
    let response = server.fetch("/page").await;
    let body = String::from_utf8_lossy(&response.body).into_owned();
    assert!(body.starts_with("/static/app.css?v="), "{body}");
    assert!(body.ends_with(" /item/7 GET /page ben"), "{body}");
    server.stop().await;
    fs::remove_dir_all(static_dir).unwrap();
}

/// A template that fails gives a 500 and an application log line naming
/// the template; rendering without a loader setting is a usage error;
/// module resources need the tags they go before.
#[tokio::test]
async fn template_failures_are_500s() {
    let mut settings = Settings {
        template_loader: Some(dict_loader(&[
            ("broken.html", "line one\n{{ no_such_function() }}"),
            ("headless.html", "{% module Template('res.html') %}"),
            ("res.html", "{{ set_resources(html_head='<meta>') }}x"),
        ])),
        ..Settings::default()
    };
    settings
        .ui_modules
        .insert("Unused".to_owned(), ui_module(|| MyModule));
    let server = serve_with(
        vec![
            url("/broken", render("broken.html", Namespace::new())),
            url("/missing", render("missing.html", Namespace::new())),
            url("/headless", render("headless.html", Namespace::new())),
        ],
        settings,
    );
    for path in ["/broken", "/missing", "/headless"] {
        let expected = ExpectLog::new(APP_LOG, ".*Uncaught exception").unwrap();
        let response = server.fetch(path).await;
        assert_eq!(response.code, 500, "{path}");
        expected.finish().unwrap();
    }
    server.stop().await;

    let bare = serve_with(
        vec![url("/", render("any.html", Namespace::new()))],
        Settings::default(),
    );
    let expected = ExpectLog::new(APP_LOG, ".*template_path").unwrap();
    assert_eq!(bare.fetch("/").await.code, 500);
    expected.finish().unwrap();
    bare.stop().await;
}

/// A template rendered twice through the `Template` module must ask for
/// the same resources each time: resources are added once per template
/// file (Tornado's rule), and differing ones are an error.
#[tokio::test]
async fn set_resources_must_agree_for_one_template() {
    let server = serve_with(
        vec![
            url(
                "/same",
                render("page.html", args(json!({"css": ["a", "a"]}))),
            ),
            url(
                "/different",
                render("page.html", args(json!({"css": ["a", "b"]}))),
            ),
        ],
        Settings {
            template_loader: Some(dict_loader(&[
                (
                    "page.html",
                    "<html><head></head><body>{% for c in css %}{% module Template('part.html', css=c) %}{% end %}</body></html>",
                ),
                ("part.html", "{{ set_resources(embedded_css=css) }}."),
            ])),
            ..Settings::default()
        },
    );
    let response = server.fetch("/same").await;
    assert_eq!(
        String::from_utf8_lossy(&response.body),
        "<html><head><style type=\"text/css\">\na\n</style>\n</head><body>..</body></html>"
    );
    let expected = ExpectLog::new(APP_LOG, ".*different resources for the same template").unwrap();
    assert_eq!(server.fetch("/different").await.code, 500);
    expected.finish().unwrap();
    server.stop().await;
}

/// Writes its first argument reversed: a module of its own named
/// `linkify`.
struct Reversed;

impl UiModule for Reversed {
    fn render(&self, _: &TemplateHandler, args: &[Value]) -> Result<String, minijinja::Error> {
        Ok(args[0].to_string().chars().rev().collect())
    }
}

/// A module of the `ui_modules` setting replaces a built-in one of the
/// same name, as in Tornado.
#[tokio::test]
async fn ui_modules_come_before_built_in_ones() {
    let mut settings = Settings {
        template_loader: Some(dict_loader(&[("page.html", "{% module linkify('abc') %}")])),
        ..Settings::default()
    };
    settings
        .ui_modules
        .insert("linkify".to_owned(), ui_module(|| Reversed));
    let server = serve_with(
        vec![url("/", render("page.html", Namespace::new()))],
        settings,
    );
    assert_eq!(server.fetch("/").await.body, "cba");
    server.stop().await;
}

/// A fresh directory under the system's temporary directory.
fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "supercell-web-template-{name}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Adds `site` (and a `greeting` a render call may replace) to every
/// page it renders.
struct SiteNamespace;

impl RequestHandler for SiteNamespace {
    fn get_template_namespace(cx: &Context, namespace: &mut Namespace) {
        namespace
            .insert("site", format!("site of {}", cx.request().path()))
            .insert("greeting", "hello");
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        let mut args = Namespace::new();
        if !cx.get_arguments("greeting")?.is_empty() {
            args.insert("greeting", "goodbye");
        }
        cx.render("page.html", &args).await
    }
}

/// Tornado: `get_template_namespace` overridden adds names to every
/// template, the defaults kept and a render call's arguments on top.
#[tokio::test]
async fn a_handlers_template_namespace_adds_names_under_the_call_arguments() {
    let server = serve_with(
        vec![url("/page", || SiteNamespace)],
        Settings {
            template_loader: Some(dict_loader(&[(
                "page.html",
                "{{ greeting }} {{ site }} {{ request.path }}",
            )])),
            ..Settings::default()
        },
    );
    let response = server.fetch("/page").await;
    assert_eq!(response.body, "hello site of /page /page");
    let response = server.fetch("/page?greeting=1").await;
    assert_eq!(response.body, "goodbye site of /page /page");
    server.stop().await;
}

/// Renders `page.html` from a template directory of its own: the
/// `plugin` directory under the application's `template_path`.
struct PluginPage;

impl RequestHandler for PluginPage {
    fn get_template_path(cx: &Context) -> Option<std::path::PathBuf> {
        Some(cx.settings().template_path.as_ref()?.join("plugin"))
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.render("page.html", &Namespace::new()).await
    }
}

/// How many loaders `DictPage` made.
static DICT_LOADERS_MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Renders `page.html` from a loader of its own making, for a template
/// path of its own.
struct DictPage;

impl RequestHandler for DictPage {
    fn create_template_loader(cx: &Context, _: &std::path::Path) -> Arc<dyn BaseLoader> {
        // Another loader may be asked for meanwhile.
        assert!(cx.application().template_loader().is_ok());
        DICT_LOADERS_MADE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        dict_loader(&[("page.html", "from the handler's loader")])
    }

    fn get_template_path(_: &Context) -> Option<std::path::PathBuf> {
        Some("dict-page-templates".into())
    }

    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.render("page.html", &Namespace::new()).await
    }
}

/// Tornado: a handler's `get_template_path` and `create_template_loader`
/// overridden. Each template directory gets one loader, kept for later
/// requests; other handlers keep the application's.
#[tokio::test]
async fn a_handlers_template_path_and_loader_are_its_own() {
    let dir = tempdir("handler-path");
    fs::create_dir_all(dir.join("plugin")).unwrap();
    fs::write(dir.join("page.html"), "the application's page").unwrap();
    fs::write(dir.join("plugin").join("page.html"), "the plugin's page").unwrap();
    let server = serve_with(
        vec![
            url("/app", render("page.html", Namespace::new())),
            url("/plugin", || PluginPage),
            url("/dict", || DictPage),
        ],
        Settings {
            template_path: Some(dir.clone()),
            ..Settings::default()
        },
    );
    assert_eq!(server.fetch("/app").await.body, "the application's page");
    assert_eq!(server.fetch("/plugin").await.body, "the plugin's page");
    for _ in 0..2 {
        assert_eq!(
            server.fetch("/dict").await.body,
            "from the handler's loader"
        );
    }
    assert_eq!(
        DICT_LOADERS_MADE.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(server.fetch("/app").await.body, "the application's page");
    server.stop().await;
    fs::remove_dir_all(dir).unwrap();
}

/// Renders `page.html` of the `WSGISafeWebTest` templates with its UI
/// modules' resources rendered its own way: scripts deferred with a
/// nonce, style sheets through the default and marked.
struct OwnResourceTags;

impl RequestHandler for OwnResourceTags {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.render("page.html", &args(json!({"entries": [1, 2]})))
            .await
    }

    fn render_linked_js(_cx: &Context, js_files: &[String]) -> WebResult<String> {
        Ok(js_files
            .iter()
            .map(|file| format!("<script defer src=\"{file}\"></script>"))
            .collect())
    }

    fn render_embed_js(cx: &Context, js_embed: &[String]) -> WebResult<String> {
        let nonce = cx.request().path().len();
        Ok(format!(
            "<script nonce=\"{nonce}\">{}</script>",
            js_embed.join(";")
        ))
    }

    fn render_linked_css(cx: &Context, css_files: &[String]) -> WebResult<String> {
        let links = supercell::web::default_render_linked_css(cx, css_files)?;
        Ok(format!("<!-- css -->{links}"))
    }

    fn render_embed_css(_cx: &Context, css_embed: &[String]) -> WebResult<String> {
        Ok(format!("<style>{}</style>", css_embed.concat()))
    }
}

/// A handler's `render_linked_js`, `render_embed_js`, `render_linked_css`
/// and `render_embed_css` make the tags of its pages' UI module
/// resources, put where the defaults go.
#[tokio::test]
async fn a_handlers_own_resource_tags_go_into_its_pages() {
    let server = serve_with(
        vec![url("/own_tags", || OwnResourceTags)],
        Settings {
            template_loader: Some(wsgi_safe_loader()),
            autoescape: Some("xhtml_escape".to_owned()),
            ..Settings::default()
        },
    );
    let response = server.fetch("/own_tags").await;
    let expected = "\
<html><head><!-- css --><link href=\"/base.css\" type=\"text/css\" rel=\"stylesheet\"/><link href=\"/foo.css\" type=\"text/css\" rel=\"stylesheet\"/>
<style>.entry { margin-bottom: 1em; }</style>
<meta>
</head><body>


<div class=\"entry\">...</div>


<div class=\"entry\">...</div>

<script defer src=\"/common.js\"></script>
<script nonce=\"9\">js_embed()</script>
<script src=\"/analytics.js\"/>
</body></html>";
    assert_eq!(String::from_utf8_lossy(&response.body), expected);
    server.stop().await;
}

/// Lays out its argument with `entry.html` (Tornado's usual `UIModule`
/// whose `render` is a `render_string`).
struct Entry;

impl UiModule for Entry {
    fn render(
        &self,
        handler: &TemplateHandler,
        args: &[Value],
    ) -> Result<String, minijinja::Error> {
        let mut namespace = Namespace::new();
        namespace.insert_value("entry", args.first().cloned().unwrap_or_default());
        handler.render_string("entry.html", &namespace)
    }
}

/// A page whose handler adds `site` to its templates' namespace.
struct EntriesPage;

impl RequestHandler for EntriesPage {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.render("entries.html", &args(json!({"entries": ["a", "b"]})))
            .await
    }

    fn get_template_namespace(_cx: &Context, namespace: &mut Namespace) {
        namespace.insert_value("site", Value::from("Blog"));
    }
}

/// A UI module's `render_string` (Tornado's `UIModule.render_string`)
/// generates a template with the page's namespace (the defaults, such as
/// `request`, and the handler's `get_template_namespace`) and its own
/// arguments; the built-in `Template` module sees the handler's names too.
#[tokio::test]
async fn a_ui_modules_render_string_uses_the_pages_namespace() {
    let mut settings = Settings {
        template_loader: Some(dict_loader(&[
            (
                "entries.html",
                "{% for e in entries %}{% module Entry(e) %};{% end %}{% module Template(\"footer.html\", year=2026) %}",
            ),
            ("entry.html", "{{ site }}:{{ entry }}@{{ request.path }}"),
            ("footer.html", "{{ site }} {{ year }}"),
        ])),
        ..Settings::default()
    };
    settings
        .ui_modules
        .insert("Entry".to_owned(), ui_module(|| Entry));
    let server = serve_with(vec![url("/entries", || EntriesPage)], settings);
    let response = server.fetch("/entries").await;
    assert_eq!(response.code, 200);
    assert_eq!(
        String::from_utf8_lossy(&response.body),
        "Blog:a@/entries;Blog:b@/entries;Blog 2026"
    );
    server.stop().await;
}

/// A `TemplateHandler` kept past its page's render renders nothing.
#[tokio::test]
async fn render_string_fails_once_the_page_is_rendered() {
    static KEPT: std::sync::Mutex<Option<TemplateHandler>> = std::sync::Mutex::new(None);

    struct Keeper;

    impl UiModule for Keeper {
        fn render(
            &self,
            handler: &TemplateHandler,
            _: &[Value],
        ) -> Result<String, minijinja::Error> {
            *KEPT.lock().unwrap() = Some(handler.clone());
            Ok(String::new())
        }
    }

    let mut settings = Settings {
        template_loader: Some(dict_loader(&[
            ("keep.html", "{% module Keeper() %}kept"),
            ("entry.html", "entry"),
        ])),
        ..Settings::default()
    };
    settings
        .ui_modules
        .insert("Keeper".to_owned(), ui_module(|| Keeper));
    let server = serve_with(
        vec![url("/keep", render("keep.html", Namespace::new()))],
        settings,
    );
    let response = server.fetch("/keep").await;
    assert_eq!(response.body, "kept");
    let kept = KEPT.lock().unwrap().take().unwrap();
    let error = kept
        .render_string("entry.html", &Namespace::new())
        .unwrap_err();
    assert!(error.to_string().contains("rendered already"), "{error}");
    server.stop().await;
}
