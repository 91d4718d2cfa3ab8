use std::error::Error;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::runtime::Handle;

use super::done_callbacks;
use super::error::{Exception, FutureError, InvalidStateError, into_exception};
use super::future_state::{Outcome, Shared};

/// A placeholder for a result that some other code sets later: Tornado
/// 5.0's `tornado.concurrent.Future`, which is asyncio's `Future`.
///
/// Not to be confused with the trait [`std::future::Future`]: this is a
/// concrete, settable value that *implements* that trait. It is the way to
/// hand out "a result that is not there yet" when no `async fn` produces
/// it — a reply that arrives on another connection, a message for a
/// long-polling client.
///
/// - **Settable**: [`set_result`](Self::set_result),
///   [`set_exception`](Self::set_exception) or [`cancel`](Self::cancel), once.
///   Setting an outcome twice is an [`InvalidStateError`].
/// - **Shared**: clones are handles on the same future (and compare equal);
///   every clone can await it and each gets the outcome (`T: Clone`).
/// - **Thread-safe**: any thread may set it.
/// - **Callbacks** added with [`add_done_callback`](Self::add_done_callback)
///   run on the next loop iteration, through the loop's callback queue —
///   never inline inside `set_result`, not even when added to a future that
///   is already done.
///
/// Awaiting yields `Ok(result)`, `Err(FutureError::Exception(_))` or
/// `Err(FutureError::Cancelled(_))`. An exception that no one retrieves (by
/// awaiting, [`result`](Self::result) or [`exception`](Self::exception)) is
/// logged when the last handle is dropped, as asyncio does.
///
/// ```
/// use supercell::concurrent::Future;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let answer: Future<u32> = Future::new();
/// let waiter = tokio::spawn(answer.clone());
/// answer.set_result(42).unwrap();
/// assert_eq!(waiter.await.unwrap().unwrap(), 42);
/// assert_eq!(answer.result().unwrap(), 42);
/// # });
/// ```
pub struct Future<T> {
    shared: Arc<Shared<T>>,
    /// This handle's entry among the wakers, once it has been polled.
    waker_key: Option<usize>,
}

impl<T> Future<T> {
    /// A new future with no outcome yet.
    pub fn new() -> Self {
        Future {
            shared: Arc::new(Shared::new()),
            waker_key: None,
        }
    }

    /// Whether the future has an outcome: a result, an exception, or
    /// cancellation.
    pub fn done(&self) -> bool {
        self.shared.lock().outcome.is_some()
    }

    /// Whether the future was cancelled.
    pub fn cancelled(&self) -> bool {
        matches!(self.shared.lock().outcome, Some(Outcome::Cancelled))
    }

    /// The result, without waiting: `Err(InvalidState)` while not done,
    /// `Err(Cancelled)` when cancelled, `Err(Exception)` when it failed.
    pub fn result(&self) -> Result<T, FutureError>
    where
        T: Clone,
    {
        self.shared
            .lock()
            .output()
            .unwrap_or(Err(FutureError::InvalidState(InvalidStateError::NotDone)))
    }

    /// The exception the future failed with, or `Ok(None)` when it has a
    /// result. `Err(InvalidState)` while not done, `Err(Cancelled)` when
    /// cancelled.
    pub fn exception(&self) -> Result<Option<Exception>, FutureError> {
        let mut state = self.shared.lock();
        match state.outcome {
            None => Err(InvalidStateError::NotDone.into()),
            Some(Outcome::Cancelled) => Err(super::CancelledError.into()),
            Some(_) => Ok(state.retrieve_exception()),
        }
    }
}

