//! [`BodyDecoder`]: takes a message body off the front of a read buffer,
//! whatever its framing.

use bytes::{Buf, Bytes, BytesMut};

use super::chunk_line::{MAX_CHUNK_LINE, check_trailer_line, parse_chunk_size};
use super::framing::BodyLength;
use super::{DEFAULT_MAX_HEADER_SIZE, ParseError};

/// One step of decoding a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// The next piece of the body (never empty).
    Data(Bytes),
    /// The buffer holds no more of the body: read more and call again.
    NeedMore,
    /// The body is complete; the buffer holds whatever follows it.
    Finished,
}

/// Where a chunked body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunked {
    /// Before a chunk-size line.
    Size,
    /// Inside a chunk's data, this many bytes left.
    Data(u64),
    /// After a chunk's data, before its CRLF.
    DataEnd,
    /// In the trailer section, this many bytes of it seen.
    Trailer(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Fixed(u64),
    Chunked(Chunked),
    UntilClose,
    Done,
}

/// Decodes one message body of a known [`BodyLength`] from a buffer the
/// caller fills (sans-IO).
///
/// ```
/// use bytes::BytesMut;
/// use supercell::http1::codec::{BodyDecoder, BodyLength, Decoded};
///
/// let mut decoder = BodyDecoder::new(BodyLength::Chunked, 1024);
/// let mut buf = BytesMut::from(&b"5\r\nhello\r\n0\r\n\r\nGET /next"[..]);
/// assert_eq!(decoder.decode(&mut buf), Ok(Decoded::Data("hello".into())));
/// assert_eq!(decoder.decode(&mut buf), Ok(Decoded::Finished));
/// assert_eq!(&buf[..], b"GET /next");
/// ```
#[derive(Clone, Debug)]
pub struct BodyDecoder {
    state: State,
    max_body_size: u64,
    max_trailer_size: usize,
    received: u64,
}

impl BodyDecoder {
    /// A decoder for a body of `length`, refusing (413) more than
    /// `max_body_size` bytes of body (after chunked decoding).
    pub fn new(length: BodyLength, max_body_size: u64) -> BodyDecoder {
        let state = match length {
            BodyLength::Empty | BodyLength::Fixed(0) => State::Done,
            BodyLength::Fixed(n) => State::Fixed(n),
            BodyLength::Chunked => State::Chunked(Chunked::Size),
            BodyLength::CloseDelimited => State::UntilClose,
        };
        BodyDecoder {
            state,
            max_body_size,
            max_trailer_size: DEFAULT_MAX_HEADER_SIZE,
            received: 0,
        }
    }

    /// Sets the most bytes the trailer section of a chunked body may take
    /// (its field lines with their CRLFs and the final empty line); more
    /// is [`ParseError::BadTrailer`]. Default: [`DEFAULT_MAX_HEADER_SIZE`];
    /// a server passes its limit on request heads.
    pub fn with_max_trailer_size(mut self, bytes: usize) -> BodyDecoder {
        self.max_trailer_size = bytes;
        self
    }

