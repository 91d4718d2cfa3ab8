//! [`Condition`]: tasks wait until another task notifies them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use super::waiting::{DeadlineTimer, NoDeadline, WaitRole, Waiting, lock};
use super::waitlist::{WaitList, Wakeups};
use crate::util::Deadline;

/// Lets tasks wait until another task notifies them, as Tornado's
/// `locks.Condition`: like `threading.Condition` without the underlying
/// lock.
///
/// [`wait`](Condition::wait) joins the line of waiters the moment it is
/// called; [`notify`](Condition::notify) wakes the oldest waiters first.
/// Waking is asynchronous with respect to `notify`, as in Tornado 5.0: it
/// marks the waiters as notified and wakes their tasks, which resume the
/// next time the runtime polls them — never inside `notify`.
///
/// A waiter that timed out is passed over and does not count against `n`;
/// a waiter whose future is dropped after being notified hands the
/// notification on to the next waiter in line. A notification given when
/// nobody waits is lost, as in Tornado.
///
/// `Condition` is a cheap handle: clones share the same waiters.
#[derive(Clone, Default)]
pub struct Condition {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    waiters: Mutex<WaitList<(), ()>>,
}

/// The waiters of a [`Condition`].
struct Waiters;

impl WaitRole for Waiters {
    type Host = Shared;
    type State = WaitList<(), ()>;
    type Payload = ();
    type Grant = ();

    fn lock(host: &Shared) -> MutexGuard<'_, Self::State> {
        lock(&host.waiters)
    }

    fn list(state: &mut Self::State) -> &mut WaitList<(), ()> {
        state
    }

    fn abandon(state: &mut Self::State, (): (), wakeups: &mut Wakeups) {
        // Passed on to the next live waiter, or lost if there is none, as a
        // notification given to nobody.
        let _ = state.grant_next((), wakeups);
    }
}

impl Condition {
    /// A condition with no waiters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits until notified. The wait is in line from this call on, even
    /// before the future is first polled.
    pub fn wait(&self) -> Wait {
        let mut waiters = lock(&self.shared.waiters);
        Wait(Waiting::enqueue(
            &self.shared,
            &mut *waiters,
            (),
            NoDeadline,
        ))
    }

    /// Waits until notified or until `timeout` passes: `true` if notified,
    /// `false` on timeout (Tornado's `wait(timeout)`). A notification that
    /// arrived before the deadline wins, even if the future is polled later.
    pub fn wait_timeout(&self, timeout: impl Into<Deadline>) -> WaitTimeout {
        let timer = DeadlineTimer::new(timeout.into().instant());
        let mut waiters = lock(&self.shared.waiters);
        WaitTimeout(Waiting::enqueue(&self.shared, &mut *waiters, (), timer))
    }

    /// Wakes up to `n` waiters, oldest first, skipping those that timed out.
    pub fn notify(&self, n: usize) {
        let mut wakeups = Wakeups::default();
        let mut waiters = lock(&self.shared.waiters);
        for _ in 0..n {
            if waiters.grant_next((), &mut wakeups).is_err() {
                break;
            }
        }
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        let mut wakeups = Wakeups::default();
        let mut waiters = lock(&self.shared.waiters);
        while waiters.grant_next((), &mut wakeups).is_ok() {}
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiters = lock(&self.shared.waiters).len();
        f.debug_struct("Condition")
            .field("waiters", &waiters)
            .finish()
    }
}

/// Future of [`Condition::wait`]: resolves when notified.
#[must_use = "a wait does nothing unless awaited; dropping it leaves the line"]
pub struct Wait(Waiting<Waiters, NoDeadline>);

impl Future for Wait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.poll_untimed(cx)
    }
}

impl fmt::Debug for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait").finish_non_exhaustive()
    }
}

/// Future of [`Condition::wait_timeout`]: `true` if notified, `false` on
/// timeout.
#[must_use = "a wait does nothing unless awaited; dropping it leaves the line"]
pub struct WaitTimeout(Waiting<Waiters, DeadlineTimer>);

impl Future for WaitTimeout {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        self.0.poll_wait(cx).map(|outcome| outcome.is_ok())
    }
}

impl fmt::Debug for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitTimeout").finish_non_exhaustive()
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
    fn notify_before_any_poll_resolves_the_oldest_wait() {
        let c = Condition::new();
        let mut first = c.wait();
        let mut second = c.wait();
        c.notify(1);
        assert_eq!(poll_once(&mut second), Poll::Pending);
        assert_eq!(poll_once(&mut first), Poll::Ready(()));
    }

    #[test]
    fn dropped_notified_wait_hands_the_notification_on() {
        let c = Condition::new();
        let first = c.wait();
        let mut second = c.wait();
        c.notify(1);
        drop(first);
        assert_eq!(poll_once(&mut second), Poll::Ready(()));
        assert_eq!(format!("{c:?}"), "Condition { waiters: 0 }");
    }

    #[test]
    fn dropped_waiting_wait_leaves_the_line() {
        let c = Condition::new();
        let first = c.wait();
        assert_eq!(format!("{c:?}"), "Condition { waiters: 1 }");
        drop(first);
        assert_eq!(format!("{c:?}"), "Condition { waiters: 0 }");
    }
}
