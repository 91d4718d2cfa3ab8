//! A streaming gzip decompressor whose output per call is bounded.

use flate2::{Crc, Decompress, FlushDecompress, Status};

/// Why a gzip stream could not be decompressed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GzipError {
    /// The stream does not start with the gzip magic bytes `1f 8b`.
    #[error("not a gzip stream (incorrect header check)")]
    NotGzip,
    /// The header names a compression method other than deflate (8).
    #[error("unknown gzip compression method {0}")]
    UnknownMethod(u8),
    /// The header sets flag bits that RFC 1952 reserves.
    #[error("unknown gzip header flags set: {0:#04x}")]
    UnknownFlags(u8),
    /// The header's own CRC-16 does not match it.
    #[error("gzip header crc mismatch")]
    HeaderCrc,
    /// The compressed data is not valid deflate data.
    #[error("invalid deflate data: {0}")]
    Deflate(String),
    /// The CRC-32 in the trailer does not match the decompressed data.
    #[error("incorrect data check")]
    DataCrc,
    /// The length in the trailer does not match the decompressed data.
    #[error("incorrect length check")]
    Length,
    /// [`GzipDecompressor::flush`] was called before the stream ended.
    #[error("truncated gzip stream")]
    Truncated,
    /// [`GzipDecompressor::flush`] was called while input is waiting in
    /// [`GzipDecompressor::unconsumed_tail`].
    #[error("unconsumed input must be decompressed before flush")]
    UnconsumedTail,
}

/// The header flag bits of RFC 1952.
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const RESERVED_FLAGS: u8 = 0xe0;

/// The first output room of a call; it doubles as needed, up to the call's
/// `max_length`.
const INITIAL_OUTPUT: usize = 32 * 1024;

/// Where the decompressor is in the gzip member.
#[derive(Debug)]
enum Stage {
    /// Collecting the fixed 10-byte header.
    Fixed { buf: [u8; 10], len: usize },
    /// Collecting the 2-byte length of the extra field.
    ExtraLen { flags: u8, buf: [u8; 2], len: usize },
    /// Skipping the extra field.
    Extra { flags: u8, remaining: usize },
    /// Skipping the zero-terminated file name.
    Name { flags: u8 },
    /// Skipping the zero-terminated comment.
    Comment { flags: u8 },
    /// Collecting the header CRC-16.
    HeaderCrc { buf: [u8; 2], len: usize },
    /// Inflating the deflate data.
    Body,
    /// Collecting the 8-byte trailer (CRC-32, length).
    Trailer { buf: [u8; 8], len: usize },
    /// The member ended and checked out; further input is ignored.
    Done,
    /// An error was found; it is reported again on every call.
    Failed(GzipError),
}

/// Streaming gzip decompressor, as Tornado's `tornado.util.GzipDecompressor`
/// (zlib's `decompressobj` with gzip headers and checksums).
///
/// [`decompress`](Self::decompress) returns at most `max_length` bytes per
/// call and never makes its output buffer longer than that, so a small
/// "zip bomb" can be read in bounded steps: input left over when the limit
/// is reached is kept in [`unconsumed_tail`](Self::unconsumed_tail), to be
/// passed back to the next call. When the input is over,
/// [`flush`](Self::flush) checks that the stream was complete.
///
/// One gzip member is read, as Tornado's; data after its trailer is
/// ignored. Corrupt input is a [`GzipError`], reported again on every later
/// call.
///
/// ```
/// use std::io::Write;
/// use supercell::util::GzipDecompressor;
///
/// let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
/// encoder.write_all(&[b'a'; 1000]).unwrap();
/// let compressed = encoder.finish().unwrap();
///
/// let mut decompressor = GzipDecompressor::new();
/// let mut output = Vec::new();
/// let mut input = compressed;
/// while !input.is_empty() {
///     let chunk = decompressor.decompress(&input, 300).unwrap();
///     assert!(chunk.len() <= 300);
///     output.extend(chunk);
///     input = decompressor.take_unconsumed_tail();
/// }
/// output.extend(decompressor.flush().unwrap());
/// assert_eq!(output, [b'a'; 1000]);
/// ```
#[derive(Debug)]
pub struct GzipDecompressor {
    stage: Stage,
    inflater: Decompress,
    header_crc: Crc,
    data_crc: Crc,
    unconsumed_tail: Vec<u8>,
}

