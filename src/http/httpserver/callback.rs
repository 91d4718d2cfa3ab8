//! The simple interface of [`HttpServer::from_callback`](super::HttpServer::from_callback):
//! a whole request, body read and arguments parsed, handed to a callback.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::OptionFuture;

use crate::http1::ResponseWriter;
use crate::httputil::{
    GatheredBody, HttpHeaders, HttpMessageDelegate, HttpServerConnectionDelegate,
    HttpServerRequest, RequestStartLine,
};

/// The connection delegate calling a request callback (Tornado's
/// `_CallableAdapter` maker).
pub(super) struct CallbackDelegate<F> {
    pub(super) callback: Arc<F>,
}

impl<F, Fut> HttpServerConnectionDelegate<ResponseWriter> for CallbackDelegate<F>
where
    F: Fn(HttpServerRequest, ResponseWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    type Message = CallbackMessage<F>;

    fn answers_whole_requests(&self) -> bool {
        true
    }

    fn request_without_body(
        &self,
        start_line: RequestStartLine,
        headers: HttpHeaders,
        writer: ResponseWriter,
    ) -> impl Future<Output = ()> + Send {
        // What the message calls would hand the callback for a request
        // without a body (no body arguments to parse), in one call.
        let request = writer.server_request(start_line, headers, Bytes::new());
        (self.callback)(request, writer)
    }

    fn start_request(&self, writer: ResponseWriter) -> CallbackMessage<F> {
        CallbackMessage {
            callback: Arc::clone(&self.callback),
            writer: Some(writer),
            head: None,
            body: GatheredBody::default(),
        }
    }
}

/// Gathers one request, then calls the callback with it (Tornado's
/// `_CallableAdapter`).
pub(super) struct CallbackMessage<F> {
    callback: Arc<F>,
    writer: Option<ResponseWriter>,
    head: Option<(RequestStartLine, HttpHeaders)>,
    body: GatheredBody,
}

impl<F> CallbackMessage<F> {
    /// The whole request with its body arguments parsed, and its writer;
    /// `None` once taken (or when no head came).
    fn take_request(&mut self) -> Option<(HttpServerRequest, ResponseWriter)> {
        let (Some(writer), Some((start_line, headers))) = (self.writer.take(), self.head.take())
        else {
            return None;
        };
        let mut request = writer.server_request(start_line, headers, self.body.take());
        request.parse_body();
        Some((request, writer))
    }
}

impl<F, Fut> HttpMessageDelegate for CallbackMessage<F>
where
    F: Fn(HttpServerRequest, ResponseWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    async fn headers_received(&mut self, start_line: RequestStartLine, headers: HttpHeaders) {
        self.head = Some((start_line, headers));
    }

    async fn data_received(&mut self, chunk: Bytes) {
        self.body.push(chunk);
    }

    fn finish(&mut self) -> impl Future<Output = ()> + Send {
        // The request and the writer go straight into the callback's
        // future, which is all the returned future holds.
        let call = self
            .take_request()
            .map(|(request, writer)| (self.callback)(request, writer));
        OptionFuture::from(call).map(drop)
    }

    fn on_connection_close(&mut self) {
        self.body = GatheredBody::default();
    }
}