    /// Takes the next piece of the body from the front of `buf` (split
    /// off, zero-copy). Data never exceeds what is buffered; bytes after
    /// the body stay in `buf`.
    ///
    /// Chunked bodies: sizes must be strict hex (no `0x`, sign, `_` or
    /// overflow), extensions are ignored, trailers are checked, consumed
    /// and dropped, and the CRLF after each chunk's data is required.
    /// More than `max_body_size` bytes of body is
    /// [`ParseError::BodyTooLarge`] (status 413), reported before any byte
    /// beyond the limit is returned.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Decoded, ParseError> {
        self.decode_limited(buf, usize::MAX)
    }

    /// [`decode`](Self::decode) returning at most `limit` bytes of data
    /// (the connection's `chunk_size`); `limit` 0 is taken as 1.
    pub fn decode_limited(
        &mut self,
        buf: &mut BytesMut,
        limit: usize,
    ) -> Result<Decoded, ParseError> {
        let limit = limit.max(1);
        loop {
            match self.state {
                State::Done => return Ok(Decoded::Finished),
                State::Fixed(remaining) => {
                    if self.received.saturating_add(remaining) > self.max_body_size {
                        return Err(ParseError::BodyTooLarge);
                    }
                    let Some(data) = take(buf, remaining, limit) else {
                        return Ok(Decoded::NeedMore);
                    };
                    self.received += data.len() as u64;
                    let remaining = remaining - data.len() as u64;
                    self.state = if remaining == 0 {
                        State::Done
                    } else {
                        State::Fixed(remaining)
                    };
                    return Ok(Decoded::Data(data));
                }
                State::UntilClose => {
                    let available = buf.len().min(limit) as u64;
                    if self.received + available > self.max_body_size {
                        return Err(ParseError::BodyTooLarge);
                    }
                    let Some(data) = take(buf, available, limit) else {
                        return Ok(Decoded::NeedMore);
                    };
                    self.received += data.len() as u64;
                    return Ok(Decoded::Data(data));
                }
                State::Chunked(chunked) => {
                    if let Some(decoded) = self.step_chunked(chunked, buf, limit)? {
                        return Ok(decoded);
                    }
                }
            }
        }
    }

    /// One step of a chunked body; `None`: the state moved on, go again.
    fn step_chunked(
        &mut self,
        chunked: Chunked,
        buf: &mut BytesMut,
        limit: usize,
    ) -> Result<Option<Decoded>, ParseError> {
        match chunked {
            Chunked::Size => {
                let Some(line) = take_line(buf, MAX_CHUNK_LINE, ParseError::BadChunkSize)? else {
                    return Ok(Some(Decoded::NeedMore));
                };
                let size = parse_chunk_size(&line)?;
                if self.received.saturating_add(size) > self.max_body_size {
                    return Err(ParseError::BodyTooLarge);
                }
                self.state = State::Chunked(if size == 0 {
                    Chunked::Trailer(0)
                } else {
                    Chunked::Data(size)
                });
                Ok(None)
            }
            Chunked::Data(remaining) => {
                let Some(data) = take(buf, remaining, limit) else {
                    return Ok(Some(Decoded::NeedMore));
                };
                self.received += data.len() as u64;
                let remaining = remaining - data.len() as u64;
                self.state = State::Chunked(if remaining == 0 {
                    Chunked::DataEnd
                } else {
                    Chunked::Data(remaining)
                });
                Ok(Some(Decoded::Data(data)))
            }
            Chunked::DataEnd => match &buf[..] {
                [b'\r', b'\n', ..] => {
                    buf.advance(2);
                    self.state = State::Chunked(Chunked::Size);
                    Ok(None)
                }
                [] | [b'\r'] => Ok(Some(Decoded::NeedMore)),
                _ => Err(ParseError::BadChunkData),
            },
            Chunked::Trailer(seen) => {
                let budget = self.max_trailer_size.saturating_sub(seen);
                let Some(line) = take_line(buf, budget, ParseError::BadTrailer)? else {
                    return Ok(Some(Decoded::NeedMore));
                };
                if line.is_empty() {
                    self.state = State::Done;
                    return Ok(Some(Decoded::Finished));
                }
                check_trailer_line(&line)?;
                self.state = State::Chunked(Chunked::Trailer(seen + line.len() + 2));
                Ok(None)
            }
        }
    }

    /// The peer closed the connection: `Finished` for a close-delimited
    /// (or complete) body, [`ParseError::Truncated`] for an unfinished
    /// fixed-length or chunked one.
    pub fn decode_eof(&mut self) -> Result<Decoded, ParseError> {
        match self.state {
            State::Done | State::UntilClose => {
                self.state = State::Done;
                Ok(Decoded::Finished)
            }
            State::Fixed(_) | State::Chunked(_) => Err(ParseError::Truncated),
        }
    }

    /// Whether the whole body has been decoded.
    pub fn is_finished(&self) -> bool {
        self.state == State::Done
    }

    /// Changes the body size limit (the server's `set_max_body_size`,
    /// allowed until the body starts).
    pub fn set_max_body_size(&mut self, bytes: u64) {
        self.max_body_size = bytes;
    }

    /// How many bytes of body have been decoded so far.
    pub fn received(&self) -> u64 {
        self.received
    }
}

/// Splits up to `remaining` (and `limit`) bytes off `buf`; `None` if `buf`
/// is empty.
fn take(buf: &mut BytesMut, remaining: u64, limit: usize) -> Option<Bytes> {
    let n = usize::try_from(remaining)
        .unwrap_or(usize::MAX)
        .min(limit)
        .min(buf.len());
    (n > 0).then(|| buf.split_to(n).freeze())
}

