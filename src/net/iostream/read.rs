//! The reads: until a delimiter or pattern, a number of bytes, into the
//! caller's buffer, until close. One at a time, each cancel-safe.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use regex::bytes::Regex;
use tokio::io::ReadBuf;

use super::error::{StreamError, UnsatisfiableReadError};
use super::state::{COPY_MAX, Shared, State, store_waker};
use super::stream::IoStream;

/// What the pending read waits for.
enum Target<'a> {
    Bytes {
        num_bytes: usize,
        partial: bool,
    },
    Delimiter {
        delimiter: &'a [u8],
        max_bytes: Option<usize>,
        scanned: usize,
    },
    Regex {
        regex: &'a Regex,
        max_bytes: Option<usize>,
    },
    UntilClose,
    /// What is there, at most `max` bytes; the end of the stream is an
    /// empty result and leaves the stream open.
    Available {
        max: usize,
    },
}

impl Target<'_> {
    /// Where in `buf` the read is satisfied, if it is.
    fn find(&mut self, buf: &[u8]) -> Result<Option<usize>, UnsatisfiableReadError> {
        match self {
            Target::Bytes { num_bytes, partial } => {
                let ready = buf.len() >= *num_bytes || (*partial && !buf.is_empty());
                Ok(ready.then(|| buf.len().min(*num_bytes)))
            }
            Target::Delimiter {
                delimiter,
                max_bytes,
                scanned,
            } => {
                if buf.is_empty() {
                    return Ok(None);
                }
                let needle: &[u8] = delimiter;
                // A delimiter may straddle what was scanned and what is new.
                let start = scanned.saturating_sub(needle.len().saturating_sub(1));
                let found =
                    memchr::memmem::find(&buf[start..], needle).map(|at| start + at + needle.len());
                *scanned = buf.len();
                check_max_bytes(found.unwrap_or(buf.len()), *max_bytes, || escape(needle))?;
                Ok(found)
            }
            Target::Regex { regex, max_bytes } => {
                if buf.is_empty() {
                    return Ok(None);
                }
                let found = regex.find(buf).map(|m| m.end());
                check_max_bytes(found.unwrap_or(buf.len()), *max_bytes, || {
                    format!("regex {:?}", regex.as_str())
                })?;
                Ok(found)
            }
            Target::UntilClose => Ok(None),
            Target::Available { max } => Ok((!buf.is_empty()).then(|| buf.len().min(*max))),
        }
    }

    /// How many more bytes the read needs, when that is known.
    fn need(&self, buffered: usize) -> Option<usize> {
        match self {
            Target::Bytes { num_bytes, .. } => Some(num_bytes.saturating_sub(buffered)),
            _ => None,
        }
    }
}

fn check_max_bytes(
    size: usize,
    max_bytes: Option<usize>,
    what: impl FnOnce() -> String,
) -> Result<(), UnsatisfiableReadError> {
    match max_bytes {
        Some(max_bytes) if size > max_bytes => Err(UnsatisfiableReadError {
            what: what(),
            max_bytes,
        }),
        _ => Ok(()),
    }
}

fn escape(bytes: &[u8]) -> String {
    format!("\"{}\"", bytes.escape_ascii())
}

/// Marks the one pending read; unmarks it when the read ends or is dropped
/// and lets the close monitor watch again.
struct ReadGuard<'a>(&'a Shared);

impl<'a> ReadGuard<'a> {
    fn begin(shared: &'a Shared) -> Result<ReadGuard<'a>, StreamError> {
        shared.with_state(begin_read)?;
        Ok(ReadGuard(shared))
    }
}

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        self.0.with_state(end_read);
    }
}

/// Marks the one pending read, or fails when there is one already or the
/// stream cannot be read.
fn begin_read(s: &mut State) -> Result<(), StreamError> {
    if s.reading {
        return Err(StreamError::AlreadyReading);
    }
    if !s.transport.readable() {
        return Err(StreamError::io(io::Error::new(
            io::ErrorKind::Unsupported,
            "cannot read from the write end of a pipe",
        )));
    }
    s.reading = true;
    Ok(())
}

/// Unmarks the pending read and lets the close monitor watch again. The
/// read's waker stays: the next read of the same task need not store it
/// again (until then, a close or a finished handshake wakes that task for
/// nothing, which is harmless).
fn end_read(s: &mut State) {
    s.reading = false;
    if let Some(waker) = s.monitor_waker.take() {
        waker.wake();
    }
}

/// A read for a [`Target`]: the pending read from its first poll until it
/// ends or is dropped. Marking, reading and unmarking share one lock of
/// the stream when the data is there.
struct TargetRead<'a> {
    shared: &'a Shared,
    target: Target<'a>,
    marked: bool,
}

