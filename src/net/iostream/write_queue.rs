//! Queued outgoing data: a list of chunks written with vectored I/O, so any
//! mix of large and small writes is sent without copying.

use std::collections::VecDeque;
use std::io::IoSlice;

use bytes::{Buf, Bytes};

/// At most this many chunks are passed to one vectored write.
const MAX_IOVECS: usize = 64;

/// The chunks not yet written, and counters of everything ever queued and
/// written (so each write knows when its last byte went out).
#[derive(Debug, Default)]
pub(crate) struct WriteQueue {
    chunks: VecDeque<Bytes>,
    /// Bytes queued and not yet written.
    len: usize,
    /// Total bytes ever queued.
    queued_total: u64,
    /// Total bytes ever written to the transport.
    written_total: u64,
}

impl WriteQueue {
    /// Appends `data`; returns the total queued after it (its end offset).
    pub(crate) fn push(&mut self, data: Bytes) -> u64 {
        if !data.is_empty() {
            self.len += data.len();
            self.queued_total += data.len() as u64;
            self.chunks.push_back(data);
        }
        self.queued_total
    }

    /// Bytes queued and not yet written.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Total bytes ever queued.
    pub(crate) fn queued_total(&self) -> u64 {
        self.queued_total
    }

    /// Total bytes ever written to the transport.
    pub(crate) fn written_total(&self) -> u64 {
        self.written_total
    }

    /// Fills `slices` with the first chunks; returns how many.
    pub(crate) fn slices<'a>(&'a self, slices: &mut [IoSlice<'a>; MAX_IOVECS]) -> usize {
        let mut n = 0;
        for (slot, chunk) in slices.iter_mut().zip(&self.chunks) {
            *slot = IoSlice::new(chunk);
            n += 1;
        }
        n
    }

    /// Drops the first `written` bytes, which the transport accepted.
    pub(crate) fn advance(&mut self, mut written: usize) {
        self.len -= written;
        self.written_total += written as u64;
        while written > 0 {
            let Some(front) = self.chunks.front_mut() else {
                break;
            };
            if written < front.len() {
                front.advance(written);
                break;
            }
            written -= front.len();
            self.chunks.pop_front();
        }
    }

    /// Forgets the queued data (the stream closed).
    pub(crate) fn clear(&mut self) {
        self.chunks = VecDeque::new();
        self.len = 0;
    }
}

/// An array of empty slices to fill with [`WriteQueue::slices`].
pub(crate) fn empty_slices<'a>() -> [IoSlice<'a>; MAX_IOVECS] {
    [IoSlice::new(&[]); MAX_IOVECS]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gather(queue: &WriteQueue) -> Vec<u8> {
        let mut slices = empty_slices();
        let n = queue.slices(&mut slices);
        slices[..n].iter().flat_map(|s| s.iter().copied()).collect()
    }

    #[test]
    fn advance_across_chunks_keeps_order_and_counts() {
        let mut q = WriteQueue::default();
        assert_eq!(q.push(Bytes::from_static(b"12")), 2);
        assert_eq!(q.push(Bytes::from_static(b"")), 2);
        assert_eq!(q.push(Bytes::from_static(b"345")), 5);
        assert_eq!(q.push(Bytes::from_static(b"67")), 7);
        assert_eq!(gather(&q), b"1234567");
        q.advance(3);
        assert_eq!((q.len(), q.written_total()), (4, 3));
        assert_eq!(gather(&q), b"4567");
        q.advance(4);
        assert!(q.is_empty());
        assert_eq!(q.written_total(), 7);
        assert_eq!(gather(&q), b"");
    }

    #[test]
    fn at_most_max_iovecs_slices() {
        let mut q = WriteQueue::default();
        for _ in 0..MAX_IOVECS + 10 {
            q.push(Bytes::from_static(b"x"));
        }
        let mut slices = empty_slices();
        assert_eq!(q.slices(&mut slices), MAX_IOVECS);
    }
}
