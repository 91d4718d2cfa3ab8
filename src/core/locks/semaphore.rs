//! [`Semaphore`] and [`BoundedSemaphore`], and the [`Guard`] their
//! acquisitions (and a [`Lock`](super::Lock)'s) return.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use super::error::ReleaseError;
use super::waiting::{DeadlineTimer, Expiry, NoDeadline, WaitRole, Waiting, lock};
use super::waitlist::{WaitList, Wakeups};
use crate::util::log_target::APP_LOG;
use crate::util::{Deadline, TimeoutError};

/// The shared counter and line of waiters behind a semaphore or lock.
pub(crate) struct Core {
    state: Mutex<State>,
}

struct State {
    /// Permits free to take. Stays 0 while live waiters are in line: a
    /// released permit goes straight to the oldest of them.
    value: usize,
    /// The most permits a bounded semaphore may hold.
    bound: Option<usize>,
    waiters: WaitList<(), ()>,
}

/// The waiters of a semaphore.
struct Waiters;

impl WaitRole for Waiters {
    type Host = Core;
    type State = State;
    type Payload = ();
    type Grant = ();

    fn lock(host: &Core) -> MutexGuard<'_, State> {
        lock(&host.state)
    }

    fn list(state: &mut State) -> &mut WaitList<(), ()> {
        &mut state.waiters
    }

    fn abandon(state: &mut State, (): (), wakeups: &mut Wakeups) {
        // The permit was handed over but never taken: it is still free.
        state.give_permit(wakeups);
    }
}

impl State {
    /// Hands a permit to the oldest live waiter, or adds it to the count.
    fn give_permit(&mut self, wakeups: &mut Wakeups) {
        if self.waiters.grant_next((), wakeups).is_err() {
            self.value = self.value.saturating_add(1);
        }
    }
}

impl Core {
    pub(crate) fn new(value: usize, bound: Option<usize>) -> Arc<Core> {
        Arc::new(Core {
            state: Mutex::new(State {
                value,
                bound,
                waiters: WaitList::default(),
            }),
        })
    }

    pub(crate) fn acquire(self: &Arc<Self>) -> Acquire {
        Acquire(self.start_acquire(NoDeadline))
    }

    pub(crate) fn acquire_timeout(
        self: &Arc<Self>,
        timeout: impl Into<Deadline>,
    ) -> AcquireTimeout {
        let timer = DeadlineTimer::new(timeout.into().instant());
        AcquireTimeout(self.start_acquire(timer))
    }

    fn start_acquire<E: Expiry>(self: &Arc<Self>, expiry: E) -> Waiting<Waiters, E> {
        let mut state = lock(&self.state);
        if state.value > 0 {
            state.value -= 1;
            Waiting::resolved(self, ())
        } else {
            Waiting::enqueue(self, &mut *state, (), expiry)
        }
    }

    /// Releases one permit, without any bound check.
    fn add_permit(&self) {
        let mut wakeups = Wakeups::default();
        lock(&self.state).give_permit(&mut wakeups);
    }

    /// Releases one permit unless that would exceed the bound.
    pub(crate) fn release_checked(&self) -> Result<(), ReleaseError> {
        let mut wakeups = Wakeups::default();
        let mut state = lock(&self.state);
        if state.bound.is_some_and(|bound| state.value >= bound) {
            return Err(ReleaseError::TooManyReleases);
        }
        state.give_permit(&mut wakeups);
        Ok(())
    }

    /// `(free permits, waiters in line)`.
    pub(crate) fn snapshot(&self) -> (usize, usize) {
        let state = lock(&self.state);
        (state.value, state.waiters.len())
    }
}

/// A semaphore, as Tornado's `locks.Semaphore`: a counter of free permits
/// that [`acquire`](Semaphore::acquire) takes from, waiting while it is
/// zero, and [`release`](Semaphore::release) adds to.
///
/// Waiters are served first come, first served: a released permit goes to
/// the oldest waiter still in line, and a new `acquire` never takes a
/// permit while others wait. A waiter that timed out, or whose future was
/// dropped, never keeps a permit: it passes to the next waiter.
///
/// # Guards and manual release
///
/// An acquisition returns a [`Guard`] that releases its permit when
/// dropped — Tornado's `with (yield sem.acquire()):`. Tornado's other
/// style, `yield sem.acquire()` ... `sem.release()`, is
/// [`Guard::forget`] followed later by [`Semaphore::release`]. Every
/// permit is released exactly once by whichever of the two owns it: a
/// guard that is not forgotten always releases on drop, so calling
/// `release` for a permit whose guard is still alive releases it twice
/// (on a plain semaphore that raises the count by one more, as in Tornado).
///
/// `Semaphore` is a cheap handle: clones share the same counter.
#[derive(Clone)]
pub struct Semaphore {
    core: Arc<Core>,
}

impl Default for Semaphore {
    /// A semaphore with one permit, as Tornado's default `value=1`.
    fn default() -> Self {
        Semaphore::new(1)
    }
}

impl Semaphore {
    /// A semaphore with `value` free permits.
    pub fn new(value: usize) -> Self {
        Semaphore {
            core: Core::new(value, None),
        }
    }

    /// Takes a permit, waiting in line for one if none is free. The place
    /// in line is taken by this call, before the future is polled.
    pub fn acquire(&self) -> Acquire {
        self.core.acquire()
    }

    /// Takes a permit, or fails with [`TimeoutError`] once `timeout`
    /// passes; on timeout the count is unchanged.
    pub fn acquire_timeout(&self, timeout: impl Into<Deadline>) -> AcquireTimeout {
        self.core.acquire_timeout(timeout)
    }

