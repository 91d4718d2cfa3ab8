//! The WebSocket protocol core (`supercell::websocket`) through its public
//! API alone: round trips for both roles and every length encoding,
//! fragmentation with control frames between fragments, each protocol
//! rule with the close code it calls for, UTF-8 split anywhere across
//! fragments, `max_message_size` at its edge, and input split anywhere
//! (one byte at a time, and arbitrary splits in a property test) giving
//! the same events as input read whole.
//!
//! Tornado tests its protocol through live connections in
//! `websocket_test.py` (its mask tests, `MaskFunctionMixin`, have their
//! counterparts next to `apply_mask`); the tests here exercise the sans-IO
//! core, which Tornado does not have, so none is named after a Tornado
//! test.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use supercell::websocket::{
    CloseCode, CloseFrame, DEFAULT_MAX_MESSAGE_SIZE, DecoderConfig, EncodeError, FrameDecoder,
    FrameEncoder, FrameHead, Incoming, MAX_CLOSE_REASON_LEN, MessageKind, OpCode, ProtocolError,
    Role, apply_mask,
};

const KEY: [u8; 4] = [0x12, 0x34, 0x56, 0x78];

/// The other end of a connection.
fn peer(role: Role) -> Role {
    match role {
        Role::Server => Role::Client,
        Role::Client => Role::Server,
    }
}

/// A frame written by hand: `first` is the first head byte as sent (FIN,
/// RSV bits and any opcode, reserved ones included); the payload is
/// masked with [`KEY`] when `masked`.
fn raw_frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let head = FrameHead {
        mask: masked.then_some(KEY),
        ..FrameHead::new(OpCode::Binary, payload.len() as u64)
    };
    let mut out = BytesMut::new();
    head.encode(&mut out);
    out[0] = first;
    let start = out.len();
    out.extend_from_slice(payload);
    if masked {
        apply_mask(&mut out[start..], KEY, 0);
    }
    out.to_vec()
}

/// A frame as a client sends it to a server (masked).
fn to_server(first: u8, payload: &[u8]) -> Vec<u8> {
    raw_frame(first, payload, true)
}

/// What decoding `bytes` gives: the events, then the error if any.
type Outcome = (Vec<Incoming>, Option<ProtocolError>);

/// Decodes `bytes` read whole.
fn decode_whole(mut decoder: FrameDecoder, bytes: &[u8]) -> Outcome {
    decode_split(&mut decoder, bytes, &[])
}

/// Decodes `bytes` arriving in the pieces that the sorted `cuts` make.
fn decode_split(decoder: &mut FrameDecoder, bytes: &[u8], cuts: &[usize]) -> Outcome {
    let mut buf = BytesMut::new();
    let mut events = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain([&bytes.len()]) {
        let cut = cut.clamp(start, bytes.len());
        buf.extend_from_slice(&bytes[start..cut]);
        start = cut;
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(incoming)) => events.push(incoming),
                Ok(None) => break,
                Err(error) => return (events, Some(error)),
            }
        }
    }
    (events, None)
}

/// Decodes `bytes` arriving one byte at a time.
fn decode_bytewise(mut decoder: FrameDecoder, bytes: &[u8]) -> Outcome {
    let cuts: Vec<usize> = (0..bytes.len()).collect();
    decode_split(&mut decoder, bytes, &cuts)
}

/// The error `bytes` make a server fail with, checked to be the same read
/// whole and one byte at a time.
fn server_error(config: DecoderConfig, bytes: &[u8]) -> ProtocolError {
    let whole = decode_whole(FrameDecoder::with_config(Role::Server, config), bytes);
    let bytewise = decode_bytewise(FrameDecoder::with_config(Role::Server, config), bytes);
    assert_eq!(whole, bytewise);
    whole.1.expect("an error")
}

fn default_server_error(bytes: &[u8]) -> ProtocolError {
    server_error(DecoderConfig::default(), bytes)
}

fn text(s: &str) -> Incoming {
    Incoming::Text(Bytes::copy_from_slice(s.as_bytes()))
}

fn binary(b: &[u8]) -> Incoming {
    Incoming::Binary(Bytes::copy_from_slice(b))
}

// ---- round trips -------------------------------------------------------

