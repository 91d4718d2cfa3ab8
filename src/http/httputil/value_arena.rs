//! Small values made for each response (an `ETag`), copied into a block
//! shared on their thread rather than allocated one by one.
//!
//! Each value is a [`Bytes`] slice of the thread's current block: making
//! one costs a reference count, not an allocation. A block is freed once
//! its last value is dropped; a value kept for long keeps its block (4 KiB)
//! alive.

use std::cell::RefCell;

use bytes::{Bytes, BytesMut};

/// The room of a block.
const BLOCK_SIZE: usize = 4096;

thread_local! {
    static BLOCK: RefCell<BytesMut> = RefCell::new(BytesMut::new());
}

/// `bytes` in shared storage. Values longer than a quarter of a block are
/// allocated on their own.
pub(crate) fn copy(bytes: &[u8]) -> Bytes {
    if bytes.len() > BLOCK_SIZE / 4 {
        return Bytes::copy_from_slice(bytes);
    }
    let shared = BLOCK.try_with(|block| {
        let mut block = block.borrow_mut();
        if block.capacity() - block.len() < bytes.len() {
            *block = BytesMut::with_capacity(BLOCK_SIZE);
        }
        block.extend_from_slice(bytes);
        block.split().freeze()
    });
    // A thread tearing down its locals has no block.
    shared.unwrap_or_else(|_| Bytes::copy_from_slice(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_copied_one_after_the_other_share_a_block() {
        let first = copy(b"\"0123456789abcdef\"");
        let second = copy(b"\"fedcba9876543210\"");
        assert_eq!(&first[..], b"\"0123456789abcdef\"");
        assert_eq!(&second[..], b"\"fedcba9876543210\"");
        // The second value starts where the first ends, in the same block.
        assert_eq!(first.as_ptr().wrapping_add(first.len()), second.as_ptr());
    }

    #[test]
    fn a_full_block_is_replaced_and_the_values_in_it_stay() {
        let values: Vec<Bytes> = (0..BLOCK_SIZE / 100 + 2)
            .map(|i| copy(format!("{i:0100}").as_bytes()))
            .collect();
        for (i, value) in values.iter().enumerate() {
            assert_eq!(&value[..], format!("{i:0100}").as_bytes());
        }
    }

    #[test]
    fn a_long_value_is_allocated_on_its_own() {
        let long = vec![b'x'; BLOCK_SIZE];
        assert_eq!(&copy(&long)[..], &long[..]);
    }
}
