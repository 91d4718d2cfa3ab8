//! Turning URLs in plain text into HTML links.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::xhtml::xhtml_escape;

/// URLs in HTML-escaped text, as Tornado's linkify pattern: a protocol
/// (`name:` and one to three slashes) or `www.`, then characters up to
/// whitespace, where parentheses must pair and the last character is no
/// punctuation; `&amp;` and `&quot;` are the only entities taken in.
///
/// Group 1 is the URL, group 2 the protocol name, group 3 its slashes.
/// `\s` is widened with `\x1C`-`\x1F`, which Python counts as whitespace.
static URL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(",
        r"(?:([\w-]+):(/{1,3})|www[.])",
        r"(?:",
        r"(?:(?:[^\s\x1C-\x1F&()]|&amp;|&quot;)*",
        r##"(?:[^!"#$%&'()*+,.:;<=>?@\[\]^`{|}~\s\x1C-\x1F]))"##,
        r"|(?:\((?:[^\s\x1C-\x1F&()]|&amp;|&quot;)*\))",
        r")+",
        r")",
    ))
    .expect("the linkify pattern is valid")
});

/// Characters that are word characters for one of Python's `\w`
/// (letters, numbers and `_`) and the regex crate's `\w` (Unicode's word
/// characters, which add combining marks and connector punctuation but
/// leave out numerals like `½`) and not the other. Group 1: word
/// characters only here; group 2: only in Python.
static WORD_MISMATCH_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\w--[\p{L}\p{N}_]])|([[\p{L}\p{N}_]--\w])")
        .expect("the word mismatch pattern is valid")
});

/// `text` with each character whose word-ness differs between Python and
/// the regex crate replaced by one of the same UTF-8 length with Python's
/// word-ness, so that [`URL_RE`]'s `\b` and `\w` match where Tornado's do
/// and its match offsets still apply to `text`. The stand-ins are neither
/// whitespace nor ASCII punctuation, like the characters they replace.
fn python_word_view(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    WORD_MISMATCH_RE.replace_all(text, |caps: &Captures<'_>| {
        let python_word = caps.get(2).is_some();
        let stand_in = match (caps[0].len(), python_word) {
            (2, false) => '\u{a7}',    // §
            (3, false) => '\u{2030}',  // ‰
            (_, false) => '\u{1f600}', // an emoji
            (2, true) => '\u{e9}',     // é
            (3, true) => '\u{1e01}',   // ḁ
            (_, true) => '\u{10400}',  // a Deseret letter
        };
        stand_in.to_string()
    })
}

/// Links longer than this many characters are shortened when
/// [`LinkifyOptions::shorten`] is set (an approximation, as in Tornado).
const MAX_LEN: usize = 30;

/// Extra attributes for each `<a>` tag [`linkify`] writes (Tornado's
/// `extra_params`).
#[derive(Default)]
pub enum ExtraParams {
    /// No extra attributes (the default).
    #[default]
    None,
    /// The same attributes on every link, e.g. `rel="nofollow"`. Surrounding
    /// whitespace is trimmed; an empty string is the same as
    /// [`ExtraParams::None`].
    Fixed(String),
    /// Attributes computed from each link's `href` (with `http://` already
    /// prepended to links written without a protocol). The result is
    /// trimmed.
    PerUrl(Box<dyn Fn(&str) -> String + Send + Sync>),
}

impl ExtraParams {
    /// Attributes computed by `f` from each link's `href`.
    pub fn per_url(f: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
        ExtraParams::PerUrl(Box::new(f))
    }

    /// The text to put after the `href` attribute (with its leading space,
    /// or empty).
    fn for_href(&self, href: &str) -> String {
        match self {
            ExtraParams::None => String::new(),
            ExtraParams::Fixed(text) if text.is_empty() => String::new(),
            ExtraParams::Fixed(text) => format!(" {}", text.trim()),
            ExtraParams::PerUrl(f) => format!(" {}", f(href).trim()),
        }
    }
}

impl fmt::Debug for ExtraParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtraParams::None => f.write_str("None"),
            ExtraParams::Fixed(text) => f.debug_tuple("Fixed").field(text).finish(),
            ExtraParams::PerUrl(_) => f.write_str("PerUrl(..)"),
        }
    }
}

impl From<&str> for ExtraParams {
    fn from(text: &str) -> Self {
        ExtraParams::Fixed(text.to_owned())
    }
}

