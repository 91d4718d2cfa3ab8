//! Queued outgoing data: a list of chunks written with vectored I/O, so any
//! mix of large and small writes is sent without copying.

use std::collections::VecDeque;
use std::io::IoSlice;

use bytes::{Buf, Bytes};

/// At most this many chunks are passed to one vectored write.
const MAX_IOVECS: usize = 64;
/// At most this many bytes are offered to one write: larger offers only
/// let the kernel queue more than the peer can take while it is still hot
/// in cache, and measured slower on loopback.
const MAX_WRITE_BYTES: usize = 1024 * 1024;
/// A chunk at least this large is written alone, never gathered with
/// others.
const LARGE_CHUNK: usize = 64 * 1024;

/// The chunks not yet written, and counters of everything ever queued and
/// written (so each write knows when its last byte went out).
#[derive(Debug, Default)]
pub(crate) struct WriteQueue {
    chunks: VecDeque<Bytes>,
    /// Bytes queued and not yet written.
    len: usize,
    /// Total bytes ever queued (direct writes counted as queued).
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

    /// Counts `written` bytes written around the queue (while it was
    /// empty) as queued and written.
    pub(crate) fn count_direct(&mut self, written: usize) {
        debug_assert!(self.chunks.is_empty());
        self.queued_total += written as u64;
        self.written_total += written as u64;
    }

    /// Bytes queued and not yet written.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Total bytes ever queued (direct writes counted as queued).
    pub(crate) fn queued_total(&self) -> u64 {
        self.queued_total
    }

    /// Total bytes ever written to the transport.
    pub(crate) fn written_total(&self) -> u64 {
        self.written_total
    }

    /// The one chunk queued, as much of it as one write offers; `None`
    /// unless exactly one is queued. The common case is written without
    /// gathering slices.
    pub(crate) fn only_chunk(&self) -> Option<&[u8]> {
        match self.chunks.len() {
            1 => self
                .chunks
                .front()
                .map(|chunk| &chunk[..chunk.len().min(MAX_WRITE_BYTES)]),
            _ => None,
        }
    }

