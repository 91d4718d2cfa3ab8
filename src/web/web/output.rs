//! The response side of [`Context`]: status, headers, body, flushing and
//! finishing (Tornado's `RequestHandler` output methods).

use std::fmt::Write as _;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method};
use serde::Serialize;

use super::context::Extras;
use super::error::usage;
use super::held_headers::{HeldHeaders, KnownType};
use super::{Context, ETag, HeaderText, WebError, WebResult};
use crate::http1::Sent;
use crate::http1::codec::WriteBuffer;
use crate::httputil::{
    HttpConnection, HttpHeaders, HttpOutputError, ResponseStartLine, common_value, is_content_type,
    parse_name,
};

/// Headers removed from a response that may not have a body (1xx, 204,
/// 304): those describing a body (Tornado's `_clear_headers_for_304`).
const ENTITY_HEADERS: &[&str] = &[
    "Allow",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-MD5",
    "Content-Range",
    "Content-Type",
    "Last-Modified",
];

/// The error for a response written to after its writer went.
#[cold]
#[inline(never)]
fn finished_already() -> WebError {
    usage("the response is finished")
}

/// Whether a response with `status` may have a body.
fn body_allowed(status: u16) -> bool {
    !((100..200).contains(&status) || status == 204 || status == 304)
}

/// Checks a header value as Tornado does: no control characters (CR and
/// LF included: no header injection).
fn check_value(name: &str, text: &str) -> WebResult {
    if text.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(usage(format!("unsafe value for header {name}: {text:?}")));
    }
    Ok(())
}

/// Where [`Context::start_finish`] left a response.
pub(super) enum Finishing {
    /// It went out whole; what tells when it is sent.
    Whole(Sent),
    /// It goes out streamed (its head is written already, or it has a
    /// reason phrase of its own): this last piece is still to send.
    Last(Bytes),
}

/// [`Context::finish`] on the context `$cx` (a `&mut Context`): a
/// [`WebResult`] expression, awaiting inside the `async` code it is
/// written in, so that the request's own state machine can finish a
/// response without one of its own.
macro_rules! finish {
    ($cx:expr) => {{
        let cx: &mut Context = $cx;
        match cx.start_finish() {
            Ok(Finishing::Whole(sent)) => {
                let sent = sent.await;
                cx.finished_whole(sent)
            }
            // Boxed: the whole-response path, the usual one, keeps its
            // future small without it.
            Ok(Finishing::Last(chunk)) => {
                crate::util::cold_path();
                cx.boxed_send_last(chunk).await
            }
            Err(error) => {
                crate::util::cold_path();
                Err(error)
            }
        }
    }};
}
pub(super) use finish;

impl Context {
    /// Resets the status, headers and output written so far (Tornado's
    /// `clear`; the handler's `set_default_headers` is not run again).
    pub fn clear(&mut self) {
        self.headers = HttpHeaders::new();
        self.held = HeldHeaders::DEFAULTS;
        self.buffer.clear();
        self.status = 200;
        self.set_custom_reason(None);
    }

    /// Sets the status, with its standard reason phrase (`Unknown` for a
    /// code without one). Any code from 100 to 999 is accepted.
    pub fn set_status(&mut self, status: u16) -> WebResult {
        if !(100..=999).contains(&status) {
            return Err(usage(format!("invalid status code {status}")));
        }
        self.status = status;
        self.set_custom_reason(None);
        Ok(())
    }

    /// Sets the status with its reason phrase.
    pub fn set_status_reason(&mut self, status: u16, reason: impl Into<String>) -> WebResult {
        self.set_status(status)?;
        let reason: String = reason.into();
        check_value("reason", &reason)?;
        self.set_custom_reason(Some(reason));
        Ok(())
    }

    /// The status.
    pub fn get_status(&self) -> u16 {
        self.status
    }

    /// The response headers so far, the default ones (`Server`,
    /// `Content-Type`) included unless set or cleared: a copy.
    pub fn response_headers(&self) -> HttpHeaders {
        let mut headers = self.headers.clone();
        self.held.clone().put_into(&mut headers);
        headers
    }

    /// Puts the headers held out of the list into it, for what reads or
    /// writes the list as a whole (transforms, a streamed head).
    fn put_held(&mut self) {
        self.held.put_into(&mut self.headers);
    }

    /// Sets header `name` to `value`, replacing any earlier value. Fails
    /// for an invalid name or a value with a control character.
    pub fn set_header(&mut self, name: &str, value: impl HeaderText) -> WebResult {
        let text = value.header_text();
        // The usual call, a common `Content-Type`, is done here; any
        // other in a call of its own.
        if is_content_type(name)
            && let Some(known) = KnownType::of(&text)
        {
            self.clear_listed_content_type();
            self.held.set_known_type(known);
            return Ok(());
        }
        self.set_header_value(name, &text)
    }

