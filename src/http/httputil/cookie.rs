//! [`parse_cookie`]: the `Cookie` request header read the way browsers
//! write it, not the way the RFCs describe it.

use std::collections::HashMap;

/// Parses a `Cookie` header into `(name, value)` pairs, as browsers and
/// Tornado's `parse_cookie` do rather than as the cookie RFCs say.
///
/// The header is split on every `;` (quotes do not protect one). A piece
/// without `=` is a value with an empty name; otherwise the name ends at
/// the first `=`. Names and values are trimmed of whitespace, pieces with
/// neither are skipped, and a value in double quotes is unquoted with
/// Python's rules (`\"` and `\\` escapes, `\NNN` octal escapes). A name
/// seen again replaces the earlier value, keeping the earlier position.
///
/// ```
/// use supercell::httputil::parse_cookie;
///
/// let cookies = parse_cookie(r#"a=b; unnamed; c="x\"y"; a=d"#);
/// assert_eq!(
///     cookies,
///     [("a".to_owned(), "d".to_owned()), ("".to_owned(), "unnamed".to_owned()),
///      ("c".to_owned(), "x\"y".to_owned())],
/// );
/// ```
pub fn parse_cookie(header: &str) -> Vec<(String, String)> {
    let mut cookies: Vec<(String, String)> = Vec::new();
    let mut positions: HashMap<String, usize> = HashMap::new();
    for chunk in header.split(';') {
        let (name, value) = chunk.split_once('=').unwrap_or(("", chunk));
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() && value.is_empty() {
            continue;
        }
        let value = unquote_cookie(value);
        match positions.get(name) {
            Some(&at) => cookies[at].1 = value,
            None => {
                positions.insert(name.to_owned(), cookies.len());
                cookies.push((name.to_owned(), value));
            }
        }
    }
    cookies
}

/// A cookie value without its double quotes and escapes, if it is quoted
/// (Python's `http.cookies._unquote`): `\NNN` with `N` octal and the first
/// digit 0–3 is that character; a backslash before any other character
/// stands for that character.
fn unquote_cookie(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|_| value.len() >= 2)
    else {
        return value.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(code) = octal_escape(after) {
            out.push(code);
            rest = &after[3..];
        } else if let Some(c) = after.chars().next() {
            out.push(c);
            rest = &after[c.len_utf8()..];
        } else {
            // A backslash ending the value stays as written.
            out.push('\\');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The character of an octal escape `[0-3][0-7][0-7]` at the start of
/// `text`.
fn octal_escape(text: &str) -> Option<char> {
    match *text.as_bytes() {
        [a @ b'0'..=b'3', b @ b'0'..=b'7', c @ b'0'..=b'7', ..] => {
            Some(char::from((a - b'0') * 64 + (b - b'0') * 8 + (c - b'0')))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_escapes() {
        assert_eq!(
            unquote_cookie(r#""a\"b\\c\012d\x""#),
            "a\"b\\c\nd".to_owned() + "x"
        );
        assert_eq!(unquote_cookie(r#""\377\400""#), "\u{ff}400");
        assert_eq!(unquote_cookie(r#""trailing\""#), "trailing\\");
        assert_eq!(unquote_cookie("\"é\\é\""), "éé");
        assert_eq!(unquote_cookie("\""), "\"");
        assert_eq!(unquote_cookie("\"\""), "");
        assert_eq!(unquote_cookie("no\"quotes"), "no\"quotes");
    }
}
