//! [`MultipartParser`]: a `multipart/form-data` body read as it arrives, in
//! pieces split anywhere, without holding the content of its parts.

use std::collections::VecDeque;

use bytes::{Buf, Bytes};
use memchr::memmem;

use super::multipart::dash_boundary;
use super::multipart_delimiter::{Delimiter, Scan};
use super::multipart_head::PartHead;
use super::{HttpHeaders, MultipartError, ParseMultipartConfig};

/// What a [`MultipartParser`] read next from the body.
///
/// A body gives `PartStart`, any number of `PartData`, and `PartEnd` for
/// each part in order, then `End`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MultipartEvent {
    /// A part begins; its headers were read in full.
    PartStart {
        /// The `name` of its `Content-Disposition` (never empty).
        name: String,
        /// The `filename` of its `Content-Disposition` (decoded as
        /// [`parse_header_value`](super::parse_header_value) does, RFC 2231
        /// `filename*` included), if the part is a file; an empty file name
        /// makes the part a plain field, as
        /// [`parse_multipart_form_data`](super::parse_multipart_form_data)
        /// reads it.
        filename: Option<String>,
        /// The part's `Content-Type`. Default: `application/unknown` for a
        /// file (as [`HttpFile`](super::HttpFile)), `text/plain` for a
        /// field (RFC 7578, section 4.4).
        content_type: String,
        /// All of the part's header fields.
        headers: HttpHeaders,
    },
    /// The next piece of the part's content (never empty). A piece that
    /// lies within one fed chunk shares that chunk's memory.
    PartData(Bytes),
    /// The part's content is complete.
    PartEnd,
    /// The closing `--boundary--` was read; what follows it is ignored.
    End,
}

/// A streaming `multipart/form-data` parser (RFC 7578 and RFC 2046
/// framing): the body is fed in chunks split anywhere, and the parser
/// gives [`MultipartEvent`]s as soon as it can tell them, so that an upload
/// of any size can be written where it belongs while it arrives (for a
/// handler's `data_received`).
///
/// It is sans-IO: [`feed`](Self::feed) hands it a chunk,
/// [`next_event`](Self::next_event) returns the next event or `Ok(None)`
/// when it needs more input, and [`finish`](Self::finish) tells whether the
/// body was complete once all of it was fed.
///
/// It accepts what [`parse_multipart_form_data_with`](super::parse_multipart_form_data_with)
/// accepts, read up to the first `--boundary--` (which ends the body here,
/// as it cannot look ahead for a later one), and gives the same fields and
/// files: bytes before the first boundary are read as a part, parts without
/// content between two boundaries are skipped, the first malformed part is
/// an error, and more than [`ParseMultipartConfig::max_parts`] parts or a
/// part's headers longer than [`ParseMultipartConfig::max_part_header_size`]
/// are errors. A boundary holding CR or LF is refused (no header value can
/// carry one).
///
/// It holds no more than `max_part_header_size + 2 × boundary length + 10`
/// bytes of its own at any time ([`buffered_len`](Self::buffered_len)),
/// whatever the size of a part: content is handed out as it is found,
/// except a few bytes that may begin a boundary. Its work is linear in the
/// size of the body, plus at most the boundary's length per chunk fed; no
/// input makes it panic.
///
/// ```
/// use bytes::Bytes;
/// use supercell::httputil::{MultipartEvent, MultipartParser, ParseMultipartConfig};
///
/// let body: &[u8] = b"--XyZ\r\n\
///     Content-Disposition: form-data; name=\"title\"\r\n\r\n\
///     Hello\r\n\
///     --XyZ\r\n\
///     Content-Disposition: form-data; name=\"upload\"; filename=\"h\xc3\xa9.txt\"\r\n\
///     Content-Type: text/plain\r\n\r\n\
///     file body\r\n\
///     --XyZ--\r\n";
/// let mut parser = MultipartParser::new(b"XyZ", ParseMultipartConfig::default()).unwrap();
/// let mut file: Vec<u8> = Vec::new(); // or a std::fs::File, or a tokio one
/// let mut in_upload = false;
/// // The body as it may come from the network: here in 7-byte chunks.
/// for chunk in body.chunks(7) {
///     parser.feed(Bytes::copy_from_slice(chunk));
///     while let Some(event) = parser.next_event().unwrap() {
///         match event {
///             MultipartEvent::PartStart { name, filename, content_type, .. } => {
///                 in_upload = filename.is_some();
///                 if in_upload {
///                     assert_eq!((name.as_str(), content_type.as_str()), ("upload", "text/plain"));
///                     assert_eq!(filename.as_deref(), Some("hé.txt"));
///                 }
///             }
///             MultipartEvent::PartData(data) if in_upload => file.extend_from_slice(&data),
///             MultipartEvent::PartData(_) | MultipartEvent::PartEnd | MultipartEvent::End => {}
///         }
///         assert!(parser.buffered_len() <= 10 * 1024 + 2 * 3 + 10);
///     }
/// }
/// parser.finish().unwrap();
/// assert_eq!(file, b"file body");
///
/// let mut parser = MultipartParser::new(b"XyZ", ParseMultipartConfig::default()).unwrap();
/// parser.feed(Bytes::from_static(b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nx"));
/// while parser.next_event().unwrap().is_some() {}
/// assert!(parser.finish().is_err()); // the body ended before `--XyZ--`
/// ```
pub struct MultipartParser {
    cursor: Cursor,
    /// Bytes copied from chunks that were used up while a delimiter or a
    /// part's headers could not be told yet.
    held: Vec<u8>,
    /// Chunks fed and not yet read.
    input: VecDeque<Bytes>,
    /// The error returned, returned again by every later call.
    failed: Option<MultipartError>,
}

