//! Byte buffers kept for reuse on each thread.
//!
//! A stream with nothing to read gives its (empty) read buffer up, and an
//! idle server connection gives up its output buffer, so that an idle
//! connection holds neither. A server that answers one request per read
//! would then allocate and free a read buffer (`read_chunk_size`, 64 KiB
//! by default) and an output buffer for every request. Instead, a buffer
//! given up whole (nothing else still refers to its memory) goes to a
//! small pool of its kind on its thread, and the next buffer of that kind
//! needed there is taken from it: what the pools hold is bounded per
//! thread, not per connection.
//!
//! Each thread also has one scratch buffer ([`with_scratch`]): a stream
//! with nothing buffered reads into it, and keeps a copy of what arrived
//! when that is small, so that a request that arrives whole takes no
//! buffer from a pool at all.

use std::cell::RefCell;
use std::thread::LocalKey;

use bytes::BytesMut;

/// The most buffers one thread keeps of each kind.
const POOL_SIZE: usize = 8;

/// The kinds of buffers, each pooled apart.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pool {
    /// A stream's read buffer.
    Read,
    /// Output gathered before it is handed to a stream.
    Write,
}

thread_local! {
    static READ: RefCell<Vec<BytesMut>> = const { RefCell::new(Vec::new()) };
    static WRITE: RefCell<Vec<BytesMut>> = const { RefCell::new(Vec::new()) };
    static SCRATCH: RefCell<BytesMut> = RefCell::new(BytesMut::new());
}

impl Pool {
    fn buffers(self) -> &'static LocalKey<RefCell<Vec<BytesMut>>> {
        match self {
            Pool::Read => &READ,
            Pool::Write => &WRITE,
        }
    }
}

/// A buffer with room for at least `capacity` bytes: the one last given to
/// `pool` when it is that large, else a new one.
pub(crate) fn take(pool: Pool, capacity: usize) -> BytesMut {
    // A thread tearing down its locals has no pool: allocate.
    let pooled = pool.buffers().try_with(|buffers| {
        let mut buffers = buffers.borrow_mut();
        match buffers.last() {
            Some(buf) if buf.capacity() >= capacity => buffers.pop(),
            _ => None,
        }
    });
    pooled
        .ok()
        .flatten()
        .unwrap_or_else(|| BytesMut::with_capacity(capacity))
}

/// Runs `f` with this thread's scratch buffer, empty and with room for at
/// least `capacity` bytes (taken from the read pool when it has too
/// little). `f` may take the buffer over (leaving it unallocated; the next
/// call takes another) or leave bytes in it, which the next call drops.
/// `None` when the scratch buffer is in use further up the stack or the
/// thread is tearing down its locals.
pub(crate) fn with_scratch<R>(capacity: usize, f: impl FnOnce(&mut BytesMut) -> R) -> Option<R> {
    SCRATCH
        .try_with(|scratch| {
            let mut scratch = scratch.try_borrow_mut().ok()?;
            scratch.clear();
            if scratch.capacity() < capacity {
                *scratch = take(Pool::Read, capacity);
            }
            Some(f(&mut scratch))
        })
        .ok()
        .flatten()
}

/// Takes this thread's scratch buffer out, empty, for a caller that
/// formats into it and gives it back with [`return_scratch`]; the next
/// scratch user before then gets another. `None` when it is in use
/// further up the stack or the thread is tearing down its locals.
pub(crate) fn take_scratch() -> Option<BytesMut> {
    SCRATCH
        .try_with(|scratch| {
            let mut scratch = scratch.try_borrow_mut().ok()?;
            scratch.clear();
            Some(std::mem::take(&mut *scratch))
        })
        .ok()
        .flatten()
}

/// Gives back a buffer taken with [`take_scratch`]: it is the scratch
/// buffer again, emptied, unless another as large took its place.
pub(crate) fn return_scratch(mut buf: BytesMut) {
    buf.clear();
    let _ = SCRATCH.try_with(|scratch| {
        if let Ok(mut scratch) = scratch.try_borrow_mut()
            && scratch.capacity() < buf.capacity()
        {
            *scratch = buf;
        }
    });
}

