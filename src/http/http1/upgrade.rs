//! Switching protocols: a request answered `101 Switching Protocols`
//! hands its connection over to another protocol (a WebSocket), as
//! Tornado's `HTTP1Connection.detach` does.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use tokio::sync::oneshot;

use super::ResponseWriter;
use super::codec::ExtraFields;
use super::writer::waiting_exchange;
use crate::httputil::{HttpHeaders, HttpOutputError, RequestContext};
use crate::iostream::IoStream;

/// A connection handed over after `101 Switching Protocols`: HTTP/1 no
/// longer reads from it or writes to it.
#[derive(Debug)]
pub struct Upgraded {
    /// The connection's stream (plain or TLS), with the `101` response
    /// written to it.
    pub stream: IoStream,
    /// What the client sent after the request that was upgraded and the
    /// connection had read already: the start of the new protocol's
    /// input, to be taken before reading from `stream`.
    pub read_ahead: BytesMut,
    /// The peer and protocol of the connection.
    pub context: Arc<RequestContext>,
}

/// The future of [`ResponseWriter::upgrade`]: the connection, once the
/// `101` is written and the call that answers the request has returned.
/// Fails with [`HttpOutputError::Closed`] when the connection closed
/// first, or with the error that kept the `101` from being written.
#[derive(Debug)]
#[must_use = "the connection is handed over through this future"]
pub struct Upgrade(Result<oneshot::Receiver<Upgraded>, HttpOutputError>);

impl Future for Upgrade {
    type Output = Result<Upgraded, HttpOutputError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            Ok(receiver) => Pin::new(receiver)
                .poll(cx)
                .map(|handed| handed.map_err(|_| HttpOutputError::Closed)),
            Err(error) => Poll::Ready(Err(error.clone())),
        }
    }
}

impl ResponseWriter {
    /// Answers the request `101 Switching Protocols` with `headers` (say
    /// `Upgrade` and `Connection: Upgrade`; a `Date` is added), after
    /// which the connection stops reading requests and is handed over
    /// through the returned [`Upgrade`].
    ///
    /// The connection is handed over once the call answering this
    /// request (the request callback, or the delegate's `finish`) has
    /// returned: await the `Upgrade` in a task of its own, not in that
    /// call. Fails ([`HttpOutputError::Misuse`]) when the response is
    /// started, or while the request still has a body to read.
    pub fn upgrade(&mut self, headers: &HttpHeaders) -> Upgrade {
        let (sender, receiver) = oneshot::channel();
        {
            let mut state = self.shared.lock_for(&self.begun);
            let state = &mut *state;
            match waiting_exchange(&mut state.exchange, self.begun.generation) {
                Ok(exchange) if exchange.body_unread => {
                    return Upgrade(Err(HttpOutputError::Misuse(
                        "upgrade before the request body is read",
                    )));
                }
                Ok(_) => state.upgrade = Some(sender),
                Err(error) => return Upgrade(Err(error)),
            }
        }
        // The codec ends HTTP/1 after a `101`: the driver, finding the
        // response to close after, hands the stream over.
        let written = self.write_response(101, headers, ExtraFields::default(), Bytes::new());
        match written {
            Ok(_) => Upgrade(Ok(receiver)),
            Err(error) => {
                self.shared.lock().upgrade = None;
                Upgrade(Err(error))
            }
        }
    }
}
