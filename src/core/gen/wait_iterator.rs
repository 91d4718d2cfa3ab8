use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream::{FuturesUnordered, StreamExt};

use super::keyed::{Keyed, keyed};

/// The outputs of several futures in the order they finish, each with the
/// index or key it was given under (Tornado's `gen.WaitIterator`).
///
/// Build it from a list with [`new`](Self::new) (keys are the positions,
/// Tornado's `current_index`) or from key/future pairs, such as a map, with
/// [`from_map`](Self::from_map). Then call [`next`](Self::next) until it
/// returns `None` (or [`done`](Self::done) is true), or use it as a
/// [`Stream`] of `(key, output)`.
///
/// Unlike awaiting all of them with [`multi`](super::multi), each output —
/// including errors — arrives as soon as its future finishes, and one
/// failure does not hide the others. Futures that are finished when the
/// iterator is built come out in input order.
///
/// ```
/// use std::time::Duration;
/// use supercell::r#gen::{sleep, WaitIterator};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
/// let mut waits = WaitIterator::new([300, 100, 200].map(|ms| async move {
///     sleep(Duration::from_millis(ms)).await;
///     ms
/// }));
/// let mut order = Vec::new();
/// while let Some((index, ms)) = waits.next().await {
///     order.push((index, ms));
/// }
/// assert_eq!(order, [(1, 100), (2, 200), (0, 300)]);
/// assert!(waits.done());
/// # });
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct WaitIterator<K, F: Future> {
    pending: FuturesUnordered<Keyed<K, F>>,
}

impl<F: Future> WaitIterator<usize, F> {
    /// Waits on `futures`, keyed by their position in the input.
    pub fn new(futures: impl IntoIterator<Item = F>) -> Self {
        WaitIterator::from_map(futures.into_iter().enumerate())
    }
}

impl<K, F: Future> WaitIterator<K, F> {
    /// Waits on the futures of `entries`, keyed by their keys (Tornado's
    /// `WaitIterator(**futures)`); a `HashMap` or `BTreeMap` of futures
    /// works as is.
    pub fn from_map(entries: impl IntoIterator<Item = (K, F)>) -> Self {
        WaitIterator {
            pending: entries.into_iter().map(|(k, f)| keyed(k, f)).collect(),
        }
    }

    /// Whether every output has been returned.
    pub fn done(&self) -> bool {
        self.pending.is_empty()
    }

    /// The next future to finish, as `(key, output)`; `None` once
    /// [`done`](Self::done).
    pub async fn next(&mut self) -> Option<(K, F::Output)> {
        self.pending.next().await
    }
}

impl<K, F: Future> Stream for WaitIterator<K, F> {
    type Item = (K, F::Output);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().pending.poll_next_unpin(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.pending.len(), Some(self.pending.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[tokio::test]
    async fn empty_iterator_is_done() {
        let mut it = WaitIterator::new(Vec::<std::future::Ready<u8>>::new());
        assert!(it.done());
        assert_eq!(it.next().await, None);
    }

    #[tokio::test]
    async fn map_keys_come_back_with_outputs() {
        let futures: HashMap<&str, _> = [("x", 1), ("y", 2)]
            .into_iter()
            .map(|(k, v)| (k, std::future::ready(v)))
            .collect();
        let mut it = WaitIterator::from_map(futures);
        assert_eq!(it.size_hint(), (2, Some(2)));
        let mut got = Vec::new();
        while let Some(pair) = it.next().await {
            got.push(pair);
        }
        got.sort();
        assert_eq!(got, [("x", 1), ("y", 2)]);
    }
}
