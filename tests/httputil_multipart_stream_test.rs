//! `MultipartParser`, the streaming `multipart/form-data` parser, through
//! the public API: Tornado's multipart cases fed in pieces, an upload
//! written to a file as it streams, property tests against the whole-body
//! `parse_multipart_form_data_with` (the same fields and files, the same
//! verdict, whatever the split), a boundary that overlaps itself in linear
//! time, and a gigabyte upload in bounded memory.

use std::io::Write;
use std::time::Instant;

use bytes::Bytes;
use memchr::memmem;
use proptest::prelude::*;
use supercell::httputil::{
    Arguments, Files, HttpFile, HttpInputError, MultipartError, MultipartEvent, MultipartParser,
    ParseMultipartConfig, parse_multipart_form_data_with,
};

#[path = "support/tempdir.rs"]
mod tempdir;

// ---- Helpers ----

/// The most bytes a parser with `config` and a boundary of
/// `boundary_len` bytes may hold, as documented.
fn buffer_bound(config: &ParseMultipartConfig, boundary_len: usize) -> usize {
    config.max_part_header_size + 2 * boundary_len + 10
}

/// `boundary` without surrounding double quotes, as the parsers read it.
fn unquoted(boundary: &[u8]) -> &[u8] {
    match boundary {
        [b'"', inner @ .., b'"'] => inner,
        _ => boundary,
    }
}

/// Feeds `body` cut at `cuts` (sorted offsets) to a streaming parser and
/// collects its fields and files as the whole-body parser gives them,
/// checking the order of the events and the parser's buffer on the way.
fn stream(
    boundary: &[u8],
    config: ParseMultipartConfig,
    body: &[u8],
    cuts: &[usize],
) -> Result<(Arguments, Files), MultipartError> {
    let mut parser = MultipartParser::new(boundary, config)?;
    let bound = buffer_bound(&config, unquoted(boundary).len());
    let (mut arguments, mut files) = (Arguments::default(), Files::default());
    // The part being read: name, filename, content type, content.
    let mut part: Option<(String, Option<String>, String, Vec<u8>)> = None;
    let mut ended = false;
    let mut start = 0;
    for end in cuts.iter().copied().chain([body.len()]) {
        parser.feed(Bytes::copy_from_slice(&body[start..end]));
        start = end;
        while let Some(event) = parser.next_event()? {
            assert!(
                parser.buffered_len() <= bound,
                "{} bytes held",
                parser.buffered_len()
            );
            assert!(!ended, "{event:?} after End");
            match event {
                MultipartEvent::PartStart {
                    name,
                    filename,
                    content_type,
                    ..
                } => {
                    assert!(part.is_none(), "PartStart inside a part");
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
                    assert!(part.is_none(), "End inside a part");
                    ended = true;
                }
            }
        }
        assert!(
            parser.buffered_len() <= bound,
            "{} bytes held",
            parser.buffered_len()
        );
    }
    parser.finish()?;
    assert!(ended);
    Ok((arguments, files))
}

/// The whole-body parser's reading of `body` up to its first closing
/// delimiter, where the streaming parser stops (the whole-body parser
/// ends at the last one, which a stream cannot look ahead for).
fn whole(
    boundary: &[u8],
    config: ParseMultipartConfig,
    body: &[u8],
) -> Result<(Arguments, Files), HttpInputError> {
    let close = [b"--", unquoted(boundary), b"--"].concat();
    let end = memmem::find(body, &close).map_or(body.len(), |at| at + close.len());
    let (mut arguments, mut files) = (Arguments::default(), Files::default());
    let body = Bytes::copy_from_slice(&body[..end]);
    parse_multipart_form_data_with(boundary, &body, &mut arguments, &mut files, &config)?;
    Ok((arguments, files))
}

