//! The one future behind every wait of this crate's locks and queues.
//!
//! A wait is registered in its [`WaitList`] when the operation is called,
//! not when the future is first polled — as a Tornado future exists from
//! the moment the method returns — so the order of calls is the order of
//! service. The future then resolves with what it was granted, or with its
//! payload given back once its deadline passes. Dropping it leaves the line;
//! a grant it received but never returned is handed on by its owner
//! ([`WaitRole::abandon`]), so nothing is ever swallowed.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use tokio::time::{Instant, Sleep};

use super::waitlist::{WaitList, Wakeups};
use crate::util::TimeoutError;

/// Locks a mutex, ignoring poisoning: no code of ours panics while holding
/// one, and the state it guards stays consistent between statements.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One kind of waiter of one kind of shared object: where its line is and
/// what to do with a grant nobody will take.
pub(crate) trait WaitRole {
    /// The shared object (kept in an `Arc`).
    type Host;
    /// The state behind the host's mutex.
    type State;
    /// What a waiter carries while in line.
    type Payload;
    /// What a waiter is granted.
    type Grant;

    /// Locks the host's state.
    fn lock(host: &Self::Host) -> MutexGuard<'_, Self::State>;
    /// The line of this role inside the locked state.
    fn list(state: &mut Self::State) -> &mut WaitList<Self::Payload, Self::Grant>;
    /// Passes on a grant whose future was dropped before returning it.
    fn abandon(state: &mut Self::State, grant: Self::Grant, wakeups: &mut Wakeups);
}

/// When a wait gives up, if ever.
pub(crate) trait Expiry: Unpin {
    /// What a wait reports when it gives up.
    type Expired;

    /// The deadline stored with the waiter, if any.
    fn deadline(&self) -> Option<Instant>;
    /// `Some` once the deadline has passed; otherwise arranges a wake-up
    /// for it.
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> Option<Self::Expired>;
}

/// A wait without deadline.
pub(crate) struct NoDeadline;

impl Expiry for NoDeadline {
    type Expired = Infallible;

    fn deadline(&self) -> Option<Instant> {
        None
    }

    fn poll_expired(&mut self, _cx: &mut Context<'_>) -> Option<Infallible> {
        None
    }
}

/// A wait that gives up at an instant. The timer is created on first poll,
/// so the wait can be registered outside a runtime.
pub(crate) struct DeadlineTimer {
    at: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl DeadlineTimer {
    pub(crate) fn new(at: Instant) -> Self {
        DeadlineTimer { at, sleep: None }
    }
}

impl Expiry for DeadlineTimer {
    type Expired = TimeoutError;

    fn deadline(&self) -> Option<Instant> {
        Some(self.at)
    }

    fn poll_expired(&mut self, cx: &mut Context<'_>) -> Option<TimeoutError> {
        if Instant::now() >= self.at {
            return Some(TimeoutError);
        }
        let at = self.at;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
        sleep.as_mut().poll(cx).is_ready().then_some(TimeoutError)
    }
}

/// How a wait ends: granted, or given up with the reason and the payload
/// given back.
pub(crate) type Outcome<R, E> =
    Result<<R as WaitRole>::Grant, (<E as Expiry>::Expired, <R as WaitRole>::Payload)>;

/// A wait registered in line, or one that succeeded at once.
///
/// Either way the value is held for this future until it returns it; if
/// the future is dropped first, the value is passed on by
/// [`WaitRole::abandon`] (a permit freed, a queue item put back) so
/// nothing is lost.
pub(crate) struct Waiting<R: WaitRole, E: Expiry> {
    host: Arc<R::Host>,
    stage: Stage<R::Grant, E>,
}

enum Stage<G, E> {
    /// Succeeded without waiting; the value is not yet returned.
    Resolved(G),
    /// In line under this id.
    Queued(u64, E),
    /// The value (or the timeout) was returned.
    Finished,
}

// Nothing is ever pinned structurally: values are moved out by value.
impl<R: WaitRole, E: Expiry> Unpin for Waiting<R, E> {}

impl<R: WaitRole, E: Expiry> Waiting<R, E> {
    /// A wait that already has its value.
    pub(crate) fn resolved(host: &Arc<R::Host>, grant: R::Grant) -> Self {
        Waiting {
            host: Arc::clone(host),
            stage: Stage::Resolved(grant),
        }
    }

    /// Registers a waiter carrying `payload` in the line of `state` (the
    /// locked state of `host`).
    pub(crate) fn enqueue(
        host: &Arc<R::Host>,
        state: &mut R::State,
        payload: R::Payload,
        expiry: E,
    ) -> Self {
        let id = R::list(state).register(payload, expiry.deadline());
        Waiting {
            host: Arc::clone(host),
            stage: Stage::Queued(id, expiry),
        }
    }

    /// The shared object this wait belongs to.
    pub(crate) fn host(&self) -> &Arc<R::Host> {
        &self.host
    }

    /// Polls for the grant, or for the payload back with the reason the
    /// wait gave up. After it returned `Ready`, it stays `Pending`.
    pub(crate) fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<Outcome<R, E>> {
        let (id, expiry) = match &mut self.stage {
            Stage::Finished => return Poll::Pending,
            Stage::Queued(id, expiry) => (*id, expiry),
            Stage::Resolved(_) => {
                return match std::mem::replace(&mut self.stage, Stage::Finished) {
                    Stage::Resolved(grant) => Poll::Ready(Ok(grant)),
                    _ => Poll::Pending,
                };
            }
        };
        let expired = expiry.poll_expired(cx);
        let mut state = R::lock(&self.host);
        let list = R::list(&mut state);
        // A grant made before the deadline wins over the timeout.
        if let Some(grant) = list.take_granted(id) {
            drop(state);
            self.stage = Stage::Finished;
            return Poll::Ready(Ok(grant));
        }
        if let Some(reason) = expired
            && let Some(payload) = list.cancel(id)
        {
            drop(state);
            self.stage = Stage::Finished;
            return Poll::Ready(Err((reason, payload)));
        }
        list.set_waker(id, cx.waker());
        Poll::Pending
    }
}

impl<R: WaitRole> Waiting<R, NoDeadline> {
    /// Polls a wait that cannot time out.
    pub(crate) fn poll_untimed(&mut self, cx: &mut Context<'_>) -> Poll<R::Grant> {
        self.poll_wait(cx).map(|outcome| match outcome {
            Ok(grant) => grant,
            Err((never, _)) => match never {},
        })
    }
}

impl<R: WaitRole, E: Expiry> Drop for Waiting<R, E> {
    fn drop(&mut self) {
        // Both are dropped after the lock is released (locals drop in
        // reverse order): wakers and user payloads may run arbitrary code.
        let mut wakeups = Wakeups::default();
        let _cancelled_payload = match std::mem::replace(&mut self.stage, Stage::Finished) {
            Stage::Finished => None,
            Stage::Resolved(grant) => {
                R::abandon(&mut R::lock(&self.host), grant, &mut wakeups);
                None
            }
            Stage::Queued(id, _) => {
                let mut state = R::lock(&self.host);
                let list = R::list(&mut state);
                let cancelled = list.cancel(id);
                if cancelled.is_none()
                    && let Some(grant) = list.take_granted(id)
                {
                    R::abandon(&mut state, grant, &mut wakeups);
                }
                cancelled
            }
        };
    }
}
