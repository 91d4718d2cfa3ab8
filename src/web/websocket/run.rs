//! The reading side of an open connection, for both roles: frames read
//! and decoded, messages inflated and handed over one at a time, pings
//! answered and sent, and the closing handshake with its time limit.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::time::{Instant, Interval, Sleep, sleep};

use super::{
    CloseCode, FrameDecoder, Incoming, InflateError, Message, MessageInflater, MessageKind,
    ProtocolError, Role, Text, WebSocket,
};
use crate::http1::linger;
use crate::iostream::WriteFuture;

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

    /// A ping (the loop answers it).
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

/// The connection's clocks: keepalive pings and the pong they wait for,
/// and the time limit of a closing handshake this side started. They run
/// while frames are read and while a message is handled.
struct Clocks {
    pings: Option<Interval>,
    last_pong: Instant,
    ping_timeout: Duration,
    /// Set once this side has sent its close frame.
    close_deadline: Option<Pin<Box<Sleep>>>,
}

impl Clocks {
    fn new(reading: &Reading) -> Clocks {
        let pings = reading.ping_interval.map(|every| {
            let mut pings = tokio::time::interval_at(Instant::now() + every, every);
            pings.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            pings
        });
        Clocks {
            pings,
            last_pong: Instant::now(),
            ping_timeout: reading.ping_timeout,
            close_deadline: None,
        }
    }

    /// Starts the close wait once this side has sent its close frame.
    fn arm(&mut self, ws: &WebSocket) {
        if self.close_deadline.is_none() && ws.is_closing() {
            self.close_deadline = Some(Box::pin(sleep(CLOSE_WAIT)));
        }
    }

    /// Returns once the peer has had its time to answer this side's close
    /// frame; meanwhile sends the keepalive pings, and starts the closing
    /// handshake when a pong is overdue.
    fn expired<'a>(&'a mut self, ws: &'a WebSocket) -> impl Future<Output = ()> + 'a {
        poll_fn(move |cx| self.poll_expired(ws, cx))
    }

    fn poll_expired(&mut self, ws: &WebSocket, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            self.arm(ws);
            if let Some(deadline) = &mut self.close_deadline {
                if deadline.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(());
                }
            } else {
                // Woken by `WebSocket::close` from any task.
                ws.shared.close_started.register(cx.waker());
                if ws.is_closing() {
                    continue;
                }
            }
            let ticked = self
                .pings
                .as_mut()
                .is_some_and(|pings| pings.poll_tick(cx).is_ready());
            if !ticked {
                return Poll::Pending;
            }
            if self.last_pong.elapsed() > self.ping_timeout {
                ws.close(None, "");
            } else {
                drop(ws.ping(b""));
            }
        }
    }
}

/// The pong owed for the latest ping while earlier writes are still
/// queued: a peer that pings and never reads gets one pong at a time
/// (RFC 6455 §5.5.3 allows answering only the latest ping), so the
/// queue does not grow with its pings.
#[derive(Default)]
struct Pongs {
    /// The latest ping's data, and the write that ends where the queue
    /// ended when the first ping of those owed came.
    owed: Option<(Bytes, WriteFuture)>,
}

impl Pongs {
    /// Answers `data` now if nothing is waiting to be written, else once
    /// what was queued before it is out (a later ping only replaces the
    /// data owed).
    fn answer(&mut self, ws: &WebSocket, data: Bytes) {
        let stream = &ws.shared.stream;
        match &mut self.owed {
            Some((owed, _)) => *owed = data,
            None if !stream.writing() => ws.pong(&data),
            None => self.owed = Some((data, stream.write(Bytes::new()))),
        }
    }

    fn is_owing(&self) -> bool {
        self.owed.is_some()
    }

    /// Sends the pong owed once the writes queued before it are out.
    /// Cancel-safe: what is owed stays owed.
    async fn flush(&mut self, ws: &WebSocket) {
        let Some((_, queued)) = &mut self.owed else {
            return std::future::pending().await;
        };
        let out = queued.await.is_ok();
        if let Some((data, _)) = self.owed.take()
            && out
        {
            ws.pong(&data);
        }
    }
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
    let mut clocks = Clocks::new(&reading);
    let mut pongs = Pongs::default();
    loop {
        loop {
            let incoming = match reading.decoder.decode(&mut buf) {
                Ok(Some(incoming)) => incoming,
                Ok(None) => break,
                Err(error) => return fail(ws, &error).await,
            };
            let flow = handle(
                ws,
                incoming,
                &mut reading,
                dispatch,
                &mut clocks,
                &mut pongs,
            )
            .await;
            if let Flow::Stop = flow {
                return;
            }
        }
        clocks.arm(ws);
        let stream = &ws.shared.stream;
        let owing = pongs.is_owing();
        // The clocks first: a peer that never stops sending does not keep
        // them from running.
        tokio::select! {
            biased;
            () = clocks.expired(ws) => {
                // The peer never answered the close frame.
                stream.close();
                return;
            }
            () = pongs.flush(ws), if owing => {}
            read = stream.read_available_mut(READ_SIZE) => match read {
                Ok(data) if !data.is_empty() => append(&mut buf, data),
                // The peer went away without a closing handshake.
                _ => {
                    ws.mark_closing();
                    stream.close();
                    return;
                }
            },
        }
    }
}

/// Handles one frame read.
async fn handle<D: Dispatch>(
    ws: &WebSocket,
    incoming: Incoming,
    reading: &mut Reading,
    dispatch: &mut D,
    clocks: &mut Clocks,
    pongs: &mut Pongs,
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
            pongs.answer(ws, data.clone());
            dispatch.ping(ws, &data);
            return Flow::Continue;
        }
        Incoming::Pong(data) => {
            clocks.last_pong = Instant::now();
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
    if ws.is_closing() {
        return Flow::Continue;
    }
    // The clocks run while the message is handled (and an owed pong goes
    // out): a handler waiting on a peer that stopped reading is not
    // waited for past the closing handshake's time limit.
    let mut handled = std::pin::pin!(dispatch.message(ws, message));
    loop {
        let owing = pongs.is_owing();
        tokio::select! {
            biased;
            () = &mut handled => return Flow::Continue,
            () = clocks.expired(ws) => break,
            () = pongs.flush(ws), if owing => {}
        }
    }
    // The connection is closed under the handler: a write it waits on
    // fails, and it returns. (One waiting on something else is still
    // waited for; the connection is gone meanwhile.)
    ws.shared.stream.close();
    handled.await;
    Flow::Stop
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
            InflateError::Invalid => ProtocolError::InvalidCompressedData,
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
fn append(buf: &mut BytesMut, data: BytesMut) {
    if buf.is_empty() {
        *buf = data;
    } else {
        buf.extend_from_slice(&data);
    }
}
