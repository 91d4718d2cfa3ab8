//! The futures of a queue's `get` and `put`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::error::PutTimeoutError;
use super::order::{Fifo, QueueOrder};
use super::state::{Getters, Putters};
use crate::locks::waiting::{DeadlineTimer, Expiry, NoDeadline, WaitRole, Waiting};
use crate::util::TimeoutError;

/// Future of [`Queue::get`](super::OrderedQueue::get): the next item.
///
/// It holds its place in line from the `get` call on. Dropping it before it
/// returned its item gives the item to the next getter (or back to the
/// queue), so no item is lost.
#[must_use = "a get does nothing unless awaited; dropping it leaves the line"]
pub struct Get<T, O: QueueOrder<T> = Fifo>(pub(super) Waiting<Getters<T, O>, NoDeadline>);

impl<T, O: QueueOrder<T>> Future for Get<T, O> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.0.poll_untimed(cx)
    }
}

impl<T, O: QueueOrder<T>> fmt::Debug for Get<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get").finish_non_exhaustive()
    }
}

/// Future of [`Queue::get_timeout`](super::OrderedQueue::get_timeout): the next
/// item, or [`TimeoutError`]. An item handed over before the deadline is
/// returned even if the future is polled after it.
#[must_use = "a get does nothing unless awaited; dropping it leaves the line"]
pub struct GetTimeout<T, O: QueueOrder<T> = Fifo>(pub(super) Waiting<Getters<T, O>, DeadlineTimer>);

impl<T, O: QueueOrder<T>> Future for GetTimeout<T, O> {
    type Output = Result<T, TimeoutError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0
            .poll_wait(cx)
            .map(|outcome| outcome.map_err(|(timeout, ())| timeout))
    }
}

impl<T, O: QueueOrder<T>> fmt::Debug for GetTimeout<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetTimeout").finish_non_exhaustive()
    }
}

/// Future of [`Queue::put`](super::OrderedQueue::put): resolves once the item is
/// in the queue (or handed to a getter).
///
/// If the queue had room, the item went in during the `put` call. Dropping
/// a future still waiting for room withdraws the item (it is dropped, never
/// put).
#[must_use = "a put waiting for room does nothing unless awaited; dropping it withdraws the item"]
pub struct Put<T, O: QueueOrder<T> = Fifo>(pub(super) PutStart<Putters<T, O>, NoDeadline>);

/// How a put started: its item went in during the call (and the future
/// needs no handle on the queue), or it waits in line for room.
pub(super) enum PutStart<R: WaitRole, E: Expiry> {
    Done,
    Waiting(Waiting<R, E>),
}

impl<T, O: QueueOrder<T>> Future for Put<T, O> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.0 {
            PutStart::Done => Poll::Ready(()),
            PutStart::Waiting(waiting) => waiting.poll_untimed(cx),
        }
    }
}

impl<T, O: QueueOrder<T>> fmt::Debug for Put<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put").finish_non_exhaustive()
    }
}

/// Future of [`Queue::put_timeout`](super::OrderedQueue::put_timeout): `Ok` once
/// the item is in the queue, or the item given back in a
/// [`PutTimeoutError`] if no room was made before the deadline.
#[must_use = "a put waiting for room does nothing unless awaited; dropping it withdraws the item"]
pub struct PutTimeout<T, O: QueueOrder<T> = Fifo>(
    pub(super) PutStart<Putters<T, O>, DeadlineTimer>,
);

impl<T, O: QueueOrder<T>> Future for PutTimeout<T, O> {
    type Output = Result<(), PutTimeoutError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            PutStart::Done => Poll::Ready(Ok(())),
            PutStart::Waiting(waiting) => waiting
                .poll_wait(cx)
                .map(|outcome| outcome.map_err(|(TimeoutError, item)| PutTimeoutError(item))),
        }
    }
}

impl<T, O: QueueOrder<T>> fmt::Debug for PutTimeout<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutTimeout").finish_non_exhaustive()
    }
}
