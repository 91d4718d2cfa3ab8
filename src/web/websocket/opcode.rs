//! [`OpCode`]: the kind of a frame (RFC 6455 §5.2, §11.8).

use std::fmt;

use super::ProtocolError;

/// A frame's opcode. The reserved values (3–7 and 11–15) have no variant:
/// [`OpCode::from_u4`] refuses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpCode {
    /// `0x0`: a further fragment of the message under way.
    Continuation,
    /// `0x1`: the first frame of a text message.
    Text,
    /// `0x2`: the first frame of a binary message.
    Binary,
    /// `0x8`: the closing handshake.
    Close,
    /// `0x9`: a ping, to be answered by a pong with the same payload.
    Ping,
    /// `0xA`: a pong, answering a ping or unsolicited.
    Pong,
}

impl OpCode {
    /// The opcode for the low four bits of `value`.
    ///
    /// # Errors
    ///
    /// [`ProtocolError::ReservedOpCode`] for the reserved values.
    pub const fn from_u4(value: u8) -> Result<Self, ProtocolError> {
        match value & 0x0f {
            0x0 => Ok(OpCode::Continuation),
            0x1 => Ok(OpCode::Text),
            0x2 => Ok(OpCode::Binary),
            0x8 => Ok(OpCode::Close),
            0x9 => Ok(OpCode::Ping),
            0xA => Ok(OpCode::Pong),
            other => Err(ProtocolError::ReservedOpCode(other)),
        }
    }

    /// The four-bit value on the wire.
    pub const fn as_u8(self) -> u8 {
        match self {
            OpCode::Continuation => 0x0,
            OpCode::Text => 0x1,
            OpCode::Binary => 0x2,
            OpCode::Close => 0x8,
            OpCode::Ping => 0x9,
            OpCode::Pong => 0xA,
        }
    }

    /// Whether this is a control frame (close, ping, pong): at most 125
    /// bytes of payload, never fragmented, allowed between the fragments
    /// of a message.
    pub const fn is_control(self) -> bool {
        self.as_u8() & 0x8 != 0
    }
}

impl TryFrom<u8> for OpCode {
    type Error = ProtocolError;

    /// As [`OpCode::from_u4`], but values above 15 are refused too.
    fn try_from(value: u8) -> Result<Self, ProtocolError> {
        if value > 0x0f {
            return Err(ProtocolError::ReservedOpCode(value));
        }
        OpCode::from_u4(value)
    }
}

impl From<OpCode> for u8 {
    fn from(opcode: OpCode) -> u8 {
        opcode.as_u8()
    }
}

impl fmt::Display for OpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            OpCode::Continuation => "continuation",
            OpCode::Text => "text",
            OpCode::Binary => "binary",
            OpCode::Close => "close",
            OpCode::Ping => "ping",
            OpCode::Pong => "pong",
        };
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_four_bit_value_is_known_or_reserved() {
        for value in 0u8..16 {
            match OpCode::from_u4(value) {
                Ok(opcode) => {
                    assert_eq!(opcode.as_u8(), value);
                    assert_eq!(opcode.is_control(), value >= 8);
                }
                Err(error) => {
                    assert!(matches!(value, 3..=7 | 11..=15), "{value}");
                    assert_eq!(error, ProtocolError::ReservedOpCode(value));
                }
            }
        }
    }

    #[test]
    fn values_wider_than_four_bits_are_refused() {
        assert_eq!(
            OpCode::try_from(0x11),
            Err(ProtocolError::ReservedOpCode(0x11))
        );
        assert_eq!(OpCode::try_from(0x9), Ok(OpCode::Ping));
        assert_eq!(u8::from(OpCode::Pong), 0xA);
    }
}
