//! The handlers an [`Application`](super::Application) finds by the path
//! alone: its literal routes (`/`, `/login`, `/api/status`) that no
//! earlier route may take. A request for one goes straight to its handler
//! factory, without going through the route list.

use std::collections::HashMap;

use super::HandlerFactory;
use super::route::AppTarget;
use crate::routing::RuleRouter;

/// Up to this many routes are looked for one by one; beyond, by hash.
const COMPARE_UP_TO: usize = 8;

/// Handler factories by literal path.
pub(super) enum ExactRoutes {
    Few(Vec<(Box<str>, HandlerFactory)>),
    Many(HashMap<Box<str>, HandlerFactory>),
}

impl Default for ExactRoutes {
    fn default() -> ExactRoutes {
        ExactRoutes::Few(Vec::new())
    }
}

impl ExactRoutes {
    /// The literal routes of `routes` leading to handlers.
    pub(super) fn of(routes: &RuleRouter<AppTarget>) -> ExactRoutes {
        let handlers = routes.exact_rules().into_iter().filter_map(|(path, at)| {
            match &routes.rules()[at].target {
                AppTarget::Handler(factory) => Some((Box::from(path), factory.clone())),
                _ => None,
            }
        });
        let few: Vec<_> = handlers.collect();
        if few.len() <= COMPARE_UP_TO {
            ExactRoutes::Few(few)
        } else {
            ExactRoutes::Many(few.into_iter().collect())
        }
    }

    /// The handler factory of the literal route for `path`.
    #[inline(always)]
    pub(super) fn get(&self, path: &str) -> Option<&HandlerFactory> {
        match self {
            ExactRoutes::Few(routes) => routes
                .iter()
                .find(|(literal, _)| same_path(literal.as_bytes(), path.as_bytes()))
                .map(|(_, factory)| factory),
            ExactRoutes::Many(routes) => by_hash(routes, path),
        }
    }
}

/// The handler factory of `path` among `routes` (a call of its own:
/// the usual lookup among few routes stays small where it is inlined).
#[inline(never)]
fn by_hash<'a>(
    routes: &'a HashMap<Box<str>, HandlerFactory>,
    path: &str,
) -> Option<&'a HandlerFactory> {
    routes.get(path)
}

/// Whether two paths are the same bytes: those of 8 to 16 bytes (most
/// literal routes) compared as two words, without a call.
#[inline(always)]
fn same_path(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match (a.first_chunk::<8>(), a.last_chunk::<8>()) {
        (Some(a_head), Some(a_tail)) if a.len() <= 16 => {
            b.first_chunk::<8>() == Some(a_head) && b.last_chunk::<8>() == Some(a_tail)
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::same_path;

    #[test]
    fn same_path_compares_every_byte_at_each_length() {
        let path = b"/abcdefghijklmnopqrst";
        for len in 0..=path.len() {
            let a = &path[..len];
            assert!(same_path(a, a), "{len}");
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 1;
                assert!(!same_path(a, &b), "{len} {at}");
            }
            assert!(!same_path(a, &path[..len.saturating_sub(1)]) || len == 0);
        }
    }
}