impl MultipartParser {
    /// A parser of a body whose `Content-Type` has this `boundary`
    /// parameter (surrounding double quotes are removed), within the
    /// limits of `config`.
    ///
    /// An empty boundary, or one holding CR or LF, is an error.
    pub fn new(
        boundary: &[u8],
        config: ParseMultipartConfig,
    ) -> Result<MultipartParser, MultipartError> {
        let needle = dash_boundary(boundary)?;
        if needle.iter().any(|&b| b == b'\r' || b == b'\n') {
            return Err(MultipartError::BoundaryLineBreak);
        }
        Ok(MultipartParser {
            cursor: Cursor {
                state: State::PART_START,
                delimiter: Delimiter::new(&needle),
                config,
                parts: 0,
            },
            held: Vec::new(),
            input: VecDeque::new(),
            failed: None,
        })
    }

    /// Hands the parser the next chunk of the body. Events are then read
    /// with [`next_event`](Self::next_event); chunks fed before that are
    /// read in order. After [`MultipartEvent::End`] or an error, chunks
    /// are dropped unread.
    pub fn feed(&mut self, chunk: Bytes) {
        if !chunk.is_empty() && self.failed.is_none() && !matches!(self.cursor.state, State::Done) {
            self.input.push_back(chunk);
        }
    }