impl Default for GzipDecompressor {
    fn default() -> Self {
        Self::new()
    }
}

impl GzipDecompressor {
    /// A decompressor waiting for the start of a gzip stream.
    pub fn new() -> Self {
        GzipDecompressor {
            stage: Stage::Fixed {
                buf: [0; 10],
                len: 0,
            },
            inflater: Decompress::new(false),
            header_crc: Crc::new(),
            data_crc: Crc::new(),
            unconsumed_tail: Vec::new(),
        }
    }

    /// Decompresses `data`, returning the newly available output: at most
    /// `max_length` bytes, or everything available when `max_length` is 0
    /// (Tornado's `None`).
    ///
    /// When the limit stops decompression, the input not yet read is kept
    /// in [`unconsumed_tail`](Self::unconsumed_tail) (replacing what was
    /// there); pass it back in the next call. A call leaves a tail only when
    /// it returns `max_length` bytes, so feeding tails back until one is
    /// empty (the loop of Tornado's HTTP layer) always ends. Output the
    /// inflater has decoded but that did not fit under the limit is held,
    /// even when the tail is empty, and comes first out of the next call.
    /// The output buffer never holds more than `max_length` bytes.
    ///
    /// # Errors
    ///
    /// A [`GzipError`] for a bad header, invalid deflate data or a
    /// mismatched trailer; the same error is returned by every later call.
    pub fn decompress(&mut self, data: &[u8], max_length: usize) -> Result<Vec<u8>, GzipError> {
        self.unconsumed_tail.clear();
        let limit = if max_length == 0 {
            usize::MAX
        } else {
            max_length
        };
        let mut output = Output::new(limit);
        let mut input = data;
        loop {
            let progressed = match self.stage {
                Stage::Body => {
                    if output.is_full() {
                        self.unconsumed_tail.extend_from_slice(input);
                        break;
                    }
                    let consumed = self.inflate(input, &mut output)?;
                    input = &input[consumed.input..];
                    consumed.input > 0 || consumed.output > 0 || !matches!(self.stage, Stage::Body)
                }
                Stage::Done => break,
                Stage::Failed(ref error) => return Err(error.clone()),
                _ => {
                    let consumed = self.read_framing(input)?;
                    input = &input[consumed..];
                    consumed > 0
                }
            };
            if !progressed {
                break;
            }
        }
        Ok(output.into_vec())
    }

    /// The input that the last [`decompress`](Self::decompress) call left
    /// unread because it reached `max_length`; empty otherwise.
    pub fn unconsumed_tail(&self) -> &[u8] {
        &self.unconsumed_tail
    }