/// `stream` and `whole` agree on `body`: the same fields and files, or
/// both an error.
fn assert_agree(boundary: &[u8], config: ParseMultipartConfig, body: &[u8], cuts: &[usize]) {
    let streamed = stream(boundary, config, body, cuts);
    let parsed = whole(boundary, config, body);
    match (&streamed, &parsed) {
        (Ok(streamed), Ok(parsed)) => assert_eq!(streamed, parsed),
        (Err(_), Err(_)) => {}
        _ => panic!("stream {streamed:?} but whole body {parsed:?} for {body:?} cut at {cuts:?}"),
    }
}

/// Every way of cutting `body` in two, and cutting it into single bytes.
fn every_split(body: &[u8]) -> impl Iterator<Item = Vec<usize>> {
    (0..=body.len())
        .map(|at| vec![at])
        .chain([(1..body.len()).collect()])
}

/// `text` with every LF made CRLF, as Tornado's tests write bodies.
fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

const DEFAULT: ParseMultipartConfig = ParseMultipartConfig {
    max_parts: 100,
    max_part_header_size: 10 * 1024,
};

// ---- Tornado's MultipartFormDataTest, fed in pieces ----

/// `body` split everywhere gives one file `files` named `filename` with
/// content `Foo`, as the whole-body parser reads it.
fn assert_single_file(boundary: &[u8], body: &[u8], filename: &str) {
    for cuts in every_split(body) {
        let (_, files) = stream(boundary, DEFAULT, body, &cuts).unwrap();
        let file = &files["files"][0];
        assert_eq!(
            (file.filename.as_str(), &file.body[..]),
            (filename, b"Foo".as_slice())
        );
        assert_agree(boundary, DEFAULT, body, &cuts);
    }
}

/// `body` split everywhere is refused with `error`.
fn assert_error(body: &[u8], error: MultipartError) {
    for cuts in every_split(body) {
        assert_eq!(stream(b"1234", DEFAULT, body, &cuts).unwrap_err(), error);
        assert!(whole(b"1234", DEFAULT, body).is_err());
    }
}

#[test]
fn file_upload() {
    let body = crlf(
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n--1234--",
    );
    assert_single_file(b"1234", &body, "ab.txt");
    let (_, files) = stream(b"1234", DEFAULT, &body, &[]).unwrap();
    assert_eq!(files["files"][0].content_type, "application/unknown");
}

#[test]
fn unquoted_names() {
    let body = crlf(
        "--1234\nContent-Disposition: form-data; name=files; filename=ab.txt\n\nFoo\n--1234--",
    );
    assert_single_file(b"1234", &body, "ab.txt");
}

#[test]
fn special_filenames() {
    for filename in [
        "a;b.txt",
        "a\"b.txt",
        "a\";b.txt",
        "a;\"b.txt",
        "a\";\";.txt",
        "a\\\"b.txt",
        "a\\b.txt",
    ] {
        let quoted = filename.replace('\\', "\\\\").replace('"', "\\\"");
        let body = crlf(&format!(
            "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"{quoted}\"\n\nFoo\n--1234--"
        ));
        assert_single_file(b"1234", &body, filename);
    }
}

#[test]
fn non_ascii_and_rfc2231_filenames() {
    let body = crlf(concat!(
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"résumé 文件.txt\"\n\nFoo\n",
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"fallback.txt\"; ",
        "filename*=UTF-8''%E6%96%87%E4%BB%B6.txt\nContent-Type: text/plain\n\nFoo\n",
        "--1234\nContent-Disposition: form-data; name=\"plain\"\n\nvalue\n--1234--",
    ));
    for cuts in every_split(&body) {
        let (arguments, files) = stream(b"1234", DEFAULT, &body, &cuts).unwrap();
        let names: Vec<&str> = files["files"].iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(names, ["résumé 文件.txt", "文件.txt"]);
        assert_eq!(files["files"][1].content_type, "text/plain");
        assert_eq!(arguments["plain"], ["value"]);
        assert_agree(b"1234", DEFAULT, &body, &cuts);
    }
}

