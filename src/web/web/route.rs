//! [`Route`]s, what an [`Application`](super::Application) is made of, and
//! [`HandlerFactory`], a route's handler maker.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;

use super::delegate::StreamingRequest;
use super::execute::{execute, start_streaming};
use super::hooks::Hooks;
use super::{Application, Context, RequestHandler};
use crate::http1::ResponseWriter;
use crate::httputil::HttpServerRequest;
use crate::routing::{
    Matcher, PathArgs, PathMatches, ReverseUrl, RouteError, Router, Rule, RuleRouter,
};
use crate::util::spare_block::{self, SpareBlock, SpareBox, SpareKey};

thread_local! {
    /// The memory of the last request run on the thread, for the next.
    static RUN_SPARE: SpareBlock = const { SpareBlock::new() };
}

/// The spare block of [`RequestRun`]s.
pub(super) struct RunSpare;

impl SpareKey for RunSpare {
    fn key() -> &'static std::thread::LocalKey<SpareBlock> {
        &RUN_SPARE
    }
}

/// A request running through its handler (or a router), in a box whose
/// memory the thread keeps for the next request's.
pub(super) type RequestRun = SpareBox<dyn Future<Output = ()> + Send, RunSpare>;

/// `future` as a [`RequestRun`].
pub(super) fn request_run(future: Pin<Box<dyn Future<Output = ()> + Send>>) -> RequestRun {
    SpareBox::new(future)
}

/// Makes the handler of each request a route leads to (a handler type's
/// constructor with its arguments: Tornado's handler class with
/// `initialize`'s keyword arguments). Cheap to clone.
#[derive(Clone)]
pub struct HandlerFactory(Arc<dyn ErasedFactory>);

impl HandlerFactory {
    /// A factory calling `make` for each request.
    pub fn new<H, F>(make: F) -> HandlerFactory
    where
        H: RequestHandler,
        F: Fn() -> H + Send + Sync + 'static,
    {
        HandlerFactory(Arc::new(Factory(make)))
    }

    /// Runs a request with a body read whole, or none (`args`: `None`
    /// when the route captured nothing).
    pub(super) fn serve(
        &self,
        app: &Application,
        request: HttpServerRequest,
        writer: ResponseWriter,
        args: Option<PathArgs>,
    ) -> RequestRun {
        self.0.serve(app, request, writer, args)
    }

    /// Whether the handler takes its body piece by piece.
    pub(super) fn streams_body(&self) -> bool {
        self.0.streams_body()
    }

    /// Starts a request whose body streams to the handler.
    pub(super) fn start_streaming(&self, cx: Context, args: PathArgs) -> Box<dyn StreamingRequest> {
        self.0.start_streaming(cx, args)
    }

    /// The handler type's functions its contexts call.
    pub(super) fn hooks(&self) -> &'static Hooks {
        self.0.hooks()
    }
}

impl fmt::Debug for HandlerFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HandlerFactory")
    }
}

/// A [`HandlerFactory`] with its handler type erased.
trait ErasedFactory: Send + Sync + 'static {
    fn serve(
        &self,
        app: &Application,
        request: HttpServerRequest,
        writer: ResponseWriter,
        args: Option<PathArgs>,
    ) -> RequestRun;
    fn streams_body(&self) -> bool;
    fn start_streaming(&self, cx: Context, args: PathArgs) -> Box<dyn StreamingRequest>;
    fn hooks(&self) -> &'static Hooks;
}

struct Factory<F>(F);

impl<H, F> ErasedFactory for Factory<F>
where
    H: RequestHandler,
    F: Fn() -> H + Send + Sync + 'static,
{
    fn serve(
        &self,
        app: &Application,
        request: HttpServerRequest,
        writer: ResponseWriter,
        args: Option<PathArgs>,
    ) -> RequestRun {
        let handler = (self.0)();
        // The allocation comes first and the future is written into it
        // from where its parts are: the request and context are not
        // moved through a closure or a temporary on the way (each such
        // move is a copy of a few hundred bytes).
        let slot = spare_block::take_uninit(&RUN_SPARE);
        let cx = app.context(request, writer, Hooks::of::<H>());
        let future = Box::write(slot, execute(handler, cx, args));
        // An `async` block: what it holds is dropped as it ends.
        SpareBox::empty_when_done(Box::into_pin(future))
    }

    fn streams_body(&self) -> bool {
        H::STREAM_REQUEST_BODY
    }

    fn start_streaming(&self, cx: Context, args: PathArgs) -> Box<dyn StreamingRequest> {
        start_streaming((self.0)(), cx, args)
    }

    fn hooks(&self) -> &'static Hooks {
        Hooks::of::<H>()
    }
}

