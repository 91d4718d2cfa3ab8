//! A thread's spare block of memory: the last box of some kind given back
//! on the thread, its value dropped, kept for the next box of the same
//! layout. Code that makes and drops one box per request (a request's
//! future) then allocates nothing for it while requests keep coming.

use std::alloc::{Layout, dealloc};
use std::cell::Cell;
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::pin::Pin;
use std::ptr::NonNull;
use std::thread::LocalKey;

/// The memory of the last box given back on a thread (declare one in a
/// `thread_local!` with `const { SpareBlock::new() }` per kind of box).
pub(crate) struct SpareBlock(Cell<Option<(NonNull<u8>, Layout)>>);

impl SpareBlock {
    /// No spare yet.
    pub(crate) const fn new() -> SpareBlock {
        SpareBlock(Cell::new(None))
    }

    /// Frees `block`.
    fn free((ptr, layout): (NonNull<u8>, Layout)) {
        // SAFETY: every block kept here is the memory of a `Box` whose
        // value had the non-zero size `layout` describes: the global
        // allocator allocated it with `layout`, and nothing else owns it.
        #[allow(unsafe_code)]
        unsafe {
            dealloc(ptr.as_ptr(), layout);
        }
    }
}

impl Drop for SpareBlock {
    fn drop(&mut self) {
        if let Some(block) = self.0.take() {
            SpareBlock::free(block);
        }
    }
}

/// An empty box for a `T`: `spare`'s memory when it has the layout `T`
/// needs, else a new allocation. Filled with [`Box::write`].
pub(crate) fn take_uninit<T>(spare: &'static LocalKey<SpareBlock>) -> Box<MaybeUninit<T>> {
    let layout = Layout::new::<T>();
    match spare.try_with(|spare| spare.0.take()).ok().flatten() {
        Some((ptr, spare_layout)) if spare_layout == layout => {
            // SAFETY: the block was allocated by the global allocator for
            // a value of this very layout (see `SpareBlock::free`), and
            // nothing owns it: it may become a `Box` of uninitialised `T`.
            #[allow(unsafe_code)]
            unsafe {
                Box::from_raw(ptr.cast::<MaybeUninit<T>>().as_ptr())
            }
        }
        other => {
            if let Some(block) = other {
                SpareBlock::free(block);
            }
            Box::new_uninit()
        }
    }
}

/// Drops the value in `boxed` and keeps its memory as `spare` (freeing the
/// spare it replaces).
pub(crate) fn give_back<T: ?Sized>(spare: &'static LocalKey<SpareBlock>, boxed: Pin<Box<T>>) {
    keep_memory(spare, boxed, true);
}

/// Keeps the memory of `boxed` as `spare` (freeing the spare it
/// replaces), its value dropped first when `drop_value` (else left as it
/// is: what it holds, if anything, is never dropped).
fn keep_memory<T: ?Sized>(
    spare: &'static LocalKey<SpareBlock>,
    boxed: Pin<Box<T>>,
    drop_value: bool,
) {
    let layout = Layout::for_value(&*boxed);
    if layout.size() == 0 {
        return;
    }
    // SAFETY: the value is dropped in place (or never: leaking a value is
    // sound) before its memory is reused, as pinning asks; the memory is
    // then a block of `layout`, allocated by the global allocator for the
    // box, that only the spare owns.
    #[allow(unsafe_code)]
    let block = unsafe {
        let ptr = Box::into_raw(Pin::into_inner_unchecked(boxed));
        if drop_value {
            std::ptr::drop_in_place(ptr);
        }
        (NonNull::new_unchecked(ptr.cast::<u8>()), layout)
    };
    match spare.try_with(|spare| spare.0.replace(Some(block))) {
        Ok(Some(replaced)) => SpareBlock::free(replaced),
        Ok(None) => {}
        // The thread is ending: no spare any more.
        Err(_) => SpareBlock::free(block),
    }
}

/// Names the thread-local spare block of a kind of [`SpareBox`]: known
/// when the program is compiled, so that reaching it is a few
/// instructions where the box is dropped.
pub(crate) trait SpareKey: 'static {
    /// The spare block.
    fn key() -> &'static LocalKey<SpareBlock>;
}

/// A pinned box whose memory goes back to a thread's spare block (the
/// one `K` names) when it is dropped, and which is polled as the future
/// it holds.
pub(crate) struct SpareBox<T: ?Sized + 'static, K: SpareKey> {
    boxed: ManuallyDrop<Pin<Box<T>>>,
    /// The future holds nothing once complete.
    empty_when_done: bool,
    /// It completed, and holds nothing: its drop is skipped.
    skip_drop: bool,
    /// The spare's name only: the box holds no `K` (and is `Send`,
    /// `Sync` and `Unpin` whatever `K` is).
    spare: PhantomData<fn() -> K>,
}

