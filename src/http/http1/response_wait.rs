//! Waiting for the response to a request once its delegate is done with
//! the request, reading ahead meanwhile.

use std::future::poll_fn;
use std::pin::pin;
use std::task::Poll;

use bytes::BytesMut;

use super::Http1ServerConnection;
use super::input::{READ_SIZE, append};

impl Http1ServerConnection {
    /// Waits for the response to `generation` to be finished, writing out
    /// what is gathered meanwhile and watching the peer: as
    /// [`response_end`](Self::response_end), `None` when the connection
    /// closed first. Input that arrives meanwhile (the next pipelined
    /// request) is buffered. When the peer ends its side, `peer_done` is
    /// called and reading stops, but the connection stays open: a client
    /// that half-closed gets this response and those to the requests it
    /// sent before, and the next read for a request sees the end.
    pub(super) async fn wait_response(
        &self,
        generation: u64,
        buf: &mut BytesMut,
        peer_done: impl FnOnce(),
    ) -> Option<bool> {
        let mut finished = pin!(poll_fn(|cx| {
            let mut state = self.shared.lock();
            if let Some(close) = state.response_end(generation) {
                self.shared.set_corked(true);
                return Poll::Ready(Some(close));
            }
            if self.shared.stream.closed() {
                return Poll::Ready(None);
            }
            state.waker = Some(cx.waker().clone());
            self.shared.set_corked(false);
            self.shared.stop_running();
            drop(state.flush(&self.shared.stream));
            Poll::Pending
        }));
        let stream = &self.shared.stream;
        while buf.len() < READ_SIZE {
            tokio::select! {
                biased;
                close = &mut finished => return close,
                read = stream.read_available(READ_SIZE) => match read {
                    Ok(Some(data)) => append(buf, data),
                    Ok(None) => {
                        peer_done();
                        break;
                    }
                    Err(_) => return None,
                },
            }
        }
        finished.await
    }
}
