//! Driving futures by hand in tests.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Polls a future once without waiting: Tornado's `future.done()`, taking
/// the result if it is.
pub fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

/// Lets every task that is ready run (Tornado's `loop_briefly`).
pub async fn settle() {
    for _ in 0..16 {
        tokio::task::yield_now().await;
    }
}
