//! [`RuleRouter`]: an ordered list of rules, the first that applies wins.

use std::collections::HashMap;

use super::prefix_index::{PrefixIndex, pop_lowest};
use super::{PathArgs, RouteError, Rule};
use bytes::Bytes;
use http::{Method, Version};

use crate::httputil::{HttpHeaders, HttpServerRequest, RequestContext, RequestStartLine};
use crate::netutil::PeerAddress;
use crate::util::log_target::APP_LOG;

/// Up to this many rules a lookup tries each in turn; beyond, it asks the
/// prefix index which can match.
const SCAN_ALL_UP_TO: usize = 8;

/// An ordered list of [`Rule`]s (Tornado's `RuleRouter` and, with its
/// names, `ReversibleRuleRouter`): a request goes to the target of the
/// first rule whose matcher accepts it, unless that target declines it
/// (a nested router without a match), in which case the search goes on.
///
/// Lookups cost the same however many rules there are: the rules are
/// indexed by the literal text their path patterns start with
/// ([`Matcher::path_prefix`](super::Matcher::path_prefix)), and only
/// rules whose prefix the path starts with are tried, in order.
///
/// `T` is what rules lead to: for a router serving connections
/// directly, `Arc<dyn Router>` (see [`Router`](super::Router)).
///
/// ```
/// use supercell::routing::{PathMatches, Rule, RuleRouter};
///
/// let router = RuleRouter::new(vec![
///     Rule::new(PathMatches::new("/").unwrap(), "home"),
///     Rule::new(PathMatches::new(r"/item/(\d+)").unwrap(), "item").named("item"),
/// ]);
/// let path_args = |path| router.find_path(path).map(|(rule, args)| (rule.target, args.args));
/// assert_eq!(path_args("/item/7"), Some(("item", vec![Some(b"7".to_vec())])));
/// assert_eq!(path_args("/nothing"), None);
/// assert_eq!(router.reverse_url("item", &["12"]).unwrap(), "/item/12");
/// ```
pub struct RuleRouter<T> {
    rules: Vec<Rule<T>>,
    names: HashMap<String, usize>,
    index: PrefixIndex,
}

/// Tornado's `ReversibleRuleRouter`: every [`RuleRouter`] rebuilds the
/// URLs of its named rules.
pub type ReversibleRuleRouter<T> = RuleRouter<T>;

/// A target that may hold named rules of its own, for
/// [`RuleRouter::reverse_url`] to look into (Tornado's
/// `ReversibleRouter`).
pub trait ReverseUrl {
    /// The URL of the rule named `name` with `args` in its groups; `None`
    /// when no rule has that name here.
    fn reverse_url(&self, name: &str, args: &[&str]) -> Option<Result<String, RouteError>>;
}

impl<T> Default for RuleRouter<T> {
    fn default() -> RuleRouter<T> {
        RuleRouter {
            rules: Vec::new(),
            names: HashMap::new(),
            index: PrefixIndex::default(),
        }
    }
}

impl<T> RuleRouter<T> {
    /// A router of `rules`, in order.
    pub fn new(rules: Vec<Rule<T>>) -> RuleRouter<T> {
        let mut router = RuleRouter::default();
        router.add_rules(rules);
        router
    }

    /// Appends `rules`. A name given twice refers to the later rule (with
    /// a warning, as Tornado).
    pub fn add_rules(&mut self, rules: impl IntoIterator<Item = Rule<T>>) {
        let at = self.rules.len();
        self.splice(at, rules);
    }

    /// Inserts `rule` before the rule at `at` (at the end when `at` is
    /// past it).
    pub fn insert_rule(&mut self, at: usize, rule: Rule<T>) {
        self.splice(at.min(self.rules.len()), [rule]);
    }

    fn splice(&mut self, at: usize, rules: impl IntoIterator<Item = Rule<T>>) {
        self.rules.splice(at..at, rules);
        self.names.clear();
        for (position, rule) in self.rules.iter().enumerate() {
            if let Some(name) = &rule.name
                && self.names.insert(name.clone(), position).is_some()
            {
                tracing::warn!(
                    target: APP_LOG,
                    "Multiple handlers named {name}; replacing previous value"
                );
            }
        }
        self.index = PrefixIndex::new(self.rules.iter().map(|rule| rule.matcher.path_prefix()));
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule<T>] {
        &self.rules
    }

    /// The rule named `name`.
    pub fn named_rule(&self, name: &str) -> Option<&Rule<T>> {
        self.names.get(name).map(|&at| &self.rules[at])
    }

