//! Tornado's module-level helpers over [`Future`].

use std::error::Error;
use std::sync::Arc;

use super::error::{FutureError, InvalidStateError, into_exception};
use super::future::Future;
use crate::util::log_target::APP_LOG;

/// Copies the outcome of `a` to `b` once `a` is done — its result, its
/// exception, or its cancellation — unless `b` is done (set or cancelled) by
/// then (Tornado's `chain_future`).
///
/// The copy happens in a done callback of `a`, so on a later loop iteration.
pub fn chain_future<T: Clone + Send + 'static>(a: &Future<T>, b: &Future<T>) {
    let b = b.clone();
    a.add_done_callback(move |a| {
        if b.done() {
            return;
        }
        // `b` may be finished by someone else between the check and the
        // copy; then it keeps that outcome, as intended.
        match a.exception() {
            Ok(Some(exception)) => {
                let _ = b.set_exception(exception);
            }
            Ok(None) => {
                if let Ok(value) = a.result() {
                    let _ = b.set_result(value);
                }
            }
            Err(FutureError::Cancelled(_)) => {
                b.cancel();
            }
            // `a` is done, so it cannot be in an invalid state.
            Err(_) => {}
        }
    });
}

/// Sets `value` as the result of `future` unless it was cancelled (Tornado's
/// `future_set_result_unless_cancelled`): a cancelled future is left alone
/// and this returns `Ok`. Setting a future that already has a result or an
/// exception is still an [`InvalidStateError`].
pub fn future_set_result_unless_cancelled<T: Send + 'static>(
    future: &Future<T>,
    value: T,
) -> Result<(), InvalidStateError> {
    match future.set_result(value) {
        Err(_) if future.cancelled() => Ok(()),
        other => other,
    }
}

/// Fails `future` with `exception` unless it was cancelled (Tornado's
/// `future_set_exception_unless_cancelled`). A cancelled future is left
/// alone; the exception is then logged to the application log, as Tornado
/// does, so it is not lost silently.
pub fn future_set_exception_unless_cancelled<T: Send + 'static>(
    future: &Future<T>,
    exception: impl Into<Box<dyn Error + Send + Sync + 'static>>,
) -> Result<(), InvalidStateError> {
    let exception = into_exception(exception.into());
    match future.set_exception(Arc::clone(&exception)) {
        Err(_) if future.cancelled() => {
            tracing::error!(target: APP_LOG, "Exception after Future was cancelled: {exception}");
            Ok(())
        }
        other => other,
    }
}

/// Calls `callback` with `future` once it is done (Tornado's
/// `future_add_done_callback`).
///
/// Unlike [`Future::add_done_callback`], a future that is already done gets
/// the callback run immediately, on this stack; otherwise the callback runs
/// on a later loop iteration as usual.
pub fn future_add_done_callback<T: Send + 'static>(
    future: &Future<T>,
    callback: impl FnOnce(&Future<T>) + Send + 'static,
) {
    if future.done() {
        callback(future);
    } else {
        future.add_done_callback(callback);
    }
}