#[test]
fn boundary_starts_and_ends_with_quotes() {
    let body = crlf(
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n--1234--",
    );
    assert_single_file(b"\"1234\"", &body, "ab.txt");
}

#[test]
fn missing_headers() {
    assert_error(
        &crlf("--1234\n\nFoo\n--1234--"),
        MultipartError::MissingHeaders,
    );
}

#[test]
fn invalid_content_disposition() {
    assert_error(
        &crlf(
            "--1234\nContent-Disposition: invalid; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n--1234--",
        ),
        MultipartError::NotFormData,
    );
}

#[test]
fn line_does_not_end_with_correct_line_break() {
    assert_error(
        &crlf(
            "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo--1234--",
        ),
        MultipartError::MissingCrlf,
    );
}

#[test]
fn content_disposition_header_without_name_parameter() {
    assert_error(
        &crlf("--1234\nContent-Disposition: form-data; filename=\"ab.txt\"\n\nFoo\n--1234--"),
        MultipartError::MissingName,
    );
}

#[test]
fn data_after_final_boundary() {
    let body = crlf(
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n--1234--\nepilogue --1234\n",
    );
    assert_single_file(b"1234", &body, "ab.txt");
}

#[test]
fn no_final_boundary() {
    assert_error(
        &crlf("--1234\nContent-Disposition: form-data; name=a\n\nFoo\n--1234"),
        MultipartError::NoFinalBoundary,
    );
}

#[test]
fn too_many_parts() {
    let part = "--1234\nContent-Disposition: form-data; name=a\n\nx\n";
    let body = crlf(&format!("{}--1234--", part.repeat(101)));
    assert_eq!(
        stream(b"1234", DEFAULT, &body, &[]).unwrap_err(),
        MultipartError::TooManyParts(100)
    );
    let body = crlf(&format!("{}--1234--", part.repeat(100)));
    let cuts: Vec<usize> = (1..body.len()).step_by(7).collect();
    assert_eq!(
        stream(b"1234", DEFAULT, &body, &cuts).unwrap().0["a"].len(),
        100
    );
}

#[test]
fn errors_read_as_http_input_errors() {
    let error = HttpInputError::from(MultipartError::MissingName);
    assert_eq!(
        error.to_string(),
        "malformed HTTP input: multipart/form-data value missing name"
    );
}

// ---- Streaming to a file ----

#[test]
fn an_upload_is_written_to_a_file_as_it_arrives() {
    let dir = tempdir::TempDir::new("multipart-upload");
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut body = crlf(
        "--xYz\nContent-Disposition: form-data; name=\"note\"\n\nhello\n\
         --xYz\nContent-Disposition: form-data; name=\"upload\"; filename=\"data.bin\"\n\
         Content-Type: application/octet-stream\n\n",
    );
    body.extend_from_slice(&content);
    body.extend_from_slice(b"\r\n--xYz--\r\n");

    let mut parser = MultipartParser::new(b"xYz", ParseMultipartConfig::default()).unwrap();
    let mut file: Option<std::fs::File> = None;
    let mut note = Vec::new();
    for chunk in body.chunks(4093) {
        parser.feed(Bytes::copy_from_slice(chunk));
        while let Some(event) = parser.next_event().unwrap() {
            match event {
                MultipartEvent::PartStart {
                    filename: Some(filename),
                    content_type,
                    ..
                } => {
                    assert_eq!(content_type, "application/octet-stream");
                    file = Some(std::fs::File::create(dir.path(&filename)).unwrap());
                }
                MultipartEvent::PartData(data) => match file.as_mut() {
                    Some(file) => file.write_all(&data).unwrap(),
                    None => note.extend_from_slice(&data),
                },
                MultipartEvent::PartEnd => file = None,
                MultipartEvent::PartStart { .. } | MultipartEvent::End => {}
            }
        }
    }
    parser.finish().unwrap();
    assert_eq!(note, b"hello");
    assert_eq!(std::fs::read(dir.path("data.bin")).unwrap(), content);
}

