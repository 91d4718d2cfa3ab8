//! The HTTP/1.1 codec (`supercell::http1::codec`) on its own: the
//! strictness rules for request heads and bodies, the size limits at their
//! edges, the framing decisions of the encoders, client-role response
//! parsing, and property tests (any split of the input parses the same,
//! chunked bodies round-trip, arbitrary bytes never panic).
//!
//! Tornado's counterparts of these rules are tested through a live
//! connection in `http1connection_test.rs` and `httpserver_test.rs`; the
//! tests here have no direct Tornado counterpart (Tornado has no
//! sans-IO codec), so none is named after a Tornado test.

use bytes::{Bytes, BytesMut};
use http::{Method, Version};
use proptest::prelude::*;
use supercell::http1::codec::{
    BodyDecoder, BodyEncoder, BodyLength, Decoded, ParseError, RequestHead, RequestHeadReader,
    RequestInfo, ResponseHead, WriteBuffer, encode_request_head, encode_response_head,
    parse_request_head, parse_response_head, split_request_head,
};
use supercell::httputil::{HttpHeaders, HttpOutputError, RequestStartLine, ResponseStartLine};

const MAX_HEAD: usize = 8 * 1024;

fn request(raw: &[u8]) -> Result<Option<(RequestHead, usize)>, ParseError> {
    parse_request_head(raw, MAX_HEAD)
}

fn request_ok(raw: &[u8]) -> RequestHead {
    let (head, consumed) = request(raw).unwrap().expect("complete head");
    assert!(consumed <= raw.len());
    head
}

/// The status a server answers `raw` with (its head, then its body).
fn status_of(raw: &[u8]) -> u16 {
    status_with_limits(raw, MAX_HEAD, 1 << 20)
}

fn status_with_limits(raw: &[u8], max_head: usize, max_body: u64) -> u16 {
    let mut buf = BytesMut::from(raw);
    let head = match split_request_head(&mut buf, max_head) {
        Ok(Some(head)) => head,
        Ok(None) => panic!("incomplete head in {raw:?}"),
        Err(error) => return error.status(),
    };
    let mut decoder = BodyDecoder::new(head.body, max_body);
    loop {
        match decoder.decode(&mut buf) {
            Ok(Decoded::Data(_)) => {}
            Ok(Decoded::Finished) => return 200,
            Ok(Decoded::NeedMore) => panic!("incomplete body in {raw:?}"),
            Err(error) => return error.status(),
        }
    }
}

// ---- request smuggling and malformed requests -------------------------

#[test]
fn content_length_with_transfer_encoding_is_400() {
    let raw = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    assert_eq!(
        request(raw),
        Err(ParseError::ContentLengthWithTransferEncoding)
    );
    assert_eq!(status_of(raw), 400);
}

#[test]
fn differing_content_lengths_are_400() {
    for raw in [
        &b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"[..],
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd",
    ] {
        assert_eq!(request(raw), Err(ParseError::ConflictingContentLength));
        assert_eq!(status_of(raw), 400);
    }
}

#[test]
fn identical_duplicate_content_lengths_are_merged() {
    let raw = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc";
    assert_eq!(request_ok(raw).body, BodyLength::Fixed(3));
    let raw = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3,3\r\n\r\nabc";
    assert_eq!(request_ok(raw).body, BodyLength::Fixed(3));
}

#[test]
fn malformed_content_lengths_are_400() {
    for value in [
        "+3",
        "-3",
        "1_0",
        "0x3",
        "3.0",
        "3a",
        "",
        "3 3",
        "99999999999999999999",
    ] {
        let raw = format!("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {value}\r\n\r\n");
        assert_eq!(
            request(raw.as_bytes()),
            Err(ParseError::BadContentLength),
            "{value:?}"
        );
        assert_eq!(status_of(raw.as_bytes()), 400);
    }
}

#[test]
fn ows_around_content_length_is_accepted() {
    let raw = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \t 3 \t\r\n\r\nabc";
    assert_eq!(request_ok(raw).body, BodyLength::Fixed(3));
    assert_eq!(status_of(raw), 200);
}

#[test]
fn transfer_encoding_lists_other_than_one_final_chunked_are_refused() {
    let cases: [(&[&str], u16); 8] = [
        (&["chunked, identity"], 400),
        (&["identity, chunked"], 501),
        (&["gzip, chunked"], 501),
        (&["chunked", "chunked"], 400),
        (&["chunked, chunked"], 400),
        (&["xchunked"], 400),
        (&["identity"], 400),
        (&["chunked", "gzip"], 400),
    ];
    for (values, status) in cases {
        let mut raw = String::from("POST / HTTP/1.1\r\nHost: a\r\n");
        for value in values {
            raw.push_str(&format!("Transfer-Encoding: {value}\r\n"));
        }
        raw.push_str("\r\n0\r\n\r\n");
        assert_eq!(status_of(raw.as_bytes()), status, "{values:?}");
    }
}

