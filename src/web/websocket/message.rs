//! [`Message`]: a whole WebSocket message, as a handler receives or
//! sends it, and [`Text`], the bytes of a text message known to be UTF-8.

use bytes::Bytes;

use super::MessageKind;

/// The bytes of a text message, valid UTF-8 (checked when received or
/// made from a `str`), shared without copying.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Text(Bytes);

impl Text {
    /// `bytes` if they are valid UTF-8.
    pub fn from_utf8(bytes: Bytes) -> Result<Text, Bytes> {
        match simdutf8::basic::from_utf8(&bytes) {
            Ok(_) => Ok(Text(bytes)),
            Err(_) => Err(bytes),
        }
    }

    /// Bytes that a decoder checked as UTF-8 already.
    pub(super) fn checked(bytes: Bytes) -> Text {
        debug_assert!(simdutf8::basic::from_utf8(&bytes).is_ok());
        Text(bytes)
    }

    /// The text.
    #[allow(unsafe_code)]
    pub fn as_str(&self) -> &str {
        // SAFETY: a `Text` is only made from bytes checked as UTF-8 (by
        // `from_utf8`, by a decoder, or as a `str`), and `Bytes` never
        // changes its content.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }

    /// The UTF-8 bytes.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }

    /// The UTF-8 bytes, owned.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(Bytes::from(text))
    }
}

impl From<&'static str> for Text {
    fn from(text: &'static str) -> Text {
        Text(Bytes::from_static(text.as_bytes()))
    }
}

/// A whole message: text or binary (Tornado's `str` or `bytes` message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A text message.
    Text(Text),
    /// A binary message.
    Binary(Bytes),
}

impl Message {
    /// Text or binary.
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::Text(_) => MessageKind::Text,
            Message::Binary(_) => MessageKind::Binary,
        }
    }

    /// The payload's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Message::Text(text) => text.as_bytes(),
            Message::Binary(data) => data,
        }
    }

    /// The text of a text message.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Message::Text(text) => Some(text.as_str()),
            Message::Binary(_) => None,
        }
    }

    /// The payload, owned.
    pub fn into_bytes(self) -> Bytes {
        match self {
            Message::Text(text) => text.into_bytes(),
            Message::Binary(data) => data,
        }
    }
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        Message::Text(text.into())
    }
}

impl From<&'static str> for Message {
    fn from(text: &'static str) -> Message {
        Message::Text(text.into())
    }
}

impl From<Text> for Message {
    fn from(text: Text) -> Message {
        Message::Text(text)
    }
}

impl From<Bytes> for Message {
    fn from(data: Bytes) -> Message {
        Message::Binary(data)
    }
}

impl From<Vec<u8>> for Message {
    fn from(data: Vec<u8>) -> Message {
        Message::Binary(data.into())
    }
}

impl From<&'static [u8]> for Message {
    fn from(data: &'static [u8]) -> Message {
        Message::Binary(Bytes::from_static(data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_checked_once_and_read_as_str() {
        let text = Text::from_utf8(Bytes::from("héllo")).unwrap();
        assert_eq!(text.as_str(), "héllo");
        assert_eq!(text.len(), 6);
        assert!(Text::from_utf8(Bytes::from_static(b"\xff")).is_err());
        let message = Message::from("hi");
        assert_eq!(
            (message.kind(), message.as_text()),
            (MessageKind::Text, Some("hi"))
        );
        let message = Message::from(vec![1u8, 2]);
        assert_eq!(
            (message.kind(), message.as_bytes()),
            (MessageKind::Binary, &[1u8, 2][..])
        );
        assert_eq!(message.as_text(), None);
    }
}
