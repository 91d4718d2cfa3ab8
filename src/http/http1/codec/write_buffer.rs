//! [`WriteBuffer`]: output gathered for one vectored write.

use bytes::{BufMut, Bytes, BytesMut};

use crate::util::buffer_pool::{self, Pool};

/// Pieces at least this long are kept as they are instead of copied.
const COPY_LIMIT: usize = 1024;

/// The least capacity an empty staging buffer starts with when an encoder
/// formats into it: a few heads and short bodies, allocated from the
/// allocator's thread cache.
const STAGING_CAPACITY: usize = 1024;

/// The most capacity a staging buffer starts with: what the last one
/// held, so that the heads of a pipelined batch are not moved each time
/// the buffer doubles, up to this.
const STAGING_MAX_START: usize = 16 * 1024;

/// The largest staging buffer [`WriteBuffer::release`] keeps for reuse.
const STAGING_MAX_KEPT: usize = 4 * STAGING_MAX_START;

/// Output gathered for one vectored write: small pieces (heads, chunk
/// framing, short bodies) are copied into one buffer, big chunks are kept
/// as they are; [`take`](Self::take) hands them over in order.
///
/// ```
/// use bytes::Bytes;
/// use supercell::http1::codec::WriteBuffer;
///
/// let mut out = WriteBuffer::new();
/// out.extend_from_slice(b"HTTP/1.1 200 OK\r\n\r\n");
/// out.push(Bytes::from(vec![b'x'; 4096]));
/// out.push(Bytes::from_static(b"tail"));
/// assert_eq!(out.len(), 19 + 4096 + 4);
/// let pieces = out.take();
/// assert_eq!(pieces.len(), 3);
/// assert!(out.is_empty());
/// ```
#[derive(Debug, Default)]
pub struct WriteBuffer {
    /// Finished pieces, in order.
    pieces: Vec<Bytes>,
    /// Small pieces copied together, written after `pieces`.
    staging: BytesMut,
    /// Bytes in `pieces`.
    pieces_len: usize,
    /// How much the last staging buffer held when handed over: the start
    /// capacity of the next.
    last_staged: usize,
}

impl WriteBuffer {
    /// An empty buffer.
    pub fn new() -> WriteBuffer {
        WriteBuffer::default()
    }

    /// Whether nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many bytes are buffered.
    pub fn len(&self) -> usize {
        self.pieces_len + self.staging.len()
    }

