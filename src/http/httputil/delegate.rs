//! The seam between an HTTP connection and the application (Tornado's
//! `HTTPServerConnectionDelegate`, `HTTPMessageDelegate` and
//! `HTTPConnection`).
//!
//! A connection asks its [`HttpServerConnectionDelegate`] for one
//! [`HttpMessageDelegate`] per request, handing it the write side of the
//! exchange (an [`HttpConnection`]). The connection then feeds the message
//! delegate the request head, the body chunk by chunk (each call awaited:
//! that is the backpressure) and the end; the delegate answers through the
//! [`HttpConnection`] whenever it is ready.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use super::{HttpHeaders, HttpOutputError, RequestStartLine, ResponseStartLine};
use crate::netutil::PeerAddress;

/// Who is on the other end of a request: the peer's address, and the
/// client's IP and scheme as the server sees them (with `xheaders` on, as
/// a trusted proxy reports them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestContext {
    /// The socket peer.
    pub peer: PeerAddress,
    /// The client's IP address (`0.0.0.0` style text; empty for a Unix
    /// socket peer).
    pub remote_ip: String,
    /// `http` or `https`.
    pub protocol: String,
}

/// The write side of one request/response exchange, held by the message
/// delegate (Tornado's `HTTPConnection`, server role).
///
/// Writes are framed by the connection: with a `Content-Length` the body
/// must match it, otherwise HTTP/1.1 responses are chunked and HTTP/1.0
/// ones close-delimited. 1xx, 204 and 304 responses carry no body and no
/// framing headers.
pub trait HttpConnection: Send + 'static {
    /// The request's peer, remote IP and protocol.
    fn context(&self) -> &Arc<RequestContext>;

    /// Writes the response head, and `chunk` as the first piece of body.
    fn write_headers(
        &mut self,
        start_line: ResponseStartLine,
        headers: &HttpHeaders,
        chunk: Option<Bytes>,
    ) -> impl Future<Output = Result<(), HttpOutputError>> + Send;

    /// Writes a piece of body; resolves once it reached the kernel, so a
    /// producer awaiting each write is paced by the client.
    fn write(&mut self, chunk: Bytes) -> impl Future<Output = Result<(), HttpOutputError>> + Send;

    /// Ends the response. Resolves once the response is handed to the
    /// connection, which sends it in order after earlier responses.
    fn finish(&mut self) -> impl Future<Output = Result<(), HttpOutputError>> + Send;

    /// Overrides `max_body_size` for this request's body (Tornado's
    /// `set_max_body_size`; used by streaming handlers).
    fn set_max_body_size(&mut self, bytes: u64);

    /// Overrides `body_timeout` for this request's body.
    fn set_body_timeout(&mut self, timeout: Option<Duration>);
}

/// Makes one [`HttpMessageDelegate`] per request on a connection (Tornado's
/// `HTTPServerConnectionDelegate`).
pub trait HttpServerConnectionDelegate<C: HttpConnection>: Send + Sync + 'static {
    /// The per-request delegate.
    type Message: HttpMessageDelegate;

    /// Called when a request head starts arriving; `connection` is the
    /// write side for its response.
    fn start_request(&self, connection: C) -> Self::Message;

    /// Whether this delegate answers a request that has no body in one
    /// call, [`request_without_body`](Self::request_without_body),
    /// instead of through a message delegate's `headers_received` and
    /// `finish` (as the HTTP server's request callback does). Default: no.
    fn answers_whole_requests(&self) -> bool {
        false
    }

    /// Answers a request that has no body in one call: called instead of
    /// `start_request` and the message calls when
    /// [`answers_whole_requests`](Self::answers_whole_requests) says so;
    /// the connection runs the returned call as it runs `finish`.
    /// Default: drops the request (the connection, dropped unanswered,
    /// answers `500`).
    fn request_without_body(
        &self,
        start_line: RequestStartLine,
        headers: HttpHeaders,
        connection: C,
    ) -> impl Future<Output = ()> + Send {
        drop((start_line, headers, connection));
        std::future::ready(())
    }

    /// Called once when a connection closes. Default: nothing.
    fn on_close(&self, peer: &PeerAddress) {
        let _ = peer;
    }
}

/// Receives one request (Tornado's `HTTPMessageDelegate`). Each call is
/// awaited before the connection reads on.
pub trait HttpMessageDelegate: Send + 'static {
    /// The request line and headers arrived.
    fn headers_received(
        &mut self,
        start_line: RequestStartLine,
        headers: HttpHeaders,
    ) -> impl Future<Output = ()> + Send;

    /// A piece of body arrived (already de-chunked and, with
    /// `decompress_request`, decompressed).
    fn data_received(&mut self, chunk: Bytes) -> impl Future<Output = ()> + Send {
        let _ = chunk;
        async {}
    }

    /// The whole request arrived.
    fn finish(&mut self) -> impl Future<Output = ()> + Send;

    /// The connection closed before the request (or its response) was
    /// complete, or the client ended its sending side while the response
    /// was pending (a half-close looks like a close until a write fails;
    /// a response still written goes out). Called at most once. Default:
    /// nothing.
    fn on_connection_close(&mut self) {}
}