impl<T: ?Sized + 'static, K: SpareKey> SpareBox<T, K> {
    /// `boxed`, given back to `K`'s spare when dropped (made best with
    /// [`take_uninit`] from the same spare).
    pub(crate) fn new(boxed: Pin<Box<T>>) -> SpareBox<T, K> {
        SpareBox {
            boxed: ManuallyDrop::new(boxed),
            empty_when_done: false,
            skip_drop: false,
            spare: PhantomData,
        }
    }

    /// [`new`](Self::new) for a future that holds nothing once it is
    /// complete (an `async` block, which drops what it holds as it ends):
    /// once it is, the box is given back without a call to its drop. Were
    /// something still held, it would only be leaked.
    pub(crate) fn empty_when_done(boxed: Pin<Box<T>>) -> SpareBox<T, K> {
        SpareBox {
            boxed: ManuallyDrop::new(boxed),
            empty_when_done: true,
            skip_drop: false,
            spare: PhantomData,
        }
    }
}

impl<T: ?Sized + 'static, K: SpareKey> Drop for SpareBox<T, K> {
    fn drop(&mut self) {
        // SAFETY: `boxed` is taken once, here, and not used again.
        #[allow(unsafe_code)]
        let boxed = unsafe { ManuallyDrop::take(&mut self.boxed) };
        keep_memory(K::key(), boxed, !self.skip_drop);
    }
}

impl<F: Future + ?Sized + 'static, K: SpareKey> Future for SpareBox<F, K> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<F::Output> {
        let this = self.get_mut();
        let poll = this.boxed.as_mut().poll(cx);
        this.skip_drop = this.empty_when_done && poll.is_ready();
        poll
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    thread_local! {
        static SPARE: SpareBlock = const { SpareBlock::new() };
    }

    /// The tests' spare.
    struct TestSpare;

    impl SpareKey for TestSpare {
        fn key() -> &'static LocalKey<SpareBlock> {
            &SPARE
        }
    }

    /// Counts its drops.
    struct OnDrop(Arc<AtomicUsize>);

    impl Drop for OnDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_box_given_back_is_the_memory_of_the_next_of_the_same_layout() {
        let drops = Arc::new(AtomicUsize::new(0));
        let first = Box::into_pin(Box::write(take_uninit(&SPARE), OnDrop(Arc::clone(&drops))));
        let address = std::ptr::from_ref(&*first).cast::<u8>();
        give_back(&SPARE, first);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        let again = take_uninit::<OnDrop>(&SPARE);
        assert_eq!(std::ptr::from_ref(&*again).cast::<u8>(), address);
        let other = take_uninit::<OnDrop>(&SPARE);
        assert_ne!(std::ptr::from_ref(&*other).cast::<u8>(), address);
    }

    #[test]
    fn a_box_of_another_layout_is_a_new_allocation() {
        give_back(&SPARE, Box::pin(7u8));
        let large = Box::write(take_uninit::<[u64; 32]>(&SPARE), [3; 32]);
        assert_eq!(large[31], 3);
        give_back(&SPARE, Box::into_pin(large));
        // The spare is now the large block; a small box frees it.
        let small = Box::write(take_uninit::<u8>(&SPARE), 1);
        assert_eq!(*small, 1);
        give_back(&SPARE, Box::pin(()));
    }

    #[tokio::test]
    async fn a_spare_box_runs_its_future_and_gives_its_memory_back() {
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = OnDrop(Arc::clone(&drops));
        let future = async move {
            let _guard = guard;
            std::future::ready(5).await
        };
        let boxed = Box::into_pin(Box::write(take_uninit(&SPARE), future));
        let boxed: Pin<Box<dyn Future<Output = i32> + Send>> = boxed;
        let address = std::ptr::from_ref(&*boxed).cast::<u8>();
        let layout = Layout::for_value(&*boxed);
        assert_eq!(SpareBox::<_, TestSpare>::new(boxed).await, 5);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        let kept = SPARE.with(|spare| spare.0.take());
        let kept_at = kept.map(|(ptr, layout)| (ptr.as_ptr().cast_const(), layout));
        assert_eq!(kept_at, Some((address, layout)));
        SPARE.with(|spare| spare.0.set(kept));
    }

    /// Ready at once, holding its guard after that.
    struct ReadyHolding(#[allow(dead_code)] OnDrop);

    impl Future for ReadyHolding {
        type Output = ();

        fn poll(self: Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<()> {
            std::task::Poll::Ready(())
        }
    }

    #[test]
    fn a_box_empty_when_done_is_not_dropped_once_complete() {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let drops = Arc::new(AtomicUsize::new(0));
        let holding = || ReadyHolding(OnDrop(Arc::clone(&drops)));
        // Complete: its drop is skipped (what this future still holds
        // is leaked, which no `async` block does).
        let mut done = SpareBox::<_, TestSpare>::empty_when_done(Box::pin(holding()));
        assert!(Pin::new(&mut done).poll(&mut cx).is_ready());
        drop(done);
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        // Not polled: dropped as any box.
        drop(SpareBox::<_, TestSpare>::empty_when_done(Box::pin(
            holding(),
        )));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        // A box made with `new` is dropped once complete.
        let mut plain = SpareBox::<_, TestSpare>::new(Box::pin(holding()));
        assert!(Pin::new(&mut plain).poll(&mut cx).is_ready());
        drop(plain);
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_spare_box_dropped_unfinished_drops_its_future() {
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = OnDrop(Arc::clone(&drops));
        let future = async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        };
        let mut spare_box =
            SpareBox::<_, TestSpare>::new(Box::into_pin(Box::write(take_uninit(&SPARE), future)));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(Pin::new(&mut spare_box).poll(&mut cx).is_pending());
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(spare_box);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}
