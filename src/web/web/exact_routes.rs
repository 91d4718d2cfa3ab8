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
    pub(super) fn get(&self, path: &str) -> Option<&HandlerFactory> {
        match self {
            ExactRoutes::Few(routes) => routes
                .iter()
                .find(|(literal, _)| **literal == *path)
                .map(|(_, factory)| factory),
            ExactRoutes::Many(routes) => routes.get(path),
        }
    }
}
