//! The shared state of a stream behind its lock, and the steps every
//! operation is made of: fill the read buffer, flush the write queue, close.

use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use bytes::{BufMut, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

use super::error::{StreamBufferFullError, StreamError};
use super::transport::{Socket, Transport};
use super::write_queue::{WriteQueue, empty_slices};
use super::write_waiters::WriteWaiters;
use crate::util::buffer_pool::{self, Pool};
use crate::util::log_target::APP_LOG;
use crate::util::panic_message;

/// Tornado's default `max_buffer_size`: 100 MiB.
pub(crate) const DEFAULT_MAX_BUFFER_SIZE: usize = 100 * 1024 * 1024;
/// Tornado's default `read_chunk_size`: 64 KiB.
pub(crate) const DEFAULT_READ_CHUNK_SIZE: usize = 64 * 1024;
/// A read that needs at least this many more bytes reads just those, so
/// large reads leave no tail to move.
const EXACT_READ_MIN: usize = 4096;
/// Results up to this size are copied out of the read buffer: a small
/// message kept by the caller then holds its own few bytes, not the whole
/// read chunk (64 KiB by default) it arrived in. Larger ones share it.
pub(crate) const COPY_MAX: usize = 4096;

/// What runs once when the stream closes.
pub(crate) type CloseCallback = Box<dyn FnOnce() + Send>;

/// The size limits of a stream; the two a read looks at first (see
/// `State`'s layout).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub(crate) struct Limits {
    pub(crate) max_buffer_size: usize,
    pub(crate) read_chunk_size: usize,
    pub(crate) max_write_buffer_size: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_buffer_size: DEFAULT_MAX_BUFFER_SIZE,
            read_chunk_size: DEFAULT_READ_CHUNK_SIZE,
            max_write_buffer_size: None,
        }
    }
}

impl Limits {
    /// The read size: `read_chunk_size`, but at most half the buffer limit
    /// (as Tornado: a chunk close to the limit fails reads needlessly).
    fn chunk(&self) -> usize {
        self.read_chunk_size.min(self.max_buffer_size / 2).max(1)
    }
}

/// Wake-ups and the close callback owed after a close, run once the lock
/// is released.
#[derive(Default)]
pub(crate) struct Closing {
    wakers: Vec<Waker>,
    callback: Option<CloseCallback>,
}

impl Closing {
    pub(crate) fn finish(self) {
        for waker in self.wakers {
            waker.wake();
        }
        if let Some(callback) = self.callback {
            run_close_callback(callback);
        }
    }
}

/// Runs the close callback as its own task (Tornado runs it on the next
/// loop iteration), after the pending operations were woken to fail.
/// A panic in it is logged, as Tornado logs exceptions of callbacks.
pub(crate) fn run_close_callback(callback: CloseCallback) {
    let guarded = move || {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(callback)) {
            tracing::error!(
                target: APP_LOG,
                "Exception in close callback: {}",
                panic_message(panic.as_ref())
            );
        }
    };
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(async move { guarded() });
        }
        Err(_) => guarded(),
    }
}