    /// The rules found by the path alone: each rule whose matcher accepts
    /// one literal path ([`Matcher::exact_path`](super::Matcher::exact_path))
    /// that no earlier rule may accept, with its path and position. A
    /// request for that path goes to that rule first, whatever else it
    /// holds.
    pub fn exact_rules(&self) -> Vec<(&str, usize)> {
        let mut found: Vec<(&str, usize)> = Vec::new();
        // Rules that are not literal paths, which may accept any of the
        // later literal paths.
        let mut others: Vec<usize> = Vec::new();
        let mut literal_paths = std::collections::HashSet::new();
        for (at, rule) in self.rules.iter().enumerate() {
            let Some(path) = rule.matcher.exact_path() else {
                others.push(at);
                continue;
            };
            let first = literal_paths.insert(path);
            if first
                && !others
                    .iter()
                    .any(|&other| self.rules[other].matcher.may_match_path(path))
            {
                found.push((path, at));
            }
        }
        found
    }

    /// Goes through the rules accepting `request` in order, calling
    /// `found` with each and what its matcher captured, until `found`
    /// returns something.
    pub fn find_map<'a, R>(
        &'a self,
        request: &HttpServerRequest,
        found: impl FnMut(&'a Rule<T>, PathArgs) -> Option<R>,
    ) -> Option<R> {
        self.find_map_at(request, request.path(), found)
    }

    /// [`find_map`](Self::find_map) for `request` whose path is `path`.
    pub(crate) fn find_map_at<'a, R>(
        &'a self,
        request: &HttpServerRequest,
        path: &str,
        mut found: impl FnMut(&'a Rule<T>, PathArgs) -> Option<R>,
    ) -> Option<R> {
        let mut start = 0;
        while let Some((at, args)) = self.first_match_from(request, path, start) {
            if let Some(result) = found(&self.rules[at], args) {
                return Some(result);
            }
            start = at + 1;
        }
        None
    }

    /// The first rule accepting a `GET` request for `path` without
    /// headers, and what its matcher captured: a lookup for routers of
    /// path rules.
    pub fn find_path(&self, path: &str) -> Option<(&Rule<T>, PathArgs)> {
        self.find_map(&path_only_request(path), |rule, args| Some((rule, args)))
    }

    /// The position of the first rule from `start` on accepting
    /// `request`, and what its matcher captured.
    pub(super) fn first_request_match_from(
        &self,
        request: &HttpServerRequest,
        start: usize,
    ) -> Option<(usize, PathArgs)> {
        self.first_match_from(request, request.path(), start)
    }

    /// [`first_request_match_from`](Self::first_request_match_from) for
    /// `request` whose path is `path`.
    fn first_match_from(
        &self,
        request: &HttpServerRequest,
        path: &str,
        start: usize,
    ) -> Option<(usize, PathArgs)> {
        let accepts = |at: usize| {
            self.rules[at]
                .matcher
                .match_request_at(request, path)
                .map(|args| (at, args))
        };
        if self.rules.len() <= SCAN_ALL_UP_TO {
            return (start..self.rules.len()).find_map(accepts);
        }
        let mut lists = Vec::new();
        self.index.candidates(path.as_bytes(), &mut lists);
        std::iter::from_fn(|| pop_lowest(&mut lists))
            .map(|at| at as usize)
            .filter(|&at| at >= start)
            .find_map(accepts)
    }
}

impl<T: ReverseUrl> RuleRouter<T> {
    /// The URL of the rule named `name`, here or in a nested router, with
    /// `args` percent-encoded into its groups (Tornado's `reverse_url`).
    pub fn reverse_url(&self, name: &str, args: &[&str]) -> Result<String, RouteError> {
        ReverseUrl::reverse_url(self, name, args)
            .unwrap_or_else(|| Err(RouteError::UnknownName(name.to_owned())))
    }
}

impl<T: ReverseUrl> ReverseUrl for RuleRouter<T> {
    fn reverse_url(&self, name: &str, args: &[&str]) -> Option<Result<String, RouteError>> {
        if let Some(rule) = self.named_rule(name) {
            return Some(rule.matcher.reverse(args));
        }
        self.rules
            .iter()
            .find_map(|rule| rule.target.reverse_url(name, args))
    }
}

impl ReverseUrl for &str {
    fn reverse_url(&self, _: &str, _: &[&str]) -> Option<Result<String, RouteError>> {
        None
    }
}

/// A request for `path` with nothing else, for matching paths alone.
fn path_only_request(path: &str) -> HttpServerRequest {
    let start_line = RequestStartLine {
        method: Method::GET,
        path: path.into(),
        version: Version::HTTP_11,
    };
    let context = RequestContext {
        peer: PeerAddress::Unix,
        remote_ip: String::new(),
        protocol: "http".to_owned(),
    };
    HttpServerRequest::new(start_line, HttpHeaders::new(), Bytes::new(), context)
}

impl<T> std::fmt::Debug for RuleRouter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleRouter")
            .field("rules", &self.rules)
            .finish()
    }
}