#[test]
fn round_trips_for_both_roles_and_every_length_encoding() {
    for sender in [Role::Client, Role::Server] {
        let encoder = FrameEncoder::new(sender);
        for (len, head_len) in [
            (0, 2),
            (125, 2),
            (126, 4),
            (65535, 4),
            (65536, 10),
            (1 << 20, 10),
        ] {
            let head_len = head_len + if sender == Role::Client { 4 } else { 0 };
            let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut wire = BytesMut::new();
            encoder.binary(&payload, &mut wire);
            assert_eq!(wire.len(), head_len + len, "{sender:?} {len}");
            if sender == Role::Client && len >= 8 {
                assert_ne!(&wire[head_len..], &payload[..], "masked on the wire");
            }
            let text_payload = "é".repeat(len / 2);
            encoder.text(&text_payload, &mut wire);

            let mut decoder = FrameDecoder::new(peer(sender));
            assert_eq!(
                decoder.decode(&mut wire),
                Ok(Some(binary(&payload))),
                "{sender:?} {len}"
            );
            assert_eq!(
                decoder.decode(&mut wire),
                Ok(Some(text(&text_payload))),
                "{sender:?} {len}"
            );
            assert_eq!(decoder.decode(&mut wire), Ok(None));
            assert!(wire.is_empty());
        }
    }
}

#[test]
fn control_frames_round_trip() {
    for sender in [Role::Client, Role::Server] {
        let encoder = FrameEncoder::new(sender);
        let mut wire = BytesMut::new();
        encoder.ping(b"", &mut wire).unwrap();
        encoder.ping(&[7; 125], &mut wire).unwrap();
        encoder.pong(b"pong", &mut wire).unwrap();
        encoder
            .close(Some(CloseCode(4000)), "app says bye", &mut wire)
            .unwrap();
        let (events, error) = decode_whole(FrameDecoder::new(peer(sender)), &wire);
        assert_eq!(error, None);
        assert_eq!(
            events,
            vec![
                Incoming::Ping(Bytes::new()),
                Incoming::Ping(Bytes::from(vec![7; 125])),
                Incoming::Pong(Bytes::from_static(b"pong")),
                Incoming::Close(CloseFrame {
                    code: Some(CloseCode(4000)),
                    reason: "app says bye".into()
                }),
            ]
        );
    }
}

#[test]
fn close_frames_without_a_code_and_with_long_reasons() {
    let encoder = FrameEncoder::new(Role::Client);
    let mut wire = BytesMut::new();
    encoder.close(None, "", &mut wire).unwrap();
    assert_eq!(
        FrameDecoder::new(Role::Server).decode(&mut wire),
        Ok(Some(Incoming::Close(CloseFrame {
            code: None,
            reason: String::new()
        })))
    );

    // A reason without a code goes with 1000.
    encoder.close(None, "why", &mut wire).unwrap();
    assert_eq!(
        FrameDecoder::new(Role::Server).decode(&mut wire),
        Ok(Some(Incoming::Close(CloseFrame {
            code: Some(CloseCode::NORMAL),
            reason: "why".into()
        })))
    );

    // Cut to fit 125 bytes, never inside a character.
    for pad in 0..4 {
        let reason = format!("{}{}", "x".repeat(pad), "𝄞".repeat(40));
        encoder
            .close(Some(CloseCode::GOING_AWAY), &reason, &mut wire)
            .unwrap();
        let Ok(Some(Incoming::Close(frame))) = FrameDecoder::new(Role::Server).decode(&mut wire)
        else {
            panic!("a close frame");
        };
        assert!(
            frame.reason.len() <= MAX_CLOSE_REASON_LEN
                && frame.reason.len() > MAX_CLOSE_REASON_LEN - 4
        );
        assert!(reason.starts_with(&frame.reason));
    }
}

#[test]
fn encoder_refuses_what_may_not_be_sent() {
    let encoder = FrameEncoder::new(Role::Client);
    let mut wire = BytesMut::new();
    assert_eq!(
        encoder.ping(&[0; 126], &mut wire),
        Err(EncodeError::ControlPayloadTooLong(126))
    );
    assert_eq!(
        encoder.pong(&[0; 200], &mut wire),
        Err(EncodeError::ControlPayloadTooLong(200))
    );
    for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
        assert_eq!(
            encoder.close(Some(CloseCode(code)), "", &mut wire),
            Err(EncodeError::InvalidCloseCode(code))
        );
    }
    assert_eq!(
        encoder.frame(OpCode::Ping, false, false, b"", &mut wire),
        Err(EncodeError::FragmentedControlFrame)
    );
    assert_eq!(
        encoder.frame(OpCode::Close, true, true, b"", &mut wire),
        Err(EncodeError::CompressedFrame(OpCode::Close))
    );
    assert!(wire.is_empty());
}

