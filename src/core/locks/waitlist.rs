//! The FIFO line of waiters behind every lock and queue: who is waiting, in
//! which order, until when, and what each was granted.
//!
//! A waiter is registered once, gets an id that also fixes its place in
//! line, and then is either *granted* a value (a notification, a permit, a
//! queue item) or *cancelled* (it timed out or its future was dropped). A
//! waiter whose deadline has passed is skipped by [`WaitList::pop_live`] even
//! if its future has not noticed the timeout yet, so a timed-out waiter never
//! takes a grant meant for a live one.

use std::collections::BTreeMap;
use std::task::Waker;

use tokio::time::Instant;

/// Wakers collected while a lock is held, woken when this value is dropped.
///
/// Declare it before taking the lock so that it drops after the guard: no
/// waker then runs while our mutex is held, even one that polls its future
/// inline.
#[derive(Default)]
pub(crate) struct Wakeups(Vec<Waker>);

impl Wakeups {
    /// Remembers `waker` to be woken later.
    pub(crate) fn push(&mut self, waker: Waker) {
        self.0.push(waker);
    }
}

impl Drop for Wakeups {
    fn drop(&mut self) {
        // Most operations wake nobody: keep that path to one check.
        if !self.0.is_empty() {
            std::mem::take(&mut self.0)
                .into_iter()
                .for_each(Waker::wake);
        }
    }
}

/// A waiter in line: what it carries (a putter's item), when it gives up,
/// and how to wake it.
struct Waiter<P> {
    payload: P,
    deadline: Option<Instant>,
    waker: Option<Waker>,
}

/// A waiter just taken out of line by [`WaitList::pop_live`]; hand it to
/// [`WaitList::grant`].
#[must_use = "a popped waiter must be granted, or its future never resolves"]
pub(crate) struct Ticket {
    id: u64,
    waker: Option<Waker>,
}

/// Waiters in FIFO order, each carrying a payload `P` and granted a `G`.
pub(crate) struct WaitList<P, G> {
    next_id: u64,
    waiting: BTreeMap<u64, Waiter<P>>,
    granted: BTreeMap<u64, G>,
}

impl<P, G> Default for WaitList<P, G> {
    fn default() -> Self {
        WaitList {
            next_id: 0,
            waiting: BTreeMap::new(),
            granted: BTreeMap::new(),
        }
    }
}

impl<P, G> WaitList<P, G> {
    /// Puts a new waiter at the end of the line and returns its id.
    pub(crate) fn register(&mut self, payload: P, deadline: Option<Instant>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.waiting.insert(
            id,
            Waiter {
                payload,
                deadline,
                waker: None,
            },
        );
        id
    }

    /// How many waiters are still in line (granted ones are not counted).
    pub(crate) fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Records the waker of a waiter still in line.
    pub(crate) fn set_waker(&mut self, id: u64, waker: &Waker) {
        if let Some(waiter) = self.waiting.get_mut(&id) {
            match &waiter.waker {
                Some(old) if old.will_wake(waker) => {}
                _ => waiter.waker = Some(waker.clone()),
            }
        }
    }

    /// Takes a waiter out of line without granting it, returning its
    /// payload; `None` if it is not in line (granted, or already gone).
    pub(crate) fn cancel(&mut self, id: u64) -> Option<P> {
        self.waiting.remove(&id).map(|waiter| waiter.payload)
    }

    /// Takes the value granted to a waiter, if it was granted.
    pub(crate) fn take_granted(&mut self, id: u64) -> Option<G> {
        self.granted.remove(&id)
    }

    /// Takes the oldest waiter whose deadline has not passed out of line.
    /// Waiters that timed out stay where they are: their own futures
    /// notice the timeout and leave.
    pub(crate) fn pop_live(&mut self) -> Option<(Ticket, P)> {
        let mut now = None;
        let id = self
            .waiting
            .iter()
            .find(|(_, waiter)| match waiter.deadline {
                None => true,
                Some(deadline) => *now.get_or_insert_with(Instant::now) < deadline,
            })
            .map(|(id, _)| *id)?;
        let waiter = self.waiting.remove(&id)?;
        let ticket = Ticket {
            id,
            waker: waiter.waker,
        };
        Some((ticket, waiter.payload))
    }

    /// Grants `value` to a waiter taken by [`pop_live`](Self::pop_live) and
    /// schedules its wake-up.
    pub(crate) fn grant(&mut self, ticket: Ticket, value: G, wakeups: &mut Wakeups) {
        self.granted.insert(ticket.id, value);
        if let Some(waker) = ticket.waker {
            wakeups.push(waker);
        }
    }
}

impl<G> WaitList<(), G> {
    /// Grants `value` to the oldest live waiter, or gives it back if there
    /// is none.
    pub(crate) fn grant_next(&mut self, value: G, wakeups: &mut Wakeups) -> Result<(), G> {
        match self.pop_live() {
            Some((ticket, ())) => {
                self.grant(ticket, value, wakeups);
                Ok(())
            }
            None => Err(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn grants_go_in_registration_order() {
        let mut list: WaitList<(), u32> = WaitList::default();
        let mut wakeups = Wakeups::default();
        let a = list.register((), None);
        let b = list.register((), None);
        assert_eq!(list.grant_next(1, &mut wakeups), Ok(()));
        assert_eq!(list.take_granted(b), None);
        assert_eq!(list.take_granted(a), Some(1));
        assert_eq!(list.grant_next(2, &mut wakeups), Ok(()));
        assert_eq!(list.take_granted(b), Some(2));
        assert_eq!(list.grant_next(3, &mut wakeups), Err(3));
    }

    #[test]
    fn cancelled_waiter_is_skipped_and_returns_its_payload() {
        let mut list: WaitList<&str, ()> = WaitList::default();
        let a = list.register("a", None);
        list.register("b", None);
        assert_eq!(list.cancel(a), Some("a"));
        assert_eq!(list.cancel(a), None);
        let (_ticket, payload) = list.pop_live().unwrap();
        assert_eq!(payload, "b");
        assert_eq!(list.len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn expired_waiter_is_passed_over_but_stays_in_line() {
        let mut list: WaitList<(), ()> = WaitList::default();
        let mut wakeups = Wakeups::default();
        let expired = list.register((), Some(Instant::now() + Duration::from_millis(5)));
        let live = list.register((), None);
        tokio::time::advance(Duration::from_millis(5)).await;
        assert_eq!(list.grant_next((), &mut wakeups), Ok(()));
        assert_eq!(list.take_granted(live), Some(()));
        assert_eq!(list.take_granted(expired), None);
        assert_eq!(list.len(), 1);
        assert_eq!(list.cancel(expired), Some(()));
    }

    #[test]
    fn set_waker_ignores_waiters_not_in_line() {
        let mut list: WaitList<(), ()> = WaitList::default();
        list.set_waker(7, Waker::noop());
        assert_eq!(list.len(), 0);
    }
}
