//! Autoreload is off in the worker processes of `process::fork_processes`.
//!
//! `process` lives in the layer above this one, so autoreload cannot ask
//! it for a task id: the forking code raises this flag in each child
//! instead. A worker that re-executed itself would start the whole program
//! again, forking a new set of workers under the old parent.

use std::sync::atomic::{AtomicBool, Ordering};

static FORKED_WORKER: AtomicBool = AtomicBool::new(false);

/// Marks this process as a worker forked by `process::fork_processes`:
/// autoreload never restarts it.
pub(crate) fn mark_forked_worker() {
    FORKED_WORKER.store(true, Ordering::SeqCst);
}

/// Whether [`mark_forked_worker`] was called in this process.
pub(super) fn is_forked_worker() -> bool {
    FORKED_WORKER.load(Ordering::SeqCst)
}
