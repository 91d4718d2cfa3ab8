//! The pending writes waiting for their last byte to reach the kernel:
//! one entry per write future, kept in the order of the writes' end
//! offsets, so a flush wakes the writes it finished from the front.

use std::collections::VecDeque;
use std::task::Waker;

/// One waiting write future.
struct Waiter {
    /// Where the write ends in the stream's output.
    end: u64,
    /// Which future registered it (writes of nothing share an end).
    id: u64,
    waker: Waker,
}

/// The waiting write futures, ordered by end offset.
#[derive(Default)]
pub(crate) struct WriteWaiters {
    waiters: VecDeque<Waiter>,
    next_id: u64,
}

impl WriteWaiters {
    /// Registers the waker of the write ending at `end`, or updates it
    /// when `id` (what the future's previous registration returned) is
    /// still registered. Returns the registration's id. A future polled
    /// again holds one entry whatever its waker.
    pub(crate) fn register(&mut self, end: u64, id: Option<u64>, waker: &Waker) -> u64 {
        if let Some(id) = id
            && let Some(at) = self.position(end, id)
        {
            let entry = &mut self.waiters[at].waker;
            if !entry.will_wake(waker) {
                entry.clone_from(waker);
            }
            return id;
        }
        let id = self.next_id;
        self.next_id += 1;
        // Futures mostly register in the order of their writes: at the back.
        let at = self.waiters.partition_point(|w| w.end <= end);
        self.waiters.insert(
            at,
            Waiter {
                end,
                id,
                waker: waker.clone(),
            },
        );
        id
    }

    /// Forgets a registration (its future was dropped while waiting).
    pub(crate) fn remove(&mut self, end: u64, id: u64) {
        if let Some(at) = self.position(end, id) {
            self.waiters.remove(at);
        }
    }

    /// Wakes and forgets the writes that end at or before `flushed`.
    pub(crate) fn wake_flushed(&mut self, flushed: u64) {
        while self.waiters.front().is_some_and(|w| w.end <= flushed) {
            if let Some(waiter) = self.waiters.pop_front() {
                waiter.waker.wake();
            }
        }
    }

    /// Forgets every registration, returning the wakers (the stream
    /// closed: they are woken to fail).
    pub(crate) fn take_wakers(&mut self) -> impl Iterator<Item = Waker> {
        std::mem::take(&mut self.waiters)
            .into_iter()
            .map(|w| w.waker)
    }

    fn position(&self, end: u64, id: u64) -> Option<usize> {
        let start = self.waiters.partition_point(|w| w.end < end);
        self.waiters
            .range(start..)
            .take_while(|w| w.end == end)
            .position(|w| w.id == id)
            .map(|at| start + at)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.waiters.len()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    /// A waker that counts its wake-ups; each one is distinct (no two
    /// `will_wake` each other).
    #[derive(Default)]
    pub(crate) struct Counter(AtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    impl Counter {
        pub(crate) fn waker() -> (Arc<Counter>, Waker) {
            let counter = Arc::new(Counter::default());
            (counter.clone(), Waker::from(counter))
        }

        pub(crate) fn woken(&self) -> usize {
            self.0.load(Ordering::SeqCst)
        }
    }

    fn ends(waiters: &WriteWaiters) -> Vec<u64> {
        waiters.waiters.iter().map(|w| w.end).collect()
    }

    #[test]
    fn a_future_polled_again_keeps_one_entry() {
        let mut waiters = WriteWaiters::default();
        let mut id = None;
        let mut counters = Vec::new();
        for _ in 0..100 {
            // A new waker each time (a future moved between tasks, or
            // polled through a select! that wraps the waker).
            let (counter, waker) = Counter::waker();
            id = Some(waiters.register(10, id, &waker));
            counters.push(counter);
        }
        assert_eq!(waiters.len(), 1);
        waiters.wake_flushed(10);
        // Only the latest waker is woken.
        let woken: Vec<usize> = counters.iter().map(|c| c.woken()).collect();
        assert_eq!(woken.iter().sum::<usize>(), 1);
        assert_eq!(woken.last(), Some(&1));
        assert_eq!(waiters.len(), 0);
    }

    #[test]
    fn entries_stay_ordered_by_end_and_flushes_wake_from_the_front() {
        let mut waiters = WriteWaiters::default();
        let (counter, waker) = Counter::waker();
        // Futures first polled out of order; two writes of nothing share
        // the end of the write before them.
        for end in [30, 10, 20, 10, 50, 40, 30] {
            waiters.register(end, None, &waker);
        }
        assert_eq!(ends(&waiters), [10, 10, 20, 30, 30, 40, 50]);
        waiters.wake_flushed(25);
        assert_eq!(counter.woken(), 3);
        assert_eq!(ends(&waiters), [30, 30, 40, 50]);
        waiters.wake_flushed(29);
        assert_eq!(counter.woken(), 3);
        waiters.wake_flushed(40);
        assert_eq!(counter.woken(), 6);
        assert_eq!(ends(&waiters), [50]);
        assert_eq!(waiters.take_wakers().count(), 1);
        assert_eq!(waiters.len(), 0);
    }

    #[test]
    fn removal_forgets_only_its_own_entry() {
        let mut waiters = WriteWaiters::default();
        let (counter, waker) = Counter::waker();
        let first = waiters.register(10, None, &waker);
        let second = waiters.register(10, None, &waker);
        waiters.register(20, None, &waker);
        waiters.remove(10, second);
        // Removing again, or with the wrong end, does nothing.
        waiters.remove(10, second);
        waiters.remove(20, first);
        assert_eq!(ends(&waiters), [10, 20]);
        waiters.remove(10, first);
        assert_eq!(ends(&waiters), [20]);
        // A removed registration polled again registers anew.
        waiters.register(10, Some(first), &waker);
        assert_eq!(ends(&waiters), [10, 20]);
        waiters.wake_flushed(20);
        assert_eq!(counter.woken(), 2);
    }
}
