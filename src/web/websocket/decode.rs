//! [`FrameDecoder`]: bytes in, [`Incoming`] messages and control frames
//! out, every rule of RFC 6455 §5 checked on the way.

use bytes::{Buf, Bytes, BytesMut};

use super::{
    CloseFrame, FrameHead, Incoming, MessageKind, OpCode, ProtocolError, Role, Utf8Validator,
    apply_mask,
};

/// Tornado's default largest message: 10 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 10 * 1024 * 1024;

/// The most payload a control frame may carry.
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// How a [`FrameDecoder`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecoderConfig {
    /// The largest message accepted, in payload bytes summed over its
    /// fragments (for a compressed message, the compressed bytes). A
    /// frame that would take a message past it fails with
    /// [`ProtocolError::MessageTooBig`] (1009) as soon as its head is
    /// read, before any of its payload is buffered.
    ///
    /// Default: [`DEFAULT_MAX_MESSAGE_SIZE`] (10 MiB).
    pub max_message_size: usize,
    /// Whether a compression extension (permessage-deflate) was
    /// negotiated: RSV1 is then allowed on the first frame of a text or
    /// binary message, which comes out as [`Incoming::Compressed`].
    ///
    /// Default: `false`.
    pub compression: bool,
}

impl Default for DecoderConfig {
    fn default() -> DecoderConfig {
        DecoderConfig {
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            compression: false,
        }
    }
}

/// A sans-IO reader of WebSocket frames for one connection and role.
///
/// Feed it the connection's read buffer with [`decode`]; it returns each
/// message once all of its fragments are in, and each control frame
/// (which may arrive between fragments) as soon as it is complete. Masked
/// payloads are unmasked in place as their bytes arrive, text is checked
/// as UTF-8 as it arrives, and size limits are applied to the lengths in
/// frame heads, before the payload is buffered.
///
/// After an error the decoder is spent: every later call returns the same
/// error, which names the close code to send. After a close frame it
/// reads nothing more.
///
/// [`decode`]: FrameDecoder::decode
#[derive(Debug)]
pub struct FrameDecoder {
    role: Role,
    config: DecoderConfig,
    state: State,
    /// The data message under way, from its first frame's head to its
    /// final frame.
    message: Option<Message>,
}

#[derive(Debug)]
enum State {
    /// Waiting for a frame head.
    Head,
    /// Inside a frame's payload.
    Payload(Payload),
    /// A close frame was read.
    Closed,
    /// The peer broke the protocol.
    Failed(ProtocolError),
}

/// The frame whose payload is arriving.
#[derive(Debug)]
struct Payload {
    opcode: OpCode,
    fin: bool,
    mask: Option<[u8; 4]>,
    len: usize,
    /// How many payload bytes at the front of the buffer are unmasked
    /// (and checked, for text) already.
    seen: usize,
}

/// A data message whose final frame has not been read.
#[derive(Debug)]
struct Message {
    kind: MessageKind,
    compressed: bool,
    /// For uncompressed text.
    utf8: Option<Utf8Validator>,
    /// The payload bytes of its frames so far, joined (empty while the
    /// message has had one frame at most).
    joined: Vec<u8>,
    /// The payload bytes announced by its frames' heads so far.
    announced: usize,
}

impl FrameDecoder {
    /// A decoder for `role` with the [default](DecoderConfig::default)
    /// configuration.
    pub fn new(role: Role) -> FrameDecoder {
        FrameDecoder::with_config(role, DecoderConfig::default())
    }

    /// A decoder for `role` configured by `config`.
    pub fn with_config(role: Role, config: DecoderConfig) -> FrameDecoder {
        FrameDecoder {
            role,
            config,
            state: State::Head,
            message: None,
        }
    }

    /// The role this decoder reads for.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The configuration this decoder reads with.
    pub fn config(&self) -> &DecoderConfig {
        &self.config
    }

