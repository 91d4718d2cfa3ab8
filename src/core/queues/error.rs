//! Errors of the queues.

use std::fmt;

use crate::util::TimeoutError;

/// [`put_nowait`](super::OrderedQueue::put_nowait) found the queue full (Tornado's
/// `QueueFull`). The item that was not put is given back.
#[derive(Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("queue is full")]
pub struct QueueFull<T>(pub T);

impl<T> QueueFull<T> {
    /// The item that was not put.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueFull(..)")
    }
}

/// [`get_nowait`](super::OrderedQueue::get_nowait) found the queue empty (Tornado's
/// `QueueEmpty`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("queue is empty")]
pub struct QueueEmpty;

/// [`put_timeout`](super::OrderedQueue::put_timeout) found no room before its
/// deadline. The item was not put; it is given back.
#[derive(Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Timeout")]
pub struct PutTimeoutError<T>(pub T);

impl<T> PutTimeoutError<T> {
    /// The item that was not put.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for PutTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PutTimeoutError(..)")
    }
}

impl<T> From<PutTimeoutError<T>> for TimeoutError {
    fn from(_: PutTimeoutError<T>) -> Self {
        TimeoutError
    }
}

/// [`task_done`](super::OrderedQueue::task_done) was called more times than items
/// were put (Tornado's `ValueError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("task_done() called too many times")]
pub struct TaskDoneError;