// ---- A gibibyte in bounded memory ----

/// A body of one file upload of `size` bytes, made chunk by chunk as it is
/// read and never held whole: the content repeats a block holding CRs,
/// LFs, a boundary cut short and a boundary followed by neither CRLF nor
/// `--`, so that chunk edges fall inside near-delimiters.
struct Upload {
    head: Vec<u8>,
    /// Two periods of the content, so any piece of one period is a slice.
    block: Bytes,
    period: usize,
    size: u64,
    tail: Vec<u8>,
}

impl Upload {
    const BOUNDARY: &[u8] = b"----supercellFormBoundary7MA4YWxkTrZu0gW";

    fn new(size: u64) -> Upload {
        let period = 64 * 1024 + 17;
        let mut one: Vec<u8> = (0..period).map(|i| b'a' + (i % 23) as u8).collect();
        let boundary = Upload::BOUNDARY;
        let near = [
            [b"\r\n--", &boundary[..boundary.len() - 1], b"\r\n"].concat(),
            [b"\r\n--", boundary, b"-x"].concat(),
            b"\r\r\n\n--\r".to_vec(),
        ];
        for (i, piece) in near.iter().enumerate() {
            let at = (i + 1) * period / 4;
            one[at..at + piece.len()].copy_from_slice(piece);
        }
        let head = [
            b"--",
            boundary,
            b"\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"big.bin\"\r\n",
            b"Content-Type: application/octet-stream\r\n\r\n",
        ]
        .concat();
        Upload {
            head,
            block: [&one[..], &one[..]].concat().into(),
            period,
            size,
            tail: [b"\r\n--", boundary, b"--\r\n"].concat(),
        }
    }

    fn len(&self) -> u64 {
        self.head.len() as u64 + self.size + self.tail.len() as u64
    }

    /// The body's bytes at `start..start + len`, sliced from the block when
    /// they are all content.
    fn bytes(&self, start: u64, len: usize) -> Bytes {
        let content_start = self.head.len() as u64;
        let content_end = content_start + self.size;
        let end = start + len as u64;
        if start >= content_start && end <= content_end {
            return self.content(start - content_start, len);
        }
        (start..end)
            .map(|at| match at {
                _ if at < content_start => self.head[at as usize],
                _ if at < content_end => self.content(at - content_start, 1)[0],
                _ => self.tail[(at - content_end) as usize],
            })
            .collect::<Vec<u8>>()
            .into()
    }

    /// The content at `offset..offset + len`, `len` at most one period.
    fn content(&self, offset: u64, len: usize) -> Bytes {
        let at = (offset % self.period as u64) as usize;
        self.block.slice(at..at + len)
    }
}