    /// Whether a fragmented message has begun and not ended.
    pub fn is_mid_message(&self) -> bool {
        self.message.is_some()
    }

    /// Whether a close frame was read.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Reads the next message or control frame from the front of `buf`.
    ///
    /// Returns `Ok(None)` when `buf` holds no complete one yet: append
    /// more input at the end of the same buffer and call again. The
    /// payload of an incomplete frame stays at the front of `buf`
    /// (unmasked) until the frame is complete, so `buf` must not be
    /// changed but by appending. What `decode` returns is split off the
    /// front of `buf` without copying, except for messages in several
    /// fragments, which are joined. After a close frame, input is
    /// discarded and `Ok(None)` returned.
    ///
    /// # Errors
    ///
    /// A [`ProtocolError`] for the first violation in the input; its
    /// [`close_code`](ProtocolError::close_code) is the code to close with.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Incoming>, ProtocolError> {
        let result = self.step(buf);
        if let Err(error) = &result {
            self.state = State::Failed(error.clone());
            self.message = None;
        }
        result
    }

    fn step(&mut self, buf: &mut BytesMut) -> Result<Option<Incoming>, ProtocolError> {
        loop {
            match &mut self.state {
                State::Failed(error) => return Err(error.clone()),
                State::Closed => {
                    buf.clear();
                    return Ok(None);
                }
                State::Head => {
                    let Some((head, head_len)) = FrameHead::parse(buf)? else {
                        return Ok(None);
                    };
                    if let Some(incoming) = self.whole_message(&head, head_len, buf)? {
                        return Ok(Some(incoming));
                    }
                    let payload = self.start_frame(&head)?;
                    buf.advance(head_len);
                    self.state = State::Payload(payload);
                }
                State::Payload(payload) => {
                    let available = buf.len().min(payload.len);
                    if available > payload.seen {
                        let fresh = &mut buf[payload.seen..available];
                        if let Some(key) = payload.mask {
                            apply_mask(fresh, key, payload.seen);
                        }
                        let text = self
                            .message
                            .as_mut()
                            .and_then(|message| message.utf8.as_mut());
                        if !payload.opcode.is_control()
                            && let Some(utf8) = text
                        {
                            utf8.feed(fresh)?;
                        }
                        payload.seen = available;
                    }
                    if available < payload.len {
                        return Ok(None);
                    }
                    let (opcode, fin, len) = (payload.opcode, payload.fin, payload.len);
                    self.state = State::Head;
                    let bytes = take_front(buf, len).freeze();
                    if let Some(incoming) = self.end_frame(opcode, fin, bytes)? {
                        return Ok(Some(incoming));
                    }
                }
            }
        }
    }

    /// A message in one frame whose payload is all in `buf` (the common
    /// case): checked, split off, unmasked and returned at once, without
    /// going through the frame states. `None` for any other frame.
    fn whole_message(
        &mut self,
        head: &FrameHead,
        head_len: usize,
        buf: &mut BytesMut,
    ) -> Result<Option<Incoming>, ProtocolError> {
        let kind = match head.opcode {
            OpCode::Text => MessageKind::Text,
            OpCode::Binary => MessageKind::Binary,
            _ => return Ok(None),
        };
        let in_buf = (buf.len() - head_len) as u64;
        if !head.fin || self.message.is_some() || in_buf < head.payload_len {
            return Ok(None);
        }
        self.check_head(head)?;
        buf.advance(head_len);
        // Within the message limit, so within usize.
        let len = head.payload_len as usize;
        let mut payload = take_front(buf, len);
        if let Some(key) = head.mask {
            apply_mask(&mut payload, key, 0);
        }
        let payload = payload.freeze();
        Ok(Some(match (head.rsv1, kind) {
            (true, kind) => Incoming::Compressed { kind, payload },
            (false, MessageKind::Text) => {
                let mut utf8 = Utf8Validator::new();
                utf8.feed(&payload)?;
                utf8.finish()?;
                Incoming::Text(payload)
            }
            (false, MessageKind::Binary) => Incoming::Binary(payload),
        }))
    }

    /// Checks a frame head against the role, the configuration and the
    /// message under way; for a data frame, returns the payload bytes
    /// its message will have announced with it.
    fn check_head(&self, head: &FrameHead) -> Result<usize, ProtocolError> {
        let compressible =
            self.config.compression && matches!(head.opcode, OpCode::Text | OpCode::Binary);
        if head.rsv2 || head.rsv3 || (head.rsv1 && !compressible) {
            return Err(ProtocolError::ReservedBits(head.reserved_bits()));
        }
        match (self.role.expects_masked_input(), head.mask.is_some()) {
            (true, false) => return Err(ProtocolError::UnmaskedFrame),
            (false, true) => return Err(ProtocolError::MaskedFrame),
            _ => {}
        }
        if head.opcode.is_control() {
            if !head.fin {
                return Err(ProtocolError::FragmentedControlFrame);
            }
            if head.payload_len > MAX_CONTROL_PAYLOAD as u64 {
                return Err(ProtocolError::ControlFrameTooLong(head.payload_len));
            }
            return Ok(0);
        }
        let before = match (head.opcode, &self.message) {
            (OpCode::Continuation, None) => return Err(ProtocolError::UnexpectedContinuation),
            (OpCode::Continuation, Some(message)) => message.announced,
            (_, Some(_)) => return Err(ProtocolError::UnfinishedMessage),
            (_, None) => 0,
        };
        let limit = self.config.max_message_size;
        let room = (limit - before) as u64;
        if head.payload_len > room {
            return Err(ProtocolError::MessageTooBig { limit });
        }
        // Within the limit, so within usize.
        Ok(before + head.payload_len as usize)
    }

    /// Checks a frame head and starts the frame.
    fn start_frame(&mut self, head: &FrameHead) -> Result<Payload, ProtocolError> {
        let announced = self.check_head(head)?;
        if !head.opcode.is_control() {
            match &mut self.message {
                Some(message) => message.announced = announced,
                None => {
                    let kind = if head.opcode == OpCode::Text {
                        MessageKind::Text
                    } else {
                        MessageKind::Binary
                    };
                    let compressed = head.rsv1;
                    self.message = Some(Message {
                        kind,
                        compressed,
                        utf8: (kind == MessageKind::Text && !compressed).then(Utf8Validator::new),
                        joined: Vec::new(),
                        announced,
                    });
                }
            }
        }
        Ok(Payload {
            opcode: head.opcode,
            fin: head.fin,
            mask: head.mask,
            // Control frames are short; data frames are within the limit.
            len: head.payload_len as usize,
            seen: 0,
        })
    }

    /// Handles a frame whose payload is complete (and unmasked): what it
    /// completes, if anything.
    fn end_frame(
        &mut self,
        opcode: OpCode,
        fin: bool,
        payload: Bytes,
    ) -> Result<Option<Incoming>, ProtocolError> {
        let incoming = match opcode {
            OpCode::Ping => Incoming::Ping(payload),
            OpCode::Pong => Incoming::Pong(payload),
            OpCode::Close => {
                let frame = CloseFrame::parse(&payload)?;
                self.state = State::Closed;
                self.message = None;
                Incoming::Close(frame)
            }
            OpCode::Text | OpCode::Binary | OpCode::Continuation => {
                let limit = self.config.max_message_size;
                let Some(message) = self.message.as_mut() else {
                    // start_frame made it; unreachable, but never panic.
                    return Err(ProtocolError::UnexpectedContinuation);
                };
                if !fin {
                    append_within(&mut message.joined, &payload, limit);
                    return Ok(None);
                }
                let Some(mut message) = self.message.take() else {
                    return Err(ProtocolError::UnexpectedContinuation);
                };
                if let Some(utf8) = &mut message.utf8 {
                    utf8.finish()?;
                }
                let payload = if message.joined.is_empty() {
                    payload
                } else {
                    append_within(&mut message.joined, &payload, limit);
                    Bytes::from(message.joined)
                };
                match (message.compressed, message.kind) {
                    (true, kind) => Incoming::Compressed { kind, payload },
                    (false, MessageKind::Text) => Incoming::Text(payload),
                    (false, MessageKind::Binary) => Incoming::Binary(payload),
                }
            }
        };
        Ok(Some(incoming))
    }
}

