//! Arbitrary bytes, split at a fuzzer-chosen point, through the request
//! head parser and the body decoder, as a connection feeds them: it must
//! not panic, must never report more consumed bytes than it was given,
//! must give the same head and body whatever the split, must never
//! decode more body bytes than the input held, and must split the target
//! at its first `?`.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use supercell::http1::codec::{
    BodyDecoder, Decoded, ParseError, RequestHead, parse_request_head, split_request_head,
};

/// What a connection gets from `input` fed in two pieces: the head (or
/// the error), the body (or the error), and the bytes left over.
type Outcome = (Result<Option<RequestHead>, ParseError>, Result<Vec<u8>, ParseError>);

fn feed(input: &[u8], split: usize, max_head: usize, max_body: u64, by_split: bool) -> Outcome {
    let mut pieces = [&input[..split], &input[split..]].into_iter();
    let mut buf = BytesMut::new();
    let head = loop {
        let parsed = if by_split {
            let before = buf.len();
            let parsed = split_request_head(&mut buf, max_head);
            assert!(buf.len() <= before);
            parsed
        } else {
            match parse_request_head(&buf, max_head) {
                Ok(Some((head, consumed))) => {
                    assert!(consumed <= buf.len());
                    let _ = buf.split_to(consumed);
                    Ok(Some(head))
                }
                other => other.map(|_| None),
            }
        };
        match parsed {
            Ok(Some(head)) => break head,
            Ok(None) => match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => return (Ok(None), Ok(Vec::new())),
            },
            Err(error) => return (Err(error), Ok(Vec::new())),
        }
    };
    let mut decoder = BodyDecoder::new(head.body, max_body);
    let mut body = Vec::new();
    let body = loop {
        match decoder.decode(&mut buf) {
            Ok(Decoded::Data(data)) => {
                assert!(!data.is_empty());
                body.extend_from_slice(&data);
            }
            Ok(Decoded::NeedMore) => match pieces.next() {
                Some(piece) => buf.extend_from_slice(piece),
                None => break decoder.decode_eof().map(|_| body),
            },
            Ok(Decoded::Finished) => break Ok(body),
            Err(error) => break Err(error),
        }
    };
    if let Ok(body) = &body {
        assert!(body.len() <= input.len());
        assert!((body.len() as u64) <= max_body);
    }
    (Ok(Some(head)), body)
}

/// Starts of requests the fuzzer is unlikely to find by itself, so that
/// a quarter of the inputs each reach framing headers and bodies.
const PREFIXES: [&[u8]; 4] = [
    b"",
    b"GET / HTTP/1.1\r\nHost: a\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
];

fuzz_target!(|data: &[u8]| {
    let [a, b, c, input @ ..] = data else { return };
    let input = [PREFIXES[usize::from(c & 3)], input].concat();
    let input = &input[..];
    let split = usize::from(u16::from_le_bytes([*a, *b])) % (input.len() + 1);
    let max_head = 16 + usize::from(c >> 2) * 16;
    let max_body = u64::from(c >> 2) * 4;
    let whole = feed(input, input.len(), max_head, max_body, false);
    let pieces = feed(input, split, max_head, max_body, false);
    let zero_copy = feed(input, split, max_head, max_body, true);
    // A complete request parses the same whatever the split and the entry
    // point (an incomplete one may fail differently only by waiting). The
    // zero-copy entry point reads common heads with its fast reader and
    // the others with `httparse`, as the plain entry point always does:
    // what either accepts, the other accepts alike.
    if let (Ok(Some(_)), Ok(_)) = &whole {
        assert_eq!(pieces, whole);
        assert_eq!(zero_copy, whole);
    }
    if let (Ok(Some(_)), Ok(_)) = &zero_copy {
        assert_eq!(zero_copy, whole);
    }
    // Where the fast reader found the query, if it did, is where it is.
    for (head, _) in [&whole, &zero_copy] {
        if let Ok(Some(head)) = head {
            let path = head.start_line.path.as_str();
            let naive = path.split_once('?').unwrap_or((path, ""));
            assert_eq!(head.start_line.path.split_query(), naive);
        }
    }
});
