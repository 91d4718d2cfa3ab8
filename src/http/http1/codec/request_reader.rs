//! [`RequestHeadReader`]: finds and checks a request head that arrives in
//! pieces with work linear in its size.

use bytes::BytesMut;

use super::ParseError;
use super::head;
use super::request::{
    RequestHead, check_request_line, parse_request_head, parse_request_head_shared, split_complete,
};

/// Reads one request head from a growing read buffer, remembering between
/// calls how far it got: each byte is searched for the end of the head
/// once, and each line is checked once, as it completes, for the errors
/// that can be told early (a malformed request line, a bad header field,
/// a bare CR or LF, NUL...). The full parse runs once, when the empty
/// line ending the head has arrived or the buffer passed the size limit.
/// A head found whole on the first call (the usual case: it arrived in
/// one read) is parsed at once, in one pass, without the search.
///
/// The state describes the front of the buffer: keep one reader per head
/// and let the buffer only grow at its end between calls;
/// [`split`](RequestHeadReader::split) starts over once it returns
/// anything but `Ok(None)`.
#[derive(Clone, Debug, Default)]
pub struct RequestHeadReader {
    /// Bytes after the head's start already searched for its end.
    scanned: usize,
    /// Bytes after the head's start whose complete lines were checked.
    checked: usize,
    /// Bytes looked at and full parses run, for the linearity test.
    #[cfg(test)]
    work: Work,
}

/// What a reader did (counted in tests only).
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default)]
struct Work {
    bytes: usize,
    parses: usize,
}

impl RequestHeadReader {
    /// A reader at the start of a head.
    pub fn new() -> RequestHeadReader {
        RequestHeadReader::default()
    }

    /// [`split_request_head`](super::split_request_head) for a buffer
    /// that grew since the last call: splits the head off the front of
    /// `buf` once it is complete (`buf` keeps what follows), `Ok(None)`
    /// (with `buf` untouched) while it is not.
    pub fn split(
        &mut self,
        buf: &mut BytesMut,
        max_header_size: usize,
    ) -> Result<Option<RequestHead>, ParseError> {
        let result = self.advance(buf, max_header_size);
        if !matches!(result, Ok(None)) {
            self.scanned = 0;
            self.checked = 0;
        }
        result
    }

    fn advance(
        &mut self,
        buf: &mut BytesMut,
        max: usize,
    ) -> Result<Option<RequestHead>, ParseError> {
        if self.scanned == 0
            && let Some(result) = split_complete(buf, max)
        {
            // A head that arrived whole is parsed in one pass.
            self.count_parse();
            return result.map(Some);
        }
        self.advance_in_pieces(buf, max)
    }

    /// [`advance`](Self::advance) for a head that did not arrive whole
    /// (or that the one-pass parse left to the checks here). Kept out of
    /// line, away from the code of the common case.
    #[cold]
    #[inline(never)]
    fn advance_in_pieces(
        &mut self,
        buf: &mut BytesMut,
        max: usize,
    ) -> Result<Option<RequestHead>, ParseError> {
        let Some(start) = head::head_start(buf)? else {
            return Ok(None);
        };
        let window = head::window(buf, start, max);
        if let Some(end) = self.find_end(window) {
            self.count_parse();
            let head = buf.split_to(start + end).freeze();
            return match parse_request_head_shared(&head, max)? {
                Some((request, consumed)) if consumed == head.len() => Ok(Some(request)),
                _ => Err(ParseError::BadLineEnding),
            };
        }
        if buf.len() - start > max {
            // Over the limit: the full parse tells which error it is.
            self.count_parse();
            return match parse_request_head(buf, max) {
                Err(error) => Err(error),
                Ok(_) => Err(ParseError::HeadTooLarge),
            };
        }
        self.check_new_lines(window).map(|()| None)
    }

    /// Continues the search for the CRLFCRLF ending the head in `window`;
    /// the length of the head (after its start) once found.
    fn find_end(&mut self, window: &[u8]) -> Option<usize> {
        let from = self.scanned.min(window.len());
        self.count_bytes(window.len() - from);
        self.scanned = window.len();
        memchr::memchr_iter(b'\n', &window[from..])
            .map(|lf| from + lf)
            .find(|&lf| lf >= 3 && window[lf - 3..lf] == *b"\r\n\r")
            .map(|lf| lf + 1)
    }

    /// Checks the lines of `window` completed since the last call.
    fn check_new_lines(&mut self, window: &[u8]) -> Result<(), ParseError> {
        let from = self.checked.min(window.len());
        let Some(last) = memchr::memrchr(b'\n', &window[from..]) else {
            return Ok(());
        };
        let end = from + last + 1;
        self.count_bytes(end - from);
        let mut line_start = from;
        for lf in memchr::memchr_iter(b'\n', &window[from..end]) {
            let line = &window[line_start..from + lf + 1];
            if !line.ends_with(b"\r\n") {
                return Err(ParseError::BadLineEnding);
            }
            if line_start == 0 {
                check_request_line(line)?;
            } else {
                head::check_header_line(line)?;
            }
            line_start = from + lf + 1;
        }
        self.checked = end;
        Ok(())
    }

    #[cfg(test)]
    fn count_bytes(&mut self, bytes: usize) {
        self.work.bytes += bytes;
    }

    #[cfg(not(test))]
    fn count_bytes(&mut self, _bytes: usize) {}

    #[cfg(test)]
    fn count_parse(&mut self) {
        self.work.parses += 1;
    }

