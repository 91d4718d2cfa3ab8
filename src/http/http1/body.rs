//! Reading a request body and feeding it to the message delegate.

use std::pin::pin;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::time::Instant;

use super::codec::{BodyDecoder, BodyLength, Decoded};
use super::delegate_call::Interrupted;
use super::input::{Gone, append, earliest};
use super::{Http1ConnectionParameters, Http1ServerConnection};
use crate::httputil::HttpMessageDelegate;
use crate::util::GzipDecompressor;
use crate::util::log_target::GEN_LOG;

/// How reading a request body ended.
pub(super) enum BodyEnd {
    Complete,
    /// The response finished first; the rest is not read.
    Answered,
    /// Refused with this status.
    Refused(u16, String),
    Gone,
    Interrupted(Interrupted),
}

/// The limits of one request body, after the delegate's overrides.
pub(super) struct BodyLimits {
    pub(super) max_body_size: u64,
    pub(super) body_timeout: Option<Duration>,
}

impl BodyLimits {
    /// The connection's limits, before any override.
    pub(super) fn of(params: &Http1ConnectionParameters) -> BodyLimits {
        BodyLimits {
            max_body_size: params.max_body_size,
            body_timeout: params.body_timeout,
        }
    }
}

impl Http1ServerConnection {
    /// Feeds the body to `message`, in pieces of at most `chunk_size`
    /// (decompressed with `gzip`), each `data_received` awaited before
    /// more is read.
    pub(super) async fn read_body<M: HttpMessageDelegate>(
        &self,
        message: &mut M,
        length: BodyLength,
        buf: &mut BytesMut,
        generation: u64,
        limits: BodyLimits,
        mut gzip: Option<Box<GzipDecompressor>>,
    ) -> BodyEnd {
        let mut max_body_size = limits.max_body_size;
        let mut decoder = BodyDecoder::new(length, max_body_size)
            .with_max_trailer_size(self.params.max_header_size);
        let deadline = limits.body_timeout.map(|t| Instant::now() + t);
        let mut inflated: u64 = 0;
        loop {
            let piece = match decoder.decode_limited(buf, self.params.chunk_size) {
                Ok(Decoded::Data(piece)) => piece,
                Ok(Decoded::NeedMore) => {
                    let idle = self.params.idle_timeout;
                    let until = || earliest(deadline, idle.map(|t| Instant::now() + t));
                    match self.receive(until, None, false, false, None).await {
                        Ok(data) => {
                            append(buf, data);
                            continue;
                        }
                        Err(Gone::TimedOut) => {
                            tracing::info!(
                                target: GEN_LOG,
                                "Timeout reading body from {}",
                                self.shared.context.peer
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

    /// Whether the response to `generation` is finished, and the body
    /// limit now in force.
    fn body_state(&self, generation: u64, max_body_size: u64) -> (bool, u64) {
        let mut state = self.shared.lock();
        match state.exchange(generation) {
            Some(exchange) => (
                matches!(exchange.phase, super::shared::Phase::Finished),
                exchange.max_body_size.unwrap_or(max_body_size),
            ),
            None => (true, max_body_size),
        }
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
}
