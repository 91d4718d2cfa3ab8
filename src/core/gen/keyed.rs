//! Futures tagged with the key (index or map key) they were given under.

use std::future::Future;

use futures_util::future::{Join, Ready, join, ready};

/// `future`, resolving to `(key, output)`: a join with an already-ready key,
/// which needs no pinning code of its own.
pub(super) type Keyed<K, F> = Join<Ready<K>, F>;

/// Tags `future` with `key`.
pub(super) fn keyed<K, F: Future>(key: K, future: F) -> Keyed<K, F> {
    join(ready(key), future)
}
