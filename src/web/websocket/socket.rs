//! [`WebSocket`]: one open WebSocket connection, as its handler (or a
//! client) writes to it and closes it, from any task.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::BytesMut;
use futures_util::task::AtomicWaker;

use super::{CloseCode, CloseFrame, FrameEncoder, Message, MessageDeflater};
use crate::httputil::HttpServerRequest;
use crate::iostream::{IoStream, WriteFuture};
use crate::util::lock;

/// A write to a WebSocket that is closed, or that closed while the write
/// was under way (Tornado's `WebSocketClosedError`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, thiserror::Error)]
#[error("the WebSocket is closed")]
pub struct WebSocketClosedError;

/// The future of a write to a [`WebSocket`]: resolves once the frame
/// reached the kernel, or with [`WebSocketClosedError`].
#[derive(Debug)]
#[must_use = "the message is written; await this to learn whether it was sent"]
pub struct Written(Result<WriteFuture, WebSocketClosedError>);

impl Future for Written {
    type Output = Result<(), WebSocketClosedError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            Ok(write) => Pin::new(write)
                .poll(cx)
                .map(|written| written.map_err(|_| WebSocketClosedError)),
            Err(error) => Poll::Ready(Err(*error)),
        }
    }
}

/// What the server side knows of a connection: the request that opened
/// it and the path arguments its route captured.
#[derive(Debug)]
pub(super) struct Opening {
    pub(super) request: HttpServerRequest,
    pub(super) path_args: Vec<Option<String>>,
    pub(super) path_kwargs: Vec<(String, Option<String>)>,
}

pub(super) struct Shared {
    pub(super) stream: IoStream,
    encoder: FrameEncoder,
    /// Held while a frame is made and queued on the stream: frames go out
    /// in the order they were compressed, and none after the close frame.
    writing: Mutex<Writing>,
    /// Whether messages are compressed (permessage-deflate was agreed).
    compressed: bool,
    /// Mirrors [`Writing::closed`], for reading without the lock.
    closing: AtomicBool,
    /// The reading loop, woken when this side starts the closing
    /// handshake.
    pub(super) close_started: AtomicWaker,
    /// The peer's close frame, once received.
    peer_close: Mutex<Option<CloseFrame>>,
    subprotocol: Option<String>,
    opening: Option<Opening>,
}

/// The write side's state, behind [`Shared::writing`].
struct Writing {
    /// Compresses outgoing messages when permessage-deflate was agreed.
    deflater: Option<MessageDeflater>,
    /// A close frame was sent (or the connection is gone): nothing more
    /// is written.
    closed: bool,
}

impl Shared {
    /// The connection's frame encoder.
    pub(super) fn encoder(&self) -> FrameEncoder {
        self.encoder
    }
}

/// One open WebSocket connection: write messages, ping, close, and read
/// what the peer's closing handshake said. Cheap to clone; the clones
/// write to the same connection, from any task.
#[derive(Clone)]
pub struct WebSocket {
    pub(super) shared: Arc<Shared>,
}

impl std::fmt::Debug for WebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocket")
            .field("role", &self.shared.encoder.role())
            .field("closing", &self.is_closing())
            .field("subprotocol", &self.shared.subprotocol)
            .finish_non_exhaustive()
    }
}

impl WebSocket {
    pub(super) fn new(
        stream: IoStream,
        encoder: FrameEncoder,
        deflater: Option<MessageDeflater>,
        subprotocol: Option<String>,
        opening: Option<Opening>,
    ) -> WebSocket {
        WebSocket {
            shared: Arc::new(Shared {
                stream,
                encoder,
                compressed: deflater.is_some(),
                writing: Mutex::new(Writing {
                    deflater,
                    closed: false,
                }),
                closing: AtomicBool::new(false),
                close_started: AtomicWaker::new(),
                peer_close: Mutex::new(None),
                subprotocol,
                opening,
            }),
        }
    }

    /// Sends `message` (text, binary, or see
    /// [`write_json`](Self::write_json)): written when called, the
    /// returned future resolves once it reached the kernel. Fails with
    /// [`WebSocketClosedError`] when the connection is closed or closes
    /// before the message is out.
    pub fn write_message(&self, message: impl Into<Message>) -> Written {
        let message = message.into();
        let kind = message.kind();
        let mut writing = lock(&self.shared.writing);
        if writing.closed {
            return Written(Err(WebSocketClosedError));
        }
        let (payload, compressed) = match writing.deflater.as_mut() {
            Some(deflater) => {
                let payload = message.as_bytes();
                let mut compressed = BytesMut::with_capacity(payload.len() / 2 + 16);
                deflater.compress(payload, &mut compressed);
                (compressed.freeze(), true)
            }
            None => (message.into_bytes(), false),
        };
        let encoder = self.shared.encoder;
        let stream = &self.shared.stream;
        // A server's payload goes out as it is, after its head; a
        // client's is masked in a copy.
        Written(Ok(
            match encoder.unmasked_message_head(kind, payload.len(), compressed) {
                Some(head) => stream.write_with_head(head.as_slice(), payload),
                None => {
                    let mut frame = BytesMut::new();
                    encoder.message(kind, &payload, compressed, &mut frame);
                    stream.write(frame.freeze())
                }
            },
        ))
    }

    /// Sends `value` as a JSON text message (Tornado's `write_message`
    /// of a dict).
    pub fn write_json<T: serde::Serialize + ?Sized>(&self, value: &T) -> Written {
        match crate::escape::json_encode(value) {
            Ok(text) => self.write_message(text),
            Err(_) => Written(Err(WebSocketClosedError)),
        }
    }

