//! Arbitrary bytes through `supercell::websocket::FrameDecoder`, in both
//! roles, with and without compression, under a small `max_message_size`,
//! fed whole and in chunks of fuzzer-chosen sizes: it must not panic, no
//! message may exceed the limit, text must be UTF-8, and every chunking
//! must give the same events and error as the input fed whole.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use supercell::websocket::{DecoderConfig, FrameDecoder, Incoming, ProtocolError, Role};

/// The events and the error decoding `input` gives, fed in chunks whose
/// lengths cycle through `chunk_lens` (plus one each), or whole when
/// `chunk_lens` is empty.
fn decode(
    role: Role,
    config: DecoderConfig,
    input: &[u8],
    chunk_lens: &[u8],
) -> (Vec<Incoming>, Option<ProtocolError>) {
    let mut decoder = FrameDecoder::with_config(role, config);
    let mut buf = BytesMut::new();
    let mut events = Vec::new();
    let mut lens = chunk_lens.iter().map(|&n| usize::from(n) + 1).cycle();
    let mut rest = input;
    while !rest.is_empty() {
        let take = lens.next().unwrap_or(rest.len()).min(rest.len());
        let (chunk, after) = rest.split_at(take);
        rest = after;
        buf.extend_from_slice(chunk);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(incoming)) => {
                    check(&incoming, config.max_message_size);
                    events.push(incoming);
                }
                Ok(None) => break,
                Err(error) => return (events, Some(error)),
            }
        }
    }
    (events, None)
}

fn check(incoming: &Incoming, limit: usize) {
    match incoming {
        Incoming::Text(payload) => {
            assert!(payload.len() <= limit);
            assert!(std::str::from_utf8(payload).is_ok());
        }
        Incoming::Binary(payload) | Incoming::Compressed { payload, .. } => {
            assert!(payload.len() <= limit)
        }
        Incoming::Ping(payload) | Incoming::Pong(payload) => assert!(payload.len() <= 125),
        Incoming::Close(frame) => assert!(frame.reason.len() <= 123),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let role = if control & 1 == 0 {
        Role::Server
    } else {
        Role::Client
    };
    let compression = control & 2 != 0;
    let max_message_size = usize::from(control >> 2) * 16;
    let config = DecoderConfig {
        max_message_size,
        compression,
    };
    // The first few bytes choose the chunk sizes; the rest is the input.
    let split = rest
        .first()
        .map_or(0, |&n| usize::from(n % 8))
        .min(rest.len());
    let (chunk_lens, input) = rest.split_at(split);

    let whole = decode(role, config, input, &[]);
    if !chunk_lens.is_empty() {
        assert_eq!(decode(role, config, input, chunk_lens), whole);
    }
    assert_eq!(decode(role, config, input, &[0]), whole);
});