    /// [`set_header`](Self::set_header) of `text`, other than a common
    /// `Content-Type`.
    #[inline(never)]
    fn set_header_value(&mut self, name: &str, text: &str) -> WebResult {
        // A common value is a constant known to be valid: no check.
        let value = match common_value(text) {
            Some(value) => value,
            None => {
                check_value(name, text)?;
                HeaderValue::from_str(text)?
            }
        };
        if is_content_type(name) {
            self.clear_listed_content_type();
            self.held.set_content_type(value);
            return Ok(());
        }
        let name = parse_name(name)?;
        self.held.forget(&name);
        self.headers.insert(name, value);
        Ok(())
    }

    /// Removes a `Content-Type` from the header list, before one is held
    /// out of it.
    fn clear_listed_content_type(&mut self) {
        if !self.headers.is_empty() {
            self.headers.remove(CONTENT_TYPE.as_str());
        }
    }

    /// Adds a value for header `name`, keeping the earlier ones (for
    /// headers such as `Set-Cookie`).
    pub fn add_header(&mut self, name: &str, value: impl HeaderText) -> WebResult {
        let value = value.header_text();
        check_value(name, &value)?;
        let name = parse_name(name)?;
        // Added to the value set or the default, as in Tornado's list.
        self.held.put_one(&name, &mut self.headers);
        self.headers.append(name, HeaderValue::from_str(&value)?);
        Ok(())
    }

    /// Removes header `name` (undoing `set_header` and `add_header`, and
    /// removing a default header).
    pub fn clear_header(&mut self, name: &str) {
        self.held.forget_named(name);
        self.headers.remove(name);
    }

    /// Adds `chunk` to the output (Tornado's `write` of bytes or text).
    /// Nothing is sent until [`flush`](Self::flush) or
    /// [`finish`](Self::finish).
    pub fn write(&mut self, chunk: impl AsRef<[u8]>) -> WebResult {
        if self.finished {
            return Err(usage("Cannot write() after finish()"));
        }
        self.buffer.extend(chunk.as_ref());
        Ok(())
    }

    /// Adds `value` as JSON to the output and sets `Content-Type:
    /// application/json; charset=UTF-8` (Tornado's `write` of a dict).
    pub fn write_json<T: Serialize + ?Sized>(&mut self, value: &T) -> WebResult {
        if self.finished {
            return Err(usage("Cannot write() after finish()"));
        }
        let json = crate::escape::json_encode(value)?;
        self.set_header("Content-Type", "application/json; charset=UTF-8")?;
        self.buffer.extend(json.as_bytes());
        Ok(())
    }

    /// The output written and not yet flushed.
    pub fn pending_output(&self) -> &[u8] {
        self.buffer.as_slice()
    }

    /// The start line of the response.
    fn start_line(&self) -> ResponseStartLine {
        let reason = match self.custom_reason() {
            Some(reason) => reason.to_owned().into(),
            None => crate::httputil::reason_or_unknown(self.status).into(),
        };
        ResponseStartLine {
            version: http::Version::HTTP_11,
            code: self.status,
            reason,
        }
    }

    /// Sends what is written so far (the head first, the first time),
    /// waiting until the client's connection took it. The response then
    /// streams: chunked on HTTP/1.1 unless a `Content-Length` was set.
    pub async fn flush(&mut self) -> WebResult {
        if self.finished {
            return Err(usage("Cannot flush() after finish()"));
        }
        let chunk = self.buffer.split_bytes();
        self.send(chunk, false).await
    }

    /// Writes `chunk` to the connection, the head first if it is not
    /// written yet.
    async fn send(&mut self, chunk: Bytes, finishing: bool) -> WebResult {
        let mut chunk = chunk;
        if !self.headers_written {
            self.put_held();
        }
        for transform in Extras::transforms(&mut self.extras) {
            chunk = if self.headers_written {
                transform.transform_chunk(chunk, finishing)
            } else {
                transform.transform_first_chunk(
                    &mut self.status,
                    &mut self.headers,
                    chunk,
                    finishing,
                )
            };
        }
        if !self.headers_written {
            self.emit_cookies();
        }
        let start_line = (!self.headers_written).then(|| self.start_line());
        let Some(writer) = self.writer.as_mut() else {
            return Err(usage("the response is finished"));
        };
        if let Some(start_line) = start_line {
            self.headers_written = true;
            if !body_allowed(self.status) && !chunk.is_empty() {
                return Err(usage(format!("Cannot send body with {}", self.status)));
            }
            let chunk = (!chunk.is_empty()).then_some(chunk);
            writer
                .write_headers(start_line, &self.headers, chunk)
                .await?;
        } else if !chunk.is_empty() {
            writer.write(chunk).await?;
        }
        Ok(())
    }

