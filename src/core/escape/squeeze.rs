//! Whitespace collapsing.

use std::borrow::Cow;

/// Whether `c` is one of the characters [`squeeze`] collapses: the ASCII
/// control characters and the space (`\x00` to `\x20`).
fn is_squeezed(c: char) -> bool {
    c <= ' '
}

/// Replaces every run of ASCII control characters and spaces (`\x00` to
/// `\x20`, so tabs and newlines too) with a single space, then strips
/// whitespace from both ends, as Tornado's `squeeze`.
///
/// Returns the input borrowed when nothing changes.
///
/// ```
/// use supercell::escape::squeeze;
///
/// assert_eq!(squeeze("  sequences \t of\n\n whitespace "), "sequences of whitespace");
/// ```
pub fn squeeze(value: &str) -> Cow<'_, str> {
    let trimmed = value.trim_matches(|c: char| c.is_whitespace() || is_squeezed(c));
    let bytes = trimmed.as_bytes();
    let unchanged = bytes
        .iter()
        .enumerate()
        .all(|(i, &b)| b > b' ' || (b == b' ' && bytes.get(i + 1).is_none_or(|&next| next > b' ')));
    if unchanged {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut in_run = false;
    for c in trimmed.chars() {
        if is_squeezed(c) {
            if !in_run {
                out.push(' ');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_collapse() {
        assert_eq!(squeeze("a\x00\x01\x1f b\x7fc"), "a b\x7fc");
    }

    #[test]
    fn unicode_whitespace_is_stripped_at_the_ends_only() {
        assert_eq!(squeeze("\u{a0} a\u{3000}b \u{2003}"), "a\u{3000}b");
    }

    #[test]
    fn all_whitespace_becomes_empty() {
        assert_eq!(squeeze(" \t\r\n "), "");
        assert_eq!(squeeze(""), "");
    }

    #[test]
    fn borrowed_when_unchanged() {
        assert!(matches!(squeeze("a b c"), Cow::Borrowed("a b c")));
        assert!(matches!(squeeze(" a b "), Cow::Borrowed("a b")));
        assert!(matches!(squeeze("a  b"), Cow::Owned(_)));
        assert!(matches!(squeeze("a\tb"), Cow::Owned(_)));
    }
}
