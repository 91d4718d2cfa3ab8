//! [`ResponseWriter`]: the write side of one request, handed to the
//! message delegate.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use super::codec::{
    BodyPiece, DefaultFields, ExtraFields, RequestInfo, WriteBuffer, encode_response_head,
    encode_response_head_with,
};
use super::shared::{Begun, ConnShared, ConnState, Exchange, Phase, current};
use super::{date, error_response};
use crate::httputil::{
    HttpConnection, HttpHeaders, HttpOutputError, HttpServerRequest, RequestContext,
    RequestStartLine, ResponseStartLine, reason_or_unknown,
};
use crate::iostream::{IoStream, WriteFuture};
use crate::util::buffer_pool;
use crate::util::log_target::APP_LOG;

/// The write side of one request on an HTTP/1 server connection: the
/// [`HttpConnection`] a delegate answers through.
///
/// The connection frames what is written (see [`HttpConnection`]) and adds
/// a `Date` header when the response has none. While more requests are
/// already buffered on the connection (pipelining), writes are gathered
/// and leave together, in one write, when the connection next waits (or
/// once `chunk_size` bytes are gathered); otherwise each write goes out at
/// once, and its future resolves when it reached the kernel.
///
/// A writer dropped before [`finish`](HttpConnection::finish) finishes the
/// response itself: a started response is ended (when its
/// `Content-Length` was not all written, the connection closes after what
/// was written); when nothing was written, the request is answered
/// `500 Internal Server Error` and the omission logged on the application
/// log. So a callback may simply return after answering.
///
/// The body of a response to a `HEAD` request is dropped wherever it is
/// written (`respond`, `write_headers`, `write`); its head goes out as
/// given, `Content-Length` included.
///
/// [`respond`](Self::respond) writes when it is called, and its future
/// only reports; `write_headers`, `write` and `finish` are `async`
/// methods that write when first polled.
///
/// A response written before the request body is completely read says
/// `Connection: close`: the connection closes after it, without reading
/// the rest of the body.
pub struct ResponseWriter {
    pub(super) shared: Arc<ConnShared>,
    /// The request's own context, when it is not the connection's.
    context: Option<Arc<RequestContext>>,
    /// The request answered; installed as the current exchange by the
    /// writer's first lock unless the driver did so first.
    pub(super) begun: Begun,
    /// When the input carrying the request arrived.
    received: Instant,
    /// `finish` succeeded (or failed for good): nothing for `Drop` to do.
    done: bool,
}

impl std::fmt::Debug for ResponseWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseWriter")
            .field("context", self.context())
            .field("request", &self.begun.generation)
            .finish_non_exhaustive()
    }
}

/// Whether a response with `code` may have a body.
fn body_allowed(code: u16) -> bool {
    !((100..200).contains(&code) || code == 204 || code == 304)
}

/// An interim (1xx) response, after which the final one follows; 101
/// (switching protocols) is final.
fn is_interim(code: u16) -> bool {
    (100..200).contains(&code) && code != 101
}

impl ResponseWriter {
    pub(super) fn new(
        shared: Arc<ConnShared>,
        context: Option<Arc<RequestContext>>,
        begun: Begun,
        received: Instant,
    ) -> ResponseWriter {
        ResponseWriter {
            shared,
            context,
            begun,
            received,
            done: false,
        }
    }

    /// When the server read the input carrying the request (for
    /// pipelined requests, the batch they came in).
    pub fn request_received(&self) -> Instant {
        self.received
    }

    /// The request this writer answers, from its start line, headers and
    /// `body`: with the request's context, its time counted from when its
    /// input arrived.
    pub fn server_request(
        &self,
        start_line: RequestStartLine,
        headers: HttpHeaders,
        body: Bytes,
    ) -> HttpServerRequest {
        let context = Arc::clone(self.context());
        HttpServerRequest::received_at(start_line, headers, body, context, self.received)
    }

    /// Writes a complete response in one go: the head (with
    /// `Content-Length` set from `body` unless `headers` has one, and
    /// `Date`), the body (left out for a `HEAD` request, as its
    /// `Content-Length` stays), and the end.
    ///
    /// Fails with [`HttpOutputError::BodyNotAllowed`] for a non-empty body
    /// on a 1xx, 204 or 304 response; with
    /// [`HttpOutputError::TooMuchData`] or
    /// [`HttpOutputError::TooLittleData`] when `body` does not match a
    /// `Content-Length` given in `headers` (nothing is sent and the
    /// connection closes); [`HttpOutputError::Misuse`] when
    /// something was written already, [`HttpOutputError::Closed`] when the
    /// connection is gone.
    ///
    /// The response is written when `respond` is called, not when the
    /// returned [`Sent`] is first polled: awaiting it only waits until the
    /// response reached the kernel (at once when it is gathered with the
    /// responses to pipelined requests), and carries any error.
    pub fn respond(&mut self, code: u16, headers: HttpHeaders, body: impl Into<Bytes>) -> Sent {
        Sent(self.write_response(code, &headers, ExtraFields::default(), body.into()))
    }

