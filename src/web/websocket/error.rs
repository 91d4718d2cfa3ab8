//! [`ProtocolError`] (what a peer got wrong, with the close code to answer
//! it with) and [`EncodeError`] (a frame this end may not send).

use super::{CloseCode, OpCode};

/// A violation of RFC 6455 by the peer, found while decoding. Each carries
/// the [`close_code`](ProtocolError::close_code) to send before closing
/// the connection: 1002 for framing errors, 1007 for text that is not
/// UTF-8 or compressed data that does not inflate, 1009 for messages over
/// the size limit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// A reserved bit is set that no negotiated extension gives a meaning
    /// to: RSV2 or RSV3 ever, or RSV1 without compression or on a frame
    /// other than the first of a data message. Holds the three bits, RSV1
    /// highest.
    #[error("reserved bits {0:#05b} set in a frame head")]
    ReservedBits(u8),
    /// The opcode is one of the reserved values 3–7 or 11–15.
    #[error("reserved opcode {0:#x}")]
    ReservedOpCode(u8),
    /// A server got a frame without a masking key.
    #[error("a frame from the client is not masked")]
    UnmaskedFrame,
    /// A client got a frame with a masking key.
    #[error("a frame from the server is masked")]
    MaskedFrame,
    /// A control frame without the FIN bit.
    #[error("a control frame is fragmented")]
    FragmentedControlFrame,
    /// A control frame announcing more than 125 bytes of payload.
    #[error("a control frame announces {0} bytes of payload, more than 125")]
    ControlFrameTooLong(u64),
    /// A 64-bit payload length with its most significant bit set.
    #[error("a 64-bit payload length has its most significant bit set")]
    LengthOverflow,
    /// A payload length written in more bytes than it needs.
    #[error("payload length {0} is not in its shortest encoding")]
    NonMinimalLength(u64),
    /// A continuation frame with no message under way.
    #[error("a continuation frame arrived with no message under way")]
    UnexpectedContinuation,
    /// A text or binary frame while a fragmented message is unfinished.
    #[error("a new message started before the previous one was finished")]
    UnfinishedMessage,
    /// Text (in a message or a close reason) that is not UTF-8.
    #[error("text is not valid UTF-8")]
    InvalidUtf8,
    /// A compressed message (permessage-deflate) whose payload does not
    /// inflate.
    #[error("a compressed message does not inflate")]
    InvalidCompressedData,
    /// A message whose frames announce more than the configured maximum.
    #[error("message larger than the limit of {limit} bytes")]
    MessageTooBig {
        /// The configured `max_message_size`.
        limit: usize,
    },
    /// A close frame with a one-byte payload: too long to be empty, too
    /// short to hold a code.
    #[error("a close frame's payload is one byte long")]
    CloseFrameTooShort,
    /// A close frame with a code that may not be sent on the wire.
    #[error("close code {0} may not be sent on the wire")]
    InvalidCloseCode(u16),
}

impl ProtocolError {
    /// The code to close the connection with in answer to this error:
    /// [`CloseCode::INVALID_PAYLOAD`] (1007) for invalid UTF-8 and for
    /// compressed data that does not inflate,
    /// [`CloseCode::MESSAGE_TOO_BIG`] (1009) for an oversized message,
    /// [`CloseCode::PROTOCOL_ERROR`] (1002) for everything else.
    pub const fn close_code(&self) -> CloseCode {
        match self {
            ProtocolError::InvalidUtf8 | ProtocolError::InvalidCompressedData => {
                CloseCode::INVALID_PAYLOAD
            }
            ProtocolError::MessageTooBig { .. } => CloseCode::MESSAGE_TOO_BIG,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }
}

/// A frame the [`FrameEncoder`](super::FrameEncoder) refuses to write,
/// because RFC 6455 forbids sending it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A control frame (close, ping, pong) with more than 125 bytes of
    /// payload.
    #[error("a control frame's payload is {0} bytes, more than 125")]
    ControlPayloadTooLong(usize),
    /// A control frame without the FIN bit.
    #[error("a control frame cannot be fragmented")]
    FragmentedControlFrame,
    /// The compressed flag (RSV1) on a frame that is not the first of a
    /// text or binary message.
    #[error("a {0} frame cannot be marked compressed")]
    CompressedFrame(OpCode),
    /// A close code that may not be sent on the wire.
    #[error("close code {0} may not be sent on the wire")]
    InvalidCloseCode(u16),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_names_its_close_code() {
        assert_eq!(ProtocolError::InvalidUtf8.close_code(), CloseCode(1007));
        assert_eq!(
            ProtocolError::MessageTooBig { limit: 1 }.close_code(),
            CloseCode(1009)
        );
        for error in [
            ProtocolError::ReservedBits(0b010),
            ProtocolError::ReservedOpCode(3),
            ProtocolError::UnmaskedFrame,
            ProtocolError::MaskedFrame,
            ProtocolError::FragmentedControlFrame,
            ProtocolError::ControlFrameTooLong(126),
            ProtocolError::LengthOverflow,
            ProtocolError::NonMinimalLength(5),
            ProtocolError::UnexpectedContinuation,
            ProtocolError::UnfinishedMessage,
            ProtocolError::CloseFrameTooShort,
            ProtocolError::InvalidCloseCode(1005),
        ] {
            assert_eq!(error.close_code(), CloseCode(1002), "{error}");
        }
    }

    #[test]
    fn messages_read_well() {
        assert_eq!(
            ProtocolError::ReservedBits(0b100).to_string(),
            "reserved bits 0b100 set in a frame head"
        );
        assert_eq!(
            ProtocolError::ReservedOpCode(0xb).to_string(),
            "reserved opcode 0xb"
        );
        assert_eq!(
            EncodeError::CompressedFrame(OpCode::Ping).to_string(),
            "a ping frame cannot be marked compressed"
        );
    }
}
