//! ETags: computing one for a response and matching it against the
//! request's `If-None-Match` (Tornado's `compute_etag`,
//! `set_etag_header`, `check_etag_header`).

use http::HeaderValue;
use xxhash_rust::xxh3::xxh3_64;

use super::Context;
use crate::util::hex_u64;

/// The entity tags in an `If-None-Match` value: `*`, or quoted tags with
/// an optional `W/`; anything else between them is skipped.
pub(super) fn entity_tags(value: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let start = rest.find(['*', '"']).map(|at| {
            // A `W/` right before the quote belongs to the tag.
            if rest.as_bytes()[at] == b'"' && rest[..at].ends_with("W/") {
                at - 2
            } else {
                at
            }
        });
        let Some(start) = start else { break };
        let tag = &rest[start..];
        if let Some(after) = tag.strip_prefix('*') {
            tags.push("*");
            rest = after;
            continue;
        }
        let open = tag.find('"').unwrap_or(0);
        match tag[open + 1..].find('"') {
            Some(close) => {
                let end = open + 1 + close + 1;
                tags.push(&tag[..end]);
                rest = &tag[end..];
            }
            None => break,
        }
    }
    tags
}

/// A tag compared weakly: without its `W/`.
fn weak(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// An entity tag for a response's `ETag` header, as
/// [`RequestHandler::compute_etag`](super::RequestHandler::compute_etag)
/// gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ETag {
    /// A hash of the body, sent as its 16 lowercase hex digits in quotes
    /// (the default, [`Context::body_etag`]). Written straight into the
    /// response head: no header value is made for it.
    Hash(u64),
    /// Any other tag, sent as it is (quotes included, and `W/` for a
    /// weak one).
    Value(HeaderValue),
}

impl ETag {
    /// The tag as a header value.
    pub fn to_header_value(&self) -> HeaderValue {
        match self {
            ETag::Hash(hash) => {
                let text = quoted_hex(*hash);
                // Quotes and hex digits: always a valid value.
                HeaderValue::from_bytes(&text).unwrap_or(HeaderValue::from_static("\"\""))
            }
            ETag::Value(value) => value.clone(),
        }
    }
}

impl From<HeaderValue> for ETag {
    fn from(value: HeaderValue) -> ETag {
        ETag::Value(value)
    }
}

/// `hash` as its 16 hex digits in quotes.
fn quoted_hex(hash: u64) -> [u8; 18] {
    let mut text = [b'"'; 18];
    text[1..17].copy_from_slice(&hex_u64(hash));
    text
}

impl Context {
    /// A 64-bit hash (XXH3) of the output written so far: the default
    /// `ETag`, sent as 16 hex digits in quotes. Tornado hashes with
    /// SHA-1; any hash that changes with the content does for a
    /// validator, and this one costs a few nanoseconds where SHA-1 costs
    /// a good part of a response. Override
    /// [`compute_etag`](super::RequestHandler::compute_etag) for another.
    /// Always a tag; an `Option` so that `compute_etag` can return it.
    pub fn body_etag(&self) -> Option<ETag> {
        Some(ETag::Hash(xxh3_64(self.buffer.as_slice())))
    }

    /// Sets the `ETag` header from the handler's `compute_etag`, unless
    /// it gives none.
    pub fn set_etag_header(&mut self) {
        if let Some(etag) = self.computed_etag() {
            self.headers
                .insert(http::header::ETAG, etag.to_header_value());
        }
    }

    /// The handler's `compute_etag`.
    pub(super) fn computed_etag(&self) -> Option<ETag> {
        (self.hooks.compute_etag)(self)
    }

    /// Whether the response's `ETag` matches the request's
    /// `If-None-Match` (weak comparison; `*` matches any), so that a
    /// `304 Not Modified` may answer.
    pub fn check_etag_header(&self) -> bool {
        match self.headers.get_value(&http::header::ETAG) {
            Some(computed) => self.if_none_match_accepts(computed.as_bytes()),
            None => false,
        }
    }

    /// Whether the request's `If-None-Match` matches the entity tag
    /// `hash` stands for.
    pub(super) fn if_none_match_accepts_hash(&self, hash: u64) -> bool {
        self.request
            .headers
            .get_value(&http::header::IF_NONE_MATCH)
            .is_some()
            && self.if_none_match_accepts_tag_of(hash)
    }

    /// [`if_none_match_accepts`](Self::if_none_match_accepts) the tag of
    /// `hash`: a call of its own, made only for a request that has an
    /// `If-None-Match`.
    #[inline(never)]
    fn if_none_match_accepts_tag_of(&self, hash: u64) -> bool {
        self.if_none_match_accepts(&quoted_hex(hash))
    }

    /// Whether the request's `If-None-Match` matches `computed`, an
    /// entity tag.
    fn if_none_match_accepts(&self, computed: &[u8]) -> bool {
        let Some(wanted) = self.request.headers.get_value(&http::header::IF_NONE_MATCH) else {
            return false;
        };
        let (Ok(wanted), Ok(computed)) = (
            std::str::from_utf8(wanted.as_bytes()),
            std::str::from_utf8(computed),
        ) else {
            return false;
        };
        if computed.is_empty() {
            return false;
        }
        let tags = entity_tags(wanted);
        match tags.first() {
            None => false,
            Some(&"*") => true,
            Some(_) => tags.iter().any(|tag| weak(tag) == weak(computed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_tags_are_read_as_tornado_reads_them() {
        assert_eq!(
            entity_tags(r#""a", W/"b",  "c""#),
            [r#""a""#, r#"W/"b""#, r#""c""#]
        );
        assert_eq!(entity_tags("*"), ["*"]);
        assert_eq!(entity_tags(r#"junk "x" "unterminated"#), [r#""x""#]);
        assert_eq!(entity_tags(""), Vec::<&str>::new());
        assert_eq!(entity_tags(r#"W/"""#), [r#"W/"""#]);
    }

    proptest::proptest! {
        #[test]
        fn any_if_none_match_reads_without_panicking(value in "[W/\"*, a-z\u{e9}]{0,32}") {
            for tag in entity_tags(&value) {
                proptest::prop_assert!(tag == "*" || tag.ends_with('"'));
            }
        }
    }
}