#[test]
fn compressed_messages_are_handed_over_as_sent() {
    let config = DecoderConfig {
        compression: true,
        ..DecoderConfig::default()
    };
    for sender in [Role::Client, Role::Server] {
        let encoder = FrameEncoder::new(sender);
        let mut wire = BytesMut::new();
        // Not UTF-8: compressed text is checked only once inflated.
        encoder.message(MessageKind::Text, b"\xff\x00deflated", true, &mut wire);
        encoder
            .frame(OpCode::Binary, false, true, b"ab", &mut wire)
            .unwrap();
        encoder.ping(b"between", &mut wire).unwrap();
        encoder
            .frame(OpCode::Continuation, true, false, b"cd", &mut wire)
            .unwrap();
        encoder.message(MessageKind::Text, b"plain", false, &mut wire);
        let (events, error) = decode_whole(FrameDecoder::with_config(peer(sender), config), &wire);
        assert_eq!(error, None);
        assert_eq!(
            events,
            vec![
                Incoming::Compressed {
                    kind: MessageKind::Text,
                    payload: Bytes::from_static(b"\xff\x00deflated")
                },
                Incoming::Ping(Bytes::from_static(b"between")),
                Incoming::Compressed {
                    kind: MessageKind::Binary,
                    payload: Bytes::from_static(b"abcd")
                },
                text("plain"),
            ]
        );
    }
}

// ---- fragmentation -----------------------------------------------------

#[test]
fn fragments_with_pings_and_pongs_between_them() {
    for sender in [Role::Client, Role::Server] {
        let encoder = FrameEncoder::new(sender);
        let mut wire = BytesMut::new();
        encoder
            .frame(OpCode::Text, false, false, b"Hel", &mut wire)
            .unwrap();
        encoder.ping(b"1", &mut wire).unwrap();
        encoder
            .frame(OpCode::Continuation, false, false, b"", &mut wire)
            .unwrap();
        encoder.pong(b"2", &mut wire).unwrap();
        encoder.ping(b"3", &mut wire).unwrap();
        encoder
            .frame(OpCode::Continuation, false, false, b"lo, ", &mut wire)
            .unwrap();
        encoder
            .frame(OpCode::Continuation, true, false, b"world", &mut wire)
            .unwrap();
        encoder
            .frame(OpCode::Binary, false, false, &[1, 2], &mut wire)
            .unwrap();
        encoder
            .frame(OpCode::Continuation, true, false, &[3], &mut wire)
            .unwrap();
        encoder
            .frame(OpCode::Text, true, false, b"", &mut wire)
            .unwrap();
        let expected = vec![
            Incoming::Ping(Bytes::from_static(b"1")),
            Incoming::Pong(Bytes::from_static(b"2")),
            Incoming::Ping(Bytes::from_static(b"3")),
            text("Hello, world"),
            binary(&[1, 2, 3]),
            text(""),
        ];
        let decoder = || FrameDecoder::new(peer(sender));
        assert_eq!(decode_whole(decoder(), &wire), (expected.clone(), None));
        assert_eq!(decode_bytewise(decoder(), &wire), (expected, None));
    }
}

#[test]
fn a_decoder_reports_a_message_under_way() {
    let mut decoder = FrameDecoder::new(Role::Server);
    let mut buf = BytesMut::from(&to_server(0x01, b"part")[..]);
    assert_eq!(decoder.decode(&mut buf), Ok(None));
    assert!(decoder.is_mid_message());
    buf.extend_from_slice(&to_server(0x80, b"s"));
    assert_eq!(decoder.decode(&mut buf), Ok(Some(text("parts"))));
    assert!(!decoder.is_mid_message());
}

// ---- protocol errors and their close codes ----------------------------

#[test]
fn reserved_bits_close_with_1002() {
    for first in [0xa1, 0x91, 0xb1, 0xc1, 0xf1, 0xc9] {
        let error = default_server_error(&to_server(first, b"x"));
        assert_eq!(
            error,
            ProtocolError::ReservedBits((first >> 4) & 0b111),
            "{first:#x}"
        );
        assert_eq!(error.close_code(), CloseCode(1002));
    }
}

