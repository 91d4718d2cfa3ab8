use std::any::type_name;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedReceiver;

use super::io_loop::Inner;
use super::report::report_panic;

/// A function queued with `add_callback`, with the name its panics are
/// logged under.
pub(super) struct Callback {
    name: &'static str,
    run: Box<dyn FnOnce() + Send>,
}

impl Callback {
    /// Queues `f`, naming it after its type.
    pub(super) fn new<F: FnOnce() + Send + 'static>(f: F) -> Self {
        Callback::named(type_name::<F>(), f)
    }

    /// Queues `f` under an explicit name (when `f` wraps the user's function).
    pub(super) fn named<F: FnOnce() + Send + 'static>(name: &'static str, f: F) -> Self {
        Callback {
            name,
            run: Box::new(f),
        }
    }

    fn run(self) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(self.run)) {
            report_panic(self.name, payload);
        }
    }
}

/// The task that runs a loop's callbacks one after the other, in the order
/// they were queued. It ends when every sender is gone.
///
/// `keep_alive` ties a loop that borrows its runtime to that runtime's
/// lifetime: while the runtime holds this task, the loop (its queue, its
/// default executor) stays the one `IoLoop::current()` returns.
pub(super) async fn run_callbacks(
    mut queue: UnboundedReceiver<Callback>,
    keep_alive: Option<Arc<Inner>>,
) {
    let _keep_alive = keep_alive;
    while let Some(callback) = queue.recv().await {
        callback.run();
    }
}