    #[cfg(not(test))]
    fn count_parse(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: usize = 16 * 1024;

    /// A head of 16 K four-byte header lines (64 KiB of them).
    fn long_head() -> Vec<Vec<u8>> {
        let mut lines = vec![b"GET / HTTP/1.1\r\n".to_vec(), b"Host: a\r\n".to_vec()];
        lines.extend(std::iter::repeat_n(b"a:\r\n".to_vec(), LINES));
        lines.push(b"\r\n".to_vec());
        lines
    }

    #[test]
    fn a_head_fed_line_by_line_is_read_in_linear_work() {
        let lines = long_head();
        let total: usize = lines.iter().map(Vec::len).sum();
        let mut reader = RequestHeadReader::new();
        let mut buf = BytesMut::new();
        let mut head = None;
        for line in &lines {
            assert!(head.is_none(), "the head ended early");
            buf.extend_from_slice(line);
            head = reader.split(&mut buf, 2 * total).unwrap();
        }
        let head = head.expect("a complete head");
        assert_eq!(head.headers.len(), LINES + 1);
        assert!(buf.is_empty());
        // Each byte searched once and checked once; one full parse.
        assert!(
            reader.work.bytes <= 2 * total,
            "{} bytes looked at for a head of {total}",
            reader.work.bytes
        );
        assert_eq!(reader.work.parses, 1);
    }

    #[test]
    fn a_head_fed_byte_by_byte_is_read_in_linear_work() {
        let raw = long_head().concat();
        let mut reader = RequestHeadReader::new();
        let mut buf = BytesMut::new();
        let mut head = None;
        for &byte in &raw {
            assert!(head.is_none(), "the head ended early");
            buf.extend_from_slice(&[byte]);
            head = reader.split(&mut buf, 2 * raw.len()).unwrap();
        }
        assert!(head.is_some());
        assert!(reader.work.bytes <= 2 * raw.len());
        assert_eq!(reader.work.parses, 1);
    }

    #[test]
    fn errors_are_found_as_their_line_completes() {
        let cases: [(&[u8], ParseError); 7] = [
            (b"GET / HTTP/1.1\r\nHo st: a\r\n", ParseError::BadHeaderName),
            (b"GET / HTTP/1.1\n", ParseError::BadLineEnding),
            (b"GET / HTTP/1.1\r\nHost: a\n", ParseError::BadLineEnding),
            (b"GET / HTTP/1.1\r\nA: b\rc\r\n", ParseError::BadHeaderValue),
            (b"GET / HTTP/1.1\r\nA: b\0c\r\n", ParseError::BadHeaderValue),
            (b"GET / HTTP/2.0\r\n", ParseError::UnsupportedVersion),
            (b"GET  / HTTP/1.1\r\n", ParseError::BadRequestLine),
        ];
        for (raw, error) in cases {
            let mut reader = RequestHeadReader::new();
            let mut buf = BytesMut::new();
            let mut result = Ok(None);
            for &byte in raw {
                buf.extend_from_slice(&[byte]);
                result = reader.split(&mut buf, 1024);
                if result.is_err() {
                    break;
                }
            }
            assert_eq!(result, Err(error), "{raw:?}");
        }
    }

    /// What a reader makes of `raw` arriving whole, and arriving a byte at
    /// a time (the first one parses in one pass, the second line by line).
    fn whole_and_trickled(raw: &[u8]) -> [Result<Option<RequestHead>, ParseError>; 2] {
        let mut whole = BytesMut::from(raw);
        let at_once = RequestHeadReader::new().split(&mut whole, 1024);
        let mut reader = RequestHeadReader::new();
        let mut buf = BytesMut::new();
        let mut trickled = Ok(None);
        for &byte in raw {
            buf.extend_from_slice(&[byte]);
            trickled = reader.split(&mut buf, 1024);
            if !matches!(trickled, Ok(None)) {
                break;
            }
        }
        [at_once, trickled]
    }

    #[test]
    fn a_head_arriving_whole_reads_as_one_arriving_in_pieces() {
        let heads: [&[u8]; 12] = [
            b"GET /a?b HTTP/1.1\r\nHost: h\r\nX-A:  v \r\n\r\n",
            b"\r\nPOST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n",
            b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\n\n",
            b"GET / HTTP/1.1\r\nHo st: h\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n",
            b"GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/2.0\r\nHost: h\r\n\r\n",
            b"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\nA: b\0c\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
        ];
        for raw in heads {
            let [at_once, trickled] = whole_and_trickled(raw);
            assert_eq!(at_once, trickled, "{:?}", String::from_utf8_lossy(raw));
        }
        let [at_once, _] = whole_and_trickled(heads[0]);
        let head = at_once.unwrap().unwrap();
        assert_eq!(head.start_line.path, "/a?b");
        assert_eq!(head.headers.get("x-a"), Some("v"));
    }

    #[test]
    fn a_reader_starts_over_after_a_head() {
        let mut reader = RequestHeadReader::new();
        let mut buf = BytesMut::from(&b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\n"[..]);
        let first = reader.split(&mut buf, 1024).unwrap().unwrap();
        assert_eq!(first.start_line.path, "/a");
        assert_eq!(reader.split(&mut buf, 1024), Ok(None));
        buf.extend_from_slice(b"Host: b\r\n\r\n");
        let second = reader.split(&mut buf, 1024).unwrap().unwrap();
        assert_eq!(second.start_line.path, "/b");
        assert!(buf.is_empty());
    }
}
