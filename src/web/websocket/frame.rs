//! [`FrameHead`]: the bytes before a frame's payload (RFC 6455 §5.2), read
//! and written.

use bytes::BufMut;

use super::{OpCode, ProtocolError};

/// The most bytes a frame head takes: two, eight of extended length and
/// four of masking key.
pub const MAX_HEAD_LEN: usize = 14;

/// The head of a frame: flags, opcode, masking key and payload length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHead {
    /// FIN: this is the final frame of its message.
    pub fin: bool,
    /// RSV1: under permessage-deflate, the message is compressed.
    pub rsv1: bool,
    /// RSV2: no meaning without an extension.
    pub rsv2: bool,
    /// RSV3: no meaning without an extension.
    pub rsv3: bool,
    /// The frame's kind.
    pub opcode: OpCode,
    /// The masking key, present on frames from clients.
    pub mask: Option<[u8; 4]>,
    /// The payload's length in bytes.
    pub payload_len: u64,
}

impl FrameHead {
    /// A final, unmasked frame head without reserved bits.
    pub const fn new(opcode: OpCode, payload_len: u64) -> FrameHead {
        FrameHead {
            fin: true,
            rsv1: false,
            rsv2: false,
            rsv3: false,
            opcode,
            mask: None,
            payload_len,
        }
    }

    /// Reads a frame head from the start of `src`: `Ok(None)` while `src`
    /// is shorter than the head, otherwise the head and its length in
    /// bytes. A malformed length is refused as soon as its bytes are in,
    /// before the masking key. Only the wire format is checked here;
    /// whether the frame is acceptable (mask, reserved bits, control frame
    /// rules) is for the [`FrameDecoder`](super::FrameDecoder).
    ///
    /// # Errors
    ///
    /// All close with 1002: [`ProtocolError::ReservedOpCode`],
    /// [`ProtocolError::LengthOverflow`] (a 64-bit length with its top bit
    /// set), [`ProtocolError::NonMinimalLength`] (a length that fits a
    /// shorter encoding).
    pub fn parse(src: &[u8]) -> Result<Option<(FrameHead, usize)>, ProtocolError> {
        let [first, second, rest @ ..] = src else {
            return Ok(None);
        };
        let masked = second & 0x80 != 0;
        let (payload_len, rest) = match second & 0x7f {
            126 => {
                let [high, low, rest @ ..] = rest else {
                    return Ok(None);
                };
                let len = u64::from(u16::from_be_bytes([*high, *low]));
                if len < 126 {
                    return Err(ProtocolError::NonMinimalLength(len));
                }
                (len, rest)
            }
            127 => {
                let Some((len, rest)) = rest.split_first_chunk::<8>() else {
                    return Ok(None);
                };
                let len = u64::from_be_bytes(*len);
                if len >> 63 != 0 {
                    return Err(ProtocolError::LengthOverflow);
                }
                if len <= u64::from(u16::MAX) {
                    return Err(ProtocolError::NonMinimalLength(len));
                }
                (len, rest)
            }
            short => (u64::from(short), rest),
        };
        let mask = if masked {
            let Some((key, _)) = rest.split_first_chunk::<4>() else {
                return Ok(None);
            };
            Some(*key)
        } else {
            None
        };
        let opcode = OpCode::from_u4(*first)?;
        let head = FrameHead {
            fin: first & 0x80 != 0,
            rsv1: first & 0x40 != 0,
            rsv2: first & 0x20 != 0,
            rsv3: first & 0x10 != 0,
            opcode,
            mask,
            payload_len,
        };
        Ok(Some((head, head.encoded_len())))
    }

    /// The reserved bits as a number, RSV1 highest (`0b100`).
    pub const fn reserved_bits(&self) -> u8 {
        (self.rsv1 as u8) << 2 | (self.rsv2 as u8) << 1 | self.rsv3 as u8
    }

    /// How many bytes [`encode`](FrameHead::encode) writes: 2 to 14.
    pub const fn encoded_len(&self) -> usize {
        let extended = match self.payload_len {
            0..=125 => 0,
            126..=0xffff => 2,
            _ => 8,
        };
        2 + extended + if self.mask.is_some() { 4 } else { 0 }
    }

    /// Writes the head to `out`, its length in the shortest encoding.
    /// Lengths of 2^63 and above cannot be sent; their top bit is dropped.
    pub fn encode(&self, out: &mut impl BufMut) {
        let first = (self.fin as u8) << 7 | self.reserved_bits() << 4 | self.opcode.as_u8();
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        out.put_u8(first);
        match self.payload_len {
            len @ 0..=125 => out.put_u8(mask_bit | len as u8),
            len @ 126..=0xffff => {
                out.put_u8(mask_bit | 126);
                out.put_u16(len as u16);
            }
            len => {
                out.put_u8(mask_bit | 127);
                out.put_u64(len & (u64::MAX >> 1));
            }
        }
        if let Some(key) = self.mask {
            out.put_slice(&key);
        }
    }
}

