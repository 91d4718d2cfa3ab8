//! Routing to what is not a router: [`DelegateTarget`] (any connection
//! delegate) and [`CallbackTarget`] (a request callback).

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;

use super::{Declined, PathArgs, RoutedMessage, Router};
use crate::http1::ResponseWriter;
use crate::httputil::{
    GatheredBody, HttpMessageDelegate, HttpServerConnectionDelegate, HttpServerRequest,
    RequestStartLine,
};

/// Routes to any connection delegate (Tornado's rule target that is an
/// `HTTPServerConnectionDelegate`): each request routed here goes to a
/// message delegate of its own, as if the delegate served the
/// connection. It never declines.
pub struct DelegateTarget<D>(pub D);

impl<D> std::fmt::Debug for DelegateTarget<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DelegateTarget")
    }
}

/// A connection delegate's message, given the head it was routed with
/// before anything else.
struct DelegateMessage<M> {
    message: M,
    head: Option<HttpServerRequest>,
}

impl<M: HttpMessageDelegate> DelegateMessage<M> {
    async fn send_head(&mut self) {
        if let Some(request) = self.head.take() {
            let start_line = RequestStartLine {
                method: request.method,
                path: request.uri,
                version: request.version,
            };
            self.message
                .headers_received(start_line, request.headers)
                .await;
        }
    }
}

impl<M: HttpMessageDelegate> RoutedMessage for DelegateMessage<M> {
    fn begin(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(self.send_head())
    }

    fn data_received(&mut self, chunk: Bytes) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.send_head().await;
            self.message.data_received(chunk).await;
        })
    }

    fn finish(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.send_head().await;
            self.message.finish().await;
        })
    }

    fn on_connection_close(&mut self) {
        self.message.on_connection_close();
    }
}

impl<D: HttpServerConnectionDelegate<ResponseWriter>> Router for DelegateTarget<D> {
    fn find_handler(
        &self,
        request: HttpServerRequest,
        _: PathArgs,
        writer: ResponseWriter,
    ) -> Result<Box<dyn RoutedMessage>, Box<Declined>> {
        Ok(Box::new(DelegateMessage {
            message: self.0.start_request(writer),
            head: Some(request),
        }))
    }
}

/// Routes to a request callback, as
/// [`HttpServer::from_callback`](crate::httpserver::HttpServer::from_callback)
/// takes (Tornado's callable rule target): the callback gets the whole
/// request, body read and arguments parsed, and its writer. It never
/// declines.
pub struct CallbackTarget<F>(pub Arc<F>);

impl<F> CallbackTarget<F> {
    /// A target calling `callback`.
    pub fn new(callback: F) -> CallbackTarget<F> {
        CallbackTarget(Arc::new(callback))
    }
}

impl<F> std::fmt::Debug for CallbackTarget<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallbackTarget")
    }
}

/// A request gathered for a callback.
struct CallbackMessage<F> {
    callback: Arc<F>,
    pending: Option<(HttpServerRequest, ResponseWriter)>,
    body: GatheredBody,
}

impl<F, Fut> RoutedMessage for CallbackMessage<F>
where
    F: Fn(HttpServerRequest, ResponseWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    fn data_received(&mut self, chunk: Bytes) -> BoxFuture<'_, ()> {
        self.body.push(chunk);
        Box::pin(async {})
    }

    fn finish(&mut self) -> BoxFuture<'_, ()> {
        let Some((mut request, writer)) = self.pending.take() else {
            return Box::pin(async {});
        };
        request.body = self.body.take();
        request.parse_body();
        Box::pin((self.callback)(request, writer))
    }

    fn on_connection_close(&mut self) {
        self.body = GatheredBody::default();
    }
}

impl<F, Fut> Router for CallbackTarget<F>
where
    F: Fn(HttpServerRequest, ResponseWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    fn find_handler(
        &self,
        request: HttpServerRequest,
        _: PathArgs,
        writer: ResponseWriter,
    ) -> Result<Box<dyn RoutedMessage>, Box<Declined>> {
        Ok(Box::new(CallbackMessage {
            callback: Arc::clone(&self.0),
            pending: Some((request, writer)),
            body: GatheredBody::default(),
        }))
    }

    fn serve_whole(
        &self,
        request: HttpServerRequest,
        _: PathArgs,
        writer: ResponseWriter,
    ) -> Result<BoxFuture<'static, ()>, Box<Declined>> {
        Ok(Box::pin((self.0)(request, writer)))
    }
}
