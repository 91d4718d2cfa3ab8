//! [`OutputBuffer`]: what a handler wrote and has not sent yet. A small
//! body, most responses' (a JSON object, a short page), stays in the
//! context itself; a bigger one moves to a buffer from the thread's pool.

use std::mem::MaybeUninit;

use bytes::{Bytes, BytesMut};

use crate::httputil::body_pool;

/// The most output kept in the context itself.
const INLINE: usize = 512;

/// Output written and not yet sent.
pub(super) struct OutputBuffer {
    /// How many bytes of `inline` are written, while `spilled` has no
    /// room (0 once it has).
    len: usize,
    /// The output while it is small: its first `len` bytes are written.
    inline: [MaybeUninit<u8>; INLINE],
    /// The output once it outgrew `inline`: a buffer from the pool.
    spilled: BytesMut,
}

impl OutputBuffer {
    /// Nothing written.
    pub(super) fn new() -> OutputBuffer {
        OutputBuffer {
            len: 0,
            inline: [MaybeUninit::uninit(); INLINE],
            spilled: BytesMut::new(),
        }
    }

    /// Whether the output is in a pooled buffer.
    fn is_spilled(&self) -> bool {
        self.spilled.capacity() != 0
    }

    /// The output.
    pub(super) fn as_slice(&self) -> &[u8] {
        if self.is_spilled() {
            return &self.spilled;
        }
        let written = &self.inline[..self.len];
        // SAFETY: the first `len` bytes of `inline` were written by
        // `extend` (`len` counts only what it wrote), so they are
        // initialised; `MaybeUninit<u8>` has the layout of `u8`.
        #[allow(unsafe_code)]
        unsafe {
            std::slice::from_raw_parts(written.as_ptr().cast::<u8>(), written.len())
        }
    }

    /// The output's length.
    pub(super) fn len(&self) -> usize {
        if self.is_spilled() {
            self.spilled.len()
        } else {
            self.len
        }
    }

    /// Whether nothing is written.
    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `bytes` to the output.
    #[inline]
    pub(super) fn extend(&mut self, bytes: &[u8]) {
        if !self.is_spilled()
            && let Some(room) = self.inline.get_mut(self.len..self.len + bytes.len())
        {
            for (slot, byte) in room.iter_mut().zip(bytes) {
                slot.write(*byte);
            }
            self.len += bytes.len();
            return;
        }
        self.extend_spilled(bytes);
    }

    /// [`extend`](Self::extend) once the output does not fit in the
    /// context: it moves to a pooled buffer first.
    #[inline(never)]
    fn extend_spilled(&mut self, bytes: &[u8]) {
        if !self.is_spilled() {
            let mut spilled = body_pool::take();
            spilled.reserve(self.len + bytes.len());
            spilled.extend_from_slice(self.as_slice());
            self.len = 0;
            self.spilled = spilled;
        }
        self.spilled.extend_from_slice(bytes);
    }

    /// Forgets the output (a pooled buffer keeps its room).
    pub(super) fn clear(&mut self) {
        self.len = 0;
        self.spilled.clear();
    }

    /// Takes the output out as shared bytes, leaving none: a pooled
    /// buffer keeps the room past it for more output.
    pub(super) fn split_bytes(&mut self) -> Bytes {
        if self.is_spilled() {
            return self.spilled.split().freeze();
        }
        self.take_inline()
    }

    /// Takes the output out as shared bytes, with the pooled buffer it is
    /// in, if any: the last output of a response.
    pub(super) fn take_bytes(&mut self) -> Bytes {
        if self.is_spilled() {
            return std::mem::take(&mut self.spilled).freeze();
        }
        self.take_inline()
    }

    /// The output in the context, copied out; none is left.
    fn take_inline(&mut self) -> Bytes {
        let bytes = Bytes::copy_from_slice(self.as_slice());
        self.len = 0;
        bytes
    }

    /// Forgets the output, once sent, and gives a pooled buffer back to
    /// the pool.
    #[inline]
    pub(super) fn recycle(&mut self) {
        self.len = 0;
        if self.is_spilled() {
            body_pool::give_buffer(std::mem::take(&mut self.spilled));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_moves_to_a_pooled_buffer_once_it_outgrows_the_context() {
        let mut output = OutputBuffer::new();
        assert!(output.is_empty());
        output.extend(b"abc");
        output.extend(&[b'd'; INLINE - 3]);
        assert!(!output.is_spilled());
        assert_eq!(output.len(), INLINE);
        output.extend(b"e");
        assert!(output.is_spilled());
        let mut expected = b"abc".to_vec();
        expected.extend([b'd'; INLINE - 3]);
        expected.push(b'e');
        assert_eq!(output.as_slice(), expected);
        assert_eq!(output.split_bytes(), expected);
        assert!(output.is_empty());
        output.extend(b"f");
        assert_eq!(output.take_bytes(), "f");
        assert!(!output.is_spilled());
        output.extend(b"g");
        output.recycle();
        assert!(output.is_empty() && !output.is_spilled());
    }

    #[test]
    fn a_piece_bigger_than_the_context_goes_to_the_pool_whole() {
        let mut output = OutputBuffer::new();
        output.extend(b"ab");
        let big = vec![7u8; INLINE * 3];
        output.extend(&big);
        assert_eq!(output.len(), 2 + big.len());
        assert_eq!(&output.as_slice()[..2], b"ab");
        assert_eq!(&output.as_slice()[2..], &big[..]);
    }

    #[test]
    fn small_output_is_taken_and_cleared_in_place() {
        let mut output = OutputBuffer::new();
        output.extend(b"hello");
        assert_eq!(output.take_bytes(), "hello");
        assert!(output.is_empty());
        output.extend(b"x");
        output.clear();
        assert!(output.is_empty());
        output.extend(b"yz");
        assert_eq!(output.as_slice(), b"yz");
    }

    proptest::proptest! {
        #[test]
        fn the_output_is_what_was_written(pieces in proptest::collection::vec(
            proptest::collection::vec(proptest::num::u8::ANY, 0..300), 0..8)) {
            let mut output = OutputBuffer::new();
            let mut expected = Vec::new();
            for piece in &pieces {
                output.extend(piece);
                expected.extend_from_slice(piece);
                proptest::prop_assert_eq!(output.as_slice(), &expected[..]);
            }
            proptest::prop_assert_eq!(output.len(), expected.len());
        }
    }
}
