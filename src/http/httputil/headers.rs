//! [`HttpHeaders`]: Tornado's `HTTPHeaders`, a case-insensitive, multi-valued
//! header list that keeps the order fields were added in.

use std::fmt;
use std::mem::ManuallyDrop;

use http::header::{HeaderName, HeaderValue, InvalidHeaderName, InvalidHeaderValue};

use super::field_pool;

/// A header name or value that HTTP does not allow.
#[derive(Debug, thiserror::Error)]
pub enum HeaderError {
    /// The name is empty or holds a byte that is not a token character.
    #[error("invalid header name: {0}")]
    Name(#[from] InvalidHeaderName),
    /// The value holds CR, LF, NUL or another control character.
    #[error("invalid header value: {0}")]
    Value(#[from] InvalidHeaderValue),
}

/// `name` parsed, the names responses set all the time found by a
/// case-insensitive comparison without the lowercase copy
/// [`HeaderName::from_bytes`] makes.
pub(crate) fn parse_name(name: &str) -> Result<HeaderName, InvalidHeaderName> {
    use http::header;
    let is = |known: &str| folded_equal(name.as_bytes(), known.as_bytes());
    let known = match name.len() {
        4 if is("etag") => Some(header::ETAG),
        7 if is("expires") => Some(header::EXPIRES),
        8 if is("location") => Some(header::LOCATION),
        10 if is("set-cookie") => Some(header::SET_COOKIE),
        12 if is("content-type") => Some(header::CONTENT_TYPE),
        13 if is("cache-control") => Some(header::CACHE_CONTROL),
        13 if is("last-modified") => Some(header::LAST_MODIFIED),
        14 if is("content-length") => Some(header::CONTENT_LENGTH),
        _ => None,
    };
    match known {
        Some(known) => Ok(known),
        None => HeaderName::from_bytes(name.as_bytes()),
    }
}

/// Whether `name` is `Content-Type`, in any case.
pub(crate) fn is_content_type(name: &str) -> bool {
    name.len() == 12 && folded_equal(name.as_bytes(), b"content-type")
}

/// Whether `text`, its ASCII letters lowercased, is `lower` (of the same
/// length, at least 4 bytes, lowercase): compared a word at a time, the
/// last word overlapping the one before.
fn folded_equal(text: &[u8], lower: &[u8]) -> bool {
    let word = |bytes: &[u8], at: usize| -> u64 {
        if bytes.len() >= 8 {
            u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
        } else {
            u64::from(u32::from_le_bytes(
                bytes[at..at + 4].try_into().unwrap_or_default(),
            ))
        }
    };
    let width = if text.len() >= 8 { 8 } else { 4 };
    if text.len() != lower.len() || text.len() < width {
        return false;
    }
    let last = text.len() - width;
    (0..last)
        .step_by(width)
        .chain([last])
        .all(|at| fold_ascii_upper(word(text, at)) == word(lower, at))
}

/// `word` with each byte that is an ASCII capital letter lowercased.
fn fold_ascii_upper(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    let low7 = word & (ONES * 0x7f);
    // The high bit of each byte: at least `A`, more than `Z`, ASCII.
    let from_a = low7 + ONES * (0x80 - u64::from(b'A'));
    let past_z = low7 + ONES * (0x80 - u64::from(b'Z') - 1);
    let upper = from_a & !past_z & !word & HIGH;
    word | (upper >> 2)
}

/// `value` as a shared static value when it is one that responses set
/// all the time (content types, mostly), so that setting it neither
/// allocates nor copies.
pub(crate) fn common_value(value: &str) -> Option<HeaderValue> {
    /// A value checked at compile time.
    macro_rules! shared {
        ($text:literal) => {{
            const VALUE: HeaderValue = HeaderValue::from_static($text);
            VALUE
        }};
    }
    Some(match value {
        "text/plain" => shared!("text/plain"),
        "text/plain; charset=UTF-8" => shared!("text/plain; charset=UTF-8"),
        "text/html" => shared!("text/html"),
        "text/html; charset=UTF-8" => shared!("text/html; charset=UTF-8"),
        "application/json" => shared!("application/json"),
        "application/json; charset=UTF-8" => shared!("application/json; charset=UTF-8"),
        "application/octet-stream" => shared!("application/octet-stream"),
        "text/css" => shared!("text/css"),
        "application/javascript" => shared!("application/javascript"),
        "no-cache" => shared!("no-cache"),
        "close" => shared!("close"),
        _ => return None,
    })
}

/// HTTP header fields: names compare case-insensitively, a name may appear
/// several times, and iteration yields fields in the order they were added.
///
/// Names are stored as [`http::HeaderName`] (lowercase); the HTTP/1 encoder
/// writes them in the usual `Title-Case`. Values are [`http::HeaderValue`],
/// so CR, LF and NUL can never get into one.
///
/// ```
/// use supercell::httputil::HttpHeaders;
///
/// let mut headers = HttpHeaders::new();
/// headers.add("Set-Cookie", "A=B").unwrap();
/// headers.add("set-cookie", "C=D").unwrap();
/// headers.set("Content-Type", "text/plain").unwrap();
/// assert_eq!(headers.get("SET-COOKIE"), Some("A=B"));
/// assert_eq!(headers.get_list("Set-Cookie"), ["A=B", "C=D"]);
/// assert!(headers.add("X-Bad", "a\r\nb").is_err());
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HttpHeaders {
    /// Given to the thread's pool as the list drops: never dropped in
    /// place, so that no drop of the emptied list follows.
    entries: ManuallyDrop<Vec<(HeaderName, HeaderValue)>>,
}

impl Drop for HttpHeaders {
    /// The list's storage goes to its thread's pool of field lists. A
    /// list that never had room (a response's, when every field it has
    /// is written apart) has nothing to give.
    fn drop(&mut self) {
        if self.entries.capacity() != 0 {
            field_pool::give(ManuallyDrop::into_inner(std::mem::take(&mut self.entries)));
        }
    }
}

impl HttpHeaders {
    /// An empty header list.
    pub fn new() -> HttpHeaders {
        HttpHeaders::default()
    }

    /// An empty header list with room for at least `n` fields, reusing
    /// the storage of a list dropped earlier on this thread when one was
    /// kept (each thread keeps at most 16 lists of 8 to 64 fields).
    pub fn with_capacity(n: usize) -> HttpHeaders {
        HttpHeaders {
            entries: ManuallyDrop::new(field_pool::take(n)),
        }
    }

    /// Appends a field, keeping any earlier ones of the same name
    /// (Tornado's `add`).
    pub fn add(&mut self, name: &str, value: &str) -> Result<(), HeaderError> {
        let name = parse_name(name)?;
        let value = HeaderValue::from_str(value)?;
        self.push((name, value));
        Ok(())
    }

    /// Appends a field; the first one of a list made without room takes
    /// its storage from the thread's pool.
    fn push(&mut self, field: (HeaderName, HeaderValue)) {
        if self.entries.capacity() == 0 {
            *self.entries = field_pool::take(8);
        }
        self.entries.push(field);
    }

    /// Appends an already validated field.
    pub fn append(&mut self, name: HeaderName, value: HeaderValue) {
        self.push((name, value));
    }

    /// Every value, in order, to replace in place (a parser fills in
    /// values it could only slice once the fields were read).
    pub(crate) fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut HeaderValue> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, value)| value)
    }

    /// Replaces every field called `name` by one with `value` (Tornado's
    /// `headers[name] = value`). The new field takes the place of the first
    /// old one, or goes last if there was none.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), HeaderError> {
        let name = parse_name(name)?;
        let value = match common_value(value) {
            Some(value) => value,
            None => HeaderValue::from_str(value)?,
        };
        self.insert(name, value);
        Ok(())
    }

    /// [`set`](Self::set) with an already validated name and value.
    pub fn insert(&mut self, name: HeaderName, value: HeaderValue) {
        match self.entries.iter().position(|(n, _)| *n == name) {
            Some(first) => {
                self.entries[first].1 = value;
                if !self.entries[first + 1..].iter().any(|(n, _)| *n == name) {
                    return;
                }
                let mut index = 0;
                self.entries.retain(|(n, _)| {
                    let keep = index <= first || *n != name;
                    index += 1;
                    keep
                });
            }
            None => self.push((name, value)),
        }
    }

    /// The first value of `name`, if it has one that is valid UTF-8.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_bytes(name)
            .and_then(|value| std::str::from_utf8(value).ok())
    }

    /// The first value of `name` as raw bytes (values may hold obs-text,
    /// bytes 0x80–0xFF, that are not UTF-8).
    pub fn get_bytes(&self, name: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_bytes())
    }

    /// Every value of `name` that is valid UTF-8, in order (Tornado's
    /// `get_list`).
    pub fn get_list(&self, name: &str) -> Vec<&str> {
        self.values(name)
            .filter_map(|value| std::str::from_utf8(value.as_bytes()).ok())
            .collect()
    }

    /// Every value of `name`, in order.
    pub fn values<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a HeaderValue> + use<'a, 'n> {
        self.entries
            .iter()
            .filter(move |(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The first value of the field `name`, by its parsed name (no name
    /// parsing or case folding: for names known in advance).
    pub fn get_value(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Whether a field called `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.entries
            .iter()
            .any(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
    }

    /// Removes every field called `name`; returns how many there were.
    pub fn remove(&mut self, name: &str) -> usize {
        let before = self.entries.len();
        self.entries
            .retain(|(n, _)| !n.as_str().eq_ignore_ascii_case(name));
        before - self.entries.len()
    }

    /// Every field as `(name, value)`, in order (Tornado's `get_all`).
    pub fn get_all(&self) -> impl Iterator<Item = (&HeaderName, &HeaderValue)> {
        self.entries.iter().map(|(n, v)| (n, v))
    }

    /// The number of fields (a name added twice counts twice).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every field.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The first value of `name`, adding `name: value` first if there is
    /// none (Tornado's `setdefault`, from Python's mapping protocol).
    pub fn setdefault(&mut self, name: &str, value: &str) -> Result<&HeaderValue, HeaderError> {
        let index = match self
            .entries
            .iter()
            .position(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
        {
            Some(index) => index,
            None => {
                self.add(name, value)?;
                self.entries.len() - 1
            }
        };
        Ok(&self.entries[index].1)
    }

    /// The last field added, for continuation lines.
    pub(super) fn last_entry_mut(&mut self) -> Option<&mut (HeaderName, HeaderValue)> {
        self.entries.last_mut()
    }
}

/// Writes `name` in `Http-Header-Case`: the first letter and every letter
/// after a `-` upper-case (Tornado's header name normalization).
fn write_title_case(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let mut upper = true;
    for c in name.chars() {
        let c = if upper { c.to_ascii_uppercase() } else { c };
        upper = c == '-';
        fmt::Write::write_char(f, c)?;
    }
    Ok(())
}

/// One `Name: value` line per field, names in `Http-Header-Case`, each
/// line ended by LF (Tornado's `str(headers)`); the text parses back with
/// [`HttpHeaders::parse`]. Bytes of a value that are not UTF-8 are shown
/// as U+FFFD.
impl fmt::Display for HttpHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in self.entries.iter() {
            write_title_case(f, name.as_str())?;
            writeln!(f, ": {}", String::from_utf8_lossy(value.as_bytes()))?;
        }
        Ok(())
    }
}

impl fmt::Debug for HttpHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.get_all()).finish()
    }
}

impl<'a> IntoIterator for &'a HttpHeaders {
    type Item = (&'a HeaderName, &'a HeaderValue);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (HeaderName, HeaderValue)>,
        fn(&'a (HeaderName, HeaderValue)) -> (&'a HeaderName, &'a HeaderValue),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(n, v)| (n, v))
    }
}

impl FromIterator<(HeaderName, HeaderValue)> for HttpHeaders {
    fn from_iter<I: IntoIterator<Item = (HeaderName, HeaderValue)>>(iter: I) -> HttpHeaders {
        HttpHeaders {
            entries: ManuallyDrop::new(iter.into_iter().collect()),
        }
    }
}

impl From<HttpHeaders> for http::HeaderMap {
    fn from(mut headers: HttpHeaders) -> http::HeaderMap {
        let mut map = http::HeaderMap::with_capacity(headers.entries.len());
        for (name, value) in headers.entries.drain(..) {
            map.append(name, value);
        }
        map
    }
}

impl From<&http::HeaderMap> for HttpHeaders {
    fn from(map: &http::HeaderMap) -> HttpHeaders {
        map.iter().map(|(n, v)| (n.clone(), v.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_parsed_without_a_copy_are_the_names_parsed_with_one() {
        let names = [
            "ETag",
            "etag",
            "ETAG",
            "Expires",
            "Location",
            "Set-Cookie",
            "Content-Type",
            "content-TYPE",
            "Cache-Control",
            "Last-Modified",
            "Content-Length",
            "X-Other",
        ];
        for name in names {
            let parsed = parse_name(name).unwrap();
            assert_eq!(
                parsed,
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                "{name}"
            );
        }
        // Bytes one bit from a letter or `-` are neither folded nor taken
        // for the known name.
        for name in ["Content\rType", "Content\x0dType", "Conte@t-Type", "Etag\0"] {
            assert_ne!(
                parse_name(name).ok(),
                Some(http::header::CONTENT_TYPE),
                "{name:?}"
            );
        }
        assert!(parse_name("Content\rType").is_err());
        assert!(parse_name("").is_err());
    }

    proptest::proptest! {
        #[test]
        fn folding_a_word_lowercases_its_ascii_capitals_only(bytes: [u8; 8]) {
            let folded = fold_ascii_upper(u64::from_le_bytes(bytes)).to_le_bytes();
            proptest::prop_assert_eq!(folded, bytes.map(|b| b.to_ascii_lowercase()));
        }
    }

    /// Where the storage of a list of one field, dropped now, lies: the
    /// thread's pool keeps it.
    fn storage_given_to_the_pool() -> *const (HeaderName, HeaderValue) {
        let mut first = HttpHeaders::with_capacity(8);
        first.append(http::header::HOST, HeaderValue::from_static("a"));
        let storage = first.entries.as_ptr();
        drop(first);
        storage
    }

    #[test]
    fn an_empty_list_takes_pooled_storage_for_its_first_field() {
        let storage = storage_given_to_the_pool();
        let mut second = HttpHeaders::new();
        assert_eq!(second.entries.capacity(), 0);
        second.append(http::header::HOST, HeaderValue::from_static("b"));
        assert_eq!(second.entries.as_ptr(), storage);
    }

    #[test]
    fn a_dropped_list_gives_its_storage_to_the_next_list_made_on_the_thread() {
        let storage = storage_given_to_the_pool();
        // An allocation of the same size between: had the storage been
        // freed, the allocator would hand it to this one.
        let between: Vec<(HeaderName, HeaderValue)> = Vec::with_capacity(8);
        let second = HttpHeaders::with_capacity(8);
        assert_eq!(second.entries.as_ptr(), storage);
        assert_ne!(between.as_ptr(), storage);
        assert!(second.is_empty());
    }

    #[test]
    fn set_replaces_every_field_of_the_name_in_place_of_the_first() {
        let mut h = HttpHeaders::new();
        h.add("A", "1").unwrap();
        h.add("B", "2").unwrap();
        h.add("a", "3").unwrap();
        h.set("A", "4").unwrap();
        let all: Vec<_> = h
            .get_all()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(all, [("a", "4"), ("b", "2")]);
    }

    #[test]
    fn remove_counts_and_lookup_is_case_insensitive() {
        let mut h = HttpHeaders::new();
        h.add("X-Foo", "1").unwrap();
        h.add("x-foo", "2").unwrap();
        assert!(h.contains("X-FOO"));
        assert_eq!(h.remove("X-Foo"), 2);
        assert!(h.is_empty());
    }

    #[test]
    fn display_writes_title_case_lines() {
        let mut h = HttpHeaders::new();
        h.add("content-TYPE", "text/html").unwrap();
        h.add("x-a-b", "1").unwrap();
        assert_eq!(h.to_string(), "Content-Type: text/html\nX-A-B: 1\n");
    }

    #[test]
    fn setdefault_keeps_an_existing_value() {
        let mut h = HttpHeaders::new();
        assert_eq!(h.setdefault("A", "1").unwrap(), "1");
        assert_eq!(h.setdefault("a", "2").unwrap(), "1");
        assert!(h.setdefault("B", "\n").is_err());
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn obs_text_values_are_kept_as_bytes() {
        let mut h = HttpHeaders::new();
        h.append(
            HeaderName::from_static("x-latin"),
            HeaderValue::from_bytes(b"caf\xe9").unwrap(),
        );
        assert_eq!(h.get("X-Latin"), None);
        assert_eq!(h.get_bytes("X-Latin"), Some(&b"caf\xe9"[..]));
    }
}