    /// The next event of the body, or `Ok(None)` when the chunks fed so far
    /// hold no more (or when the body is over).
    ///
    /// An error is final: this and [`finish`](Self::finish) return it
    /// again on every later call.
    pub fn next_event(&mut self) -> Result<Option<MultipartEvent>, MultipartError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if let State::Closing = self.cursor.state {
            self.cursor.state = State::Done;
            self.held = Vec::new();
            self.input.clear();
            return Ok(Some(MultipartEvent::End));
        }
        loop {
            let progress = if self.held.is_empty() {
                self.step_in_chunk()
            } else {
                self.step_in_held()
            };
            match progress {
                Ok(Progress::Event(event)) => return Ok(Some(event)),
                Ok(Progress::Continue) => {}
                Ok(Progress::NeedInput) => return Ok(None),
                Err(error) => {
                    self.failed = Some(error.clone());
                    self.held = Vec::new();
                    self.input.clear();
                    return Err(error);
                }
            }
        }
    }

    /// Tells whether the body was complete, to call once all of it was fed
    /// and [`next_event`](Self::next_event) returned `Ok(None)`: `Ok(())`
    /// if its closing `--boundary--` was read,
    /// [`MultipartError::NoFinalBoundary`] if not, or the error already
    /// returned.
    pub fn finish(&self) -> Result<(), MultipartError> {
        match (&self.failed, &self.cursor.state) {
            (Some(error), _) => Err(error.clone()),
            (None, State::Closing | State::Done) => Ok(()),
            (None, _) => Err(MultipartError::NoFinalBoundary),
        }
    }

    /// How many bytes the parser holds copied from chunks it used up: the
    /// start of a part's headers, or the few bytes at the end of a chunk
    /// that may begin a boundary. Never more than
    /// `max_part_header_size + 2 × boundary length + 10`.
    pub fn buffered_len(&self) -> usize {
        self.held.len()
    }

    /// A step over the first chunk, when nothing is held: content is
    /// sliced from the chunk; what cannot be told yet is copied into
    /// `held`.
    fn step_in_chunk(&mut self) -> Result<Progress, MultipartError> {
        let Some(chunk) = self.input.front_mut() else {
            return Ok(Progress::NeedInput);
        };
        let (consumed, output) = self.cursor.step(chunk)?;
        let taken = chunk.split_to(consumed);
        let progress = match output {
            Some(Output::Data) => Progress::Event(MultipartEvent::PartData(taken)),
            Some(Output::Event(event)) => Progress::Event(event),
            None => {
                if consumed == 0 {
                    self.held.extend_from_slice(chunk);
                    chunk.clear();
                }
                Progress::Continue
            }
        };
        if chunk.is_empty() {
            self.input.pop_front();
        }
        Ok(progress)
    }

    /// A step over the held bytes followed by the first bytes of the next
    /// chunk: enough of them that, inside a part's content, the step gets
    /// past the held bytes and the next step reads the chunk itself.
    fn step_in_held(&mut self) -> Result<Progress, MultipartError> {
        let old = self.held.len();
        let lookahead = self.cursor.delimiter.len() + 3;
        let copied = self.input.front().map_or(0, |chunk| {
            let copied = chunk.len().min(lookahead);
            self.held.extend_from_slice(&chunk[..copied]);
            copied
        });
        let (consumed, output) = self.cursor.step(&self.held)?;
        let event = match output {
            Some(Output::Data) => Some(MultipartEvent::PartData(Bytes::copy_from_slice(
                &self.held[..consumed],
            ))),
            Some(Output::Event(event)) => Some(event),
            None => None,
        };
        let advance = if consumed >= old {
            self.held.clear();
            consumed - old
        } else {
            self.held.drain(..consumed);
            copied
        };
        if let Some(chunk) = self.input.front_mut() {
            chunk.advance(advance);
            if chunk.is_empty() {
                self.input.pop_front();
            }
        }
        Ok(match event {
            Some(event) => Progress::Event(event),
            None if consumed == 0 && copied == 0 => Progress::NeedInput,
            None => Progress::Continue,
        })
    }
}

/// What a call of the driver did.
enum Progress {
    Event(MultipartEvent),
    /// Input was used up without an event; there may be more.
    Continue,
    NeedInput,
}

/// Where the parser is in the body, and what it reads with.
struct Cursor {
    state: State,
    delimiter: Delimiter,
    config: ParseMultipartConfig,
    /// Parts started so far.
    parts: usize,
}

/// Where a window handed to [`Cursor::step`] begins.
enum State {
    /// At the start of a part, or inside its headers: the window begins
    /// where the part does (the body's first part begins at its first
    /// byte, so a preamble is read as a part). No `\r\n\r\n` begins in it
    /// before `crlf_from`, and no delimiter that ends the part before
    /// `delimiter_from`.
    Head {
        crlf_from: usize,
        delimiter_from: usize,
    },
    /// Inside a part's content.
    Body,
    /// Past the closing delimiter of a part: the next call of
    /// [`MultipartParser::next_event`] returns `End`. The rest is ignored.
    Closing,
    /// `End` was returned; the rest is ignored.
    Done,
}