impl<T: Send + 'static> Future<T> {
    /// Sets the result and wakes everyone waiting.
    /// `Err(InvalidStateError::AlreadyDone)` when the future is done
    /// (including cancelled).
    pub fn set_result(&self, value: T) -> Result<(), InvalidStateError> {
        self.finish(Outcome::Result(value))
    }

    /// Fails the future with `exception`: any error value, a `String` or a
    /// `&str` message, or an [`Exception`] taken from another future (kept
    /// as is, not wrapped again). `Err(InvalidStateError::AlreadyDone)` when
    /// the future is done.
    pub fn set_exception(
        &self,
        exception: impl Into<Box<dyn Error + Send + Sync + 'static>>,
    ) -> Result<(), InvalidStateError> {
        self.finish(Outcome::Exception(into_exception(exception.into())))
    }

    /// Cancels the future unless it is done. Returns whether it was
    /// cancelled by this call; waiters then get
    /// [`FutureError::Cancelled`] and the done callbacks run.
    pub fn cancel(&self) -> bool {
        self.finish(Outcome::Cancelled).is_ok()
    }

    /// Arranges for `callback` to be called with the future once it is done.
    ///
    /// The callback always runs later, as a callback of the
    /// [`IoLoop`](crate::ioloop::IoLoop) of the runtime of the code that
    /// added it (or of the code that set the outcome): never inline, even if
    /// the future is done already. Callbacks run one at a time, in the
    /// order they were added, even on a multi-thread runtime; a panicking
    /// callback is logged to the application log. With no runtime in either
    /// place the callback cannot run; it is dropped and that is logged too.
    pub fn add_done_callback(&self, callback: impl FnOnce(&Future<T>) + Send + 'static) {
        let mut state = self.shared.lock();
        if state.outcome.is_none() {
            if state.runtime.is_none() {
                state.runtime = Handle::try_current().ok();
            }
            state.callbacks.push(Box::new(callback));
            return;
        }
        let runtime = state.runtime.clone();
        drop(state);
        done_callbacks::schedule(self.clone(), vec![Box::new(callback)], runtime);
    }

    fn finish(&self, outcome: Outcome<T>) -> Result<(), InvalidStateError> {
        let mut state = self.shared.lock();
        if state.outcome.is_some() {
            return Err(InvalidStateError::AlreadyDone);
        }
        state.outcome = Some(outcome);
        let callbacks = std::mem::take(&mut state.callbacks);
        let wakers = state.take_wakers();
        let runtime = state.runtime.clone();
        drop(state);
        wakers.into_iter().for_each(|w| w.wake());
        done_callbacks::schedule(self.clone(), callbacks, runtime);
        Ok(())
    }
}

impl<T: Clone> std::future::Future for Future<T> {
    type Output = Result<T, FutureError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut state = this.shared.lock();
        match state.output() {
            Some(output) => {
                if let Some(key) = this.waker_key.take() {
                    state.remove_waker(key);
                }
                Poll::Ready(output)
            }
            None => {
                this.waker_key = Some(state.register_waker(this.waker_key, cx.waker()));
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Future<T> {
    fn drop(&mut self) {
        if let Some(key) = self.waker_key {
            self.shared.lock().remove_waker(key);
        }
    }
}

impl<T> Default for Future<T> {
    fn default() -> Self {
        Future::new()
    }
}

/// A clone is another handle on the same future.
impl<T> Clone for Future<T> {
    fn clone(&self) -> Self {
        Future {
            shared: Arc::clone(&self.shared),
            waker_key: None,
        }
    }
}

/// Handles are equal when they are handles on the same future (identity, as
/// Python compares futures), so futures can be kept in a `HashSet`. (The
/// hash is the identity too, so clippy's `mutable_key_type` warning about
/// the state inside does not apply.)
impl<T> PartialEq for Future<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Eq for Future<T> {}

impl<T> Hash for Future<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.shared), state)
    }
}