#[test]
fn a_gibibyte_upload_streams_in_bounded_memory() {
    // 1 GiB in a release build; a debug build streams 64 MiB, which
    // checks the same in the time CI gives a debug test.
    let size: u64 = if cfg!(debug_assertions) {
        64 << 20
    } else {
        1 << 30
    };
    let upload = Upload::new(size);
    let chunk_len = 64 * 1024;
    let config = ParseMultipartConfig::default();
    let bound = buffer_bound(&config, Upload::BOUNDARY.len());
    let mut parser = MultipartParser::new(Upload::BOUNDARY, config).unwrap();

    let started = Instant::now();
    let (mut received, mut most_held, mut parts, mut ended) = (0u64, 0, 0, false);
    let mut at = 0;
    while at < upload.len() {
        let len = chunk_len.min((upload.len() - at) as usize);
        parser.feed(upload.bytes(at, len));
        at += len as u64;
        while let Some(event) = parser.next_event().unwrap() {
            most_held = most_held.max(parser.buffered_len());
            match event {
                MultipartEvent::PartStart { filename, .. } => {
                    assert_eq!(filename.as_deref(), Some("big.bin"));
                    parts += 1;
                }
                MultipartEvent::PartData(data) => {
                    assert!(data.len() <= upload.period);
                    assert_eq!(data, upload.content(received, data.len()));
                    received += data.len() as u64;
                }
                MultipartEvent::PartEnd => {}
                MultipartEvent::End => ended = true,
            }
        }
        most_held = most_held.max(parser.buffered_len());
    }
    parser.finish().unwrap();
    let elapsed = started.elapsed();
    eprintln!(
        "{} MiB in {elapsed:.2?} ({:.0} MiB/s), at most {most_held} bytes held",
        size >> 20,
        size as f64 / (1 << 20) as f64 / elapsed.as_secs_f64()
    );
    assert_eq!((received, parts, ended), (size, 1, true));
    assert!(
        most_held <= 2 * (Upload::BOUNDARY.len() + 5),
        "{most_held} bytes held"
    );
    assert!(most_held <= bound);
    if !cfg!(debug_assertions) {
        assert!(elapsed.as_secs() < 30, "{elapsed:?}");
    }
}

#[test]
fn a_boundary_that_overlaps_itself_costs_linear_time() {
    // `--ab` repeated holds the delimiter `--ab--ab…--ab-` every four
    // bytes, each time followed by `-a`: content. Checking each one from
    // its start would read every byte four thousand times.
    let delimiter = format!("{}-", "--ab".repeat(4000));
    let boundary = &delimiter.as_bytes()[2..];
    let content = "--ab".repeat(256 * 1024);
    let head = format!("{delimiter}\r\nContent-Disposition: form-data; name=a\r\n\r\n");
    let body = [
        head.as_bytes(),
        content.as_bytes(),
        b"\r\n",
        delimiter.as_bytes(),
        b"--",
    ]
    .concat();
    let started = Instant::now();
    let cuts: Vec<usize> = (1..body.len()).step_by(64 * 1024).collect();
    let (arguments, _) = stream(boundary, DEFAULT, &body, &cuts).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(arguments["a"], [content.as_bytes()]);
    assert!(elapsed.as_secs() < 5, "{elapsed:?}");
    assert_agree(boundary, DEFAULT, &body, &cuts);
}

// ---- Property tests against the whole-body parser ----

/// Text for a header parameter: printable ASCII and some non-ASCII.
fn header_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range(' ', '~'),
            1 => proptest::char::range('\u{a0}', '\u{2fff}'),
        ],
        1..12,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Content built from pieces that look like the framing around it: CR,
/// LF, dashes, a boundary cut short, a boundary followed by neither CRLF
/// nor `--`, and random bytes.
fn content(boundary: String) -> impl Strategy<Value = Vec<u8>> {
    let cut = boundary.clone();
    let piece = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..12),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"--".to_vec()),
        Just(b"\r\n--".to_vec()),
        (0..cut.len()).prop_map(move |k| format!("\r\n--{}", &cut[..k]).into_bytes()),
        Just(format!("\r\n--{boundary}-x").into_bytes()),
        Just(format!("--{boundary}x").into_bytes()),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

#[derive(Clone, Debug)]
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    content: Vec<u8>,
}

fn part(boundary: String) -> impl Strategy<Value = Part> {
    (
        header_text(),
        proptest::option::of(header_text()),
        proptest::option::of("[a-z]{1,8}/[a-z0-9.+-]{1,12}"),
        content(boundary),
    )
        .prop_map(|(name, filename, content_type, content)| Part {
            name,
            filename,
            content_type,
            content,
        })
}

/// A boundary of RFC 2046's characters and the parts of a form.
fn form() -> impl Strategy<Value = (String, Vec<Part>)> {
    "[A-Za-z0-9'()+_,./:=?-]{1,24}".prop_flat_map(|boundary| {
        let parts = proptest::collection::vec(part(boundary.clone()), 0..6);
        (Just(boundary), parts)
    })
}