impl State {
    const PART_START: State = State::Head {
        crlf_from: 0,
        delimiter_from: 0,
    };
}

/// What a step produced besides consuming the first bytes of its window.
enum Output {
    /// The consumed bytes are part content.
    Data,
    Event(MultipartEvent),
}

/// How many bytes of its window a step consumed, and what it found.
type Step = Result<(usize, Option<Output>), MultipartError>;

impl Cursor {
    /// Reads as far into `window` as can be told without the bytes after
    /// it. Consuming nothing and finding nothing means it needs more
    /// bytes; the next window then begins with the same bytes.
    fn step(&mut self, window: &[u8]) -> Step {
        match self.state {
            State::Head {
                crlf_from,
                delimiter_from,
            } => self.head(window, crlf_from, delimiter_from),
            State::Body => self.body(window),
            State::Closing | State::Done => Ok((window.len(), None)),
        }
    }

    /// The start of a part: a delimiter right away (a part without bytes,
    /// skipped, or the end of the body), or headers ended by an empty
    /// line before any delimiter.
    fn head(&mut self, window: &[u8], crlf_from: usize, delimiter_from: usize) -> Step {
        let n = self.delimiter.len();
        let head_end = memmem::find(&window[crlf_from..], b"\r\n\r\n").map(|at| crlf_from + at);
        // A delimiter holds no CR, so one that ends the part before its
        // empty line lies whole before that line, its CRLF at most on it.
        let searched = head_end.map_or(window, |end| &window[..end + 2]);
        let open = match self.delimiter.scan(searched, delimiter_from) {
            Scan::Framing { at, .. } if at > 0 => return Err(MultipartError::MissingHeaders),
            Scan::Framing { last: false, .. } => {
                self.state = State::PART_START;
                return Ok((n + 2, None));
            }
            Scan::Framing { last: true, .. } => {
                self.state = State::Done;
                return Ok((n + 2, Some(Output::Event(MultipartEvent::End))));
            }
            Scan::Open(open) => open,
        };
        if let Some(end) = head_end {
            return self
                .part_start(&window[..end])
                .map(|event| (end + 4, Some(event)));
        }
        let limit = (self.config.max_part_header_size.saturating_add(4)).max(n + 2);
        if window.len() >= limit {
            return Err(MultipartError::HeaderTooLarge(
                self.config.max_part_header_size,
            ));
        }
        self.state = State::Head {
            crlf_from: window.len().saturating_sub(3),
            delimiter_from: open,
        };
        Ok((0, None))
    }

    /// The `PartStart` of a part whose headers are `block`.
    fn part_start(&mut self, block: &[u8]) -> Result<Output, MultipartError> {
        if self.parts == self.config.max_parts {
            return Err(MultipartError::TooManyParts(self.config.max_parts));
        }
        let mut head = PartHead::parse(block, &self.config)?;
        let name = head.take_name()?;
        let filename = head.take_filename();
        let content_type = head.content_type(match filename {
            Some(_) => "application/unknown",
            None => "text/plain",
        });
        self.parts += 1;
        self.state = State::Body;
        Ok(Output::Event(MultipartEvent::PartStart {
            name,
            filename,
            content_type,
            headers: head.headers,
        }))
    }

    /// Content up to the first delimiter followed by CRLF or `--`; a
    /// delimiter followed by anything else is content. Content that may be
    /// the CRLF before a delimiter the next bytes complete is held back.
    fn body(&mut self, window: &[u8]) -> Step {
        let open = match self.delimiter.scan(window, 0) {
            Scan::Framing { at, last } => return self.part_end(window, at, last),
            Scan::Open(open) => open,
        };
        let content = if window[..open].ends_with(b"\r\n") {
            open - 2
        } else if open == window.len() && window.ends_with(b"\r") {
            open - 1
        } else {
            open
        };
        Ok((content, (content > 0).then_some(Output::Data)))
    }

