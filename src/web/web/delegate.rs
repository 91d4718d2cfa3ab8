//! An [`Application`] serving connections: each request is routed when
//! its head arrives, its body gathered (or streamed to a handler that
//! takes it piece by piece), then its handler run.

use std::future::Future;

use bytes::Bytes;
use futures_util::future::BoxFuture;

use super::application::{Destination, router_address};
use super::route::{RequestRun, request_run};
use super::{Application, HandlerFactory};
use crate::http1::ResponseWriter;
use crate::httputil::{
    GatheredBody, HttpHeaders, HttpMessageDelegate, HttpServerConnectionDelegate,
    HttpServerRequest, RequestStartLine,
};
use crate::routing::{Declined, PathArgs, ReverseUrl, RouteError, RoutedMessage, Router};

/// A request whose body streams to its handler, started.
pub(super) trait StreamingRequest: Send {
    /// Runs what comes before the body (`prepare`).
    fn begin(&mut self) -> BoxFuture<'_, ()>;
    /// A piece of body arrived.
    fn data_received(&mut self, chunk: Bytes) -> BoxFuture<'_, ()>;
    /// The body ended: runs the verb method.
    fn finish(&mut self) -> BoxFuture<'_, ()>;
    /// The connection closed first: tells the handler.
    fn connection_closed(&mut self);
}

impl Application {
    /// Runs a handler made by `factory` on a request read whole.
    fn serve_with(
        &self,
        factory: &HandlerFactory,
        request: HttpServerRequest,
        args: PathArgs,
        writer: ResponseWriter,
    ) -> RequestRun {
        factory.serve(self, request, writer, (!args.is_empty()).then_some(args))
    }
}

impl HttpServerConnectionDelegate<ResponseWriter> for Application {
    type Message = AppMessage;

    fn start_request(&self, writer: ResponseWriter) -> AppMessage {
        AppMessage {
            app: self.clone(),
            state: State::Unrouted(Some(writer)),
        }
    }

    fn answers_whole_requests(&self) -> bool {
        true
    }

    // Inlined in the connection's code, where the head was read: one call
    // less for each request.
    #[inline(always)]
    fn request_without_body(
        &self,
        start_line: RequestStartLine,
        headers: HttpHeaders,
        writer: ResponseWriter,
    ) -> impl Future<Output = ()> + Send {
        // A literal route is found from the start line, and the request
        // made where the handler's factory takes it, not copied there.
        if let Some(factory) = self.exact_handler(start_line.path.path()) {
            let request = writer.server_request(start_line, headers, Bytes::new());
            return factory.serve(self, request, writer, None);
        }
        let request = writer.server_request(start_line, headers, Bytes::new());
        self.serve_unmatched(request, writer)
    }
}

/// One request on a connection an [`Application`] serves.
pub struct AppMessage {
    app: Application,
    state: State,
}

impl std::fmt::Debug for AppMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Unrouted(_) => "unrouted",
            State::Gathering(_) => "gathering the body",
            State::Streaming(_) => "streaming the body",
            State::Routed(_) => "routed elsewhere",
            State::Done => "done",
        };
        f.debug_struct("AppMessage").field("state", &state).finish()
    }
}

/// A request whose body is read whole before its handler runs.
struct Gathering {
    factory: HandlerFactory,
    request: HttpServerRequest,
    args: PathArgs,
    writer: ResponseWriter,
    body: GatheredBody,
}

enum State {
    /// The head has not arrived.
    Unrouted(Option<ResponseWriter>),
    /// The body is read whole before the handler runs.
    Gathering(Box<Gathering>),
    /// The body streams to a handler.
    Streaming(Box<dyn StreamingRequest>),
    /// The request went to a router that is not a handler.
    Routed(Box<dyn RoutedMessage>),
    Done,
}

/// The state for a request going to a handler made by `factory`.
fn to_handler(
    app: &Application,
    factory: &HandlerFactory,
    request: HttpServerRequest,
    args: PathArgs,
    writer: ResponseWriter,
) -> State {
    if !factory.streams_body() {
        return State::Gathering(Box::new(Gathering {
            factory: factory.clone(),
            request,
            args,
            writer,
            body: GatheredBody::default(),
        }));
    }
    let cx = app.context(request, writer, factory.hooks());
    State::Streaming(factory.start_streaming(cx, args))
}

impl AppMessage {
    /// A message for `request`, routed within `app`.
    fn routed(app: &Application, request: HttpServerRequest, writer: ResponseWriter) -> AppMessage {
        let (mut request, mut writer) = (request, writer);
        let mut declined = Vec::new();
        let state = loop {
            match app.destination(&request, &declined) {
                Destination::Handler(factory, args) => {
                    break to_handler(app, factory, request, args, writer);
                }
                Destination::Router(router, args) => {
                    match router.find_handler(request, args, writer) {
                        Ok(message) => break State::Routed(message),
                        Err(back) => (request, writer) = (back.request, back.writer),
                    }
                    declined.push(router_address(router));
                }
            }
        };
        AppMessage {
            app: app.clone(),
            state,
        }
    }

    /// What runs once the head is routed, before the body: a streaming
    /// handler's `prepare`.
    async fn begin(&mut self) {
        match &mut self.state {
            State::Streaming(streaming) => streaming.begin().await,
            State::Routed(message) => message.begin().await,
            State::Unrouted(_) | State::Gathering(_) | State::Done => {}
        }
    }