#[test]
fn chunked_is_case_insensitive() {
    let raw =
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n1\r\na\r\n0\r\n\r\n";
    assert_eq!(request_ok(raw).body, BodyLength::Chunked);
    assert_eq!(status_of(raw), 200);
}

#[test]
fn transfer_encoding_on_http10_is_400() {
    let raw = b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    assert_eq!(request(raw), Err(ParseError::BadTransferEncoding));
}

fn chunked_request(body: &str) -> Vec<u8> {
    format!("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n{body}").into_bytes()
}

#[test]
fn bad_chunk_sizes_are_400() {
    for size in [
        "5x",
        "0x5",
        "1_0",
        "-5",
        "+5",
        "FFFFFFFFFFFFFFFFFFFFF1",
        "",
        " 5",
        "5 ",
    ] {
        let raw = chunked_request(&format!("{size}\r\nhello\r\n0\r\n\r\n"));
        assert_eq!(status_of(&raw), 400, "{size:?}");
    }
}

#[test]
fn uppercase_hex_sizes_and_extensions_are_accepted() {
    let raw = chunked_request("A;name=value\r\n0123456789\r\na ; x\r\n0123456789\r\n0\r\n\r\n");
    assert_eq!(status_of(&raw), 200);
}

#[test]
fn chunk_data_longer_than_its_size_is_400() {
    let raw = chunked_request("3\r\nhello\r\n0\r\n\r\n");
    assert_eq!(status_of(&raw), 400);
}

#[test]
fn chunked_trailers_are_consumed_and_dropped() {
    let mut buf = BytesMut::from(&chunked_request("3\r\nabc\r\n0\r\nX-Checksum: 1\r\n\r\nGET")[..]);
    let head = split_request_head(&mut buf, MAX_HEAD).unwrap().unwrap();
    let mut decoder = BodyDecoder::new(head.body, 100);
    assert_eq!(
        decoder.decode(&mut buf),
        Ok(Decoded::Data(Bytes::from("abc")))
    );
    assert_eq!(decoder.decode(&mut buf), Ok(Decoded::Finished));
    assert_eq!(&buf[..], b"GET");
}

#[test]
fn bare_lf_anywhere_in_the_head_is_400() {
    for raw in [
        &b"GET / HTTP/1.1\nHost: a\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: a\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n\n",
        b"GET / HTTP/1.1\nHost: a\n\n",
    ] {
        assert_eq!(request(raw), Err(ParseError::BadLineEnding), "{raw:?}");
    }
}

#[test]
fn bare_cr_is_400() {
    for raw in [
        &b"GET / HTTP/1.1\rHost: a\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n\r\n",
        b"GET /\r HTTP/1.1\r\nHost: a\r\n\r\n",
    ] {
        assert_eq!(status_of(raw), 400, "{raw:?}");
    }
}

#[test]
fn nul_is_400() {
    for raw in [
        &b"GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: a\r\nX\0: b\r\n\r\n",
        b"GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n",
        b"G\0T / HTTP/1.1\r\nHost: a\r\n\r\n",
    ] {
        assert_eq!(status_of(raw), 400, "{raw:?}");
    }
}

#[test]
fn obs_fold_is_400() {
    for raw in [
        &b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n",
        b"GET / HTTP/1.1\r\n Host: a\r\n\r\n",
    ] {
        assert_eq!(request(raw), Err(ParseError::BadHeaderName), "{raw:?}");
    }
}

#[test]
fn malformed_header_names_are_400() {
    for raw in [
        &b"GET / HTTP/1.1\r\nHost : a\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost\t: a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX Y: b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX(: b\r\n\r\n",
    ] {
        assert_eq!(request(raw), Err(ParseError::BadHeaderName), "{raw:?}");
    }
}

