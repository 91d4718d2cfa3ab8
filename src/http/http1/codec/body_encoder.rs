//! [`BodyEncoder`]: frames the body of an outgoing message as its head
//! announced.

use bytes::BufMut;

use super::{BodyPiece, WriteBuffer};
use crate::httputil::HttpOutputError;

/// How the body is framed on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Framing {
    /// No body may be written; the status code, or `None` for a request
    /// without body framing.
    Empty(Option<u16>),
    /// A response to HEAD: body writes are accepted and dropped.
    Discard,
    /// `Content-Length`: exactly this many bytes.
    Fixed { written: u64, expected: u64 },
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Written as given: a close-delimited body, or one the application
    /// frames itself (it set `Transfer-Encoding`).
    Raw,
}

/// Frames the body of one outgoing message as its head announced: checks
/// the `Content-Length`, adds the chunked framing, refuses a body where
/// none is allowed. Made by
/// [`encode_response_head`](super::encode_response_head) and
/// [`encode_request_head`](super::encode_request_head).
#[derive(Clone, Debug)]
pub struct BodyEncoder {
    framing: Framing,
    finished: bool,
}

impl BodyEncoder {
    pub(super) fn new(framing: Framing) -> BodyEncoder {
        BodyEncoder {
            framing,
            finished: false,
        }
    }

    /// Appends one piece of body to `out`, framed. An empty piece writes
    /// nothing (it cannot end a chunked body by accident).
    pub fn encode(
        &mut self,
        chunk: impl BodyPiece,
        out: &mut WriteBuffer,
    ) -> Result<(), HttpOutputError> {
        if self.finished {
            return Err(HttpOutputError::Misuse("body written after finish"));
        }
        if chunk.is_empty() {
            return Ok(());
        }
        match &mut self.framing {
            Framing::Empty(Some(code)) => Err(HttpOutputError::BodyNotAllowed(*code)),
            Framing::Empty(None) => Err(HttpOutputError::Misuse(
                "a request without Content-Length or chunked framing cannot have a body",
            )),
            Framing::Discard => Ok(()),
            Framing::Fixed { written, expected } => {
                let total = *written + chunk.len() as u64;
                if total > *expected {
                    return Err(HttpOutputError::TooMuchData(*expected));
                }
                *written = total;
                chunk.put_into(out);
                Ok(())
            }
            Framing::Chunked => {
                write_chunk_size(chunk.len(), out);
                chunk.put_into(out);
                out.extend_from_slice(b"\r\n");
                Ok(())
            }
            Framing::Raw => {
                chunk.put_into(out);
                Ok(())
            }
        }
    }

    /// Ends the body: the last chunk `0\r\n\r\n` for chunked framing;
    /// [`HttpOutputError::TooLittleData`] when less than the
    /// `Content-Length` was written.
    pub fn finish(&mut self, out: &mut WriteBuffer) -> Result<(), HttpOutputError> {
        if self.finished {
            return Err(HttpOutputError::Misuse("finish called twice"));
        }
        match self.framing {
            Framing::Fixed { written, expected } if written < expected => {
                return Err(HttpOutputError::TooLittleData { written, expected });
            }
            Framing::Chunked => out.extend_from_slice(b"0\r\n\r\n"),
            _ => {}
        }
        self.finished = true;
        Ok(())
    }

    /// Checks that a whole body of `len` bytes fits the framing, so
    /// that [`encode`](Self::encode) and [`finish`](Self::finish) of it
    /// succeed.
    pub fn check_whole_body(&self, len: u64) -> Result<(), HttpOutputError> {
        match self.framing {
            Framing::Empty(Some(code)) if len > 0 => Err(HttpOutputError::BodyNotAllowed(code)),
            Framing::Empty(None) if len > 0 => Err(HttpOutputError::Misuse(
                "a request without Content-Length or chunked framing cannot have a body",
            )),
            Framing::Fixed { written, expected } if written + len > expected => {
                Err(HttpOutputError::TooMuchData(expected))
            }
            Framing::Fixed { written, expected } if written + len < expected => {
                Err(HttpOutputError::TooLittleData {
                    written: written + len,
                    expected,
                })
            }
            _ => Ok(()),
        }
    }

    /// Whether [`finish`](Self::finish) succeeded.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Whether the body is delimited by closing the connection.
    pub fn is_close_delimited(&self) -> bool {
        self.framing == Framing::Raw
    }
}