    /// The delimiter at `at` ends the part (and the body if `last`): the
    /// content before its CRLF, then `PartEnd`. Before the window lies the
    /// part's empty line or content that is not such a CRLF (that would
    /// have been held back), so a delimiter in the window's first two
    /// bytes ends a part without its CRLF.
    fn part_end(&mut self, window: &[u8], at: usize, last: bool) -> Step {
        if at < 2 || window[at - 2..at] != *b"\r\n" {
            return Err(MultipartError::MissingCrlf);
        }
        if at > 2 {
            return Ok((at - 2, Some(Output::Data)));
        }
        self.state = if last {
            State::Closing
        } else {
            State::PART_START
        };
        Ok((
            at + self.delimiter.len() + 2,
            Some(Output::Event(MultipartEvent::PartEnd)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::httputil::{Arguments, Files, parse_multipart_form_data_with};

    const CONFIG: ParseMultipartConfig = ParseMultipartConfig {
        max_parts: 100,
        max_part_header_size: 10 * 1024,
    };

    fn parser(boundary: &[u8]) -> MultipartParser {
        MultipartParser::new(boundary, CONFIG).unwrap()
    }

    /// The events of a body fed in `chunks`, neighbouring `PartData`
    /// joined, and then `finish`'s verdict; the parser's buffer is checked
    /// after every call.
    fn run<'a>(
        parser: &mut MultipartParser,
        chunks: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Vec<MultipartEvent>, MultipartError> {
        let bound = CONFIG.max_part_header_size + 2 * (parser.cursor.delimiter.len() - 2) + 10;
        let mut events: Vec<MultipartEvent> = Vec::new();
        for chunk in chunks {
            parser.feed(Bytes::copy_from_slice(chunk));
            while let Some(event) = parser.next_event()? {
                assert!(parser.buffered_len() <= bound);
                match (events.last_mut(), event) {
                    (Some(MultipartEvent::PartData(last)), MultipartEvent::PartData(more)) => {
                        *last = [&last[..], &more[..]].concat().into();
                    }
                    (_, event) => events.push(event),
                }
            }
            assert!(parser.buffered_len() <= bound);
        }
        parser.finish().map(|()| events)
    }

    fn whole(boundary: &[u8], body: &[u8]) -> Result<Vec<MultipartEvent>, MultipartError> {
        run(&mut parser(boundary), [body])
    }

    fn field(name: &str) -> MultipartEvent {
        let mut headers = HttpHeaders::new();
        let disposition = format!("form-data; name={name}");
        headers.add("Content-Disposition", &disposition).unwrap();
        MultipartEvent::PartStart {
            name: name.to_owned(),
            filename: None,
            content_type: "text/plain".to_owned(),
            headers,
        }
    }

    fn data(bytes: &'static [u8]) -> MultipartEvent {
        MultipartEvent::PartData(Bytes::from_static(bytes))
    }

    const TWO_FIELDS: &[u8] = b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\
        one\r\n--bx\r\n-\r\n--b\r\nContent-Disposition: form-data; name=c\r\n\r\n\r\n--b--";

    #[test]
    fn split_anywhere_gives_the_same_events() {
        let want = vec![
            field("a"),
            data(b"one\r\n--bx\r\n-"),
            MultipartEvent::PartEnd,
            field("c"),
            MultipartEvent::PartEnd,
            MultipartEvent::End,
        ];
        assert_eq!(whole(b"b", TWO_FIELDS).unwrap(), want);
        for at in 0..=TWO_FIELDS.len() {
            let (first, second) = TWO_FIELDS.split_at(at);
            assert_eq!(
                run(&mut parser(b"b"), [first, second]).unwrap(),
                want,
                "split at {at}"
            );
        }
        assert_eq!(run(&mut parser(b"b"), TWO_FIELDS.chunks(1)).unwrap(), want);
    }

    #[test]
    fn a_cr_at_the_end_of_a_chunk_waits_for_the_next_byte() {
        let head = b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n".as_slice();
        let chunks = [head, b"x\r", b"\r", b"y\r", b"\n--b--"];
        let events = run(&mut parser(b"b"), chunks).unwrap();
        assert_eq!(events[1], data(b"x\r\ry"));
        let chunks = [head, b"x\r", b"\n-", b"-", b"b", b"-", b"-"];
        let events = run(&mut parser(b"b"), chunks).unwrap();
        assert_eq!(
            events[1..],
            [data(b"x"), MultipartEvent::PartEnd, MultipartEvent::End]
        );
    }

    #[test]
    fn content_is_sliced_from_the_chunk() {
        let mut body = b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n".to_vec();
        body.extend_from_slice(&[b'-'; 4096]);
        body.extend_from_slice(b"\r\n--b--");
        let chunk = Bytes::from(body);
        let mut parser = parser(b"b");
        parser.feed(chunk.clone());
        assert!(matches!(
            parser.next_event(),
            Ok(Some(MultipartEvent::PartStart { .. }))
        ));
        let Ok(Some(MultipartEvent::PartData(content))) = parser.next_event() else {
            panic!("no content");
        };
        assert_eq!(content, [b'-'; 4096].as_slice());
        let range = chunk.as_ptr_range();
        assert!(range.contains(&content.as_ptr()));
        assert_eq!(parser.buffered_len(), 0);
    }

    #[test]
    fn a_delimiter_without_crlf_before_it_is_an_error() {
        let head = b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n".as_slice();
        for chunks in [
            vec![head, b"ab", b"--b--"],
            vec![head, b"a", b"\n--b--"],
            vec![head, b"--b\r\n"],
            vec![head, b"\r", b"--b--"],
        ] {
            assert_eq!(
                run(&mut parser(b"b"), chunks.clone()),
                Err(MultipartError::MissingCrlf),
                "{chunks:?}"
            );
        }
        let events = run(&mut parser(b"b"), [head, b"\r", b"\n", b"--b--"]).unwrap();
        assert_eq!(events[1], MultipartEvent::PartEnd);
    }

    #[test]
    fn bytes_before_the_first_boundary_are_a_part() {
        assert_eq!(
            whole(b"b", b"preamble\r\n--b--"),
            Err(MultipartError::MissingHeaders)
        );
        let events = whole(
            b"b",
            b"Content-Disposition: form-data; name=a\r\n\r\nx\r\n--b--",
        )
        .unwrap();
        assert_eq!(events[..2], [field("a"), data(b"x")]);
    }

    #[test]
    fn parts_without_bytes_are_skipped() {
        assert_eq!(whole(b"b", b"--b--").unwrap(), [MultipartEvent::End]);
        assert_eq!(
            whole(b"b", b"--b\r\n--b\r\n--b--epilogue").unwrap(),
            [MultipartEvent::End]
        );
        assert_eq!(whole(b"b", b""), Err(MultipartError::NoFinalBoundary));
        assert_eq!(
            whole(b"b", b"--b\r\n--b"),
            Err(MultipartError::NoFinalBoundary)
        );
    }

    #[test]
    fn the_first_closing_delimiter_ends_the_body() {
        let body = b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--\r\n\
            --b\r\nbad\r\n--b--";
        let events = whole(b"b", body).unwrap();
        assert_eq!(events.last(), Some(&MultipartEvent::End));
        assert_eq!(events.len(), 4);
        let mut parser = parser(b"b");
        run(&mut parser, [body.as_slice()]).unwrap();
        parser.feed(Bytes::from_static(b"more"));
        assert!(parser.input.is_empty());
        assert_eq!(parser.next_event(), Ok(None));
    }

    #[test]
    fn headers_beyond_the_limit_fail_without_growing_the_buffer() {
        let config = ParseMultipartConfig {
            max_parts: 100,
            max_part_header_size: 40,
        };
        let long =
            b"--b\r\nContent-Disposition: form-data; name=a; x=yyyyyyyyyyy\r\n\r\nv\r\n--b--";
        let mut parser = MultipartParser::new(b"b", config).unwrap();
        let mut error = None;
        for byte in long.chunks(1) {
            parser.feed(Bytes::copy_from_slice(byte));
            if let Err(e) = parser.next_event() {
                error = Some(e);
                break;
            }
            assert!(parser.buffered_len() < 40 + 4);
        }
        assert_eq!(error, Some(MultipartError::HeaderTooLarge(40)));
        let fits = b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--b--";
        let mut parser = MultipartParser::new(b"b", config).unwrap();
        assert!(run(&mut parser, fits.chunks(1)).is_ok());
    }

    #[test]
    fn a_boundary_longer_than_the_header_limit() {
        let config = ParseMultipartConfig {
            max_parts: 100,
            max_part_header_size: 0,
        };
        let boundary = [b'7'; 30];
        let body = [&b"--"[..], &boundary, b"\r\n--", &boundary, b"--"].concat();
        let mut parser = MultipartParser::new(&boundary, config).unwrap();
        assert_eq!(
            run(&mut parser, body.chunks(1)).unwrap(),
            [MultipartEvent::End]
        );
    }

    #[test]
    fn an_error_is_final() {
        let mut parser = parser(b"b");
        parser.feed(Bytes::from_static(
            b"--b\r\nContent-Disposition: inline\r\n\r\n",
        ));
        assert_eq!(parser.next_event(), Err(MultipartError::NotFormData));
        parser.feed(Bytes::from_static(b"x\r\n--b--"));
        assert_eq!(parser.next_event(), Err(MultipartError::NotFormData));
        assert_eq!(parser.finish(), Err(MultipartError::NotFormData));
        assert_eq!((parser.buffered_len(), parser.input.len()), (0, 0));
    }

    #[test]
    fn too_many_parts() {
        let config = ParseMultipartConfig {
            max_parts: 1,
            max_part_header_size: 1024,
        };
        let body = b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b\r\n\
              Content-Disposition: form-data; name=b\r\n\r\n2\r\n--b--";
        let mut parser = MultipartParser::new(b"b", config).unwrap();
        assert_eq!(
            run(&mut parser, [body.as_slice()]),
            Err(MultipartError::TooManyParts(1))
        );
    }

    #[test]
    fn boundaries() {
        for (boundary, error) in [
            (b"".as_slice(), MultipartError::EmptyBoundary),
            (b"\"\"", MultipartError::EmptyBoundary),
            (b"a\rb", MultipartError::BoundaryLineBreak),
            (b"\"\n\"", MultipartError::BoundaryLineBreak),
        ] {
            assert_eq!(
                MultipartParser::new(boundary, CONFIG).err(),
                Some(error),
                "{boundary:?}"
            );
        }
        let body = b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--";
        assert_eq!(whole(b"\"b\"", body), whole(b"b", body));
    }

    #[test]
    fn a_boundary_that_overlaps_itself() {
        // `---` and `-----`: every dash may begin a delimiter.
        let body =
            b"---\r\nContent-Disposition: form-data; name=a\r\n\r\n--\r\n--x-\r\n---\r\n-----";
        let events = run(&mut parser(b"-"), body.chunks(1)).unwrap();
        assert_eq!(
            events[1..],
            [
                data(b"--\r\n--x-"),
                MultipartEvent::PartEnd,
                MultipartEvent::End
            ]
        );
        assert_eq!(whole(b"-", body).unwrap(), events);
        let (mut arguments, mut files) = (Arguments::default(), Files::default());
        let body = Bytes::from_static(body);
        parse_multipart_form_data_with(b"-", &body, &mut arguments, &mut files, &CONFIG).unwrap();
        assert_eq!(arguments["a"], [b"--\r\n--x-".as_slice()]);
    }
}
