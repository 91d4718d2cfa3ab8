//! [`Http1ServerConnection`]: the request loop of one server connection
//! (Tornado's `HTTP1ServerConnection` with the server side of
//! `HTTP1Connection`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::BytesMut;
use futures_util::FutureExt;
use futures_util::future::{Either, Fuse};
use tokio::sync::oneshot;

use super::codec::BodyLength;
use super::error_response::refusal;
use super::input::HeadError;
use super::read_timer::ReadTimer;
use super::shared::{Begun, ConnShared, Phase};
use super::whole::NextHead;
use super::{
    Http1ConnectionParameters, ResponseWriter, ServerConnectionHandle, Upgraded, linger, slot,
};
use crate::httputil::{HttpHeaders, HttpServerConnectionDelegate, RequestContext};
use crate::iostream::IoStream;
use crate::util::log_target::GEN_LOG;

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
/// [`ParseError`](super::codec::ParseError) (`400`, `413`, `414`, `431`, `501`, `505`) and
/// `Connection: close`, never by a silent close. Whenever the server
/// closes, it closes lingeringly: it shuts its sending side, reads and
/// drops what the client still sends for a short bounded time, then
/// closes, so that no reset destroys the last response. A client that
/// half-closes its side after its requests still gets every response.
pub struct Http1ServerConnection {
    pub(super) shared: Arc<ConnShared>,
    pub(super) params: Http1ConnectionParameters,
    context_fn: Option<RequestContextFn>,
}

impl std::fmt::Debug for Http1ServerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http1ServerConnection")
            .field("stream", &self.shared.stream)
            .field("params", &self.params)
            .field("context", &self.shared.context)
            .finish_non_exhaustive()
    }
}

