//! Running an asynchronous test body under a timeout: [`gen_test`] on the
//! caller's runtime, [`run_test`] on a loop of its own.

use std::future::{Future, IntoFuture};
use std::panic::Location;

use tokio::runtime::Handle;
use tokio::time::Instant;

use super::timeout::{format_seconds, get_async_test_timeout};
use crate::ioloop::IoLoop;
use crate::util::Deadline;

/// Runs the test body `test` on the current runtime, failing the test if
/// it takes longer than [`get_async_test_timeout`] (Tornado's `@gen_test`).
/// Await it inside `#[tokio::test]`; its output is the body's output.
///
/// The timeout is read from `ASYNC_TEST_TIMEOUT` when `gen_test` is called
/// and counts on tokio's clock, so under
/// `#[tokio::test(start_paused = true)]` it is virtual time, like the rest
/// of the test. The body is polled in place, so it need not be `Send` and
/// a panic in it fails the test as usual.
///
/// # Panics
/// When the time runs out: the body is dropped (cancelled) and the panic
/// message names the timeout and where `gen_test` was called, for example
/// `async test timed out after 5 seconds (gen_test at tests/api.rs:12:5)`.
/// Awaiting it outside a tokio runtime with time enabled panics too.
#[track_caller]
pub fn gen_test<F: IntoFuture>(test: F) -> impl Future<Output = F::Output> {
    let timeout = Deadline::from(get_async_test_timeout());
    run_timed("gen_test", Location::caller(), timeout, test.into_future())
}

/// [`gen_test`] with an explicit `timeout`, which takes precedence over
/// `ASYNC_TEST_TIMEOUT` (Tornado's `@gen_test(timeout=...)`). A
/// [`Duration`](std::time::Duration) counts from the first poll.
///
/// # Panics
/// As [`gen_test`].
#[track_caller]
pub fn gen_test_with_timeout<F: IntoFuture>(
    timeout: impl Into<Deadline>,
    test: F,
) -> impl Future<Output = F::Output> {
    run_timed(
        "gen_test",
        Location::caller(),
        timeout.into(),
        test.into_future(),
    )
}

/// Runs the test body made by `test` on a new [`IoLoop`] of its own,
/// under [`get_async_test_timeout`], and returns its output: Tornado's
/// `AsyncTestCase` (a fresh loop per test) with `@gen_test`, for a plain
/// `#[test]` function.
///
/// `test` is called on the new loop, so it may use [`IoLoop::current`],
/// spawn tasks and start servers. The loop is a current-thread runtime:
/// the body, its tasks and the servers it starts all run on the calling
/// thread (which is what [`ExpectLog`](super::ExpectLog) watches). When
/// the body ends, the loop is shut down and every task still on it is
/// dropped.
///
/// # Panics
/// When the time runs out (as [`gen_test`]), when called inside a tokio
/// runtime (use [`gen_test`] there), and when the loop cannot be made.
#[track_caller]
pub fn run_test<F, Fut>(test: F) -> Fut::Output
where
    F: FnOnce() -> Fut,
    Fut: Future,
{
    let timeout = Deadline::from(get_async_test_timeout());
    run_on_new_loop(Location::caller(), timeout, test)
}

/// [`run_test`] with an explicit `timeout`, which takes precedence over
/// `ASYNC_TEST_TIMEOUT`.
///
/// # Panics
/// As [`run_test`].
#[track_caller]
pub fn run_test_with_timeout<F, Fut>(timeout: impl Into<Deadline>, test: F) -> Fut::Output
where
    F: FnOnce() -> Fut,
    Fut: Future,
{
    run_on_new_loop(Location::caller(), timeout.into(), test)
}

fn run_on_new_loop<F, Fut>(
    location: &'static Location<'static>,
    timeout: Deadline,
    test: F,
) -> Fut::Output
where
    F: FnOnce() -> Fut,
    Fut: Future,
{
    if Handle::try_current().is_ok() {
        panic!(
            "run_test at {location} was called inside a tokio runtime; it runs the test on a \
             loop of its own: call it from a plain #[test], or await gen_test inside \
             #[tokio::test]"
        );
    }
    let io_loop = IoLoop::new()
        .unwrap_or_else(|error| panic!("run_test at {location} cannot make an IoLoop: {error}"));
    // Dropping the last handle on the loop shuts its runtime down, and with
    // it every task the test left behind.
    match io_loop.run_sync(|| run_timed("run_test", location, timeout, test()), None) {
        Ok(output) => output,
        Err(error) => panic!("run_test at {location}: the loop failed: {error}"),
    }
}

/// Runs `test`, panicking when `timeout` runs out; the message names
/// `helper` and the `location` it was called from.
pub(super) async fn run_timed<F: Future>(
    helper: &'static str,
    location: &'static Location<'static>,
    timeout: Deadline,
    test: F,
) -> F::Output {
    let start = Instant::now();
    let deadline = timeout.instant();
    match tokio::time::timeout_at(deadline, test).await {
        Ok(output) => output,
        Err(_) => {
            let limit = match timeout {
                Deadline::After(duration) => duration,
                Deadline::At(at) => at.saturating_duration_since(start),
            };
            panic!(
                "async test timed out after {} seconds ({helper} at {location}); the default \
                 limit is ASYNC_TEST_TIMEOUT seconds, else 5",
                format_seconds(limit)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn the_output_of_the_body_is_returned() {
        let answer = gen_test_with_timeout(Duration::from_secs(1), async {
            tokio::time::sleep(Duration::from_millis(999)).await;
            42
        })
        .await;
        assert_eq!(answer, 42);
    }

    #[tokio::test(start_paused = true)]
    #[should_panic(expected = "async test timed out after 0.5 seconds (gen_test at src/")]
    async fn running_out_of_time_names_the_limit_and_the_call() {
        gen_test_with_timeout(
            Duration::from_millis(500),
            tokio::time::sleep(Duration::from_secs(1)),
        )
        .await;
    }

    #[tokio::test(start_paused = true)]
    #[should_panic(expected = "timed out after 2 seconds")]
    async fn an_absolute_deadline_is_reported_as_the_time_left_at_the_start() {
        let at = Instant::now() + Duration::from_secs(2);
        gen_test_with_timeout(at, std::future::pending::<()>()).await;
    }

    #[test]
    fn run_test_makes_its_own_loop() {
        let on_a_loop = run_test_with_timeout(Duration::from_secs(30), || async {
            IoLoop::try_current().is_some()
        });
        assert!(on_a_loop);
        assert!(
            Handle::try_current().is_err(),
            "the loop does not outlive the test"
        );
    }

    #[tokio::test]
    #[should_panic(expected = "called inside a tokio runtime")]
    async fn run_test_refuses_to_nest_in_a_runtime() {
        run_test(|| async {});
    }
}
