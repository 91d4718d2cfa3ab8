use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::util::log_target::APP_LOG;
use crate::util::panic_message;

/// Logs a panic that escaped a callback, as Tornado's
/// `IOLoop.handle_callback_exception` logs an exception: at error level on
/// the application log, naming the callback.
pub(super) fn report_panic(callback: &str, payload: Box<dyn Any + Send>) {
    tracing::error!(
        target: APP_LOG,
        "Exception in callback {callback}: {}",
        panic_message(payload.as_ref())
    );
}

/// Spawns `future` on `handle`; a panic inside it is logged by
/// [`report_panic`] under `name` instead of being lost in a `JoinError`.
pub(super) fn spawn_logged<Fut>(handle: &Handle, name: &'static str, future: Fut) -> JoinHandle<()>
where
    Fut: Future<Output = ()> + Send + 'static,
{
    handle.spawn(async move {
        if let Err(payload) = AssertUnwindSafe(future).catch_unwind().await {
            report_panic(name, payload);
        }
    })
}