/// Writes `len` in hex and CRLF.
fn write_chunk_size(len: usize, out: &mut WriteBuffer) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut digits = [0u8; 2 * size_of::<usize>()];
    let mut start = digits.len();
    let mut n = len;
    loop {
        start -= 1;
        digits[start] = HEX[n & 0xf];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    let staging = out.staging(digits.len() - start + 2);
    staging.put_slice(&digits[start..]);
    staging.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn written(out: &mut WriteBuffer) -> Vec<u8> {
        out.take_bytes().to_vec()
    }

    #[test]
    fn chunked_framing() {
        let mut out = WriteBuffer::new();
        let mut encoder = BodyEncoder::new(Framing::Chunked);
        encoder
            .encode(Bytes::from_static(b"hello"), &mut out)
            .unwrap();
        encoder.encode(Bytes::new(), &mut out).unwrap();
        encoder
            .encode(Bytes::from(vec![b'x'; 26]), &mut out)
            .unwrap();
        encoder.finish(&mut out).unwrap();
        let mut expected = b"5\r\nhello\r\n1A\r\n".to_vec();
        expected.extend_from_slice(&[b'x'; 26]);
        expected.extend_from_slice(b"\r\n0\r\n\r\n");
        assert_eq!(written(&mut out), expected);
        assert!(encoder.is_finished());
    }

    #[test]
    fn fixed_length_is_enforced_both_ways() {
        let mut out = WriteBuffer::new();
        let mut encoder = BodyEncoder::new(Framing::Fixed {
            written: 0,
            expected: 3,
        });
        encoder.encode(Bytes::from_static(b"ab"), &mut out).unwrap();
        assert_eq!(
            encoder.encode(Bytes::from_static(b"cd"), &mut out),
            Err(HttpOutputError::TooMuchData(3))
        );
        assert_eq!(
            encoder.finish(&mut out),
            Err(HttpOutputError::TooLittleData {
                written: 2,
                expected: 3
            })
        );
        encoder.encode(Bytes::from_static(b"c"), &mut out).unwrap();
        encoder.finish(&mut out).unwrap();
        assert_eq!(written(&mut out), b"abc");
    }

    #[test]
    fn bodies_where_none_is_allowed() {
        let mut out = WriteBuffer::new();
        let mut encoder = BodyEncoder::new(Framing::Empty(Some(204)));
        assert_eq!(
            encoder.encode(Bytes::from_static(b"x"), &mut out),
            Err(HttpOutputError::BodyNotAllowed(204))
        );
        let mut head = BodyEncoder::new(Framing::Discard);
        head.encode(Bytes::from_static(b"dropped"), &mut out)
            .unwrap();
        head.finish(&mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn misuse_after_finish() {
        let mut out = WriteBuffer::new();
        let mut encoder = BodyEncoder::new(Framing::Raw);
        encoder.finish(&mut out).unwrap();
        assert!(matches!(
            encoder.encode(Bytes::from_static(b"x"), &mut out),
            Err(HttpOutputError::Misuse(_))
        ));
        assert!(matches!(
            encoder.finish(&mut out),
            Err(HttpOutputError::Misuse(_))
        ));
    }

    #[test]
    fn chunk_sizes_in_hex() {
        for (len, hex) in [
            (1, "1"),
            (15, "F"),
            (16, "10"),
            (4096, "1000"),
            (usize::MAX, ""),
        ] {
            let mut out = WriteBuffer::new();
            write_chunk_size(len, &mut out);
            let text = String::from_utf8(written(&mut out)).unwrap();
            if hex.is_empty() {
                assert_eq!(text, format!("{len:X}\r\n"));
            } else {
                assert_eq!(text, format!("{hex}\r\n"));
            }
        }
    }

    #[test]
    fn a_whole_body_is_checked_against_the_framing_before_any_write() {
        assert!(matches!(
            BodyEncoder::new(Framing::Empty(Some(204))).check_whole_body(1),
            Err(HttpOutputError::BodyNotAllowed(204))
        ));
        assert!(
            BodyEncoder::new(Framing::Empty(Some(204)))
                .check_whole_body(0)
                .is_ok()
        );
        assert!(
            BodyEncoder::new(Framing::Discard)
                .check_whole_body(100)
                .is_ok()
        );
        assert!(
            BodyEncoder::new(Framing::Chunked)
                .check_whole_body(100)
                .is_ok()
        );
        let fixed = BodyEncoder::new(Framing::Fixed {
            written: 0,
            expected: 2,
        });
        assert!(fixed.check_whole_body(2).is_ok());
        assert!(fixed.check_whole_body(1).is_err() && fixed.check_whole_body(3).is_err());
    }
}
