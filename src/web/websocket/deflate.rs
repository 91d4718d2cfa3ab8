//! permessage-deflate's compression (RFC 7692 §7.2): a message deflated
//! into raw DEFLATE ending in a sync flush, whose `00 00 ff ff` tail is
//! left off, and inflated back within a size limit, so that a small
//! message cannot expand past `max_message_size` (no zip bombs).

use bytes::BytesMut;
use zlib_rs::{
    Deflate, DeflateConfig, DeflateFlush, Inflate, InflateFlush, Method, Status, Strategy,
};

use super::CompressionOptions;

/// The end of a sync flush, left off each compressed message.
const SYNC_TAIL: [u8; 4] = [0, 0, 0xff, 0xff];

/// The most a single step of inflating writes before the limit is
/// checked again.
const INFLATE_STEP: usize = 64 * 1024;

/// Why a compressed message could not be inflated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InflateError {
    /// It is not valid DEFLATE data.
    #[error("invalid compressed data")]
    Invalid,
    /// It inflates past the size limit.
    #[error("the message inflates past the size limit")]
    TooBig,
}

/// Compresses the messages one side sends.
pub struct MessageDeflater {
    deflate: Deflate,
    /// Each message starts with an empty window (`*_no_context_takeover`).
    reset_each: bool,
}

impl std::fmt::Debug for MessageDeflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageDeflater")
            .field("reset_each", &self.reset_each)
            .finish_non_exhaustive()
    }
}

impl MessageDeflater {
    /// A deflater with `options`' level and memory level, within a
    /// `window_bits` window. `None` for an 8-bit window, which zlib
    /// cannot compress within: messages then go out uncompressed, as RFC
    /// 7692 lets a sender choose.
    pub fn new(options: &CompressionOptions, window_bits: u8, reset_each: bool) -> Option<Self> {
        if !(9..=15).contains(&window_bits) {
            return None;
        }
        let config = DeflateConfig {
            level: i32::try_from(options.compression_level.min(9)).unwrap_or(6),
            method: Method::Deflated,
            window_bits: -i32::from(window_bits),
            mem_level: i32::from(options.mem_level.clamp(1, 9)),
            strategy: Strategy::Default,
        };
        Some(MessageDeflater {
            deflate: Deflate::new_with_config(config),
            reset_each,
        })
    }

    /// Appends `message`, compressed, to `out`.
    pub fn compress(&mut self, message: &[u8], out: &mut BytesMut) {
        let start = out.len();
        let mut input = message;
        loop {
            out.reserve(input.len() / 2 + 64);
            let room = out.capacity() - out.len();
            let (before_in, before_out) = (self.deflate.total_in(), self.deflate.total_out());
            let spare = out.spare_capacity_mut();
            // Errors come only from a misused stream, which this is not.
            let _ = self
                .deflate
                .compress_uninit(input, spare, DeflateFlush::SyncFlush);
            let written = usize::try_from(self.deflate.total_out() - before_out).unwrap_or(0);
            let consumed = usize::try_from(self.deflate.total_in() - before_in).unwrap_or(0);
            grow_by_written(out, written);
            input = &input[consumed.min(input.len())..];
            // The flush is complete once output room is left over.
            if input.is_empty() && written < room {
                break;
            }
        }
        if out[start..].ends_with(&SYNC_TAIL) {
            out.truncate(out.len() - SYNC_TAIL.len());
        } else {
            // Nothing new to flush (an empty message after another): the
            // stream is at a byte boundary, and RFC 7692 §7.2.1 asks for
            // an empty stored block, whose first byte stays once its tail
            // is left off.
            out.extend_from_slice(&[0]);
        }
        if self.reset_each {
            self.deflate.reset();
        }
    }
}

/// Marks the `written` bytes the compressor or decompressor put in
/// `buffer`'s spare room as part of it.
#[allow(unsafe_code)]
fn grow_by_written(buffer: &mut BytesMut, written: usize) {
    let written = written.min(buffer.capacity() - buffer.len());
    // SAFETY: zlib writes its output from the start of the spare room it
    // is given, and `total_out` counts the bytes it wrote there: those
    // are initialized, and within the capacity (checked above).
    unsafe { buffer.set_len(buffer.len() + written) };
}

