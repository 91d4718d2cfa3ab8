//! Arbitrary `multipart/form-data` bodies, fed to `MultipartParser` in
//! chunks of fuzzer-chosen sizes: it must not panic, must hold no more than
//! its documented bound, must give its events in order, and must agree
//! with `parse_multipart_form_data_with` on the body up to its first
//! closing delimiter (the same fields and files, or both an error).
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use supercell::httputil::{
    Arguments, Files, HttpFile, MultipartError, MultipartEvent, MultipartParser,
    ParseMultipartConfig, parse_multipart_form_data_with,
};

/// The part being read: name, filename, content type, content.
type Part = (String, Option<String>, String, Vec<u8>);

/// The fields and files `body` streams to, fed in chunks whose lengths
/// cycle through `chunk_lens` (plus one each).
fn stream(
    boundary: &[u8],
    config: ParseMultipartConfig,
    body: &[u8],
    chunk_lens: &[u8],
    bound: usize,
) -> Result<(Arguments, Files), MultipartError> {
    let mut parser = MultipartParser::new(boundary, config)?;
    let (mut arguments, mut files) = (Arguments::default(), Files::default());
    let mut part: Option<Part> = None;
    let mut ended = false;
    let mut lens = chunk_lens.iter().map(|&n| usize::from(n) + 1).cycle();
    let mut rest = body;
    while !rest.is_empty() {
        let (chunk, after) = rest.split_at(lens.next().unwrap_or(rest.len()).min(rest.len()));
        rest = after;
        parser.feed(Bytes::copy_from_slice(chunk));
        while let Some(event) = parser.next_event()? {
            assert!(parser.buffered_len() <= bound);
            assert!(!ended);
            match event {
                MultipartEvent::PartStart {
                    name,
                    filename,
                    content_type,
                    ..
                } => {
                    assert!(part.is_none() && !name.is_empty());
                    part = Some((name, filename, content_type, Vec::new()));
                }
                MultipartEvent::PartData(data) => {
                    assert!(!data.is_empty());
                    part.as_mut()
                        .expect("PartData outside a part")
                        .3
                        .extend(data);
                }
                MultipartEvent::PartEnd => {
                    let (name, filename, content_type, value) = part.take().expect("PartEnd");
                    match filename {
                        Some(filename) => files.entry(name).or_default().push(HttpFile {
                            filename,
                            body: value.into(),
                            content_type,
                        }),
                        None => arguments.entry(name).or_default().push(value.into()),
                    }
                }
                MultipartEvent::End => {
                    assert!(part.is_none());
                    ended = true;
                }
            }
        }
        assert!(parser.buffered_len() <= bound);
    }
    parser.finish()?;
    assert!(ended);
    Ok((arguments, files))
}

fuzz_target!(|data: &[u8]| {
    let [flags, max_parts, max_header, lens, rest @ ..] = data else {
        return;
    };
    let chunk_len_count = usize::from(lens % 8).min(rest.len());
    let (chunk_lens, rest) = rest.split_at(chunk_len_count);
    let boundary_len = usize::from(flags & 0x0f).min(rest.len());
    let (boundary, body) = rest.split_at(boundary_len);
    // Half the inputs are framed by valid boundaries, so the fuzzer
    // reaches the part parser easily.
    let body = if flags & 0x10 != 0 {
        [
            b"--",
            boundary,
            b"\r\nContent-Disposition: form-data; ",
            body,
            b"\r\n--",
            boundary,
            b"--",
        ]
        .concat()
    } else {
        body.to_vec()
    };
    let config = ParseMultipartConfig {
        max_parts: usize::from(*max_parts % 8),
        max_part_header_size: usize::from(*max_header),
    };
    let unquoted = match boundary {
        [b'"', inner @ .., b'"'] => inner,
        _ => boundary,
    };
    if unquoted.contains(&b'\r') || unquoted.contains(&b'\n') {
        assert!(MultipartParser::new(boundary, config).is_err());
        return;
    }
    let bound = config.max_part_header_size + 2 * unquoted.len() + 10;
    let streamed = stream(boundary, config, &body, chunk_lens, bound);

    // The whole-body parser ends at the last closing delimiter, the stream
    // at the first.
    let close = [b"--", unquoted, b"--"].concat();
    let end = body
        .windows(close.len())
        .position(|w| w == close)
        .map_or(body.len(), |at| at + close.len());
    let (mut arguments, mut files) = (Arguments::default(), Files::default());
    let body = Bytes::copy_from_slice(&body[..end]);
    let parsed =
        parse_multipart_form_data_with(boundary, &body, &mut arguments, &mut files, &config);
    match (streamed, parsed) {
        (Ok(streamed), Ok(())) => assert_eq!(streamed, (arguments, files)),
        (Err(_), Err(_)) => {}
        (streamed, parsed) => panic!("stream {streamed:?} but whole body {parsed:?}"),
    }
});
