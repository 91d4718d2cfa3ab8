//! Running one call of a message delegate on behalf of the connection.

use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::task::Poll;

use bytes::BytesMut;

use super::Http1ServerConnection;
use super::input::{READ_SIZE, append};
use crate::util::log_target::APP_LOG;
use crate::util::panic_message;

/// Why a delegate call did not complete.
pub(super) enum Interrupted {
    /// It panicked (logged already).
    Panicked,
    /// The connection was closed from outside, or the peer closed while
    /// the call waited (the call is dropped).
    Closed,
}

impl Http1ServerConnection {
    /// Runs a delegate call: output its synchronous part writes is
    /// gathered (corked); whenever it waits, what is gathered goes out. A
    /// panic is caught and logged on the application log; a close from
    /// outside ([`ServerConnectionHandle::close`](super::ServerConnectionHandle::close))
    /// drops the call.
    /// The caller pins the call's future in its own state, so that it is
    /// not held twice.
    pub(super) async fn call<F: Future>(
        &self,
        mut future: Pin<&mut F>,
    ) -> Result<F::Output, Interrupted> {
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
                        self.shared.context.peer,
                        panic_message(panic.as_ref())
                    );
                    Poll::Ready(Err(Interrupted::Panicked))
                }
            }
        })
        .await
    }

    /// [`call`](Self::call) for a call that answers a request whose input
    /// is all read: while it waits, the connection is watched. Input that
    /// arrives meanwhile (the next pipelined request) is buffered in `buf`,
    /// up to one read's worth; when the peer closes (or ends its sending
    /// side) first, the call is dropped, cancelling the work under way as
    /// Tornado's `on_connection_close` and nginx's 499 do, and the result
    /// is [`Interrupted::Closed`]. A call that finishes when first polled
    /// (most do) watches nothing.
    pub(super) async fn call_watching<F: Future>(
        &self,
        future: Pin<&mut F>,
        buf: &mut BytesMut,
    ) -> Result<F::Output, Interrupted> {
        let mut call = pin!(self.call(future));
        if let Poll::Ready(output) = poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await {
            return output;
        }
        let stream = &self.shared.stream;
        while buf.len() < READ_SIZE {
            tokio::select! {
                biased;
                output = &mut call => return output,
                read = stream.read_available(READ_SIZE) => match read {
                    Ok(Some(data)) => append(buf, data),
                    Ok(None) | Err(_) => return Err(Interrupted::Closed),
                },
            }
        }
        call.await
    }
}
