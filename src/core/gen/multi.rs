use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::ordered_children::OrderedChildren;
use crate::util::log_target::APP_LOG;

/// The predicate [`multi`] starts with: no error is quiet.
pub type LogAll<E> = fn(&E) -> bool;

/// Waits for every future of `children` and gathers their results in input
/// order (Tornado's `gen.multi` over a list).
///
/// The children run concurrently, polled in place by the returned future
/// (so they need not be `Send` or `'static`). Each is polled only when it
/// has been woken, so a long list costs no more than its children; the
/// children woken since the last round are polled in input order, so
/// children that yield to the loop (with [`moment`](super::moment)) take
/// turns in a fixed order, as in Tornado.
///
/// As in Tornado, the result waits for *all* children, even once one has
/// failed. Then the first error in input order is returned and every other
/// error is logged at error level to [`APP_LOG`] ("Multiple exceptions in
/// yield list"), except those the predicate given to
/// [`Multi::quiet_exceptions`] calls quiet (Tornado's `quiet_exceptions`).
///
/// ```
/// use supercell::r#gen::multi;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let fetches = (1..=3).map(|i| async move { Ok::<_, std::io::Error>(i * 10) });
/// assert_eq!(multi(fetches).await.unwrap(), vec![10, 20, 30]);
///
/// let failing = vec![
///     Box::pin(async { Err::<u8, _>("timed out") }) as std::pin::Pin<Box<dyn Future<Output = _>>>,
///     Box::pin(async { Err("refused") }),
/// ];
/// // "refused" is expected noise: do not log it.
/// let r = multi(failing).quiet_exceptions(|e: &&str| *e == "refused").await;
/// assert_eq!(r, Err("timed out"));
/// # });
/// ```
pub fn multi<I, F, T, E>(children: I) -> Multi<F, LogAll<E>>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T, E>>,
{
    Multi {
        children: OrderedChildren::new(children),
        is_quiet: |_| false,
    }
}

/// The future of [`multi`]: resolves to `Ok` with every result in input
/// order, or to the first error.
#[must_use = "futures do nothing unless awaited"]
pub struct Multi<F: Future, Q> {
    children: OrderedChildren<F>,
    is_quiet: Q,
}

impl<F, T, E, Q> Multi<F, Q>
where
    F: Future<Output = Result<T, E>>,
{
    /// Keeps the errors for which `is_quiet` returns `true` out of the log
    /// (when they are not the error returned).
    pub fn quiet_exceptions<P: Fn(&E) -> bool>(self, is_quiet: P) -> Multi<F, P> {
        Multi {
            children: self.children,
            is_quiet,
        }
    }
}

// The children are pinned in boxes of their own; nothing else needs
// pinning.
impl<F: Future, Q> Unpin for Multi<F, Q> {}

impl<F, T, E, Q> Future for Multi<F, Q>
where
    F: Future<Output = Result<T, E>>,
    E: Display,
    Q: Fn(&E) -> bool,
{
    type Output = Result<Vec<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let outputs = ready!(this.children.poll_all(cx));
        Poll::Ready(first_error_wins(outputs, &this.is_quiet))
    }
}

/// All the values, or the first error; later errors are logged unless quiet.
fn first_error_wins<T, E: Display>(
    outputs: Vec<Result<T, E>>,
    is_quiet: impl Fn(&E) -> bool,
) -> Result<Vec<T>, E> {
    let mut values = Vec::with_capacity(outputs.len());
    let mut first_error = None;
    for output in outputs {
        match output {
            Ok(value) => values.push(value),
            Err(e) if first_error.is_none() => first_error = Some(e),
            Err(e) if is_quiet(&e) => {}
            Err(e) => tracing::error!(target: APP_LOG, "Multiple exceptions in yield list: {e}"),
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(values),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn empty_list_resolves_at_once() {
        let none: Vec<std::future::Ready<Result<u8, String>>> = Vec::new();
        assert_eq!(multi(none).await, Ok(vec![]));
    }

    #[tokio::test]
    async fn results_keep_input_order_whatever_the_finishing_order() {
        let slow_first = (0..5u32).map(|i| async move {
            for _ in 0..(5 - i) {
                tokio::task::yield_now().await;
            }
            Ok::<_, String>(i)
        });
        assert_eq!(multi(slow_first).await, Ok(vec![0, 1, 2, 3, 4]));
    }

    #[tokio::test]
    async fn children_need_not_be_send() {
        let shared = std::rc::Rc::new(Cell::new(0));
        let children = (0..3).map(|_| {
            let shared = std::rc::Rc::clone(&shared);
            async move {
                shared.set(shared.get() + 1);
                Ok::<_, String>(shared.get())
            }
        });
        assert_eq!(multi(children).await, Ok(vec![1, 2, 3]));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn multi_of_send_children_can_be_spawned() {
        let children = (0..10u32).map(|i| async move {
            tokio::task::yield_now().await;
            Ok::<_, String>(i)
        });
        let spawned = tokio::spawn(multi(children));
        assert_eq!(spawned.await.unwrap(), Ok((0..10).collect()));
    }

    #[test]
    fn first_error_in_input_order_wins() {
        let outputs = vec![Ok(1), Err("a"), Ok(2), Err("b")];
        assert_eq!(first_error_wins(outputs, |_| true), Err("a"));
    }
}
