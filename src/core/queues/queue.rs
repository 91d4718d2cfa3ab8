//! [`OrderedQueue`], seen as [`Queue`], [`PriorityQueue`] and [`LifoQueue`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::error::{QueueEmpty, QueueFull, TaskDoneError};
use super::futures::{Get, GetTimeout, Put, PutStart, PutTimeout};
use super::order::{Fifo, Lifo, Priority, QueueOrder};
use super::state::{Getters, Putters, Shared};
use crate::locks::waiting::{DeadlineTimer, Expiry, NoDeadline, Waiting};
use crate::locks::waitlist::Wakeups;
use crate::locks::{EventWait, EventWaitTimeout};
use crate::util::Deadline;

/// Coordinates producer and consumer tasks, as Tornado's `queues.Queue`:
/// items go in with [`put`](OrderedQueue::put) and come out with
/// [`get`](OrderedQueue::get), in the order `O`. It is used under the
/// names [`Queue`] (first in, first out), [`PriorityQueue`] (smallest
/// first) and [`LifoQueue`] (last in, first out); name it directly only to
/// write code generic over the order, or to use an order of your own.
///
/// With a `maxsize` of 0 the queue is unbounded; otherwise `put` waits
/// while it holds `maxsize` items. Every `put` (and `get`) joins its line
/// when called; putters and getters are each served first come, first
/// served. A getter that times out or is dropped never loses an item (it
/// goes to the next getter, or back to the queue), and a putter that times
/// out or is dropped never puts its item ([`put_timeout`](OrderedQueue::put_timeout)
/// gives it back).
///
/// [`task_done`](OrderedQueue::task_done) and [`join`](OrderedQueue::join) track when
/// every item put has been processed.
///
/// `Queue` is a cheap handle: clones share the same queue, and it is
/// `Send + Sync` when `T: Send`. It is also a never-ending [`Stream`] of
/// the items it hands out (Tornado's `async for item in queue`). A `next()`
/// that was cancelled keeps its place in line on this handle: the item it
/// was handed comes out of this handle's next `next()`, or goes back to the
/// queue when the handle is dropped.
pub struct OrderedQueue<T, O: QueueOrder<T>> {
    shared: Arc<Shared<T, O>>,
    /// The get this handle's `Stream` is waiting on.
    next: Option<Get<T, O>>,
}

/// A first-in first-out queue, as Tornado's `queues.Queue`. All its
/// methods are those of [`OrderedQueue`].
pub type Queue<T> = OrderedQueue<T, Fifo>;

/// A queue that hands out the smallest item first, as Tornado's
/// `queues.PriorityQueue`; items are typically `(priority, data)` tuples.
pub type PriorityQueue<T> = OrderedQueue<T, Priority>;

/// A queue that hands out the most recently put item first, as Tornado's
/// `queues.LifoQueue`.
pub type LifoQueue<T> = OrderedQueue<T, Lifo>;

impl<T, O: QueueOrder<T>> OrderedQueue<T, O> {
    /// A queue holding at most `maxsize` items (0: unbounded), as
    /// `Queue::new(maxsize)`, `PriorityQueue::new(maxsize)` or
    /// `LifoQueue::new(maxsize)`.
    pub fn new(maxsize: usize) -> Self {
        OrderedQueue {
            shared: Arc::new(Shared::new(maxsize)),
            next: None,
        }
    }

    /// The most items the queue holds; 0 means unbounded.
    pub fn maxsize(&self) -> usize {
        self.shared.lock().maxsize
    }

    /// The number of items in the queue (not counting items already handed
    /// to getters, nor items of putters still waiting for room).
    pub fn qsize(&self) -> usize {
        self.shared.lock().qsize()
    }

    /// Whether the queue holds no items.
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether the queue holds `maxsize` items; never for an unbounded one.
    pub fn full(&self) -> bool {
        self.shared.lock().full()
    }

    /// Puts an item, waiting for room if the queue is full. If there is
    /// room (or a getter waiting), the item goes in during this call.
    pub fn put(&self, item: T) -> Put<T, O> {
        Put(start_put(&self.shared, item, NoDeadline))
    }

    /// Puts an item, waiting for room at most until `timeout`; on timeout
    /// the item is given back inside the [`PutTimeoutError`](super::PutTimeoutError).
    pub fn put_timeout(&self, item: T, timeout: impl Into<Deadline>) -> PutTimeout<T, O> {
        let timer = DeadlineTimer::new(timeout.into().instant());
        PutTimeout(start_put(&self.shared, item, timer))
    }

