use std::future::Future;
use std::time::Duration;

use crate::util::{Deadline, TimeoutError};

/// Waits for `future`, giving up at `timeout` with [`TimeoutError`]
/// (Tornado's `gen.with_timeout`). `timeout` is a relative [`Duration`] or
/// an absolute [`tokio::time::Instant`].
///
/// Giving up drops `future`, which cancels the work it stands for. Tornado
/// instead leaves the wrapped future running (and logs its later failure,
/// unless quiet); in Rust the caller chooses by what it passes:
///
/// - to keep work going after a timeout, spawn it and pass `&mut` its
///   [`JoinHandle`](tokio::task::JoinHandle), or pass a clone of a
///   [`concurrent::Future`](crate::concurrent::Future) — only the clone is
///   dropped, and an exception nobody retrieves is still logged when the
///   future itself goes away;
/// - an error the future returns before the deadline is returned as is,
///   inside `Ok`.
pub async fn with_timeout<F: Future>(
    timeout: impl Into<Deadline>,
    future: F,
) -> Result<F::Output, TimeoutError> {
    tokio::time::timeout_at(timeout.into().instant(), future)
        .await
        .map_err(|_| TimeoutError)
}

/// Completes after `duration`, without blocking the thread (Tornado's
/// `gen.sleep`).
pub async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await
}

/// Yields to the event loop once, letting other ready tasks run before this
/// one continues (Tornado's `gen.moment`).
pub async fn moment() {
    tokio::task::yield_now().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn with_timeout_returns_the_value_in_time() {
        assert_eq!(
            with_timeout(Duration::from_secs(1), async { 3 }).await,
            Ok(3)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn with_timeout_gives_up_at_an_absolute_deadline() {
        let start = Instant::now();
        let at = start + Duration::from_millis(250);
        let r = with_timeout(at, std::future::pending::<()>()).await;
        assert_eq!(r, Err(TimeoutError));
        assert_eq!(Instant::now(), at);
    }
}
