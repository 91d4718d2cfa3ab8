//! The state every handle of one queue shares, and the rules that move
//! items between putters, the store and getters.

use std::marker::PhantomData;
use std::sync::{Mutex, MutexGuard};

use super::order::QueueOrder;
use crate::locks::Event;
use crate::locks::waiting::{WaitRole, lock};
use crate::locks::waitlist::{WaitList, Wakeups};

/// What the handles of one queue share.
pub(super) struct Shared<T, O: QueueOrder<T>> {
    pub(super) state: Mutex<State<T, O>>,
}

/// The queue proper, behind the mutex.
///
/// Invariants: getters wait only while the store is empty, and putters only
/// while it is full; an item is handed straight from a put to the oldest
/// waiting getter, and a get pulls the oldest waiting putter's item in.
pub(super) struct State<T, O: QueueOrder<T>> {
    pub(super) maxsize: usize,
    pub(super) store: O::Store,
    pub(super) getters: WaitList<(), T>,
    pub(super) putters: WaitList<T, ()>,
    /// Items put and not yet marked done with `task_done`.
    pub(super) unfinished: usize,
    /// Set while `unfinished` is zero; what `join` waits on.
    pub(super) finished: Event,
}

impl<T, O: QueueOrder<T>> Shared<T, O> {
    pub(super) fn new(maxsize: usize) -> Self {
        let finished = Event::new();
        finished.set();
        Shared {
            state: Mutex::new(State {
                maxsize,
                store: O::Store::default(),
                getters: WaitList::default(),
                putters: WaitList::default(),
                unfinished: 0,
                finished,
            }),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State<T, O>> {
        lock(&self.state)
    }
}

impl<T, O: QueueOrder<T>> State<T, O> {
    pub(super) fn qsize(&self) -> usize {
        O::len(&self.store)
    }

    pub(super) fn full(&self) -> bool {
        self.maxsize != 0 && self.qsize() >= self.maxsize
    }

    /// Counts a new item as unfinished.
    fn track(&mut self) {
        // `finished` is set exactly while `unfinished` is zero, so only the
        // first unfinished item clears it (sparing every other put the
        // event's lock).
        if self.unfinished == 0 {
            self.finished.clear();
        }
        self.unfinished += 1;
    }

    /// Puts `item` in: to the oldest live getter if one waits, else into
    /// the store if there is room; otherwise gives it back.
    pub(super) fn offer(&mut self, item: T, wakeups: &mut Wakeups) -> Result<(), T> {
        if let Some((getter, ())) = self.getters.pop_live() {
            self.track();
            self.getters.grant(getter, item, wakeups);
            Ok(())
        } else if self.full() {
            Err(item)
        } else {
            self.track();
            O::put(&mut self.store, item);
            Ok(())
        }
    }

    /// Takes the next item, if any. If putters wait, the oldest one's item
    /// is moved into the store first (so a priority queue compares it with
    /// the stored ones) and that putter is released.
    pub(super) fn take(&mut self, wakeups: &mut Wakeups) -> Option<T> {
        if let Some((putter, item)) = self.putters.pop_live() {
            self.track();
            O::put(&mut self.store, item);
            self.putters.grant(putter, (), wakeups);
        }
        O::get(&mut self.store)
    }

    /// Delivers again an item whose getter went away before taking it: to
    /// the next live getter, or back into the store where it comes out
    /// next. It stays counted as unfinished. Like the store, it may briefly
    /// exceed `maxsize` if putters filled the queue meanwhile.
    fn redeliver(&mut self, item: T, wakeups: &mut Wakeups) {
        match self.getters.pop_live() {
            Some((getter, ())) => self.getters.grant(getter, item, wakeups),
            None => O::put_back(&mut self.store, item),
        }
    }
}

/// The getters of a queue.
pub(super) struct Getters<T, O>(PhantomData<fn() -> (T, O)>);

impl<T, O: QueueOrder<T>> WaitRole for Getters<T, O> {
    type Host = Shared<T, O>;
    type State = State<T, O>;
    type Payload = ();
    type Grant = T;

    fn lock(host: &Shared<T, O>) -> MutexGuard<'_, State<T, O>> {
        host.lock()
    }

    fn list(state: &mut State<T, O>) -> &mut WaitList<(), T> {
        &mut state.getters
    }

    fn abandon(state: &mut State<T, O>, item: T, wakeups: &mut Wakeups) {
        state.redeliver(item, wakeups);
    }
}

/// The putters of a queue.
pub(super) struct Putters<T, O>(PhantomData<fn() -> (T, O)>);

impl<T, O: QueueOrder<T>> WaitRole for Putters<T, O> {
    type Host = Shared<T, O>;
    type State = State<T, O>;
    type Payload = T;
    type Grant = ();

    fn lock(host: &Shared<T, O>) -> MutexGuard<'_, State<T, O>> {
        host.lock()
    }

    fn list(state: &mut State<T, O>) -> &mut WaitList<T, ()> {
        &mut state.putters
    }

    fn abandon(_state: &mut State<T, O>, (): (), _wakeups: &mut Wakeups) {
        // The item is already in the queue: the put happened.
    }
}

#[cfg(test)]
mod tests {
    use super::super::order::{Fifo, Priority};
    use super::*;

    #[test]
    fn offer_fills_up_to_maxsize_then_gives_the_item_back() {
        let shared: Shared<u32, Fifo> = Shared::new(2);
        let mut wakeups = Wakeups::default();
        let mut state = shared.lock();
        assert_eq!(state.offer(1, &mut wakeups), Ok(()));
        assert_eq!(state.offer(2, &mut wakeups), Ok(()));
        assert!(state.full());
        assert_eq!(state.offer(3, &mut wakeups), Err(3));
        assert_eq!(state.unfinished, 2);
        assert!(!state.finished.is_set());
    }

    #[test]
    fn offer_hands_the_item_to_a_waiting_getter() {
        let shared: Shared<u32, Fifo> = Shared::new(1);
        let mut wakeups = Wakeups::default();
        let mut state = shared.lock();
        let getter = state.getters.register((), None);
        assert_eq!(state.offer(7, &mut wakeups), Ok(()));
        assert_eq!(state.qsize(), 0);
        assert_eq!(state.getters.take_granted(getter), Some(7));
        assert_eq!(state.unfinished, 1);
    }

    #[test]
    fn take_compares_a_waiting_putters_item_with_the_stored_ones() {
        let shared: Shared<u32, Priority> = Shared::new(1);
        let mut wakeups = Wakeups::default();
        let mut state = shared.lock();
        assert_eq!(state.offer(5, &mut wakeups), Ok(()));
        let putter = state.putters.register(1, None);
        // The putter's smaller item comes out first, as in Tornado.
        assert_eq!(state.take(&mut wakeups), Some(1));
        assert_eq!(state.putters.take_granted(putter), Some(()));
        assert_eq!(state.take(&mut wakeups), Some(5));
        assert_eq!(state.take(&mut wakeups), None);
    }

    #[test]
    fn redelivered_item_goes_to_the_next_getter_or_the_front() {
        let shared: Shared<u32, Fifo> = Shared::new(0);
        let mut wakeups = Wakeups::default();
        let mut state = shared.lock();
        let getter = state.getters.register((), None);
        state.redeliver(1, &mut wakeups);
        assert_eq!(state.getters.take_granted(getter), Some(1));
        assert_eq!(state.offer(2, &mut wakeups), Ok(()));
        state.redeliver(1, &mut wakeups);
        assert_eq!(state.take(&mut wakeups), Some(1));
        assert_eq!(state.take(&mut wakeups), Some(2));
    }
}
