//! Writes: queued at once, written out in order by at most one flusher
//! task, each resolved when its last byte reached the kernel; and
//! [`IoStream::try_write`], which writes around an empty queue what the
//! transport takes at once.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;

use super::error::{StreamBufferFullError, StreamError};
use super::state::{Shared, State, store_waker};
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
        /// The id of this future's entry among the stream's write
        /// waiters, while it has one.
        registration: Option<u64>,
    },
    /// Written out when the write was made: nothing to wait for.
    Sent,
    Failed(Option<StreamError>),
}

impl std::fmt::Debug for WriteFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            WriteState::Waiting { end, .. } => {
                f.debug_struct("WriteFuture").field("end", end).finish()
            }
            WriteState::Sent => f.debug_struct("WriteFuture").field("sent", &true).finish(),
            WriteState::Failed(e) => f.debug_struct("WriteFuture").field("error", e).finish(),
        }
    }
}

impl Future for WriteFuture {
    type Output = Result<(), StreamError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().inner {
            WriteState::Sent => Poll::Ready(Ok(())),
            WriteState::Failed(error) => match error.take() {
                Some(error) => Poll::Ready(Err(error)),
                None => Poll::Ready(Err(StreamError::io(io::Error::other(
                    "write future polled after completion",
                )))),
            },
            WriteState::Waiting {
                shared,
                end,
                registration,
            } => shared.with_state(|s| {
                // A flush or a close that ends the wait also forgets the
                // entry.
                if s.flushed_total >= *end {
                    *registration = None;
                    return Poll::Ready(Ok(()));
                }
                if s.closed {
                    *registration = None;
                    return Poll::Ready(Err(s.closed_error()));
                }
                *registration = Some(s.write_waiters.register(*end, *registration, cx.waker()));
                Poll::Pending
            }),
        }
    }
}

impl Drop for WriteFuture {
    /// A future dropped while it waits leaves no entry behind.
    fn drop(&mut self) {
        if let WriteState::Waiting {
            shared,
            end,
            registration: Some(id),
        } = &self.inner
        {
            shared.with_state(|s| s.write_waiters.remove(*end, *id));
        }
    }
}

impl WriteFuture {
    /// Whether the bytes were out already when the write was made: the
    /// future is then ready with `Ok`.
    pub(crate) fn is_sent(&self) -> bool {
        matches!(self.inner, WriteState::Sent)
    }
}

/// Fails on a closed stream or on the read end of a pipe.
fn check_writable(s: &State) -> Result<(), StreamError> {
    if s.closed {
        return Err(s.closed_error());
    }
    if matches!(s.transport, Transport::PipeRx(_)) {
        return Err(StreamError::io(io::Error::new(
            io::ErrorKind::Unsupported,
            "cannot write to the read end of a pipe",
        )));
    }
    Ok(())
}

fn failed(error: StreamError) -> WriteFuture {
    WriteFuture {
        inner: WriteState::Failed(Some(error)),
    }
}