#[test]
fn rsv1_is_allowed_only_on_the_first_frame_of_a_compressed_message() {
    let config = DecoderConfig {
        compression: true,
        ..DecoderConfig::default()
    };
    // RSV2 and RSV3 stay reserved.
    assert_eq!(
        server_error(config, &to_server(0xa1, b"x")),
        ProtocolError::ReservedBits(0b010)
    );
    // RSV1 on control frames.
    for first in [0xc8, 0xc9, 0xca] {
        assert_eq!(
            server_error(config, &to_server(first, b"")),
            ProtocolError::ReservedBits(0b100)
        );
    }
    // RSV1 on a continuation frame.
    let mut bytes = to_server(0x41, b"a");
    bytes.extend(to_server(0xc0, b"b"));
    let error = server_error(config, &bytes);
    assert_eq!(error, ProtocolError::ReservedBits(0b100));
    assert_eq!(error.close_code(), CloseCode(1002));
}

#[test]
fn reserved_opcodes_close_with_1002() {
    for opcode in (3..=7).chain(11..=15) {
        let error = default_server_error(&to_server(0x80 | opcode, b""));
        assert_eq!(error, ProtocolError::ReservedOpCode(opcode));
        assert_eq!(error.close_code(), CloseCode(1002));
    }
}

#[test]
fn a_mask_the_wrong_way_closes_with_1002() {
    let error = default_server_error(&raw_frame(0x81, b"hi", false));
    assert_eq!(error, ProtocolError::UnmaskedFrame);
    assert_eq!(error.close_code(), CloseCode(1002));

    let (events, error) = decode_whole(
        FrameDecoder::new(Role::Client),
        &raw_frame(0x81, b"hi", true),
    );
    assert_eq!(
        (events, error.clone()),
        (vec![], Some(ProtocolError::MaskedFrame))
    );
    assert_eq!(error.unwrap().close_code(), CloseCode(1002));
}

#[test]
fn control_frame_rules_close_with_1002() {
    // Over 125 bytes, refused from the head alone.
    let frame = to_server(0x89, &[0; 126]);
    let error = default_server_error(&frame[..8]);
    assert_eq!(error, ProtocolError::ControlFrameTooLong(126));
    assert_eq!(error.close_code(), CloseCode(1002));
    // Exactly 125 is fine.
    assert_eq!(
        decode_whole(FrameDecoder::new(Role::Server), &to_server(0x89, &[0; 125])),
        (vec![Incoming::Ping(Bytes::from(vec![0; 125]))], None)
    );
    // Not FIN.
    for opcode in [0x8, 0x9, 0xa] {
        let error = default_server_error(&to_server(opcode, b""));
        assert_eq!(error, ProtocolError::FragmentedControlFrame);
        assert_eq!(error.close_code(), CloseCode(1002));
    }
}