    /// Takes the [`unconsumed_tail`](Self::unconsumed_tail) out, leaving it
    /// empty, to pass to the next [`decompress`](Self::decompress) call
    /// without copying it.
    pub fn take_unconsumed_tail(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.unconsumed_tail)
    }

    /// Whether the whole gzip member has been read and its trailer checked.
    pub fn eof(&self) -> bool {
        matches!(self.stage, Stage::Done)
    }

    /// Checks that the stream is complete once the input is over, as
    /// Tornado's `flush`, which is how a truncated body is detected.
    ///
    /// The output is always empty: every byte the input holds comes out of
    /// [`decompress`](Self::decompress) calls, since output the inflater
    /// still holds when one call stops at `max_length` comes out of the
    /// next, and the trailer that ends the stream can only be read after
    /// all of it. It is returned for the same loop as Tornado's, which
    /// passes on whatever `flush` gives. `flush` does no decompressing, so
    /// it costs nothing however the stream ends.
    ///
    /// Unlike zlib's, this `flush` does not decompress
    /// [`unconsumed_tail`](Self::unconsumed_tail), which could expand
    /// without limit: drain it with [`decompress`](Self::decompress) first.
    ///
    /// # Errors
    ///
    /// Any error a previous call found, then [`GzipError::UnconsumedTail`]
    /// if the tail is not empty, or [`GzipError::Truncated`] if the stream
    /// has not ended.
    pub fn flush(&mut self) -> Result<Vec<u8>, GzipError> {
        match &self.stage {
            Stage::Failed(error) => Err(error.clone()),
            _ if !self.unconsumed_tail.is_empty() => Err(GzipError::UnconsumedTail),
            Stage::Done => Ok(Vec::new()),
            _ => Err(GzipError::Truncated),
        }
    }

    /// Records `error` as the decompressor's final state and returns it.
    fn fail<T>(&mut self, error: GzipError) -> Result<T, GzipError> {
        self.stage = Stage::Failed(error.clone());
        Err(error)
    }

    /// Inflates from `input` into `output`'s room, moving to the trailer at
    /// the end of the deflate data.
    fn inflate(&mut self, input: &[u8], output: &mut Output) -> Result<Consumed, GzipError> {
        let room = output.room();
        let (in_before, out_before) = (self.inflater.total_in(), self.inflater.total_out());
        let status = self.inflater.decompress(input, room, FlushDecompress::None);
        let consumed = Consumed {
            input: counter_delta(in_before, self.inflater.total_in()),
            output: counter_delta(out_before, self.inflater.total_out()),
        };
        self.data_crc.update(&room[..consumed.output]);
        output.advance(consumed.output);
        match status {
            Ok(Status::StreamEnd) => {
                self.stage = Stage::Trailer {
                    buf: [0; 8],
                    len: 0,
                }
            }
            Ok(Status::Ok | Status::BufError) => {}
            Err(error) => return self.fail(GzipError::Deflate(error.to_string())),
        }
        Ok(consumed)
    }

    /// Reads header or trailer bytes from `input`, returning how many it
    /// consumed.
    fn read_framing(&mut self, input: &[u8]) -> Result<usize, GzipError> {
        match advance_framing(&mut self.stage, &mut self.header_crc, &self.data_crc, input) {
            Ok((consumed, next)) => {
                if let Some(next) = next {
                    self.stage = next;
                }
                Ok(consumed)
            }
            Err(error) => self.fail(error),
        }
    }
}

/// Reads header or trailer bytes from `input` in `stage`: how many bytes it
/// consumed, and the next stage once the current one is complete.
fn advance_framing(
    stage: &mut Stage,
    header_crc: &mut Crc,
    data_crc: &Crc,
    input: &[u8],
) -> Result<(usize, Option<Stage>), GzipError> {
    Ok(match stage {
        Stage::Fixed { buf, len } => {
            let n = fill(buf, len, input);
            header_crc.update(&input[..n]);
            let next = if *len < buf.len() {
                None
            } else {
                Some(check_fixed_header(*buf)?)
            };
            (n, next)
        }
        Stage::ExtraLen { flags, buf, len } => {
            let n = fill(buf, len, input);
            header_crc.update(&input[..n]);
            let next = (*len == buf.len()).then(|| Stage::Extra {
                flags: *flags,
                remaining: usize::from(u16::from_le_bytes(*buf)),
            });
            (n, next)
        }
        Stage::Extra { flags, remaining } => {
            let n = input.len().min(*remaining);
            *remaining -= n;
            header_crc.update(&input[..n]);
            (n, (*remaining == 0).then(|| after_extra(*flags)))
        }
        Stage::Name { flags } | Stage::Comment { flags } => {
            let flags = *flags;
            let in_name = matches!(stage, Stage::Name { .. });
            match input.iter().position(|&b| b == 0) {
                Some(zero) => {
                    header_crc.update(&input[..=zero]);
                    let next = if in_name {
                        after_name(flags)
                    } else {
                        after_comment(flags)
                    };
                    (zero + 1, Some(next))
                }
                None => {
                    header_crc.update(input);
                    (input.len(), None)
                }
            }
        }
        Stage::HeaderCrc { buf, len } => {
            let n = fill(buf, len, input);
            let next = if *len < buf.len() {
                None
            } else if u32::from(u16::from_le_bytes(*buf)) == header_crc.sum() & 0xffff {
                Some(Stage::Body)
            } else {
                return Err(GzipError::HeaderCrc);
            };
            (n, next)
        }
        Stage::Trailer { buf, len } => {
            let n = fill(buf, len, input);
            let next = if *len < buf.len() {
                None
            } else {
                let [c0, c1, c2, c3, l0, l1, l2, l3] = *buf;
                if u32::from_le_bytes([c0, c1, c2, c3]) != data_crc.sum() {
                    return Err(GzipError::DataCrc);
                }
                // The trailer holds the length modulo 2^32.
                if u32::from_le_bytes([l0, l1, l2, l3]) != data_crc.amount() {
                    return Err(GzipError::Length);
                }
                Some(Stage::Done)
            };
            (n, next)
        }
        Stage::Body | Stage::Done | Stage::Failed(_) => (0, None),
    })
}