    /// Adds a permit, waking the oldest waiter if any. A plain semaphore
    /// may be released more times than it was acquired: the count grows.
    pub fn release(&self) {
        self.core.add_permit();
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (value, waiters) = self.core.snapshot();
        f.debug_struct("Semaphore")
            .field("value", &value)
            .field("waiters", &waiters)
            .finish()
    }
}

/// A [`Semaphore`] that refuses to be released above its initial value,
/// as Tornado's `locks.BoundedSemaphore`: a semaphore released too many
/// times is a bug, reported as [`ReleaseError::TooManyReleases`].
///
/// A [`Guard`] dropped when the count is already at its bound (because the
/// permit was also released by hand) leaves the count alone and logs the
/// mistake on the application log.
#[derive(Clone)]
pub struct BoundedSemaphore {
    core: Arc<Core>,
}

impl Default for BoundedSemaphore {
    /// A bounded semaphore with one permit, as Tornado's default `value=1`.
    fn default() -> Self {
        BoundedSemaphore::new(1)
    }
}

impl BoundedSemaphore {
    /// A semaphore with `value` free permits, never more.
    pub fn new(value: usize) -> Self {
        BoundedSemaphore {
            core: Core::new(value, Some(value)),
        }
    }

    /// Takes a permit, waiting in line for one if none is free.
    pub fn acquire(&self) -> Acquire {
        self.core.acquire()
    }

    /// Takes a permit, or fails with [`TimeoutError`] once `timeout`
    /// passes.
    pub fn acquire_timeout(&self, timeout: impl Into<Deadline>) -> AcquireTimeout {
        self.core.acquire_timeout(timeout)
    }

    /// Gives a permit back, waking the oldest waiter if any; fails if the
    /// count is already at its initial value.
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.core.release_checked()
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (value, waiters) = self.core.snapshot();
        f.debug_struct("BoundedSemaphore")
            .field("value", &value)
            .field("waiters", &waiters)
            .finish()
    }
}

/// A permit held from a [`Semaphore`], [`BoundedSemaphore`] or
/// [`Lock`](super::Lock); it is released when the guard is dropped.
#[must_use = "dropping the guard releases the permit at once"]
pub struct Guard {
    core: Option<Arc<Core>>,
}

impl Guard {
    fn new(core: Arc<Core>) -> Self {
        Guard { core: Some(core) }
    }

    /// Keeps the permit taken without releasing it on drop; release it
    /// later with the semaphore's (or lock's) `release`. This is Tornado's
    /// `yield sem.acquire()` without `with`.
    pub fn forget(mut self) {
        self.core = None;
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(core) = self.core.take()
            && let Err(error) = core.release_checked()
        {
            tracing::error!(
                target: APP_LOG,
                "a guard's permit was also released by hand: {error}"
            );
        }
    }
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard").finish_non_exhaustive()
    }
}

/// Future of an `acquire`: resolves to the [`Guard`] of a permit.
///
/// Once it holds a permit, dropping it without awaiting releases the permit.
#[must_use = "an acquisition does nothing unless awaited; dropping it leaves the line"]
pub struct Acquire(Waiting<Waiters, NoDeadline>);

impl Future for Acquire {
    type Output = Guard;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Guard> {
        let waiting = &mut self.0;
        waiting
            .poll_untimed(cx)
            .map(|()| Guard::new(Arc::clone(waiting.host())))
    }
}

impl fmt::Debug for Acquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire").finish_non_exhaustive()
    }
}

/// Future of an `acquire_timeout`: the [`Guard`] of a permit, or
/// [`TimeoutError`].
#[must_use = "an acquisition does nothing unless awaited; dropping it leaves the line"]
pub struct AcquireTimeout(Waiting<Waiters, DeadlineTimer>);

impl Future for AcquireTimeout {
    type Output = Result<Guard, TimeoutError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let waiting = &mut self.0;
        waiting.poll_wait(cx).map(|outcome| match outcome {
            Ok(()) => Ok(Guard::new(Arc::clone(waiting.host()))),
            Err((timeout, ())) => Err(timeout),
        })
    }
}

impl fmt::Debug for AcquireTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireTimeout").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use super::*;

    fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
        Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn forgotten_guard_keeps_its_permit_until_released_by_hand() {
        let sem = Semaphore::new(1);
        let Poll::Ready(guard) = poll_once(&mut sem.acquire()) else {
            panic!("a free permit is taken at once");
        };
        guard.forget();
        assert_eq!(sem.core.snapshot(), (0, 0));
        sem.release();
        assert_eq!(sem.core.snapshot(), (1, 0));
    }

    #[test]
    fn unawaited_acquisition_gives_its_permit_back() {
        let sem = BoundedSemaphore::new(1);
        drop(sem.acquire());
        assert_eq!(sem.core.snapshot(), (1, 0));
        // The bound still holds: the permit was not counted twice.
        assert_eq!(sem.release(), Err(ReleaseError::TooManyReleases));
    }

    #[test]
    fn guard_releases_to_the_oldest_waiter() {
        let lock = Core::new(1, Some(1));
        let Poll::Ready(guard) = poll_once(&mut lock.acquire()) else {
            panic!("an unlocked lock is taken at once");
        };
        let mut first = lock.acquire();
        let mut second = lock.acquire();
        drop(guard);
        assert_eq!(lock.snapshot(), (0, 1));
        assert!(poll_once(&mut second).is_pending());
        assert!(poll_once(&mut first).is_ready());
    }
}
