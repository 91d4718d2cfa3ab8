//! Arbitrary bytes through `supercell::websocket::MessageInflater` as a
//! compressed message, split into pieces at fuzzer-chosen points (the
//! last one flagged as the message's end), with a fuzzer-chosen window
//! and context takeover, under a 64 KiB limit: it must not panic, its
//! output must stay within one inflating step of the limit, and every
//! split must give what the message fed whole gives. Then the same bytes
//! as a message: compressed by a `MessageDeflater` (window 9 to 15, level
//! and memory level chosen too), twice in a row so that the second
//! message may use the first's window, and inflated back piece by piece
//! within a limit of exactly their length: equal.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use supercell::websocket::{CompressionOptions, InflateError, MessageDeflater, MessageInflater};

/// The limit arbitrary data inflates within.
const LIMIT: usize = 64 * 1024;

/// The most one inflating step writes past the limit.
const STEP: usize = 64 * 1024;

/// The settings the first bytes of the input choose.
struct Choices {
    /// The peer's window for the inflater, 8 to 15.
    inflate_bits: u8,
    /// The peer starts each message with an empty window.
    inflate_reset: bool,
    /// The deflater's window, 9 to 15.
    deflate_bits: u8,
    deflate_reset: bool,
    level: u32,
    mem_level: u8,
    /// A message's frames end with an empty one.
    empty_last: bool,
}

impl Choices {
    fn read(head: [u8; 3]) -> Choices {
        let [a, b, c] = head;
        Choices {
            inflate_bits: 8 + (a & 7),
            inflate_reset: a & 8 != 0,
            deflate_bits: 9 + (b & 7) % 7,
            deflate_reset: b & 8 != 0,
            level: u32::from(a >> 4) % 10,
            mem_level: 1 + (b >> 4) % 9,
            empty_last: c & 8 != 0,
        }
    }
}

/// `data` cut into pieces whose lengths cycle through `lens` (empty
/// pieces included), the rest in the last one; whole when `lens` is
/// empty or all zeros. With `empty_last`, an empty piece ends it.
fn pieces<'a>(data: &'a [u8], lens: &[u8], empty_last: bool) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = data;
    if lens.iter().any(|&len| len != 0) {
        for &len in lens.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (piece, after) = rest.split_at(usize::from(len).min(rest.len()));
            pieces.push(piece);
            rest = after;
        }
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest);
    }
    if empty_last {
        pieces.push(&[]);
    }
    pieces
}

/// One message inflated from `pieces` within `limit`: what came out, and
/// the result.
fn inflate(
    inflater: &mut MessageInflater,
    pieces: &[&[u8]],
    limit: usize,
) -> (BytesMut, Result<(), InflateError>) {
    let mut out = BytesMut::new();
    for (at, piece) in pieces.iter().enumerate() {
        let result = inflater.inflate(piece, at + 1 == pieces.len(), &mut out, limit);
        assert!(out.len() <= limit + STEP, "{} past {limit}", out.len());
        if result.is_err() {
            return (out, result);
        }
    }
    (out, Ok(()))
}

/// Arbitrary data as a compressed message: within the limit, and the same
/// whatever the split.
fn arbitrary_data(choices: &Choices, data: &[u8], lens: &[u8]) {
    let new = || MessageInflater::new(choices.inflate_bits, choices.inflate_reset);
    let mut whole = new();
    let (whole_out, whole_result) = inflate(&mut whole, &[data], LIMIT);
    let mut split = new();
    let (split_out, split_result) =
        inflate(&mut split, &pieces(data, lens, choices.empty_last), LIMIT);
    assert_eq!(split_result, whole_result);
    if whole_result.is_ok() {
        assert_eq!(split_out, whole_out);
        // The same bytes as the next message, on the window the first
        // one left: within the limit again, and alike both ways.
        let (again_whole, again_result) = inflate(&mut whole, &[data], LIMIT);
        let (again_split, again_split_result) = inflate(&mut split, &[data], LIMIT);
        assert_eq!(again_split_result, again_result);
        if again_result.is_ok() {
            assert_eq!(again_split, again_whole);
        }
    }
}

/// `message` compressed and inflated back, twice over one context.
fn round_trip(choices: &Choices, message: &[u8], lens: &[u8]) {
    let options = CompressionOptions {
        compression_level: choices.level,
        mem_level: choices.mem_level,
        ..CompressionOptions::default()
    };
    let mut deflater = MessageDeflater::new(&options, choices.deflate_bits, choices.deflate_reset)
        .expect("windows of 9 to 15 bits compress");
    // A receiver may allow a larger window than the sender uses.
    let inflate_bits = choices.deflate_bits.max(choices.inflate_bits);
    let mut inflater = MessageInflater::new(inflate_bits, choices.deflate_reset);
    for _ in 0..2 {
        let mut compressed = BytesMut::new();
        deflater.compress(message, &mut compressed);
        let pieces = pieces(&compressed, lens, choices.empty_last);
        let (out, result) = inflate(&mut inflater, &pieces, message.len());
        assert_eq!(result, Ok(()));
        assert_eq!(&out[..], message);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<3>() else {
        return;
    };
    let choices = Choices::read(*head);
    // Up to seven piece lengths, then the data.
    let split = usize::from(head[2] % 8).min(rest.len());
    let (lens, data) = rest.split_at(split);
    arbitrary_data(&choices, data, lens);
    round_trip(&choices, data, lens);
});
