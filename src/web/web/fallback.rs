//! [`FallbackHandler`]: hands requests to something that is not a
//! request handler — a request callback, or any `tower::Service` (an
//! axum router, a tower stack) through [`TowerService`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http_body::Body;
use http_body_util::{BodyExt, Full};
use tower_service::Service;

use super::{Context, RequestHandler, WebResult};
use crate::http1::ResponseWriter;
use crate::httputil::{
    HttpConnection, HttpHeaders, HttpServerRequest, ResponseStartLine, reason_or_unknown,
};
use crate::util::log_target::APP_LOG;

/// What a [`FallbackHandler`] hands its requests to: the whole request
/// (body read, arguments parsed) and the write side of its response.
pub trait Fallback: Send + Sync + 'static {
    /// Answers `request` through `writer`.
    fn serve(&self, request: HttpServerRequest, writer: ResponseWriter) -> BoxFuture<'static, ()>;
}

impl<F, Fut> Fallback for F
where
    F: Fn(HttpServerRequest, ResponseWriter) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    fn serve(&self, request: HttpServerRequest, writer: ResponseWriter) -> BoxFuture<'static, ()> {
        Box::pin(self(request, writer))
    }
}

/// Hands every request to a [`Fallback`] (Tornado's `FallbackHandler`,
/// which mounts a WSGI application): a request callback, or a
/// `tower::Service` wrapped in [`TowerService`], so that an axum or tower
/// application answers under a supercell route.
///
/// ```
/// use supercell::http1::ResponseWriter;
/// use supercell::httputil::{HttpHeaders, HttpServerRequest};
/// use supercell::web::{FallbackHandler, url};
///
/// let legacy = FallbackHandler::new(|request: HttpServerRequest, mut writer: ResponseWriter| async move {
///     let body = format!("legacy answer for {}", request.path());
///     let _ = writer.respond(200, HttpHeaders::new(), body).await;
/// });
/// let route = url("/legacy/.*", move || legacy.clone());
/// # let _ = route;
/// ```
#[derive(Clone)]
pub struct FallbackHandler {
    fallback: Arc<dyn Fallback>,
}

impl FallbackHandler {
    /// A handler handing its requests to `fallback`.
    pub fn new(fallback: impl Fallback) -> FallbackHandler {
        FallbackHandler {
            fallback: Arc::new(fallback),
        }
    }
}

impl fmt::Debug for FallbackHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FallbackHandler")
    }
}

impl RequestHandler for FallbackHandler {
    const SUPPORTED_METHODS: &'static [&'static str] = &[
        "GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS", "CONNECT", "TRACE",
    ];

    async fn prepare(&mut self, cx: &mut Context) -> WebResult {
        if let Some((request, writer)) = cx.detach() {
            self.fallback.serve(request, writer).await;
        }
        Ok(())
    }
}

/// A `tower::Service` taking `http::Request`s, as a [`Fallback`]: the
/// request goes to the service with its body whole (`Full<Bytes>`), and
/// the service's response is written back, its body streamed frame by
/// frame. A service error is answered `500` and logged.
#[derive(Clone)]
pub struct TowerService<S> {
    service: S,
}

impl<S> TowerService<S> {
    /// A fallback calling `service` (cloned per request, as tower
    /// services are).
    pub fn new(service: S) -> TowerService<S> {
        TowerService { service }
    }
}

impl<S> fmt::Debug for TowerService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TowerService")
    }
}

/// The `http::Request` a tower service gets for `request`.
fn to_http_request(request: &HttpServerRequest) -> Result<http::Request<Full<Bytes>>, http::Error> {
    let mut builder = http::Request::builder()
        .method(request.method.clone())
        .uri(request.uri.as_str())
        .version(request.version);
    for (name, value) in request.headers.get_all() {
        builder = builder.header(name, value);
    }
    builder.body(Full::new(request.body.clone()))
}

/// Writes a tower service's `response` through `writer`.
async fn write_response<B>(
    writer: &mut ResponseWriter,
    response: http::Response<B>,
) -> Result<(), String>
where
    B: Body<Data = Bytes> + Send,
    B::Error: fmt::Display + Send,
{
    let (parts, body) = response.into_parts();
    let code = parts.status.as_u16();
    let start_line = ResponseStartLine {
        version: http::Version::HTTP_11,
        code,
        reason: reason_or_unknown(code).into(),
    };
    let headers = HttpHeaders::from(&parts.headers);
    writer
        .write_headers(start_line, &headers, None)
        .await
        .map_err(|error| error.to_string())?;
    let mut body = std::pin::pin!(body);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| error.to_string())?;
        if let Ok(data) = frame.into_data()
            && !data.is_empty()
        {
            writer
                .write(data)
                .await
                .map_err(|error| error.to_string())?;
        }
    }
    writer.finish().await.map_err(|error| error.to_string())
}

impl<S, B> Fallback for TowerService<S>
where
    S: Service<http::Request<Full<Bytes>>, Response = http::Response<B>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
    S::Error: fmt::Display + Send,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: fmt::Display + Send,
{
    fn serve(
        &self,
        request: HttpServerRequest,
        mut writer: ResponseWriter,
    ) -> BoxFuture<'static, ()> {
        let mut service = self.service.clone();
        Box::pin(async move {
            let outcome = async {
                let http_request = to_http_request(&request).map_err(|error| error.to_string())?;
                std::future::poll_fn(|cx| service.poll_ready(cx))
                    .await
                    .map_err(|error| error.to_string())?;
                let response = service
                    .call(http_request)
                    .await
                    .map_err(|error| error.to_string())?;
                write_response(&mut writer, response).await
            };
            if let Err(why) = outcome.await {
                tracing::error!(target: APP_LOG, "Uncaught exception in a tower service for {request}: {why}");
                let _ = writer.respond(500, HttpHeaders::new(), Bytes::new()).await;
            }
        })
    }
}
