//! [`BodyWriter`]: how a `body_producer` writes the request body.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;

use crate::http1::codec::{BodyEncoder, WriteBuffer};
use crate::httputil::HttpOutputError;
use crate::iostream::{IoStream, StreamError, WriteFuture};

/// Why a body write failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BodyWriteError {
    /// The write breaks the framing: more bytes than the `Content-Length`
    /// header announced, or a write after the body ended.
    #[error(transparent)]
    Output(#[from] HttpOutputError),
    /// The connection failed or closed.
    #[error(transparent)]
    Stream(#[from] StreamError),
}

/// The request body's end of a connection, shared by the writer handles.
pub(crate) struct BodySink {
    encoder: BodyEncoder,
    stream: IoStream,
    out: WriteBuffer,
}

impl BodySink {
    pub(crate) fn new(encoder: BodyEncoder, stream: IoStream) -> BodySink {
        BodySink {
            encoder,
            stream,
            out: WriteBuffer::new(),
        }
    }

    /// Encodes `chunk` (or the end of the body) and queues it on the
    /// stream; the future resolves when it was sent.
    fn send(
        &mut self,
        encode: impl FnOnce(&mut BodyEncoder, &mut WriteBuffer) -> Result<(), HttpOutputError>,
    ) -> BodyWrite {
        if let Err(error) = encode(&mut self.encoder, &mut self.out) {
            return BodyWrite::failed(error.into());
        }
        let mut last = None;
        for piece in self.out.take() {
            last = Some(self.stream.write(piece));
        }
        BodyWrite(Inner::Writing(last))
    }
}

/// Writes the body of one request: given to a
/// [`BodyProducer`](super::BodyProducer). Cheap to clone.
///
/// A write is queued on the connection when [`write`](Self::write) is
/// called (Tornado's eager write); awaiting the returned [`BodyWrite`]
/// waits until it was sent, which is how a producer follows the pace of
/// the connection.
#[derive(Clone)]
pub struct BodyWriter {
    sink: Arc<Mutex<BodySink>>,
}

impl BodyWriter {
    pub(crate) fn new(sink: Arc<Mutex<BodySink>>) -> BodyWriter {
        BodyWriter { sink }
    }

    /// Queues `chunk` as the next part of the body.
    pub fn write(&self, chunk: impl Into<Bytes>) -> BodyWrite {
        let chunk = chunk.into();
        match self.sink.lock() {
            Ok(mut sink) => sink.send(|encoder, out| encoder.encode(chunk, out)),
            Err(_) => BodyWrite::failed(HttpOutputError::Closed.into()),
        }
    }
}

/// Ends the body held by `sink` (the last chunk of a chunked body; a check
/// that a fixed-length body is complete).
pub(crate) fn finish(sink: &Mutex<BodySink>) -> BodyWrite {
    match sink.lock() {
        Ok(mut sink) => sink.send(|encoder, out| encoder.finish(out)),
        Err(_) => BodyWrite::failed(HttpOutputError::Closed.into()),
    }
}

impl std::fmt::Debug for BodyWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyWriter").finish_non_exhaustive()
    }
}

/// The future of one [`BodyWriter::write`]: resolves once the chunk was
/// sent (the chunk is queued either way).
#[must_use = "the write is queued either way; await this to know it was sent"]
#[derive(Debug)]
pub struct BodyWrite(Inner);

#[derive(Debug)]
enum Inner {
    Failed(Option<BodyWriteError>),
    Writing(Option<WriteFuture>),
}

impl BodyWrite {
    fn failed(error: BodyWriteError) -> BodyWrite {
        BodyWrite(Inner::Failed(Some(error)))
    }
}

impl Future for BodyWrite {
    type Output = Result<(), BodyWriteError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            Inner::Failed(error) => {
                Poll::Ready(Err(error.take().unwrap_or(HttpOutputError::Closed.into())))
            }
            Inner::Writing(None) => Poll::Ready(Ok(())),
            Inner::Writing(Some(write)) => Pin::new(write).poll(cx).map_err(Into::into),
        }
    }
}
