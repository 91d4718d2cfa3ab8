//! HTML/XML escaping and unescaping of text.

use std::borrow::Cow;

use super::entities::NAMED_ENTITIES;

/// Whether [`xhtml_escape`] replaces this byte: one of `& < > " '`. Written
/// without branches so block scans over it vectorize.
#[inline(always)]
fn is_escapable(b: u8) -> bool {
    (b == b'&') | (b == b'<') | (b == b'>') | (b == b'"') | (b == b'\'')
}

/// Escapes a string so it is valid within HTML or XML, as Tornado's
/// `xhtml_escape`: `&` becomes `&amp;`, `<` `&lt;`, `>` `&gt;`, `"` `&quot;`
/// and `'` `&#39;`. Inside attribute values the result must be quoted.
///
/// Returns the input borrowed when it holds none of those characters.
///
/// ```
/// use supercell::escape::xhtml_escape;
///
/// assert_eq!(xhtml_escape("<a href='x'>"), "&lt;a href=&#39;x&#39;&gt;");
/// assert!(matches!(xhtml_escape("plain"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn xhtml_escape(value: &str) -> Cow<'_, str> {
    let bytes = value.as_bytes();
    let mut blocks = bytes.chunks_exact(BLOCK);
    // Plain blocks are skipped with one vector compare each; the output is
    // allocated at the first block holding something to escape.
    let Some(first) = blocks.position(|block| escapable_mask(block) != 0) else {
        if !blocks.remainder().iter().any(|&b| is_escapable(b)) {
            return Cow::Borrowed(value);
        }
        let start = bytes.len() - blocks.remainder().len();
        let mut out = Vec::with_capacity(bytes.len() + 8 * BLOCK);
        out.extend_from_slice(&bytes[..start]);
        escape_bytes_into(&bytes[start..], &mut out);
        return Cow::Owned(into_string(out));
    };
    let start = first * BLOCK;
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 2 + 8 * BLOCK);
    out.extend_from_slice(&bytes[..start]);
    let rest = &bytes[start..];
    let mut blocks = rest.chunks_exact(BLOCK);
    for block in &mut blocks {
        if escapable_mask(block) == 0 {
            out.extend_from_slice(block);
        } else {
            escape_bytes_into(block, &mut out);
        }
    }
    escape_bytes_into(blocks.remainder(), &mut out);
    Cow::Owned(into_string(out))
}

/// Appends `bytes` to `out`, escaping byte by byte.
#[inline(always)]
fn escape_bytes_into(bytes: &[u8], out: &mut Vec<u8>) {
    out.reserve(bytes.len() * 6);
    for &b in bytes {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            b'\'' => out.extend_from_slice(b"&#39;"),
            _ => out.push(b),
        }
    }
}

/// The escaped bytes as a `String`. They are always UTF-8: the input was,
/// and only ASCII bytes were replaced (by ASCII).
fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Bytes examined at once: a fixed-size block whose match mask the compiler
/// computes with vector compares.
const BLOCK: usize = 16;

/// One bit per byte of `block` (lowest bit first), set where the byte is one
/// of `& < > " '`. Written without branches so it vectorizes.
#[inline(always)]
fn escapable_mask(block: &[u8]) -> u16 {
    let mut mask = 0u16;
    for (i, &b) in block.iter().enumerate().take(BLOCK) {
        mask |= u16::from(is_escapable(b)) << i;
    }
    mask
}

/// Un-escapes an XML/HTML-escaped string, as Tornado's `xhtml_unescape`.
///
/// Replaces the named character references of HTML 4 (`&amp;`, `&eacute;`,
/// ...; names are case-sensitive) and numeric ones (`&#233;`, `&#xE9;`,
/// `&#XE9;`). A reference always needs its closing `;`. Unknown names and
/// invalid numbers are left exactly as written, and so are numbers that are
/// not Unicode scalar values (above `0x10FFFF`, or a surrogate), where
/// Python would raise or produce an unpaired surrogate.
///
/// Numbers are read with ASCII digits only; Python's `int()` (which Tornado
/// uses) also accepts other scripts' digits and `_` separators, which no
/// HTML parser does.
///
/// Returns the input borrowed when nothing is replaced.
///
/// ```
/// use supercell::escape::xhtml_unescape;
///
/// assert_eq!(xhtml_unescape("&lt;&eacute;&#233;&#xE9;&gt;"), "<ééé>");
/// assert_eq!(xhtml_unescape("&bogus; &#xyz;"), "&bogus; &#xyz;");
/// ```
pub fn xhtml_unescape(value: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut copied_up_to = 0;
    let mut search_from = 0;
    while let Some(offset) = value[search_from..].find('&') {
        let amp = search_from + offset;
        match parse_reference(&value[amp..]) {
            Some((replacement, len)) => {
                let buf = out.get_or_insert_with(|| String::with_capacity(value.len()));
                buf.push_str(&value[copied_up_to..amp]);
                buf.push(replacement);
                copied_up_to = amp + len;
                search_from = copied_up_to;
            }
            None => search_from = amp + 1,
        }
    }
    match out {
        None => Cow::Borrowed(value),
        Some(mut buf) => {
            buf.push_str(&value[copied_up_to..]);
            Cow::Owned(buf)
        }
    }
}