/// Gives up `buf`, emptied: kept in `pool` when its whole memory is free
/// again and holds from `least` to `most` bytes, dropped otherwise.
pub(crate) fn give(pool: Pool, mut buf: BytesMut, least: usize, most: usize) {
    buf.clear();
    if least == 0 || !buf.try_reclaim(least) || buf.capacity() > most {
        return;
    }
    // A thread tearing down its locals has no pool: the buffer is freed.
    let _ = pool.buffers().try_with(|buffers| {
        let mut buffers = buffers.borrow_mut();
        if buffers.len() < POOL_SIZE {
            buffers.push(buf);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many buffers this thread's `pool` holds.
    fn pooled(pool: Pool) -> usize {
        pool.buffers().with(|buffers| buffers.borrow().len())
    }

    #[test]
    fn a_buffer_given_up_whole_is_kept_and_taken_again() {
        let buf = take(Pool::Read, 1024);
        let address = buf.as_ptr();
        give(Pool::Read, buf, 1024, 2048);
        assert_eq!(pooled(Pool::Read), 1);
        let again = take(Pool::Read, 1024);
        assert_eq!(pooled(Pool::Read), 0);
        assert_eq!(again.as_ptr(), address);
        assert!(again.capacity() >= 1024);
    }

    #[test]
    fn a_buffer_still_shared_or_too_small_or_large_is_not_kept() {
        let mut buf = take(Pool::Read, 1024);
        buf.extend_from_slice(b"request");
        let request = buf.split().freeze();
        give(Pool::Read, buf, 1024, 2048);
        assert_eq!(pooled(Pool::Read), 0, "its memory is still in use");
        drop(request);
        give(Pool::Read, BytesMut::with_capacity(16), 1024, 2048);
        assert_eq!(pooled(Pool::Read), 0, "too small");
        give(Pool::Read, BytesMut::with_capacity(4096), 1024, 2048);
        assert_eq!(pooled(Pool::Read), 0, "too large");
    }

    #[test]
    fn a_buffer_split_and_sent_comes_back_once_the_piece_is_dropped() {
        let mut buf = take(Pool::Write, 512);
        let address = buf.as_ptr();
        buf.extend_from_slice(b"response");
        let sent = buf.split().freeze();
        drop(sent);
        give(Pool::Write, buf, 256, 4096);
        assert_eq!(pooled(Pool::Write), 1);
        assert_eq!(pooled(Pool::Read), 0, "the kinds are pooled apart");
        // The same memory: from its start, or from after the piece sent.
        let again = take(Pool::Write, 256);
        let offset = (again.as_ptr() as usize).wrapping_sub(address as usize);
        assert!(offset <= 8 && again.is_empty(), "{offset}");
    }

    #[test]
    fn the_scratch_buffer_is_reused_empty_and_replaced_when_taken_over() {
        let address = with_scratch(1024, |scratch| {
            assert!(scratch.is_empty() && scratch.capacity() >= 1024);
            scratch.extend_from_slice(b"left behind");
            scratch.as_ptr()
        });
        let again = with_scratch(1024, |scratch| {
            assert!(scratch.is_empty(), "what a call leaves is dropped");
            (scratch.as_ptr(), std::mem::take(scratch))
        });
        let (again_address, taken) = again.expect("the scratch buffer is free");
        assert_eq!(Some(again_address), address);
        let nested = with_scratch(16, |_| with_scratch(16, |_| ()));
        assert_eq!(nested, Some(None), "in use further up the stack");
        let replaced = with_scratch(4096, |scratch| scratch.capacity());
        assert!(replaced.is_some_and(|capacity| capacity >= 4096));
        assert_ne!(
            with_scratch(16, |scratch| scratch.as_ptr()),
            Some(taken.as_ptr())
        );
    }

    #[test]
    fn the_scratch_buffer_taken_out_comes_back_with_its_memory() {
        let address = with_scratch(2048, |scratch| scratch.as_ptr()).unwrap();
        let mut taken = take_scratch().expect("the scratch buffer is free");
        assert_eq!(taken.as_ptr(), address);
        assert!(taken.is_empty() && taken.capacity() >= 2048);
        taken.extend_from_slice(b"HTTP/1.1 200 OK\r\n\r\n");
        // While it is out, the slot is empty: a nested user gets another.
        assert_eq!(with_scratch(0, |scratch| scratch.capacity()), Some(0));
        return_scratch(taken);
        let again = with_scratch(2048, |scratch| (scratch.as_ptr(), scratch.len()));
        assert_eq!(again, Some((address, 0)), "the same memory, emptied");
        // A smaller buffer does not replace a larger scratch buffer.
        return_scratch(BytesMut::with_capacity(16));
        assert_eq!(with_scratch(0, |scratch| scratch.as_ptr()), Some(address));
    }

    #[test]
    fn a_pool_is_bounded() {
        let buffers: Vec<BytesMut> = (0..POOL_SIZE + 4).map(|_| take(Pool::Write, 64)).collect();
        for buf in buffers {
            give(Pool::Write, buf, 64, 128);
        }
        assert_eq!(pooled(Pool::Write), POOL_SIZE);
        Pool::Write
            .buffers()
            .with(|buffers| buffers.borrow_mut().clear());
    }
}
