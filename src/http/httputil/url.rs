//! Query strings: [`url_concat`] and [`qs_to_qsl`].

use crate::escape::{url_escape, url_unescape_bytes};

/// Appends query arguments to `url`, which may already have a query string
/// (Tornado's `url_concat`).
///
/// The existing query is split on `&` into `name=value` fields, keeping
/// fields with blank values (`a` becomes `a=`); the new arguments go after
/// them, a name given several times keeping every value. The whole query
/// is then written again percent-encoded as an HTML form does (space as
/// `+`), so equivalent spellings come out the same. A `#fragment` stays at
/// the end, and an empty query or fragment is dropped. Unlike Tornado's,
/// encoded bytes that are not UTF-8 in the existing query survive as they
/// were.
///
/// ```
/// use supercell::httputil::url_concat;
///
/// assert_eq!(url_concat("http://example.com/foo", &[("c", "d")]), "http://example.com/foo?c=d");
/// assert_eq!(
///     url_concat("http://example.com/foo?a=b#top", &[("c", "d"), ("c", "d 2")]),
///     "http://example.com/foo?a=b&c=d&c=d+2#top",
/// );
/// ```
pub fn url_concat<K: AsRef<str>, V: AsRef<str>>(url: &str, args: &[(K, V)]) -> String {
    let (rest, fragment) = url.split_once('#').unwrap_or((url, ""));
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|field| !field.is_empty())
        .map(|field| {
            let (name, value) = field.split_once('=').unwrap_or((field, ""));
            (
                url_unescape_bytes(name, true),
                url_unescape_bytes(value, true),
            )
        })
        .collect();
    pairs.extend(args.iter().map(|(name, value)| {
        (
            name.as_ref().as_bytes().to_vec(),
            value.as_ref().as_bytes().to_vec(),
        )
    }));
    let mut out = String::with_capacity(url.len() + args.len() * 16);
    out.push_str(base);
    for (i, (name, value)) in pairs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(&url_escape(name, true));
        out.push('=');
        out.push_str(&url_escape(value, true));
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Turns a parsed query (each name with its list of values, as
/// [`parse_qs_bytes`](crate::escape::parse_qs_bytes) returns) back into
/// `(name, value)` pairs, one per value (Tornado's `qs_to_qsl`). Works on
/// a map by value or by reference.
///
/// ```
/// use supercell::escape::parse_qs_bytes;
/// use supercell::httputil::qs_to_qsl;
///
/// let qs = parse_qs_bytes("a=1&b=2&a=3", false);
/// let mut pairs: Vec<(&String, &Vec<u8>)> = qs_to_qsl(&qs).collect();
/// pairs.sort();
/// assert_eq!(pairs.len(), 3);
/// assert_eq!((pairs[0].0.as_str(), pairs[0].1.as_slice()), ("a", &b"1"[..]));
/// ```
pub fn qs_to_qsl<Q, K, VS>(qs: Q) -> impl Iterator<Item = (K, VS::Item)>
where
    Q: IntoIterator<Item = (K, VS)>,
    K: Clone,
    VS: IntoIterator,
{
    qs.into_iter()
        .flat_map(|(name, values)| values.into_iter().map(move |value| (name.clone(), value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_query_and_fragment_dropped() {
        let none: &[(&str, &str)] = &[];
        assert_eq!(url_concat("/p?#", none), "/p");
        assert_eq!(url_concat("/p?&&", none), "/p");
    }

    #[test]
    fn existing_query_is_normalized_losslessly() {
        let none: &[(&str, &str)] = &[];
        assert_eq!(
            url_concat("/p?a%20b=c+d&%FF=%2f", none),
            "/p?a+b=c+d&%FF=%2F"
        );
    }

    #[test]
    fn question_mark_in_fragment_is_not_a_query() {
        assert_eq!(url_concat("/p#a?b", &[("x", "1")]), "/p?x=1#a?b");
    }
}