/// What a route leads to.
pub(super) enum RouteTarget {
    Handler(HandlerFactory),
    Router(Arc<dyn Router>),
    Routes(Vec<Route>),
}

/// One route of an [`Application`](super::Application) (Tornado's
/// `URLSpec`, or a `Rule`): a matcher, what it leads to, and an optional
/// name for [`reverse_url`](super::Application::reverse_url). Made by
/// [`url`] for the usual path pattern and handler.
pub struct Route {
    pub(super) matcher: Result<Box<dyn Matcher>, RouteError>,
    pub(super) target: RouteTarget,
    pub(super) name: Option<String>,
}

/// A route from the path `pattern` (a regular expression, anchored at
/// both ends as in Tornado, its groups becoming the path arguments) to
/// handlers made by `make` (Tornado's `url`). An invalid pattern is
/// reported by [`Application::new`](super::Application::new).
pub fn url<H, F>(pattern: &str, make: F) -> Route
where
    H: RequestHandler,
    F: Fn() -> H + Send + Sync + 'static,
{
    Route::with_pattern(pattern, RouteTarget::Handler(HandlerFactory::new(make)))
}

impl Route {
    fn with_pattern(pattern: &str, target: RouteTarget) -> Route {
        Route {
            matcher: PathMatches::new(pattern).map(|m| Box::new(m) as Box<dyn Matcher>),
            target,
            name: None,
        }
    }

    /// A route from requests `matcher` accepts to handlers made by
    /// `factory`.
    pub fn handler(matcher: impl Matcher, factory: HandlerFactory) -> Route {
        Route {
            matcher: Ok(Box::new(matcher)),
            target: RouteTarget::Handler(factory),
            name: None,
        }
    }

    /// A route from requests `matcher` accepts to any [`Router`]: a
    /// routing rule set, a connection delegate, a request callback.
    pub fn router(matcher: impl Matcher, router: Arc<dyn Router>) -> Route {
        Route {
            matcher: Ok(Box::new(matcher)),
            target: RouteTarget::Router(router),
            name: None,
        }
    }

    /// A route from paths matching `pattern` to any [`Router`].
    pub fn router_at(pattern: &str, router: Arc<dyn Router>) -> Route {
        Route::with_pattern(pattern, RouteTarget::Router(router))
    }

    /// A route from requests `matcher` accepts to more routes, tried in
    /// order (Tornado's nested handler list).
    pub fn nested(matcher: impl Matcher, routes: Vec<Route>) -> Route {
        Route {
            matcher: Ok(Box::new(matcher)),
            target: RouteTarget::Routes(routes),
            name: None,
        }
    }

    /// This route, named `name`.
    pub fn name(mut self, name: impl Into<String>) -> Route {
        self.name = Some(name.into());
        self
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Route")
            .field("matcher", &self.matcher)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What a compiled route leads to.
pub(super) enum AppTarget {
    Handler(HandlerFactory),
    Router(Arc<dyn Router>),
    Routes(Arc<RuleRouter<AppTarget>>),
    /// The application's routes for any host.
    AnyHost,
}

impl ReverseUrl for AppTarget {
    fn reverse_url(&self, name: &str, args: &[&str]) -> Option<Result<String, RouteError>> {
        match self {
            AppTarget::Router(router) => router.reverse_url(name, args),
            AppTarget::Routes(routes) => ReverseUrl::reverse_url(&**routes, name, args),
            AppTarget::Handler(_) | AppTarget::AnyHost => None,
        }
    }
}

/// The rule router of `routes`, or the first invalid pattern.
pub(super) fn compile(routes: Vec<Route>) -> Result<RuleRouter<AppTarget>, RouteError> {
    let rules = routes
        .into_iter()
        .map(|route| {
            let target = match route.target {
                RouteTarget::Handler(factory) => AppTarget::Handler(factory),
                RouteTarget::Router(router) => AppTarget::Router(router),
                RouteTarget::Routes(routes) => AppTarget::Routes(Arc::new(compile(routes)?)),
            };
            Ok(Rule {
                matcher: route.matcher?,
                target,
                name: route.name,
            })
        })
        .collect::<Result<Vec<_>, RouteError>>()?;
    Ok(RuleRouter::new(rules))
}
