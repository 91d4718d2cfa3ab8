//! [`Http1ServerConnection`]: the request loop of one server connection
//! (Tornado's `HTTP1ServerConnection` with the server side of
//! `HTTP1Connection`).

use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::time::{Instant, timeout_at};

use super::codec::{
    BodyDecoder, BodyLength, Decoded, ParseError, RequestHead, RequestHeadReader, RequestInfo,
    WriteBuffer,
};
use super::error_response::{CONTINUE, refusal};
use super::shared::{ConnShared, Exchange, Phase};
use super::{Http1ConnectionParameters, ResponseWriter, ServerConnectionHandle, date, linger};
use crate::httputil::{
    HttpHeaders, HttpMessageDelegate, HttpServerConnectionDelegate, RequestContext,
};
use crate::iostream::IoStream;
use crate::util::GzipDecompressor;
use crate::util::log_target::{APP_LOG, GEN_LOG};
use crate::util::panic_message;

/// The most bytes taken from the stream at once.
const READ_SIZE: usize = 64 * 1024;

/// Computes the context of one request from the connection's and the
/// request's headers; `None` keeps the connection's. The server's
/// `xheaders` setting is one (a trusted proxy names the client).
pub type RequestContextFn =
    Arc<dyn Fn(&RequestContext, &HttpHeaders) -> Option<RequestContext> + Send + Sync>;

/// One HTTP/1.x server connection: reads requests from an [`IoStream`]
/// and hands each to a message delegate made by an
/// [`HttpServerConnectionDelegate`], one request at a time, answering
/// pipelined requests in order.
///
/// Keep-alive follows the request (HTTP/1.1 unless `Connection: close`,
/// HTTP/1.0 only with `Connection: keep-alive`) and
/// [`Http1ConnectionParameters::no_keep_alive`]. Malformed requests and
/// requests over a limit are answered with the status of the
/// [`ParseError`] (`400`, `413`, `414`, `431`, `501`, `505`) and
/// `Connection: close`, never by a silent close. Whenever the server
/// closes, it closes lingeringly: it shuts its sending side, reads and
/// drops what the client still sends for a short bounded time, then
/// closes, so that no reset destroys the last response.
pub struct Http1ServerConnection {
    shared: Arc<ConnShared>,
    params: Http1ConnectionParameters,
    context: Arc<RequestContext>,
    context_fn: Option<RequestContextFn>,
}

impl std::fmt::Debug for Http1ServerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http1ServerConnection")
            .field("stream", &self.shared.stream)
            .field("params", &self.params)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

/// How a request cycle ended.
enum End {
    /// Ready for the next request.
    KeepAlive,
    /// The server closes after what it sent (lingering close).
    Linger,
    /// The peer is gone or too slow: close at once.
    Close,
}

/// Why no more input came.
enum Gone {
    TimedOut,
    Closed,
}

/// Why no request head came.
enum HeadError {
    Malformed(ParseError),
    Gone,
}

/// How reading a request body ended.
enum BodyEnd {
    Complete,
    /// The response finished first; the rest is not read.
    Answered,
    /// Refused with this status.
    Refused(u16, String),
    Gone,
    Interrupted(Interrupted),
}

/// Why a delegate call did not complete.
enum Interrupted {
    /// It panicked (logged already).
    Panicked,
    /// The connection was closed from outside (the call is dropped).
    Closed,
}

/// The limits of one request body, after the delegate's overrides.
struct BodyLimits {
    max_body_size: u64,
    body_timeout: Option<Duration>,
}

impl Http1ServerConnection {
    /// A connection serving `stream` with `params`; `context` names the
    /// peer and the protocol.
    pub fn new(
        stream: IoStream,
        mut params: Http1ConnectionParameters,
        context: RequestContext,
    ) -> Http1ServerConnection {
        // A body is handed over in pieces of at least one byte.
        params.chunk_size = params.chunk_size.max(1);
        Http1ServerConnection {
            shared: Arc::new(ConnShared::new(stream, params.chunk_size)),
            params,
            context: Arc::new(context),
            context_fn: None,
        }
    }

    /// Computes each request's context with `context_fn` (see
    /// [`RequestContextFn`]).
    pub fn with_request_context(mut self, context_fn: RequestContextFn) -> Http1ServerConnection {
        self.context_fn = Some(context_fn);
        self
    }