    /// Fills `slices` with the first chunks, up to `MAX_IOVECS` of them
    /// and `MAX_WRITE_BYTES` in all; returns how many. Gathering pays only
    /// for small chunks, so a large chunk goes alone: as the first, it
    /// takes no others along, and behind others it waits for the next
    /// write. (Offering the rest of one chunk with the head of a large next
    /// one in one vectored write made loopback transfers fall into the
    /// kernel's twice-as-slow pattern far more often, and a short vectored
    /// write is retried into `EAGAIN`, where the plain write that a single
    /// slice goes through is not.)
    pub(crate) fn slices<'a>(&'a self, slices: &mut [IoSlice<'a>; MAX_IOVECS]) -> usize {
        let mut chunks = self.chunks.iter();
        let Some(first) = chunks.next() else {
            return 0;
        };
        let take = first.len().min(MAX_WRITE_BYTES);
        slices[0] = IoSlice::new(&first[..take]);
        if first.len() >= LARGE_CHUNK {
            return 1;
        }
        let mut n = 1;
        let mut room = MAX_WRITE_BYTES - take;
        for (slot, chunk) in slices[1..].iter_mut().zip(chunks) {
            if room == 0 || chunk.len() >= LARGE_CHUNK {
                break;
            }
            let take = chunk.len().min(room);
            *slot = IoSlice::new(&chunk[..take]);
            room -= take;
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

    /// Appends all pieces, then drops them again in random steps, checking
    /// the queued bytes and counters after every step.
    fn append_all_then_advance_all(pieces: &[Vec<u8>], seed: u64) {
        let mut q = WriteQueue::default();
        let mut expected = Vec::new();
        for piece in pieces {
            expected.extend_from_slice(piece);
            assert_eq!(q.push(Bytes::from(piece.clone())), expected.len() as u64);
            assert_eq!(q.len(), expected.len());
            assert_eq!(gather(&q), expected);
        }
        let total = expected.len() as u64;
        let mut state = seed | 1;
        while !expected.is_empty() {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = 1 + (state >> 33) as usize % expected.len();
            q.advance(n);
            expected.drain(..n);
            assert_eq!(q.len(), expected.len());
            assert_eq!(gather(&q), expected);
        }
        assert!(q.is_empty());
        assert_eq!(q.written_total(), total);
        assert_eq!(q.queued_total(), total);
    }

    /// Tornado's `TestStreamBuffer.test_small`.
    #[test]
    fn test_stream_buffer_test_small() {
        let pieces: Vec<Vec<u8>> = ["12", "345", "", "67", "89a", "bcde", "fgh", "ijklmn"]
            .iter()
            .map(|p| p.as_bytes().to_vec())
            .collect();
        for seed in 0..20 {
            append_all_then_advance_all(&pieces, seed);
        }
    }

    /// Tornado's `TestStreamBuffer.test_large`.
    #[test]
    fn test_stream_buffer_test_large() {
        let pieces: Vec<Vec<u8>> = [
            ("12", 5),
            ("345", 2),
            ("67", 20),
            ("89a", 12),
            ("bcde", 1),
            ("fgh", 7),
            ("ijklmn", 2),
        ]
        .iter()
        .map(|(p, n)| p.repeat(*n).into_bytes())
        .collect();
        for seed in 0..20 {
            append_all_then_advance_all(&pieces, seed);
        }
    }

    fn offered(queue: &WriteQueue) -> Vec<usize> {
        let mut slices = empty_slices();
        let n = queue.slices(&mut slices);
        slices[..n].iter().map(|s| s.len()).collect()
    }

    #[test]
    fn large_chunks_go_alone() {
        let mut q = WriteQueue::default();
        q.push(Bytes::from(vec![1; 10]));
        q.push(Bytes::from(vec![2; 20]));
        q.push(Bytes::from(vec![3; LARGE_CHUNK]));
        q.push(Bytes::from(vec![4; 2 * MAX_WRITE_BYTES]));
        q.push(Bytes::from(vec![5; 30]));
        // Small chunks are gathered up to the large one.
        assert_eq!(offered(&q), [10, 20]);
        q.advance(30);
        // A large first chunk takes no others along.
        assert_eq!(offered(&q), [LARGE_CHUNK]);
        // Nor does the rest of a large chunk when a large one follows.
        q.advance(LARGE_CHUNK - 5);
        assert_eq!(offered(&q), [5]);
        q.advance(5);
        // A huge chunk is offered a write's worth at a time.
        assert_eq!(offered(&q), [MAX_WRITE_BYTES]);
        q.advance(2 * MAX_WRITE_BYTES - 7);
        // Its small rest gathers the small chunk behind it.
        assert_eq!(offered(&q), [7, 30]);
    }

    #[test]
    fn only_chunk_is_the_single_chunk_as_one_write_offers_it() {
        let mut q = WriteQueue::default();
        assert_eq!(q.only_chunk(), None);
        q.push(Bytes::from_static(b"response"));
        assert_eq!(q.only_chunk(), Some(&b"response"[..]));
        q.advance(3);
        assert_eq!(q.only_chunk(), Some(&b"ponse"[..]));
        q.push(Bytes::from_static(b"next"));
        assert_eq!(q.only_chunk(), None, "two chunks are gathered");
        q.advance(5);
        q.push(Bytes::new());
        assert_eq!(
            q.only_chunk(),
            Some(&b"next"[..]),
            "nothing empty is queued"
        );
        q.advance(4);
        q.push(Bytes::from(vec![7; MAX_WRITE_BYTES + 1]));
        assert_eq!(q.only_chunk().map(<[u8]>::len), Some(MAX_WRITE_BYTES));
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
