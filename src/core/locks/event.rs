//! [`Event`]: a flag tasks can wait on.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use super::waiting::{DeadlineTimer, Expiry, NoDeadline, WaitRole, Waiting, lock};
use super::waitlist::{WaitList, Wakeups};
use crate::util::{Deadline, TimeoutError};

/// A flag that blocks waiting tasks until it is set, as Tornado's
/// `locks.Event` (and `threading.Event`).
///
/// Once set, [`wait`](Event::wait) returns at once until the flag is
/// [cleared](Event::clear). Setting it wakes every task waiting at that
/// moment; clearing it afterwards does not take that back.
///
/// `Event` is a cheap handle: clones share the same flag.
#[derive(Clone, Default)]
pub struct Event {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    value: bool,
    waiters: WaitList<(), ()>,
}

/// The waiters of an [`Event`].
struct Waiters;

impl WaitRole for Waiters {
    type Host = Shared;
    type State = State;
    type Payload = ();
    type Grant = ();

    fn lock(host: &Shared) -> MutexGuard<'_, State> {
        lock(&host.state)
    }

    fn list(state: &mut State) -> &mut WaitList<(), ()> {
        &mut state.waiters
    }

    fn abandon(_state: &mut State, (): (), _wakeups: &mut Wakeups) {
        // Every waiter is woken by `set`; one that left takes nothing from
        // the others.
    }
}

impl Event {
    /// An event whose flag is clear.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        lock(&self.shared.state).value
    }

    /// Sets the flag and wakes every waiting task. Waits started while the
    /// flag is set return at once.
    pub fn set(&self) {
        let mut wakeups = Wakeups::default();
        self.set_later_waking(&mut wakeups);
    }

    /// Sets the flag, leaving the waiting tasks to be woken by `wakeups`:
    /// for a caller that holds a lock of its own, which must be released
    /// before any task is woken.
    pub(crate) fn set_later_waking(&self, wakeups: &mut Wakeups) {
        let mut state = lock(&self.shared.state);
        if !state.value {
            state.value = true;
            while state.waiters.grant_next((), wakeups).is_ok() {}
        }
    }

    /// Clears the flag: waits started from now on block until the next
    /// [`set`](Event::set).
    pub fn clear(&self) {
        lock(&self.shared.state).value = false;
    }

    /// Waits until the flag is set.
    pub fn wait(&self) -> EventWait {
        EventWait(self.start_wait(NoDeadline))
    }

    /// Waits until the flag is set, or fails with [`TimeoutError`] once
    /// `timeout` passes.
    pub fn wait_timeout(&self, timeout: impl Into<Deadline>) -> EventWaitTimeout {
        let timer = DeadlineTimer::new(timeout.into().instant());
        EventWaitTimeout(self.start_wait(timer))
    }

    fn start_wait<E: Expiry>(&self, expiry: E) -> Waiting<Waiters, E> {
        let mut state = lock(&self.shared.state);
        if state.value {
            Waiting::resolved(&self.shared, ())
        } else {
            Waiting::enqueue(&self.shared, &mut *state, (), expiry)
        }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.shared.state);
        f.debug_struct("Event")
            .field("is_set", &state.value)
            .field("waiters", &state.waiters.len())
            .finish()
    }
}

/// Future of [`Event::wait`] (and of a queue's `join`).
#[must_use = "a wait does nothing unless awaited"]
pub struct EventWait(Waiting<Waiters, NoDeadline>);

impl Future for EventWait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.poll_untimed(cx)
    }
}

impl fmt::Debug for EventWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait").finish_non_exhaustive()
    }
}

/// Future of [`Event::wait_timeout`] (and of a queue's `join_timeout`).
#[must_use = "a wait does nothing unless awaited"]
pub struct EventWaitTimeout(Waiting<Waiters, DeadlineTimer>);

impl Future for EventWaitTimeout {
    type Output = Result<(), TimeoutError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0
            .poll_wait(cx)
            .map(|outcome| outcome.map_err(|(timeout, ())| timeout))
    }
}

impl fmt::Debug for EventWaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWaitTimeout").finish_non_exhaustive()
    }
}