impl From<String> for ExtraParams {
    fn from(text: String) -> Self {
        ExtraParams::Fixed(text)
    }
}

/// How [`linkify`] writes links; Tornado's keyword arguments of the same
/// names.
///
/// ```
/// use supercell::escape::{ExtraParams, LinkifyOptions};
///
/// let options = LinkifyOptions {
///     shorten: true,
///     extra_params: ExtraParams::from(r#"rel="nofollow""#),
///     ..LinkifyOptions::default()
/// };
/// assert_eq!(options.permitted_protocols, ["http", "https"]);
/// ```
#[derive(Debug)]
pub struct LinkifyOptions {
    /// Shorten the text of long links (the `href` stays whole and the full
    /// URL is added as a `title`). Default: `false`.
    pub shorten: bool,
    /// Extra attributes for every `<a>` tag. Default: none.
    pub extra_params: ExtraParams,
    /// Link only URLs that name a protocol, not bare `www.` ones.
    /// Default: `false`.
    pub require_protocol: bool,
    /// The protocols that are linked (compared case-sensitively). Never
    /// permit `javascript` or similar. Default: `http` and `https`.
    pub permitted_protocols: Vec<String>,
}

impl Default for LinkifyOptions {
    fn default() -> Self {
        LinkifyOptions {
            shorten: false,
            extra_params: ExtraParams::None,
            require_protocol: false,
            permitted_protocols: vec!["http".to_owned(), "https".to_owned()],
        }
    }
}

/// Converts plain text into HTML with links, as Tornado's `linkify`.
///
/// The text is HTML-escaped first, then every URL in it is wrapped in an
/// `<a>` tag; URLs without a protocol (`www.example.com`) get `http://` in
/// their `href`. URLs with a protocol not in
/// [`permitted_protocols`](LinkifyOptions::permitted_protocols) are left as
/// text.
///
/// ```
/// use supercell::escape::{LinkifyOptions, linkify};
///
/// assert_eq!(
///     linkify("Hello http://tornadoweb.org!", &LinkifyOptions::default()),
///     r#"Hello <a href="http://tornadoweb.org">http://tornadoweb.org</a>!"#,
/// );
/// ```
pub fn linkify(text: &str, options: &LinkifyOptions) -> String {
    let escaped = xhtml_escape(text);
    let view = python_word_view(&escaped);
    let mut out = String::with_capacity(escaped.len());
    let mut copied_up_to = 0;
    for caps in URL_RE.captures_iter(&view) {
        let Some(whole) = caps.get(1) else { continue };
        out.push_str(&escaped[copied_up_to..whole.start()]);
        let url = &escaped[whole.range()];
        let proto = caps.get(2).map(|m| &escaped[m.range()]);
        let slashes_len = caps.get(3).map_or(0, |m| m.len());
        out.push_str(&make_link(url, proto, slashes_len, options));
        copied_up_to = whole.end();
    }
    out.push_str(&escaped[copied_up_to..]);
    out
}

/// The replacement for one URL match: `url` is the whole match, `proto` the
/// protocol name if any, followed by `:` and `slashes_len` slashes.
fn make_link(
    url: &str,
    proto: Option<&str>,
    slashes_len: usize,
    options: &LinkifyOptions,
) -> String {
    match proto {
        None if options.require_protocol => return url.to_owned(),
        Some(proto) if !options.permitted_protocols.iter().any(|p| p == proto) => {
            return url.to_owned();
        }
        _ => {}
    }
    let href = match proto {
        Some(_) => url.to_owned(),
        None => format!("http://{url}"),
    };
    let mut params = options.extra_params.for_href(&href);
    let mut text = url.to_owned();
    if options.shorten && char_len(url) > MAX_LEN {
        // The protocol, its colon and slashes: exactly the start of `url`.
        let proto_len = proto.map_or(0, |proto| proto.len() + 1 + slashes_len);
        if let Some(shortened) = shorten(url, proto_len) {
            text = shortened;
            params.push_str(&format!(" title=\"{href}\""));
        }
    }
    format!("<a href=\"{href}\"{params}>{text}</a>")
}