/// Everything behind a stream's lock.
///
/// Laid out in this order (not the compiler's) so that what a read looks
/// at, from the lock word before it to the buffer limits, fills the first
/// three cache lines of the stream's allocation, and what a write adds
/// follows: a connection waiting among many others finds little of its
/// stream in the cache.
#[repr(C)]
pub(crate) struct State {
    pub(crate) closed: bool,
    /// A read is pending (one at a time).
    pub(crate) reading: bool,
    /// `read_buf` is a small buffer of the size of what one read brought
    /// (see `fill_through_scratch`): handing it over whole pins no chunk.
    pub(crate) read_buf_small: bool,
    /// The last read from the TCP socket found nothing to read without
    /// trying (see `poll_fill`): the next one tries at once.
    pub(crate) read_armed: bool,
    /// Whether the close monitor runs.
    pub(crate) monitor_running: bool,
    pub(crate) flusher_running: bool,
    /// A close happened under the lock: finish it after unlocking.
    pub(crate) closing: Option<Closing>,
    pub(crate) transport: Transport,
    /// Received bytes not yet returned by a read.
    pub(crate) read_buf: BytesMut,
    /// The waker of the last read that waited (on the socket or for the
    /// handshake), kept after that read ended so that the next read of
    /// the same task need not store it again. The pending read's once it
    /// has waited.
    pub(crate) read_waker: Option<Waker>,
    /// The close monitor's waker.
    pub(crate) monitor_waker: Option<Waker>,
    pub(crate) limits: Limits,
    /// Total bytes known to have left the process (reached the kernel).
    pub(crate) flushed_total: u64,
    pub(crate) writes: WriteQueue,
    /// The write futures waiting for their data to be flushed.
    pub(crate) write_waiters: WriteWaiters,
    pub(crate) error: Option<StreamError>,
    /// The flusher task's waker while it waits: on the socket, which wakes
    /// nobody when a close drops it, so the close wakes the flusher.
    pub(crate) flusher_waker: Option<Waker>,
    /// The `wait_for_handshake` calls waiting, one entry per task.
    pub(crate) handshake_waiters: Vec<Waker>,
    pub(crate) close_callback: Option<CloseCallback>,
}

impl State {
    pub(crate) fn new(transport: Transport) -> State {
        State {
            transport,
            closed: false,
            error: None,
            limits: Limits::default(),
            read_buf: BytesMut::new(),
            read_buf_small: false,
            read_armed: false,
            reading: false,
            read_waker: None,
            monitor_waker: None,
            monitor_running: false,
            writes: WriteQueue::default(),
            flushed_total: 0,
            write_waiters: WriteWaiters::default(),
            flusher_running: false,
            flusher_waker: None,
            handshake_waiters: Vec::new(),
            close_callback: None,
            closing: None,
        }
    }

    /// Closes the stream with `error` as its cause: releases the socket and
    /// the write queue, and arranges for pending operations to be woken and
    /// the close callback to run once the lock is released. The read buffer
    /// stays: reads it can satisfy still succeed (as in Tornado).
    pub(crate) fn close(&mut self, error: Option<StreamError>) {
        if self.closed {
            return;
        }
        self.closed = true;
        if self.error.is_none() {
            self.error = error;
        }
        self.transport = Transport::Closed;
        self.writes.clear();
        let mut wakers: Vec<Waker> = self.write_waiters.take_wakers().collect();
        wakers.append(&mut self.handshake_waiters);
        wakers.extend(self.read_waker.take());
        wakers.extend(self.monitor_waker.take());
        wakers.extend(self.flusher_waker.take());
        self.closing = Some(Closing {
            wakers,
            callback: self.close_callback.take(),
        });
    }

    /// The error a closed stream fails operations with.
    pub(crate) fn closed_error(&self) -> StreamError {
        StreamError::Closed(super::error::StreamClosedError::new(self.error.clone()))
    }

    /// Adds the waker of a `wait_for_handshake` unless one that wakes the
    /// same task waits already.
    pub(crate) fn wait_for_handshake(&mut self, waker: &Waker) {
        if !self.handshake_waiters.iter().any(|w| w.will_wake(waker)) {
            self.handshake_waiters.push(waker.clone());
        }
    }

    /// Wakes what waits for the handshake: the pending read, the flusher,
    /// the close monitor and every `wait_for_handshake`.
    pub(crate) fn handshake_done(&mut self) {
        let slots = [
            self.read_waker.take(),
            self.flusher_waker.take(),
            self.monitor_waker.take(),
        ];
        for waker in self
            .handshake_waiters
            .drain(..)
            .chain(slots.into_iter().flatten())
        {
            waker.wake();
        }
    }

