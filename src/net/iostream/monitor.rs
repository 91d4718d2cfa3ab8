//! Noticing a close by the peer while no read is pending (Tornado listens
//! for reads whenever a close callback is set and the buffer is empty).

use std::future::poll_fn;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};

use super::error::StreamError;
use super::state::{Shared, State, store_waker};

/// Starts the close monitor of a stream unless it runs already, it has no
/// close callback, or it cannot be read. The monitor holds the stream
/// weakly: a stream dropped by its users is not kept open by it.
pub(crate) fn spawn_monitor(shared: &Arc<Shared>) {
    let start = shared.with_state(|s| {
        let wanted =
            !s.closed && !s.monitor_running && s.close_callback.is_some() && s.transport.readable();
        if wanted {
            s.monitor_running = true;
        }
        wanted
    });
    if !start {
        return;
    }
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        shared.with_state(|s| s.monitor_running = false);
        return;
    };
    let weak = Arc::downgrade(shared);
    handle.spawn(watch(weak));
}

async fn watch(weak: Weak<Shared>) {
    poll_fn(|cx| match weak.upgrade() {
        Some(shared) => shared.with_state(|s| poll_watch(s, cx)),
        None => Poll::Ready(()),
    })
    .await
}

/// While no read is pending and the buffer is empty, reads from the socket:
/// data is buffered for the next read, EOF or an error closes the stream.
fn poll_watch(s: &mut State, cx: &mut Context<'_>) -> Poll<()> {
    loop {
        if s.closed || s.close_callback.is_none() {
            s.monitor_running = false;
            return Poll::Ready(());
        }
        if s.reading || !s.read_buf.is_empty() || s.transport.is_handshaking() {
            store_waker(&mut s.monitor_waker, cx.waker());
            return Poll::Pending;
        }
        match s.poll_fill(cx, None) {
            Poll::Ready(Ok(0)) => s.close(None),
            Poll::Ready(Ok(_)) => {
                if s.check_read_buffer().is_err() {
                    return Poll::Ready(());
                }
            }
            Poll::Ready(Err(e)) => s.close(Some(StreamError::io(e))),
            Poll::Pending => {
                store_waker(&mut s.monitor_waker, cx.waker());
                return Poll::Pending;
            }
        }
    }
}
