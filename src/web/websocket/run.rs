//! The reading side of an open connection, for both roles: frames read
//! and decoded, messages inflated and handed over one at a time, pings
//! answered and sent, and the closing handshake with its time limit.

use std::future::Future;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::time::{Instant, Interval, sleep_until};

use super::{
    CloseCode, FrameDecoder, Incoming, InflateError, Message, MessageInflater, MessageKind,
    ProtocolError, Role, Text, WebSocket,
};
use crate::http1::linger;

/// The most read from the connection at once.
const READ_SIZE: usize = 64 * 1024;

/// How long a side that sent its close frame waits for the peer's
/// (Tornado's 5 seconds), and a client for the server to close the
/// connection after the closing handshake.
pub(super) const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// What the reading loop hands messages and control frames to: the
/// server's handler, or a client's queue.
pub(super) trait Dispatch: Send {
    /// A whole message; the next is read once this returns.
    fn message(&mut self, ws: &WebSocket, message: Message) -> impl Future<Output = ()> + Send;

    /// A ping (already answered).
    fn ping(&mut self, ws: &WebSocket, data: &[u8]);

    /// A pong.
    fn pong(&mut self, ws: &WebSocket, data: &[u8]);
}

/// How a connection reads: its decoder, its inflater when
/// permessage-deflate was agreed, and its keepalive.
pub(super) struct Reading {
    pub(super) decoder: FrameDecoder,
    pub(super) inflater: Option<MessageInflater>,
    pub(super) max_message_size: usize,
    /// Send a ping this often.
    pub(super) ping_interval: Option<Duration>,
    /// Close when no pong came for this long.
    pub(super) ping_timeout: Duration,
}

/// Tornado's ping timeout for `interval`: three intervals, at least 30
/// seconds.
pub(super) fn default_ping_timeout(interval: Option<Duration>) -> Duration {
    interval.map_or(Duration::MAX, |interval| {
        (interval * 3).max(Duration::from_secs(30))
    })
}

/// What to do after an incoming frame.
enum Flow {
    Continue,
    /// The connection is over: the closing handshake is done, or it
    /// failed.
    Stop,
}

/// Reads `ws` until it closes, starting with `read_ahead`, handing what
/// arrives to `dispatch`. Returns once the connection is closed.
pub(super) async fn run<D: Dispatch>(
    ws: &WebSocket,
    read_ahead: BytesMut,
    mut reading: Reading,
    dispatch: &mut D,
) {
    let mut buf = read_ahead;
    let mut pings = reading.ping_interval.map(|every| {
        let mut pings = tokio::time::interval_at(Instant::now() + every, every);
        pings.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        pings
    });
    let mut last_pong = Instant::now();
    let mut close_deadline = None;
    loop {
        loop {
            let incoming = match reading.decoder.decode(&mut buf) {
                Ok(Some(incoming)) => incoming,
                Ok(None) => break,
                Err(error) => return fail(ws, &error).await,
            };
            let flow = handle(ws, incoming, &mut reading, dispatch, &mut last_pong).await;
            if let Flow::Stop = flow {
                return;
            }
        }
        if ws.is_closing() && close_deadline.is_none() {
            close_deadline = Some(Instant::now() + CLOSE_WAIT);
        }
        let stream = &ws.shared.stream;
        tokio::select! {
            read = stream.read_available(READ_SIZE) => match read {
                Ok(Some(data)) => append(&mut buf, data),
                // The peer went away without a closing handshake.
                _ => {
                    ws.mark_closing();
                    stream.close();
                    return;
                }
            },
            () = tick(&mut pings) => {
                if last_pong.elapsed() > reading.ping_timeout {
                    ws.close(None, "");
                } else {
                    drop(ws.ping(b""));
                }
            }
            () = wait_until(close_deadline) => {
                // The peer never answered the close frame.
                stream.close();
                return;
            }
            () = ws.shared.close_started.notified() => {}
        }
    }
}

/// Handles one frame read.
async fn handle<D: Dispatch>(
    ws: &WebSocket,
    incoming: Incoming,
    reading: &mut Reading,
    dispatch: &mut D,
    last_pong: &mut Instant,
) -> Flow {
    let message = match incoming {
        Incoming::Text(bytes) => Message::Text(Text::checked(bytes)),
        Incoming::Binary(bytes) => Message::Binary(bytes),
        Incoming::Compressed { kind, payload } => match inflate(reading, kind, &payload) {
            Ok(message) => message,
            Err(error) => {
                fail(ws, &error).await;
                return Flow::Stop;
            }
        },
        Incoming::Ping(data) => {
            ws.pong(&data);
            dispatch.ping(ws, &data);
            return Flow::Continue;
        }
        Incoming::Pong(data) => {
            *last_pong = Instant::now();
            dispatch.pong(ws, &data);
            return Flow::Continue;
        }
        Incoming::Close(frame) => {
            let code = frame.code;
            ws.set_peer_close(frame);
            // Answered with the same code (none for none), unless this
            // side closed first.
            ws.send_close(code, "");
            finish(ws).await;
            return Flow::Stop;
        }
    };
    // Messages after this side's close frame are dropped.
    if !ws.is_closing() {
        dispatch.message(ws, message).await;
    }
    Flow::Continue
}

/// A compressed message, inflated within the size limit and checked.
fn inflate(
    reading: &mut Reading,
    kind: MessageKind,
    payload: &[u8],
) -> Result<Message, ProtocolError> {
    let Some(inflater) = reading.inflater.as_mut() else {
        return Err(ProtocolError::ReservedBits(0b100));
    };
    let mut out = BytesMut::new();
    inflater
        .inflate(payload, true, &mut out, reading.max_message_size)
        .map_err(|error| match error {
            InflateError::TooBig => ProtocolError::MessageTooBig {
                limit: reading.max_message_size,
            },
            InflateError::Invalid => ProtocolError::InvalidUtf8,
        })?;
    let data = out.freeze();
    match kind {
        MessageKind::Binary => Ok(Message::Binary(data)),
        MessageKind::Text => Text::from_utf8(data)
            .map(Message::Text)
            .map_err(|_| ProtocolError::InvalidUtf8),
    }
}

/// Fails the connection for `error`: a close frame with its code (unless
/// one went out already), then the connection closes.
async fn fail(ws: &WebSocket, error: &ProtocolError) {
    let code: CloseCode = error.close_code();
    ws.close(Some(code.0), "");
    finish(ws).await;
}

/// Ends the connection once the closing handshake is done (or failed):
/// a server closes at once, lingering so that its close frame arrives; a
/// client waits (a little) for the server to close first.
async fn finish(ws: &WebSocket) {
    let stream = &ws.shared.stream;
    match ws.shared.encoder().role() {
        Role::Server => linger::close(stream).await,
        Role::Client => {
            let deadline = Instant::now() + CLOSE_WAIT;
            while let Ok(Ok(Some(_))) =
                tokio::time::timeout_at(deadline, stream.read_available(READ_SIZE)).await
            {
            }
            stream.close();
        }
    }
}

/// Adds `data` to `buf` (taking it over when `buf` is empty).
fn append(buf: &mut BytesMut, data: Bytes) {
    if buf.is_empty() {
        *buf = data
            .try_into_mut()
            .unwrap_or_else(|data| BytesMut::from(&data[..]));
    } else {
        buf.extend_from_slice(&data);
    }
}

/// The next tick of `pings`, or never.
async fn tick(pings: &mut Option<Interval>) {
    match pings {
        Some(pings) => {
            pings.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Until `deadline`, or never.
async fn wait_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
