//! [`FrameEncoder`]: messages and control frames written as frames, masked
//! when the role requires.

use bytes::BytesMut;

use super::close::close_payload;
use super::frame::EncodedHead;
use super::{
    CloseCode, EncodeError, FrameHead, MAX_CONTROL_PAYLOAD, MessageKind, OpCode, Role, apply_mask,
};

/// A sans-IO writer of WebSocket frames for one role.
///
/// Frames go to the end of a [`BytesMut`] the caller then writes out. A
/// client's frames are masked, each with a fresh random key; a server's
/// are not. Lengths are written in their shortest form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameEncoder {
    role: Role,
}

impl FrameEncoder {
    /// An encoder for `role`.
    pub const fn new(role: Role) -> FrameEncoder {
        FrameEncoder { role }
    }

    /// The role this encoder writes for.
    pub const fn role(&self) -> Role {
        self.role
    }

    /// Writes a text message as one frame.
    pub fn text(&self, text: &str, out: &mut BytesMut) {
        self.write(FrameHead::new(OpCode::Text, 0), text.as_bytes(), out);
    }

    /// Writes a binary message as one frame.
    pub fn binary(&self, data: &[u8], out: &mut BytesMut) {
        self.write(FrameHead::new(OpCode::Binary, 0), data, out);
    }

    /// Writes a message as one frame; `compressed` sets RSV1, for a
    /// payload a compression extension has deflated.
    pub fn message(&self, kind: MessageKind, payload: &[u8], compressed: bool, out: &mut BytesMut) {
        let head = FrameHead {
            rsv1: compressed,
            ..FrameHead::new(kind.opcode(), 0)
        };
        self.write(head, payload, out);
    }

    /// The head of a message frame of `len` payload bytes whose payload
    /// is written after it as it is (not copied behind it); `None` for a
    /// role that masks, whose payloads are masked in a copy (see
    /// [`message`](Self::message)).
    pub(crate) fn unmasked_message_head(
        &self,
        kind: MessageKind,
        len: usize,
        compressed: bool,
    ) -> Option<EncodedHead> {
        (!self.role.masks_output()).then(|| {
            EncodedHead::new(&FrameHead {
                rsv1: compressed,
                payload_len: len as u64,
                ..FrameHead::new(kind.opcode(), 0)
            })
        })
    }

    /// Writes one frame of any kind: with `fin` false and then
    /// [`OpCode::Continuation`] frames, a message in fragments.
    /// `compressed` sets RSV1, allowed only on the first frame of a text
    /// or binary message.
    ///
    /// # Errors
    ///
    /// [`EncodeError::CompressedFrame`] for RSV1 where it is not allowed;
    /// for control frames, [`EncodeError::FragmentedControlFrame`] without
    /// `fin` and [`EncodeError::ControlPayloadTooLong`] beyond 125 bytes.
    pub fn frame(
        &self,
        opcode: OpCode,
        fin: bool,
        compressed: bool,
        payload: &[u8],
        out: &mut BytesMut,
    ) -> Result<(), EncodeError> {
        if compressed && !matches!(opcode, OpCode::Text | OpCode::Binary) {
            return Err(EncodeError::CompressedFrame(opcode));
        }
        if opcode.is_control() {
            if !fin {
                return Err(EncodeError::FragmentedControlFrame);
            }
            check_control_payload(payload)?;
        }
        self.write(
            FrameHead {
                fin,
                rsv1: compressed,
                ..FrameHead::new(opcode, 0)
            },
            payload,
            out,
        );
        Ok(())
    }

    /// Writes a ping.
    ///
    /// # Errors
    ///
    /// [`EncodeError::ControlPayloadTooLong`] for a payload over 125
    /// bytes.
    pub fn ping(&self, payload: &[u8], out: &mut BytesMut) -> Result<(), EncodeError> {
        check_control_payload(payload)?;
        self.write(FrameHead::new(OpCode::Ping, 0), payload, out);
        Ok(())
    }

    /// Writes a pong (the answer to a ping carries the ping's payload).
    ///
    /// # Errors
    ///
    /// [`EncodeError::ControlPayloadTooLong`] for a payload over 125
    /// bytes.
    pub fn pong(&self, payload: &[u8], out: &mut BytesMut) -> Result<(), EncodeError> {
        check_control_payload(payload)?;
        self.write(FrameHead::new(OpCode::Pong, 0), payload, out);
        Ok(())
    }

