//! [`Router`]: anything a request can be routed to, for routers serving
//! connections directly (Tornado's `Router` and the targets of its
//! rules); [`RoutedMessage`], what receives the rest of a routed request.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;

use super::{PathArgs, ReverseUrl, RouteError, RuleRouter};
use crate::http1::ResponseWriter;
use crate::httputil::HttpServerRequest;

/// Receives the rest of a routed request: its body and its end (the
/// message side of Tornado's `HTTPMessageDelegate`, once the head has
/// been routed). Object-safe, so targets of any type share one router.
pub trait RoutedMessage: Send {
    /// Runs once the head is routed, before any body is read: where a
    /// handler may change the body limits. Default: nothing.
    fn begin(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    /// A piece of body arrived.
    fn data_received(&mut self, chunk: Bytes) -> BoxFuture<'_, ()>;

    /// The whole request arrived.
    fn finish(&mut self) -> BoxFuture<'_, ()>;

    /// The connection closed before the request or its response was
    /// complete. Default: nothing.
    fn on_connection_close(&mut self) {}
}

/// A routed request no target took, handed back with its writer.
#[derive(Debug)]
pub struct Declined {
    /// The request (head only: its body has not been read).
    pub request: HttpServerRequest,
    /// The write side of its response.
    pub writer: ResponseWriter,
}

/// Takes requests routed to it (Tornado's `Router.find_handler`, and the
/// targets `RuleRouter` accepts): a nested [`RuleRouter`], any
/// connection delegate ([`DelegateTarget`](super::DelegateTarget)), a
/// request callback ([`CallbackTarget`](super::CallbackTarget)), or
/// anything else implementing it.
///
/// An `Arc<R>` of any router serves connections itself:
/// `HttpServer::new(Arc::new(router), settings)`; a request no rule takes
/// is answered `404 Not Found`.
pub trait Router: Send + Sync + 'static {
    /// Takes `request` (its head; the body follows through the returned
    /// message) with what the rule's matcher captured, or hands it back.
    fn find_handler(
        &self,
        request: HttpServerRequest,
        args: PathArgs,
        writer: ResponseWriter,
    ) -> Result<Box<dyn RoutedMessage>, Box<Declined>>;

    /// Serves a request that has no body in one go, or hands it back.
    /// Default: [`find_handler`](Self::find_handler), then the message's
    /// `finish`.
    fn serve_whole(
        &self,
        request: HttpServerRequest,
        args: PathArgs,
        writer: ResponseWriter,
    ) -> Result<BoxFuture<'static, ()>, Box<Declined>> {
        let mut message = self.find_handler(request, args, writer)?;
        Ok(Box::pin(async move { message.finish().await }))
    }

    /// The URL of a named rule this router holds (Tornado's
    /// `ReversibleRouter.reverse_url`); `None` when it holds none of that
    /// name. Default: `None`.
    fn reverse_url(&self, name: &str, args: &[&str]) -> Option<Result<String, RouteError>> {
        let _ = (name, args);
        None
    }
}

impl ReverseUrl for Arc<dyn Router> {
    fn reverse_url(&self, name: &str, args: &[&str]) -> Option<Result<String, RouteError>> {
        Router::reverse_url(&**self, name, args)
    }
}

impl RuleRouter<Arc<dyn Router>> {
    /// Hands `request` to the target of the first rule accepting it that
    /// does not decline it; back when none takes it.
    fn route<O>(
        &self,
        request: HttpServerRequest,
        writer: ResponseWriter,
        mut hand: impl FnMut(
            &dyn Router,
            HttpServerRequest,
            PathArgs,
            ResponseWriter,
        ) -> Result<O, Box<Declined>>,
    ) -> Result<O, Box<Declined>> {
        let (mut request, mut writer) = (request, writer);
        let mut start = 0;
        while let Some((at, args)) = self.first_request_match_from(&request, start) {
            let target = &*self.rules()[at].target;
            match hand(target, request, args, writer) {
                Ok(taken) => return Ok(taken),
                Err(back) => (request, writer) = (back.request, back.writer),
            }
            start = at + 1;
        }
        Err(Box::new(Declined { request, writer }))
    }
}

impl Router for RuleRouter<Arc<dyn Router>> {
    fn find_handler(
        &self,
        request: HttpServerRequest,
        _: PathArgs,
        writer: ResponseWriter,
    ) -> Result<Box<dyn RoutedMessage>, Box<Declined>> {
        self.route(request, writer, |target, request, args, writer| {
            target.find_handler(request, args, writer)
        })
    }

    fn serve_whole(
        &self,
        request: HttpServerRequest,
        _: PathArgs,
        writer: ResponseWriter,
    ) -> Result<BoxFuture<'static, ()>, Box<Declined>> {
        self.route(request, writer, |target, request, args, writer| {
            target.serve_whole(request, args, writer)
        })
    }

    fn reverse_url(&self, name: &str, args: &[&str]) -> Option<Result<String, RouteError>> {
        ReverseUrl::reverse_url(self, name, args)
    }
}
