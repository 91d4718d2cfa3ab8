//! One `IoLoop` per tokio runtime: the map from runtime id to the loop that
//! `IoLoop::current()` returns inside that runtime.
//!
//! The map is global and behind a mutex; each thread remembers the last
//! loop it looked up, so the code running on a loop's threads finds it
//! without taking that mutex.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError, Weak};

use tokio::runtime::{Handle, Id};

use super::io_loop::Inner;

static LOOPS: LazyLock<Mutex<HashMap<Id, Weak<Inner>>>> = LazyLock::new(Default::default);

thread_local! {
    /// The loop this thread looked up last. A runtime has at most one live
    /// loop at a time, so a cached loop that is still alive is the one the
    /// map holds for its runtime.
    static LAST_FOUND: RefCell<Option<(Id, Weak<Inner>)>> = const { RefCell::new(None) };
}

/// The loop of runtime `id` if this thread looked it up last and it lives.
fn cached(id: Id) -> Option<Arc<Inner>> {
    LAST_FOUND
        .try_with(|last| match &*last.borrow() {
            Some((cached_id, inner)) if *cached_id == id => inner.upgrade(),
            _ => None,
        })
        .ok()
        .flatten()
}

/// Remembers `inner` as the loop this thread looked up last.
fn remember(id: Id, inner: &Arc<Inner>) {
    // The old entry is only a `Weak`: replacing it drops no loop. During
    // the thread's teardown there is nothing to remember.
    let _ = LAST_FOUND.try_with(|last| *last.borrow_mut() = Some((id, Arc::downgrade(inner))));
}

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
    if let Some(found) = cached(id) {
        return found;
    }
    let found = {
        let mut map = loops();
        match map.get(&id).and_then(Weak::upgrade) {
            Some(found) => found,
            None => {
                let fresh = make();
                map.insert(id, Arc::downgrade(&fresh));
                fresh
            }
        }
    };
    remember(id, &found);
    found
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::runtime::Builder;
    use tokio::sync::mpsc::unbounded_channel;

    use super::*;
    use crate::concurrent::BlockingPool;

    /// A loop borrowing `handle`'s runtime, with nothing running its queue.
    fn bare_loop(handle: &Handle) -> Arc<Inner> {
        let (callbacks, _queue) = unbounded_channel();
        Arc::new(Inner {
            handle: handle.clone(),
            callbacks,
            default_executor: Mutex::new(Arc::new(BlockingPool::new(handle.clone()))),
            owned: None,
        })
    }

    #[test]
    fn a_live_loop_is_found_again_and_a_dropped_one_is_not() {
        let runtime = Builder::new_current_thread().build().unwrap();
        let handle = runtime.handle();
        let made = AtomicUsize::new(0);
        let make = || {
            made.fetch_add(1, Ordering::SeqCst);
            bare_loop(handle)
        };

        let first = find_or_insert(handle, make);
        // Found again on this thread (through its cache) and on another
        // (through the map).
        assert!(Arc::ptr_eq(&find_or_insert(handle, make), &first));
        let elsewhere = std::thread::scope(|s| s.spawn(|| find_or_insert(handle, make)).join());
        assert!(Arc::ptr_eq(&elsewhere.unwrap(), &first));
        assert_eq!(made.load(Ordering::SeqCst), 1);

        // Once dropped, neither the cache nor the map hands it out.
        drop(first);
        let second = find_or_insert(handle, make);
        assert_eq!(made.load(Ordering::SeqCst), 2);
        assert!(Arc::ptr_eq(&find_or_insert(handle, make), &second));
    }
}
