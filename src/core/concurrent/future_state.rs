//! The state shared by every clone of a [`Future`](super::Future).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::Waker;

use tokio::runtime::Handle;

use super::error::{CancelledError, Exception, FutureError};
use crate::util::log_target::APP_LOG;

/// How a future finished.
pub(super) enum Outcome<T> {
    /// `set_result` was called.
    Result(T),
    /// `set_exception` was called.
    Exception(Exception),
    /// `cancel` was called first.
    Cancelled,
}

/// A callback waiting for the future to finish; it receives a handle on the
/// finished future.
pub(super) type DoneCallback<T> = Box<dyn FnOnce(&super::Future<T>) + Send + 'static>;

/// Everything behind the future's lock.
pub(super) struct State<T> {
    pub(super) outcome: Option<Outcome<T>>,
    pub(super) callbacks: Vec<DoneCallback<T>>,
    /// The runtime of the code that added the first callback: callbacks run
    /// there even when the outcome is set from a thread outside any runtime.
    pub(super) runtime: Option<Handle>,
    /// Tasks awaiting the future, one entry per awaiting handle.
    wakers: HashMap<usize, Waker>,
    next_waker_key: usize,
    /// Whether anyone looked at the exception; an exception nobody looked
    /// at is logged when the last handle goes away.
    exception_retrieved: bool,
}

impl<T> State<T> {
    fn new() -> Self {
        State {
            outcome: None,
            callbacks: Vec::new(),
            runtime: None,
            wakers: HashMap::new(),
            next_waker_key: 0,
            exception_retrieved: false,
        }
    }

    /// Remembers `waker` for the handle whose key is `key` (allocating a key
    /// on its first wait) and returns the key.
    pub(super) fn register_waker(&mut self, key: Option<usize>, waker: &Waker) -> usize {
        match key.and_then(|k| self.wakers.get_mut(&k).map(|w| (k, w))) {
            Some((k, existing)) => {
                if !existing.will_wake(waker) {
                    existing.clone_from(waker);
                }
                k
            }
            None => {
                let k = self.next_waker_key;
                self.next_waker_key += 1;
                self.wakers.insert(k, waker.clone());
                k
            }
        }
    }

    /// Forgets the waker of a handle that stopped waiting.
    pub(super) fn remove_waker(&mut self, key: usize) {
        self.wakers.remove(&key);
    }

    /// Takes every waker, to wake them once the lock is released.
    pub(super) fn take_wakers(&mut self) -> Vec<Waker> {
        self.wakers.drain().map(|(_, w)| w).collect()
    }

    /// The outcome as the awaiting side sees it; `None` while pending.
    pub(super) fn output(&mut self) -> Option<Result<T, FutureError>>
    where
        T: Clone,
    {
        let output = match self.outcome.as_ref()? {
            Outcome::Result(v) => Ok(v.clone()),
            Outcome::Exception(e) => Err(FutureError::Exception(e.clone())),
            Outcome::Cancelled => Err(FutureError::Cancelled(CancelledError)),
        };
        if output.as_ref().is_err_and(|e| e.exception().is_some()) {
            self.exception_retrieved = true;
        }
        Some(output)
    }

    /// The exception, when the future failed; marks it as seen.
    pub(super) fn retrieve_exception(&mut self) -> Option<Exception> {
        match &self.outcome {
            Some(Outcome::Exception(e)) => {
                self.exception_retrieved = true;
                Some(e.clone())
            }
            _ => None,
        }
    }
}

/// The allocation every clone of one future points to.
pub(super) struct Shared<T> {
    state: Mutex<State<T>>,
}

impl<T> Shared<T> {
    pub(super) fn new() -> Self {
        Shared {
            state: Mutex::new(State::new()),
        }
    }

    /// Locks the state. No user code runs under this lock except `T::clone`;
    /// should that panic, the state is still consistent, so a poisoned lock
    /// is simply taken over.
    pub(super) fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(Outcome::Exception(e)) = &state.outcome
            && !state.exception_retrieved
        {
            tracing::error!(target: APP_LOG, "Future exception was never retrieved: {e}");
        }
    }
}
