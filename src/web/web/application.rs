//! [`Application`]: routes, settings, and serving them (Tornado's
//! `tornado.web.Application`).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::context::{Extras, ExtrasSlot};
use super::exact_routes::ExactRoutes;
use super::gzip_transform::GzipTransform;
use super::held_headers::HeldHeaders;
use super::hooks::Hooks;
use super::output_buffer::OutputBuffer;
use super::route::{AppTarget, compile};
use super::static_file::{VersionCache, static_routes};
use super::{Context, HandlerFactory, OutputTransform, Route, Settings, TransformFactory};
use crate::http1::ResponseWriter;
use crate::httpserver::{HttpServer, HttpServerSettings};
use crate::httputil::{HttpHeaders, HttpServerRequest};
use crate::routing::{
    AnyMatches, DefaultHostMatches, HostMatches, PathArgs, ReverseUrl, RouteError, Rule, RuleRouter,
};
use crate::template::BaseLoader;
use crate::util::log_target::ACCESS_LOG;

/// A web application: its routes and settings (Tornado's
/// `Application`). It serves connections itself: pass it to
/// [`HttpServer::new`], or call [`listen`](Self::listen).
///
/// Routes are tried in order; the first whose pattern matches the path
/// (anchored at both ends) gets the request. Requests no route matches get
/// the `default_handler` of the [`Settings`], or a `404 Not Found` page.
/// Virtual hosts ([`add_handlers`](Self::add_handlers)) are tried before
/// the routes for any host.
///
/// A cheap handle: clones share one application.
///
/// ```
/// use supercell::web::{Application, Context, RequestHandler, Settings, WebResult, url};
///
/// struct MainHandler;
///
/// impl RequestHandler for MainHandler {
///     async fn get(&mut self, cx: &mut Context) -> WebResult {
///         cx.write("Hello, world")?;
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let app = Application::new(vec![url("/", || MainHandler).name("main")], Settings::default())?;
/// assert_eq!(app.reverse_url("main", &[])?, "/");
/// let server = app.listen(0, Some("127.0.0.1"))?;
/// # server.stop();
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Application {
    inner: Arc<AppInner>,
}

struct AppInner {
    settings: Settings,
    /// The virtual hosts' rules, then one for any host.
    hosts: RuleRouter<AppTarget>,
    /// The routes for any host.
    any_host: RuleRouter<AppTarget>,
    /// The literal routes of `any_host`, while there is no virtual host
    /// (whose rules come first).
    exact: ExactRoutes,
    default_handler: HandlerFactory,
    /// The versions of static files computed so far.
    static_versions: VersionCache,
    /// The template loaders made so far, by template directory.
    templates: Mutex<HashMap<PathBuf, Arc<dyn BaseLoader>>>,
    /// The transforms added with `add_transform`.
    transforms: Vec<TransformFactory>,
}