impl<T> fmt::Debug for Future<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.shared.lock().outcome {
            None => "pending",
            Some(Outcome::Result(_)) => "finished",
            Some(Outcome::Exception(_)) => "failed",
            Some(Outcome::Cancelled) => "cancelled",
        };
        f.debug_struct("Future").field("state", &state).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concurrent::CancelledError;

    #[test]
    fn pending_future_has_no_result() {
        let f: Future<u8> = Future::new();
        assert!(!f.done());
        assert!(matches!(
            f.result(),
            Err(FutureError::InvalidState(InvalidStateError::NotDone))
        ));
        assert!(matches!(
            f.exception(),
            Err(FutureError::InvalidState(InvalidStateError::NotDone))
        ));
        assert_eq!(format!("{f:?}"), r#"Future { state: "pending" }"#);
    }

    #[test]
    fn result_is_shared_by_clones() {
        let f = Future::new();
        let g = f.clone();
        assert_eq!(f, g);
        assert_ne!(f, Future::new());
        g.set_result("x".to_string()).unwrap();
        assert_eq!(f.result().unwrap(), "x");
        assert_eq!(g.result().unwrap(), "x");
        assert!(matches!(f.exception(), Ok(None)));
    }

    #[test]
    fn setting_twice_is_an_invalid_state() {
        let f = Future::new();
        f.set_result(1).unwrap();
        assert_eq!(f.set_result(2), Err(InvalidStateError::AlreadyDone));
        assert_eq!(f.set_exception("late"), Err(InvalidStateError::AlreadyDone));
        assert!(!f.cancel());
        assert_eq!(f.result().unwrap(), 1);
    }

    #[test]
    fn cancelled_future_rejects_outcomes() {
        let f: Future<u8> = Future::new();
        assert!(f.cancel());
        assert!(f.cancelled() && f.done());
        assert!(!f.cancel());
        assert_eq!(f.set_result(1), Err(InvalidStateError::AlreadyDone));
        assert!(matches!(
            f.result(),
            Err(FutureError::Cancelled(CancelledError))
        ));
        assert!(matches!(f.exception(), Err(FutureError::Cancelled(_))));
    }

    #[test]
    fn shared_exception_is_not_wrapped_again() {
        let a: Future<()> = Future::new();
        a.set_exception(std::io::Error::other("gone")).unwrap();
        let e = a.exception().unwrap().unwrap();
        let b: Future<()> = Future::new();
        b.set_exception(Arc::clone(&e)).unwrap();
        let again = b.exception().unwrap().unwrap();
        assert!(Arc::ptr_eq(&e, &again));
        assert!(again.downcast_ref::<std::io::Error>().is_some());
    }

    #[test]
    fn string_messages_are_exceptions() {
        let f: Future<()> = Future::new();
        f.set_exception("bad thing").unwrap();
        assert_eq!(f.result().unwrap_err().to_string(), "bad thing");
    }

    #[tokio::test]
    async fn every_clone_can_await() {
        let f: Future<u32> = Future::new();
        let waiters: Vec<_> = (0..3).map(|_| tokio::spawn(f.clone())).collect();
        tokio::task::yield_now().await;
        f.set_result(5).unwrap();
        for w in waiters {
            assert_eq!(w.await.unwrap().unwrap(), 5);
        }
        assert_eq!(f.clone().await.unwrap(), 5);
    }

    /// Polls `f` once, returning whether it was pending.
    async fn poll_once(f: &mut Future<u32>) -> bool {
        use futures_util::FutureExt;
        std::future::poll_fn(|cx| Poll::Ready(f.poll_unpin(cx).is_pending())).await
    }

    #[tokio::test]
    async fn repeated_polls_register_one_waker() {
        let f: Future<u32> = Future::new();
        let mut waiting = f.clone();
        assert!(poll_once(&mut waiting).await);
        assert!(poll_once(&mut waiting).await);
        assert_eq!(f.shared.lock().take_wakers().len(), 1);
    }

    #[tokio::test]
    async fn dropping_a_waiting_handle_forgets_its_waker() {
        let f: Future<u32> = Future::new();
        let mut waiting = f.clone();
        assert!(poll_once(&mut waiting).await);
        drop(waiting);
        assert!(f.shared.lock().take_wakers().is_empty());
    }
}
