//! [`RequestTarget`]: the text after the method in a request line, held
//! without an allocation when it is short.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// The longest target held inline.
const INLINE: usize = 29;

/// A request-target as sent (`/a?b`, `http://host/a`, `*`...): an
/// immutable string that dereferences to `str`. Targets of up to 29 bytes
/// (nearly all of them) are held inline, so reading a request allocates
/// nothing for its target; longer ones are on the heap.
///
/// ```
/// use supercell::httputil::RequestTarget;
///
/// let target = RequestTarget::from("/search?q=rust");
/// assert_eq!(target, "/search?q=rust");
/// assert_eq!(target.split_once('?'), Some(("/search", "q=rust")));
/// ```
#[derive(Clone)]
pub struct RequestTarget(Repr);

#[derive(Clone)]
enum Repr {
    /// The first `len` bytes are the target's, valid UTF-8 (what follows
    /// them is never read); its first `?` is at `query`, which is `len`
    /// when it has none.
    Inline {
        len: u8,
        query: u8,
        bytes: [u8; INLINE],
    },
    Heap(Box<str>),
}

impl RequestTarget {
    /// The target as a string slice.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes, .. } => {
                let bytes = &bytes[..usize::from(*len)];
                debug_assert!(std::str::from_utf8(bytes).is_ok());
                // SAFETY: `Inline` is only made (in `from` and
                // `from_ascii_window`, below) with its first `len` bytes
                // those of a `&str`, whole, or ASCII checked there: valid
                // UTF-8 (re-checked in debug builds).
                #[allow(unsafe_code)]
                unsafe {
                    std::str::from_utf8_unchecked(bytes)
                }
            }
            Repr::Heap(text) => text,
        }
    }

    /// The path: the target before its first `?`, and for a target in
    /// absolute form (`http://host/path`, as sent to proxies and which
    /// servers must accept), what follows the authority (`/` when nothing
    /// does).
    ///
    /// ```
    /// use supercell::httputil::RequestTarget;
    ///
    /// assert_eq!(RequestTarget::from("/a/b?c").path(), "/a/b");
    /// assert_eq!(RequestTarget::from("http://h.example/a?c").path(), "/a");
    /// assert_eq!(RequestTarget::from("https://h.example").path(), "/");
    /// ```
    pub fn path(&self) -> &str {
        let path = self.split_query().0;
        match after_authority(path) {
            Some("") => "/",
            Some(path) => path,
            None => path,
        }
    }

    /// The target before its first `?`, and what follows that `?` (empty
    /// when there is none).
    ///
    /// ```
    /// use supercell::httputil::RequestTarget;
    ///
    /// assert_eq!(RequestTarget::from("/a?b=c?d").split_query(), ("/a", "b=c?d"));
    /// assert_eq!(RequestTarget::from("/a").split_query(), ("/a", ""));
    /// ```
    pub fn split_query(&self) -> (&str, &str) {
        let text = self.as_str();
        let query = match &self.0 {
            Repr::Inline { query, .. } => usize::from(*query),
            Repr::Heap(_) => query_start(text),
        };
        match (text.get(..query), text.get(query + 1..)) {
            (Some(path), Some(rest)) => (path, rest),
            _ => (text, ""),
        }
    }

    /// The target whose `len` bytes start `window`, visible ASCII as a
    /// request parser found them in its buffer, with its first `?` at
    /// `query` (`None`: it has none). When `window` holds the inline size
    /// or more, its first bytes are copied as one piece of fixed size: no
    /// clearing first, no copy of variable length. (Bytes that are not
    /// ASCII take the checked path, so `as_str` stays sound whatever the
    /// caller passes.)
    pub(crate) fn from_ascii_window(
        window: &[u8],
        len: usize,
        query: Option<usize>,
    ) -> RequestTarget {
        let text = &window[..len];
        debug_assert_eq!(query, text.iter().position(|&b| b == b'?'));
        match window.get(..INLINE) {
            Some(first) if len <= INLINE && text.is_ascii() => RequestTarget(Repr::Inline {
                len: len as u8,
                query: query.unwrap_or(len) as u8,
                bytes: first.try_into().unwrap_or([0; INLINE]),
            }),
            // Visible ASCII is UTF-8.
            _ => RequestTarget::from(std::str::from_utf8(text).unwrap_or_default()),
        }
    }
}

/// Where the first `?` of `text` is; its length when it has none.
fn query_start(text: &str) -> usize {
    // Targets are short: a plain scan beats a searcher's setup.
    text.bytes().position(|b| b == b'?').unwrap_or(text.len())
}

impl From<&str> for RequestTarget {
    fn from(text: &str) -> RequestTarget {
        if text.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            RequestTarget(Repr::Inline {
                len: text.len() as u8,
                query: query_start(text) as u8,
                bytes,
            })
        } else {
            RequestTarget(Repr::Heap(text.into()))
        }
    }
}

impl From<String> for RequestTarget {
    fn from(text: String) -> RequestTarget {
        if text.len() <= INLINE {
            RequestTarget::from(text.as_str())
        } else {
            RequestTarget(Repr::Heap(text.into_boxed_str()))
        }
    }
}

