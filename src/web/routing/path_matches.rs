//! [`PathMatches`]: the matcher of a route pattern, and the URL it
//! rebuilds from arguments.

use std::fmt;

use regex::Regex;
use regex_syntax::hir::{Hir, HirKind, Look};

use super::matcher::{anchored, compile};
use super::{Matcher, PathArgs, RouteError};
use crate::escape::{url_escape, url_unescape_bytes};
use crate::httputil::HttpServerRequest;

/// Matches requests whose path matches a regular expression (Tornado's
/// `PathMatches`), anchored as Tornado anchors it: at the start, and at
/// the end unless the pattern ends with `$` already.
///
/// The pattern's groups become the target's [`PathArgs`], percent-decoded
/// (`+` stays `+`): positional groups as `args`, named ones
/// (`(?P<id>...)`) as `kwargs`. A pattern may not mix the two.
///
/// ```
/// use supercell::routing::{Matcher, PathMatches};
///
/// let matcher = PathMatches::new(r"/entry/([^/]+)/(\d+)").unwrap();
/// assert_eq!(matcher.reverse(&["a b", "7"]).unwrap(), "/entry/a%20b/7");
/// ```
#[derive(Clone)]
pub struct PathMatches {
    pattern: String,
    regex: Regex,
    named: bool,
    prefix: String,
    /// The pattern is this text and nothing else: matched by comparing.
    exact: bool,
    /// The pieces a URL is rebuilt from, when the pattern is simple
    /// enough.
    reverse: Option<Vec<Piece>>,
}

/// A piece of a rebuilt URL.
#[derive(Clone, Debug)]
enum Piece {
    Text(String),
    Group,
}

impl PathMatches {
    /// A matcher for paths matching `pattern`.
    pub fn new(pattern: &str) -> Result<PathMatches, RouteError> {
        let regex = compile(pattern)?;
        let groups = regex.captures_len() - 1;
        let named = regex.capture_names().flatten().count();
        if named != 0 && named != groups {
            return Err(RouteError::MixedGroups(pattern.to_owned()));
        }
        let (prefix, literal) = literal_prefix(pattern);
        Ok(PathMatches {
            pattern: pattern.to_owned(),
            named: named != 0,
            exact: literal && groups == 0,
            prefix,
            reverse: reverse_pieces(pattern, groups),
            regex,
        })
    }

    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The compiled, anchored regular expression.
    pub fn regex(&self) -> &Regex {
        &self.regex
    }

    /// What a match of `path` captures, or `None` when it does not match.
    pub fn match_path(&self, path: &str) -> Option<PathArgs> {
        if self.exact {
            return (path == self.prefix).then(PathArgs::default);
        }
        if self.regex.captures_len() == 1 {
            return self.regex.is_match(path).then(PathArgs::default);
        }
        let captures = self.regex.captures(path)?;
        let decode = |group: Option<regex::Match<'_>>| {
            group.map(|group| url_unescape_bytes(group.as_str(), false))
        };
        let mut args = PathArgs::default();
        if self.named {
            args.kwargs = self
                .regex
                .capture_names()
                .flatten()
                .map(|name| (name.to_owned(), decode(captures.name(name))))
                .collect();
        } else {
            args.args = captures.iter().skip(1).map(decode).collect();
        }
        Some(args)
    }
}

impl fmt::Debug for PathMatches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PathMatches({:?})", self.pattern)
    }
}

impl Matcher for PathMatches {
    fn match_request(&self, request: &HttpServerRequest) -> Option<PathArgs> {
        self.match_path(request.path())
    }

    fn match_request_at(&self, _: &HttpServerRequest, path: &str) -> Option<PathArgs> {
        self.match_path(path)
    }

    /// Rebuilds the URL with each argument percent-encoded (`/` kept) in
    /// its group.
    fn reverse(&self, args: &[&str]) -> Result<String, RouteError> {
        let pieces = self
            .reverse
            .as_ref()
            .ok_or_else(|| RouteError::NotReversible(self.pattern.clone()))?;
        let expected = pieces.iter().filter(|p| matches!(p, Piece::Group)).count();
        if args.len() != expected {
            return Err(RouteError::ArgumentCount {
                pattern: self.pattern.clone(),
                expected,
                given: args.len(),
            });
        }
        let mut args = args.iter();
        let mut url = String::new();
        for piece in pieces {
            match piece {
                Piece::Text(text) => url.push_str(text),
                Piece::Group => url.push_str(&url_escape(args.next().unwrap_or(&""), false)),
            }
        }
        Ok(url)
    }

    fn path_prefix(&self) -> &str {
        &self.prefix
    }

    fn exact_path(&self) -> Option<&str> {
        self.exact.then_some(&self.prefix)
    }

