//! [`RouteError`]: why a route pattern or a reverse lookup failed.

/// Why a route could not be built or reversed.
#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    /// The pattern is not a valid regular expression.
    #[error("invalid route pattern {pattern:?}: {source}")]
    Pattern {
        /// The pattern as given.
        pattern: String,
        /// What the regex compiler said.
        #[source]
        source: Box<regex::Error>,
    },
    /// The pattern mixes named and positional groups, which Tornado
    /// forbids: path arguments are either all positional or all named.
    #[error("groups in route pattern {0:?} must be all named or all positional")]
    MixedGroups(String),
    /// The pattern is too complex to rebuild a URL from (nested or
    /// non-capturing groups, or escapes of letters and digits).
    #[error("cannot reverse route pattern {0:?}")]
    NotReversible(String),
    /// A reverse lookup got a different number of arguments than the
    /// pattern has groups.
    #[error("route pattern {pattern:?} takes {expected} arguments, {given} given")]
    ArgumentCount {
        /// The pattern.
        pattern: String,
        /// Its group count.
        expected: usize,
        /// The arguments given.
        given: usize,
    },
    /// Routes were added to an application already shared (cloned, or
    /// serving).
    #[error("routes can only be added before the application is shared")]
    Shared,
    /// No rule has this name.
    #[error("no route named {0:?}")]
    UnknownName(String),
}