/// Where a request goes.
pub(super) enum Destination<'a> {
    Handler(&'a HandlerFactory, PathArgs),
    Router(&'a Arc<dyn crate::routing::Router>, PathArgs),
}

impl Application {
    /// An application serving `routes` with `settings`; fails on the first
    /// invalid route pattern. With a `static_path` setting, the routes of
    /// the static files come first (see [`Settings::static_path`]). With
    /// `autoreload` on (or `debug`), it starts
    /// [`autoreload`](crate::autoreload) when called inside a runtime.
    pub fn new(routes: Vec<Route>, settings: Settings) -> Result<Application, RouteError> {
        let mut routes = routes;
        routes.splice(0..0, static_routes(&settings));
        if settings.autoreload() {
            // Outside a runtime, `listen` starts it.
            let _ = crate::autoreload::start();
        }
        let default_handler = settings
            .default_handler
            .clone()
            .unwrap_or_else(|| HandlerFactory::new(|| super::ErrorHandler::new(404)));
        let any_host = compile(routes)?;
        Ok(Application {
            inner: Arc::new(AppInner {
                hosts: RuleRouter::new(vec![Rule::new(AnyMatches, AppTarget::AnyHost)]),
                exact: ExactRoutes::of(&any_host),
                any_host,
                settings,
                default_handler,
                static_versions: VersionCache::default(),
                templates: Mutex::default(),
                transforms: Vec::new(),
            }),
        })
    }

    /// Adds routes for hosts whose name matches `host_pattern` (Tornado's
    /// `add_handlers`), tried before those for any host and after virtual
    /// hosts added earlier. With a `default_host` setting matching the
    /// pattern, they also answer requests for any host that came without
    /// `X-Real-Ip`.
    ///
    /// Call it before serving: it fails with [`RouteError::Shared`] once
    /// the application is shared (cloned, or serving).
    pub fn add_handlers(
        &mut self,
        host_pattern: &str,
        routes: Vec<Route>,
    ) -> Result<(), RouteError> {
        let host = HostMatches::new(host_pattern)?;
        let routes = Arc::new(compile(routes)?);
        let inner = Arc::get_mut(&mut self.inner).ok_or(RouteError::Shared)?;
        if let Some(default_host) = &inner.settings.default_host {
            let matcher = DefaultHostMatches::new(default_host, &host);
            inner
                .any_host
                .add_rules([Rule::new(matcher, AppTarget::Routes(Arc::clone(&routes)))]);
        }
        inner.exact = ExactRoutes::default();
        let last = inner.hosts.rules().len() - 1;
        inner
            .hosts
            .insert_rule(last, Rule::new(host, AppTarget::Routes(routes)));
        Ok(())
    }

    /// Adds a transform every response goes through, after gzip and
    /// those added before (Tornado's `add_transform`): `make` makes one
    /// for each request.
    ///
    /// Call it before serving: it fails with [`RouteError::Shared`] once
    /// the application is shared (cloned, or serving).
    pub fn add_transform(&mut self, make: TransformFactory) -> Result<(), RouteError> {
        let inner = Arc::get_mut(&mut self.inner).ok_or(RouteError::Shared)?;
        inner.transforms.push(make);
        Ok(())
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The loader kept for the template directory `path`, made with
    /// `make` the first time (Tornado's loaders kept by template path).
    /// `make` runs unlocked, so it may ask for other loaders; if two
    /// threads make one at once, the first kept wins.
    pub(super) fn loader_at(
        &self,
        path: &Path,
        make: impl FnOnce() -> Arc<dyn BaseLoader>,
    ) -> Arc<dyn BaseLoader> {
        let loaders = || {
            self.inner
                .templates
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        if let Some(loader) = loaders().get(path) {
            return loader.clone();
        }
        let made = make();
        loaders().entry(path.to_owned()).or_insert(made).clone()
    }

    /// The cache of static files' versions, unless the
    /// `static_hash_cache` setting is off.
    pub(super) fn static_versions(&self) -> Option<&VersionCache> {
        self.inner
            .settings
            .static_hash_cache()
            .then_some(&self.inner.static_versions)
    }

    /// Forgets the static files' versions computed so far (Tornado's
    /// `StaticFileHandler.reset`): each is computed again when next
    /// asked for. A file whose modification time changes gets a new
    /// version without this; it is for content changed under an
    /// unchanged time.
    pub fn reset_static_versions(&self) {
        self.inner.static_versions.clear();
    }

    /// The URL of the route named `name`, with `args` percent-encoded into
    /// its groups (Tornado's `reverse_url`).
    pub fn reverse_url(&self, name: &str, args: &[&str]) -> Result<String, RouteError> {
        ReverseUrl::reverse_url(self, name, args)
            .unwrap_or_else(|| Err(RouteError::UnknownName(name.to_owned())))
    }

    /// Serves the application on `port` of `address` (all interfaces when
    /// `None`) with default server settings (Tornado's `listen`); returns
    /// the server, listening. With `autoreload` on (or `debug`), it
    /// starts [`autoreload`](crate::autoreload) too.
    pub fn listen(&self, port: u16, address: Option<&str>) -> io::Result<HttpServer> {
        self.listen_with(port, address, HttpServerSettings::default())
    }

    /// [`listen`](Self::listen) with `settings` for the server.
    pub fn listen_with(
        &self,
        port: u16,
        address: Option<&str>,
        settings: HttpServerSettings,
    ) -> io::Result<HttpServer> {
        if self.settings().autoreload() {
            crate::autoreload::start().map_err(io::Error::other)?;
        }
        let server = HttpServer::new(self.clone(), settings);
        server.listen(port, address)?;
        Ok(server)
    }

    /// Where `request` goes, passing over the routers at the addresses in
    /// `declined`, which declined it already: the search goes on after
    /// them, as Tornado's does.
    pub(super) fn destination(
        &self,
        request: &HttpServerRequest,
        declined: &[usize],
    ) -> Destination<'_> {
        let path = request.path();
        if declined.is_empty()
            && let Some(factory) = self.exact_handler(path)
        {
            return Destination::Handler(factory, PathArgs::default());
        }
        self.destination_at(request, path, declined)
    }

    /// The handler factory of the literal route for `path`, when no
    /// earlier route may take it.
    #[inline(always)]
    pub(super) fn exact_handler(&self, path: &str) -> Option<&HandlerFactory> {
        self.inner.exact.get(path)
    }

    /// [`destination`](Self::destination) for `request`, whose path is
    /// `path`, past the literal routes.
    pub(super) fn destination_at(
        &self,
        request: &HttpServerRequest,
        path: &str,
        declined: &[usize],
    ) -> Destination<'_> {
        // With no virtual host added, the one host rule (any host) is
        // known to lead to the routes for any host.
        let hosts = match self.inner.hosts.rules().len() {
            1 => &self.inner.any_host,
            _ => &self.inner.hosts,
        };
        let found = hosts.find_map_at(request, path, |rule, args| {
            self.resolve(&rule.target, request, args, declined)
        });
        found.unwrap_or_else(|| {
            Destination::Handler(&self.inner.default_handler, PathArgs::default())
        })
    }

    fn resolve<'a>(
        &'a self,
        target: &'a AppTarget,
        request: &HttpServerRequest,
        args: PathArgs,
        declined: &[usize],
    ) -> Option<Destination<'a>> {
        let nested = |routes: &'a RuleRouter<AppTarget>| {
            routes.find_map(request, |rule, args| {
                self.resolve(&rule.target, request, args, declined)
            })
        };
        match target {
            AppTarget::Handler(factory) => Some(Destination::Handler(factory, args)),
            AppTarget::Router(router) if declined.contains(&router_address(router)) => None,
            AppTarget::Router(router) => Some(Destination::Router(router, args)),
            AppTarget::Routes(routes) => nested(routes),
            AppTarget::AnyHost => nested(&self.inner.any_host),
        }
    }

    /// The context of a request going to a handler.
    #[inline(always)]
    pub(super) fn context(
        &self,
        request: HttpServerRequest,
        writer: ResponseWriter,
        hooks: &'static Hooks,
    ) -> Context {
        Context {
            request,
            app: self.clone(),
            writer: Some(writer),
            path_args: Vec::new(),
            status: 200,
            headers: HttpHeaders::new(),
            held: HeldHeaders::DEFAULTS,
            buffer: OutputBuffer::new(),
            headers_written: false,
            finished: false,
            hooks,
            current_user: OnceLock::new(),
            extras: ExtrasSlot::default(),
        }
    }

    /// Whether responses go through output transforms.
    pub(super) fn transforms_output(&self) -> bool {
        self.inner.settings.compress_response || !self.inner.transforms.is_empty()
    }

    /// The rarely used parts of a context whose output `request`'s
    /// transforms change: gzip with `compress_response`, then the
    /// application's own.
    #[cold]
    pub(super) fn transforming_extras(&self, request: &HttpServerRequest) -> Box<Extras> {
        let mut transforms: Vec<Box<dyn OutputTransform>> = Vec::new();
        if self.inner.settings.compress_response {
            transforms.push(Box::new(GzipTransform::for_request(request)));
        }
        for make in &self.inner.transforms {
            transforms.push(make(request));
        }
        Box::new(Extras {
            transforms,
            ..Extras::default()
        })
    }

    /// Writes the access log line of a finished request (Tornado's
    /// `log_request`): the `log_function` setting's, or one at info level
    /// below 400, warning below 500, error from 500.
    pub fn log_request(&self, cx: &Context) {
        if let Some(log) = &self.inner.settings.log_function {
            log(cx);
            return;
        }
        let status = cx.get_status();
        let request = cx.request();
        let line = || {
            let millis = request.request_time().as_secs_f64() * 1000.0;
            let (method, uri, ip) = (&request.method, &request.uri, request.remote_ip());
            format!("{status} {method} {uri} ({ip}) {millis:.2}ms")
        };
        if status < 400 {
            tracing::info!(target: ACCESS_LOG, "{}", line());
        } else if status < 500 {
            tracing::warn!(target: ACCESS_LOG, "{}", line());
        } else {
            tracing::error!(target: ACCESS_LOG, "{}", line());
        }
    }

    /// Whether a request finished with `status` gets an access log line
    /// (a `log_function`, or a subscriber listening at its level): the
    /// request's time is only taken then. Only the test of the level is
    /// made where this is inlined; asking the subscriber is a call of its
    /// own.
    #[inline(always)]
    pub(super) fn logs_access(&self, status: u16) -> bool {
        let level = access_level(status);
        self.inner.settings.log_function.is_some()
            || (tracing::level_enabled!(level) && access_event_enabled(level))
    }
}

