//! Running one call of a message delegate on behalf of the connection.

use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::Poll;

use super::Http1ServerConnection;
use crate::util::log_target::APP_LOG;
use crate::util::panic_message;

/// Why a delegate call did not complete.
pub(super) enum Interrupted {
    /// It panicked (logged already).
    Panicked,
    /// The connection was closed from outside (the call is dropped).
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
}