    /// Writes a close frame. Without a code and reason the payload is
    /// empty; a reason without a code is sent with
    /// [`CloseCode::NORMAL`]. A reason longer than
    /// [`MAX_CLOSE_REASON_LEN`](super::MAX_CLOSE_REASON_LEN) (123) bytes is
    /// cut at the last character boundary that fits.
    ///
    /// # Errors
    ///
    /// [`EncodeError::InvalidCloseCode`] for a code that may not be sent
    /// (see [`CloseCode::is_valid_on_wire`]).
    pub fn close(
        &self,
        code: Option<CloseCode>,
        reason: &str,
        out: &mut BytesMut,
    ) -> Result<(), EncodeError> {
        let payload = close_payload(code, reason)?;
        self.write(FrameHead::new(OpCode::Close, 0), &payload, out);
        Ok(())
    }

    /// Writes `head` (its length and mask set here) and `payload`.
    fn write(&self, head: FrameHead, payload: &[u8], out: &mut BytesMut) {
        let mask = self.role.masks_output().then(rand::random::<[u8; 4]>);
        let head = FrameHead {
            mask,
            payload_len: payload.len() as u64,
            ..head
        };
        out.reserve(head.encoded_len() + payload.len());
        head.encode(out);
        let start = out.len();
        out.extend_from_slice(payload);
        if let Some(key) = mask {
            apply_mask(&mut out[start..], key, 0);
        }
    }
}

fn check_control_payload(payload: &[u8]) -> Result<(), EncodeError> {
    if payload.len() > MAX_CONTROL_PAYLOAD {
        return Err(EncodeError::ControlPayloadTooLong(payload.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_frame_is_plain() {
        let mut out = BytesMut::new();
        FrameEncoder::new(Role::Server).text("hi", &mut out);
        assert_eq!(&out[..], b"\x81\x02hi");
        out.clear();
        FrameEncoder::new(Role::Server).message(MessageKind::Binary, b"z", true, &mut out);
        assert_eq!(&out[..], b"\xc2\x01z");
    }

    #[test]
    fn a_client_frame_is_masked() {
        let mut out = BytesMut::new();
        FrameEncoder::new(Role::Client).binary(b"abcdef", &mut out);
        assert_eq!(out.len(), 2 + 4 + 6);
        assert_eq!(&out[..2], b"\x82\x86");
        let key: [u8; 4] = out[2..6].try_into().unwrap();
        apply_mask(&mut out[6..], key, 0);
        assert_eq!(&out[6..], b"abcdef");
    }

    #[test]
    fn control_frame_limits() {
        let encoder = FrameEncoder::new(Role::Server);
        let mut out = BytesMut::new();
        assert_eq!(encoder.ping(&[0; 125], &mut out), Ok(()));
        assert_eq!(encoder.pong(&[0; 125], &mut out), Ok(()));
        assert_eq!(out.len(), 2 * 127);
        assert_eq!(
            encoder.ping(&[0; 126], &mut out),
            Err(EncodeError::ControlPayloadTooLong(126))
        );
        assert_eq!(
            encoder.pong(&[0; 126], &mut out),
            Err(EncodeError::ControlPayloadTooLong(126))
        );
        assert_eq!(
            encoder.frame(OpCode::Ping, false, false, b"", &mut out),
            Err(EncodeError::FragmentedControlFrame)
        );
        assert_eq!(
            encoder.frame(OpCode::Close, true, false, &[0; 126], &mut out),
            Err(EncodeError::ControlPayloadTooLong(126))
        );
        assert_eq!(
            encoder.frame(OpCode::Pong, true, true, b"", &mut out),
            Err(EncodeError::CompressedFrame(OpCode::Pong))
        );
        assert_eq!(
            encoder.frame(OpCode::Continuation, true, true, b"", &mut out),
            Err(EncodeError::CompressedFrame(OpCode::Continuation))
        );
        assert_eq!(out.len(), 2 * 127, "nothing written on error");
    }

    #[test]
    fn close_frames() {
        let encoder = FrameEncoder::new(Role::Server);
        let mut out = BytesMut::new();
        encoder.close(None, "", &mut out).unwrap();
        assert_eq!(&out[..], b"\x88\x00");
        out.clear();
        encoder
            .close(Some(CloseCode::GOING_AWAY), "bye", &mut out)
            .unwrap();
        assert_eq!(&out[..], b"\x88\x05\x03\xe9bye");
        out.clear();
        encoder
            .close(Some(CloseCode::NORMAL), &"x".repeat(200), &mut out)
            .unwrap();
        assert_eq!(out.len(), 2 + 125);
        assert_eq!(
            encoder.close(Some(CloseCode(1005)), "", &mut out),
            Err(EncodeError::InvalidCloseCode(1005))
        );
    }
}