/// Reads a character reference at the start of `text` (which starts with
/// `&`): the character it stands for and the reference's length in bytes.
///
/// The reference's body is a run of word characters closed by `;`, as
/// Tornado's `&(#?)(\w+?);`. Only ASCII word characters can form a valid
/// reference, so a run broken by any other character is no reference at all
/// and is left in place, which is what Tornado's conversion yields as well.
fn parse_reference(text: &str) -> Option<(char, usize)> {
    let bytes = text.as_bytes();
    let numeric = bytes.get(1) == Some(&b'#');
    let body_start = if numeric { 2 } else { 1 };
    let body_len = bytes[body_start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let body_end = body_start + body_len;
    if body_len == 0 || bytes.get(body_end) != Some(&b';') {
        return None;
    }
    let body = &text[body_start..body_end];
    let character = if numeric {
        numeric_reference(body)?
    } else {
        named_reference(body)?
    };
    Some((character, body_end + 1))
}

/// The character of a numeric reference body (`233`, `xE9` or `XE9`).
fn numeric_reference(body: &str) -> Option<char> {
    let (digits, radix) = match body.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16),
        None => (body, 10),
    };
    if digits.is_empty() {
        return None;
    }
    let mut code: u32 = 0;
    for c in digits.chars() {
        let digit = c.to_digit(radix)?;
        code = code.checked_mul(radix)?.checked_add(digit)?;
    }
    char::from_u32(code)
}

/// The character of a named reference (`amp`, `eacute`, ...).
fn named_reference(name: &str) -> Option<char> {
    NAMED_ENTITIES
        .binary_search_by(|(entry, _)| entry.cmp(&name))
        .ok()
        .map(|index| NAMED_ENTITIES[index].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition the block-wise escaper must match.
    fn escape_char_by_char(value: &str) -> String {
        value
            .chars()
            .map(|c| match c {
                '&' => "&amp;".to_owned(),
                '<' => "&lt;".to_owned(),
                '>' => "&gt;".to_owned(),
                '"' => "&quot;".to_owned(),
                '\'' => "&#39;".to_owned(),
                c => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn escape_matches_the_plain_definition_at_every_block_offset() {
        // Every length around the block size, each special character and a
        // multi-byte one at every position.
        for len in 0..3 * BLOCK + 2 {
            for at in 0..len.max(1) {
                for special in ["&", "<", ">", "\"", "'", "\u{e9}", "\u{1f600}"] {
                    let mut text = "a".repeat(len);
                    if at < len {
                        text.replace_range(at..at + 1, special);
                    }
                    let escaped = xhtml_escape(&text);
                    assert_eq!(escaped, escape_char_by_char(&text), "{text:?}");
                    let changed = text.contains(['&', '<', '>', '"', '\'']);
                    assert_eq!(matches!(escaped, Cow::Owned(_)), changed, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn entity_table_is_sorted_and_complete() {
        assert_eq!(NAMED_ENTITIES.len(), 252);
        assert!(NAMED_ENTITIES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn every_named_entity_unescapes() {
        for (name, character) in NAMED_ENTITIES {
            let text = format!("x&{name};y");
            assert_eq!(xhtml_unescape(&text), format!("x{character}y"), "{name}");
        }
    }

    #[test]
    fn names_are_case_sensitive() {
        assert_eq!(xhtml_unescape("&AMP;&Eacute;&eacute;"), "&AMP;Éé");
    }

    #[test]
    fn out_of_range_and_surrogate_numbers_stay() {
        for text in [
            "&#1114112;",
            "&#x110000;",
            "&#xD800;",
            "&#55296;",
            "&#99999999999999999999999999;",
            "&#xFFFFFFFFFFFFFFFFFFFF;",
        ] {
            assert_eq!(xhtml_unescape(text), text);
        }
        assert_eq!(xhtml_unescape("&#x10FFFF;"), "\u{10FFFF}");
        assert_eq!(xhtml_unescape("&#0;"), "\0");
        assert_eq!(xhtml_unescape("&#00000065;"), "A");
    }

    #[test]
    fn reference_needs_semicolon_and_body() {
        for text in [
            "&amp", "&", "&;", "&#", "&#;", "&#x;", "& amp;", "&am p;", "&amp ;",
        ] {
            assert_eq!(xhtml_unescape(text), text);
        }
    }

    #[test]
    fn non_ascii_breaks_a_reference() {
        assert_eq!(xhtml_unescape("&ampé;&amp;"), "&ampé;&");
        assert_eq!(xhtml_unescape("&#12é;"), "&#12é;");
    }

    #[test]
    fn adjacent_and_nested_ampersands() {
        assert_eq!(xhtml_unescape("&&amp;;"), "&&;");
        assert_eq!(xhtml_unescape("&amp;amp;"), "&amp;");
    }

    #[test]
    fn borrowed_when_unchanged() {
        assert!(matches!(xhtml_escape("héllo"), Cow::Borrowed(_)));
        assert!(matches!(xhtml_unescape("a &bogus; b"), Cow::Borrowed(_)));
        assert!(matches!(xhtml_unescape("a &lt; b"), Cow::Owned(_)));
    }
}