/// The largest body [`IoStream::write_with_head`] copies when it has to
/// queue it (the default read chunk).
const COPY_QUEUED_MAX: usize = 64 * 1024;

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
        self.enqueue(data.len(), |s| {
            s.writes.push(data);
            Ok(())
        })
    }

    /// Writes `head` and then `body`, as [`write`](Self::write) would the
    /// two joined, without joining them: with nothing queued on a plain
    /// transport they go to the socket in one vectored write, and only
    /// what it does not take is queued (the rest of `head` copied, and of
    /// `body` copied up to 64 KiB, shared beyond).
    pub(crate) fn write_with_head(&self, head: &[u8], body: Bytes) -> WriteFuture {
        self.enqueue(head.len() + body.len(), |s| {
            let sent = if s.writes.is_empty() && !s.flusher_running {
                let parts = [io::IoSlice::new(head), io::IoSlice::new(&body)];
                s.poll_write_direct(&mut Context::from_waker(Waker::noop()), &parts)?
            } else {
                0
            };
            let rest = body.slice(sent.saturating_sub(head.len())..);
            if sent < head.len() {
                s.writes.push(Bytes::copy_from_slice(&head[sent..]));
            }
            // A queued body up to a read chunk is copied: shared, it could
            // keep a whole read buffer alive for a few bytes of it while
            // the peer is not reading.
            s.writes.push(if rest.len() <= COPY_QUEUED_MAX {
                Bytes::copy_from_slice(&rest)
            } else {
                rest
            });
            Ok(())
        })
    }

    /// Queues `len` bytes with `push` (which may write some of them
    /// straight away) unless the stream is closed or the queue would pass
    /// `max_write_buffer_size`, starts writing them out, and returns the
    /// future of the last of them.
    fn enqueue(
        &self,
        len: usize,
        push: impl FnOnce(&mut State) -> Result<(), StreamError>,
    ) -> WriteFuture {
        let queued = self.shared.with_state(|s| {
            check_writable(s)?;
            if let Some(limit) = s.limits.max_write_buffer_size
                && s.writes.len() + len > limit
            {
                return Err(StreamError::BufferFull(StreamBufferFullError {
                    which: "write",
                    limit,
                }));
            }
            push(s)?;
            let end = s.writes.queued_total();
            if s.flusher_running {
                return Ok(Some((end, false)));
            }
            let done = s
                .poll_flush_writes(&mut Context::from_waker(Waker::noop()))
                .is_ready();
            if !done {
                s.flusher_running = true;
            } else if s.flushed_total >= end {
                // Out already: the future needs neither the stream nor
                // its lock.
                return Ok(None);
            }
            Ok(Some((end, !done)))
        });
        match queued {
            Ok(None) => WriteFuture {
                inner: WriteState::Sent,
            },
            Ok(Some((end, spawn_flusher))) => {
                if spawn_flusher {
                    self.spawn_flusher();
                }
                WriteFuture {
                    inner: WriteState::Waiting {
                        shared: self.shared.clone(),
                        end,
                        registration: None,
                    },
                }
            }
            Err(error) => failed(error),
        }
    }

    /// Writes what the transport takes of `data` at once, without
    /// waiting and without queueing the rest, and returns how much that
    /// was: the write for data that is not kept (the caller writes the
    /// rest with [`write`](Self::write)). Takes nothing (`Ok(0)`) while
    /// earlier writes are still queued, so that the order holds, and on a
    /// TLS stream, whose records are queued as they are sealed. Fails at
    /// once on a closed stream or a read-only pipe; a write error closes
    /// the stream, as a queued write's does.
    pub fn try_write(&self, data: &[u8]) -> Result<usize, StreamError> {
        self.shared.with_state(|s| {
            check_writable(s)?;
            if data.is_empty() || !s.writes.is_empty() || s.flusher_running {
                return Ok(0);
            }
            s.poll_write_direct(
                &mut Context::from_waker(Waker::noop()),
                &[io::IoSlice::new(data)],
            )
        })
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
                    } else {
                        store_waker(&mut s.flusher_waker, cx.waker());
                    }
                    poll
                })
            })
            .await
        });
    }
}

#[cfg(test)]
mod tests {
    use std::task::Context;

    use tokio::net::{TcpListener, TcpStream};

    use super::super::write_waiters::tests::Counter;
    use super::*;

    /// A stream whose peer does not read, with a write waiting on the full
    /// socket.
    async fn stuck_write() -> (IoStream, TcpStream, WriteFuture) {
        let (stream, peer) = connected().await;
        let write = stream.write(vec![0u8; 64 * 1024 * 1024]);
        (stream, peer, write)
    }

    /// A stream on a loopback connection, and its peer's socket.
    async fn connected() -> (IoStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (client, accepted) = tokio::join!(
            TcpStream::connect(listener.local_addr().unwrap()),
            listener.accept()
        );
        (IoStream::from_tcp(client.unwrap()), accepted.unwrap().0)
    }

    fn poll_with(write: &mut WriteFuture, waker: &Waker) -> bool {
        Pin::new(write)
            .poll(&mut Context::from_waker(waker))
            .is_pending()
    }

    fn waiters(stream: &IoStream) -> usize {
        stream.shared.with_state(|s| s.write_waiters.len())
    }