/// Inflates the messages the other side sends, piece by piece as their
/// frames arrive.
pub struct MessageInflater {
    inflate: Inflate,
    window_bits: u8,
    /// The peer starts each message with an empty window.
    reset_each: bool,
    /// The message being inflated ended its stream with a final block:
    /// nothing may follow in it, and its tail is not added.
    ended: bool,
}

impl std::fmt::Debug for MessageInflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageInflater")
            .field("window_bits", &self.window_bits)
            .field("reset_each", &self.reset_each)
            .finish_non_exhaustive()
    }
}

impl MessageInflater {
    /// An inflater for a peer compressing within `window_bits` (8 to 15).
    pub fn new(window_bits: u8, reset_each: bool) -> MessageInflater {
        // A stream made with an 8-bit window is inflated with 9 bits, as
        // zlib compresses it.
        let window_bits = window_bits.clamp(9, 15);
        MessageInflater {
            inflate: Inflate::new(false, window_bits),
            window_bits,
            reset_each,
            ended: false,
        }
    }

    /// Inflates `piece` of a compressed message, appending to `out`; with
    /// `last`, the message ends here. Fails once `out` would pass `limit`
    /// bytes, having written at most one step beyond what it held.
    pub fn inflate(
        &mut self,
        piece: &[u8],
        last: bool,
        out: &mut BytesMut,
        limit: usize,
    ) -> Result<(), InflateError> {
        self.feed(piece, out, limit)?;
        if last {
            if !std::mem::take(&mut self.ended) {
                self.feed(&SYNC_TAIL, out, limit)?;
            }
            if self.reset_each {
                self.inflate.reset(false);
            }
        }
        Ok(())
    }