impl Future for TargetRead<'_> {
    type Output = Result<BytesMut, StreamError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.shared.with_state(|s| {
            if !this.marked {
                begin_read(s)?;
                this.marked = true;
            }
            let poll = poll_read_target(s, cx, &mut this.target);
            if poll.is_ready() {
                end_read(s);
                this.marked = false;
            }
            poll
        })
    }
}

impl Drop for TargetRead<'_> {
    fn drop(&mut self) {
        if self.marked {
            self.shared.with_state(end_read);
        }
    }
}

/// The error a read fails with when the peer closes before it is
/// satisfied: a clean close if nothing of it had arrived, else
/// `UnexpectedEof` (the stream ended in the middle of the read).
fn eof_error(partial_data: bool) -> Option<StreamError> {
    partial_data.then(|| {
        StreamError::io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "stream ended in the middle of a read",
        ))
    })
}

/// Takes the first `n` buffered bytes: without copying when they are
/// many or the whole of a small buffer made for one read, else as a copy
/// (see [`COPY_MAX`]).
fn take(s: &mut State, n: usize) -> BytesMut {
    if n == s.read_buf.len() && s.read_buf_small {
        s.read_buf_small = false;
        return std::mem::take(&mut s.read_buf);
    }
    if n <= COPY_MAX {
        let bytes = BytesMut::from(&s.read_buf[..n]);
        bytes::Buf::advance(&mut s.read_buf, n);
        return bytes;
    }
    s.read_buf.split_to(n)
}

fn poll_read_target(
    s: &mut State,
    cx: &mut Context<'_>,
    target: &mut Target<'_>,
) -> Poll<Result<BytesMut, StreamError>> {
    loop {
        match target.find(&s.read_buf) {
            Ok(Some(n)) => return Poll::Ready(Ok(take(s, n))),
            Ok(None) => {}
            Err(e) => {
                tracing::info!(target: crate::util::log_target::GEN_LOG, "Unsatisfiable read, closing connection: {e}");
                let error = StreamError::UnsatisfiableRead(e);
                s.close(Some(error.clone()));
                return Poll::Ready(Err(error));
            }
        }
        if s.closed {
            return Poll::Ready(match target {
                Target::UntilClose => {
                    let n = s.read_buf.len();
                    Ok(take(s, n))
                }
                _ => Err(s.closed_error()),
            });
        }
        if s.transport.is_handshaking() {
            store_waker(&mut s.read_waker, cx.waker());
            return Poll::Pending;
        }
        let need = target.need(s.read_buf.len());
        match s.poll_fill(cx, need) {
            Poll::Ready(Ok(0)) if matches!(target, Target::Available { .. }) => {
                return Poll::Ready(Ok(BytesMut::new()));
            }
            Poll::Ready(Ok(0)) => {
                let until_close = matches!(target, Target::UntilClose);
                s.close(if until_close {
                    None
                } else {
                    eof_error(!s.read_buf.is_empty())
                });
            }
            Poll::Ready(Ok(_)) => s.check_read_buffer()?,
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Poll::Ready(Err(e)) => {
                s.close(Some(StreamError::io(e)));
                // `read_until_close` ends with the data whatever closed the
                // stream (the cause stays in `error()`); other reads fail.
                if !matches!(target, Target::UntilClose) {
                    return Poll::Ready(Err(s.closed_error()));
                }
            }
            Poll::Pending => {
                store_waker(&mut s.read_waker, cx.waker());
                return Poll::Pending;
            }
        }
    }
}

/// A `read_into` under way: what of the caller's buffer is filled. If the
/// read is dropped or fails before it completes, the filled bytes go back
/// to the front of the read buffer, so nothing received is lost.
struct ReadInto<'a, 'b> {
    shared: &'a Shared,
    buf: &'b mut [u8],
    filled: usize,
    partial: bool,
    done: bool,
}