/// The first `len` bytes of `buf`, split off; a frame that ends the
/// buffer takes it whole, so that no shared buffer is set up for it.
fn take_front(buf: &mut BytesMut, len: usize) -> BytesMut {
    if len == buf.len() {
        std::mem::take(buf)
    } else {
        buf.split_to(len)
    }
}

/// Appends `data` to `joined`, growing it by doubling but never to a
/// capacity past `limit` (which the caller has checked `joined` and
/// `data` fit in together).
fn append_within(joined: &mut Vec<u8>, data: &[u8], limit: usize) {
    let needed = joined.len() + data.len();
    if needed > joined.capacity() {
        let target = joined.capacity().saturating_mul(2).min(limit).max(needed);
        joined.reserve_exact(target - joined.len());
    }
    joined.extend_from_slice(data);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::websocket::{CloseCode, FrameEncoder};

    fn server() -> FrameDecoder {
        FrameDecoder::new(Role::Server)
    }

    /// A raw frame: `first` byte, payload masked with a fixed key when
    /// `masked`.
    fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
        let opcode = OpCode::from_u4(first).unwrap_or(OpCode::Binary);
        let head = FrameHead {
            fin: first & 0x80 != 0,
            rsv1: first & 0x40 != 0,
            rsv2: first & 0x20 != 0,
            rsv3: first & 0x10 != 0,
            opcode,
            mask: masked.then_some([0xde, 0xad, 0xbe, 0xef]),
            payload_len: payload.len() as u64,
        };
        let mut out = BytesMut::new();
        head.encode(&mut out);
        out[0] = first;
        let start = out.len();
        out.extend_from_slice(payload);
        if let Some(key) = head.mask {
            apply_mask(&mut out[start..], key, 0);
        }
        out.to_vec()
    }

    fn decode_all(
        decoder: &mut FrameDecoder,
        bytes: &[u8],
    ) -> (Vec<Incoming>, Option<ProtocolError>) {
        let mut buf = BytesMut::from(bytes);
        let mut out = Vec::new();
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(incoming)) => out.push(incoming),
                Ok(None) => return (out, None),
                Err(error) => return (out, Some(error)),
            }
        }
    }

    #[test]
    fn a_masked_text_frame() {
        let mut buf = BytesMut::from(&frame(0x81, b"hello", true)[..]);
        assert_eq!(
            server().decode(&mut buf),
            Ok(Some(Incoming::Text(Bytes::from_static(b"hello"))))
        );
        assert!(buf.is_empty());
    }

    #[test]
    fn a_partial_frame_is_unmasked_as_it_arrives() {
        let bytes = frame(0x82, b"0123456789", true);
        let mut decoder = server();
        let mut buf = BytesMut::from(&bytes[..9]);
        assert_eq!(decoder.decode(&mut buf), Ok(None));
        // Head consumed; three payload bytes unmasked in place.
        assert_eq!(&buf[..], b"012");
        buf.extend_from_slice(&bytes[9..13]);
        assert_eq!(decoder.decode(&mut buf), Ok(None));
        assert_eq!(&buf[..], b"0123456");
        buf.extend_from_slice(&bytes[13..]);
        assert_eq!(
            decoder.decode(&mut buf),
            Ok(Some(Incoming::Binary(Bytes::from_static(b"0123456789"))))
        );
    }

    #[test]
    fn errors_are_sticky() {
        let mut decoder = server();
        let mut buf = BytesMut::from(&frame(0x83, b"", true)[..]);
        assert_eq!(
            decoder.decode(&mut buf),
            Err(ProtocolError::ReservedOpCode(3))
        );
        buf.extend_from_slice(&frame(0x81, b"ok", true));
        assert_eq!(
            decoder.decode(&mut buf),
            Err(ProtocolError::ReservedOpCode(3))
        );
    }

    #[test]
    fn nothing_is_read_after_close() {
        let mut bytes = frame(0x88, b"\x03\xe8bye", true);
        bytes.extend(frame(0x81, b"late", true));
        let mut decoder = server();
        let (events, error) = decode_all(&mut decoder, &bytes);
        assert_eq!(error, None);
        assert_eq!(
            events,
            vec![Incoming::Close(CloseFrame {
                code: Some(CloseCode::NORMAL),
                reason: "bye".into()
            })]
        );
        assert!(decoder.is_closed());
    }

    #[test]
    fn fragments_are_joined_around_control_frames() {
        let mut bytes = frame(0x01, "h€".as_bytes(), true);
        bytes.extend(frame(0x89, b"p", true));
        bytes.extend(frame(0x00, b"", true));
        bytes.extend(frame(0x80, b"!", true));
        let mut decoder = server();
        let (events, error) = decode_all(&mut decoder, &bytes);
        assert_eq!(error, None);
        assert_eq!(
            events,
            vec![
                Incoming::Ping(Bytes::from_static(b"p")),
                Incoming::Text(Bytes::from("h€!".as_bytes()))
            ]
        );
        assert!(!decoder.is_mid_message());
    }

    #[test]
    fn a_joined_message_never_holds_more_than_the_limit() {
        let config = DecoderConfig {
            max_message_size: 1000,
            compression: false,
        };
        let mut decoder = FrameDecoder::with_config(Role::Client, config);
        let mut bytes = Vec::new();
        for _ in 0..9 {
            bytes.extend(frame(0x00, &[b'x'; 100], false));
        }
        bytes[0] = 0x02;
        bytes.extend(frame(0x80, &[b'y'; 100], false));
        let mut buf = BytesMut::from(&bytes[..]);
        let mut capacities = Vec::new();
        loop {
            match decoder.decode(&mut buf).unwrap() {
                Some(Incoming::Binary(payload)) => {
                    assert_eq!(payload.len(), 1000);
                    break;
                }
                Some(other) => panic!("{other:?}"),
                None => {}
            }
            capacities.extend(decoder.message.as_ref().map(|m| m.joined.capacity()));
        }
        assert!(capacities.iter().all(|&c| c <= 1000), "{capacities:?}");
    }

    #[test]
    fn appending_grows_by_doubling_up_to_the_limit() {
        let mut joined = Vec::new();
        append_within(&mut joined, &[0; 10], 100);
        assert_eq!(joined.capacity(), 10);
        append_within(&mut joined, &[0; 5], 100);
        assert_eq!(joined.capacity(), 20);
        append_within(&mut joined, &[0; 30], 100);
        assert_eq!(joined.capacity(), 45);
        append_within(&mut joined, &[0; 50], 100);
        assert_eq!(joined.capacity(), 95);
        append_within(&mut joined, &[0; 5], 100);
        assert_eq!((joined.len(), joined.capacity()), (100, 100));
    }

    #[test]
    fn encoder_output_decodes() {
        let mut out = BytesMut::new();
        let encoder = FrameEncoder::new(Role::Client);
        encoder.text("hi", &mut out);
        encoder.ping(b"?", &mut out).unwrap();
        let (events, error) = decode_all(&mut server(), &out);
        assert_eq!(error, None);
        assert_eq!(
            events,
            vec![
                Incoming::Text(Bytes::from_static(b"hi")),
                Incoming::Ping(Bytes::from_static(b"?"))
            ]
        );
    }
}