    #[tokio::test]
    async fn try_write_writes_at_once_and_counts_as_written() {
        use tokio::io::AsyncReadExt;
        let (stream, mut peer) = connected().await;
        assert_eq!(stream.try_write(b"hello, ").unwrap(), 7);
        assert_eq!(stream.try_write(b"").unwrap(), 0);
        // A write after it waits for nothing more than its own bytes.
        stream.write(&b"world"[..]).await.unwrap();
        let mut got = [0u8; 12];
        peer.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"hello, world");
        stream.close();
        assert!(matches!(
            stream.try_write(b"late"),
            Err(StreamError::Closed(_))
        ));
    }

    #[tokio::test]
    async fn write_with_head_sends_both_in_order_whatever_the_socket_takes() {
        use tokio::io::AsyncReadExt;
        let (stream, mut peer) = connected().await;
        let body = |fill: u8| Bytes::from(vec![fill; 8 * 1024 * 1024]);
        // Small: out at once. Large: the socket takes part, the rest is
        // queued. Then one behind a queue: its head is queued too.
        let small = stream.write_with_head(b"<1>", Bytes::from_static(b"one"));
        assert!(small.is_sent());
        let large = stream.write_with_head(b"<2>", body(b'2'));
        assert!(!large.is_sent());
        let queued = stream.write_with_head(b"<3>", body(b'3'));
        let mut expected = b"<1>one<2>".to_vec();
        expected.extend_from_slice(&body(b'2'));
        expected.extend_from_slice(b"<3>");
        expected.extend_from_slice(&body(b'3'));
        let mut got = vec![0u8; expected.len()];
        let (read, large, queued) = tokio::join!(peer.read_exact(&mut got), large, queued);
        read.unwrap();
        large.unwrap();
        queued.unwrap();
        assert!(got == expected);
    }

    #[tokio::test]
    async fn write_with_head_copies_a_queued_body_up_to_a_read_chunk() {
        let (stream, _peer, stuck) = stuck_write().await;
        let small = Bytes::from(vec![1u8; 1000]);
        let large = Bytes::from(vec![2u8; COPY_QUEUED_MAX + 1]);
        let queued_small = stream.write_with_head(b"h", small.clone());
        let queued_large = stream.write_with_head(b"h", large.clone());
        assert!(small.is_unique(), "a small body is copied into the queue");
        assert!(!large.is_unique(), "a large one is shared");
        drop((stuck, queued_small, queued_large));
    }

    #[tokio::test]
    async fn write_with_head_counts_both_against_the_write_buffer_limit() {
        let limit = 1024 * 1024;
        let (stream, _peer) = connected().await;
        let stream = stream.with_max_write_buffer_size(Some(limit));
        // The peer does not read: write until something stays queued.
        let mut pending = Vec::new();
        loop {
            let write = stream.write(vec![0u8; 256 * 1024]);
            let sent = write.is_sent();
            pending.push(write);
            if !sent {
                break;
            }
        }
        let room = limit - stream.shared.with_state(|s| s.writes.len());
        let head = b"head";
        let body = |len: usize| Bytes::from(vec![0u8; len - head.len()]);
        let mut over = stream.write_with_head(head, body(room + 1));
        assert!(matches!(
            Pin::new(&mut over).poll(&mut Context::from_waker(Waker::noop())),
            Poll::Ready(Err(StreamError::BufferFull(_)))
        ));
        let mut at_limit = stream.write_with_head(head, body(room));
        assert!(
            Pin::new(&mut at_limit)
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending()
        );
    }

    #[tokio::test]
    async fn try_write_takes_nothing_while_writes_are_queued() {
        let (stream, _peer, write) = stuck_write().await;
        assert_eq!(stream.try_write(b"jump the queue").unwrap(), 0);
        drop(write);
    }

    #[tokio::test]
    async fn a_write_polled_again_keeps_one_entry() {
        let (stream, _peer, mut write) = stuck_write().await;
        for _ in 0..100 {
            assert!(poll_with(&mut write, &Counter::waker().1));
        }
        assert_eq!(waiters(&stream), 1);
        let (last, waker) = Counter::waker();
        assert!(poll_with(&mut write, &waker));
        stream.close();
        assert_eq!(last.woken(), 1);
        assert!(!poll_with(&mut write, &waker));
    }

    #[tokio::test]
    async fn a_write_dropped_while_waiting_leaves_no_entry() {
        let (stream, _peer, mut write) = stuck_write().await;
        // Writes of nothing wait for the one before them.
        let mut empties: Vec<WriteFuture> = (0..10).map(|_| stream.write(Bytes::new())).collect();
        assert!(poll_with(&mut write, Waker::noop()));
        for empty in &mut empties {
            assert!(poll_with(empty, Waker::noop()));
        }
        assert_eq!(waiters(&stream), 11);
        drop(empties);
        assert_eq!(waiters(&stream), 1);
        drop(write);
        assert_eq!(waiters(&stream), 0);
    }
}