/// Checks the fixed 10-byte header and returns the stage that follows it.
fn check_fixed_header(header: [u8; 10]) -> Result<Stage, GzipError> {
    let [id1, id2, method, flags, ..] = header;
    if (id1, id2) != (0x1f, 0x8b) {
        return Err(GzipError::NotGzip);
    }
    if method != 8 {
        return Err(GzipError::UnknownMethod(method));
    }
    if flags & RESERVED_FLAGS != 0 {
        return Err(GzipError::UnknownFlags(flags));
    }
    Ok(if flags & FEXTRA != 0 {
        Stage::ExtraLen {
            flags,
            buf: [0; 2],
            len: 0,
        }
    } else {
        after_extra(flags)
    })
}

/// The output of one [`GzipDecompressor::decompress`] call: `buf[..written]`
/// is decompressed data and the rest of `buf` is zeroed room for the next
/// inflate step. `buf` never grows past `limit`, so the bound holds by the
/// length of the slice handed to the inflater, whatever capacity the
/// allocator gives.
struct Output {
    buf: Vec<u8>,
    written: usize,
    limit: usize,
}

impl Output {
    fn new(limit: usize) -> Self {
        Output {
            buf: Vec::new(),
            written: 0,
            limit,
        }
    }

    /// Whether `limit` bytes have been written.
    fn is_full(&self) -> bool {
        self.written == self.limit
    }

    /// The room after the written bytes. When there is none it is grown by
    /// as many bytes as are written (at least [`INITIAL_OUTPUT`]), but not
    /// past `limit`.
    fn room(&mut self) -> &mut [u8] {
        if self.written == self.buf.len() {
            let step = (self.limit - self.written).min(self.written.max(INITIAL_OUTPUT));
            self.buf.reserve_exact(step);
            self.buf.resize(self.written + step, 0);
        }
        &mut self.buf[self.written..]
    }

    /// Counts `n` more bytes of the room as written.
    fn advance(&mut self, n: usize) {
        self.written += n;
    }

    fn into_vec(mut self) -> Vec<u8> {
        self.buf.truncate(self.written);
        self.buf
    }
}

/// Bytes read and written by one inflate step.
struct Consumed {
    input: usize,
    output: usize,
}

/// The difference of two readings of one of the inflater's counters, which
/// is bounded by the buffers of one step.
fn counter_delta(before: u64, after: u64) -> usize {
    usize::try_from(after - before).unwrap_or(usize::MAX)
}

/// Copies from `input` into `buf[*len..]`, returning how many bytes it took.
fn fill(buf: &mut [u8], len: &mut usize, input: &[u8]) -> usize {
    let n = (buf.len() - *len).min(input.len());
    buf[*len..*len + n].copy_from_slice(&input[..n]);
    *len += n;
    n
}

/// The header stage after the extra field.
fn after_extra(flags: u8) -> Stage {
    if flags & FNAME != 0 {
        Stage::Name { flags }
    } else {
        after_name(flags)
    }
}

/// The header stage after the file name.
fn after_name(flags: u8) -> Stage {
    if flags & FCOMMENT != 0 {
        Stage::Comment { flags }
    } else {
        after_comment(flags)
    }
}