    /// Appends a copy of `bytes`.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.staging.extend_from_slice(bytes);
    }

    /// Whether a piece of `len` bytes is copied by [`push`](Self::push)
    /// (else kept as it is).
    pub(crate) fn copies(len: usize) -> bool {
        len < COPY_LIMIT
    }

    /// Appends `bytes`: copied when small, kept as it is when big.
    pub fn push(&mut self, bytes: Bytes) {
        if WriteBuffer::copies(bytes.len()) {
            self.staging.extend_from_slice(&bytes);
            crate::httputil::body_pool::give(bytes);
        } else {
            self.flush_staging();
            self.pieces_len += bytes.len();
            self.pieces.push(bytes);
        }
    }

    /// Everything buffered, in order; the buffer is left empty.
    pub fn take(&mut self) -> Vec<Bytes> {
        self.flush_staging();
        self.pieces_len = 0;
        std::mem::take(&mut self.pieces)
    }

    /// Hands everything buffered to `write`, piece by piece and in order,
    /// without gathering the pieces in a list first; the buffer is left
    /// empty.
    pub fn drain(&mut self, mut write: impl FnMut(Bytes)) {
        self.pieces.drain(..).for_each(&mut write);
        self.pieces_len = 0;
        if !self.staging.is_empty() {
            write(self.take_staging());
        }
    }

    /// Everything buffered as one piece (copying only when there are
    /// several); the buffer is left empty.
    pub fn take_bytes(&mut self) -> Bytes {
        if self.pieces.is_empty() {
            return self.take_staging();
        }
        let pieces = self.take();
        if let [one] = &pieces[..] {
            return one.clone();
        }
        let mut all = BytesMut::with_capacity(pieces.iter().map(Bytes::len).sum());
        for piece in pieces {
            all.put(piece);
        }
        all.freeze()
    }

    /// Hands what is buffered to `write_now` when it is all in the
    /// staging buffer, and drops from it as much as `write_now` says it
    /// wrote: output written where it was formatted, not split off.
    pub(crate) fn write_staged(&mut self, write_now: impl FnOnce(&[u8]) -> usize) {
        if self.pieces.is_empty() && !self.staging.is_empty() {
            let written = write_now(&self.staging).min(self.staging.len());
            bytes::Buf::advance(&mut self.staging, written);
        }
    }

    /// An empty buffer that formats into `staging` (emptied): a buffer
    /// lent for one response, given back with
    /// [`into_staging`](Self::into_staging).
    pub(crate) fn over(mut staging: BytesMut) -> WriteBuffer {
        staging.clear();
        WriteBuffer {
            staging,
            ..WriteBuffer::default()
        }
    }

    /// The staging buffer, emptied, back from [`over`](Self::over).
    pub(crate) fn into_staging(mut self) -> BytesMut {
        self.staging.clear();
        self.staging
    }

    /// Writes what `formatted` holds through `write_now` when it is all
    /// staged, and appends what was not written to this buffer, after
    /// what this one holds; `formatted` is left empty, its staging memory
    /// still its own (nothing here refers to it).
    pub(crate) fn write_through(
        &mut self,
        formatted: &mut WriteBuffer,
        write_now: impl FnOnce(&[u8]) -> usize,
    ) {
        let written = if self.is_empty() && formatted.pieces.is_empty() {
            write_now(&formatted.staging).min(formatted.staging.len())
        } else {
            0
        };
        if !formatted.pieces.is_empty() {
            self.flush_staging();
            self.pieces_len += formatted.pieces_len;
            self.pieces.append(&mut formatted.pieces);
            formatted.pieces_len = 0;
        }
        let rest = &formatted.staging[written..];
        if !rest.is_empty() {
            self.staging(rest.len()).extend_from_slice(rest);
        }
        formatted.staging.clear();
    }

    /// A mark to [`rewind`](Self::rewind) to: what is buffered now.
    pub(crate) fn mark(&self) -> (usize, usize) {
        (self.pieces.len(), self.staging.len())
    }

    /// Drops what was appended since `mark`, provided it was all copied
    /// (no piece was kept whole since).
    pub(crate) fn rewind(&mut self, mark: (usize, usize)) {
        if self.pieces.len() == mark.0 {
            self.staging.truncate(mark.1);
        }
    }

    /// The staging buffer, for the encoders to format into, with room for
    /// at least `additional` more bytes.
    pub(super) fn staging(&mut self, additional: usize) -> &mut BytesMut {
        if self.staging.capacity() == 0 {
            let start = self.last_staged.clamp(STAGING_CAPACITY, STAGING_MAX_START);
            self.staging = buffer_pool::take(Pool::Write, additional.max(start));
        } else {
            self.staging.reserve(additional);
        }
        &mut self.staging
    }

    fn flush_staging(&mut self) {
        if !self.staging.is_empty() {
            let staged = self.take_staging();
            self.pieces_len += staged.len();
            self.pieces.push(staged);
        }
    }

    /// What the staging buffer holds, split off: the room after it stays
    /// for what comes next (once the buffer's memory is shared, splitting
    /// allocates nothing). How much it held sizes the next buffer, when
    /// that room runs out.
    fn take_staging(&mut self) -> Bytes {
        self.last_staged = self.staging.len();
        self.staging.split().freeze()
    }

    /// Empties the buffer and gives its memory up: to this thread's pool
    /// of output buffers, for the next buffer made there, once what was
    /// taken from it is no longer held (else it is dropped). An idle
    /// connection releases its buffer so that it holds none.
    pub fn release(&mut self) {
        let staging = std::mem::take(&mut self.staging);
        *self = WriteBuffer::new();
        buffer_pool::give(Pool::Write, staging, STAGING_CAPACITY, STAGING_MAX_KEPT);
    }
}

/// A piece of body a [`WriteBuffer`] takes: shared [`Bytes`], kept as they
/// are when big, or borrowed bytes, copied.
pub trait BodyPiece {
    /// How many bytes.
    fn len(&self) -> usize;