    /// Puts an item without waiting, or gives it back in [`QueueFull`].
    /// A waiting getter receives it, but runs only when next polled.
    pub fn put_nowait(&self, item: T) -> Result<(), QueueFull<T>> {
        let mut wakeups = Wakeups::default();
        let mut state = self.shared.lock();
        state.offer(item, &mut wakeups).map_err(QueueFull)
    }

    /// Takes the next item, waiting for one if the queue is empty.
    pub fn get(&self) -> Get<T, O> {
        Get(start_get(&self.shared, NoDeadline))
    }

    /// Takes the next item, waiting at most until `timeout`.
    pub fn get_timeout(&self, timeout: impl Into<Deadline>) -> GetTimeout<T, O> {
        let timer = DeadlineTimer::new(timeout.into().instant());
        GetTimeout(start_get(&self.shared, timer))
    }

    /// Takes the next item without waiting, or fails with [`QueueEmpty`].
    pub fn get_nowait(&self) -> Result<T, QueueEmpty> {
        let mut wakeups = Wakeups::default();
        let mut state = self.shared.lock();
        state.take(&mut wakeups).ok_or(QueueEmpty)
    }

    /// Marks one item taken from the queue as processed. When every item
    /// put has been marked, [`join`](OrderedQueue::join) returns. Fails with
    /// [`TaskDoneError`] if called more times than items were put.
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        // Declared first so that `join` waiters are woken after the queue's
        // lock is released.
        let mut wakeups = Wakeups::default();
        let mut state = self.shared.lock();
        if state.unfinished == 0 {
            return Err(TaskDoneError);
        }
        state.unfinished -= 1;
        if state.unfinished == 0 {
            state.finished.set_later_waking(&mut wakeups);
        }
        Ok(())
    }

    /// Waits until every item put has been marked with
    /// [`task_done`](OrderedQueue::task_done).
    pub fn join(&self) -> EventWait {
        self.shared.lock().finished.wait()
    }

    /// Waits until every item put has been marked done, or fails with
    /// [`TimeoutError`](crate::util::TimeoutError) once `timeout` passes.
    pub fn join_timeout(&self, timeout: impl Into<Deadline>) -> EventWaitTimeout {
        self.shared.lock().finished.wait_timeout(timeout)
    }
}

/// Starts a put: the item goes in now if it can, else the putter waits.
fn start_put<T, O: QueueOrder<T>, E: Expiry>(
    shared: &Arc<Shared<T, O>>,
    item: T,
    expiry: E,
) -> PutStart<Putters<T, O>, E> {
    let mut wakeups = Wakeups::default();
    let mut state = shared.lock();
    match state.offer(item, &mut wakeups) {
        Ok(()) => PutStart::Done,
        Err(item) => PutStart::Waiting(Waiting::enqueue(shared, &mut *state, item, expiry)),
    }
}

/// Starts a get: an item is taken now if there is one, else the getter
/// waits.
fn start_get<T, O: QueueOrder<T>, E: Expiry>(
    shared: &Arc<Shared<T, O>>,
    expiry: E,
) -> Waiting<Getters<T, O>, E> {
    let mut wakeups = Wakeups::default();
    let mut state = shared.lock();
    match state.take(&mut wakeups) {
        Some(item) => Waiting::resolved(shared, item),
        None => Waiting::enqueue(shared, &mut *state, (), expiry),
    }
}

impl<T, O: QueueOrder<T>> Clone for OrderedQueue<T, O> {
    /// Another handle on the same queue (without this handle's pending
    /// stream item).
    fn clone(&self) -> Self {
        OrderedQueue {
            shared: Arc::clone(&self.shared),
            next: None,
        }
    }
}

impl<T, O: QueueOrder<T>> Stream for OrderedQueue<T, O> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        let shared = &this.shared;
        let get = this
            .next
            .get_or_insert_with(|| Get(start_get(shared, NoDeadline)));
        match Pin::new(get).poll(cx) {
            Poll::Ready(item) => {
                this.next = None;
                Poll::Ready(Some(item))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T, O: QueueOrder<T>> fmt::Debug for OrderedQueue<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("Queue")
            .field("maxsize", &state.maxsize)
            .field("qsize", &state.qsize())
            .field("getters", &state.getters.len())
            .field("putters", &state.putters.len())
            .field("unfinished_tasks", &state.unfinished)
            .finish()
    }
}
