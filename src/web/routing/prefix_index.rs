//! [`PrefixIndex`]: which rules' literal path prefixes a path starts
//! with, so that a lookup tests only the rules that can match however
//! many there are.

/// A byte trie of the rules' literal path prefixes; each node lists, in
/// ascending order, the rules whose prefix ends there.
#[derive(Debug, Default)]
pub(super) struct PrefixIndex {
    nodes: Vec<Node>,
}

#[derive(Debug, Default)]
struct Node {
    /// Children by next byte, sorted by byte.
    children: Vec<(u8, u32)>,
    /// Rules whose prefix is this node's text, ascending.
    rules: Vec<u32>,
}

impl PrefixIndex {
    /// An index of `prefixes`, the rules' in rule order.
    pub(super) fn new<'a>(prefixes: impl IntoIterator<Item = &'a str>) -> PrefixIndex {
        let mut index = PrefixIndex {
            nodes: vec![Node::default()],
        };
        for (rule, prefix) in prefixes.into_iter().enumerate() {
            let node = index.node_for(prefix.as_bytes());
            index.nodes[node].rules.push(rule as u32);
        }
        index
    }

    /// The node for `text`, made with its ancestors if missing.
    fn node_for(&mut self, text: &[u8]) -> usize {
        let mut node = 0;
        for &byte in text {
            let children = &self.nodes[node].children;
            node = match children.binary_search_by_key(&byte, |&(b, _)| b) {
                Ok(at) => children[at].1 as usize,
                Err(at) => {
                    let child = self.nodes.len();
                    self.nodes[node].children.insert(at, (byte, child as u32));
                    self.nodes.push(Node::default());
                    child
                }
            };
        }
        node
    }

    /// The lists of rules whose prefix `path` starts with, each
    /// ascending, pushed onto `lists` (non-empty lists only).
    pub(super) fn candidates<'a>(&'a self, path: &[u8], lists: &mut Vec<&'a [u32]>) {
        let mut node = &self.nodes[0];
        let mut rest = path;
        loop {
            if !node.rules.is_empty() {
                lists.push(&node.rules);
            }
            let Some((&byte, tail)) = rest.split_first() else {
                return;
            };
            match node.children.binary_search_by_key(&byte, |&(b, _)| b) {
                Ok(at) => node = &self.nodes[node.children[at].1 as usize],
                Err(_) => return,
            }
            rest = tail;
        }
    }
}

/// Takes the smallest rule number off the front of `lists` (each
/// ascending), dropping lists that run out: the candidates in rule order.
pub(super) fn pop_lowest(lists: &mut Vec<&[u32]>) -> Option<u32> {
    let (at, &rule) = lists
        .iter()
        .enumerate()
        .filter_map(|(at, list)| list.first().map(|rule| (at, rule)))
        .min_by_key(|&(_, rule)| *rule)?;
    lists[at] = &lists[at][1..];
    if lists[at].is_empty() {
        lists.swap_remove(at);
    }
    Some(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(index: &PrefixIndex, path: &str) -> Vec<u32> {
        let mut lists = Vec::new();
        index.candidates(path.as_bytes(), &mut lists);
        std::iter::from_fn(|| pop_lowest(&mut lists)).collect()
    }

    #[test]
    fn candidates_are_the_rules_whose_prefix_the_path_starts_with_in_order() {
        let index = PrefixIndex::new(["/a/", "", "/b", "/a/x", "/a/", "/"]);
        assert_eq!(candidates(&index, "/a/x/y"), [0, 1, 3, 4, 5]);
        assert_eq!(candidates(&index, "/b"), [1, 2, 5]);
        assert_eq!(candidates(&index, "/c"), [1, 5]);
        assert_eq!(candidates(&index, ""), [1]);
    }
}
