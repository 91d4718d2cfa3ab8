//! Functions run just before the process re-executes itself.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use crate::util::log_target::APP_LOG;
use crate::util::{lock, panic_message};

type Hook = Box<dyn FnOnce() + Send>;

static HOOKS: Mutex<Vec<Hook>> = Mutex::new(Vec::new());

/// Adds a function to run just before the process restarts (Tornado's
/// `add_reload_hook`), to release what must not outlive this run: flush
/// files, remove a pid file, close a socket that is not close-on-exec.
/// Hooks run in the order they were added, once at most.
///
/// Files and sockets opened through the standard library, tokio and this
/// crate are close-on-exec already: the new program does not inherit them,
/// and no hook is needed to close them.
///
/// A hook that panics is logged on the application log; the others run
/// and the restart goes on.
pub fn add_reload_hook(hook: impl FnOnce() + Send + 'static) {
    lock(&HOOKS).push(Box::new(hook));
}

/// Runs (and so removes) every hook added so far.
pub(super) fn run_reload_hooks() {
    let hooks = std::mem::take(&mut *lock(&HOOKS));
    for hook in hooks {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(hook)) {
            tracing::error!(
                target: APP_LOG,
                "Exception in reload hook: {}",
                panic_message(payload.as_ref())
            );
        }
    }
}