    async fn body_piece(&mut self, chunk: Bytes) {
        match &mut self.state {
            State::Gathering(gathering) => gathering.body.push(chunk),
            State::Streaming(streaming) => streaming.data_received(chunk).await,
            State::Routed(message) => message.data_received(chunk).await,
            State::Unrouted(_) | State::Done => {}
        }
    }

    async fn end(&mut self) {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Gathering(gathering) => {
                let Gathering {
                    factory,
                    mut request,
                    args,
                    writer,
                    mut body,
                } = *gathering;
                request.body = body.take();
                request.parse_body();
                self.app.serve_with(&factory, request, args, writer).await;
            }
            State::Streaming(mut streaming) => streaming.finish().await,
            State::Routed(mut message) => message.finish().await,
            State::Unrouted(_) | State::Done => {}
        }
    }

    /// The connection closed (or refused the request) before the request
    /// was complete. Nothing is dropped here: a writer dropped unfinished
    /// would answer `500` before the connection's own answer (a `400` for
    /// a malformed body).
    fn closed(&mut self) {
        match &mut self.state {
            State::Routed(message) => message.on_connection_close(),
            State::Streaming(streaming) => streaming.connection_closed(),
            State::Gathering(gathering) => gathering.body = GatheredBody::default(),
            State::Unrouted(_) | State::Done => {}
        }
    }
}

impl HttpMessageDelegate for AppMessage {
    async fn headers_received(&mut self, start_line: RequestStartLine, headers: HttpHeaders) {
        let State::Unrouted(writer) = &mut self.state else {
            return;
        };
        let Some(writer) = writer.take() else {
            return;
        };
        let request = writer.server_request(start_line, headers, Bytes::new());
        *self = AppMessage::routed(&self.app, request, writer);
        self.begin().await;
    }

    async fn data_received(&mut self, chunk: Bytes) {
        self.body_piece(chunk).await;
    }

    async fn finish(&mut self) {
        self.end().await;
    }

    fn on_connection_close(&mut self) {
        self.closed();
    }
}

impl RoutedMessage for AppMessage {
    fn begin(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(AppMessage::begin(self))
    }

    fn data_received(&mut self, chunk: Bytes) -> BoxFuture<'_, ()> {
        Box::pin(self.body_piece(chunk))
    }

    fn finish(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(self.end())
    }

    fn on_connection_close(&mut self) {
        self.closed();
    }
}

/// An application nested under another router (Tornado's `Application`
/// as a rule target): it routes the request among its own routes, and
/// answers it with its default handler when none matches.
impl Router for Application {
    fn find_handler(
        &self,
        request: HttpServerRequest,
        _: PathArgs,
        writer: ResponseWriter,
    ) -> Result<Box<dyn RoutedMessage>, Box<Declined>> {
        Ok(Box::new(AppMessage::routed(self, request, writer)))
    }

    fn serve_whole(
        &self,
        request: HttpServerRequest,
        _: PathArgs,
        writer: ResponseWriter,
    ) -> Result<BoxFuture<'static, ()>, Box<Declined>> {
        Ok(Box::pin(self.serve_request(request, writer)))
    }

    fn reverse_url(&self, name: &str, args: &[&str]) -> Option<Result<String, RouteError>> {
        ReverseUrl::reverse_url(self, name, args)
    }
}

impl Application {
    /// The message for a request going to a handler made by `factory`
    /// with path arguments `args`, whatever the routes say (Tornado's
    /// `get_handler_delegate`): for routers of their own that pick
    /// handlers.
    pub fn get_handler_delegate(
        &self,
        request: HttpServerRequest,
        factory: &HandlerFactory,
        args: PathArgs,
        writer: ResponseWriter,
    ) -> Box<dyn RoutedMessage> {
        Box::new(AppMessage {
            app: self.clone(),
            state: to_handler(self, factory, request, args, writer),
        })
    }

    /// Serves a request without a body.
    fn serve_request(&self, request: HttpServerRequest, writer: ResponseWriter) -> RequestRun {
        // The usual case first, the request passed on where it is.
        if let Some(factory) = self.exact_handler(request.path()) {
            return factory.serve(self, request, writer, None);
        }
        self.serve_unmatched(request, writer)
    }

    /// Serves a request without a body whose path no literal route has.
    fn serve_unmatched(&self, request: HttpServerRequest, writer: ResponseWriter) -> RequestRun {
        match self.destination_at(&request, request.path(), &[]) {
            Destination::Handler(factory, args) => self.serve_with(factory, request, args, writer),
            Destination::Router(..) => self.serve_routed(request, writer),
        }
    }

    /// Serves a request without a body that goes to a router, which may
    /// decline it: the search then goes on after that router.
    #[cold]
    fn serve_routed(&self, request: HttpServerRequest, writer: ResponseWriter) -> RequestRun {
        let (mut request, mut writer) = (request, writer);
        let mut declined = Vec::new();
        loop {
            match self.destination(&request, &declined) {
                Destination::Handler(factory, args) => {
                    return self.serve_with(factory, request, args, writer);
                }
                Destination::Router(router, args) => {
                    match router.serve_whole(request, args, writer) {
                        Ok(serve) => return request_run(serve),
                        Err(back) => (request, writer) = (back.request, back.writer),
                    }
                    declined.push(router_address(router));
                }
            }
        }
    }
}