    /// [`respond`](Self::respond) with `extra` fields written straight
    /// into the head beside `headers`: constant lines (a `Server` field),
    /// a `Content-Type` and an `ETag` made from a hash, without a header
    /// entry for each.
    /// `headers` should not give the same fields.
    #[inline(always)]
    pub fn respond_with(
        &mut self,
        code: u16,
        headers: HttpHeaders,
        extra: ExtraFields<'_>,
        body: impl Into<Bytes>,
    ) -> Sent {
        Sent(self.write_response(code, &headers, extra, body.into()))
    }

    /// [`respond_with`](Self::respond_with) for headers the caller keeps,
    /// and a body that is either shared [`Bytes`] (sent as they are when
    /// big) or borrowed bytes, copied into the connection's output (a
    /// small body is copied there anyway), so that the caller may reuse
    /// its buffer.
    #[inline(always)]
    pub fn respond_from(
        &mut self,
        code: u16,
        headers: &HttpHeaders,
        extra: ExtraFields<'_>,
        body: impl BodyPiece,
    ) -> Sent {
        Sent(self.write_response(code, headers, extra, body))
    }

    /// [`respond`](Self::respond)'s work: the write that sends the
    /// response, when it is not left to the connection.
    pub(super) fn write_response(
        &mut self,
        code: u16,
        headers: &HttpHeaders,
        extra: ExtraFields<'_>,
        body: impl BodyPiece,
    ) -> Result<Option<WriteFuture>, HttpOutputError> {
        if is_interim(code) {
            crate::util::cold_path();
            return Err(HttpOutputError::Misuse(
                "respond writes final responses; use write_headers for 1xx",
            ));
        }
        if !body_allowed(code) && !body.is_empty() {
            crate::util::cold_path();
            return Err(HttpOutputError::BodyNotAllowed(code));
        }
        let start_line = ResponseStartLine {
            version: http::Version::HTTP_11,
            code,
            reason: Cow::Borrowed(reason_or_unknown(code)),
        };
        let body_len = body.len();
        let (flush, waker) = {
            let mut state = self.shared.lock_for(&self.begun);
            let state = &mut *state;
            let exchange = waiting_exchange(&mut state.exchange, self.begun.generation)?;
            let close = exchange.close || exchange.body_unread || state.draining;
            let request = &exchange.request;
            let shared = &*self.shared;
            let encode = |out: &mut WriteBuffer| {
                let defaults = DefaultFields {
                    date: Some(shared.date()),
                    content_length: Some(body.len() as u64),
                    extra,
                };
                encode_whole(&start_line, headers, defaults, body, request, close, out)
            };
            // A small response written out at once is formatted in the
            // thread's scratch buffer and written from there: only what
            // the socket does not take at once is kept.
            let write_now = self.shared.writes_through();
            let scratch = (write_now && state.out.is_empty() && WriteBuffer::copies(body_len))
                .then(buffer_pool::take_scratch)
                .flatten();
            let formatted_apart = scratch.is_some();
            let encoded = match scratch {
                Some(scratch) => {
                    write_through(scratch, &self.shared.stream, &mut state.out, encode)
                }
                None => encode(&mut state.out),
            };
            let must_close = match encoded {
                Ok(must_close) => must_close,
                Err(error) => {
                    crate::util::cold_path();
                    if let HttpOutputError::TooMuchData(_) | HttpOutputError::TooLittleData { .. } =
                        error
                    {
                        // As `step`: the connection closes rather than
                        // answer something other than what was asked.
                        exchange.close = true;
                        self.done = true;
                        self.shared.stream.close();
                    }
                    return Err(error);
                }
            };
            exchange.close |= must_close || close;
            exchange.phase = Phase::Finished;
            let close = exchange.close;
            self.done = true;
            // Whether `out` holds anything (or memory) of this response.
            let out_used = !formatted_apart || !state.out.is_empty();
            let flush = if write_now {
                state.flush(&self.shared.stream)
            } else {
                state.flush_unless_corked(&self.shared)
            };
            // All out at once, nothing gathered with it: the connection
            // holds no output buffer for its wait.
            let clean = write_now
                && state.out.is_empty()
                && flush.as_ref().is_none_or(WriteFuture::is_sent);
            if clean && out_used {
                state.out.release();
            }
            self.shared.publish_end(self.begun.generation, close, clean);
            (flush, state.take_waker())
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(flush)
    }

    /// Runs `step` on the current exchange and the output buffer under the
    /// lock, then writes out unless corked, and wakes the driver when the
    /// response is finished. A framing error closes the stream (as Tornado
    /// does), so nothing more goes out framed wrongly.
    fn step(
        &mut self,
        step: impl FnOnce(&mut Exchange, &mut WriteBuffer, bool) -> Result<(), HttpOutputError>,
    ) -> Result<Option<WriteFuture>, HttpOutputError> {
        let (result, waker) = {
            let mut state = self.shared.lock_for(&self.begun);
            let state: &mut ConnState = &mut state;
            let draining = state.draining;
            let Some(exchange) = current(&mut state.exchange, self.begun.generation) else {
                return Err(HttpOutputError::Misuse("the response is finished"));
            };
            let result = step(exchange, &mut state.out, draining);
            if let Err(HttpOutputError::TooMuchData(_) | HttpOutputError::TooLittleData { .. }) =
                &result
            {
                exchange.close = true;
                self.shared.stream.close();
            }
            let finished = matches!(exchange.phase, Phase::Finished);
            if finished {
                self.shared
                    .publish_end(self.begun.generation, exchange.close, false);
            }
            let result = result.map(|()| state.flush_unless_corked(&self.shared));
            (result, if finished { state.take_waker() } else { None })
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        result
    }

    /// Finishes what `Drop` finds unfinished: see the type's docs.
    fn finish_abandoned(&mut self) {
        let waker = {
            let mut state = self.shared.lock_for(&self.begun);
            let state = &mut *state;
            let draining = state.draining;
            let Some(exchange) = current(&mut state.exchange, self.begun.generation) else {
                return;
            };
            match std::mem::replace(&mut exchange.phase, Phase::Finished) {
                Phase::Finished => return,
                Phase::Waiting => {
                    tracing::error!(
                        target: APP_LOG,
                        "Request from {} ended without a response; answered 500",
                        self.context().remote_ip
                    );
                    // Dropped by a panic: the connection closes after it.
                    exchange.close |= draining || exchange.body_unread || std::thread::panicking();
                    self.shared
                        .publish_end(self.begun.generation, exchange.close, false);
                    let response =
                        error_response::internal_error(exchange.close, &exchange.request);
                    drop(state.write_raw(&self.shared.stream, response));
                }
                Phase::Streaming(mut encoder) => {
                    if encoder.finish(&mut state.out).is_err() {
                        exchange.close = true;
                    }
                    self.shared
                        .publish_end(self.begun.generation, exchange.close, false);
                }
            }
            state.take_waker()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Encodes a response with `encode` into `scratch` (the thread's scratch
/// buffer, given back after) and writes it to `stream` from there; what
/// the socket does not take at once goes to `out`, which is empty.
fn write_through(
    scratch: BytesMut,
    stream: &IoStream,
    out: &mut WriteBuffer,
    encode: impl FnOnce(&mut WriteBuffer) -> Result<bool, HttpOutputError>,
) -> Result<bool, HttpOutputError> {
    let mut formatted = WriteBuffer::over(scratch);
    let encoded = encode(&mut formatted);
    if encoded.is_ok() {
        out.write_through(&mut formatted, |now| stream.try_write(now).unwrap_or(0));
    }
    buffer_pool::return_scratch(formatted.into_staging());
    encoded
}

/// Encodes a whole response (head, with the `Date` of `shared`, and
/// `body`, left out for a `HEAD` request) into `out`; returns whether the
/// connection must close after it. Nothing of a response refused half-way
/// (a body that does not match its `Content-Length`) stays in `out`.
fn encode_whole(
    start_line: &ResponseStartLine,
    headers: &HttpHeaders,
    defaults: DefaultFields<'_>,
    body: impl BodyPiece,
    request: &RequestInfo,
    close: bool,
    out: &mut WriteBuffer,
) -> Result<bool, HttpOutputError> {
    let mark = out.mark();
    let (mut encoder, must_close) =
        encode_response_head_with(start_line, headers, defaults, request, close, out)?;
    let head = request.head_request;
    let len = if head { 0 } else { body.len() as u64 };
    if let Err(error) = encoder.check_whole_body(len) {
        out.rewind(mark);
        return Err(error);
    }
    if !head {
        encoder.encode(body, out)?;
    }
    encoder.finish(out)?;
    Ok(must_close)
}

/// The exchange `generation` if nothing of its response is written yet.
pub(super) fn waiting_exchange(
    exchange: &mut Option<Exchange>,
    generation: u64,
) -> Result<&mut Exchange, HttpOutputError> {
    match exchange {
        Some(exchange) if exchange.generation == generation => match exchange.phase {
            Phase::Waiting => Ok(exchange),
            _ => Err(HttpOutputError::Misuse(
                "the response head is already written",
            )),
        },
        _ => Err(HttpOutputError::Misuse("the response is finished")),
    }
}

/// The future [`ResponseWriter::respond`] returns: resolves once the
/// response written by the call reached the kernel (at once when it is
/// gathered with the responses to pipelined requests), with the error that
/// kept it from being written or sent.
#[derive(Debug)]
#[must_use = "the response is written; await this to learn whether it was sent"]
pub struct Sent(Result<Option<WriteFuture>, HttpOutputError>);

impl Future for Sent {
    type Output = Result<(), HttpOutputError>;

    /// A response gathered with others, the usual case, is sent at once;
    /// waiting for a write, or an error, is a call of its own.
    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            Ok(None) => Poll::Ready(Ok(())),
            sent => poll_unsent(sent, cx),
        }
    }
}

/// [`Sent`]'s poll when it waits for a write, or has failed.
#[inline(never)]
fn poll_unsent(
    sent: &mut Result<Option<WriteFuture>, HttpOutputError>,
    cx: &mut Context<'_>,
) -> Poll<Result<(), HttpOutputError>> {
    match sent {
        Ok(Some(write)) => Pin::new(write)
            .poll(cx)
            .map(|written| written.map_err(|_| HttpOutputError::Closed)),
        Ok(None) => Poll::Ready(Ok(())),
        Err(error) => Poll::Ready(Err(error.clone())),
    }
}

impl HttpConnection for ResponseWriter {
    fn context(&self) -> &Arc<RequestContext> {
        self.context.as_ref().unwrap_or(&self.shared.context)
    }

    async fn write_headers(
        &mut self,
        start_line: ResponseStartLine,
        headers: &HttpHeaders,
        chunk: Option<Bytes>,
    ) -> Result<(), HttpOutputError> {
        let interim = is_interim(start_line.code);
        let defaults = DefaultFields {
            date: (!interim).then(date::now),
            content_length: None,
            extra: ExtraFields::default(),
        };
        let flush = self.step(|exchange, out, draining| {
            if !matches!(exchange.phase, Phase::Waiting) {
                return Err(HttpOutputError::Misuse(
                    "the response head is already written",
                ));
            }
            if interim {
                if chunk.as_ref().is_some_and(|chunk| !chunk.is_empty()) {
                    return Err(HttpOutputError::BodyNotAllowed(start_line.code));
                }
                encode_response_head(&start_line, headers, &exchange.request, false, out)?;
                return Ok(());
            }
            let close = exchange.close || exchange.body_unread || draining;
            let (mut encoder, must_close) = encode_response_head_with(
                &start_line,
                headers,
                defaults,
                &exchange.request,
                close,
                out,
            )?;
            exchange.close |= must_close || close;
            // A body for HEAD is dropped by the encoder, as by `write`
            // and `respond`.
            let written = match chunk {
                Some(chunk) => encoder.encode(chunk, out),
                None => Ok(()),
            };
            exchange.phase = Phase::Streaming(encoder);
            written
        })?;
        Sent(Ok(flush)).await
    }

    async fn write(&mut self, chunk: Bytes) -> Result<(), HttpOutputError> {
        let flush = self.step(|exchange, out, _| match &mut exchange.phase {
            Phase::Streaming(encoder) => encoder.encode(chunk, out),
            Phase::Waiting => Err(HttpOutputError::Misuse("write before write_headers")),
            Phase::Finished => Err(HttpOutputError::Misuse("write after finish")),
        })?;
        Sent(Ok(flush)).await
    }

    async fn finish(&mut self) -> Result<(), HttpOutputError> {
        let result = self.step(|exchange, out, _| {
            match std::mem::replace(&mut exchange.phase, Phase::Finished) {
                Phase::Streaming(mut encoder) => encoder.finish(out),
                Phase::Waiting => {
                    exchange.phase = Phase::Waiting;
                    Err(HttpOutputError::Misuse("finish before write_headers"))
                }
                Phase::Finished => Err(HttpOutputError::Misuse("finish called twice")),
            }
        });
        match result {
            Err(HttpOutputError::Misuse(why)) => Err(HttpOutputError::Misuse(why)),
            Err(error) => {
                self.done = true;
                Err(error)
            }
            // Finished: the driver writes the response out when it next
            // waits, unless `step` did already.
            Ok(_) => {
                self.done = true;
                Ok(())
            }
        }
    }

    fn set_max_body_size(&mut self, bytes: u64) {
        if let Some(exchange) = self
            .shared
            .lock_for(&self.begun)
            .exchange(self.begun.generation)
        {
            exchange.max_body_size = Some(bytes);
        }
    }

    fn set_body_timeout(&mut self, timeout: Option<Duration>) {
        if let Some(exchange) = self
            .shared
            .lock_for(&self.begun)
            .exchange(self.begun.generation)
        {
            exchange.body_timeout = Some(timeout);
        }
    }
}

impl Drop for ResponseWriter {
    fn drop(&mut self) {
        if !self.done {
            self.finish_abandoned();
        }
    }
}
