//! Serving connections with a [`Router`]: any `Arc<R>` of a router is a
//! connection delegate (Tornado's `_RoutingDelegate`); a request no
//! target takes is answered `404 Not Found`.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;

use super::{PathArgs, RoutedMessage, Router};
use crate::http1::ResponseWriter;
use crate::httputil::{
    HttpHeaders, HttpMessageDelegate, HttpServerConnectionDelegate, RequestStartLine,
};

/// Answers a request no target took: `404 Not Found`, no body.
async fn not_found(mut writer: ResponseWriter) {
    let _ = writer.respond(404, HttpHeaders::new(), Bytes::new()).await;
}

impl<R: Router + ?Sized> HttpServerConnectionDelegate<ResponseWriter> for Arc<R> {
    type Message = RoutingMessage<R>;

    fn start_request(&self, writer: ResponseWriter) -> RoutingMessage<R> {
        RoutingMessage {
            router: Arc::clone(self),
            state: State::Unrouted(Some(writer)),
        }
    }

    fn answers_whole_requests(&self) -> bool {
        true
    }

    fn request_without_body(
        &self,
        start_line: RequestStartLine,
        headers: HttpHeaders,
        writer: ResponseWriter,
    ) -> impl Future<Output = ()> + Send {
        let request = writer.server_request(start_line, headers, Bytes::new());
        let served = self.serve_whole(request, PathArgs::default(), writer);
        async move {
            match served {
                Ok(serve) => serve.await,
                Err(declined) => not_found(declined.writer).await,
            }
        }
    }
}

/// One request on a connection served by a router.
pub struct RoutingMessage<R: ?Sized> {
    router: Arc<R>,
    state: State,
}

impl<R: ?Sized> std::fmt::Debug for RoutingMessage<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Unrouted(_) => "unrouted",
            State::Routed(_) => "routed",
            State::NotFound(_) => "not found",
        };
        f.debug_struct("RoutingMessage")
            .field("state", &state)
            .finish()
    }
}

enum State {
    /// The head has not arrived (the writer is taken as it does).
    Unrouted(Option<ResponseWriter>),
    Routed(Box<dyn RoutedMessage>),
    /// No target took the request: answered at its end.
    NotFound(Option<ResponseWriter>),
}

impl<R: Router + ?Sized> HttpMessageDelegate for RoutingMessage<R> {
    async fn headers_received(&mut self, start_line: RequestStartLine, headers: HttpHeaders) {
        let State::Unrouted(writer) = &mut self.state else {
            return;
        };
        let Some(writer) = writer.take() else {
            return;
        };
        let request = writer.server_request(start_line, headers, Bytes::new());
        self.state = match self
            .router
            .find_handler(request, PathArgs::default(), writer)
        {
            Ok(message) => State::Routed(message),
            Err(declined) => State::NotFound(Some(declined.writer)),
        };
        if let State::Routed(message) = &mut self.state {
            message.begin().await;
        }
    }

    async fn data_received(&mut self, chunk: Bytes) {
        if let State::Routed(message) = &mut self.state {
            message.data_received(chunk).await;
        }
    }

    async fn finish(&mut self) {
        match &mut self.state {
            State::Routed(message) => message.finish().await,
            State::NotFound(writer) => {
                if let Some(writer) = writer.take() {
                    not_found(writer).await;
                }
            }
            State::Unrouted(_) => {}
        }
    }

    fn on_connection_close(&mut self) {
        if let State::Routed(message) = &mut self.state {
            message.on_connection_close();
        }
    }
}
