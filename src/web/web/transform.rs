//! [`OutputTransform`]: what changes a response between the handler's
//! output and the connection (Tornado's `OutputTransform`), and the
//! factories an [`Application`](super::Application) makes them with.

use std::sync::Arc;

use bytes::Bytes;

use crate::httputil::{HttpHeaders, HttpServerRequest};

/// Changes one response on its way out (Tornado's `OutputTransform`): its
/// status, headers and first piece of body as the head is sent, then each
/// later piece. The application's transforms run in order, gzip first
/// with `compress_response` on, then those of
/// [`Application::add_transform`](super::Application::add_transform).
/// Chunked encoding is the connection's own.
pub trait OutputTransform: Send + Sync {
    /// Transforms the head and the first piece of the body (the whole
    /// body when `finishing`).
    fn transform_first_chunk(
        &mut self,
        status: &mut u16,
        headers: &mut HttpHeaders,
        chunk: Bytes,
        finishing: bool,
    ) -> Bytes;

    /// Transforms a later piece of the body (the last when `finishing`).
    fn transform_chunk(&mut self, chunk: Bytes, finishing: bool) -> Bytes;
}

/// Makes a request's transform (Tornado's transform classes, constructed
/// with the request).
pub type TransformFactory =
    Arc<dyn Fn(&HttpServerRequest) -> Box<dyn OutputTransform> + Send + Sync>;