#[test]
fn malformed_lengths_close_with_1002() {
    let mask_bit = 0x80;
    // 64-bit length with the top bit set.
    let mut head = vec![0x82, mask_bit | 127, 0x80, 0, 0, 0, 0, 0, 0, 1];
    head.extend(KEY);
    let error = default_server_error(&head);
    assert_eq!(error, ProtocolError::LengthOverflow);
    assert_eq!(error.close_code(), CloseCode(1002));

    // Lengths in a longer form than they need.
    for (head, len) in [
        (vec![0x82, mask_bit | 126, 0, 0], 0),
        (vec![0x82, mask_bit | 126, 0, 125], 125),
        (vec![0x82, mask_bit | 127, 0, 0, 0, 0, 0, 0, 0, 5], 5),
        (
            vec![0x82, mask_bit | 127, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
            0xffff,
        ),
    ] {
        let mut frame = head;
        frame.extend(KEY);
        let error = default_server_error(&frame);
        assert_eq!(error, ProtocolError::NonMinimalLength(len));
        assert_eq!(error.close_code(), CloseCode(1002));
    }
}

#[test]
fn misplaced_continuations_close_with_1002() {
    let error = default_server_error(&to_server(0x80, b"x"));
    assert_eq!(error, ProtocolError::UnexpectedContinuation);
    assert_eq!(error.close_code(), CloseCode(1002));
    let error = default_server_error(&to_server(0x00, b"x"));
    assert_eq!(error, ProtocolError::UnexpectedContinuation);

    for (start, next) in [(0x01, 0x81), (0x01, 0x82), (0x02, 0x01), (0x02, 0x82)] {
        let mut bytes = to_server(start, b"a");
        bytes.extend(to_server(0x89, b"ping in between"));
        bytes.extend(to_server(next, b"b"));
        let whole = decode_whole(FrameDecoder::new(Role::Server), &bytes);
        assert_eq!(
            whole,
            (
                vec![Incoming::Ping(Bytes::from_static(b"ping in between"))],
                Some(ProtocolError::UnfinishedMessage)
            )
        );
        assert_eq!(
            whole,
            decode_bytewise(FrameDecoder::new(Role::Server), &bytes)
        );
        assert_eq!(
            ProtocolError::UnfinishedMessage.close_code(),
            CloseCode(1002)
        );
    }
}

#[test]
fn invalid_text_closes_with_1007() {
    // In a single frame.
    let error = default_server_error(&to_server(0x81, b"ok \xff"));
    assert_eq!(error, ProtocolError::InvalidUtf8);
    assert_eq!(error.close_code(), CloseCode(1007));
    // Ending inside a character.
    assert_eq!(
        default_server_error(&to_server(0x81, b"ok \xe2\x82")),
        ProtocolError::InvalidUtf8
    );
    // Ending inside a character, over fragments.
    let mut bytes = to_server(0x01, b"\xf0\x9f");
    bytes.extend(to_server(0x80, b"\x98"));
    assert_eq!(default_server_error(&bytes), ProtocolError::InvalidUtf8);
    // Binary messages are not checked.
    assert_eq!(
        decode_whole(FrameDecoder::new(Role::Server), &to_server(0x82, b"\xff")),
        (vec![binary(b"\xff")], None)
    );
}

#[test]
fn invalid_text_fails_before_the_message_ends() {
    // The first fragment is already invalid: no need to wait for the rest.
    let mut decoder = FrameDecoder::new(Role::Server);
    let mut buf = BytesMut::from(&to_server(0x01, b"fine so far \xc3\x28")[..]);
    assert_eq!(decoder.decode(&mut buf), Err(ProtocolError::InvalidUtf8));

    // Nor for the rest of the frame: the payload is checked as it comes.
    let frame = to_server(0x81, b"\xed\xa0\x80 and a lot more text to come");
    let mut decoder = FrameDecoder::new(Role::Server);
    let mut buf = BytesMut::from(&frame[..6 + 2]);
    assert_eq!(decoder.decode(&mut buf), Err(ProtocolError::InvalidUtf8));
}

#[test]
fn close_payload_rules() {
    let error = default_server_error(&to_server(0x88, b"\x03"));
    assert_eq!(error, ProtocolError::CloseFrameTooShort);
    assert_eq!(error.close_code(), CloseCode(1002));

    for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
        let error = default_server_error(&to_server(0x88, &code.to_be_bytes()));
        assert_eq!(error, ProtocolError::InvalidCloseCode(code));
        assert_eq!(error.close_code(), CloseCode(1002));
    }
    for code in (1000..=1003)
        .chain(1007..=1014)
        .chain([3000, 3999, 4000, 4999])
    {
        let (events, error) = decode_whole(
            FrameDecoder::new(Role::Server),
            &to_server(0x88, &u16::to_be_bytes(code)),
        );
        assert_eq!(error, None);
        assert_eq!(
            events,
            vec![Incoming::Close(CloseFrame {
                code: Some(CloseCode(code)),
                reason: String::new()
            })]
        );
    }

    let error = default_server_error(&to_server(0x88, b"\x03\xe8bad \xc0\xaf"));
    assert_eq!(error, ProtocolError::InvalidUtf8);
    assert_eq!(error.close_code(), CloseCode(1007));
}

#[test]
fn errors_stay_and_close_ends_reading() {
    let mut decoder = FrameDecoder::new(Role::Server);
    let mut buf = BytesMut::from(&to_server(0x81, b"\xff")[..]);
    assert_eq!(decoder.decode(&mut buf), Err(ProtocolError::InvalidUtf8));
    buf.extend_from_slice(&to_server(0x81, b"valid"));
    assert_eq!(decoder.decode(&mut buf), Err(ProtocolError::InvalidUtf8));

    let mut decoder = FrameDecoder::new(Role::Server);
    let mut buf = BytesMut::from(&to_server(0x88, b"")[..]);
    buf.extend_from_slice(&to_server(0x81, b"after close"));
    assert_eq!(
        decoder.decode(&mut buf),
        Ok(Some(Incoming::Close(CloseFrame::default())))
    );
    assert!(decoder.is_closed());
    assert_eq!(decoder.decode(&mut buf), Ok(None));
    assert!(buf.is_empty());
}

// ---- UTF-8 across fragments -------------------------------------------

