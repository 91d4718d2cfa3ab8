//! [`GatheredBody`]: a request body gathered from the pieces the
//! connection reads, for whatever answers requests whole.

use bytes::{Bytes, BytesMut};

/// A body gathered from its pieces: a single piece is kept as it is (no
/// copy), several are joined.
#[derive(Debug, Default)]
pub(crate) struct GatheredBody {
    first: Bytes,
    rest: BytesMut,
}

impl GatheredBody {
    /// Adds the next piece.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        if self.first.is_empty() && self.rest.is_empty() {
            self.first = chunk;
            return;
        }
        if self.rest.is_empty() {
            self.rest.extend_from_slice(&self.first);
            self.first = Bytes::new();
        }
        self.rest.extend_from_slice(&chunk);
    }

    /// The body gathered so far; empty afterwards.
    pub(crate) fn take(&mut self) -> Bytes {
        if self.rest.is_empty() {
            std::mem::take(&mut self.first)
        } else {
            std::mem::take(&mut self.rest).freeze()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_piece_is_kept_and_several_are_joined() {
        let mut body = GatheredBody::default();
        assert!(body.take().is_empty());
        let one = Bytes::from_static(b"one");
        body.push(one.clone());
        let taken = body.take();
        assert_eq!(taken, "one");
        assert_eq!(taken.as_ptr(), one.as_ptr());
        for piece in ["a", "b", "c"] {
            body.push(Bytes::from_static(piece.as_bytes()));
        }
        assert_eq!(body.take(), "abc");
        assert!(body.take().is_empty());
    }
}