/// The header stage after the comment.
fn after_comment(flags: u8) -> Stage {
    if flags & FHCRC != 0 {
        Stage::HeaderCrc {
            buf: [0; 2],
            len: 0,
        }
    } else {
        Stage::Body
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::{Compression, GzBuilder};

    use super::*;

    fn gzip_with_header(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzBuilder::new()
            .filename("file.txt")
            .comment("a comment")
            .extra(vec![7; 300])
            .write(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn decompress_byte_by_byte(stream: &[u8]) -> Result<Vec<u8>, GzipError> {
        let mut d = GzipDecompressor::new();
        let mut out = Vec::new();
        for byte in stream {
            out.extend(d.decompress(std::slice::from_ref(byte), 0)?);
        }
        out.extend(d.flush()?);
        Ok(out)
    }

    #[test]
    fn optional_header_fields_across_single_byte_chunks() {
        let stream = gzip_with_header(b"hello, header fields");
        assert_eq!(
            decompress_byte_by_byte(&stream).unwrap(),
            b"hello, header fields"
        );
    }

    #[test]
    fn header_crc_is_checked() {
        // A hand-made header with FHCRC: magic, method, flags, mtime, xfl, os.
        let fixed = [0x1f, 0x8b, 8, FHCRC, 0, 0, 0, 0, 0, 255];
        let mut crc = Crc::new();
        crc.update(&fixed);
        let header_crc = u16::try_from(crc.sum() & 0xffff).unwrap().to_le_bytes();
        let deflated = {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), Compression::default());
            e.write_all(b"x").unwrap();
            e.finish().unwrap()
        };
        let mut trailer_crc = Crc::new();
        trailer_crc.update(b"x");
        let build = |hcrc: [u8; 2]| {
            let mut s = fixed.to_vec();
            s.extend(hcrc);
            s.extend(&deflated);
            s.extend(trailer_crc.sum().to_le_bytes());
            s.extend(1u32.to_le_bytes());
            s
        };
        assert_eq!(decompress_byte_by_byte(&build(header_crc)).unwrap(), b"x");
        let bad = [header_crc[0] ^ 1, header_crc[1]];
        assert_eq!(
            decompress_byte_by_byte(&build(bad)),
            Err(GzipError::HeaderCrc)
        );
    }

    #[test]
    fn bad_header_fields() {
        let mut d = GzipDecompressor::new();
        assert_eq!(
            d.decompress(b"\x1f\x8b\x07\0\0\0\0\0\0\xff", 0),
            Err(GzipError::UnknownMethod(7))
        );
        let mut d = GzipDecompressor::new();
        assert_eq!(
            d.decompress(b"\x1f\x8b\x08\x20\0\0\0\0\0\xff", 0),
            Err(GzipError::UnknownFlags(0x20))
        );
    }

    #[test]
    fn trailer_mismatches() {
        let good = gzip_with_header(b"payload");
        let n = good.len();
        let mut bad_crc = good.clone();
        bad_crc[n - 8] ^= 1;
        assert_eq!(decompress_byte_by_byte(&bad_crc), Err(GzipError::DataCrc));
        let mut bad_len = good;
        bad_len[n - 1] ^= 1;
        assert_eq!(decompress_byte_by_byte(&bad_len), Err(GzipError::Length));
    }

    #[test]
    fn data_after_the_member_is_ignored() {
        let mut stream = gzip_with_header(b"first");
        stream.extend(b"trailing garbage");
        let mut d = GzipDecompressor::new();
        assert_eq!(d.decompress(&stream, 0).unwrap(), b"first");
        assert!(d.eof());
        assert!(d.unconsumed_tail().is_empty());
        assert_eq!(d.flush().unwrap(), b"");
    }

    /// Feeds `input` as an HTTP body reader does, at most `max_length`
    /// bytes out per call, until no input is left.
    fn feed(d: &mut GzipDecompressor, input: &[u8], max_length: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut input = input.to_vec();
        while !input.is_empty() {
            out.extend(d.decompress(&input, max_length).unwrap());
            input = d.take_unconsumed_tail();
        }
        out
    }

    #[test]
    fn output_held_at_the_limit_comes_out_with_the_trailer() {
        let data = vec![0u8; 200_000];
        let stream = gzip_with_header(&data);
        let (body, trailer) = stream.split_at(stream.len() - 8);

        // All of the deflate data is read, but the inflater still holds
        // output that did not fit in the last call.
        let mut d = GzipDecompressor::new();
        let mut out = feed(&mut d, body, 1000);
        assert!(out.len() < data.len(), "nothing held back");
        out.extend(feed(&mut d, trailer, 1000));
        assert_eq!(out, data);
        assert!(d.eof());
        assert_eq!(d.flush().unwrap(), b"");

        // Without the trailer the stream is truncated, held output or not.
        let mut d = GzipDecompressor::new();
        feed(&mut d, body, 1000);
        assert_eq!(d.flush(), Err(GzipError::Truncated));
    }

    #[test]
    fn output_grows_beyond_the_first_buffer_when_unlimited() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let stream = gzip_with_header(&data);
        let mut d = GzipDecompressor::new();
        let mut out = d.decompress(&stream, 0).unwrap();
        out.extend(d.flush().unwrap());
        assert_eq!(out, data);
    }
}