#[test]
fn utf8_split_across_fragments_at_every_byte() {
    let message = "a£€𝄞z";
    let bytes = message.as_bytes();
    for sender in [Role::Client, Role::Server] {
        let encoder = FrameEncoder::new(sender);
        for i in 0..=bytes.len() {
            for j in i..=bytes.len() {
                let mut wire = BytesMut::new();
                encoder
                    .frame(OpCode::Text, false, false, &bytes[..i], &mut wire)
                    .unwrap();
                encoder.ping(b"", &mut wire).unwrap();
                encoder
                    .frame(OpCode::Continuation, false, false, &bytes[i..j], &mut wire)
                    .unwrap();
                encoder
                    .frame(OpCode::Continuation, true, false, &bytes[j..], &mut wire)
                    .unwrap();
                let expected = (vec![Incoming::Ping(Bytes::new()), text(message)], None);
                assert_eq!(
                    decode_whole(FrameDecoder::new(peer(sender)), &wire),
                    expected,
                    "{i} {j}"
                );
                assert_eq!(
                    decode_bytewise(FrameDecoder::new(peer(sender)), &wire),
                    expected,
                    "{i} {j}"
                );
            }
        }
    }
}

#[test]
fn invalid_utf8_split_across_fragments_at_every_byte() {
    // Each is invalid once whole, wherever it is cut.
    for bytes in [
        &b"ab\xe2\x82\x28cd"[..], // bad continuation
        b"\xf0\x9d\x84",          // cut short at the end
        b"x\xed\xa0\x80",         // surrogate
        b"\xc0\xafok",            // overlong
        b"ok\xf4\x90\x80\x80",    // above U+10FFFF
    ] {
        for i in 0..=bytes.len() {
            let mut frames = to_server(0x01, &bytes[..i]);
            frames.extend(to_server(0x80, &bytes[i..]));
            let error = default_server_error(&frames);
            assert_eq!(error, ProtocolError::InvalidUtf8, "{bytes:x?} cut at {i}");
            assert_eq!(error.close_code(), CloseCode(1007));
        }
    }
}

// ---- max_message_size --------------------------------------------------

#[test]
fn the_default_limit_is_10_mib() {
    assert_eq!(DEFAULT_MAX_MESSAGE_SIZE, 10 * 1024 * 1024);
    assert_eq!(
        DecoderConfig::default().max_message_size,
        DEFAULT_MAX_MESSAGE_SIZE
    );
    assert!(!DecoderConfig::default().compression);
}

#[test]
fn a_message_of_exactly_the_limit_passes() {
    let payload = vec![b'x'; DEFAULT_MAX_MESSAGE_SIZE];
    let mut wire = BytesMut::new();
    FrameEncoder::new(Role::Client).binary(&payload, &mut wire);
    let mut decoder = FrameDecoder::new(Role::Server);
    assert_eq!(
        decoder.decode(&mut wire),
        Ok(Some(Incoming::Binary(Bytes::from(payload))))
    );
}

#[test]
fn one_byte_over_the_limit_fails_from_the_head_alone() {
    // Only the 14-byte head of a frame announcing 10 MiB + 1 is fed.
    let head = FrameHead {
        mask: Some(KEY),
        ..FrameHead::new(OpCode::Binary, DEFAULT_MAX_MESSAGE_SIZE as u64 + 1)
    };
    let mut buf = BytesMut::new();
    head.encode(&mut buf);
    assert_eq!(buf.len(), 14);
    let mut decoder = FrameDecoder::new(Role::Server);
    let error = decoder.decode(&mut buf).unwrap_err();
    assert_eq!(
        error,
        ProtocolError::MessageTooBig {
            limit: DEFAULT_MAX_MESSAGE_SIZE
        }
    );
    assert_eq!(error.close_code(), CloseCode(1009));

    // The largest length there is, too.
    let head = FrameHead {
        mask: Some(KEY),
        ..FrameHead::new(OpCode::Text, u64::MAX >> 1)
    };
    let mut buf = BytesMut::new();
    head.encode(&mut buf);
    assert_eq!(
        default_server_error(&buf),
        ProtocolError::MessageTooBig {
            limit: DEFAULT_MAX_MESSAGE_SIZE
        }
    );
}