    /// Makes a control frame with `make` (given the encoder and the
    /// buffer; `false` when it cannot be made) and queues it, under the
    /// write lock, unless the connection is closing.
    fn write_frame(&self, make: impl FnOnce(FrameEncoder, &mut BytesMut) -> bool) -> Written {
        let writing = lock(&self.shared.writing);
        if writing.closed {
            return Written(Err(WebSocketClosedError));
        }
        let mut frame = BytesMut::new();
        if !make(self.shared.encoder, &mut frame) {
            return Written(Err(WebSocketClosedError));
        }
        Written(Ok(self.shared.stream.write(frame.freeze())))
    }

    /// Answers a ping with a pong carrying `data`, unless closing.
    pub(super) fn pong(&self, data: &[u8]) {
        drop(self.write_frame(|encoder, frame| encoder.pong(data, frame).is_ok()));
    }

    /// Sends a ping with `data` (at most 125 bytes); the peer answers with
    /// a pong (see `on_pong`). Written when called.
    pub fn ping(&self, data: &[u8]) -> Written {
        self.write_frame(|encoder, frame| encoder.ping(data, frame).is_ok())
    }

    /// Starts the closing handshake with `code` and `reason` (Tornado's
    /// `close`): a close frame goes out, and the connection closes once
    /// the peer answers, or after a few seconds. Nothing is written after
    /// it. Does nothing when closing already.
    pub fn close(&self, code: Option<u16>, reason: &str) {
        // A code that may not be sent becomes a protocol error's.
        let code = code.map(CloseCode).map(|code| {
            if code.is_valid_on_wire() {
                code
            } else {
                CloseCode::PROTOCOL_ERROR
            }
        });
        if self.send_close(code, reason) {
            self.shared.close_started.wake();
        }
    }

    /// Sends a close frame with `code` and `reason` and marks the
    /// connection closing, unless it was; whether it was not.
    pub(super) fn send_close(&self, code: Option<CloseCode>, reason: &str) -> bool {
        let mut writing = lock(&self.shared.writing);
        if writing.closed {
            return false;
        }
        writing.closed = true;
        self.shared.closing.store(true, Ordering::Release);
        let mut frame = BytesMut::with_capacity(4 + reason.len());
        if self.shared.encoder.close(code, reason, &mut frame).is_ok() {
            drop(self.shared.stream.write(frame.freeze()));
        }
        true
    }

    /// Marks the connection closing without a frame (the stream is gone).
    pub(super) fn mark_closing(&self) {
        lock(&self.shared.writing).closed = true;
        self.shared.closing.store(true, Ordering::Release);
    }

    /// Records the peer's close frame.
    pub(super) fn set_peer_close(&self, frame: CloseFrame) {
        *lock(&self.shared.peer_close) = Some(frame);
    }

    /// Whether a close frame was sent or the connection is gone: writes
    /// then fail.
    pub fn is_closing(&self) -> bool {
        self.shared.closing.load(Ordering::Acquire)
    }

    /// The code of the peer's close frame, once received (Tornado's
    /// `close_code`).
    pub fn close_code(&self) -> Option<u16> {
        lock(&self.shared.peer_close)
            .as_ref()
            .and_then(|frame| frame.code)
            .map(|code| code.0)
    }

    /// The reason of the peer's close frame, once received with a code
    /// and a reason (Tornado's `close_reason`: `None` for a close frame
    /// without one).
    pub fn close_reason(&self) -> Option<String> {
        lock(&self.shared.peer_close)
            .as_ref()
            .filter(|frame| frame.code.is_some() && !frame.reason.is_empty())
            .map(|frame| frame.reason.clone())
    }

    /// The subprotocol agreed in the handshake, if any.
    pub fn selected_subprotocol(&self) -> Option<&str> {
        self.shared.subprotocol.as_deref()
    }

    /// Whether messages are sent compressed (permessage-deflate).
    pub fn compressed(&self) -> bool {
        self.shared.compressed
    }

    /// Sets `TCP_NODELAY` on the connection (Tornado's `set_nodelay`):
    /// small messages leave at once rather than gathered.
    pub fn set_nodelay(&self, on: bool) -> std::io::Result<()> {
        self.shared.stream.set_nodelay(on)
    }

    /// On the server: the request that opened the connection.
    pub fn request(&self) -> Option<&HttpServerRequest> {
        self.shared.opening.as_ref().map(|opening| &opening.request)
    }

    /// On the server: the path arguments of the route (Tornado's `open`
    /// arguments), decoded.
    pub fn path_args(&self) -> &[Option<String>] {
        self.shared
            .opening
            .as_ref()
            .map_or(&[], |opening| &opening.path_args)
    }

    /// On the server: the route's named path arguments (Tornado's `open`
    /// keyword arguments), decoded, in the pattern's order.
    pub fn path_kwargs(&self) -> &[(String, Option<String>)] {
        self.shared
            .opening
            .as_ref()
            .map_or(&[], |opening| &opening.path_kwargs)
    }

    /// On the server: the named path argument `name`, if the route has it
    /// and it matched.
    pub fn path_kwarg(&self, name: &str) -> Option<&str> {
        self.path_kwargs()
            .iter()
            .find(|(key, _)| key == name)
            .and_then(|(_, value)| value.as_deref())
    }
}
