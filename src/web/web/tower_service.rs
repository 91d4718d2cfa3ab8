//! An [`Application`] as a `tower::Service`: mounted in a tower stack or
//! an axum router, it answers `http::Request`s as it answers connections.

use std::fmt;
use std::io;
use std::task::{Context as TaskContext, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::future::BoxFuture;
use http::header::{CONNECTION, CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use http_body::Body;
use http_body_util::{BodyExt, Full};
use tokio::net::UnixStream;
use tower_service::Service;

use super::Application;
use crate::http1::codec::{
    BodyDecoder, DEFAULT_MAX_HEADER_SIZE, Decoded, parse_response_head_shared,
};
use crate::http1::{Http1ConnectionParameters, Http1ServerConnection};
use crate::httputil::RequestContext;
use crate::iostream::IoStream;
use crate::netutil::PeerAddress;

/// Why the application could not answer a request given as a service.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request's body could not be read.
    #[error("the request body could not be read: {0}")]
    RequestBody(String),
    /// The in-memory connection failed.
    #[error("the in-memory connection failed: {0}")]
    Io(#[from] io::Error),
    /// The application's answer could not be read back.
    #[error("the response could not be read: {0}")]
    Response(String),
}

/// Headers that describe one connection, not the message: never copied
/// from one connection to another.
fn hop_by_hop(name: &http::HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection" | "keep-alive" | "transfer-encoding" | "te" | "upgrade" | "content-length"
    )
}

/// The HTTP/1.1 head of `parts` with a body of `length` bytes, the
/// connection closed after it.
fn request_head(parts: &http::request::Parts, length: usize) -> Vec<u8> {
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |target| target.as_str());
    let mut head = format!("{} {target} HTTP/1.1\r\n", parts.method).into_bytes();
    let mut field = |name: &[u8], value: &[u8]| {
        head.extend_from_slice(name);
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    };
    if !parts.headers.contains_key(HOST) {
        let host = parts
            .uri
            .authority()
            .map_or("localhost", |authority| authority.as_str());
        field(b"host", host.as_bytes());
    }
    for (name, value) in &parts.headers {
        if !hop_by_hop(name) {
            field(name.as_str().as_bytes(), value.as_bytes());
        }
    }
    field(b"content-length", length.to_string().as_bytes());
    field(b"connection", b"close");
    head.extend_from_slice(b"\r\n");
    head
}

/// The `http::Response` in `raw`, a whole HTTP/1.1 response to a request
/// with `method`.
fn read_response(
    raw: &Bytes,
    method: &http::Method,
) -> Result<http::Response<Full<Bytes>>, ServiceError> {
    let bad = |why: String| ServiceError::Response(why);
    let (head, used) = parse_response_head_shared(raw, DEFAULT_MAX_HEADER_SIZE, method)
        .map_err(|error| bad(error.to_string()))?
        .ok_or_else(|| bad("the connection closed before a response".to_owned()))?;
    let mut rest = BytesMut::from(&raw[used..]);
    let mut decoder = BodyDecoder::new(head.body, u64::MAX);
    let mut body = BytesMut::new();
    loop {
        let decoded = match decoder
            .decode(&mut rest)
            .map_err(|error| bad(error.to_string()))?
        {
            Decoded::NeedMore => decoder
                .decode_eof()
                .map_err(|error| bad(error.to_string()))?,
            decoded => decoded,
        };
        match decoded {
            Decoded::Data(data) => body.extend_from_slice(&data),
            _ => break,
        }
    }
    let mut response = http::Response::builder().status(head.start_line.code);
    for (name, value) in head.headers.get_all() {
        if name != CONNECTION && name != TRANSFER_ENCODING && name != CONTENT_LENGTH {
            response = response.header(name, value);
        }
    }
    response
        .body(Full::new(body.freeze()))
        .map_err(|error| bad(error.to_string()))
}

/// Answers `request` through `app` over an in-memory connection: the
/// request is written to one end of a Unix socket pair as HTTP/1.1, the
/// application serves the other end as any connection, and the response
/// is read back whole.
async fn answer<B>(
    app: Application,
    request: http::Request<B>,
) -> Result<http::Response<Full<Bytes>>, ServiceError>
where
    B: Body<Data = Bytes>,
    B::Error: fmt::Display,
{
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|error| ServiceError::RequestBody(error.to_string()))?
        .to_bytes();
    let head = request_head(&parts, body.len());
    let (server, client) = UnixStream::pair()?;
    let context = RequestContext {
        peer: PeerAddress::Unix,
        remote_ip: String::new(),
        protocol: parts.uri.scheme_str().unwrap_or("http").to_owned(),
    };
    let connection = Http1ServerConnection::new(
        IoStream::from_unix(server),
        Http1ConnectionParameters::default(),
        context,
    );
    let client = IoStream::from_unix(client);
    let exchange = async {
        client.write(head).await?;
        client.write(body).await?;
        client.read_until_close().await
    };
    let ((), raw) = tokio::join!(connection.serve(&app), exchange);
    let raw = raw.map_err(|error| ServiceError::Io(io::Error::other(error.to_string())))?;
    read_response(&raw, &parts.method)
}

/// An application is a `tower::Service` of `http::Request`s with any body
/// (read whole first), answering `http::Response<Full<Bytes>>`: each call
/// runs the request through the application exactly as a connection
/// would (routing, handlers, transforms, limits), over an in-memory
/// connection, and returns the response whole.
///
/// ```
/// use bytes::Bytes;
/// use http_body_util::{BodyExt, Full};
/// use supercell::web::{Application, Context, RequestHandler, Settings, WebResult, url};
/// use tower_service::Service;
///
/// struct Hello;
///
/// impl RequestHandler for Hello {
///     async fn get(&mut self, cx: &mut Context) -> WebResult {
///         cx.write("hello from a service")
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut app = Application::new(vec![url("/", || Hello)], Settings::default())?;
/// let request = http::Request::get("/").body(Full::new(Bytes::new()))?;
/// let response = app.call(request).await?;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.into_body().collect().await?.to_bytes(), "hello from a service");
/// # Ok(())
/// # }
/// ```
impl<B> Service<http::Request<B>> for Application
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: fmt::Display,
{
    type Response = http::Response<Full<Bytes>>;
    type Error = ServiceError;
    type Future = BoxFuture<'static, Result<Self::Response, ServiceError>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), ServiceError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        Box::pin(answer(self.clone(), request))
    }
}