#[test]
fn host_is_required_once_on_http11() {
    assert_eq!(
        request(b"GET / HTTP/1.1\r\n\r\n"),
        Err(ParseError::MissingHost)
    );
    assert_eq!(
        request(b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"),
        Err(ParseError::DuplicateHost)
    );
    assert_eq!(
        status_of(b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"),
        400
    );
    assert_eq!(
        request_ok(b"GET / HTTP/1.0\r\n\r\n").start_line.version,
        Version::HTTP_10
    );
}

#[test]
fn versions() {
    assert_eq!(status_of(b"GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
    assert_eq!(status_of(b"GET / HTTP/1.2\r\nHost: a\r\n\r\n"), 505);
    assert_eq!(status_of(b"GET / HTTP/0.9\r\nHost: a\r\n\r\n"), 505);
    assert_eq!(status_of(b"GET / http/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_eq!(status_of(b"GET / FOO/1.1\r\nHost: a\r\n\r\n"), 400);
    assert_eq!(status_of(b"GET / HTTP/1.10\r\nHost: a\r\n\r\n"), 400);
    assert_eq!(status_of(b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n"), 400);
    assert_eq!(status_of(b"GET /\r\nHost: a\r\n\r\n"), 400);
}

#[test]
fn request_line_spacing_and_target() {
    for raw in [
        &b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n"[..],
        b"GET /  HTTP/1.1\r\nHost: a\r\n\r\n",
        b" GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n",
        b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
    ] {
        assert_eq!(status_of(raw), 400, "{raw:?}");
    }
    let head = request_ok(b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(head.start_line.path, "*");
    let head = request_ok(b"GET http://a/b?c HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(head.start_line.path, "http://a/b?c");
}

#[test]
fn one_leading_empty_line_is_accepted() {
    let raw = b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let (head, consumed) = request(raw).unwrap().unwrap();
    assert_eq!(consumed, raw.len());
    assert_eq!(head.start_line.path, "/");
    assert_eq!(
        request(b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Err(ParseError::LeadingEmptyLines)
    );
    assert_eq!(
        request(b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Err(ParseError::BadLineEnding)
    );
}

#[test]
fn obs_text_in_values_is_accepted() {
    let head = request_ok(b"GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\xe9 \x80\xff\r\n\r\n");
    assert_eq!(
        head.headers.get_bytes("x-name"),
        Some(&b"caf\xe9 \x80\xff"[..])
    );
}

#[test]
fn values_are_trimmed_and_may_be_empty() {
    let head = request_ok(b"GET / HTTP/1.1\r\nHost:a\r\nX-A:  \t\r\nX-B: \t b c \t\r\n\r\n");
    assert_eq!(head.headers.get("host"), Some("a"));
    assert_eq!(head.headers.get("x-a"), Some(""));
    assert_eq!(head.headers.get("x-b"), Some("b c"));
}

// ---- limits ------------------------------------------------------------

/// A complete request head of exactly `len` bytes.
fn head_of_len(len: usize) -> Vec<u8> {
    let fixed = b"GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n".len();
    let mut raw = b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec();
    raw.resize(len - 4, b'x');
    raw.extend_from_slice(b"\r\n\r\n");
    assert!(len >= fixed);
    assert_eq!(raw.len(), len);
    raw
}

#[test]
fn max_header_size_is_exact() {
    let max = 200;
    let raw = head_of_len(max);
    let (_, consumed) = parse_request_head(&raw, max).unwrap().unwrap();
    assert_eq!(consumed, max);
    assert_eq!(status_with_limits(&raw, max, 0), 200);
    let raw = head_of_len(max + 1);
    assert_eq!(parse_request_head(&raw, max), Err(ParseError::HeadTooLarge));
    assert_eq!(status_with_limits(&raw, max, 0), 431);
    // Incomplete: waits up to the limit, then refuses.
    assert_eq!(parse_request_head(&raw[..max], max), Ok(None));
    assert_eq!(
        parse_request_head(&raw[..max + 1], max),
        Err(ParseError::HeadTooLarge)
    );
    let mut buf = BytesMut::from(&raw[..max]);
    assert_eq!(split_request_head(&mut buf, max), Ok(None));
}

#[test]
fn an_over_long_request_line_is_414() {
    let max = 100;
    let mut raw = b"GET /".to_vec();
    raw.resize(max + 1, b'a');
    assert_eq!(parse_request_head(&raw, max), Err(ParseError::UriTooLong));
    raw.extend_from_slice(b" HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(status_with_limits(&raw, max, 0), 414);
}

#[test]
fn max_body_size_is_exact_for_fixed_bodies() {
    let raw = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789";
    assert_eq!(status_with_limits(raw, MAX_HEAD, 10), 200);
    assert_eq!(status_with_limits(raw, MAX_HEAD, 9), 413);
}

#[test]
fn max_body_size_is_exact_for_chunked_bodies() {
    let raw = chunked_request("4\r\n0123\r\n6\r\n456789\r\n0\r\n\r\n");
    assert_eq!(status_with_limits(&raw, MAX_HEAD, 10), 200);
    assert_eq!(status_with_limits(&raw, MAX_HEAD, 9), 413);
}

#[test]
fn the_body_limit_can_change_before_the_body() {
    let mut decoder = BodyDecoder::new(BodyLength::Fixed(10), 5);
    decoder.set_max_body_size(10);
    let mut buf = BytesMut::from(&b"0123456789"[..]);
    assert!(matches!(decoder.decode(&mut buf), Ok(Decoded::Data(_))));
    assert!(decoder.is_finished());
}

#[test]
fn close_delimited_bodies_are_limited_too() {
    let mut decoder = BodyDecoder::new(BodyLength::CloseDelimited, 4);
    let mut buf = BytesMut::from(&b"0123"[..]);
    assert_eq!(
        decoder.decode(&mut buf),
        Ok(Decoded::Data(Bytes::from("0123")))
    );
    buf.extend_from_slice(b"4");
    assert_eq!(decoder.decode(&mut buf), Err(ParseError::BodyTooLarge));
}

// ---- response framing (server role) ------------------------------------

fn info(method: Method, version: Version, keep_alive: bool) -> RequestInfo {
    RequestInfo {
        head_request: method == Method::HEAD,
        version,
        keep_alive,
    }
}

fn fields(list: &[(&str, &str)]) -> HttpHeaders {
    let mut headers = HttpHeaders::new();
    for (name, value) in list {
        headers.add(name, value).unwrap();
    }
    headers
}

fn respond(
    code: u16,
    headers: &[(&str, &str)],
    request: &RequestInfo,
    close: bool,
    body: &[&str],
) -> Result<(String, bool), HttpOutputError> {
    let mut out = WriteBuffer::new();
    let start_line = ResponseStartLine {
        version: Version::HTTP_11,
        code,
        reason: "Reason".into(),
    };
    let (mut encoder, close) =
        encode_response_head(&start_line, &fields(headers), request, close, &mut out)?;
    for piece in body {
        encoder.encode(Bytes::copy_from_slice(piece.as_bytes()), &mut out)?;
    }
    encoder.finish(&mut out)?;
    assert!(encoder.is_finished());
    Ok((String::from_utf8(out.take_bytes().to_vec()).unwrap(), close))
}

#[test]
fn no_body_statuses_have_no_framing_headers_and_refuse_a_body() {
    let get = info(Method::GET, Version::HTTP_11, true);
    for code in [100, 101, 103, 204, 304] {
        let (text, _) = respond(
            code,
            &[("Content-Length", "3"), ("Transfer-Encoding", "chunked")],
            &get,
            false,
            &[],
        )
        .unwrap();
        assert_eq!(text, format!("HTTP/1.1 {code} Reason\r\n\r\n"));
        assert_eq!(
            respond(code, &[], &get, false, &["abc"]),
            Err(HttpOutputError::BodyNotAllowed(code))
        );
    }
}

#[test]
fn interim_responses_never_close() {
    let request = info(Method::GET, Version::HTTP_11, false);
    let (text, close) = respond(100, &[], &request, true, &[]).unwrap();
    assert_eq!(text, "HTTP/1.1 100 Reason\r\n\r\n");
    assert!(!close);
}

#[test]
fn head_responses_keep_content_length_and_write_no_body() {
    let head = info(Method::HEAD, Version::HTTP_11, true);
    let (text, close) = respond(200, &[("Content-Length", "5")], &head, false, &["hello"]).unwrap();
    assert_eq!(text, "HTTP/1.1 200 Reason\r\nContent-Length: 5\r\n\r\n");
    assert!(!close);
    let (text, _) = respond(200, &[], &head, false, &["hello"]).unwrap();
    assert_eq!(text, "HTTP/1.1 200 Reason\r\n\r\n");
}

#[test]
fn chunked_for_http11_without_content_length() {
    let get = info(Method::GET, Version::HTTP_11, true);
    let (text, close) = respond(200, &[], &get, false, &["ab", "", "cde"]).unwrap();
    assert_eq!(
        text,
        "HTTP/1.1 200 Reason\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"
    );
    assert!(!close);
}

#[test]
fn content_length_is_enforced() {
    let get = info(Method::GET, Version::HTTP_11, true);
    let (text, _) = respond(200, &[("Content-Length", "5")], &get, false, &["he", "llo"]).unwrap();
    assert_eq!(
        text,
        "HTTP/1.1 200 Reason\r\nContent-Length: 5\r\n\r\nhello"
    );
    assert_eq!(
        respond(200, &[("Content-Length", "5")], &get, false, &["hello!"]),
        Err(HttpOutputError::TooMuchData(5))
    );
    assert_eq!(
        respond(200, &[("Content-Length", "5")], &get, false, &["hell"]),
        Err(HttpOutputError::TooLittleData {
            written: 4,
            expected: 5
        })
    );
}

#[test]
fn close_delimited_for_http10() {
    let request = info(Method::GET, Version::HTTP_10, false);
    let (text, close) = respond(200, &[], &request, false, &["body"]).unwrap();
    assert_eq!(text, "HTTP/1.1 200 Reason\r\n\r\nbody");
    assert!(close);
    // Even a keep-alive HTTP/1.0 client is closed on without a length.
    let request = info(Method::GET, Version::HTTP_10, true);
    let (text, close) = respond(200, &[], &request, false, &["body"]).unwrap();
    assert_eq!(text, "HTTP/1.1 200 Reason\r\n\r\nbody");
    assert!(close);
}

#[test]
fn connection_close_and_keep_alive_are_added_as_needed() {
    let length = [("Content-Length", "0")];
    let keep = info(Method::GET, Version::HTTP_11, true);
    let (text, close) = respond(200, &length, &keep, true, &[]).unwrap();
    assert_eq!(
        text,
        "HTTP/1.1 200 Reason\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    assert!(close);
    let asked_close = info(Method::GET, Version::HTTP_11, false);
    let (text, close) = respond(200, &length, &asked_close, false, &[]).unwrap();
    assert_eq!(
        text,
        "HTTP/1.1 200 Reason\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    assert!(close);
    let (_, close) = respond(
        200,
        &[("Content-Length", "0"), ("Connection", "close")],
        &keep,
        false,
        &[],
    )
    .unwrap();
    assert!(close, "the application's Connection: close closes");
    let old_keep = info(Method::GET, Version::HTTP_10, true);
    let (text, close) = respond(200, &length, &old_keep, false, &[]).unwrap();
    assert_eq!(
        text,
        "HTTP/1.1 200 Reason\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"
    );
    assert!(!close);
    let (text, close) = respond(200, &length, &old_keep, true, &[]).unwrap();
    assert_eq!(text, "HTTP/1.1 200 Reason\r\nContent-Length: 0\r\n\r\n");
    assert!(close);
    let old_close = info(Method::GET, Version::HTTP_10, false);
    let (text, close) = respond(200, &length, &old_close, false, &[]).unwrap();
    assert_eq!(text, "HTTP/1.1 200 Reason\r\nContent-Length: 0\r\n\r\n");
    assert!(close);
}

#[test]
fn names_are_written_in_title_case_in_order() {
    let get = info(Method::GET, Version::HTTP_11, true);
    let (text, _) = respond(
        200,
        &[
            ("x-custom-header", "1"),
            ("CONTENT-TYPE", "text/plain"),
            ("www-authenticate", "Basic"),
            ("content-length", "0"),
        ],
        &get,
        false,
        &[],
    )
    .unwrap();
    assert_eq!(
        text,
        "HTTP/1.1 200 Reason\r\nX-Custom-Header: 1\r\nContent-Type: text/plain\r\n\
         Www-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n"
    );
}

#[test]
fn a_transfer_encoding_set_by_the_application_is_left_alone() {
    let get = info(Method::GET, Version::HTTP_11, true);
    let (text, close) = respond(
        200,
        &[("Transfer-Encoding", "chunked")],
        &get,
        false,
        &["3\r\nabc\r\n0\r\n\r\n"],
    )
    .unwrap();
    assert_eq!(
        text,
        "HTTP/1.1 200 Reason\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    );
    assert!(!close);
}

#[test]
fn request_heads_are_encoded_for_the_client_role() {
    let line = RequestStartLine {
        method: Method::PUT,
        path: "/a?b=c".into(),
        version: Version::HTTP_11,
    };
    let mut out = WriteBuffer::new();
    let headers = fields(&[("host", "example.com"), ("content-length", "3")]);
    let mut encoder = encode_request_head(&line, &headers, true, &mut out).unwrap();
    encoder.encode(Bytes::from("abc"), &mut out).unwrap();
    encoder.finish(&mut out).unwrap();
    assert_eq!(
        &out.take_bytes()[..],
        b"PUT /a?b=c HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc"
    );
    let get = RequestStartLine {
        method: Method::GET,
        path: "/".into(),
        version: Version::HTTP_10,
    };
    let mut encoder = encode_request_head(&get, &fields(&[]), false, &mut out).unwrap();
    encoder.finish(&mut out).unwrap();
    assert_eq!(&out.take_bytes()[..], b"GET / HTTP/1.0\r\n\r\n");
}

// ---- client role: response parsing -------------------------------------

/// Parses one response from `buf` and decodes its body; at EOF when the
/// body needs it.
fn read_response(buf: &mut BytesMut, method: &Method) -> (ResponseHead, Vec<u8>) {
    let (head, consumed) = parse_response_head(buf, MAX_HEAD, method).unwrap().unwrap();
    let _ = buf.split_to(consumed);
    let mut decoder = BodyDecoder::new(head.body, 1 << 20);
    let mut body = Vec::new();
    loop {
        match decoder.decode(buf).unwrap() {
            Decoded::Data(data) => body.extend_from_slice(&data),
            Decoded::NeedMore => {
                assert_eq!(decoder.decode_eof(), Ok(Decoded::Finished));
                return (head, body);
            }
            Decoded::Finished => return (head, body),
        }
    }
}

#[test]
fn interim_responses_come_before_the_final_one() {
    let mut buf = BytesMut::from(
        &b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
           HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"[..],
    );
    let (first, body) = read_response(&mut buf, &Method::POST);
    assert_eq!(
        (first.start_line.code, first.body),
        (100, BodyLength::Empty)
    );
    assert!(body.is_empty());
    let (second, _) = read_response(&mut buf, &Method::POST);
    assert_eq!(second.start_line.code, 103);
    assert_eq!(second.headers.get("link"), Some("</a>"));
    let (last, body) = read_response(&mut buf, &Method::POST);
    assert_eq!(last.start_line.code, 200);
    assert_eq!(body, b"ok");
    assert!(buf.is_empty());
}

#[test]
fn responses_to_head_have_no_body() {
    let mut buf = BytesMut::from(
        &b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
    );
    let (head, body) = read_response(&mut buf, &Method::HEAD);
    assert_eq!(head.headers.get("content-length"), Some("100"));
    assert!(body.is_empty() && head.keep_alive);
    let (head, body) = read_response(&mut buf, &Method::HEAD);
    assert_eq!(head.body, BodyLength::Empty);
    assert!(body.is_empty() && buf.is_empty());
}

#[test]
fn no_content_and_not_modified_have_no_body() {
    let mut buf = BytesMut::from(
        &b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n"[..],
    );
    assert_eq!(read_response(&mut buf, &Method::GET).0.start_line.code, 204);
    let (head, body) = read_response(&mut buf, &Method::GET);
    assert_eq!((head.start_line.code, body.len()), (304, 0));
    assert!(buf.is_empty());
    assert_eq!(
        parse_response_head(
            b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n",
            MAX_HEAD,
            &Method::GET
        ),
        Err(ParseError::BodyOnNoContent)
    );
}

#[test]
fn close_delimited_responses_end_at_eof() {
    let mut buf = BytesMut::from(&b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it"[..]);
    let (head, body) = read_response(&mut buf, &Method::GET);
    assert_eq!(head.body, BodyLength::CloseDelimited);
    assert!(!head.keep_alive);
    assert_eq!(body, b"all of it");
}

#[test]
fn chunked_responses_with_trailers() {
    let mut buf = BytesMut::from(
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n\
           4\r\nWiki\r\n5;ext\r\npedia\r\n0\r\nX-Sum: 12\r\n\r\n"[..],
    );
    let (head, body) = read_response(&mut buf, &Method::GET);
    assert!(head.keep_alive);
    assert_eq!(body, b"Wikipedia");
    assert!(buf.is_empty());
}

#[test]
fn truncated_bodies_are_errors_at_eof() {
    let mut decoder = BodyDecoder::new(BodyLength::Fixed(10), 100);
    let mut buf = BytesMut::from(&b"01234"[..]);
    assert!(matches!(decoder.decode(&mut buf), Ok(Decoded::Data(_))));
    assert_eq!(decoder.decode(&mut buf), Ok(Decoded::NeedMore));
    assert_eq!(decoder.decode_eof(), Err(ParseError::Truncated));
}

// ---- property tests ------------------------------------------------------

/// A request (as bytes) and the body it carries.
#[derive(Clone, Debug)]
struct GeneratedRequest {
    raw: Vec<u8>,
    body: Vec<u8>,
}

fn header_name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,15}".prop_filter("not a framing field", |name| {
        ![
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "expect",
        ]
        .contains(&name.to_ascii_lowercase().as_str())
    })
}

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    // Visible ASCII, inner spaces and tabs, obs-text; no OWS at the ends.
    proptest::collection::vec(
        prop_oneof![8 => 0x21u8..0x7f, 1 => Just(b' '), 1 => Just(b'\t'), 1 => 0x80u8..=0xff],
        0..24,
    )
    .prop_map(|mut v| {
        while v.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            v.remove(0);
        }
        while v.last().is_some_and(|b| *b == b' ' || *b == b'\t') {
            v.pop();
        }
        v
    })
}

fn generated_request() -> impl Strategy<Value = GeneratedRequest> {
    let method = prop_oneof![
        Just("GET"),
        Just("POST"),
        Just("PUT"),
        Just("PATCH"),
        Just("M-SEARCH")
    ];
    let path = "/[A-Za-z0-9/?=&%._~-]{0,40}";
    let headers = proptest::collection::vec((header_name(), header_value()), 0..8);
    let chunks = proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..40), 0..6);
    (method, path, headers, chunks, any::<bool>(), any::<bool>()).prop_map(
        |(method, path, headers, chunks, chunked, leading_crlf)| {
            let mut raw = Vec::new();
            if leading_crlf {
                raw.extend_from_slice(b"\r\n");
            }
            raw.extend_from_slice(
                format!("{method} {path} HTTP/1.1\r\nHost: example.com\r\n").as_bytes(),
            );
            for (name, value) in &headers {
                raw.extend_from_slice(name.as_bytes());
                raw.extend_from_slice(b": ");
                raw.extend_from_slice(value);
                raw.extend_from_slice(b"\r\n");
            }
            let body: Vec<u8> = chunks.concat();
            if chunked {
                raw.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
                for chunk in &chunks {
                    raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    raw.extend_from_slice(chunk);
                    raw.extend_from_slice(b"\r\n");
                }
                raw.extend_from_slice(b"0\r\n\r\n");
            } else {
                raw.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
                raw.extend_from_slice(&body);
            }
            GeneratedRequest { raw, body }
        },
    )
}

/// Feeds `raw` in pieces cut at `cuts` (positions, any order) through
/// [`parse_request_head`] then a [`BodyDecoder`]; the head, the body and
/// the bytes left over.
fn parse_in_pieces(raw: &[u8], cuts: &[usize]) -> (RequestHead, Vec<u8>, Vec<u8>) {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (raw.len() + 1)).collect();
    cuts.push(raw.len());
    cuts.sort_unstable();
    let mut pieces = Vec::new();
    let mut at = 0;
    for cut in cuts {
        pieces.push(&raw[at..cut]);
        at = cut;
    }
    let mut pieces = pieces.into_iter();
    let mut buf = BytesMut::new();
    let head = loop {
        if let Some((head, consumed)) = parse_request_head(&buf, MAX_HEAD).unwrap() {
            assert!(consumed <= buf.len());
            let _ = buf.split_to(consumed);
            break head;
        }
        buf.extend_from_slice(pieces.next().expect("a complete head"));
    };
    let mut decoder = BodyDecoder::new(head.body, 1 << 20);
    let mut body = Vec::new();
    loop {
        match decoder.decode(&mut buf).unwrap() {
            Decoded::Data(data) => {
                assert!(!data.is_empty());
                body.extend_from_slice(&data);
            }
            Decoded::NeedMore => buf.extend_from_slice(pieces.next().expect("a complete body")),
            Decoded::Finished => break,
        }
    }
    for piece in pieces {
        buf.extend_from_slice(piece);
    }
    (head, body, buf.to_vec())
}

/// [`parse_in_pieces`] with a [`RequestHeadReader`] kept across pieces.
fn split_in_pieces(raw: &[u8], cuts: &[usize]) -> (RequestHead, Vec<u8>) {
    let mut buf = BytesMut::new();
    let mut pos = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (raw.len() + 1)).collect();
    cuts.push(raw.len());
    cuts.sort_unstable();
    let mut cuts = cuts.into_iter();
    let mut feed = |buf: &mut BytesMut| {
        let cut = cuts.next().expect("more input");
        buf.extend_from_slice(&raw[pos..cut]);
        pos = cut;
    };
    let mut reader = RequestHeadReader::new();
    let head = loop {
        if let Some(head) = reader.split(&mut buf, MAX_HEAD).unwrap() {
            break head;
        }
        feed(&mut buf);
    };
    let mut decoder = BodyDecoder::new(head.body, 1 << 20);
    let mut body = Vec::new();
    loop {
        match decoder.decode_limited(&mut buf, 7).unwrap() {
            Decoded::Data(data) => {
                assert!(!data.is_empty() && data.len() <= 7);
                body.extend_from_slice(&data);
            }
            Decoded::NeedMore => feed(&mut buf),
            Decoded::Finished => break,
        }
    }
    (head, body)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_split_parses_like_one_piece(
        request in generated_request(),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let mut raw = request.raw.clone();
        raw.extend_from_slice(b"GET /next");
        let (whole_head, whole_body, whole_rest) = parse_in_pieces(&raw, &[]);
        prop_assert_eq!(&whole_body, &request.body);
        prop_assert_eq!(&whole_rest, b"GET /next");
        let (head, body, rest) = parse_in_pieces(&raw, &cuts);
        prop_assert_eq!(&head, &whole_head);
        prop_assert_eq!(&body, &whole_body);
        prop_assert_eq!(&rest, &whole_rest);
        let (head, body) = split_in_pieces(&raw, &cuts);
        prop_assert_eq!(&head, &whole_head);
        prop_assert_eq!(&body, &whole_body);
    }

    #[test]
    fn every_byte_boundary_gives_the_same_result(request in generated_request()) {
        let (whole_head, whole_body, _) = parse_in_pieces(&request.raw, &[]);
        for cut in 0..=request.raw.len() {
            let (head, body, rest) = parse_in_pieces(&request.raw, &[cut]);
            prop_assert_eq!(&head, &whole_head);
            prop_assert_eq!(&body, &whole_body);
            prop_assert!(rest.is_empty());
        }
    }

    #[test]
    fn chunked_encoding_round_trips(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..3000), 0..8),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut out = WriteBuffer::new();
        let request = RequestInfo { head_request: false, version: Version::HTTP_11, keep_alive: true };
        let start_line = ResponseStartLine { version: Version::HTTP_11, code: 200, reason: "OK".into() };
        let (mut encoder, _): (BodyEncoder, bool) =
            encode_response_head(&start_line, &HttpHeaders::new(), &request, false, &mut out).unwrap();
        let head_len = out.len();
        let _ = out.take();
        for chunk in &chunks {
            encoder.encode(Bytes::copy_from_slice(chunk), &mut out).unwrap();
        }
        encoder.finish(&mut out).unwrap();
        prop_assert!(head_len > 0);
        let encoded = out.take_bytes();
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (encoded.len() + 1)).collect();
        cuts.push(encoded.len());
        cuts.sort_unstable();
        let mut decoder = BodyDecoder::new(BodyLength::Chunked, u64::MAX);
        let mut buf = BytesMut::new();
        let mut body = Vec::new();
        let mut at = 0;
        let mut cuts = cuts.into_iter();
        loop {
            match decoder.decode(&mut buf).unwrap() {
                Decoded::Data(data) => body.extend_from_slice(&data),
                Decoded::NeedMore => {
                    let cut = cuts.next().expect("more input");
                    buf.extend_from_slice(&encoded[at..cut]);
                    at = cut;
                }
                Decoded::Finished => break,
            }
        }
        prop_assert_eq!(body, chunks.concat());
        prop_assert!(buf.is_empty());
        prop_assert_eq!(at, encoded.len());
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        raw in proptest::collection::vec(any::<u8>(), 0..512),
        max in 0usize..600,
    ) {
        check_arbitrary(&raw, max);
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_prefix_never_panic(
        prefix in prop_oneof![
            Just(&b"GET / HTTP/1.1\r\n"[..]),
            Just(&b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"[..]),
            Just(&b"HTTP/1.1 200 OK\r\n"[..]),
        ],
        tail in proptest::collection::vec(
            prop_oneof![4 => any::<u8>(), 1 => Just(b'\r'), 1 => Just(b'\n'), 1 => Just(b':')],
            0..256,
        ),
    ) {
        let raw = [prefix, &tail[..]].concat();
        check_arbitrary(&raw, MAX_HEAD);
    }
}

/// The invariants on arbitrary input: no panic, `consumed <= len`, and a
/// body never longer than the input it came from.
fn check_arbitrary(raw: &[u8], max: usize) {
    if let Ok(Some((head, consumed))) = parse_request_head(raw, max) {
        assert!(consumed <= raw.len());
        let mut buf = BytesMut::from(&raw[consumed..]);
        let mut decoder = BodyDecoder::new(head.body, 1 << 20);
        let mut total = 0;
        while let Ok(Decoded::Data(data)) = decoder.decode(&mut buf) {
            total += data.len();
        }
        assert!(total <= raw.len() - consumed);
    }
    let mut buf = BytesMut::from(raw);
    let whole = split_request_head(&mut buf, max);
    assert!(buf.len() <= raw.len());
    // Fed byte by byte, a reader finds the same head (it may refuse
    // earlier, never later, and never a head the one-shot parse takes).
    let mut reader = RequestHeadReader::new();
    let mut buf = BytesMut::new();
    let mut pieces = Ok(None);
    for &byte in raw {
        buf.extend_from_slice(&[byte]);
        pieces = reader.split(&mut buf, max);
        if !matches!(pieces, Ok(None)) {
            break;
        }
    }
    if let Ok(Some(head)) = &whole {
        assert_eq!(pieces.as_ref().ok(), Some(&Some(head.clone())));
    }
    if let Ok(Some(head)) = pieces {
        assert_eq!(parse_request_head(raw, max).unwrap().unwrap().0, head);
    }
    for method in [Method::GET, Method::HEAD] {
        if let Ok(Some((_, consumed))) = parse_response_head(raw, max, &method) {
            assert!(consumed <= raw.len());
        }
    }
    for length in [
        BodyLength::Chunked,
        BodyLength::CloseDelimited,
        BodyLength::Fixed(7),
    ] {
        let mut decoder = BodyDecoder::new(length, 1 << 20);
        let mut buf = BytesMut::from(raw);
        let mut total = 0;
        while let Ok(Decoded::Data(data)) = decoder.decode(&mut buf) {
            total += data.len();
        }
        assert!(total <= raw.len());
    }
}