/// A frame head encoded into an array: for a frame whose payload is
/// written after it without being copied behind it.
pub(crate) struct EncodedHead {
    bytes: [u8; MAX_HEAD_LEN],
    len: usize,
}

impl EncodedHead {
    /// `head`, encoded.
    pub(crate) fn new(head: &FrameHead) -> EncodedHead {
        let mut bytes = [0; MAX_HEAD_LEN];
        let left = {
            let mut rest = &mut bytes[..];
            head.encode(&mut rest);
            rest.len()
        };
        EncodedHead {
            bytes,
            len: MAX_HEAD_LEN - left,
        }
    }

    /// The encoded bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;

    use super::*;

    fn round_trip(head: FrameHead) {
        let mut out = BytesMut::new();
        head.encode(&mut out);
        assert_eq!(out.len(), head.encoded_len());
        assert_eq!(FrameHead::parse(&out), Ok(Some((head, out.len()))));
        for cut in 0..out.len() {
            assert_eq!(
                FrameHead::parse(&out[..cut]),
                Ok(None),
                "{head:?} cut at {cut}"
            );
        }
    }

    #[test]
    fn heads_round_trip_in_every_length_encoding() {
        for len in [
            0,
            1,
            125,
            126,
            127,
            0xffff,
            0x1_0000,
            1 << 20,
            (1 << 63) - 1,
        ] {
            for mask in [None, Some([1, 2, 3, 4])] {
                for opcode in [
                    OpCode::Continuation,
                    OpCode::Text,
                    OpCode::Binary,
                    OpCode::Close,
                ] {
                    round_trip(FrameHead {
                        mask,
                        ..FrameHead::new(opcode, len)
                    });
                }
            }
        }
        round_trip(FrameHead {
            fin: false,
            rsv1: true,
            rsv2: true,
            rsv3: true,
            ..FrameHead::new(OpCode::Text, 3)
        });
    }

    #[test]
    fn encoded_lengths() {
        assert_eq!(FrameHead::new(OpCode::Text, 125).encoded_len(), 2);
        assert_eq!(FrameHead::new(OpCode::Text, 126).encoded_len(), 4);
        assert_eq!(FrameHead::new(OpCode::Text, 65535).encoded_len(), 4);
        assert_eq!(FrameHead::new(OpCode::Text, 65536).encoded_len(), 10);
        let masked = FrameHead {
            mask: Some([0; 4]),
            ..FrameHead::new(OpCode::Text, 65536)
        };
        assert_eq!(masked.encoded_len(), MAX_HEAD_LEN);
    }

    #[test]
    fn exact_bytes() {
        let mut out = BytesMut::new();
        FrameHead {
            mask: Some([0xa, 0xb, 0xc, 0xd]),
            ..FrameHead::new(OpCode::Ping, 5)
        }
        .encode(&mut out);
        assert_eq!(&out[..], b"\x89\x85\x0a\x0b\x0c\x0d");
        out.clear();
        FrameHead {
            fin: false,
            rsv1: true,
            ..FrameHead::new(OpCode::Binary, 256)
        }
        .encode(&mut out);
        assert_eq!(&out[..], b"\x42\x7e\x01\x00");
    }

    #[test]
    fn wire_format_errors() {
        assert_eq!(
            FrameHead::parse(b"\x83\x00"),
            Err(ProtocolError::ReservedOpCode(3))
        );
        assert_eq!(
            FrameHead::parse(b"\x8f\x00"),
            Err(ProtocolError::ReservedOpCode(0xf))
        );
        assert_eq!(
            FrameHead::parse(b"\x82\x7e\x00\x7d"),
            Err(ProtocolError::NonMinimalLength(125))
        );
        assert_eq!(
            FrameHead::parse(b"\x82\x7e\x00\x7e"),
            Ok(Some((FrameHead::new(OpCode::Binary, 126), 4)))
        );
        assert_eq!(
            FrameHead::parse(b"\x82\x7f\x00\x00\x00\x00\x00\x00\xff\xff"),
            Err(ProtocolError::NonMinimalLength(0xffff))
        );
        assert_eq!(
            FrameHead::parse(b"\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00"),
            Err(ProtocolError::LengthOverflow)
        );
        assert_eq!(
            FrameHead::parse(b"\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff"),
            Ok(Some((FrameHead::new(OpCode::Binary, u64::MAX >> 1), 10)))
        );
    }
}