impl From<&String> for RequestTarget {
    fn from(text: &String) -> RequestTarget {
        RequestTarget::from(text.as_str())
    }
}

impl From<RequestTarget> for String {
    fn from(target: RequestTarget) -> String {
        match target.0 {
            Repr::Heap(text) => text.into_string(),
            Repr::Inline { .. } => target.as_str().to_owned(),
        }
    }
}

impl Default for RequestTarget {
    fn default() -> RequestTarget {
        RequestTarget::from("")
    }
}

impl Deref for RequestTarget {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for RequestTarget {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for RequestTarget {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for RequestTarget {
    fn eq(&self, other: &RequestTarget) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for RequestTarget {}

impl PartialEq<str> for RequestTarget {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RequestTarget {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for RequestTarget {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<RequestTarget> for str {
    fn eq(&self, other: &RequestTarget) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<RequestTarget> for &str {
    fn eq(&self, other: &RequestTarget) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<RequestTarget> for String {
    fn eq(&self, other: &RequestTarget) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for RequestTarget {
    fn partial_cmp(&self, other: &RequestTarget) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RequestTarget {
    fn cmp(&self, other: &RequestTarget) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for RequestTarget {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for RequestTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for RequestTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// What follows `http://authority` or `https://authority` (any case) in
/// `target`; `None` when it does not start with either.
fn after_authority(target: &str) -> Option<&str> {
    if target.starts_with('/') {
        return None;
    }
    let scheme_end = target.find("://")?;
    let scheme = &target[..scheme_end];
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let rest = &target[scheme_end + 3..];
    Some(rest.find('/').map_or("", |slash| &rest[slash..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_up_to_the_inline_size_and_past_it_read_back_as_given() {
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 200] {
            let text: String = "/ab".chars().cycle().take(len).collect();
            let from_str = RequestTarget::from(text.as_str());
            let from_string = RequestTarget::from(text.clone());
            assert_eq!(from_str, text);
            assert_eq!(from_string.as_str(), text);
            assert_eq!(String::from(from_str), text);
            assert_eq!(
                matches!(from_string.0, Repr::Inline { .. }),
                len <= INLINE,
                "{len}"
            );
        }
    }

    #[test]
    fn multibyte_text_at_the_inline_edge_stays_whole() {
        // A 3-byte character ending at byte 30: on the heap; at byte 29:
        // inline. From a `&str` and from a `String` alike.
        for (ascii, inline) in [(27, false), (26, true)] {
            let text = format!("/{}\u{20ac}", "a".repeat(ascii - 1));
            assert_eq!(text.len(), ascii + 3);
            for target in [
                RequestTarget::from(text.as_str()),
                RequestTarget::from(text.clone()),
            ] {
                assert_eq!(target, text);
                assert_eq!(matches!(target.0, Repr::Inline { .. }), inline, "{text}");
                assert_eq!(String::from(target), text);
            }
        }
    }

    #[test]
    fn a_target_from_a_parser_window_reads_back_and_splits_at_its_query() {
        let window = b"/a?b=c HTTP/1.1\r\nHost: h\r\n\r\n";
        let target = RequestTarget::from_ascii_window(window, 6, Some(2));
        assert_eq!(target, "/a?b=c");
        assert_eq!(target.split_query(), ("/a", "b=c"));
        let plain = RequestTarget::from_ascii_window(b"/plain", 6, None);
        assert_eq!(plain.split_query(), ("/plain", ""));
        let long = format!("/{}?q HTTP/1.1\r\n", "x".repeat(40));
        let target = RequestTarget::from_ascii_window(long.as_bytes(), 43, Some(41));
        assert!(matches!(target.0, Repr::Heap(_)));
        assert_eq!(target.split_query(), (&long[..41], "q"));
        // Not ASCII: the checked path, never an inline target of it.
        let bytes = "/\u{e9}t\u{e9} HTTP/1.1\r\n.........................".as_bytes();
        assert_eq!(
            RequestTarget::from_ascii_window(bytes, 6, None),
            "/\u{e9}t\u{e9}"
        );
    }

    #[test]
    fn the_default_target_is_empty_and_targets_order_as_their_text() {
        assert_eq!(RequestTarget::default(), "");
        let long = "/b".repeat(20);
        let mut targets = vec![
            RequestTarget::from(long.as_str()),
            RequestTarget::from("/a"),
            RequestTarget::from(&String::from("/c")),
        ];
        targets.sort();
        assert_eq!(targets, ["/a", long.as_str(), "/c"]);
        let c = String::from("/c");
        assert!("/a" == targets[0] && c == targets[2]);
    }

    #[test]
    fn equal_targets_hash_alike_whatever_their_storage() {
        use std::collections::HashSet;
        let long = "/".repeat(INLINE + 5);
        let set: HashSet<RequestTarget> = [
            RequestTarget::from("/a"),
            RequestTarget::from(long.as_str()),
        ]
        .into_iter()
        .collect();
        assert!(set.contains("/a"));
        assert!(set.contains(long.as_str()));
        assert_eq!(format!("{:?}", RequestTarget::from("/a")), "\"/a\"");
    }
}