    /// A handle to close or drain the connection from outside.
    pub fn handle(&self) -> ServerConnectionHandle {
        ServerConnectionHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Starts serving in a task of its own (Tornado's `start_serving`);
    /// the task ends when the connection closes.
    pub fn start<D>(self, delegate: Arc<D>) -> tokio::task::JoinHandle<()>
    where
        D: HttpServerConnectionDelegate<ResponseWriter>,
    {
        tokio::spawn(async move { self.serve(&*delegate).await })
    }

    /// Serves requests until the connection closes, then calls the
    /// delegate's `on_close`.
    pub async fn serve<D>(self, delegate: &D)
    where
        D: HttpServerConnectionDelegate<ResponseWriter>,
    {
        let mut buf = BytesMut::new();
        let end = loop {
            let head = match self.read_head(&mut buf).await {
                Ok(head) => head,
                Err(HeadError::Malformed(error)) => {
                    tracing::info!(
                        target: GEN_LOG,
                        "Malformed HTTP request from {}: {error}",
                        self.context.peer
                    );
                    self.refuse(error.status(), None);
                    break End::Linger;
                }
                Err(HeadError::Gone) => break End::Close,
            };
            match self.exchange(delegate, head, &mut buf).await {
                End::KeepAlive => {}
                end => break end,
            }
        };
        drop(buf);
        let last_write = self.shared.uncork();
        match end {
            End::Linger => linger::close(&self.shared.stream, last_write).await,
            End::Close | End::KeepAlive => self.shared.stream.close(),
        }
        // A writer kept past the end sees its response finished.
        self.shared.lock().exchange = None;
        delegate.on_close(&self.context.peer);
    }

    /// Reads until a complete request head is buffered and parses it,
    /// within `header_timeout`. Between requests the buffer is released.
    async fn read_head(&self, buf: &mut BytesMut) -> Result<RequestHead, HeadError> {
        let max = self.params.max_header_size;
        // Known once the connection has to wait (not for a head that is
        // already buffered).
        let mut deadline = None;
        // Remembers how far the head was searched and checked, so that
        // a head trickling in is not looked at again from its start.
        let mut reader = RequestHeadReader::new();
        loop {
            if !buf.is_empty() {
                match reader.split(buf, max) {
                    Ok(Some(head)) => return Ok(head),
                    Ok(None) => {}
                    Err(error) => return Err(HeadError::Malformed(error)),
                }
            }
            let idle = buf.is_empty();
            if idle {
                *buf = BytesMut::new();
            }
            let deadline = *deadline
                .get_or_insert_with(|| self.params.header_timeout.map(|t| Instant::now() + t));
            let data = self
                .receive(deadline, idle)
                .await
                .map_err(|_| HeadError::Gone)?;
            append(buf, data);
        }
    }

    /// Waits (until `deadline`) for more input, after writing out what is
    /// gathered. `idle`: nothing of a request is buffered, so a draining
    /// connection ends here.
    async fn receive(&self, deadline: Option<Instant>, idle: bool) -> Result<Bytes, Gone> {
        let last_write = {
            let mut state = self.shared.lock();
            if idle && state.draining {
                return Err(Gone::Closed);
            }
            state.corked = false;
            let last_write = state.flush(&self.shared.stream);
            if idle {
                // An idle connection holds no output buffer either.
                state.out = WriteBuffer::new();
            }
            last_write
        };
        let stream = &self.shared.stream;
        let read = async {
            if let Some(write) = last_write {
                write.await.map_err(|_| Gone::Closed)?;
            }
            if idle {
                // Idle (closed at once by a drain) only once the last
                // response is out, so that a drain does not cut it short.
                let mut state = self.shared.lock();
                if state.draining {
                    return Err(Gone::Closed);
                }
                state.idle = true;
            }
            stream
                .read_bytes(READ_SIZE, true)
                .await
                .map_err(|_| Gone::Closed)
        };
        let result = match deadline {
            Some(deadline) => timeout_at(deadline, read)
                .await
                .unwrap_or(Err(Gone::TimedOut)),
            None => read.await,
        };
        let mut state = self.shared.lock();
        state.idle = false;
        state.corked = true;
        if result.is_ok() {
            state.date = date::now();
        }
        result
    }

    /// Answers with `status`: the request `generation` unless its
    /// response has started, or (`None`) a request that could not be
    /// parsed.
    fn refuse(&self, status: u16, generation: Option<u64>) {
        let mut state = self.shared.lock();
        if let Some(generation) = generation {
            match state.exchange(generation) {
                Some(exchange) if matches!(exchange.phase, Phase::Waiting) => {
                    exchange.phase = Phase::Finished;
                }
                _ => return,
            }
        }
        drop(state.write_raw(&self.shared.stream, refusal(status)));
    }

    /// How the connection ends after an interrupted delegate call: after
    /// a panic, what was written goes out (a writer dropped with nothing
    /// written answers 500) and the connection closes; after a close from
    /// outside, nothing more is sent.
    fn interrupted(&self, interrupted: Interrupted) -> End {
        match interrupted {
            Interrupted::Panicked => End::Linger,
            Interrupted::Closed => {
                self.abandon();
                End::Close
            }
        }
    }

    /// Gives up the current exchange as the connection closes under it:
    /// its writer then has nothing left to finish (no `500` goes out).
    fn abandon(&self) {
        self.shared.lock().exchange = None;
    }

    /// The context of a request with `headers`.
    fn request_context(&self, headers: &HttpHeaders) -> Arc<RequestContext> {
        match &self.context_fn {
            Some(context_fn) => match context_fn(&self.context, headers) {
                Some(context) => Arc::new(context),
                None => Arc::clone(&self.context),
            },
            None => Arc::clone(&self.context),
        }
    }

    /// Starts the exchange for a new request (`has_body`: with a body
    /// still to read); returns its number.
    fn begin(&self, request: RequestInfo, has_body: bool) -> u64 {
        let mut state = self.shared.lock();
        state.generation += 1;
        let generation = state.generation;
        state.exchange = Some(Exchange {
            generation,
            close: !request.keep_alive,
            body_unread: has_body,
            request,
            phase: Phase::Waiting,
            max_body_size: None,
            body_timeout: None,
        });
        generation
    }

    /// The body of request `generation` is completely read: its response
    /// may keep the connection open.
    fn body_read(&self, generation: u64) {
        if let Some(exchange) = self.shared.lock().exchange(generation) {
            exchange.body_unread = false;
        }
    }

    /// One request and its response.
    async fn exchange<D>(&self, delegate: &D, head: RequestHead, buf: &mut BytesMut) -> End
    where
        D: HttpServerConnectionDelegate<ResponseWriter>,
    {
        let RequestHead {
            start_line,
            mut headers,
            body,
            keep_alive,
            expect_continue,
        } = head;
        let context = self.request_context(&headers);
        let has_body = body != BodyLength::Empty;
        let generation = self.begin(
            RequestInfo {
                method: start_line.method.clone(),
                version: start_line.version,
                keep_alive: keep_alive && !self.params.no_keep_alive,
            },
            has_body,
        );
        let writer = ResponseWriter::new(Arc::clone(&self.shared), context, generation);
        let mut message = delegate.start_request(writer);
        let gzip = self.decompressor(&mut headers);
        if let Err(interrupted) = self
            .call(pin!(message.headers_received(start_line, headers)))
            .await
        {
            return self.interrupted(interrupted);
        }
        let (limits, answered) =
            self.after_headers(generation, expect_continue && has_body && buf.is_empty());
        let mut read_whole = true;
        if has_body && !answered {
            // Boxed: requests without a body, the most common, do not make
            // every connection's future (and so its idle memory) larger
            // by what reading a body takes.
            let read = Box::pin(self.read_body(&mut message, body, buf, generation, limits, gzip));
            match read.await {
                BodyEnd::Complete => self.body_read(generation),
                BodyEnd::Answered => read_whole = false,
                BodyEnd::Refused(status, why) => {
                    tracing::info!(
                        target: GEN_LOG,
                        "Malformed HTTP request from {}: {why}",
                        self.context.peer
                    );
                    message.on_connection_close();
                    self.refuse(status, Some(generation));
                    return End::Linger;
                }
                BodyEnd::Gone => {
                    self.abandon();
                    message.on_connection_close();
                    return End::Close;
                }
                BodyEnd::Interrupted(interrupted) => return self.interrupted(interrupted),
            }
        } else if answered {
            read_whole = !has_body;
        }
        // As Tornado: `finish` only while the response is not finished.
        if read_whole && !answered && (!has_body || self.finished(generation).is_none()) {
            if let Err(interrupted) = self.call(pin!(message.finish())).await {
                return self.interrupted(interrupted);
            }
        } else {
            message.on_connection_close();
        }
        let finished = match self.finished(generation) {
            Some(close) => Some(close),
            // Boxed for the same reason as the body: most responses are
            // finished by now.
            None => Box::pin(self.wait_response(generation, buf)).await,
        };
        match finished {
            Some(close) if close || !read_whole => End::Linger,
            Some(_) => End::KeepAlive,
            None => {
                self.abandon();
                message.on_connection_close();
                End::Close
            }
        }
    }

    /// With `decompress` on and a gzip-encoded body: renames the header
    /// (the delegate sees the decompressed body) and returns the
    /// decompressor.
    fn decompressor(&self, headers: &mut HttpHeaders) -> Option<Box<GzipDecompressor>> {
        if !self.params.decompress || headers.get("Content-Encoding") != Some("gzip") {
            return None;
        }
        headers.remove("Content-Encoding");
        headers.append(
            http::HeaderName::from_static("x-consumed-content-encoding"),
            http::HeaderValue::from_static("gzip"),
        );
        Some(Box::new(GzipDecompressor::new()))
    }

    /// After `headers_received`: the body limits with the delegate's
    /// overrides, whether the response is already finished, and the
    /// `100 Continue` when `expect_continue` and nothing is written yet.
    fn after_headers(&self, generation: u64, expect_continue: bool) -> (BodyLimits, bool) {
        let mut state = self.shared.lock();
        let state = &mut *state;
        let mut limits = BodyLimits {
            max_body_size: self.params.max_body_size,
            body_timeout: self.params.body_timeout,
        };
        let Some(exchange) = state.exchange(generation) else {
            return (limits, true);
        };
        limits.max_body_size = exchange.max_body_size.unwrap_or(limits.max_body_size);
        limits.body_timeout = exchange.body_timeout.unwrap_or(limits.body_timeout);
        let phase_waiting = matches!(exchange.phase, Phase::Waiting);
        let answered = matches!(exchange.phase, Phase::Finished);
        if expect_continue && phase_waiting {
            drop(state.write_raw(&self.shared.stream, Bytes::from_static(CONTINUE)));
        }
        (limits, answered)
    }

    /// Whether the response to `generation` is finished, and whether the
    /// connection closes after it; `None` while it is not.
    fn finished(&self, generation: u64) -> Option<bool> {
        let mut state = self.shared.lock();
        let draining = state.draining;
        match state.exchange(generation) {
            Some(exchange) => match exchange.phase {
                Phase::Finished => Some(exchange.close || draining),
                _ => None,
            },
            None => Some(true),
        }
    }

    /// Whether the response to `generation` is finished, and the body
    /// limit now in force.
    fn body_state(&self, generation: u64, max_body_size: u64) -> (bool, u64) {
        let mut state = self.shared.lock();
        match state.exchange(generation) {
            Some(exchange) => (
                matches!(exchange.phase, Phase::Finished),
                exchange.max_body_size.unwrap_or(max_body_size),
            ),
            None => (true, max_body_size),
        }
    }

    /// Feeds the body to `message`, in pieces of at most `chunk_size`
    /// (decompressed with `gzip`), each `data_received` awaited before
    /// more is read.
    async fn read_body<M: HttpMessageDelegate>(
        &self,
        message: &mut M,
        length: BodyLength,
        buf: &mut BytesMut,
        generation: u64,
        limits: BodyLimits,
        mut gzip: Option<Box<GzipDecompressor>>,
    ) -> BodyEnd {
        let mut max_body_size = limits.max_body_size;
        let mut decoder = BodyDecoder::new(length, max_body_size);
        let deadline = limits.body_timeout.map(|t| Instant::now() + t);
        let mut inflated: u64 = 0;
        loop {
            let mut data = match decoder.decode(buf) {
                Ok(Decoded::Data(data)) => data,
                Ok(Decoded::NeedMore) => {
                    let idle = self.params.idle_timeout.map(|t| Instant::now() + t);
                    match self.receive(earliest(deadline, idle), false).await {
                        Ok(data) => {
                            append(buf, data);
                            continue;
                        }
                        Err(Gone::TimedOut) => {
                            tracing::info!(
                                target: GEN_LOG,
                                "Timeout reading body from {}",
                                self.context.peer
                            );
                            return BodyEnd::Gone;
                        }
                        Err(Gone::Closed) => match decoder.decode_eof() {
                            Ok(Decoded::Finished) => break,
                            _ => return BodyEnd::Gone,
                        },
                    }
                }
                Ok(Decoded::Finished) => break,
                Err(error) => return BodyEnd::Refused(error.status(), error.to_string()),
            };
            while !data.is_empty() {
                let piece = data.split_to(data.len().min(self.params.chunk_size));
                let (answered, max) = self.body_state(generation, max_body_size);
                if answered {
                    return BodyEnd::Answered;
                }
                if max != max_body_size {
                    max_body_size = max;
                    decoder.set_max_body_size(max);
                }
                let delivered = match &mut gzip {
                    None => self
                        .call(pin!(message.data_received(piece)))
                        .await
                        .map_err(BodyEnd::Interrupted),
                    Some(gzip) => {
                        self.inflate(message, gzip, &piece, &mut inflated, max_body_size)
                            .await
                    }
                };
                if let Err(end) = delivered {
                    return end;
                }
            }
        }
        if let Some(mut gzip) = gzip {
            match gzip.flush() {
                Ok(tail) if tail.is_empty() => {}
                Ok(tail) => {
                    if let Err(interrupted) = self
                        .call(pin!(message.data_received(Bytes::from(tail))))
                        .await
                    {
                        return BodyEnd::Interrupted(interrupted);
                    }
                }
                Err(error) => return BodyEnd::Refused(400, format!("gzip body: {error}")),
            }
        }
        BodyEnd::Complete
    }

    /// Decompresses `compressed` and delivers it in pieces of at most
    /// `chunk_size`, counting the total against `max_body_size`.
    async fn inflate<M: HttpMessageDelegate>(
        &self,
        message: &mut M,
        gzip: &mut GzipDecompressor,
        compressed: &[u8],
        inflated: &mut u64,
        max_body_size: u64,
    ) -> Result<(), BodyEnd> {
        let mut input = std::borrow::Cow::Borrowed(compressed);
        loop {
            let output = gzip
                .decompress(&input, self.params.chunk_size)
                .map_err(|error| BodyEnd::Refused(400, format!("gzip body: {error}")))?;
            *inflated += output.len() as u64;
            if *inflated > max_body_size {
                return Err(BodyEnd::Refused(
                    413,
                    format!("decompressed body larger than {max_body_size} bytes"),
                ));
            }
            if !output.is_empty() {
                self.call(pin!(message.data_received(Bytes::from(output))))
                    .await
                    .map_err(BodyEnd::Interrupted)?;
            }
            let tail = gzip.take_unconsumed_tail();
            if tail.is_empty() {
                return Ok(());
            }
            input = std::borrow::Cow::Owned(tail);
        }
    }

    /// Waits for the response to `generation` to be finished, writing out
    /// what is gathered meanwhile and watching the peer: `None` when the
    /// connection closed first. Input that arrives meanwhile (the next
    /// pipelined request) is buffered.
    async fn wait_response(&self, generation: u64, buf: &mut BytesMut) -> Option<bool> {
        let mut finished = pin!(poll_fn(|cx| {
            let mut state = self.shared.lock();
            let draining = state.draining;
            let close = match state.exchange(generation) {
                Some(exchange) => match exchange.phase {
                    Phase::Finished => Some(exchange.close || draining),
                    _ => None,
                },
                None => Some(true),
            };
            if let Some(close) = close {
                state.corked = true;
                return Poll::Ready(Some(close));
            }
            if self.shared.stream.closed() {
                return Poll::Ready(None);
            }
            state.waker = Some(cx.waker().clone());
            state.corked = false;
            drop(state.flush(&self.shared.stream));
            Poll::Pending
        }));
        let stream = &self.shared.stream;
        while buf.len() < READ_SIZE {
            tokio::select! {
                biased;
                close = &mut finished => return close,
                read = stream.read_bytes(READ_SIZE, true) => match read {
                    Ok(data) => append(buf, data),
                    Err(_) => return None,
                },
            }
        }
        finished.await
    }

    /// Runs a delegate call: output its synchronous part writes is
    /// gathered (corked); whenever it waits, what is gathered goes out. A
    /// panic is caught and logged on the application log; a close from
    /// outside ([`ServerConnectionHandle::close`]) drops the call.
    /// The caller pins the call's future in its own state, so that it is
    /// not held twice.
    async fn call<F: Future>(&self, mut future: Pin<&mut F>) -> Result<F::Output, Interrupted> {
        let mut waited = false;
        poll_fn(|cx| {
            if waited {
                self.shared.cork();
                waited = false;
            }
            if self.shared.closing() {
                return Poll::Ready(Err(Interrupted::Closed));
            }
            match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
                Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
                Ok(Poll::Pending) => {
                    self.shared.uncork_waiting(cx.waker());
                    waited = true;
                    Poll::Pending
                }
                Err(panic) => {
                    // The connection closes after what the writer sends.
                    if let Some(exchange) = self.shared.lock().exchange.as_mut() {
                        exchange.close = true;
                    }
                    tracing::error!(
                        target: APP_LOG,
                        "Uncaught panic handling a request from {}: {}",
                        self.context.peer,
                        panic_message(panic.as_ref())
                    );
                    Poll::Ready(Err(Interrupted::Panicked))
                }
            }
        })
        .await
    }
}

/// Appends received `data` to `buf`, taking it over without a copy when
/// `buf` is empty.
fn append(buf: &mut BytesMut, data: Bytes) {
    if buf.is_empty() {
        *buf = BytesMut::from(data);
    } else {
        buf.extend_from_slice(&data);
    }
}

/// The earlier of two optional deadlines.
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
