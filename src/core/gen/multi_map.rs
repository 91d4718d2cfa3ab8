use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;
use std::future::Future;
use std::hash::{BuildHasher, Hash};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::multi::{LogAll, Multi, multi};

/// A map whose values are futures, which [`multi_map`] turns into the same
/// kind of map holding their results (Tornado's `multi` over a dict).
///
/// Implemented for [`HashMap`] (with any hasher) and [`BTreeMap`].
pub trait FutureMap {
    /// The map's key.
    type Key;
    /// The future stored under each key.
    type Fut: Future;
    /// The same kind of map, holding values of type `V` instead.
    type WithValues<V>: FromIterator<(Self::Key, V)>;

    /// The entries, in the map's iteration order.
    fn into_entries(self) -> impl Iterator<Item = (Self::Key, Self::Fut)>;
}

impl<K: Eq + Hash, F: Future, S: BuildHasher + Default> FutureMap for HashMap<K, F, S> {
    type Key = K;
    type Fut = F;
    type WithValues<V> = HashMap<K, V, S>;

    fn into_entries(self) -> impl Iterator<Item = (K, F)> {
        self.into_iter()
    }
}

impl<K: Ord, F: Future> FutureMap for BTreeMap<K, F> {
    type Key = K;
    type Fut = F;
    type WithValues<V> = BTreeMap<K, V>;

    fn into_entries(self) -> impl Iterator<Item = (K, F)> {
        self.into_iter()
    }
}

/// Waits for every future in the map `children` and returns the same kind of
/// map with their results under the same keys (Tornado's `gen.multi` over a
/// dict).
///
/// Everything [`multi`] says holds: all children are awaited; the first
/// error (in the map's iteration order) is returned and the others are
/// logged, except those made quiet with [`MultiMap::quiet_exceptions`].
///
/// ```
/// use std::collections::BTreeMap;
/// use supercell::r#gen::multi_map;
///
/// async fn lookup(n: i32) -> Result<i32, String> {
///     Ok(n * 100)
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let mut lookups = BTreeMap::new();
/// lookups.insert("a", lookup(1));
/// lookups.insert("b", lookup(2));
/// let results: BTreeMap<&str, i32> = multi_map(lookups).await.unwrap();
/// assert_eq!(results, BTreeMap::from([("a", 100), ("b", 200)]));
/// # });
/// ```
pub fn multi_map<M, T, E>(children: M) -> MultiMap<M, LogAll<E>>
where
    M: FutureMap,
    M::Fut: Future<Output = Result<T, E>>,
{
    let (keys, futures): (Vec<_>, Vec<_>) = children.into_entries().unzip();
    MultiMap {
        keys,
        inner: multi(futures),
    }
}

/// The future of [`multi_map`]: resolves to `Ok` with a map of every
/// result, or to the first error.
#[must_use = "futures do nothing unless awaited"]
pub struct MultiMap<M: FutureMap, Q> {
    keys: Vec<M::Key>,
    inner: Multi<M::Fut, Q>,
}

impl<M, T, E, Q> MultiMap<M, Q>
where
    M: FutureMap,
    M::Fut: Future<Output = Result<T, E>>,
{
    /// Keeps the errors for which `is_quiet` returns `true` out of the log
    /// (when they are not the error returned).
    pub fn quiet_exceptions<P: Fn(&E) -> bool>(self, is_quiet: P) -> MultiMap<M, P> {
        MultiMap {
            keys: self.keys,
            inner: self.inner.quiet_exceptions(is_quiet),
        }
    }
}

// `Multi` needs no pinning and the keys are only moved out at the end.
impl<M: FutureMap, Q> Unpin for MultiMap<M, Q> {}

impl<M, T, E, Q> Future for MultiMap<M, Q>
where
    M: FutureMap,
    M::Fut: Future<Output = Result<T, E>>,
    E: Display,
    Q: Fn(&E) -> bool,
{
    type Output = Result<M::WithValues<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let values = ready!(Pin::new(&mut this.inner).poll(cx))?;
        let keys = std::mem::take(&mut this.keys);
        Poll::Ready(Ok(keys.into_iter().zip(values).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_map_comes_back_as_a_hash_map() {
        let children: HashMap<String, _> = (0..4)
            .map(|i| (format!("k{i}"), async move { Ok::<_, String>(i * i) }))
            .collect();
        let results: HashMap<String, i32> = multi_map(children).await.unwrap();
        assert_eq!(results.len(), 4);
        assert_eq!(results["k3"], 9);
    }

    #[tokio::test]
    async fn empty_map_gives_an_empty_map() {
        let none: BTreeMap<u8, std::future::Ready<Result<u8, String>>> = BTreeMap::new();
        assert_eq!(multi_map(none).await, Ok(BTreeMap::new()));
    }
}