/// Tornado's shortening of a long link's text: the host plus the first bit
/// of the path, clipped to [`MAX_LEN`] characters if still too long, without
/// splitting an entity near the end, followed by `...`. `None` when that
/// would not make the text shorter.
fn shorten(url: &str, proto_len: usize) -> Option<String> {
    let mut clipped = url.to_owned();
    let mut parts = url[proto_len..].split('/');
    let host = parts.next().unwrap_or_default();
    if let Some(first_segment) = parts.next() {
        let head = take_chars(first_segment, 8);
        let head = head.split('?').next().unwrap_or_default();
        let head = head.split('.').next().unwrap_or_default();
        clipped = format!("{}{host}/{head}", &url[..proto_len]);
    }
    // Tornado's `len(url) > max_len * 1.5`.
    if 2 * char_len(&clipped) > 3 * MAX_LEN {
        clipped = take_chars(&clipped, MAX_LEN).to_owned();
    }
    if clipped == url {
        return None;
    }
    if let Some(amp) = clipped.rfind('&') {
        // Compared in characters, as Tornado's string index.
        if char_len(&clipped[..amp]) > MAX_LEN - 5 {
            clipped.truncate(amp);
        }
    }
    clipped.push_str("...");
    (char_len(&clipped) < char_len(url)).then_some(clipped)
}

/// The number of characters (code points) in `s`, as Python's `len`.
fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// The first `n` characters of `s`, as Python's `s[:n]`.
fn take_chars(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(end, _)| &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_chars_counts_code_points() {
        assert_eq!(take_chars("ééé", 2), "éé");
        assert_eq!(take_chars("ab", 5), "ab");
        assert_eq!(take_chars("ab", 0), "");
    }

    #[test]
    fn shorten_keeps_text_that_would_not_shrink() {
        // 31 characters with a short first path segment: clipping yields
        // the same text, so nothing changes and no title is added.
        let url = "http://example.com/abcdefghijkl";
        assert_eq!(char_len(url), 31);
        assert_eq!(
            shorten(url, 7).as_deref(),
            Some("http://example.com/abcdefgh...")
        );
        let same = "http://aaaaaaaaaaaaaaaaaaaaaaaa/b";
        assert_eq!(shorten(same, 7), None);
    }

    #[test]
    fn shorten_does_not_split_an_entity() {
        let url = "http://example.com/?aaaaaaaaaaaaaaaaaaaaa&amp;bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        // Path head "?aaaaaaa" becomes "" at the "?", giving "http://example.com/".
        assert_eq!(shorten(url, 7).as_deref(), Some("http://example.com/..."));
        let long_host = "http://aaaaaaaaaaaaaaaaaaaa&amp;bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        assert_eq!(
            shorten(long_host, 7).as_deref(),
            Some("http://aaaaaaaaaaaaaaaaaaaa...")
        );
    }

    #[test]
    fn non_ascii_lengths_are_in_characters() {
        let options = LinkifyOptions {
            shorten: true,
            ..LinkifyOptions::default()
        };
        // 30 characters but more than 30 bytes: not shortened.
        let url = "http://ééééééééééééééééééééééé";
        assert_eq!(char_len(url), 30);
        assert_eq!(
            linkify(url, &options),
            format!("<a href=\"{url}\">{url}</a>")
        );
    }

    #[test]
    fn word_characters_follow_python() {
        // A combining mark is no word character for Python, so a boundary
        // precedes `www`; `½` is one, so none precedes `http`.
        assert_eq!(
            linkify("\u{301}www.a.com", &LinkifyOptions::default()),
            "\u{301}<a href=\"http://www.a.com\">www.a.com</a>",
        );
        assert_eq!(
            linkify("\u{bd}http://a.com", &LinkifyOptions::default()),
            "\u{bd}http://a.com"
        );
        assert_eq!(
            python_word_view("a\u{301}\u{bd}\u{203f}"),
            "a\u{a7}\u{e9}\u{2030}"
        );
    }

    #[test]
    fn unicode_protocol_names_are_matched_but_not_permitted() {
        assert_eq!(
            linkify("ééé://x.com", &LinkifyOptions::default()),
            "ééé://x.com"
        );
    }

    #[test]
    fn empty_fixed_params_add_nothing() {
        let options = LinkifyOptions {
            extra_params: "".into(),
            ..LinkifyOptions::default()
        };
        assert_eq!(
            linkify("www.a.com", &options),
            r#"<a href="http://www.a.com">www.a.com</a>"#
        );
    }

    #[test]
    fn per_url_params_always_get_a_space() {
        let options = LinkifyOptions {
            extra_params: ExtraParams::per_url(|_| String::new()),
            ..LinkifyOptions::default()
        };
        assert_eq!(
            linkify("www.a.com", &options),
            r#"<a href="http://www.a.com" >www.a.com</a>"#
        );
    }
}