    /// Inflates all of `input` into `out`.
    fn feed(&mut self, input: &[u8], out: &mut BytesMut, limit: usize) -> Result<(), InflateError> {
        let mut input = input;
        if self.ended {
            return if input.is_empty() {
                Ok(())
            } else {
                Err(InflateError::Invalid)
            };
        }
        loop {
            // One byte past the limit tells a message that is too big. A
            // step grows with the output so far, so that a small message
            // gets a small buffer.
            let room = (input.len() * 4 + 64).max(out.len()).min(INFLATE_STEP);
            let step = limit
                .saturating_add(1)
                .saturating_sub(out.len())
                .clamp(1, room);
            out.reserve(step);
            let spare = &mut out.spare_capacity_mut()[..step];
            let (before_in, before_out) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self
                .inflate
                .decompress_uninit(input, spare, InflateFlush::SyncFlush)
                .map_err(|_| InflateError::Invalid)?;
            let written = usize::try_from(self.inflate.total_out() - before_out).unwrap_or(0);
            let consumed = usize::try_from(self.inflate.total_in() - before_in).unwrap_or(0);
            grow_by_written(out, written);
            if out.len() > limit {
                return Err(InflateError::TooBig);
            }
            input = &input[consumed.min(input.len())..];
            if status == Status::StreamEnd {
                // A final block ends the message's data: the next message
                // starts a new stream.
                self.inflate.reset(false);
                self.ended = true;
                return if input.is_empty() {
                    Ok(())
                } else {
                    Err(InflateError::Invalid)
                };
            }
            if written < step && (input.is_empty() || consumed == 0 && written == 0) {
                return if input.is_empty() {
                    Ok(())
                } else {
                    Err(InflateError::Invalid)
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deflater(window_bits: u8, reset_each: bool) -> MessageDeflater {
        MessageDeflater::new(&CompressionOptions::default(), window_bits, reset_each).unwrap()
    }

    fn compressed(deflater: &mut MessageDeflater, message: &[u8]) -> BytesMut {
        let mut out = BytesMut::new();
        deflater.compress(message, &mut out);
        out
    }

    fn inflated(inflater: &mut MessageInflater, data: &[u8]) -> Result<BytesMut, InflateError> {
        let mut out = BytesMut::new();
        inflater.inflate(data, true, &mut out, 1 << 20)?;
        Ok(out)
    }

    #[test]
    fn rfc_7692s_sample_inflates_to_hello() {
        let mut inflater = MessageInflater::new(15, false);
        let sample = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
        assert_eq!(&inflated(&mut inflater, &sample).unwrap()[..], b"Hello");
        // The same message again, with the window taken over: shorter.
        let again = [0xf2, 0x00, 0x11, 0x00, 0x00];
        assert_eq!(&inflated(&mut inflater, &again).unwrap()[..], b"Hello");
        // With a final block (BFINAL) and an uncompressed block.
        let mut fresh = MessageInflater::new(15, false);
        assert_eq!(
            &inflated(&mut fresh, &[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]).unwrap()[..],
            b"Hello"
        );
        let stored = [
            0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
        ];
        assert_eq!(&inflated(&mut fresh, &stored).unwrap()[..], b"Hello");
    }

    #[test]
    fn messages_round_trip_with_and_without_context_takeover() {
        let text = b"a message that repeats, a message that repeats".repeat(20);
        for (window_bits, reset_each) in [(15, false), (15, true), (9, false), (12, true)] {
            let mut deflater = deflater(window_bits, reset_each);
            let mut inflater = MessageInflater::new(window_bits, reset_each);
            let mut sizes = Vec::new();
            for message in [&text[..], &text[..], b"", &text[..7]] {
                let data = compressed(&mut deflater, message);
                assert!(!data.ends_with(&SYNC_TAIL));
                sizes.push(data.len());
                assert!(!data.is_empty());
                assert_eq!(&inflated(&mut inflater, &data).unwrap()[..], message);
            }
            // Taking the context over makes a repeated message cheaper.
            assert_eq!(
                sizes[1] < sizes[0],
                !reset_each,
                "{window_bits} {reset_each}"
            );
        }
    }

    #[test]
    fn a_message_inflates_the_same_in_any_pieces() {
        let message: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let data = compressed(&mut deflater(15, false), &message);
        for piece in [1, 7, 1000] {
            let mut inflater = MessageInflater::new(15, false);
            let mut out = BytesMut::new();
            let chunks: Vec<&[u8]> = data.chunks(piece).collect();
            for (at, chunk) in chunks.iter().enumerate() {
                inflater
                    .inflate(chunk, at + 1 == chunks.len(), &mut out, 1 << 20)
                    .unwrap();
            }
            assert_eq!(out, message);
        }
    }

    #[test]
    fn inflating_stops_at_the_limit() {
        let zeros = vec![0u8; 1 << 20];
        let data = compressed(&mut deflater(15, false), &zeros);
        assert!(data.len() < 2048);
        let mut out = BytesMut::new();
        let result = MessageInflater::new(15, false).inflate(&data, true, &mut out, 100_000);
        assert_eq!(result, Err(InflateError::TooBig));
        assert!(out.len() <= 100_000 + INFLATE_STEP, "{}", out.len());
        // Exactly at the limit passes.
        let mut out = BytesMut::new();
        let exact = compressed(&mut deflater(15, false), &zeros[..100_000]);
        MessageInflater::new(15, false)
            .inflate(&exact, true, &mut out, 100_000)
            .unwrap();
        assert_eq!(out.len(), 100_000);
    }

    #[test]
    fn invalid_data_fails() {
        let mut inflater = MessageInflater::new(15, false);
        assert_eq!(
            inflated(&mut inflater, &[0xff, 0xff, 0xff, 0xff, 0xff]),
            Err(InflateError::Invalid)
        );
    }

    #[test]
    fn an_8_bit_window_sends_uncompressed() {
        assert!(MessageDeflater::new(&CompressionOptions::default(), 8, false).is_none());
        // What a peer compressing within 8 bits sends inflates.
        let mut inflater = MessageInflater::new(8, false);
        let data = compressed(&mut deflater(9, false), b"hello hello hello");
        assert_eq!(
            &inflated(&mut inflater, &data).unwrap()[..],
            b"hello hello hello"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_inflate_without_panicking(data in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let mut out = BytesMut::new();
            let _ = MessageInflater::new(15, false).inflate(&data, true, &mut out, 4096);
            proptest::prop_assert!(out.len() <= 4096 + INFLATE_STEP);
        }

        #[test]
        fn any_message_round_trips(message in proptest::collection::vec(0u8..4, 0..4096), bits in 9u8..=15) {
            let data = compressed(&mut deflater(bits, false), &message);
            let mut out = BytesMut::new();
            MessageInflater::new(bits, false).inflate(&data, true, &mut out, 1 << 20).unwrap();
            proptest::prop_assert_eq!(&out[..], &message[..]);
        }
    }
}
