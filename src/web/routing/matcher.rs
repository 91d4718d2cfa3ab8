//! [`Matcher`], what decides whether a rule applies to a request, and the
//! matchers that do not look at the path: [`AnyMatches`], [`HostMatches`],
//! [`DefaultHostMatches`].

use std::fmt;

use regex::Regex;

use super::{PathArgs, RouteError};
use crate::httputil::HttpServerRequest;

/// Decides whether a [`Rule`](super::Rule) applies to a request (Tornado's
/// `Matcher`).
pub trait Matcher: fmt::Debug + Send + Sync + 'static {
    /// What the rule's target gets from the request when it applies
    /// (`Some(PathArgs::default())` when nothing is captured), or `None`.
    fn match_request(&self, request: &HttpServerRequest) -> Option<PathArgs>;

    /// [`match_request`](Self::match_request), given the request's
    /// [`path`](HttpServerRequest::path) found already: a router finds it
    /// once for all its rules. Default: `match_request`.
    fn match_request_at(&self, request: &HttpServerRequest, path: &str) -> Option<PathArgs> {
        let _ = path;
        self.match_request(request)
    }

    /// The URL this matcher matches, rebuilt with `args` in its groups.
    /// Default: [`RouteError::NotReversible`] (only path matchers rebuild
    /// URLs).
    fn reverse(&self, args: &[&str]) -> Result<String, RouteError> {
        let _ = args;
        Err(RouteError::NotReversible(format!("{self:?}")))
    }

    /// A literal text every path this matcher accepts starts with; routers
    /// use it to skip rules that cannot match. Default: empty (no promise).
    fn path_prefix(&self) -> &str {
        ""
    }

    /// The one path this matcher accepts, whatever else the request
    /// holds, when it is a literal path: routers may then find its rule
    /// by the path alone. Default: `None`.
    fn exact_path(&self) -> Option<&str> {
        None
    }

    /// Whether some request for `path` may be accepted: `false` only when
    /// none is. Default: `true`.
    fn may_match_path(&self, path: &str) -> bool {
        let _ = path;
        true
    }
}

/// Matches every request (Tornado's `AnyMatches`).
#[derive(Clone, Copy, Debug, Default)]
pub struct AnyMatches;

impl Matcher for AnyMatches {
    fn match_request(&self, _: &HttpServerRequest) -> Option<PathArgs> {
        Some(PathArgs::default())
    }
}

/// Anchors a pattern as Tornado does: at the start always, at the end
/// unless it ends with `$` already.
pub(super) fn anchored(pattern: &str) -> String {
    let end = if pattern.ends_with('$') { "" } else { "$" };
    format!("^(?:{pattern}{end})")
}

/// Compiles `pattern` anchored as Tornado anchors route patterns.
pub(super) fn compile(pattern: &str) -> Result<Regex, RouteError> {
    Regex::new(&anchored(pattern)).map_err(|source| RouteError::Pattern {
        pattern: pattern.to_owned(),
        source: Box::new(source),
    })
}

/// Matches requests whose host name (the `Host` header, lowercased,
/// without the port) matches a regular expression (Tornado's
/// `HostMatches`). The pattern is anchored at both ends.
#[derive(Clone)]
pub struct HostMatches {
    pattern: String,
    regex: Regex,
}

impl HostMatches {
    /// A matcher for host names matching `pattern` (`.*` for any host).
    pub fn new(pattern: &str) -> Result<HostMatches, RouteError> {
        Ok(HostMatches {
            pattern: pattern.to_owned(),
            regex: compile(pattern)?,
        })
    }

    /// Whether `host` matches.
    pub fn matches_host(&self, host: &str) -> bool {
        self.regex.is_match(host)
    }
}

impl fmt::Debug for HostMatches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostMatches({:?})", self.pattern)
    }
}

impl Matcher for HostMatches {
    fn match_request(&self, request: &HttpServerRequest) -> Option<PathArgs> {
        self.matches_host(&request.host_name())
            .then(PathArgs::default)
    }
}

/// Matches every request when the application's default host matches a
/// host pattern, unless the request came through a proxy that set
/// `X-Real-Ip` (Tornado's `DefaultHostMatches`): during development, a
/// virtual host is reachable under any name.
#[derive(Clone, Debug)]
pub struct DefaultHostMatches {
    matches: bool,
}

impl DefaultHostMatches {
    /// A matcher for `host`'s rules, given the application's
    /// `default_host`.
    pub fn new(default_host: &str, host: &HostMatches) -> DefaultHostMatches {
        DefaultHostMatches {
            matches: host.matches_host(default_host),
        }
    }
}

impl Matcher for DefaultHostMatches {
    fn match_request(&self, request: &HttpServerRequest) -> Option<PathArgs> {
        (self.matches && !request.headers.contains("X-Real-Ip")).then(PathArgs::default)
    }
}