#[test]
fn fragments_summing_past_the_limit_fail_at_the_head_that_crosses_it() {
    let config = DecoderConfig {
        max_message_size: 1000,
        ..DecoderConfig::default()
    };

    // 600 + 400: exactly the limit.
    let mut bytes = to_server(0x02, &[1; 600]);
    bytes.extend(to_server(0x89, b""));
    bytes.extend(to_server(0x80, &[2; 400]));
    let mut decoder = FrameDecoder::with_config(Role::Server, config);
    let (events, error) = decode_split(&mut decoder, &bytes, &[]);
    assert_eq!(error, None);
    assert_eq!(events.len(), 2);
    assert!(matches!(&events[1], Incoming::Binary(payload) if payload.len() == 1000));

    // 600 + 401: the second fragment's head is enough to fail.
    let mut bytes = to_server(0x02, &[1; 600]);
    bytes.extend(to_server(0x89, b""));
    let second = to_server(0x80, &[2; 401]);
    bytes.extend(&second[..8]);
    let (events, error) = decode_whole(FrameDecoder::with_config(Role::Server, config), &bytes);
    assert_eq!(events, vec![Incoming::Ping(Bytes::new())]);
    let error = error.unwrap();
    assert_eq!(error, ProtocolError::MessageTooBig { limit: 1000 });
    assert_eq!(error.close_code(), CloseCode(1009));

    // Control frames do not count towards it.
    let mut bytes = to_server(0x01, &[b'a'; 1000]);
    for _ in 0..20 {
        bytes.extend(to_server(0x89, &[0; 125]));
    }
    bytes.extend(to_server(0x80, b""));
    let (events, error) = decode_whole(FrameDecoder::with_config(Role::Server, config), &bytes);
    assert_eq!((events.len(), error), (21, None));
}

#[test]
fn a_limit_of_zero_allows_only_empty_messages() {
    let config = DecoderConfig {
        max_message_size: 0,
        ..DecoderConfig::default()
    };
    let (events, error) = decode_whole(
        FrameDecoder::with_config(Role::Server, config),
        &to_server(0x81, b""),
    );
    assert_eq!((events, error), (vec![text("")], None));
    assert_eq!(
        server_error(config, &to_server(0x81, b"x")),
        ProtocolError::MessageTooBig { limit: 0 }
    );
}

// ---- input split anywhere ----------------------------------------------

/// A stream exercising every kind of frame, as `sender` writes it.
fn mixed_stream(sender: Role) -> BytesMut {
    let encoder = FrameEncoder::new(sender);
    let mut wire = BytesMut::new();
    encoder.text("first", &mut wire);
    encoder.binary(&[0; 300], &mut wire);
    encoder
        .frame(OpCode::Text, false, false, "ü".as_bytes(), &mut wire)
        .unwrap();
    encoder.ping(b"p", &mut wire).unwrap();
    encoder
        .frame(
            OpCode::Continuation,
            true,
            false,
            "ber".as_bytes(),
            &mut wire,
        )
        .unwrap();
    encoder.binary(&vec![9; 70_000], &mut wire);
    encoder.pong(b"", &mut wire).unwrap();
    encoder.text("", &mut wire);
    encoder
        .close(Some(CloseCode::GOING_AWAY), "gone", &mut wire)
        .unwrap();
    wire
}

#[test]
fn bytes_one_at_a_time_give_the_same_events_as_all_at_once() {
    for sender in [Role::Client, Role::Server] {
        let wire = mixed_stream(sender);
        let whole = decode_whole(FrameDecoder::new(peer(sender)), &wire);
        assert_eq!(whole.1, None);
        assert_eq!(whole.0.len(), 8);
        assert_eq!(whole.0[2], Incoming::Ping(Bytes::from_static(b"p")));
        assert_eq!(whole.0[3], text("über"));
        assert_eq!(
            whole,
            decode_bytewise(FrameDecoder::new(peer(sender)), &wire)
        );
    }
}

/// One item of a generated stream: a message in fragments, with control
/// frames after some fragments.
#[derive(Clone, Debug)]
enum Item {
    Message {
        kind: MessageKind,
        fragments: Vec<(Vec<u8>, Vec<Control>)>,
    },
    Control(Control),
}

#[derive(Clone, Debug)]
enum Control {
    Ping(Vec<u8>),
    Pong(Vec<u8>),
}

fn control() -> impl Strategy<Value = Control> {
    let payload = || prop::collection::vec(any::<u8>(), 0..=125);
    prop_oneof![
        payload().prop_map(Control::Ping),
        payload().prop_map(Control::Pong)
    ]
}

