//! Running a future's done callbacks on the next loop iteration.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tokio::runtime::Handle;

use super::future::Future;
use super::future_state::DoneCallback;
use crate::ioloop::IoLoop;
use crate::util::log_target::APP_LOG;
use crate::util::panic_message;

/// Runs `callbacks`, in the order they were added, as one callback of the
/// [`IoLoop`] of `runtime` (or, failing that, of the runtime of the calling
/// code) — never inline, so setting a result never runs user code on the
/// setter's stack. Going through the loop's callback queue, as Tornado's
/// `IOLoop.add_callback` does, keeps done callbacks in order and one at a
/// time even on a multi-thread runtime.
///
/// A panicking callback is logged to [`APP_LOG`] and the next one still
/// runs. With no runtime at all the callbacks cannot run; that is logged too.
pub(super) fn schedule<T: Send + 'static>(
    future: Future<T>,
    callbacks: Vec<DoneCallback<T>>,
    runtime: Option<Handle>,
) {
    if callbacks.is_empty() {
        return;
    }
    let Some(runtime) = runtime.or_else(|| Handle::try_current().ok()) else {
        tracing::error!(
            target: APP_LOG,
            "{} done callback(s) dropped: no tokio runtime to run them on",
            callbacks.len()
        );
        return;
    };
    IoLoop::from_handle(runtime).add_callback(move || {
        for callback in callbacks {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| callback(&future))) {
                tracing::error!(
                    target: APP_LOG,
                    "Exception in callback for {future:?}: {}",
                    panic_message(payload.as_ref())
                );
            }
        }
    });
}
