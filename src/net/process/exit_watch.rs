//! The task that waits for a subprocess to exit, and what it tells.

use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};

use tokio::process::Child;
use tokio::runtime::Handle;
use tokio::sync::{Notify, watch};

use crate::util::log_target::{APP_LOG, GEN_LOG};
use crate::util::{lock, panic_message};

/// How the wait for a process ended.
pub(super) type Outcome = Result<ExitStatus, Arc<io::Error>>;

/// A callback run once with the exit status.
pub(super) type ExitCallback = Box<dyn FnOnce(ExitStatus) + Send>;

/// The shared side of the waiting task: the outcome once known, the
/// callback to run then, and the kill requests.
pub(super) struct ExitWatch {
    outcome: watch::Receiver<Option<Outcome>>,
    callback: Arc<Mutex<Option<ExitCallback>>>,
    kill: Arc<Notify>,
    handle: Handle,
}

impl ExitWatch {
    /// Spawns the task waiting for `child` on `handle`.
    pub(super) fn spawn(handle: Handle, mut child: Child, pid: u32) -> ExitWatch {
        let (tx, outcome) = watch::channel(None);
        let callback: Arc<Mutex<Option<ExitCallback>>> = Arc::default();
        let kill = Arc::new(Notify::new());
        let task_callback = callback.clone();
        let task_kill = kill.clone();
        handle.spawn(async move {
            let result = loop {
                tokio::select! {
                    status = child.wait() => break status.map_err(Arc::new),
                    () = task_kill.notified() => {
                        if let Err(error) = child.start_kill() {
                            tracing::warn!(target: GEN_LOG, "could not kill process {pid}: {error}");
                        }
                    }
                }
            };
            // Publish first, then take the callback: a callback set in
            // between sees the outcome and runs itself.
            tx.send_replace(Some(result.clone()));
            let callback = lock(&task_callback).take();
            match result {
                Ok(status) => {
                    if let Some(callback) = callback {
                        run_callback(callback, status);
                    }
                }
                Err(error) => tracing::error!(target: GEN_LOG, "waiting for process {pid} failed: {error}"),
            }
        });
        ExitWatch {
            outcome,
            callback,
            kill,
            handle,
        }
    }

    /// The outcome, once the process exited.
    pub(super) fn outcome(&self) -> Option<Outcome> {
        self.outcome.borrow().clone()
    }

    /// A receiver to wait for the outcome with.
    pub(super) fn receiver(&self) -> watch::Receiver<Option<Outcome>> {
        self.outcome.clone()
    }

    /// Sets the callback, replacing one set before; if the process has
    /// exited already, the callback is run soon on the runtime instead.
    pub(super) fn set_callback(&self, callback: ExitCallback) {
        let mut slot = lock(&self.callback);
        match self.outcome() {
            None => *slot = Some(callback),
            Some(Ok(status)) => {
                drop(slot);
                self.handle
                    .spawn(async move { run_callback(callback, status) });
            }
            // The failure was logged; there is no status to report.
            Some(Err(_)) => {}
        }
    }

    /// Asks the task to kill the process (SIGKILL), unless it exited.
    pub(super) fn kill(&self) {
        if self.outcome.borrow().is_none() {
            self.kill.notify_one();
        }
    }
}

/// Runs an exit callback; a panic in it is logged on the application log,
/// as Tornado logs an exception escaping a callback.
fn run_callback(callback: ExitCallback, status: ExitStatus) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| callback(status))) {
        tracing::error!(target: APP_LOG, "Exception in exit callback: {}", panic_message(payload.as_ref()));
    }
}
