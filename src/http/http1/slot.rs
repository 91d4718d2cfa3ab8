//! The box a connection runs a request's future in. An idle connection
//! holds none: it gives its box back as it waits, and the thread keeps the
//! last one given back for the next request of any of its connections, so
//! that requests arriving one by one allocate nothing for it.

use std::future::Future;
use std::pin::Pin;

use futures_util::future::Fuse;

use crate::util::spare_block::{self, SpareBlock};

thread_local! {
    static SPARE: SpareBlock = const { SpareBlock::new() };
}

/// An empty box for a future of type `F`: the thread's spare memory when
/// it has the layout `F` needs, else a new allocation.
pub(super) fn take<F: Future>() -> Pin<Box<Fuse<F>>> {
    // Allocated first, then written: the empty slot is a tag to set, not
    // a whole future's size to copy in.
    Box::into_pin(Box::write(
        spare_block::take_uninit(&SPARE),
        Fuse::terminated(),
    ))
}

/// Drops the future in `slot` and keeps its memory as the thread's spare
/// (freeing the spare it replaces).
pub(super) fn give_back<F: Future>(slot: Pin<Box<Fuse<F>>>) {
    spare_block::give_back(&SPARE, slot);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures_util::FutureExt;
    use futures_util::future::FusedFuture;

    use super::*;

    /// Counts its drops.
    struct OnDrop(Arc<AtomicUsize>);

    impl Drop for OnDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counted(drops: Arc<AtomicUsize>, value: u64) -> impl Future<Output = u64> {
        let guard = OnDrop(drops);
        async move {
            let _guard = guard;
            std::future::ready(()).await;
            value
        }
    }

    #[tokio::test]
    async fn a_slot_given_back_is_the_memory_of_the_next_of_the_same_layout() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut slot = take();
        slot.set(counted(Arc::clone(&drops), 7).fuse());
        assert_eq!(slot.as_mut().await, 7);
        let address = std::ptr::from_ref(&*slot).cast::<u8>();
        give_back(slot);
        let mut again = take();
        assert_eq!(std::ptr::from_ref(&*again).cast::<u8>(), address);
        again.set(counted(Arc::clone(&drops), 8).fuse());
        assert_eq!(again.as_mut().await, 8);
        give_back(again);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_future_given_back_unfinished_is_dropped() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut slot = take();
        let guarded = Arc::clone(&drops);
        slot.set(
            async move {
                let _guard = OnDrop(guarded);
                std::future::pending::<()>().await;
            }
            .fuse(),
        );
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(slot.as_mut().poll(&mut cx).is_pending());
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        give_back(slot);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_slot_of_another_layout_is_a_new_allocation() {
        let small = take::<std::future::Ready<u8>>();
        give_back(small);
        let large = take::<std::future::Ready<[u64; 32]>>();
        assert!(large.is_terminated());
        give_back(large);
        // The spare is now the large block; a small slot frees it.
        let small = take::<std::future::Ready<u8>>();
        assert!(small.is_terminated());
    }
}
