//! Writes: queued at once, written out in order by at most one flusher
//! task, each resolved when its last byte reached the kernel.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;

use super::error::{StreamBufferFullError, StreamError};
use super::state::{Shared, State};
use super::stream::IoStream;
use super::transport::Transport;

/// The future of one [`IoStream::write`]: resolves when the written bytes
/// reached the kernel, or fails with [`StreamError::Closed`] (carrying the
/// real error) if the stream closes first. The data is queued when `write`
/// is called, whether or not this future is ever polled.
#[must_use = "the write is queued either way; await this to know it was sent"]
pub struct WriteFuture {
    inner: WriteState,
}

enum WriteState {
    Waiting {
        shared: Arc<Shared>,
        end: u64,
        registered: bool,
    },
    Failed(Option<StreamError>),
}

impl std::fmt::Debug for WriteFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            WriteState::Waiting { end, .. } => {
                f.debug_struct("WriteFuture").field("end", end).finish()
            }
            WriteState::Failed(e) => f.debug_struct("WriteFuture").field("error", e).finish(),
        }
    }
}

impl Future for WriteFuture {
    type Output = Result<(), StreamError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().inner {
            WriteState::Failed(error) => match error.take() {
                Some(error) => Poll::Ready(Err(error)),
                None => Poll::Ready(Err(StreamError::io(io::Error::other(
                    "write future polled after completion",
                )))),
            },
            WriteState::Waiting {
                shared,
                end,
                registered,
            } => shared.with_state(|s| {
                if s.flushed_total >= *end {
                    return Poll::Ready(Ok(()));
                }
                if s.closed {
                    return Poll::Ready(Err(s.closed_error()));
                }
                register(s, *end, registered, cx.waker());
                Poll::Pending
            }),
        }
    }
}

/// Adds (or, when polled again, updates) this write's waker.
fn register(s: &mut State, end: u64, registered: &mut bool, waker: &Waker) {
    if *registered
        && let Some(entry) = s
            .write_waiters
            .iter_mut()
            .find(|(e, w)| *e == end && w.will_wake(waker))
    {
        entry.1 = waker.clone();
        return;
    }
    *registered = true;
    s.write_waiters.push_back((end, waker.clone()));
}

fn failed(error: StreamError) -> WriteFuture {
    WriteFuture {
        inner: WriteState::Failed(Some(error)),
    }
}

impl IoStream {
    /// Queues `data` to be written (Tornado's eager `write`: it is queued
    /// now, whether or not the returned future is polled) and returns a
    /// future that resolves once these bytes reached the kernel. Writes go
    /// out in the order they were made; `Bytes` shares the caller's buffer
    /// without a copy. Fails at once on a closed stream, on a read-only
    /// pipe, or when the queue would pass `max_write_buffer_size`.
    /// Must be called within a tokio runtime.
    pub fn write(&self, data: impl Into<Bytes>) -> WriteFuture {
        let data = data.into();
        let queued = self.shared.with_state(|s| {
            if s.closed {
                return Err(s.closed_error());
            }
            if matches!(s.transport, Transport::PipeRx(_)) {
                return Err(StreamError::io(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "cannot write to the read end of a pipe",
                )));
            }
            if let Some(limit) = s.limits.max_write_buffer_size
                && s.writes.len() + data.len() > limit
            {
                return Err(StreamError::BufferFull(StreamBufferFullError {
                    which: "write",
                    limit,
                }));
            }
            let end = s.writes.push(data);
            if s.flusher_running {
                return Ok((end, false));
            }
            let done = s
                .poll_flush_writes(&mut Context::from_waker(Waker::noop()))
                .is_ready();
            if !done {
                s.flusher_running = true;
            }
            Ok((end, !done))
        });
        match queued {
            Ok((end, spawn_flusher)) => {
                if spawn_flusher {
                    self.spawn_flusher();
                }
                WriteFuture {
                    inner: WriteState::Waiting {
                        shared: self.shared.clone(),
                        end,
                        registered: false,
                    },
                }
            }
            Err(error) => failed(error),
        }
    }

    /// Starts the one task that writes the queue out and exits when it is
    /// empty or the stream closed (the close wakes it).
    ///
    /// The task holds the stream strongly: data written just before the
    /// last handle is dropped still goes out (the stream closes once the
    /// task is done with it).
    fn spawn_flusher(&self) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            self.shared.with_state(|s| {
                s.flusher_running = false;
                s.close(Some(StreamError::io(io::Error::other(
                    "IoStream::write called outside a tokio runtime",
                ))));
            });
            return;
        };
        let shared = self.shared.clone();
        handle.spawn(async move {
            poll_fn(|cx| {
                shared.with_state(|s| {
                    let poll = s.poll_flush_writes(cx);
                    if poll.is_ready() {
                        s.flusher_running = false;
                        s.flusher_waker = None;
                    } else if !s
                        .flusher_waker
                        .as_ref()
                        .is_some_and(|w| w.will_wake(cx.waker()))
                    {
                        s.flusher_waker = Some(cx.waker().clone());
                    }
                    poll
                })
            })
            .await
        });
    }
}
