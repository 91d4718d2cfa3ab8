//! [`WebSocket`]: one open WebSocket connection, as its handler (or a
//! client) writes to it and closes it, from any task.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use tokio::sync::Notify;

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
}

pub(super) struct Shared {
    pub(super) stream: IoStream,
    encoder: FrameEncoder,
    /// Compresses outgoing messages when permessage-deflate was agreed.
    deflater: Option<Mutex<MessageDeflater>>,
    /// A close frame was sent (or the connection is gone): nothing more
    /// is written.
    closing: AtomicBool,
    /// Woken when this side starts the closing handshake.
    pub(super) close_started: Notify,
    /// The peer's close frame, once received.
    peer_close: Mutex<Option<CloseFrame>>,
    subprotocol: Option<String>,
    opening: Option<Opening>,
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
                deflater: deflater.map(Mutex::new),
                closing: AtomicBool::new(false),
                close_started: Notify::new(),
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
        if self.is_closing() {
            return Written(Err(WebSocketClosedError));
        }
        let frame = self.encode(&message.into());
        self.send(frame)
    }

    /// Sends `value` as a JSON text message (Tornado's `write_message`
    /// of a dict).
    pub fn write_json<T: serde::Serialize + ?Sized>(&self, value: &T) -> Written {
        match crate::escape::json_encode(value) {
            Ok(text) => self.write_message(text),
            Err(_) => Written(Err(WebSocketClosedError)),
        }
    }

    /// The frame of `message`, compressed when that was agreed.
    fn encode(&self, message: &Message) -> Bytes {
        let payload = message.as_bytes();
        let mut frame = BytesMut::with_capacity(payload.len() + super::MAX_HEAD_LEN);
        match &self.shared.deflater {
            Some(deflater) => {
                let mut compressed = BytesMut::with_capacity(payload.len() / 2 + 16);
                lock(deflater).compress(payload, &mut compressed);
                self.shared
                    .encoder
                    .message(message.kind(), &compressed, true, &mut frame);
            }
            None => self
                .shared
                .encoder
                .message(message.kind(), payload, false, &mut frame),
        }
        frame.freeze()
    }

    /// Writes an encoded frame now.
    pub(super) fn send(&self, frame: Bytes) -> Written {
        Written(Ok(self.shared.stream.write(frame)))
    }

    /// Sends a ping with `data` (at most 125 bytes); the peer answers with
    /// a pong (see `on_pong`). Written when called.
    pub fn ping(&self, data: &[u8]) -> Written {
        if self.is_closing() {
            return Written(Err(WebSocketClosedError));
        }
        let mut frame = BytesMut::with_capacity(data.len() + 2);
        match self.shared.encoder.ping(data, &mut frame) {
            Ok(()) => self.send(frame.freeze()),
            Err(_) => Written(Err(WebSocketClosedError)),
        }
    }

    /// Starts the closing handshake with `code` and `reason` (Tornado's
    /// `close`): a close frame goes out, and the connection closes once
    /// the peer answers, or after a few seconds. Nothing is written after
    /// it. Does nothing when closing already.
    pub fn close(&self, code: Option<u16>, reason: &str) {
        if self.shared.closing.swap(true, Ordering::AcqRel) {
            return;
        }
        let mut frame = BytesMut::with_capacity(4 + reason.len());
        // A code that may not be sent becomes a protocol error's.
        let code = code.map(CloseCode).map(|code| {
            if code.is_valid_on_wire() {
                code
            } else {
                CloseCode::PROTOCOL_ERROR
            }
        });
        if self.shared.encoder.close(code, reason, &mut frame).is_ok() {
            drop(self.shared.stream.write(frame.freeze()));
        }
        self.shared.close_started.notify_one();
    }

    /// Marks the connection closing without a frame (the stream is gone).
    pub(super) fn mark_closing(&self) -> bool {
        self.shared.closing.swap(true, Ordering::AcqRel)
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

    /// The reason of the peer's close frame, once received (Tornado's
    /// `close_reason`).
    pub fn close_reason(&self) -> Option<String> {
        lock(&self.shared.peer_close)
            .as_ref()
            .map(|frame| frame.reason.clone())
    }

    /// The subprotocol agreed in the handshake, if any.
    pub fn selected_subprotocol(&self) -> Option<&str> {
        self.shared.subprotocol.as_deref()
    }

    /// Whether messages are sent compressed (permessage-deflate).
    pub fn compressed(&self) -> bool {
        self.shared.deflater.is_some()
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
}
