//! JSON encoding safe to embed in HTML, and decoding.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON-encodes `value`, as Tornado's `json_encode`: every `</` is written
/// `<\/` (an escape JSON allows), so the output can sit inside a
/// `<script>` element without closing it early. The line and paragraph
/// separators U+2028 and U+2029 are written `\u2028` and `\u2029`, as
/// Python's ASCII-only output has them, because JavaScript engines before
/// ES2019 end a string literal at them.
///
/// The output is compact `serde_json` text: unlike Python's `json.dumps` it
/// has no spaces after `,` and `:`, and other non-ASCII characters are
/// written as themselves rather than `\uXXXX`; every JSON parser reads both
/// the same.
///
/// # Errors
///
/// Whatever `serde_json` reports, e.g. a map whose keys are not strings.
///
/// ```
/// use supercell::escape::json_encode;
///
/// assert_eq!(json_encode("</script>").unwrap(), r#""<\/script>""#);
/// assert_eq!(json_encode(&[1, 2]).unwrap(), "[1,2]");
/// ```
pub fn json_encode<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut json = serde_json::to_string(value)?;
    // The separators can only occur inside strings, where `\uXXXX` means
    // the same character.
    for (raw, escaped) in [
        ("</", "<\\/"),
        ("\u{2028}", "\\u2028"),
        ("\u{2029}", "\\u2029"),
    ] {
        if json.contains(raw) {
            json = json.replace(raw, escaped);
        }
    }
    Ok(json)
}

/// Decodes JSON text (a `&str`, `String`, `&[u8]` or `Vec<u8>`; bytes are
/// read as UTF-8) into any deserializable type, as Tornado's `json_decode`.
///
/// # Errors
///
/// Invalid JSON or UTF-8, or JSON that does not fit `T`.
///
/// ```
/// use supercell::escape::json_decode;
///
/// let v: Vec<String> = json_decode(r#"["a", "<\/b>"]"#).unwrap();
/// assert_eq!(v, ["a", "</b>"]);
/// let s: String = json_decode(b"\"\xc3\xa9\"").unwrap();
/// assert_eq!(s, "é");
/// ```
pub fn json_decode<T: DeserializeOwned>(value: impl AsRef<[u8]>) -> Result<T, serde_json::Error> {
    serde_json::from_slice(value.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_paragraph_separators_are_escaped() {
        let text = "a\u{2028}b\u{2029}c</d";
        let json = json_encode(text).unwrap();
        assert_eq!(json, r#""a\u2028b\u2029c<\/d""#);
        assert_eq!(json_decode::<String>(&json).unwrap(), text);
    }

    #[test]
    fn nested_values_escape_every_close_tag() {
        let value = serde_json::json!({"a</": ["</x>", "<</"], "b": "<"});
        let json = json_encode(&value).unwrap();
        assert!(!json.contains("</"));
        assert_eq!(json_decode::<serde_json::Value>(&json).unwrap(), value);
    }

    #[test]
    fn non_string_keys_are_an_error() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1], 2);
        assert!(json_encode(&map).is_err());
    }

    #[test]
    fn invalid_input_is_an_error() {
        assert!(json_decode::<String>(b"\"\xff\"").is_err());
        assert!(json_decode::<u8>("300").is_err());
        assert!(json_decode::<serde_json::Value>("{").is_err());
    }
}
