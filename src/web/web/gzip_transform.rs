//! [`GzipTransform`]: gzip compression of responses between the handler's
//! output and the connection (Tornado's `GZipContentEncoding`, applied
//! when the `compress_response` setting is on).

use std::io::Write;

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;

use super::OutputTransform;
use crate::httputil::{HttpHeaders, HttpServerRequest};

/// Responses shorter than this, finished in one go, are not compressed.
pub(super) const MIN_LENGTH: usize = 1024;

/// Tornado's compression level.
const LEVEL: u32 = 6;

/// Whether a response of `media_type` is worth compressing: text, and
/// the textual application types.
fn compressible(media_type: &str) -> bool {
    media_type.starts_with("text/")
        || matches!(
            media_type,
            "application/javascript"
                | "application/x-javascript"
                | "application/xml"
                | "application/atom+xml"
                | "application/json"
                | "application/xhtml+xml"
                | "image/svg+xml"
        )
}

/// Compresses one response when the client accepts gzip and the
/// response is worth it (Tornado's `GZipContentEncoding`). On with the
/// `compress_response` setting; also usable as a transform of its own:
///
/// ```
/// use std::sync::Arc;
/// use supercell::web::{Application, GzipTransform, Settings};
///
/// let mut app = Application::new(vec![], Settings::default()).unwrap();
/// app.add_transform(Arc::new(|request| Box::new(GzipTransform::for_request(request))))
///     .unwrap();
/// ```
pub struct GzipTransform {
    /// The client accepts gzip (and, after the first chunk, the response
    /// is being compressed).
    gzipping: bool,
    encoder: Option<GzEncoder<Vec<u8>>>,
}

impl GzipTransform {
    /// The transform for `request`: it compresses when the request's
    /// `Accept-Encoding` names gzip.
    pub fn for_request(request: &HttpServerRequest) -> GzipTransform {
        let accept_encoding = request.headers.get("Accept-Encoding");
        GzipTransform {
            gzipping: accept_encoding.is_some_and(|value| value.contains("gzip")),
            encoder: None,
        }
    }
}

impl OutputTransform for GzipTransform {
    /// Transforms the first piece of the body, and the headers with it:
    /// `Vary: Accept-Encoding` always; `Content-Encoding: gzip` (and a
    /// `Content-Length` corrected, or removed while the body streams) when
    /// compressing.
    fn transform_first_chunk(
        &mut self,
        _status: &mut u16,
        headers: &mut HttpHeaders,
        chunk: Bytes,
        finishing: bool,
    ) -> Bytes {
        let vary = headers.get_list("Vary").join(", ");
        let vary = if vary.is_empty() {
            "Accept-Encoding".to_owned()
        } else {
            format!("{vary}, Accept-Encoding")
        };
        let _ = headers.set("Vary", &vary);
        if self.gzipping {
            let media_type = headers
                .get("Content-Type")
                .unwrap_or("")
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            // A part of a body (a `206`'s `Content-Range`) is never
            // compressed: its offsets count the body's own bytes.
            self.gzipping = compressible(&media_type)
                && (!finishing || chunk.len() >= MIN_LENGTH)
                && !headers.contains("Content-Encoding")
                && !headers.contains("Content-Range");
        }
        if !self.gzipping {
            return chunk;
        }
        let _ = headers.set("Content-Encoding", "gzip");
        self.encoder = Some(GzEncoder::new(Vec::new(), Compression::new(LEVEL)));
        let chunk = self.transform_chunk(chunk, finishing);
        if headers.contains("Content-Length") {
            if finishing {
                let _ = headers.set("Content-Length", &chunk.len().to_string());
            } else {
                headers.remove("Content-Length");
            }
        }
        chunk
    }

    /// Transforms a later piece of the body (the last when `finishing`).
    fn transform_chunk(&mut self, chunk: Bytes, finishing: bool) -> Bytes {
        let Some(encoder) = self.encoder.as_mut() else {
            return chunk;
        };
        // Writing to a `Vec` cannot fail.
        let _ = encoder.write_all(&chunk);
        if finishing {
            let encoder = self.encoder.take().map(GzEncoder::finish);
            return Bytes::from(encoder.and_then(Result::ok).unwrap_or_default());
        }
        let _ = encoder.flush();
        Bytes::from(std::mem::take(encoder.get_mut()))
    }
}