/// Splits one CRLF-terminated line off `buf` and returns it without the
/// CRLF; `None` if it is incomplete and within `max` bytes. A bare LF, or
/// a line longer than `max`, is `error`.
fn take_line(
    buf: &mut BytesMut,
    max: usize,
    error: ParseError,
) -> Result<Option<BytesMut>, ParseError> {
    let window = &buf[..buf.len().min(max)];
    let Some(lf) = memchr::memchr(b'\n', window) else {
        return if buf.len() >= max {
            Err(error)
        } else {
            Ok(None)
        };
    };
    if lf == 0 || buf[lf - 1] != b'\r' {
        return Err(error);
    }
    let mut line = buf.split_to(lf + 1);
    line.truncate(lf - 1);
    Ok(Some(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes all of `input` at once; the body and what is left.
    fn decode_all(
        length: BodyLength,
        max: u64,
        input: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), ParseError> {
        let mut decoder = BodyDecoder::new(length, max);
        let mut buf = BytesMut::from(input);
        let mut body = Vec::new();
        loop {
            match decoder.decode(&mut buf)? {
                Decoded::Data(data) => {
                    assert!(!data.is_empty());
                    body.extend_from_slice(&data);
                }
                Decoded::NeedMore => return Err(ParseError::Truncated),
                Decoded::Finished => return Ok((body, buf.to_vec())),
            }
        }
    }

    #[test]
    fn fixed_body_stops_at_its_length() {
        let (body, rest) = decode_all(BodyLength::Fixed(5), 100, b"helloGET").unwrap();
        assert_eq!((&body[..], &rest[..]), (&b"hello"[..], &b"GET"[..]));
    }

    #[test]
    fn empty_body_is_finished_at_once() {
        let mut decoder = BodyDecoder::new(BodyLength::Empty, 0);
        assert!(decoder.is_finished());
        let mut buf = BytesMut::from(&b"next"[..]);
        assert_eq!(decoder.decode(&mut buf), Ok(Decoded::Finished));
        assert_eq!(&buf[..], b"next");
    }

    #[test]
    fn chunked_body_with_extensions_and_trailers() {
        let input = b"5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nExpires: x\r\nX-T: y\r\n\r\nnext";
        let (body, rest) = decode_all(BodyLength::Chunked, 100, input).unwrap();
        assert_eq!(body, b"hello0123456789");
        assert_eq!(rest, b"next");
    }

    #[test]
    fn chunk_data_longer_than_its_size_is_refused() {
        assert_eq!(
            decode_all(BodyLength::Chunked, 100, b"2\r\nabc\r\n0\r\n\r\n"),
            Err(ParseError::BadChunkData)
        );
    }

    #[test]
    fn bare_lf_in_chunk_lines_is_refused() {
        assert_eq!(
            decode_all(BodyLength::Chunked, 100, b"2\nab\r\n0\r\n\r\n"),
            Err(ParseError::BadChunkSize)
        );
        assert_eq!(
            decode_all(BodyLength::Chunked, 100, b"2\r\nab\r\n0\r\n\n"),
            Err(ParseError::BadTrailer)
        );
    }

    #[test]
    fn body_size_limit_is_exact() {
        assert!(decode_all(BodyLength::Fixed(4), 4, b"abcd").is_ok());
        assert_eq!(
            decode_all(BodyLength::Fixed(5), 4, b"abcde"),
            Err(ParseError::BodyTooLarge)
        );
        assert!(decode_all(BodyLength::Chunked, 4, b"2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n").is_ok());
        assert_eq!(
            decode_all(BodyLength::Chunked, 4, b"2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"),
            Err(ParseError::BodyTooLarge)
        );
    }

    #[test]
    fn eof_finishes_only_close_delimited_bodies() {
        let mut decoder = BodyDecoder::new(BodyLength::CloseDelimited, 100);
        let mut buf = BytesMut::from(&b"abc"[..]);
        assert_eq!(decoder.decode(&mut buf), Ok(Decoded::Data("abc".into())));
        assert_eq!(decoder.decode(&mut buf), Ok(Decoded::NeedMore));
        assert_eq!(decoder.decode_eof(), Ok(Decoded::Finished));
        assert!(decoder.is_finished());
        let mut decoder = BodyDecoder::new(BodyLength::Fixed(3), 100);
        assert_eq!(decoder.decode_eof(), Err(ParseError::Truncated));
        let mut decoder = BodyDecoder::new(BodyLength::Chunked, 100);
        assert_eq!(decoder.decode_eof(), Err(ParseError::Truncated));
    }

    #[test]
    fn trailer_section_limit_is_exact() {
        // "0\r\n", then a trailer section of exactly `size` bytes.
        let body = |size: usize| {
            let fill = "v".repeat(size - b"X: \r\n\r\n".len());
            format!("0\r\nX: {fill}\r\n\r\n").into_bytes()
        };
        let decode = |size: usize, max: usize| {
            let mut decoder = BodyDecoder::new(BodyLength::Chunked, 100).with_max_trailer_size(max);
            let mut buf = BytesMut::from(&body(size)[..]);
            decoder.decode(&mut buf)
        };
        assert_eq!(decode(100, 100), Ok(Decoded::Finished));
        assert_eq!(decode(101, 100), Err(ParseError::BadTrailer));
        assert_eq!(
            decode(DEFAULT_MAX_HEADER_SIZE + 1, DEFAULT_MAX_HEADER_SIZE),
            Err(ParseError::BadTrailer)
        );
    }

    #[test]
    fn decode_limited_returns_at_most_the_limit() {
        let mut decoder = BodyDecoder::new(BodyLength::Fixed(5), 100);
        let mut buf = BytesMut::from(&b"hello"[..]);
        assert_eq!(
            decoder.decode_limited(&mut buf, 2),
            Ok(Decoded::Data("he".into()))
        );
        assert_eq!(
            decoder.decode_limited(&mut buf, 2),
            Ok(Decoded::Data("ll".into()))
        );
        assert_eq!(
            decoder.decode_limited(&mut buf, 2),
            Ok(Decoded::Data("o".into()))
        );
        assert_eq!(decoder.decode_limited(&mut buf, 2), Ok(Decoded::Finished));
    }
}