/// The form as a browser sends it, and where each part's delimiter line
/// begins.
fn encode(boundary: &str, parts: &[Part]) -> (Vec<u8>, Vec<usize>) {
    let mut body = Vec::new();
    let mut starts = Vec::new();
    for part in parts {
        starts.push(body.len());
        let mut head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name={}",
            quote(&part.name)
        );
        if let Some(filename) = &part.filename {
            head.push_str(&format!("; filename={}", quote(filename)));
        }
        if let Some(content_type) = &part.content_type {
            head.push_str(&format!("\r\nContent-Type: {content_type}"));
        }
        head.push_str("\r\n\r\n");
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(&part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (body, starts)
}

/// Whether the framing of `body` is the encoder's: delimiter lines only
/// at `starts`, and one closing delimiter, at the end.
fn framed_as_encoded(boundary: &str, body: &[u8], starts: &[usize]) -> bool {
    let separator = format!("--{boundary}\r\n");
    let close = format!("--{boundary}--");
    let found: Vec<usize> = memmem::find_iter(body, separator.as_bytes()).collect();
    found == starts && memmem::find(body, close.as_bytes()) == memmem::rfind(body, close.as_bytes())
}

/// What the form holds, as the parsers give it.
fn expected(parts: Vec<Part>) -> (Arguments, Files) {
    let (mut arguments, mut files) = (Arguments::default(), Files::default());
    for part in parts {
        match part.filename {
            Some(filename) => files.entry(part.name).or_default().push(HttpFile {
                filename,
                body: part.content.into(),
                content_type: part
                    .content_type
                    .unwrap_or_else(|| "application/unknown".to_owned()),
            }),
            None => arguments
                .entry(part.name)
                .or_default()
                .push(part.content.into()),
        }
    }
    (arguments, files)
}

/// Offsets at which to cut a body of `len` bytes: the chosen ones, or
/// every byte.
fn cuts(len: usize, chosen: &[prop::sample::Index], bytewise: bool) -> Vec<usize> {
    if bytewise {
        return (1..len).collect();
    }
    let mut cuts: Vec<usize> = chosen.iter().map(|i| i.index(len + 1)).collect();
    cuts.sort_unstable();
    cuts
}

/// One change to a body: bytes removed, bytes of the framing inserted, or
/// a byte replaced.
#[derive(Clone, Debug)]
enum Mutation {
    Remove(prop::sample::Index, usize),
    Insert(prop::sample::Index, Vec<u8>),
    Replace(prop::sample::Index, u8),
}

fn mutation(boundary: String) -> impl Strategy<Value = Mutation> {
    let insert = prop_oneof![
        Just(b"\r\n".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        Just(b"--".to_vec()),
        Just(b"-".to_vec()),
        Just(b"\r".to_vec()),
        Just(format!("--{boundary}").into_bytes()),
        Just(format!("--{boundary}\r\n").into_bytes()),
        Just(format!("--{boundary}--").into_bytes()),
        Just(b"Content-Disposition: form-data; name=x\r\n\r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..4),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), 1usize..8).prop_map(|(at, n)| Mutation::Remove(at, n)),
        (any::<prop::sample::Index>(), insert).prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(at, b)| Mutation::Replace(at, b)),
    ]
}

fn mutate(body: &mut Vec<u8>, mutation: &Mutation) {
    match mutation {
        Mutation::Remove(at, n) => {
            let at = at.index(body.len() + 1);
            body.drain(at..(at + n).min(body.len()));
        }
        Mutation::Insert(at, bytes) => {
            let at = at.index(body.len() + 1);
            body.splice(at..at, bytes.iter().copied());
        }
        Mutation::Replace(at, byte) => {
            if !body.is_empty() {
                let at = at.index(body.len());
                body[at] = *byte;
            }
        }
    }
}

fn config() -> impl Strategy<Value = ParseMultipartConfig> {
    prop_oneof![
        3 => Just(DEFAULT),
        1 => (0usize..6, 0usize..160).prop_map(|(max_parts, max_part_header_size)| {
            ParseMultipartConfig { max_parts, max_part_header_size }
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A generated form cut anywhere streams to the fields and files the
    /// whole-body parser reads, which are the form's own when its framing
    /// is the encoder's.
    #[test]
    fn prop_forms_split_anywhere(
        (boundary, parts) in form(),
        chosen in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
        bytewise in proptest::bool::weighted(0.2),
        quoted in any::<bool>(),
    ) {
        let (body, starts) = encode(&boundary, &parts);
        let cuts = cuts(body.len(), &chosen, bytewise);
        let given = if quoted { format!("\"{boundary}\"") } else { boundary.clone() };
        let streamed = stream(given.as_bytes(), DEFAULT, &body, &cuts);
        let parsed = whole(given.as_bytes(), DEFAULT, &body);
        let framed = framed_as_encoded(&boundary, &body, &starts);
        match (streamed, parsed) {
            (Ok(streamed), Ok(parsed)) => {
                prop_assert_eq!(&streamed, &parsed);
                if framed {
                    prop_assert_eq!(streamed, expected(parts));
                }
            }
            (Err(_), Err(_)) => prop_assert!(!framed),
            (streamed, parsed) => {
                prop_assert!(false, "stream {:?}, whole body {:?}", streamed, parsed)
            }
        }
    }

    /// A form with a few bytes changed gets the same verdict, and when it
    /// is accepted the same fields and files, from both parsers.
    #[test]
    fn prop_mutated_forms_same_verdict(
        ((boundary, parts), mutations) in form().prop_flat_map(|(boundary, parts)| {
            let mutations = proptest::collection::vec(mutation(boundary.clone()), 1..4);
            (Just((boundary, parts)), mutations)
        }),
        config in config(),
        chosen in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
        bytewise in proptest::bool::weighted(0.2),
    ) {
        let (mut body, _) = encode(&boundary, &parts);
        for mutation in &mutations {
            mutate(&mut body, mutation);
        }
        let cuts = cuts(body.len(), &chosen, bytewise);
        let streamed = stream(boundary.as_bytes(), config, &body, &cuts);
        let parsed = whole(boundary.as_bytes(), config, &body);
        match (&streamed, &parsed) {
            (Ok(streamed), Ok(parsed)) => prop_assert_eq!(streamed, parsed),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "stream {:?}, whole body {:?}", streamed, parsed),
        }
    }

    /// Bytes from the alphabet of the framing, with a short boundary that
    /// may overlap itself, and small limits: both parsers agree.
    #[test]
    fn prop_framing_bytes_same_verdict(
        body in proptest::collection::vec(
            prop_oneof![Just(b'-'), Just(b'\r'), Just(b'\n'), Just(b'a'), Just(b'b'), Just(b'=')],
            0..96,
        ),
        boundary in "[-ab]{1,3}",
        max_parts in 0usize..4,
        max_part_header_size in 0usize..24,
        chosen in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
        bytewise in any::<bool>(),
    ) {
        let mut body = body;
        // Headers that parse, so that some parts are accepted.
        body.splice(0..0, format!("--{boundary}\r\nContent-Disposition:form-data;name=a\r\n\r\n").bytes());
        let config = ParseMultipartConfig { max_parts, max_part_header_size: max_part_header_size + 30 };
        let cuts = cuts(body.len(), &chosen, bytewise);
        let streamed = stream(boundary.as_bytes(), config, &body, &cuts);
        let parsed = whole(boundary.as_bytes(), config, &body);
        match (&streamed, &parsed) {
            (Ok(streamed), Ok(parsed)) => prop_assert_eq!(streamed, parsed),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "stream {:?}, whole body {:?}", streamed, parsed),
        }
    }
}
