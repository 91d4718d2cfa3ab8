//! [`OutOfLine`]: a future polled through a call of its own, so that the
//! code of a rarely taken branch stays out of the state machine awaiting
//! it, whose usual path then fits in fewer cache lines.

use std::pin::Pin;
use std::task::{Context, Poll};

/// `F`, polled in a function that is never inlined. Its state stays
/// where the awaiting future keeps it: nothing is allocated.
pub(crate) struct OutOfLine<F>(pub(crate) F);

impl<F: Future> Future for OutOfLine<F> {
    type Output = F::Output;

    #[inline(never)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: the inner future is pinned wherever this wrapper is:
        // the wrapper never moves it, nor hands it out unpinned.
        #[allow(unsafe_code)]
        let inner = unsafe { self.map_unchecked_mut(|this| &mut this.0) };
        inner.poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_out_of_line_future_gives_what_its_future_gives() {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let waiting = tokio::spawn(OutOfLine(async move { receiver.await.map(|n: u8| n + 1) }));
        sender.send(4).unwrap();
        assert_eq!(waiting.await.unwrap(), Ok(5));
    }
}
