//! One `IoLoop` per tokio runtime: the map from runtime id to the loop that
//! `IoLoop::current()` returns inside that runtime.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError, Weak};

use tokio::runtime::{Handle, Id};

use super::io_loop::Inner;

static LOOPS: LazyLock<Mutex<HashMap<Id, Weak<Inner>>>> = LazyLock::new(Default::default);

fn loops() -> MutexGuard<'static, HashMap<Id, Weak<Inner>>> {
    LOOPS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The loop of `handle`'s runtime, made by `make` when there is none yet.
///
/// No `Arc<Inner>` is dropped while the map is locked (dropping the last one
/// would re-enter [`forget`]), so `make` must hand back a loop that something
/// else keeps alive too, or be the only owner of the returned value.
pub(super) fn find_or_insert(handle: &Handle, make: impl FnOnce() -> Arc<Inner>) -> Arc<Inner> {
    let id = handle.id();
    let mut map = loops();
    if let Some(found) = map.get(&id).and_then(Weak::upgrade) {
        return found;
    }
    let fresh = make();
    map.insert(id, Arc::downgrade(&fresh));
    fresh
}

/// Records `inner` as the loop of its runtime.
pub(super) fn insert(inner: &Arc<Inner>) {
    loops().insert(inner.handle.id(), Arc::downgrade(inner));
}

/// Forgets the loop of runtime `id` if it has been dropped (called while it
/// is being dropped; a newer live loop for the same runtime is kept).
pub(super) fn forget(id: Id) {
    let mut map = loops();
    if map.get(&id).is_some_and(|weak| weak.strong_count() == 0) {
        map.remove(&id);
    }
}
