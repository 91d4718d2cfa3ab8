//! [`Rule`]: a matcher, the target it leads to, and an optional name.

use std::fmt;

use super::Matcher;

/// A routing rule (Tornado's `Rule`): when its matcher accepts a request,
/// the request goes to its target. A name lets
/// [`RuleRouter::reverse_url`](super::RuleRouter::reverse_url) rebuild
/// the rule's URL.
///
/// What Tornado passes as `target_kwargs` is, in Rust, whatever the
/// target captured when it was made.
pub struct Rule<T> {
    /// Decides whether the rule applies.
    pub matcher: Box<dyn Matcher>,
    /// Where the request goes.
    pub target: T,
    /// The rule's name, if any.
    pub name: Option<String>,
}

impl<T> Rule<T> {
    /// A rule sending requests `matcher` accepts to `target`.
    pub fn new(matcher: impl Matcher, target: T) -> Rule<T> {
        Rule {
            matcher: Box::new(matcher),
            target,
            name: None,
        }
    }

    /// This rule, named `name`.
    pub fn named(mut self, name: impl Into<String>) -> Rule<T> {
        self.name = Some(name.into());
        self
    }
}

impl<T> fmt::Debug for Rule<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("matcher", &self.matcher)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}