    /// Finishes the response (Tornado's `finish`): sends the output, with
    /// `Content-Length` when nothing was flushed yet. A `200` response to
    /// `GET` or `HEAD` without an `ETag` gets one (see
    /// [`RequestHandler::compute_etag`](super::RequestHandler::compute_etag)),
    /// and becomes `304 Not Modified` without a body when the request's
    /// `If-None-Match` matches it. A 1xx, 204 or 304 response may have no
    /// body (an error), and loses the headers describing one.
    pub async fn finish(&mut self) -> WebResult {
        finish!(self)
    }

    /// What [`finish`](Self::finish) does before it waits: a response
    /// going out whole is written, and what it waits for is returned; a
    /// streamed one returns its last piece to send.
    ///
    /// The usual response (a `200` with a small body, no transform, no
    /// reason phrase of its own) runs through here alone; every other
    /// case is a call of its own, so that the code this runs for each
    /// request stays small.
    pub(super) fn start_finish(&mut self) -> WebResult<Finishing> {
        if self.finished || self.headers_written {
            return self.finish_late();
        }
        // The hash of the default `ETag` when the connection writes it
        // (the response goes out whole, as it is: no transform to show
        // its headers to, no reason phrase of its own).
        let mut etag_hash = None;
        if self.status == 200
            && matches!(self.request.method, Method::GET | Method::HEAD)
            && (self.headers.is_empty() || self.headers.get_value(&http::header::ETAG).is_none())
        {
            let matched = match self.computed_etag() {
                Some(ETag::Hash(hash)) if self.extras.is_none() => {
                    etag_hash = Some(hash);
                    self.if_none_match_accepts_hash(hash)
                }
                etag => self.set_computed_etag(etag),
            };
            if matched {
                self.not_modified();
            }
        }
        if !body_allowed(self.status) {
            self.strip_entity_headers()?;
        }
        if self.extras.is_some() || !WriteBuffer::copies(self.buffer.len()) {
            return self.finish_shared(etag_hash);
        }
        // A small body goes out copied from the context's output.
        self.respond_whole(etag_hash, None)
    }

    /// Writes the response whole, with the body `shared` or, when `None`,
    /// the context's output, copied (a pooled buffer it was in then goes
    /// back to the thread's pool).
    #[inline(always)]
    fn respond_whole(
        &mut self,
        etag_hash: Option<u64>,
        shared: Option<Bytes>,
    ) -> WebResult<Finishing> {
        self.emit_cookies();
        self.headers_written = true;
        self.finished = true;
        // The writer stays, done, until the context goes.
        let Some(writer) = self.writer.as_mut() else {
            return Err(finished_already());
        };
        // The headers stay in the context, as they were sent.
        let extra = self.held.extra(etag_hash);
        let sent = match shared {
            Some(body) => writer.respond_from(self.status, &self.headers, extra, body),
            None => {
                let body = self.buffer.as_slice();
                let sent = writer.respond_from(self.status, &self.headers, extra, body);
                self.buffer.recycle();
                sent
            }
        };
        Ok(Finishing::Whole(sent))
    }

    /// [`start_finish`](Self::start_finish) once the response is finished
    /// (an error) or its head is written (its last piece is to send).
    #[cold]
    #[inline(never)]
    fn finish_late(&mut self) -> WebResult<Finishing> {
        if self.finished {
            return Err(usage("finish() called twice"));
        }
        Ok(Finishing::Last(self.buffer.split_bytes()))
    }

    /// `set_etag_header`, knowing there is no `ETag` to replace, for a tag
    /// written as a header (or none); whether `If-None-Match` matches it.
    #[inline(never)]
    fn set_computed_etag(&mut self, etag: Option<ETag>) -> bool {
        match etag {
            Some(etag) => {
                self.headers
                    .append(http::header::ETAG, etag.to_header_value());
                self.check_etag_header()
            }
            None => false,
        }
    }

    /// Turns the response into `304 Not Modified`.
    #[cold]
    #[inline(never)]
    fn not_modified(&mut self) {
        self.buffer.clear();
        self.status = 304;
        self.set_custom_reason(None);
    }

    /// A response that may have no body: an error if it has one, and the
    /// headers describing a body removed.
    #[cold]
    #[inline(never)]
    fn strip_entity_headers(&mut self) -> WebResult {
        if !self.buffer.is_empty() {
            return Err(usage(format!("Cannot send body with {}", self.status)));
        }
        for name in ENTITY_HEADERS {
            self.held.forget_named(name);
            self.headers.remove(name);
        }
        Ok(())
    }