    fn may_match_path(&self, path: &str) -> bool {
        if self.exact {
            return path == self.prefix;
        }
        self.regex.is_match(path)
    }
}

/// The pieces of the URL `pattern` matches, with a hole per group; `None`
/// when the pattern is too complex (a parenthesis that is not a plain
/// capturing group, or an escaped letter or digit outside the groups).
fn reverse_pieces(pattern: &str, groups: usize) -> Option<Vec<Piece>> {
    let pattern = pattern.strip_prefix('^').unwrap_or(pattern);
    let pattern = pattern.strip_suffix('$').unwrap_or(pattern);
    if pattern.matches('(').count() != groups {
        return None;
    }
    let mut fragments = pattern.split('(');
    let mut pieces = vec![Piece::Text(unescape(fragments.next()?)?)];
    for fragment in fragments {
        let (_, after) = fragment.split_once(')')?;
        pieces.push(Piece::Group);
        pieces.push(Piece::Text(unescape(after)?));
    }
    pieces.retain(|piece| !matches!(piece, Piece::Text(text) if text.is_empty()));
    Some(pieces)
}

/// The text a regular expression fragment stands for in a rebuilt URL,
/// as Tornado reads it: `\x` is `x` for punctuation, other characters
/// stand for themselves; `None` for an escaped letter or digit (a class
/// such as `\d`).
fn unescape(fragment: &str) -> Option<String> {
    let mut out = String::with_capacity(fragment.len());
    let mut chars = fragment.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) if !escaped.is_alphanumeric() => out.push(escaped),
                Some(_) => return None,
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    Some(out)
}

/// The literal text every match of `pattern` (anchored) starts with, and
/// whether that text is all the pattern matches.
fn literal_prefix(pattern: &str) -> (String, bool) {
    let Ok(hir) = regex_syntax::Parser::new().parse(&anchored(pattern)) else {
        return (String::new(), false);
    };
    let mut prefix = Vec::new();
    let whole = push_literal_start(&hir, &mut prefix);
    match String::from_utf8(prefix) {
        Ok(prefix) => (prefix, whole),
        Err(_) => (String::new(), false),
    }
}

/// Appends the literal text `hir` starts with; whether all of `hir` is
/// that literal (so what follows it continues the prefix).
fn push_literal_start(hir: &Hir, prefix: &mut Vec<u8>) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(Look::Start | Look::End) => true,
        HirKind::Literal(literal) => {
            prefix.extend_from_slice(&literal.0);
            true
        }
        HirKind::Capture(capture) => push_literal_start(&capture.sub, prefix),
        HirKind::Concat(items) => items.iter().all(|item| push_literal_start(item, prefix)),
        HirKind::Look(_) | HirKind::Class(_) | HirKind::Repetition(_) | HirKind::Alternation(_) => {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_prefix_stops_at_the_first_pattern_syntax() {
        let literal_prefix = |pattern| super::literal_prefix(pattern).0;
        assert_eq!(literal_prefix("/user/(\\d+)"), "/user/");
        assert_eq!(literal_prefix("/static/(.*)"), "/static/");
        assert_eq!(literal_prefix("/a\\.json"), "/a.json");
        assert_eq!(literal_prefix("/ab?"), "/a");
        assert_eq!(literal_prefix("/a|/b"), "");
        assert_eq!(literal_prefix("a|/b"), "");
        assert_eq!(literal_prefix("(?i)/abc"), "/");
        assert_eq!(literal_prefix("/(?P<id>x)y"), "/xy");
        assert_eq!(literal_prefix(".*"), "");
    }

    #[test]
    fn only_wholly_literal_patterns_match_by_comparing() {
        assert_eq!(literal_prefix("/plaintext"), ("/plaintext".into(), true));
        assert_eq!(literal_prefix("/a\\.b$"), ("/a.b".into(), true));
        assert_eq!(literal_prefix("/a\\b"), ("/a".into(), false));
        assert_eq!(literal_prefix("/a(b)"), ("/ab".into(), true));
        let grouped = PathMatches::new("/a(b)").unwrap();
        assert_eq!(
            grouped.match_path("/ab").unwrap().args,
            [Some(b"b".to_vec())]
        );
        let exact = PathMatches::new("/plain").unwrap();
        assert!(exact.match_path("/plain").is_some());
        assert!(exact.match_path("/plainx").is_none());
        assert!(exact.match_path("/plai").is_none());
    }

    #[test]
    fn reverse_pieces_need_simple_groups() {
        assert!(reverse_pieces("/(\\d+)/x", 1).is_some());
        assert!(reverse_pieces("/(?:a|b)", 0).is_none());
        assert!(reverse_pieces("/\\d", 0).is_none());
        assert!(reverse_pieces("/favicon.ico", 0).is_some());
    }
}
