//! Parsing of `application/x-www-form-urlencoded` query strings.

use std::collections::HashMap;

use super::url::{url_unescape, url_unescape_bytes};

/// Parses a query string into a map from each name to its values in order
/// of appearance, as Tornado's `parse_qs_bytes`: values stay bytes, since a
/// query string may carry any encoding.
///
/// Fields are separated by `&` only (Python 3.9.2 and later; older Pythons
/// also split on `;`, which allowed parameter cloaking). Names and values
/// are percent-decoded with `+` as a space. Empty fields are skipped. A
/// field with an empty value (`a=`) or no `=` at all (`a`) is kept as an
/// empty value when `keep_blank_values` is true (as Tornado's request
/// argument parsing asks) and dropped otherwise.
///
/// Tornado decodes names as Latin-1, which turns non-ASCII names into
/// mojibake; here names are decoded as UTF-8, with U+FFFD REPLACEMENT
/// CHARACTER for invalid sequences.
///
/// ```
/// use supercell::escape::parse_qs_bytes;
///
/// let args = parse_qs_bytes("a=1&b=&a=%E9&c", true);
/// assert_eq!(args["a"], vec![b"1".to_vec(), b"\xe9".to_vec()]);
/// assert_eq!(args["b"], vec![Vec::<u8>::new()]);
/// assert_eq!(args["c"], vec![Vec::<u8>::new()]);
///
/// let args = parse_qs_bytes("a=1&b=&c", false);
/// assert_eq!(args.len(), 1);
/// ```
pub fn parse_qs_bytes(
    qs: impl AsRef<[u8]>,
    keep_blank_values: bool,
) -> HashMap<String, Vec<Vec<u8>>> {
    let mut result: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
    for field in qs.as_ref().split(|&b| b == b'&') {
        if field.is_empty() {
            continue;
        }
        let (name, value) = match field.iter().position(|&b| b == b'=') {
            Some(eq) => (&field[..eq], &field[eq + 1..]),
            None => (field, &[][..]),
        };
        if value.is_empty() && !keep_blank_values {
            continue;
        }
        let name = url_unescape(name, true).into_owned();
        result
            .entry(name)
            .or_default()
            .push(url_unescape_bytes(value, true));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_is_not_a_separator() {
        let args = parse_qs_bytes("a=1;b=2", true);
        assert_eq!(args.len(), 1);
        assert_eq!(args["a"], vec![b"1;b=2".to_vec()]);
    }

    #[test]
    fn empty_fields_and_names() {
        let args = parse_qs_bytes("&&=x&&", false);
        assert_eq!(args.len(), 1);
        assert_eq!(args[""], vec![b"x".to_vec()]);
        assert!(parse_qs_bytes("", true).is_empty());
    }

    #[test]
    fn only_first_equals_splits() {
        let args = parse_qs_bytes("a==b=c+d", false);
        assert_eq!(args["a"], vec![b"=b=c d".to_vec()]);
    }

    #[test]
    fn names_are_decoded() {
        let args = parse_qs_bytes("%C3%A9+x=1&%FF=2", false);
        assert_eq!(args["é x"], vec![b"1".to_vec()]);
        assert_eq!(args["\u{FFFD}"], vec![b"2".to_vec()]);
    }
}