    /// Reads once from the transport into the read buffer: up to a chunk,
    /// or exactly `need` more bytes when a read needs a known, large amount
    /// (or the free space it needs is already there),
    /// and never past one byte over `max_buffer_size` (so the limit trips
    /// exactly at its edge). `Ready(Ok(0))` is EOF. An empty buffer is
    /// released when nothing is there to read, so idle streams hold none
    /// (to the thread's pool of read buffers, see `util::buffer_pool`).
    pub(crate) fn poll_fill(
        &mut self,
        cx: &mut Context<'_>,
        need: Option<usize>,
    ) -> Poll<io::Result<usize>> {
        let len = self.read_buf.len();
        let room = self
            .limits
            .max_buffer_size
            .saturating_add(1)
            .saturating_sub(len)
            .max(1);
        let mut want = self.limits.chunk().min(room);
        let spare = self.read_buf.capacity() - len;
        match need {
            // The space left holds what the read needs: use it rather than
            // moving the buffered bytes to make room for a whole chunk.
            Some(need) if need > 0 && need <= spare => want = want.min(spare),
            Some(need) if need >= EXACT_READ_MIN && need < want => want = need,
            _ => {}
        }
        if self.read_buf.capacity() == 0 {
            // Nothing buffered: a TCP socket with nothing to read says so
            // before any buffer is set up for the read (the usual wait
            // for a next request or message).
            // The poll after that one, woken by the socket, reads at once.
            if let Transport::Plain(Socket::Tcp(tcp)) = &self.transport
                && !std::mem::take(&mut self.read_armed)
                && tcp.poll_read_ready(cx).is_pending()
            {
                self.read_armed = true;
                return Poll::Pending;
            }
            if let Some(result) = self.fill_through_scratch(cx, want) {
                return result;
            }
            self.read_buf = buffer_pool::take(Pool::Read, want);
        } else if spare < want {
            self.read_buf.reserve(want);
        }
        self.read_buf_small = false;
        let mut limited = (&mut self.read_buf).limit(want);
        let result = pin!(self.transport.read_buf(&mut limited)).poll(cx);
        if result.is_pending() && self.read_buf.is_empty() {
            let chunk = self.limits.chunk();
            let buf = std::mem::take(&mut self.read_buf);
            if buf.capacity() > COPY_MAX {
                buffer_pool::give(Pool::Read, buf, chunk, 2 * chunk);
            }
        }
        result
    }

    /// Reads into the empty, unallocated read buffer through the thread's
    /// scratch buffer (see `util::buffer_pool`): a small read (at most
    /// [`COPY_MAX`], such as a request or a message) is copied into a read
    /// buffer of its size, so that no buffer of a whole chunk is taken and
    /// given back for it; a large one makes the scratch buffer the read
    /// buffer. `None` when the scratch buffer is not available.
    fn fill_through_scratch(
        &mut self,
        cx: &mut Context<'_>,
        want: usize,
    ) -> Option<Poll<io::Result<usize>>> {
        let State {
            transport,
            read_buf,
            read_buf_small,
            ..
        } = self;
        buffer_pool::with_scratch(want, |scratch| {
            let result = pin!(transport.read_buf(&mut scratch.limit(want))).poll(cx);
            if !scratch.is_empty() {
                *read_buf_small = scratch.len() <= COPY_MAX;
                *read_buf = if *read_buf_small {
                    BytesMut::from(&scratch[..])
                } else {
                    std::mem::take(scratch)
                };
            }
            result
        })
    }

    /// Closes with `StreamBufferFullError` if the read buffer is over its
    /// limit.
    pub(crate) fn check_read_buffer(&mut self) -> Result<(), StreamError> {
        let limit = self.limits.max_buffer_size;
        if self.read_buf.len() <= limit {
            return Ok(());
        }
        tracing::error!(target: crate::util::log_target::GEN_LOG, "Reached maximum read buffer size");
        let error = StreamError::BufferFull(StreamBufferFullError {
            which: "read",
            limit,
        });
        self.close(Some(error.clone()));
        Err(error)
    }

