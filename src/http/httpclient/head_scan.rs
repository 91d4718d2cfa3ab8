//! [`HeadScan`]: finding the end of a response head that arrives in
//! pieces without searching the same bytes again.

use memchr::memmem;

/// The empty line ending a head, with the CRLF of the line before it.
const HEAD_END: &[u8] = b"\r\n\r\n";

/// The head did not end within `max_header_size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct HeadTooLarge;

/// The search for the CRLFCRLF ending the response head at the front of
/// a read buffer that only grows at its end between calls. It remembers
/// how far it searched: each call looks at the new bytes and the last
/// three old ones (a CRLFCRLF may straddle two reads), so a head
/// trickling in byte by byte costs work linear in its size, not
/// quadratic. Keep one per head.
#[derive(Debug, Default)]
pub(crate) struct HeadScan {
    /// How many bytes at the front of the buffer are known not to start
    /// a CRLFCRLF.
    scanned: usize,
}

impl HeadScan {
    /// The length of the head at the front of `buf`, through its
    /// CRLFCRLF, once it is there; `Ok(None)` while it may still arrive
    /// within `max_header_size` bytes; `Err` once it cannot.
    pub(crate) fn head_len(
        &mut self,
        buf: &[u8],
        max_header_size: usize,
    ) -> Result<Option<usize>, HeadTooLarge> {
        let from = self.scanned.min(buf.len());
        match memmem::find(&buf[from..], HEAD_END) {
            Some(at) if from + at + HEAD_END.len() <= max_header_size => {
                Ok(Some(from + at + HEAD_END.len()))
            }
            Some(_) => Err(HeadTooLarge),
            None if buf.len() > max_header_size => Err(HeadTooLarge),
            None => {
                self.scanned = buf.len().saturating_sub(HEAD_END.len() - 1);
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A head of `headers` header lines, then a body.
    fn response(headers: usize) -> (Vec<u8>, usize) {
        let mut raw = b"HTTP/1.1 200 OK\r\n".to_vec();
        for _ in 0..headers {
            raw.extend_from_slice(b"X-Header: value\r\n");
        }
        raw.extend_from_slice(b"\r\n");
        let head_len = raw.len();
        raw.extend_from_slice(b"body\r\n\r\n");
        (raw, head_len)
    }

    /// Where feeding a response one byte per call stopped.
    struct Fed {
        /// The buffer length at the last call.
        len: usize,
        /// What the last call returned (the first that was not `Ok(None)`).
        result: Result<Option<usize>, HeadTooLarge>,
        /// How many bytes all calls looked at together.
        looked_at: usize,
    }

    fn feed_bytewise(raw: &[u8], max: usize) -> Fed {
        let mut scan = HeadScan::default();
        let mut fed = Fed {
            len: 0,
            result: Ok(None),
            looked_at: 0,
        };
        while fed.len < raw.len() && fed.result == Ok(None) {
            fed.len += 1;
            fed.looked_at += fed.len - scan.scanned.min(fed.len);
            fed.result = scan.head_len(&raw[..fed.len], max);
        }
        fed
    }

    #[test]
    fn a_head_arriving_byte_by_byte_is_found_in_linear_work() {
        let (raw, head_len) = response(4000);
        let fed = feed_bytewise(&raw, raw.len());
        // Found with the byte that completes the CRLFCRLF, not earlier.
        assert_eq!((fed.len, fed.result), (head_len, Ok(Some(head_len))));
        let looked_at = fed.looked_at;
        // The new byte and at most three old ones per call (a rescan from
        // the start would look at head_len² / 2 bytes).
        assert!(
            looked_at <= 4 * head_len,
            "{looked_at} bytes looked at for a head of {head_len}"
        );
    }

    #[test]
    fn a_head_split_anywhere_is_found_at_its_first_crlfcrlf() {
        let (raw, head_len) = response(3);
        for split in 0..=raw.len() {
            let mut scan = HeadScan::default();
            let first = scan.head_len(&raw[..split], 1024);
            let found = match first {
                Ok(None) => scan.head_len(&raw, 1024),
                done => done,
            };
            assert_eq!(found, Ok(Some(head_len)), "split at {split}");
        }
    }

    #[test]
    fn a_head_of_exactly_max_header_size_is_accepted() {
        let (raw, head_len) = response(10);
        let fed = feed_bytewise(&raw, head_len);
        assert_eq!((fed.len, fed.result), (head_len, Ok(Some(head_len))));
        let mut scan = HeadScan::default();
        assert_eq!(scan.head_len(&raw, head_len), Ok(Some(head_len)));
    }

    #[test]
    fn a_head_one_byte_over_max_header_size_is_refused() {
        let (raw, head_len) = response(10);
        let max = head_len - 1;
        // Byte by byte: refused when the buffer passes the limit, which is
        // the moment the last byte of the head arrives.
        let fed = feed_bytewise(&raw, max);
        assert_eq!((fed.len, fed.result), (head_len, Err(HeadTooLarge)));
        // All at once: the CRLFCRLF is there, past the limit.
        let mut scan = HeadScan::default();
        assert_eq!(scan.head_len(&raw, max), Err(HeadTooLarge));
    }

    #[test]
    fn an_unended_head_is_refused_once_the_buffer_passes_the_limit() {
        let raw = vec![b'a'; 101];
        let mut scan = HeadScan::default();
        assert_eq!(scan.head_len(&raw[..100], 100), Ok(None));
        assert_eq!(scan.head_len(&raw, 100), Err(HeadTooLarge));
        let fed = feed_bytewise(&raw, 100);
        assert_eq!((fed.len, fed.result), (101, Err(HeadTooLarge)));
    }
}