fn item() -> impl Strategy<Value = Item> {
    let text_fragments = ".{0,30}".prop_flat_map(|s: String| {
        let len = s.len();
        (
            Just(s),
            prop::collection::vec(0..=len, 0..4),
            prop::collection::vec(prop::collection::vec(control(), 0..2), 4),
        )
    });
    let text = text_fragments.prop_map(|(s, mut cuts, controls)| {
        cuts.sort_unstable();
        let bytes = s.into_bytes();
        let mut fragments = Vec::new();
        let mut start = 0;
        for (k, &cut) in cuts.iter().chain([&bytes.len()]).enumerate() {
            fragments.push((bytes[start..cut].to_vec(), controls[k].clone()));
            start = cut;
        }
        Item::Message {
            kind: MessageKind::Text,
            fragments,
        }
    });
    let binary = prop::collection::vec(
        (
            prop::collection::vec(any::<u8>(), 0..300),
            prop::collection::vec(control(), 0..2),
        ),
        1..4,
    )
    .prop_map(|fragments| Item::Message {
        kind: MessageKind::Binary,
        fragments,
    });
    prop_oneof![text, binary, control().prop_map(Item::Control)]
}

/// Encodes `items` as `sender` and lists the events they should decode to.
fn encode_items(sender: Role, items: &[Item]) -> (BytesMut, Vec<Incoming>) {
    let encoder = FrameEncoder::new(sender);
    let mut wire = BytesMut::new();
    let mut expected = Vec::new();
    let write_control =
        |control: &Control, wire: &mut BytesMut, expected: &mut Vec<Incoming>| match control {
            Control::Ping(payload) => {
                encoder.ping(payload, wire).unwrap();
                expected.push(Incoming::Ping(Bytes::copy_from_slice(payload)));
            }
            Control::Pong(payload) => {
                encoder.pong(payload, wire).unwrap();
                expected.push(Incoming::Pong(Bytes::copy_from_slice(payload)));
            }
        };
    for item in items {
        match item {
            Item::Control(control) => write_control(control, &mut wire, &mut expected),
            Item::Message { kind, fragments } => {
                let mut whole = Vec::new();
                let mut pending = Vec::new();
                for (k, (payload, controls)) in fragments.iter().enumerate() {
                    let opcode = if k == 0 {
                        kind.opcode()
                    } else {
                        OpCode::Continuation
                    };
                    let fin = k + 1 == fragments.len();
                    encoder
                        .frame(opcode, fin, false, payload, &mut wire)
                        .unwrap();
                    whole.extend_from_slice(payload);
                    // Control frames after the last fragment come after
                    // the message.
                    for control in controls {
                        if fin {
                            pending.push(control);
                        } else {
                            write_control(control, &mut wire, &mut expected);
                        }
                    }
                }
                expected.push(match kind {
                    MessageKind::Text => Incoming::Text(Bytes::from(whole)),
                    MessageKind::Binary => Incoming::Binary(Bytes::from(whole)),
                });
                for control in pending {
                    write_control(control, &mut wire, &mut expected);
                }
            }
        }
    }
    (wire, expected)
}

proptest! {
    #[test]
    fn any_split_of_encoded_frames_decodes_to_the_same_events(
        client_sends in any::<bool>(),
        items in prop::collection::vec(item(), 0..8),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let sender = if client_sends { Role::Client } else { Role::Server };
        let (wire, expected) = encode_items(sender, &items);
        let mut cuts: Vec<usize> = cuts.iter().map(|index| index.index(wire.len() + 1)).collect();
        cuts.sort_unstable();
        let mut decoder = FrameDecoder::new(peer(sender));
        let split = decode_split(&mut decoder, &wire, &cuts);
        prop_assert_eq!(&split, &(expected.clone(), None));
        prop_assert!(!decoder.is_mid_message());
        prop_assert_eq!(decode_whole(FrameDecoder::new(peer(sender)), &wire), (expected, None));
    }

    #[test]
    fn arbitrary_bytes_split_anywhere_decode_as_if_whole(
        server in any::<bool>(),
        compression in any::<bool>(),
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        cuts in prop::collection::vec(0usize..400, 0..12),
    ) {
        let role = if server { Role::Server } else { Role::Client };
        let config = DecoderConfig { max_message_size: 256, compression };
        let mut cuts = cuts;
        cuts.sort_unstable();
        let whole = decode_whole(FrameDecoder::with_config(role, config), &bytes);
        let split = decode_split(&mut FrameDecoder::with_config(role, config), &bytes, &cuts);
        prop_assert_eq!(whole, split);
    }
}
