//! Values with parameters, as `Content-Type` and `Content-Disposition`
//! carry: [`parse_header_value`] (Tornado's `_parse_header`) and
//! [`encode_header_value`] (Tornado's `_encode_header`).

use std::collections::HashMap;

use crate::escape::url_unescape_bytes;

/// Parameters of a header value by lower-case name; `None` for a
/// parameter written without `=` (as in WebSocket extension offers).
pub type HeaderParams = HashMap<String, Option<String>>;

/// Splits a header value such as `form-data; name="a"; filename="b.txt"`
/// into its main value and its parameters (Tornado's `_parse_header`).
///
/// - Parameters are separated by `;` outside double quotes; inside quotes
///   a backslash escapes the next character.
/// - Names are trimmed and lower-cased; values are trimmed, and a value in
///   double quotes loses them and its backslash escapes.
/// - RFC 2231 extended parameters are decoded: `filename*=UTF-8''%E2%82%AC`
///   gives `filename` = `€` (UTF-8 and ISO-8859-1 are understood, other
///   charsets are read as UTF-8), and continuations `name*0`, `name*1*`...
///   are joined in order. An extended parameter wins over a plain one of
///   the same name.
/// - A parameter without `=` maps to `None`. The work is linear in the
///   length of `line`.
///
/// ```
/// use supercell::httputil::parse_header_value;
///
/// let (value, params) = parse_header_value(
///     r#"form-data; name="files"; filename="a\"b;c.txt"; filename*=UTF-8''%C3%A9t%C3%A9.txt"#,
/// );
/// assert_eq!(value, "form-data");
/// assert_eq!(params["name"].as_deref(), Some("files"));
/// assert_eq!(params["filename"].as_deref(), Some("été.txt"));
///
/// let (value, params) = parse_header_value("permessage-deflate; client_no_context_takeover");
/// assert_eq!(value, "permessage-deflate");
/// assert_eq!(params["client_no_context_takeover"], None);
/// ```
pub fn parse_header_value(line: &str) -> (String, HeaderParams) {
    let mut pieces = split_params(line);
    let main = pieces.next().unwrap_or_default().to_owned();
    let mut params = HeaderParams::new();
    let mut extended: Vec<Extended> = Vec::new();
    for piece in pieces {
        let Some((name, value)) = piece.split_once('=') else {
            if !piece.is_empty() {
                params.insert(piece.to_ascii_lowercase(), None);
            }
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        let value = unquote(value.trim());
        match Extended::parse(&name, value.clone()) {
            Some(section) => extended.push(section),
            None => {
                params.insert(name, Some(value));
            }
        }
    }
    for (name, value) in Extended::join(extended) {
        params.insert(name, Some(value));
    }
    (main, params)
}

/// Writes a main value and its parameters as `key; a=1; b` (Tornado's
/// `_encode_header`, the inverse of [`parse_header_value`] for values
/// that need no quoting). Parameters keep the order given.
///
/// ```
/// use supercell::httputil::encode_header_value;
///
/// let value = encode_header_value(
///     "permessage-deflate",
///     &[("client_max_window_bits", Some("15")), ("client_no_context_takeover", None)],
/// );
/// assert_eq!(value, "permessage-deflate; client_max_window_bits=15; client_no_context_takeover");
/// ```
pub fn encode_header_value(key: &str, params: &[(&str, Option<&str>)]) -> String {
    let mut out = key.to_owned();
    for (name, value) in params {
        out.push_str("; ");
        out.push_str(name);
        if let Some(value) = value {
            out.push('=');
            out.push_str(value);
        }
    }
    out
}

/// The `;`-separated pieces of `line`, trimmed, with `;` inside double
/// quotes (and a backslash-escaped character inside them) kept in place.
fn split_params(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(line);
    std::iter::from_fn(move || {
        let text = rest?;
        let mut in_quotes = false;
        let mut escaped = false;
        for (at, c) in text.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_quotes => escaped = true,
                '"' => in_quotes = !in_quotes,
                ';' if !in_quotes => {
                    rest = Some(&text[at + 1..]);
                    return Some(text[..at].trim());
                }
                _ => {}
            }
        }
        rest = None;
        Some(text.trim())
    })
}