/// How a request cycle ended. A whole word, so that it is moved together
/// with the read buffer it is returned with in aligned pieces.
#[repr(u64)]
pub(super) enum End {
    /// Ready for the next request.
    KeepAlive,
    /// The server closes after what it sent (lingering close).
    Linger,
    /// The peer is gone or too slow: close at once.
    Close,
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
            shared: Arc::new(ConnShared::new(stream, params.chunk_size, context)),
            params,
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
        // The request under way lives in a box, so that an idle
        // connection's future holds only what waiting for a request
        // takes, not what a request and its delegate take. The box is kept
        // while pipelined requests are buffered (one box for a whole
        // batch, or two when it mixes the kinds below) and given back to
        // the thread when the connection goes idle, for the next request
        // of any connection (see `slot`). Requests answered whole have a
        // box of their own: their future is the smaller one, and most
        // requests are of that kind. One such future answers a whole run
        // of them buffered one after the other (see `whole_exchanges`).
        let mut current = None;
        let mut whole = None;
        // Armed once for the waits for request heads (see `ReadTimer`).
        let mut timer = ReadTimer::default();
        // Requests begun so far; names the current one.
        let mut generation = 0;
        // What a run of whole exchanges read of the request after it.
        let mut next = None;
        let end = loop {
            if buf.is_empty() {
                release(&mut current);
                release(&mut whole);
            }
            // The head is read and moved into the future of the slot that
            // runs its request within this block, so that it does not
            // live on in this future's state while the request runs.
            let run = {
                let head = match next.take() {
                    Some(NextHead::Read(head)) => Ok(*head),
                    Some(NextHead::Malformed(error)) => Err(HeadError::Malformed(error)),
                    None => self.read_head(&mut buf, &mut timer, generation).await,
                };
                let head = match head {
                    Ok(head) => head,
                    Err(HeadError::Malformed(error)) => {
                        self.log_malformed(&error);
                        self.refuse(error.status(), None);
                        break End::Linger;
                    }
                    Err(HeadError::Gone) => break End::Close,
                };
                generation += 1;
                let input = std::mem::take(&mut buf);
                if head.body == BodyLength::Empty && delegate.answers_whole_requests() {
                    let slot = whole.get_or_insert_with(slot::take);
                    slot.set(
                        self.whole_exchanges(delegate, head, input, generation)
                            .fuse(),
                    );
                    Either::Left(slot)
                } else {
                    self.shared.set_alone(false);
                    let slot = current.get_or_insert_with(slot::take);
                    slot.set(self.exchange(delegate, head, input, generation).fuse());
                    Either::Right(slot)
                }
            };
            let end = match run {
                Either::Left(slot) => {
                    let (end, rest, last, read) = slot.as_mut().await;
                    (buf, generation, next) = (rest, last, read);
                    end
                }
                Either::Right(slot) => {
                    let (end, rest) = slot.as_mut().await;
                    buf = rest;
                    end
                }
            };
            if !matches!(end, End::KeepAlive) {
                break end;
            }
        };
        release(&mut current);
        release(&mut whole);
        drop(self.shared.uncork());
        let upgrade = self.shared.lock().upgrade.take();
        match (end, upgrade) {
            // The `101` is out: the stream is the new protocol's.
            (End::Linger, Some(upgrade)) => self.hand_over(upgrade, buf),
            (End::Linger, None) => {
                drop(buf);
                linger::close(&self.shared.stream).await;
            }
            (End::Close | End::KeepAlive, _) => self.shared.stream.close(),
        }
        // A writer kept past the end sees its response finished.
        self.shared.lock().retire(u64::MAX);
        delegate.on_close(&self.shared.context.peer);
    }

    /// Hands the stream, and what was read after the upgraded request,
    /// to `upgrade`'s receiver; closes it when nobody waits for it.
    fn hand_over(&self, upgrade: oneshot::Sender<Upgraded>, read_ahead: BytesMut) {
        let upgraded = Upgraded {
            stream: self.shared.stream.clone(),
            read_ahead,
            context: Arc::clone(&self.shared.context),
        };
        if let Err(upgraded) = upgrade.send(upgraded) {
            upgraded.stream.close();
        }
    }

    /// Logs a request refused as malformed (or over a limit).
    pub(super) fn log_malformed(&self, why: &dyn std::fmt::Display) {
        tracing::info!(
            target: GEN_LOG,
            "Malformed HTTP request from {}: {why}",
            self.shared.context.peer
        );
    }

    /// Answers with `status`: the request `generation` unless its
    /// response has started, or (`None`) a request that could not be
    /// parsed.
    pub(super) fn refuse(&self, status: u16, generation: Option<u64>) {
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

    /// Gives up the current exchange as the connection closes under it:
    /// its writer then has nothing left to finish (no `500` goes out).
    pub(super) fn abandon(&self, generation: u64) {
        self.shared.lock().retire(generation);
    }

    /// The context of a request with `headers` when it is not the
    /// connection's.
    pub(super) fn request_context(&self, headers: &HttpHeaders) -> Option<Arc<RequestContext>> {
        let context_fn = self.context_fn.as_ref()?;
        context_fn(&self.shared.context, headers).map(Arc::new)
    }

    /// Installs `begun` as the current exchange (see [`Begun`]).
    pub(super) fn install(&self, begun: &Begun) {
        drop(self.shared.lock_for(begun));
    }

    /// Whether the response to `begun` is finished, and whether the
    /// connection closes after it; `None` while it is not. Installs
    /// `begun` when it has to look under the lock.
    pub(super) fn response_end(&self, begun: &Begun) -> Option<bool> {
        self.shared
            .published_end(begun.generation)
            .or_else(|| self.shared.lock_for(begun).response_end(begun.generation))
    }
}

/// Gives the box of a finished request's future back to the thread (see
/// [`slot`]).
fn release<F: Future>(slot: &mut Option<Pin<Box<Fuse<F>>>>) {
    if let Some(slot) = slot.take() {
        slot::give_back(slot);
    }
}