    /// [`start_finish`](Self::start_finish) for a response whose context
    /// has extras (a reason phrase of its own, transforms, cookies set) or
    /// whose body is too big to copy. A reason phrase of its own goes
    /// through the streaming path; a transformed or big body goes out as
    /// shared bytes; any other is copied as usual.
    #[inline(never)]
    fn finish_shared(&mut self, etag_hash: Option<u64>) -> WebResult<Finishing> {
        if self.custom_reason().is_some() {
            let body = self.buffer.take_bytes();
            // A reason phrase of its own needs the streaming path, with
            // the length it would have had.
            if body_allowed(self.status) && !self.headers.contains("Content-Length") {
                self.headers
                    .insert(http::header::CONTENT_LENGTH, body.len().into());
            }
            return Ok(Finishing::Last(body));
        }
        // Extras without transforms (cookies set, say): a small body is
        // copied from the context, as usual (`None`).
        let shared = if self.has_transforms() || !WriteBuffer::copies(self.buffer.len()) {
            Some(self.transformed_body())
        } else {
            None
        };
        self.respond_whole(etag_hash, shared)
    }

    /// The output as shared bytes, through the transforms when there are
    /// any.
    fn transformed_body(&mut self) -> Bytes {
        let mut body = self.buffer.take_bytes();
        if self.has_transforms() {
            self.put_held();
        }
        for transform in Extras::transforms(&mut self.extras) {
            body = transform.transform_first_chunk(&mut self.status, &mut self.headers, body, true);
        }
        body
    }

    /// [`finish`](Self::finish)'s end, once the response went out whole.
    #[inline(always)]
    pub(super) fn finished_whole(&mut self, sent: Result<(), HttpOutputError>) -> WebResult {
        self.log_unless_refused(&sent);
        sent.map_err(WebError::from)
    }

    /// Sends the last piece of a response that streams, and ends it:
    /// boxed, in a call of its own, so that the whole-response path, the
    /// usual one, keeps its future small and its code together.
    #[inline(never)]
    pub(super) fn boxed_send_last(&mut self, chunk: Bytes) -> BoxFuture<'_, WebResult> {
        Box::pin(async move {
            self.send(chunk, true).await?;
            self.end().await
        })
    }

    /// [`write`](Self::write)s `chunk`, then [`finish`](Self::finish)es.
    pub async fn finish_with(&mut self, chunk: impl AsRef<[u8]>) -> WebResult {
        self.write(chunk)?;
        self.finish().await
    }

    /// Ends a response whose head is written.
    async fn end(&mut self) -> WebResult {
        self.finished = true;
        let Some(mut writer) = self.writer.take() else {
            return Err(usage("the response is finished"));
        };
        let finished = writer.finish().await;
        self.log_unless_refused(&finished);
        finished.map_err(WebError::from)
    }

    /// Writes the access log line, unless the connection refused the
    /// response (its framing was wrong: the error is logged instead, as
    /// Tornado's). A response to a client that went away is logged.
    #[inline(always)]
    pub(super) fn log_unless_refused(&mut self, sent: &Result<(), HttpOutputError>) {
        if matches!(sent, Ok(()) | Err(HttpOutputError::Closed))
            && self.app.logs_access(self.status)
        {
            self.log_access();
        }
    }

    /// Writes the access log line.
    #[cold]
    fn log_access(&mut self) {
        self.request.mark_finished();
        self.app.log_request(self);
    }

    /// Redirects to `url` (relative or absolute) and finishes: status
    /// `301` when `permanent`, else `302`, unless `status` (300 to 399)
    /// is given.
    pub async fn redirect(&mut self, url: &str, permanent: bool, status: Option<u16>) -> WebResult {
        if self.headers_written {
            return Err(usage("Cannot redirect after headers have been written"));
        }
        let status = match status {
            Some(status) if (300..=399).contains(&status) => status,
            Some(status) => return Err(usage(format!("{status} is not a redirect status"))),
            None if permanent => 301,
            None => 302,
        };
        self.set_status(status)?;
        self.set_header("Location", url)?;
        self.finish().await
    }

    /// The page [`RequestHandler::write_error`](super::RequestHandler::write_error)
    /// writes by default: with `serve_traceback` on and an error, the
    /// error and its causes as plain text; otherwise an HTML page saying
    /// the status and reason.
    pub fn write_default_error_page(&mut self, status: u16, error: Option<&WebError>) -> WebResult {
        if let Some(error) = error.filter(|_| self.settings().serve_traceback()) {
            self.set_header("Content-Type", "text/plain")?;
            let mut text = format!("{error}\n");
            let mut source = error.inner().source();
            while let Some(cause) = source {
                let _ = writeln!(text, "caused by: {cause}");
                source = cause.source();
            }
            return self.write(text);
        }
        let reason = self.start_line().reason;
        let reason = crate::escape::xhtml_escape(&reason).into_owned();
        self.write(format!(
            "<html><title>{status}: {reason}</title><body>{status}: {reason}</body></html>"
        ))
    }
}
