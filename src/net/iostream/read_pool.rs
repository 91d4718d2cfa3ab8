//! Read buffers kept for reuse on each thread.
//!
//! A stream with nothing to read gives its (empty) read buffer up, so that
//! an idle connection holds none. A server that answers one request per
//! read would then allocate a read-sized buffer (`read_chunk_size`, 64 KiB
//! by default) and free it again for every request. Instead, a buffer given
//! up whole (nothing else still refers to its memory) goes to a small pool
//! on its thread, and the next stream that needs one there takes it: what
//! the pool holds is bounded per thread, not per connection.

use std::cell::RefCell;

use bytes::BytesMut;

/// The most buffers one thread keeps.
const POOL_SIZE: usize = 8;

thread_local! {
    static POOL: RefCell<Vec<BytesMut>> = const { RefCell::new(Vec::new()) };
}

/// A buffer with room for at least `capacity` bytes: one from the pool
/// when it has one that large, else a new one.
pub(crate) fn take(capacity: usize) -> BytesMut {
    // A thread tearing down its locals has no pool: allocate.
    let pooled = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        match pool.last() {
            Some(buf) if buf.capacity() >= capacity => pool.pop(),
            _ => None,
        }
    });
    pooled
        .ok()
        .flatten()
        .unwrap_or_else(|| BytesMut::with_capacity(capacity))
}

/// Gives up the empty buffer `buf`: kept for reuse when its whole memory
/// is free again and holds `capacity` bytes (but not much more), dropped
/// otherwise.
pub(crate) fn give(mut buf: BytesMut, capacity: usize) {
    debug_assert!(buf.is_empty());
    if capacity == 0 || !buf.try_reclaim(capacity) || buf.capacity() > 2 * capacity {
        return;
    }
    // A thread tearing down its locals has no pool: the buffer is freed.
    let _ = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < POOL_SIZE {
            pool.push(buf);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many buffers this thread's pool holds.
    fn pooled() -> usize {
        POOL.with(|pool| pool.borrow().len())
    }

    #[test]
    fn a_buffer_given_up_whole_is_kept_and_taken_again() {
        let buf = take(1024);
        let address = buf.as_ptr();
        give(buf, 1024);
        assert_eq!(pooled(), 1);
        let again = take(1024);
        assert_eq!(pooled(), 0);
        assert_eq!(again.as_ptr(), address);
        assert!(again.capacity() >= 1024);
    }

    #[test]
    fn a_buffer_still_shared_or_too_small_is_not_kept() {
        let mut buf = take(1024);
        buf.extend_from_slice(b"request");
        let request = buf.split().freeze();
        give(buf, 1024);
        assert_eq!(pooled(), 0, "its memory is still in use");
        drop(request);
        give(BytesMut::with_capacity(16), 1024);
        assert_eq!(pooled(), 0, "too small for a read");
        give(BytesMut::with_capacity(4096), 1024);
        assert_eq!(pooled(), 0, "much larger than a read");
    }

    #[test]
    fn the_pool_is_bounded() {
        let buffers: Vec<BytesMut> = (0..POOL_SIZE + 4).map(|_| take(64)).collect();
        for buf in buffers {
            give(buf, 64);
        }
        assert_eq!(pooled(), POOL_SIZE);
        POOL.with(|pool| pool.borrow_mut().clear());
    }
}
