//! One request and its response: the calls to the message delegate, in
//! order, and how the connection goes on after them.

use std::pin::pin;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use super::body::{BodyEnd, BodyLimits};
use super::codec::{BodyLength, ParseError, RequestHead, RequestInfo};
use super::connection::End;
use super::delegate_call::Interrupted;
use super::error_response::CONTINUE;
use super::shared::{Begun, Phase};
use super::{Http1ServerConnection, ResponseWriter};
use crate::httputil::{
    HttpHeaders, HttpMessageDelegate, HttpServerConnectionDelegate, RequestStartLine,
};
use crate::util::GzipDecompressor;

/// The message delegate of the request under way, told at most once that
/// the connection closed (or the peer ended its side) before the request
/// or its response was complete, as Tornado's `need_delegate_close` and
/// the close callback of a request waiting for its response.
struct Message<M: HttpMessageDelegate> {
    delegate: M,
    /// `on_connection_close` was called.
    done: bool,
}

impl<M: HttpMessageDelegate> Message<M> {
    /// Calls `on_connection_close` unless it was called already.
    fn connection_closed(&mut self) {
        if !self.done {
            self.done = true;
            self.delegate.on_connection_close();
        }
    }
}

impl Http1ServerConnection {
    /// One request and its response; takes the read buffer (what follows
    /// the head) and gives it back with what was read meanwhile.
    pub(super) async fn exchange<D>(
        &self,
        delegate: &D,
        head: RequestHead,
        mut buf: BytesMut,
        generation: u64,
    ) -> (End, BytesMut)
    where
        D: HttpServerConnectionDelegate<ResponseWriter>,
    {
        let end = 'exchange: {
            let RequestHead {
                start_line,
                mut headers,
                body,
                keep_alive,
                expect_continue,
            } = head;
            let has_body = body != BodyLength::Empty;
            let (begun, writer) =
                self.begin(&start_line, &headers, keep_alive, has_body, generation);
            let gzip = self.decompressor(&mut headers);
            // The message delegate's paths read the exchange as they go.
            self.install(&begun);
            let mut message = Message {
                delegate: delegate.start_request(writer),
                done: false,
            };
            let called = self
                .call(pin!(message.delegate.headers_received(start_line, headers)))
                .await;
            if let Err(interrupted) = called {
                break 'exchange self.interrupted(interrupted, &mut message, generation);
            }
            let (limits, answered) = if has_body {
                self.after_headers(generation)
            } else {
                // No body: the limits do not matter, and a response
                // finished already is published (no lock needed).
                let answered = self.shared.published_end(generation).is_some();
                (BodyLimits::of(&self.params), answered)
            };
            if !answered
                && let BodyLength::Fixed(length) = body
                && length > limits.max_body_size
            {
                // Refused before any `100 Continue`: the client need not send
                // a body that would be refused.
                let error = ParseError::BodyTooLarge;
                break 'exchange self.refused(&mut message, error.status(), &error, generation);
            }
            if expect_continue && has_body && buf.is_empty() && !answered {
                self.send_continue(generation);
            }
            let mut read_whole = true;
            if has_body && !answered {
                let read = self.read_body(
                    &mut message.delegate,
                    body,
                    &mut buf,
                    generation,
                    limits,
                    gzip,
                );
                match read.await {
                    BodyEnd::Complete => self.body_read(generation),
                    BodyEnd::Answered => read_whole = false,
                    BodyEnd::Refused(status, why) => {
                        break 'exchange self.refused(&mut message, status, &why, generation);
                    }
                    BodyEnd::Gone => {
                        self.abandon(generation);
                        message.connection_closed();
                        break 'exchange End::Close;
                    }
                    BodyEnd::Interrupted(interrupted) => {
                        break 'exchange self.interrupted(interrupted, &mut message, generation);
                    }
                }
            } else if answered {
                read_whole = !has_body;
            }
            // As Tornado: `finish` only while the response is not finished.
            if read_whole && !answered && (!has_body || self.response_end(&begun).is_none()) {
                let called = self
                    .call_watching(pin!(message.delegate.finish()), &mut buf)
                    .await;
                if let Err(interrupted) = called {
                    break 'exchange self.interrupted(interrupted, &mut message, generation);
                }
            } else {
                message.connection_closed();
            }
            let end = match self.response_end(&begun) {
                Some(close) => Some(close),
                None => {
                    self.wait_response(generation, &mut buf, || message.connection_closed())
                        .await
                }
            };
            match end {
                Some(close) if close || !read_whole => End::Linger,
                Some(_) => End::KeepAlive,
                None => {
                    self.abandon(generation);
                    message.connection_closed();
                    End::Close
                }
            }
        };
        (end, buf)
    }

    /// What a request begins with: what the connection and its writer
    /// know of it, and its writer. Reads the request's context from
    /// `headers` (before any is renamed).
    pub(super) fn begin(
        &self,
        start_line: &RequestStartLine,
        headers: &HttpHeaders,
        keep_alive: bool,
        has_body: bool,
        generation: u64,
    ) -> (Begun, ResponseWriter) {
        let context = self.request_context(headers);
        let begun = Begun {
            generation,
            request: RequestInfo::of(start_line, keep_alive && !self.params.no_keep_alive),
            has_body,
        };
        let received = self.shared.received();
        let writer =
            ResponseWriter::new(Arc::clone(&self.shared), context, begun.clone(), received);
        (begun, writer)
    }

    /// With `decompress` on and a gzip-encoded body: renames the header
    /// (the delegate sees the decompressed body) and returns the
    /// decompressor.
    #[inline]
    fn decompressor(&self, headers: &mut HttpHeaders) -> Option<Box<GzipDecompressor>> {
        self.consume_gzip_encoding(headers)
            .then(|| Box::new(GzipDecompressor::new()))
    }

    /// With `decompress` on and `Content-Encoding: gzip`: renames that
    /// header to `X-Consumed-Content-Encoding` (the body the delegate sees
    /// is decompressed) and says so.
    #[inline]
    pub(super) fn consume_gzip_encoding(&self, headers: &mut HttpHeaders) -> bool {
        if !self.params.decompress || headers.get("Content-Encoding") != Some("gzip") {
            return false;
        }
        headers.remove("Content-Encoding");
        headers.append(
            http::HeaderName::from_static("x-consumed-content-encoding"),
            http::HeaderValue::from_static("gzip"),
        );
        true
    }

    /// After `headers_received`: the body limits with the delegate's
    /// overrides, and whether the response is already finished.
    fn after_headers(&self, generation: u64) -> (BodyLimits, bool) {
        let mut state = self.shared.lock();
        let mut limits = BodyLimits::of(&self.params);
        let Some(exchange) = state.exchange(generation) else {
            return (limits, true);
        };
        limits.max_body_size = exchange.max_body_size.unwrap_or(limits.max_body_size);
        limits.body_timeout = exchange.body_timeout.unwrap_or(limits.body_timeout);
        (limits, matches!(exchange.phase, Phase::Finished))
    }

    /// Sends `100 Continue` unless the response to `generation` started.
    fn send_continue(&self, generation: u64) {
        let mut state = self.shared.lock();
        if let Some(exchange) = state.exchange(generation)
            && matches!(exchange.phase, Phase::Waiting)
        {
            drop(state.write_raw(&self.shared.stream, Bytes::from_static(CONTINUE)));
        }
    }

    /// The body of request `generation` is completely read: its response
    /// may keep the connection open.
    fn body_read(&self, generation: u64) {
        if let Some(exchange) = self.shared.lock().exchange(generation) {
            exchange.body_unread = false;
        }
    }

    /// Refuses request `generation` with `status` (logged with `why`):
    /// the message is told, the connection closes after the answer.
    fn refused<M: HttpMessageDelegate>(
        &self,
        message: &mut Message<M>,
        status: u16,
        why: &dyn std::fmt::Display,
        generation: u64,
    ) -> End {
        self.log_malformed(why);
        message.connection_closed();
        self.refuse(status, Some(generation));
        End::Linger
    }

    /// How the connection ends after an interrupted delegate call: after
    /// a panic, what was written goes out (a writer dropped with nothing
    /// written answers 500) and the connection closes; after a close from
    /// outside, nothing more is sent and the message is told.
    fn interrupted<M: HttpMessageDelegate>(
        &self,
        interrupted: Interrupted,
        message: &mut Message<M>,
        generation: u64,
    ) -> End {
        match interrupted {
            Interrupted::Panicked => End::Linger,
            Interrupted::Closed => {
                self.abandon(generation);
                message.connection_closed();
                End::Close
            }
        }
    }
}
