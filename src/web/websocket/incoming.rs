//! [`Incoming`]: what a [`FrameDecoder`](super::FrameDecoder) hands out,
//! and [`MessageKind`].

use bytes::Bytes;

use super::{CloseFrame, OpCode};

/// Whether a data message is text or binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// UTF-8 text (opcode 0x1).
    Text,
    /// Arbitrary bytes (opcode 0x2).
    Binary,
}

impl MessageKind {
    /// The opcode of a message's first frame.
    pub const fn opcode(self) -> OpCode {
        match self {
            MessageKind::Text => OpCode::Text,
            MessageKind::Binary => OpCode::Binary,
        }
    }
}

/// One thing received: a whole message (its fragments joined and
/// unmasked) or a control frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A text message. The bytes are valid UTF-8: the decoder checked.
    Text(Bytes),
    /// A binary message.
    Binary(Bytes),
    /// A message whose first frame had RSV1 set, under a decoder
    /// configured for compression: the payload as sent, to be inflated
    /// (and, for text, checked as UTF-8) by the extension.
    Compressed {
        /// Text or binary, once inflated.
        kind: MessageKind,
        /// The compressed bytes.
        payload: Bytes,
    },
    /// A ping; the answer is a pong with the same payload.
    Ping(Bytes),
    /// A pong.
    Pong(Bytes),
    /// The peer's close frame. The decoder reads nothing after it.
    Close(CloseFrame),
}

impl Incoming {
    /// The text of a [`Text`](Incoming::Text) message.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Incoming::Text(bytes) => simdutf8::basic::from_utf8(bytes).ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_as_str() {
        assert_eq!(
            Incoming::Text(Bytes::from_static("hé".as_bytes())).as_text(),
            Some("hé")
        );
        assert_eq!(Incoming::Binary(Bytes::from_static(b"x")).as_text(), None);
        assert_eq!(MessageKind::Binary.opcode(), OpCode::Binary);
    }
}
