//! Waiting for input: the request head, and [`receive`], what every wait
//! for more of a request goes through.
//!
//! [`receive`]: Http1ServerConnection::receive

use bytes::{Bytes, BytesMut};
use tokio::time::{Instant, timeout_at};

use super::Http1ServerConnection;
use super::codec::{ParseError, RequestHead, RequestHeadReader};
use super::read_timer::ReadTimer;
use crate::iostream::WriteFuture;

/// The most bytes taken from the stream at once.
pub(super) const READ_SIZE: usize = 64 * 1024;

/// Why no more input came.
pub(super) enum Gone {
    TimedOut,
    Closed,
}

/// Why no request head came.
pub(super) enum HeadError {
    Malformed(ParseError),
    Gone,
}

impl Http1ServerConnection {
    /// Reads until a complete request head is buffered and parses it,
    /// within `header_timeout` of the connection starting to wait for it
    /// (once the previous response is out). Between requests the buffer
    /// is released. `answered`: the last request begun, whose response
    /// is finished.
    pub(super) async fn read_head(
        &self,
        buf: &mut BytesMut,
        timer: &mut ReadTimer,
        answered: u64,
    ) -> Result<RequestHead, HeadError> {
        let max = self.params.max_header_size;
        // Known once the connection has to wait (not for a head that is
        // already buffered).
        let mut deadline = None;
        // Remembers how far the head was searched and checked, so that
        // a head trickling in is not looked at again from its start.
        let mut reader = RequestHeadReader::new();
        loop {
            if !buf.is_empty() {
                match reader.split(buf, max) {
                    Ok(Some(head)) => return Ok(head),
                    Ok(None) => {}
                    Err(error) => return Err(HeadError::Malformed(error)),
                }
            }
            let idle = buf.is_empty();
            if idle {
                *buf = BytesMut::new();
            }
            let timeout = self.params.header_timeout;
            let clean = idle && self.shared.published_clean(answered);
            // A wait that follows a response written at once, without the
            // driver having waited since the request arrived, starts then
            // (give or take the moment it took to answer): no clock read.
            let since = if clean {
                self.shared.running_since()
            } else {
                None
            };
            let deadline = || {
                *deadline
                    .get_or_insert_with(|| timeout.map(|t| since.unwrap_or_else(Instant::now) + t))
            };
            let data = self
                .receive(deadline, since, idle, clean, Some(&mut *timer))
                .await
                .map_err(|_| HeadError::Gone)?;
            append(buf, data);
        }
    }

    /// Waits for more input, after writing out what is gathered: within
    /// the `deadline` computed once what was written is out (a response
    /// the peer is slow to take does not count against the wait that
    /// follows it). `idle`: nothing of a request is buffered, so a
    /// draining connection ends here. `clean`: idle, and the last
    /// response left clean (see [`ConnShared::published_clean`]), so
    /// there is nothing to write out. `timer`: the connection's timer for
    /// waits for a request head, else one is armed for this wait alone.
    /// `running_since`: for a clean wait, when the driver last started
    /// running without a wait (see [`ReadTimer::run`]).
    ///
    /// [`ConnShared::published_clean`]: super::shared::ConnShared::published_clean
    pub(super) async fn receive(
        &self,
        deadline: impl FnOnce() -> Option<Instant>,
        running_since: Option<Instant>,
        idle: bool,
        clean: bool,
        timer: Option<&mut ReadTimer>,
    ) -> Result<BytesMut, Gone> {
        self.shared.stop_running();
        let last_write = if clean {
            // Nothing to write out or to wait for: no lock.
            self.shared.set_corked(false);
            if !self.shared.enter_idle() {
                return Err(Gone::Closed);
            }
            None
        } else {
            let mut state = self.shared.lock();
            if idle && state.draining {
                return Err(Gone::Closed);
            }
            self.shared.set_corked(false);
            let last_write = state.flush(&self.shared.stream);
            if idle {
                // What writers wrote out themselves may still be queued:
                // wait for that too.
                let last_write =
                    last_write.or_else(|| Some(self.shared.stream.write(Bytes::new())));
                // An idle connection holds no output buffer either.
                state.out.release();
                if last_write.as_ref().is_none_or(WriteFuture::is_sent) {
                    self.shared.set_idle(true);
                    None
                } else {
                    last_write
                }
            } else {
                last_write
            }
        };
        let stream = &self.shared.stream;
        let result = async {
            if let Some(write) = last_write {
                write.await.map_err(|_| Gone::Closed)?;
                if idle {
                    // Idle (closed at once by a drain) only once the last
                    // response is out, so that a drain does not cut it
                    // short.
                    let state = self.shared.lock();
                    if state.draining {
                        return Err(Gone::Closed);
                    }
                    self.shared.set_idle(true);
                }
            }
            let read = stream.read_bytes_mut(READ_SIZE, true);
            let read = match (deadline(), timer) {
                (Some(deadline), Some(timer)) => timer.run(deadline, running_since, read).await,
                (Some(deadline), None) => timeout_at(deadline, read).await.ok(),
                (None, _) => Some(read.await),
            };
            match read {
                Some(read) => read.map_err(|_| Gone::Closed),
                None => Err(Gone::TimedOut),
            }
        }
        .await;
        self.shared.set_idle(false);
        self.shared.start_running();
        if result.is_ok() {
            self.shared.mark_received(Instant::now().into_std());
        }
        result
    }
}

/// Appends received `data` to `buf`, taking it over without a copy when
/// `buf` is empty.
pub(super) fn append(buf: &mut BytesMut, data: impl Into<BytesMut> + AsRef<[u8]>) {
    if buf.is_empty() {
        *buf = data.into();
    } else {
        buf.extend_from_slice(data.as_ref());
    }
}

/// The earlier of two optional deadlines.
pub(super) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
