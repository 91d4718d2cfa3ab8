//! Body buffers kept for reuse on each thread.
//!
//! A web handler gathers its output in a buffer, and for most responses
//! the connection copies that output into its own write buffer and drops
//! it: an allocation and a free per request. A buffer dropped that way
//! goes to a small pool on its thread instead, when nothing else shares
//! it, and the next handler's output there starts in it. What the pool
//! holds is bounded per thread.

use std::cell::{Cell, RefCell};

use bytes::{Bytes, BytesMut};

/// The most buffers one thread keeps.
const POOL_SIZE: usize = 16;

/// The most room a pooled buffer may have: bigger ones are freed.
const MOST_ROOM: usize = 16 * 1024;

thread_local! {
    /// The buffer given last, kept apart: a thread answering one request
    /// at a time takes and gives back only this one.
    static LAST: Cell<Option<BytesMut>> = const { Cell::new(None) };
    /// The buffers given before it, the latest last.
    static POOL: RefCell<Vec<BytesMut>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer: the one last given to the pool, else a new one
/// (which allocates only when written to).
#[inline]
pub(crate) fn take() -> BytesMut {
    // A thread tearing down its locals has no pool: a new buffer.
    match LAST.try_with(Cell::take) {
        Ok(Some(last)) => last,
        _ => take_pooled(),
    }
}

/// An empty buffer from the pool past the last one, else a new one.
#[inline(never)]
fn take_pooled() -> BytesMut {
    POOL.try_with(|pool| pool.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Gives up `bytes`, whose content is used: its storage is kept for
/// reuse when nothing else shares it and its room is within bounds.
pub(crate) fn give(bytes: Bytes) {
    if bytes.len() > MOST_ROOM {
        return;
    }
    if let Ok(buffer) = bytes.try_into_mut() {
        give_buffer(buffer);
    }
}

/// Gives up `buffer`, whose content is used: its storage is kept for
/// reuse when its room is within bounds.
#[inline]
pub(crate) fn give_buffer(mut buffer: BytesMut) {
    if buffer.capacity() == 0 || buffer.capacity() > MOST_ROOM {
        return;
    }
    buffer.clear();
    // A thread tearing down its locals has no pool: the buffer is freed.
    if let Ok(Some(before)) = LAST.try_with(|last| last.replace(Some(buffer))) {
        pool_buffer(before);
    }
}

/// Keeps `before`, the last buffer given until now, in the pool if it
/// has room.
#[inline(never)]
fn pool_buffer(before: BytesMut) {
    let _ = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        // The last buffer counts towards the bound.
        if pool.len() + 1 < POOL_SIZE {
            pool.push(before);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_given_up_alone_is_taken_again() {
        let mut buffer = take();
        buffer.extend_from_slice(b"a response body");
        let address = buffer.as_ptr();
        give(buffer.freeze());
        let again = take();
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), address);
        assert!(again.capacity() >= b"a response body".len());
    }

    #[test]
    fn shared_static_and_big_buffers_are_not_kept() {
        // Drain what earlier tests on this thread left.
        while take().capacity() > 0 {}
        let shared = Bytes::from(vec![1u8; 64]);
        let other = shared.clone();
        give(shared);
        give(Bytes::from_static(b"static"));
        give(Bytes::from(vec![0u8; MOST_ROOM + 1]));
        assert_eq!(take().capacity(), 0);
        drop(other);
    }

    #[test]
    fn the_pool_is_bounded() {
        for _ in 0..POOL_SIZE * 2 {
            give(Bytes::from(vec![0u8; 32]));
        }
        let last = LAST.with(|last| {
            let buffer = last.take();
            let kept = buffer.is_some();
            last.set(buffer);
            kept
        });
        let kept = POOL.with(|pool| pool.borrow().len()) + usize::from(last);
        assert_eq!(kept, POOL_SIZE);
    }
}