    /// Writes the queue out until it is empty (then flushes the transport)
    /// or the transport would block. `Ready` when there is nothing more to
    /// do: all written, or the stream closed.
    pub(crate) fn poll_flush_writes(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            if self.closed {
                return Poll::Ready(());
            }
            if self.transport.is_handshaking() {
                // The flusher's waker is woken when the handshake ends.
                return Poll::Pending;
            }
            if self.writes.is_empty() {
                return match self.transport.poll_flush(cx) {
                    Poll::Ready(Ok(())) => {
                        self.mark_flushed();
                        Poll::Ready(())
                    }
                    Poll::Ready(Err(e)) => {
                        self.write_failed(e);
                        Poll::Ready(())
                    }
                    Poll::Pending => Poll::Pending,
                };
            }
            let written = match self.writes.only_chunk() {
                Some(chunk) => self
                    .transport
                    .poll_write_vectored(cx, &[io::IoSlice::new(chunk)]),
                None => {
                    let mut slices = empty_slices();
                    let n = self.writes.slices(&mut slices);
                    self.transport.poll_write_vectored(cx, &slices[..n])
                }
            };
            match written {
                Poll::Ready(Ok(0)) => {
                    self.write_failed(io::ErrorKind::WriteZero.into());
                    return Poll::Ready(());
                }
                Poll::Ready(Ok(written)) => {
                    self.writes.advance(written);
                    if !self.transport.is_tls() {
                        self.mark_flushed();
                    }
                }
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => {
                    self.write_failed(e);
                    return Poll::Ready(());
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Writes `data` (its slices in order) straight to a plain transport
    /// with nothing queued, counted as if it had been queued and written;
    /// `Ok(0)` when the transport would block or is not plain.
    pub(crate) fn poll_write_direct(
        &mut self,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Result<usize, StreamError> {
        if self.transport.is_tls() || self.transport.is_handshaking() {
            return Ok(0);
        }
        loop {
            match self.transport.poll_write_vectored(cx, data) {
                Poll::Ready(Ok(0)) => {
                    self.write_failed(io::ErrorKind::WriteZero.into());
                    return Err(self.closed_error());
                }
                Poll::Ready(Ok(written)) => {
                    self.writes.count_direct(written);
                    self.mark_flushed();
                    return Ok(written);
                }
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => {
                    self.write_failed(e);
                    return Err(self.closed_error());
                }
                Poll::Pending => return Ok(0),
            }
        }
    }

    fn write_failed(&mut self, error: io::Error) {
        if !is_connection_reset(&error) {
            tracing::warn!(target: crate::util::log_target::GEN_LOG, "Write error: {error}");
        }
        self.close(Some(StreamError::io(error)));
    }

    /// Everything written so far reached the kernel: wake the writes that
    /// ended there.
    fn mark_flushed(&mut self) {
        self.flushed_total = self.writes.written_total();
        self.write_waiters.wake_flushed(self.flushed_total);
    }
}

/// Stores `waker` in `slot` unless the one there wakes the same task.
pub(crate) fn store_waker(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(stored) if stored.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

/// Errors that mean the peer went away, not logged (as Tornado does not
/// log them either).
pub(crate) fn is_connection_reset(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::NotConnected
    )
}

/// A stream's lock. Every access goes through [`Shared::with_state`], which
/// finishes a close (wake-ups, close callback) after unlocking.
pub(crate) struct Shared {
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn new(state: State) -> Shared {
        Shared {
            state: Mutex::new(state),
        }
    }

    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let result = f(&mut guard);
        let closing = guard.closing.take();
        drop(guard);
        if let Some(closing) = closing {
            closing.finish();
        }
        result
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(waker) = state.monitor_waker.take() {
            waker.wake();
        }
    }
}

impl AsyncRead for Transport {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Transport::poll_read(self.get_mut(), cx, buf)
    }
}