impl ReadInto<'_, '_> {
    fn poll(&mut self, s: &mut State, cx: &mut Context<'_>) -> Poll<Result<usize, StreamError>> {
        let buffered = s.read_buf.len().min(self.buf.len() - self.filled);
        if buffered > 0 {
            self.buf[self.filled..self.filled + buffered].copy_from_slice(&s.read_buf[..buffered]);
            bytes::Buf::advance(&mut s.read_buf, buffered);
            self.filled += buffered;
        }
        loop {
            if self.filled == self.buf.len() || (self.partial && self.filled > 0) {
                self.done = true;
                return Poll::Ready(Ok(self.filled));
            }
            if s.closed {
                return Poll::Ready(Err(s.closed_error()));
            }
            if s.transport.is_handshaking() {
                store_waker(&mut s.read_waker, cx.waker());
                return Poll::Pending;
            }
            let mut read_buf = ReadBuf::new(&mut self.buf[self.filled..]);
            match s.transport.poll_read(cx, &mut read_buf) {
                Poll::Ready(Ok(())) => {
                    let n = read_buf.filled().len();
                    if n == 0 {
                        s.close(eof_error(self.filled > 0));
                    }
                    self.filled += n;
                }
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => s.close(Some(StreamError::io(e))),
                Poll::Pending => {
                    store_waker(&mut s.read_waker, cx.waker());
                    if s.read_buf.is_empty() {
                        s.read_buf = BytesMut::new();
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

impl Drop for ReadInto<'_, '_> {
    fn drop(&mut self) {
        if self.done || self.filled == 0 {
            return;
        }
        let filled = &self.buf[..self.filled];
        self.shared.with_state(|s| {
            let mut restored = BytesMut::with_capacity(filled.len() + s.read_buf.len());
            restored.extend_from_slice(filled);
            restored.extend_from_slice(&s.read_buf);
            s.read_buf = restored;
        });
    }
}

impl IoStream {
    fn read_target<'a>(&'a self, target: Target<'a>) -> TargetRead<'a> {
        TargetRead {
            shared: &self.shared,
            target,
            marked: false,
        }
    }

    /// Reads until `delimiter` and returns the data with it. Fails with
    /// [`StreamError::UnsatisfiableRead`] (and closes the stream) when the
    /// delimiter does not end within `max_bytes` bytes.
    pub async fn read_until(
        &self,
        delimiter: &[u8],
        max_bytes: Option<usize>,
    ) -> Result<Bytes, StreamError> {
        self.read_target(Target::Delimiter {
            delimiter,
            max_bytes,
            scanned: 0,
        })
        .await
        .map(BytesMut::freeze)
    }

    /// Reads until the first match of `regex` and returns the data up to
    /// the match's end. Fails with [`StreamError::UnsatisfiableRead`] (and
    /// closes the stream) when no match ends within `max_bytes` bytes.
    ///
    /// Every arrival of data searches all that is buffered again (a match
    /// may start anywhere), so data that trickles in without a match costs
    /// time quadratic in its size. With a peer that is not trusted, pass a
    /// `max_bytes`: without it only `max_buffer_size` (100 MiB by default)
    /// bounds the search. [`IoStream::read_until`] searches each byte once.
    pub async fn read_until_regex(
        &self,
        regex: &Regex,
        max_bytes: Option<usize>,
    ) -> Result<Bytes, StreamError> {
        self.read_target(Target::Regex { regex, max_bytes })
            .await
            .map(BytesMut::freeze)
    }

    /// Reads `num_bytes` bytes; with `partial`, returns as soon as any
    /// bytes are there (at most `num_bytes`). `read_bytes(0, _)` returns
    /// empty at once.
    pub async fn read_bytes(&self, num_bytes: usize, partial: bool) -> Result<Bytes, StreamError> {
        self.read_bytes_mut(num_bytes, partial)
            .await
            .map(BytesMut::freeze)
    }

    /// [`read_bytes`](Self::read_bytes), the data left mutable: for a
    /// reader that appends it to a buffer of its own (a small read is
    /// handed over as the buffer it was read into, not frozen and thawed).
    pub(crate) fn read_bytes_mut(
        &self,
        num_bytes: usize,
        partial: bool,
    ) -> impl Future<Output = Result<BytesMut, StreamError>> + '_ {
        self.read_target(Target::Bytes { num_bytes, partial })
    }

    /// Reads what arrives, at most `max_bytes` (at least one byte is
    /// asked for), like `read_bytes(max_bytes, true)`, except at the end of
    /// the stream: a peer that closed its sending side gives `Ok(None)`,
    /// and the stream stays open, so that it can still be written to (a
    /// half-closed TCP connection). Every other read closes the stream at
    /// its end; so does an error here.
    pub async fn read_available(&self, max_bytes: usize) -> Result<Option<Bytes>, StreamError> {
        let data = self.read_available_mut(max_bytes).await?;
        Ok((!data.is_empty()).then(|| data.freeze()))
    }

    /// [`read_available`](Self::read_available) for a reader that keeps
    /// a buffer of its own: the data as the buffer it was read into, and
    /// empty at the end of the stream.
    pub(crate) fn read_available_mut(
        &self,
        max_bytes: usize,
    ) -> impl Future<Output = Result<BytesMut, StreamError>> + '_ {
        self.read_target(Target::Available {
            max: max_bytes.max(1),
        })
    }

    /// Reads into `buf` until it is full (or, with `partial`, until any
    /// bytes arrived) and returns how many bytes were stored. The
    /// minimal-copy read: at most what was already buffered is copied, the
    /// rest is read from the socket straight into `buf`.
    pub async fn read_into(&self, buf: &mut [u8], partial: bool) -> Result<usize, StreamError> {
        let _guard = ReadGuard::begin(&self.shared)?;
        if buf.is_empty() {
            return Ok(0);
        }
        let mut read = ReadInto {
            shared: &self.shared,
            buf,
            filled: 0,
            partial,
            done: false,
        };
        poll_fn(|cx| {
            let shared = read.shared;
            shared.with_state(|s| read.poll(s, cx))
        })
        .await
    }

    /// Reads until the stream closes and returns everything, also when an
    /// error (a reset) closed it: [`IoStream::error`] then says which. On a
    /// closed stream, returns what is still buffered. Fails only when the
    /// data outgrows `max_buffer_size` (or another read is pending).
    pub async fn read_until_close(&self) -> Result<Bytes, StreamError> {
        self.read_target(Target::UntilClose)
            .await
            .map(BytesMut::freeze)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    #[test]
    fn take_hands_over_only_a_small_buffer_made_for_one_read_whole() {
        let mut s = State::new(super::super::transport::Transport::Closed);
        // The tail of a chunk: copied out, the chunk stays with the stream.
        s.read_buf = BytesMut::with_capacity(64 * 1024);
        s.read_buf.extend_from_slice(&[b'x'; 100]);
        assert_eq!(take(&mut s, 100), vec![b'x'; 100]);
        assert!(s.read_buf.capacity() > 0, "the chunk went with the result");
        // A buffer of the size of one small read: handed over whole.
        s.read_buf = BytesMut::from(&b"GET / HTTP/1.1\r\n\r\n"[..]);
        s.read_buf_small = true;
        assert_eq!(take(&mut s, 18), &b"GET / HTTP/1.1\r\n\r\n"[..]);
        assert_eq!(s.read_buf.capacity(), 0);
        assert!(!s.read_buf_small);
    }

    /// A connected loopback pair: (accepted end, connecting end).
    async fn tcp_pair() -> (IoStream, IoStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (client, accepted) = tokio::join!(
            TcpStream::connect(listener.local_addr().unwrap()),
            listener.accept()
        );
        (
            IoStream::from_tcp(accepted.unwrap().0),
            IoStream::from_tcp(client.unwrap()),
        )
    }

    /// Small results are copies, so a kept message does not hold the read
    /// chunk it came in; large ones share the read buffer (no copy).
    #[tokio::test]
    async fn small_results_do_not_hold_the_read_buffer() {
        let (rs, ws) = tcp_pair().await;
        let mut data = b"hello\n".to_vec();
        data.extend(vec![b'x'; 2 * COPY_MAX]);
        data.extend_from_slice(b"\nend");
        ws.write(data).await.unwrap();
        let small = rs.read_until(b"\n", None).await.unwrap();
        assert_eq!(&small[..], b"hello\n");
        assert!(small.is_unique(), "a small result shares the read buffer");
        let large = rs.read_until(b"\n", None).await.unwrap();
        assert_eq!(large.len(), 2 * COPY_MAX + 1);
        // "end" is still buffered, in the same allocation.
        assert!(!large.is_unique(), "a large result was copied");
        assert_eq!(&rs.read_bytes(3, false).await.unwrap()[..], b"end");
    }

    fn buffer_capacity(stream: &IoStream) -> usize {
        stream.shared.with_state(|s| s.read_buf.capacity())
    }

    /// An idle stream holds no read buffer: once a read waits on a socket
    /// with nothing to read and nothing buffered, the buffer is released.
    #[tokio::test]
    async fn idle_stream_releases_its_read_buffer() {
        let (rs, ws) = tcp_pair().await;
        ws.write(&b"line\n"[..]).await.unwrap();
        assert_eq!(&rs.read_until(b"\n", None).await.unwrap()[..], b"line\n");
        let pending =
            tokio::time::timeout(Duration::from_millis(20), rs.read_until(b"\n", None)).await;
        assert!(pending.is_err());
        assert_eq!(buffer_capacity(&rs), 0);
        // The same while only the close monitor watches the socket.
        rs.set_close_callback(Some(Box::new(|| {})));
        ws.write(&b"more\n"[..]).await.unwrap();
        assert_eq!(&rs.read_until(b"\n", None).await.unwrap()[..], b"more\n");
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(buffer_capacity(&rs), 0);
        assert!(!rs.closed());
    }
}
