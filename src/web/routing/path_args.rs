//! [`PathArgs`]: what a matcher extracted from a request for its target.

/// The groups a path pattern captured, percent-decoded (Tornado's
/// `path_args` and `path_kwargs`). Values are bytes, as in Tornado: the
/// handler decides how to decode them. A group that took no part in the
/// match (an optional one) is `None`.
///
/// A pattern's groups are either all positional (`args`) or all named
/// (`kwargs`, in the pattern's order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathArgs {
    /// The positional groups, in order.
    pub args: Vec<Option<Vec<u8>>>,
    /// The named groups, in the pattern's order.
    pub kwargs: Vec<(String, Option<Vec<u8>>)>,
}

impl PathArgs {
    /// Whether nothing was captured.
    pub fn is_empty(&self) -> bool {
        self.args.is_empty() && self.kwargs.is_empty()
    }

    /// The named group `name`, if the pattern has it and it took part.
    pub fn kwarg(&self, name: &str) -> Option<&[u8]> {
        self.kwargs
            .iter()
            .find(|(key, _)| key == name)
            .and_then(|(_, value)| value.as_deref())
    }
}