/// `value` without its surrounding double quotes and backslash escapes,
/// if it is quoted.
fn unquote(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|_| value.len() >= 2)
    else {
        return value.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// One RFC 2231 parameter section: `name*`, `name*N` or `name*N*`.
struct Extended {
    name: String,
    /// The section number (0 for `name*`).
    index: u32,
    /// Percent-encoded (the name ends with `*`).
    encoded: bool,
    value: String,
}

impl Extended {
    /// The section `name=value` stands for, if `name` has an RFC 2231 form.
    fn parse(name: &str, value: String) -> Option<Extended> {
        let (base, section) = name.split_once('*')?;
        if base.is_empty() {
            return None;
        }
        let (digits, encoded) = match section.strip_suffix('*') {
            Some(digits) => (digits, true),
            None => (section, section.is_empty()),
        };
        let index = match digits {
            "" => 0,
            _ if digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() <= 4 => {
                digits.parse().ok()?
            }
            _ => return None,
        };
        Some(Extended {
            name: base.to_owned(),
            index,
            encoded,
            value,
        })
    }

    /// Joins the sections of each name in order and decodes them.
    fn join(mut sections: Vec<Extended>) -> Vec<(String, String)> {
        sections.sort_by(|a, b| (&a.name, a.index).cmp(&(&b.name, b.index)));
        let mut joined: Vec<(String, String)> = Vec::new();
        let mut current: Option<(String, Vec<u8>, Charset)> = None;
        for section in sections {
            if current
                .as_ref()
                .is_none_or(|(name, ..)| *name != section.name)
            {
                if let Some((name, bytes, charset)) = current.take() {
                    joined.push((name, charset.decode(bytes)));
                }
                current = Some((section.name.clone(), Vec::new(), Charset::Utf8));
            }
            let Some((_, bytes, charset)) = current.as_mut() else {
                continue;
            };
            let mut text = section.value.as_str();
            if section.encoded {
                if section.index == 0 {
                    // charset'language'value; a value without the two
                    // quotes is taken as it is.
                    let mut parts = text.splitn(3, '\'');
                    if let (Some(set), Some(_), Some(value)) =
                        (parts.next(), parts.next(), parts.next())
                    {
                        *charset = Charset::from_name(set);
                        text = value;
                    }
                }
                bytes.extend(url_unescape_bytes(text, false));
            } else {
                bytes.extend_from_slice(text.as_bytes());
            }
        }
        if let Some((name, bytes, charset)) = current {
            joined.push((name, charset.decode(bytes)));
        }
        joined
    }
}

/// The charsets RFC 2231 values are decoded from.
#[derive(Clone, Copy)]
enum Charset {
    Utf8,
    Latin1,
}

impl Charset {
    fn from_name(name: &str) -> Charset {
        match name.to_ascii_lowercase().as_str() {
            "iso-8859-1" | "latin1" | "latin-1" | "iso8859-1" => Charset::Latin1,
            _ => Charset::Utf8,
        }
    }

    fn decode(self, bytes: Vec<u8>) -> String {
        match self {
            Charset::Utf8 => String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Charset::Latin1 => bytes.into_iter().map(char::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(line: &str, name: &str) -> Option<String> {
        parse_header_value(line).1.remove(name).flatten()
    }

    #[test]
    fn quoted_semicolons_and_escapes() {
        let line = r#"form-data; name="a;b"; filename="c\\d\"e""#;
        assert_eq!(param(line, "name").as_deref(), Some("a;b"));
        assert_eq!(param(line, "filename").as_deref(), Some(r#"c\d"e"#));
    }

    #[test]
    fn names_lower_cased_values_trimmed() {
        let (main, params) = parse_header_value("  text/HTML ;  CharSet = utf-8 ");
        assert_eq!(main, "text/HTML");
        assert_eq!(params["charset"].as_deref(), Some("utf-8"));
    }

    #[test]
    fn rfc2231_continuations_in_order() {
        let line = "attachment; title*1*=%20b; title*0*=us-ascii'en'a; title*2=\" c\"";
        assert_eq!(param(line, "title").as_deref(), Some("a b c"));
    }

    #[test]
    fn rfc2231_latin1_and_extended_wins() {
        let line = "attachment; filename*=iso-8859-1''caf%E9; filename=plain";
        assert_eq!(param(line, "filename").as_deref(), Some("café"));
    }

    #[test]
    fn rfc2231_bad_utf8_is_replaced() {
        assert_eq!(param("a; f*=UTF-8''%FF", "f").as_deref(), Some("\u{FFFD}"));
    }

    #[test]
    fn empty_and_odd_inputs() {
        assert_eq!(parse_header_value(""), (String::new(), HeaderParams::new()));
        let (main, params) = parse_header_value(";;=;\"");
        assert_eq!(main, "");
        assert_eq!(params.get("").cloned(), Some(Some(String::new())));
        assert_eq!(params.get("\"").cloned(), Some(None));
        assert_eq!(param("a; *=x", "*").as_deref(), Some("x"));
        assert_eq!(unquote("\""), "\"");
    }
}
