//! ETags: computing one for a response and matching it against the
//! request's `If-None-Match` (Tornado's `compute_etag`,
//! `set_etag_header`, `check_etag_header`).

use http::HeaderValue;
use xxhash_rust::xxh3::xxh3_64;

use super::Context;
use super::hex::hex_u64;
use crate::httputil::value_arena;

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

impl Context {
    /// A 64-bit hash (XXH3) of the output written so far, hex and
    /// quoted: the default `ETag`. Tornado hashes with SHA-1; any hash
    /// that changes with the content does for a validator, and this one
    /// costs a few nanoseconds where SHA-1 costs a good part of a
    /// response. Override
    /// [`compute_etag`](super::RequestHandler::compute_etag) for another.
    /// Always a value; an `Option` so that `compute_etag` can return it.
    pub fn body_etag(&self) -> Option<HeaderValue> {
        let mut etag = [b'"'; 18];
        etag[1..17].copy_from_slice(&hex_u64(xxh3_64(&self.buffer)));
        HeaderValue::from_maybe_shared(value_arena::copy(&etag)).ok()
    }

    /// Sets the `ETag` header from the handler's `compute_etag`, unless
    /// it gives none.
    pub fn set_etag_header(&mut self) {
        if let Some(value) = self.computed_etag() {
            self.headers.insert(http::header::ETAG, value);
        }
    }

    /// The handler's `compute_etag`.
    pub(super) fn computed_etag(&self) -> Option<HeaderValue> {
        (self.hooks.compute_etag)(self)
    }

    /// Whether the response's `ETag` matches the request's
    /// `If-None-Match` (weak comparison; `*` matches any), so that a
    /// `304 Not Modified` may answer.
    pub fn check_etag_header(&self) -> bool {
        let Some(wanted) = self.request.headers.get_value(&http::header::IF_NONE_MATCH) else {
            return false;
        };
        let Some(computed) = self
            .headers
            .get_value(&http::header::ETAG)
            .filter(|etag| !etag.is_empty())
        else {
            return false;
        };
        let (Ok(wanted), Ok(computed)) = (
            std::str::from_utf8(wanted.as_bytes()),
            std::str::from_utf8(computed.as_bytes()),
        ) else {
            return false;
        };
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