/// The level of the access log line of a request finished with `status`.
#[inline(always)]
fn access_level(status: u16) -> tracing::Level {
    match status {
        ..400 => tracing::Level::INFO,
        400..500 => tracing::Level::WARN,
        _ => tracing::Level::ERROR,
    }
}

/// Whether the subscriber takes access log lines at `level`.
#[inline(never)]
fn access_event_enabled(level: tracing::Level) -> bool {
    if level == tracing::Level::INFO {
        tracing::event_enabled!(target: ACCESS_LOG, tracing::Level::INFO)
    } else if level == tracing::Level::WARN {
        tracing::event_enabled!(target: ACCESS_LOG, tracing::Level::WARN)
    } else {
        tracing::event_enabled!(target: ACCESS_LOG, tracing::Level::ERROR)
    }
}

/// Where a router lives: what tells routers apart while a request is
/// routed.
pub(super) fn router_address(router: &Arc<dyn crate::routing::Router>) -> usize {
    Arc::as_ptr(router).cast::<()>() as usize
}

impl ReverseUrl for Application {
    fn reverse_url(&self, name: &str, args: &[&str]) -> Option<Result<String, RouteError>> {
        ReverseUrl::reverse_url(&self.inner.hosts, name, args)
            .or_else(|| ReverseUrl::reverse_url(&self.inner.any_host, name, args))
    }
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("settings", &self.inner.settings)
            .field("hosts", &self.inner.hosts)
            .field("any_host", &self.inner.any_host)
            .finish()
    }
}