    /// Whether it has none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends it to `out`.
    fn put_into(self, out: &mut WriteBuffer);
}

impl BodyPiece for Bytes {
    fn len(&self) -> usize {
        Bytes::len(self)
    }

    fn put_into(self, out: &mut WriteBuffer) {
        out.push(self);
    }
}

impl BodyPiece for &[u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }

    fn put_into(self, out: &mut WriteBuffer) {
        if WriteBuffer::copies(self.len()) {
            out.extend_from_slice(self);
        } else {
            out.push(Bytes::copy_from_slice(self));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_staged_drops_what_was_written_and_leaves_kept_pieces_alone() {
        let mut out = WriteBuffer::new();
        out.extend_from_slice(b"HTTP/1.1 200 OK\r\n\r\n");
        out.write_staged(|staged| {
            assert_eq!(staged, b"HTTP/1.1 200 OK\r\n\r\n");
            9
        });
        assert_eq!(out.take_bytes(), &b"200 OK\r\n\r\n"[..]);
        out.push(Bytes::from(vec![b'x'; COPY_LIMIT]));
        out.extend_from_slice(b"tail");
        out.write_staged(|_| unreachable!("a kept piece goes first"));
        assert_eq!(out.len(), COPY_LIMIT + 4);
        out.take();
        out.write_staged(|_| unreachable!("nothing is buffered"));
    }

    #[test]
    fn write_through_keeps_what_was_not_written_in_order_and_lends_no_memory() {
        let lent = BytesMut::with_capacity(256);
        let address = lent.as_ptr();
        let mut formatted = WriteBuffer::over(lent);
        formatted.extend_from_slice(b"HTTP/1.1 200 OK\r\n\r\nbody");
        let mut out = WriteBuffer::new();
        out.write_through(&mut formatted, |now| {
            assert_eq!(now, b"HTTP/1.1 200 OK\r\n\r\nbody");
            now.len()
        });
        assert!(out.is_empty() && formatted.is_empty());
        assert_eq!(
            out.staging.capacity(),
            0,
            "nothing was kept: no buffer taken"
        );
        formatted.extend_from_slice(b"HTTP/1.1 204 No Content\r\n\r\n");
        out.write_through(&mut formatted, |_| 9);
        assert_eq!(out.take_bytes(), &b"204 No Content\r\n\r\n"[..]);
        // Pieces kept whole go first, then the staged rest; nothing is
        // written around output already buffered.
        out.extend_from_slice(b"a");
        let big = Bytes::from(vec![b'c'; COPY_LIMIT]);
        formatted.push(big.clone());
        formatted.extend_from_slice(b"d");
        out.write_through(&mut formatted, |_| unreachable!("output is buffered"));
        assert_eq!(
            out.take(),
            [Bytes::from_static(b"a"), big, Bytes::from_static(b"d")]
        );
        let back = formatted.into_staging();
        assert_eq!(back.as_ptr(), address, "the lent buffer comes back");
        assert!(back.is_empty());
    }

    #[test]
    fn small_pieces_are_joined_and_order_is_kept() {
        let mut out = WriteBuffer::new();
        out.extend_from_slice(b"a");
        out.push(Bytes::from_static(b"b"));
        let big = Bytes::from(vec![b'c'; COPY_LIMIT]);
        out.push(big.clone());
        out.extend_from_slice(b"d");
        let pieces = out.take();
        assert_eq!(
            pieces,
            [Bytes::from_static(b"ab"), big, Bytes::from_static(b"d")]
        );
        assert_eq!(out.len(), 0);
    }

    #[test]
    fn drain_hands_over_every_piece_in_order() {
        let mut out = WriteBuffer::new();
        out.extend_from_slice(b"a");
        let big = Bytes::from(vec![b'b'; COPY_LIMIT]);
        out.push(big.clone());
        out.extend_from_slice(b"c");
        let mut written = Vec::new();
        out.drain(|piece| written.push(piece));
        assert_eq!(
            written,
            [Bytes::from_static(b"a"), big, Bytes::from_static(b"c")]
        );
        assert!(out.is_empty());
        out.drain(|_| panic!("nothing is left"));
    }

    /// Fills the staging buffer to its capacity and takes it.
    fn fill_and_take(out: &mut WriteBuffer, at_least: usize) {
        let capacity = out.staging(at_least).capacity();
        out.staging(0).extend_from_slice(&vec![b'x'; capacity]);
        assert_eq!(out.take_bytes().len(), capacity);
    }

    #[test]
    fn a_staging_buffer_starts_as_large_as_the_last_one_held_within_bounds() {
        let mut out = WriteBuffer::new();
        assert_eq!(out.staging(1).capacity(), STAGING_CAPACITY);
        // Each buffer below is used up, so the next one is a new one.
        fill_and_take(&mut out, 3000);
        assert!(out.staging(1).capacity() >= 3000);
        out.take();
        fill_and_take(&mut out, 4 * STAGING_MAX_START);
        let next = out.staging(1).capacity();
        assert!(
            (STAGING_MAX_START..2 * STAGING_MAX_START).contains(&next),
            "{next}"
        );
    }

    #[test]
    fn what_follows_a_taken_piece_goes_into_the_room_after_it() {
        let mut out = WriteBuffer::new();
        out.staging(1).extend_from_slice(b"ab");
        let first = out.take_bytes();
        out.extend_from_slice(b"cd");
        let mut written = Vec::new();
        out.drain(|piece| written.push(piece));
        assert_eq!((&first[..], &written[0][..]), (&b"ab"[..], &b"cd"[..]));
        assert_eq!(written[0].as_ptr(), first.as_ptr().wrapping_add(2));
    }

    #[test]
    fn a_released_buffer_is_reused_once_nothing_holds_it() {
        let mut out = WriteBuffer::new();
        out.staging(1).extend_from_slice(b"response");
        let sent = out.take_bytes();
        let address = sent.as_ptr();
        drop(sent);
        out.release();
        assert!(out.is_empty());
        let mut next = WriteBuffer::new();
        assert_eq!(next.staging(1).as_ptr(), address);
    }

    #[test]
    fn a_released_buffer_is_kept_up_to_the_size_limit() {
        for (size, kept) in [(STAGING_MAX_KEPT, true), (STAGING_MAX_KEPT + 1, false)] {
            let mut out = WriteBuffer::new();
            assert_eq!(out.staging(size).capacity(), size);
            out.release();
            let mut next = WriteBuffer::new();
            let capacity = next.staging(1).capacity();
            assert_eq!(capacity == size, kept, "{size}: {capacity}");
        }
    }

    #[test]
    fn a_released_buffer_still_held_is_not_reused() {
        let mut out = WriteBuffer::new();
        out.staging(1).extend_from_slice(b"held");
        let held = out.take_bytes();
        out.release();
        let mut next = WriteBuffer::new();
        next.staging(1).extend_from_slice(b"other");
        assert_eq!(next.take_bytes(), "other");
        assert_eq!(held, "held");
    }

    #[test]
    fn big_pieces_are_not_copied() {
        let mut out = WriteBuffer::new();
        let big = Bytes::from(vec![b'x'; 2 * COPY_LIMIT]);
        out.push(big.clone());
        let pieces = out.take();
        assert_eq!(pieces[0].as_ptr(), big.as_ptr());
    }

    #[test]
    fn take_bytes_joins_everything() {
        let mut out = WriteBuffer::new();
        out.extend_from_slice(b"head ");
        out.push(Bytes::from(vec![b'x'; COPY_LIMIT]));
        out.extend_from_slice(b" tail");
        let all = out.take_bytes();
        assert_eq!(all.len(), 10 + COPY_LIMIT);
        assert!(all.starts_with(b"head x") && all.ends_with(b"x tail"));
        assert!(out.is_empty());
        assert!(out.take_bytes().is_empty());
    }

    #[test]
    fn rewind_drops_what_was_copied_since_the_mark() {
        let mut out = WriteBuffer::new();
        out.extend_from_slice(b"kept");
        let mark = out.mark();
        out.extend_from_slice(b" dropped");
        out.rewind(mark);
        assert_eq!(out.take_bytes(), "kept");
    }
}
