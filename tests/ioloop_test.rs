//! Counterparts of Tornado 5.0.2's `tornado/test/ioloop_test.py`, named
//! `<class>_<test>` in snake case, plus supercell's own checks.
//!
//! `TestPeriodicCallbackMath` is tested next to the schedule code
//! (`src/core/ioloop/schedule.rs`: `periodic_callback_math_test_basic`,
//! `_overrun`, `_clock_backwards`, and `_jitter` from Tornado's master), since
//! the math is private and the monotonic clock never goes backwards through
//! the public API; `periodic_callback_test_basic` and `_overrun` below check
//! the same schedules through the public API with paused time.
//!
//! Tornado tests with no Rust counterpart, and why:
//!
//! * `TestIOLoop.test_add_callback_return_sequence`: a Python callback
//!   returning `{}` or `[]` was mistaken for a yieldable; Rust callbacks
//!   return `()`.
//! * `TestIOLoop.test_multiple_add`, `test_remove_without_add`,
//!   `test_read_while_writeable`, `test_close_file_object`,
//!   `test_handler_callback_file_object`, `test_mixed_fd_fileobj`,
//!   `test_remove_handler_from_handler`: `add_handler`/`remove_handler` on
//!   file descriptors and `close(all_fds)`; readiness lives in tokio's I/O
//!   driver (`AsyncFd`, sockets), with no fd handler table on the loop.
//! * `TestIOLoop.test_add_callback_from_signal`: Python signal-handler
//!   context; Rust signals arrive as tokio tasks (`tokio::signal`), where
//!   `add_callback` works as anywhere.
//! * `TestIOLoopCurrent.test_default_current`, `test_force_current`,
//!   `TestIOLoopCurrentAsync.test_clear_without_current`: `make_current` /
//!   `clear_current`; the current loop is the one the code runs on, never a
//!   thread-global setting (`test_non_current` below checks that).
//! * `TestIOLoopAddCallback.test_pre_wrap`, `test_pre_wrap_with_args` (also
//!   run by `TestIOLoopAddCallbackFromSignal`): `stack_context`, which has
//!   no Rust form.
//! * `TestIOLoopFutures.test_add_future_stack_context`: `stack_context`.
//! * `TestIOLoopFutures.test_run_in_executor_native`: repeats
//!   `test_run_in_executor_gen` through a native coroutine; Rust has one
//!   kind of future.
//! * `TestIOLoopRunSync.test_sync_result`: returning a non-future from the
//!   function is a type error at compile time in Rust.
//! * `TestIOLoopConfiguration.test_explicit_select`, `test_asyncio`,
//!   `test_asyncio_main`, `test_twisted`: `IOLoop.configure` and alternative
//!   loop implementations; tokio is the only loop.

#[path = "support/logs.rs"]
mod logs;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use supercell::concurrent::{BlockingPool, Executor, ExecutorError, Job};
use supercell::r#gen::{moment, sleep, with_timeout};
use supercell::ioloop::{
    IoLoop, IoLoopError, PeriodicCallback, PeriodicCallbackError, RunSyncError,
};
use supercell::util::TimeoutError;
use tokio::sync::oneshot;
use tokio::time::Instant;

use logs::Logs;

/// How long a test waits for something that should happen at once before
/// declaring it lost (only reached when the code under test is broken).
const PATIENCE: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Runs an owning loop until the test stops it; a watchdog thread stops it
/// after [`PATIENCE`] otherwise. Returns whether the test stopped it.
fn start_with_watchdog(io_loop: &IoLoop) -> bool {
    let (done_tx, done_rx) = std_mpsc::channel::<()>();
    let watched = io_loop.clone();
    let watchdog = thread::spawn(move || {
        let fired = done_rx.recv_timeout(PATIENCE) == Err(std_mpsc::RecvTimeoutError::Timeout);
        if fired {
            watched.stop();
        }
        fired
    });
    io_loop.start().unwrap();
    drop(done_tx);
    !watchdog.join().unwrap()
}

/// Sets a flag when dropped: proves a future was cancelled.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Offsets of `times` from `start`, in whole seconds.
fn offsets_secs(start: Instant, times: &[Instant]) -> Vec<u64> {
    times.iter().map(|t| (*t - start).as_secs()).collect()
}

// ---------------------------------------------------------------------------
// TestIOLoop
// ---------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn io_loop_test_add_callback_wakeup() {
    // A callback added from inside the running loop runs at once, not when
    // the next timer would wake the loop: with paused time, a loop that
    // slept instead would jump to the far timer below.
    let io_loop = IoLoop::current();
    let far = io_loop.call_later(Duration::from_secs(3600), || {});
    let (tx, rx) = oneshot::channel();
    let scheduled_at = io_loop.time();
    let inner = io_loop.clone();
    io_loop.add_timeout(scheduled_at, move || {
        let added_at = inner.time();
        let looked = inner.clone();
        inner.add_callback(move || tx.send((added_at, looked.time())).unwrap());
    });
    let (added_at, ran_at) = rx.await.unwrap();
    assert_eq!(added_at, scheduled_at);
    assert_eq!(ran_at, added_at);
    io_loop.remove_timeout(&far);
}

#[test]
fn io_loop_test_add_callback_wakeup_other_thread() {
    // A thread with no runtime at all wakes the idle loop with add_callback.
    let io_loop = IoLoop::new().unwrap();
    let remote = io_loop.clone();
    let (handle_tx, handle_rx) = std_mpsc::channel();
    io_loop.add_callback(move || {
        let other = thread::spawn(move || {
            assert!(tokio::runtime::Handle::try_current().is_err());
            // Let the loop go idle first.
            thread::sleep(Duration::from_millis(10));
            let stopper = remote.clone();
            remote.add_callback(move || stopper.stop());
        });
        handle_tx.send(other).unwrap();
    });
    assert!(start_with_watchdog(&io_loop), "the loop was never woken");
    handle_rx.recv().unwrap().join().unwrap();
    io_loop.close().unwrap();
}

#[tokio::test(start_paused = true)]
async fn io_loop_test_add_timeout_timedelta() {
    let io_loop = IoLoop::current();
    let (tx, rx) = oneshot::channel();
    let start = io_loop.time();
    io_loop.add_timeout(Duration::from_micros(1), move || tx.send(()).unwrap());
    with_timeout(PATIENCE, rx).await.unwrap().unwrap();
    assert!(io_loop.time() > start);
}

#[test]
fn io_loop_test_add_callback_from_signal_other_thread() {
    // A loop running on another thread is stopped by a callback added here.
    let other = IoLoop::new().unwrap();
    let runner = other.clone();
    let (done_tx, done_rx) = std_mpsc::channel();
    let thread = thread::spawn(move || {
        runner.start().unwrap();
        done_tx.send(()).unwrap();
    });
    let stopper = other.clone();
    other.add_callback(move || stopper.stop());
    if done_rx.recv_timeout(PATIENCE).is_err() {
        other.stop();
        panic!("the callback never stopped the other thread's loop");
    }
    thread.join().unwrap();
    other.close().unwrap();
}

#[test]
fn io_loop_test_add_callback_while_closing() {
    // Callbacks racing with (or following) close are dropped silently.
    let other = IoLoop::new().unwrap();
    let (closed_tx, closed_rx) = std_mpsc::channel();
    let target = other.clone();
    let thread = thread::spawn(move || {
        let stopper = target.clone();
        target.add_callback(move || stopper.stop());
        target.start().unwrap();
        closed_tx.send(()).unwrap();
        target.close().unwrap();
    });
    closed_rx
        .recv_timeout(PATIENCE)
        .expect("the other loop never stopped");
    let ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..1000 {
        let ran = ran.clone();
        other.add_callback(move || {
            ran.fetch_add(1, Ordering::SeqCst);
        });
    }
    thread.join().unwrap();
    assert_eq!(other.start(), Err(IoLoopError::Closed));
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn io_loop_test_handle_callback_exception() {
    // The panic of a callback reaches the loop's handler (the application
    // log), with its message, and the loop goes on.
    let (log, _guard) = Logs::capture();
    let io_loop = IoLoop::new().unwrap();
    io_loop.add_callback(|| {
        let zero = std::hint::black_box(0);
        let _ = 1 / zero;
    });
    let stopper = io_loop.clone();
    io_loop.add_callback(move || stopper.stop());
    assert!(start_with_watchdog(&io_loop));
    let messages = log.app_errors();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("divide by zero"), "{messages:?}");
    io_loop.close().unwrap();
}

#[tokio::test(start_paused = true)]
async fn io_loop_test_remove_timeout_after_fire() {
    let io_loop = IoLoop::current();
    let (tx, rx) = oneshot::channel();
    let handle = io_loop.add_timeout(io_loop.time(), move || tx.send(()).unwrap());
    with_timeout(PATIENCE, rx).await.unwrap().unwrap();
    io_loop.remove_timeout(&handle);
    io_loop.remove_timeout(&handle);
}

#[tokio::test(start_paused = true)]
async fn io_loop_test_remove_timeout_cleanup() {
    let io_loop = IoLoop::current();
    let fired = Arc::new(AtomicUsize::new(0));
    for _ in 0..2000 {
        let fired = fired.clone();
        let timeout = io_loop.add_timeout(io_loop.time() + Duration::from_secs(3600), move || {
            fired.fetch_add(1, Ordering::SeqCst);
        });
        io_loop.remove_timeout(&timeout);
    }
    // Two turns of the loop, then past the deadline of every timeout.
    let (tx, rx) = oneshot::channel();
    let inner = io_loop.clone();
    io_loop.add_callback(move || inner.add_callback(move || tx.send(()).unwrap()));
    with_timeout(PATIENCE, rx).await.unwrap().unwrap();
    sleep(Duration::from_secs(7200)).await;
    assert_eq!(fired.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn io_loop_test_remove_timeout_from_timeout() {
    // t1 and t2 come due in the same turn; t1 removes t2, which must not run.
    let io_loop = IoLoop::current();
    let calls = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
    let now = io_loop.time();
    let t2_handle = Arc::new(Mutex::new(None));

    let (c1, h1, l1) = (calls.clone(), t2_handle.clone(), io_loop.clone());
    io_loop.add_timeout(now + Duration::from_millis(10), move || {
        c1[0].store(true, Ordering::SeqCst);
        l1.remove_timeout(h1.lock().unwrap().as_ref().unwrap());
    });
    let c2 = calls.clone();
    *t2_handle.lock().unwrap() = Some(io_loop.add_timeout(
        now + Duration::from_millis(20),
        move || {
            c2[1].store(true, Ordering::SeqCst);
        },
    ));
    let (tx, rx) = oneshot::channel();
    io_loop.add_timeout(now + Duration::from_millis(30), move || {
        tx.send(()).unwrap()
    });
    // Tornado sleeps the thread so all three are due at once.
    tokio::time::advance(Duration::from_millis(30)).await;
    with_timeout(PATIENCE, rx).await.unwrap().unwrap();
    let seen = [
        calls[0].load(Ordering::SeqCst),
        calls[1].load(Ordering::SeqCst),
    ];
    assert_eq!(seen, [true, false]);
}

#[tokio::test(start_paused = true)]
async fn io_loop_test_timeout_with_arguments() {
    // Every timed form runs its callback (Rust closures carry the arguments).
    let io_loop = IoLoop::current();
    let results = Arc::new(Mutex::new(Vec::new()));
    let push = |n: u32| {
        let results = results.clone();
        move || results.lock().unwrap().push(n)
    };
    io_loop.add_timeout(io_loop.time(), push(1));
    io_loop.add_timeout(Duration::ZERO, push(2));
    io_loop.call_at(io_loop.time(), push(3));
    io_loop.call_later(Duration::ZERO, push(4));
    let (tx, rx) = oneshot::channel();
    io_loop.call_later(Duration::from_millis(1), move || tx.send(()).unwrap());
    with_timeout(PATIENCE, rx).await.unwrap().unwrap();
    let mut results = results.lock().unwrap().clone();
    results.sort();
    assert_eq!(results, [1, 2, 3, 4]);
}

/// Tornado's `test_*_return` trio: the handle of each timed form cancels it.
async fn check_returned_handle_cancels(
    schedule: impl FnOnce(&IoLoop, Box<dyn FnOnce() + Send>) -> supercell::ioloop::Timeout,
) {
    let io_loop = IoLoop::current();
    let fired = Arc::new(AtomicBool::new(false));
    let flag = fired.clone();
    let handle = schedule(
        &io_loop,
        Box::new(move || flag.store(true, Ordering::SeqCst)),
    );
    io_loop.remove_timeout(&handle);
    sleep(Duration::from_secs(1)).await;
    assert!(!fired.load(Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn io_loop_test_add_timeout_return() {
    check_returned_handle_cancels(|l, f| l.add_timeout(l.time() + Duration::from_millis(1), f))
        .await;
}

#[tokio::test(start_paused = true)]
async fn io_loop_test_call_at_return() {
    check_returned_handle_cancels(|l, f| l.call_at(l.time() + Duration::from_millis(1), f)).await;
}

#[tokio::test(start_paused = true)]
async fn io_loop_test_call_later_return() {
    check_returned_handle_cancels(|l, f| l.call_later(Duration::from_millis(1), f)).await;
}

#[test]
fn io_loop_test_reentrant() {
    // start() (or run_sync()) inside the running loop fails; no deadlock.
    let io_loop = IoLoop::new().unwrap();
    let outcome = Arc::new(Mutex::new(None));
    let (inner, seen) = (io_loop.clone(), outcome.clone());
    io_loop.add_callback(move || {
        let start = inner.start();
        let run_sync = inner.run_sync(|| async {}, None);
        *seen.lock().unwrap() = Some((start, run_sync));
        inner.stop();
    });
    assert!(start_with_watchdog(&io_loop));
    let expected = (
        Err(IoLoopError::Running),
        Err(RunSyncError::Loop(IoLoopError::Running)),
    );
    assert_eq!(outcome.lock().unwrap().take(), Some(expected));
    io_loop.close().unwrap();
}

#[test]
fn io_loop_test_exception_logging() {
    let (log, _guard) = Logs::capture();
    let io_loop = IoLoop::new().unwrap();
    io_loop.add_callback(|| panic!("callback failed"));
    let stopper = io_loop.clone();
    io_loop.add_callback(move || stopper.stop());
    assert!(start_with_watchdog(&io_loop));
    let messages = log.app_errors();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("Exception in callback"),
        "{messages:?}"
    );
    assert!(messages[0].contains("callback failed"), "{messages:?}");
    io_loop.close().unwrap();
}

#[tokio::test(start_paused = true)]
async fn io_loop_test_exception_logging_future() {
    // A future given to the loop that panics is logged; its callback does
    // not run.
    let (log, _guard) = Logs::capture();
    let io_loop = IoLoop::current();
    let called = Arc::new(AtomicBool::new(false));
    let flag = called.clone();
    io_loop.add_future(
        async {
            moment().await;
            panic!("future failed")
        },
        move |()| flag.store(true, Ordering::SeqCst),
    );
    sleep(Duration::from_millis(10)).await;
    let messages = log.app_errors();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("Exception in callback"),
        "{messages:?}"
    );
    assert!(messages[0].contains("future failed"), "{messages:?}");
    assert!(!called.load(Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn io_loop_test_exception_logging_native_coro() {
    let (log, _guard) = Logs::capture();
    let io_loop = IoLoop::current();
    io_loop.spawn_callback(|| async {
        moment().await;
        panic!("coroutine failed")
    });
    sleep(Duration::from_millis(10)).await;
    let messages = log.app_errors();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("coroutine failed"), "{messages:?}");
}

#[test]
fn io_loop_test_spawn_callback() {
    // A spawned callback that panics is logged and does not stop the loop;
    // one that succeeds runs to the end of its future.
    let (log, _guard) = Logs::capture();
    let io_loop = IoLoop::new().unwrap();
    io_loop.spawn_callback(|| -> std::future::Ready<()> { panic!("spawned callback failed") });
    let stopper = io_loop.clone();
    io_loop.spawn_callback(move || async move {
        moment().await;
        stopper.stop();
    });
    assert!(start_with_watchdog(&io_loop));
    let messages = log.app_errors();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("spawned callback failed"),
        "{messages:?}"
    );
    io_loop.close().unwrap();
}

// ---------------------------------------------------------------------------
// Callback order and threads (supercell's own checks)
// ---------------------------------------------------------------------------

#[test]
fn callbacks_run_in_the_order_added() {
    let io_loop = IoLoop::new().unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    for i in 0..200 {
        let order = order.clone();
        if i % 3 == 0 {
            io_loop.spawn_callback(move || {
                order.lock().unwrap().push(i);
                async {}
            });
        } else {
            io_loop.add_callback(move || order.lock().unwrap().push(i));
        }
    }
    let stopper = io_loop.clone();
    io_loop.add_callback(move || stopper.stop());
    assert!(start_with_watchdog(&io_loop));
    assert_eq!(*order.lock().unwrap(), (0..200).collect::<Vec<_>>());
    io_loop.close().unwrap();
}

#[test]
fn callbacks_from_a_thread_without_runtime_run_on_the_loop_in_order() {
    let io_loop = IoLoop::new().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (remote, record) = (io_loop.clone(), seen.clone());
    let producer = thread::spawn(move || {
        assert!(IoLoop::try_current().is_none());
        for i in 0..100 {
            let (record, on_loop) = (record.clone(), remote.clone());
            remote.add_callback(move || {
                let current = IoLoop::current();
                record.lock().unwrap().push((i, current == on_loop));
            });
        }
        let stopper = remote.clone();
        remote.add_callback(move || stopper.stop());
    });
    assert!(start_with_watchdog(&io_loop));
    producer.join().unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen, (0..100).map(|i| (i, true)).collect::<Vec<_>>());
    io_loop.close().unwrap();
}

// ---------------------------------------------------------------------------
// TestIOLoopCurrent and the current loop
// ---------------------------------------------------------------------------

#[test]
fn io_loop_current_test_non_current() {
    // A new loop is not current; it is current for the code running on it,
    // and stops being so when it stops. Repeatable.
    let io_loop = IoLoop::new().unwrap();
    assert!(IoLoop::try_current().is_none());
    for _ in 0..3 {
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        io_loop.add_callback(move || {
            let current = IoLoop::current();
            current.stop();
            *record.lock().unwrap() = Some(current);
        });
        assert!(start_with_watchdog(&io_loop));
        assert_eq!(seen.lock().unwrap().as_ref(), Some(&io_loop));
        assert!(IoLoop::try_current().is_none());
    }
    io_loop.close().unwrap();
}

#[test]
#[should_panic(expected = "there is no current IoLoop")]
fn current_outside_any_runtime_panics() {
    let _ = IoLoop::current();
}

#[test]
fn try_current_outside_any_runtime_is_none() {
    assert!(IoLoop::try_current().is_none());
}

#[tokio::test]
async fn current_in_a_foreign_runtime_is_one_loop_that_cannot_be_run_or_closed() {
    let io_loop = IoLoop::current();
    assert_eq!(IoLoop::current(), io_loop);
    assert!(!io_loop.owns_runtime());
    assert_eq!(io_loop.start(), Err(IoLoopError::NotOwned));
    assert_eq!(
        io_loop.run_sync(|| async {}, None),
        Err(RunSyncError::Loop(IoLoopError::NotOwned))
    );
    assert_eq!(io_loop.close(), Err(IoLoopError::NotOwned));
    io_loop.stop();
    // Still running callbacks after all that.
    let (tx, rx) = oneshot::channel();
    io_loop.add_callback(move || tx.send(IoLoop::current()).unwrap());
    assert_eq!(rx.await.unwrap(), io_loop);
    let from_task = tokio::spawn(async { IoLoop::current() }).await.unwrap();
    assert_eq!(from_task, io_loop);
}

#[test]
#[allow(deprecated)]
fn instance_is_an_alias_of_current() {
    let io_loop = IoLoop::new().unwrap();
    let same = io_loop
        .run_sync(|| async { IoLoop::instance() }, Some(PATIENCE))
        .unwrap();
    assert_eq!(same, io_loop);
    io_loop.close().unwrap();
}

#[test]
fn current_in_tasks_and_blocking_threads_of_an_owned_loop_is_that_loop() {
    let io_loop = IoLoop::new().unwrap();
    let (from_task, from_blocking) = io_loop
        .run_sync(
            || async {
                let task = tokio::spawn(async { IoLoop::current() }).await.unwrap();
                let blocking = tokio::task::spawn_blocking(IoLoop::current).await.unwrap();
                (task, blocking)
            },
            Some(PATIENCE),
        )
        .unwrap();
    assert_eq!(from_task, io_loop);
    assert_eq!(from_blocking, io_loop);
    io_loop.close().unwrap();
}

#[tokio::test(start_paused = true)]
async fn time_follows_paused_tokio_time() {
    let io_loop = IoLoop::current();
    let before = io_loop.time();
    tokio::time::advance(Duration::from_secs(90)).await;
    assert_eq!(io_loop.time() - before, Duration::from_secs(90));
}

// ---------------------------------------------------------------------------
// TestIOLoopFutures
// ---------------------------------------------------------------------------

#[test]
fn io_loop_futures_test_add_future_threads() {
    // A future completed by another thread; the callback gets its output on
    // the loop.
    let io_loop = IoLoop::new().unwrap();
    let (tx, rx) = oneshot::channel();
    let worker = thread::spawn(move || tx.send(7_u32).unwrap());
    let got = Arc::new(Mutex::new(None));
    let (record, on_loop) = (got.clone(), io_loop.clone());
    io_loop.add_future(rx, move |output| {
        *record.lock().unwrap() = Some((output, IoLoop::current() == on_loop));
        on_loop.stop();
    });
    assert!(start_with_watchdog(&io_loop));
    worker.join().unwrap();
    assert_eq!(got.lock().unwrap().take(), Some((Ok(7), true)));
    io_loop.close().unwrap();
}

/// Sets its own flag, then waits for the other's: deadlocks unless both run
/// at once. Returns its own name.
fn rendezvous(
    name: &'static str,
    mine: std_mpsc::Sender<()>,
    theirs: std_mpsc::Receiver<()>,
) -> &'static str {
    mine.send(()).unwrap();
    theirs
        .recv_timeout(PATIENCE)
        .expect("the two functions did not run in parallel");
    name
}

#[test]
fn io_loop_futures_test_run_in_executor_gen() {
    let io_loop = IoLoop::new().unwrap();
    let results = io_loop
        .run_sync(
            || async {
                let (tx1, rx1) = std_mpsc::channel();
                let (tx2, rx2) = std_mpsc::channel();
                let current = IoLoop::current();
                let first = current.run_in_executor(None, move || rendezvous("event1", tx1, rx2));
                let second = current.run_in_executor(None, move || rendezvous("event2", tx2, rx1));
                tokio::join!(first, second)
            },
            Some(PATIENCE * 2),
        )
        .unwrap();
    assert_eq!(results, (Ok("event1"), Ok("event2")));
    io_loop.close().unwrap();
}

/// An executor counting what it is given.
struct Counting {
    submitted: AtomicUsize,
    pool: BlockingPool,
}

impl Executor for Counting {
    fn execute(&self, job: Job) {
        self.submitted.fetch_add(1, Ordering::SeqCst);
        self.pool.execute(job);
    }
}

#[test]
fn io_loop_futures_test_set_default_executor() {
    let io_loop = IoLoop::new().unwrap();
    let executor = Arc::new(Counting {
        submitted: AtomicUsize::new(0),
        pool: BlockingPool::new(io_loop.handle().clone()),
    });
    io_loop.set_default_executor(executor.clone());
    let event = Arc::new(AtomicBool::new(false));
    let flag = event.clone();
    let result = io_loop
        .run_sync(
            // Another handle on the same loop sees the same default.
            || IoLoop::current().run_in_executor(None, move || flag.store(true, Ordering::SeqCst)),
            Some(PATIENCE),
        )
        .unwrap();
    assert_eq!(result, Ok(()));
    assert_eq!(executor.submitted.load(Ordering::SeqCst), 1);
    assert!(event.load(Ordering::SeqCst));
    io_loop.close().unwrap();
}

#[tokio::test]
async fn run_in_executor_uses_the_executor_given() {
    let io_loop = IoLoop::current();
    let executor = Counting {
        submitted: AtomicUsize::new(0),
        pool: BlockingPool::current(),
    };
    assert_eq!(io_loop.run_in_executor(Some(&executor), || 5).await, Ok(5));
    assert_eq!(executor.submitted.load(Ordering::SeqCst), 1);
    assert_eq!(io_loop.run_in_executor(None, || 6).await, Ok(6));
    assert_eq!(executor.submitted.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------
// TestIOLoopRunSync
// ---------------------------------------------------------------------------

#[test]
fn io_loop_run_sync_test_sync_exception() {
    // A panic in the function reaches the caller; the loop can run again.
    let io_loop = IoLoop::new().unwrap();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        io_loop.run_sync(
            || -> std::future::Ready<()> {
                let zero = std::hint::black_box(0);
                let _ = 1 / zero;
                std::future::ready(())
            },
            None,
        )
    }));
    assert!(outcome.is_err());
    assert_eq!(io_loop.run_sync(|| async { 1 }, Some(PATIENCE)), Ok(1));
    io_loop.close().unwrap();
}

#[test]
fn io_loop_run_sync_test_async_result() {
    let io_loop = IoLoop::new().unwrap();
    let result = io_loop.run_sync(
        || async {
            moment().await;
            42
        },
        None,
    );
    assert_eq!(result, Ok(42));
    io_loop.close().unwrap();
}

#[test]
fn io_loop_run_sync_test_async_exception() {
    // An error after a turn of the loop comes back to the caller.
    let io_loop = IoLoop::new().unwrap();
    let result = io_loop.run_sync(
        || async {
            moment().await;
            "x".parse::<u32>()
        },
        None,
    );
    assert!(result.unwrap().is_err());
    io_loop.close().unwrap();
}

#[test]
fn io_loop_run_sync_test_current() {
    let io_loop = IoLoop::new().unwrap();
    let (in_function, in_future) = io_loop
        .run_sync(
            || {
                let in_function = IoLoop::current();
                async move { (in_function, IoLoop::current()) }
            },
            None,
        )
        .unwrap();
    assert_eq!(in_function, io_loop);
    assert_eq!(in_future, io_loop);
    io_loop.close().unwrap();
}

#[test]
fn io_loop_run_sync_test_timeout() {
    // On timeout the future is dropped (cancelled) before run_sync returns.
    let io_loop = IoLoop::new().unwrap();
    let dropped = Arc::new(AtomicBool::new(false));
    let guard = DropFlag(dropped.clone());
    let result = io_loop.run_sync(
        move || async move {
            let _guard = guard;
            std::future::pending::<()>().await
        },
        Some(Duration::from_millis(10)),
    );
    assert_eq!(result, Err(RunSyncError::Timeout(TimeoutError)));
    assert!(dropped.load(Ordering::SeqCst));
    io_loop.close().unwrap();
}

#[test]
fn io_loop_run_sync_test_native_coroutine() {
    // The future waits on something a callback of the loop completes.
    let io_loop = IoLoop::new().unwrap();
    let result = io_loop.run_sync(
        || async {
            let (tx, rx) = oneshot::channel();
            IoLoop::current().add_callback(move || tx.send("called back").unwrap());
            rx.await.unwrap()
        },
        Some(PATIENCE),
    );
    assert_eq!(result, Ok("called back"));
    io_loop.close().unwrap();
}

#[test]
fn io_loop_run_sync_test_stop_no_timeout() {
    // Tornado master: stopping the loop under run_sync is an error, and the
    // future is dropped.
    let io_loop = IoLoop::new().unwrap();
    let dropped = Arc::new(AtomicBool::new(false));
    let guard = DropFlag(dropped.clone());
    let result = io_loop.run_sync(
        move || async move {
            let _guard = guard;
            sleep(Duration::from_millis(1)).await;
            IoLoop::current().stop();
            sleep(Duration::from_secs(3600)).await;
        },
        None,
    );
    assert_eq!(result, Err(RunSyncError::Stopped));
    assert!(dropped.load(Ordering::SeqCst));
    // The stop was consumed: the loop runs normally again.
    assert_eq!(io_loop.run_sync(|| async { 3 }, Some(PATIENCE)), Ok(3));
    io_loop.close().unwrap();
}

#[test]
fn stop_before_start_makes_start_return_at_once() {
    let io_loop = IoLoop::new().unwrap();
    io_loop.stop();
    io_loop.start().unwrap();
    // Only once: the next run lasts until its own stop.
    let stopper = io_loop.clone();
    io_loop.add_callback(move || stopper.stop());
    assert!(start_with_watchdog(&io_loop));
    io_loop.close().unwrap();
}

#[test]
fn closed_loop_refuses_to_run_and_drops_work() {
    let io_loop = IoLoop::new().unwrap();
    io_loop.close().unwrap();
    io_loop.close().unwrap();
    assert_eq!(io_loop.start(), Err(IoLoopError::Closed));
    assert_eq!(
        io_loop.run_sync(|| async {}, None),
        Err(RunSyncError::Loop(IoLoopError::Closed))
    );
    let fired = Arc::new(AtomicBool::new(false));
    let flag = fired.clone();
    let timeout = io_loop.call_later(Duration::ZERO, move || flag.store(true, Ordering::SeqCst));
    io_loop.remove_timeout(&timeout);
    io_loop.add_callback(|| unreachable!("a closed loop runs nothing"));
    let _ = io_loop.time();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let job = runtime.block_on(io_loop.run_in_executor(None, || 1));
    assert_eq!(job, Err(ExecutorError::Dropped));
    assert!(!fired.load(Ordering::SeqCst));
}

#[test]
fn closing_a_running_loop_is_refused() {
    let io_loop = IoLoop::new().unwrap();
    let seen = Arc::new(Mutex::new(None));
    let (inner, record) = (io_loop.clone(), seen.clone());
    io_loop.add_callback(move || {
        *record.lock().unwrap() = Some(inner.close());
        inner.stop();
    });
    assert!(start_with_watchdog(&io_loop));
    assert_eq!(seen.lock().unwrap().take(), Some(Err(IoLoopError::Running)));
    io_loop.close().unwrap();
}

#[tokio::test]
async fn owned_loop_cannot_run_inside_another_runtime_but_can_close() {
    let io_loop = IoLoop::new().unwrap();
    assert!(io_loop.owns_runtime());
    assert_eq!(io_loop.start(), Err(IoLoopError::InsideRuntime));
    assert_eq!(
        io_loop.run_sync(|| async {}, None),
        Err(RunSyncError::Loop(IoLoopError::InsideRuntime))
    );
    io_loop.close().unwrap();
    // Dropping an unclosed one in async context is fine too.
    drop(IoLoop::new().unwrap());
}

// ---------------------------------------------------------------------------
// TestPeriodicCallback (paused time)
// ---------------------------------------------------------------------------

/// Records the loop time of every call.
fn recorder(io_loop: &IoLoop) -> (Arc<Mutex<Vec<Instant>>>, impl FnMut() + Send + 'static) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let (record, io_loop) = (calls.clone(), io_loop.clone());
    (calls, move || record.lock().unwrap().push(io_loop.time()))
}

#[tokio::test(start_paused = true)]
async fn periodic_callback_test_basic() {
    let io_loop = IoLoop::current();
    let (calls, callback) = recorder(&io_loop);
    let pc = PeriodicCallback::new(callback, Duration::from_secs(10)).unwrap();
    let start = io_loop.time();
    pc.start();
    assert!(pc.is_running());
    sleep(Duration::from_secs(55)).await;
    pc.stop();
    assert!(!pc.is_running());
    assert_eq!(
        offsets_secs(start, &calls.lock().unwrap()),
        [10, 20, 30, 40, 50]
    );
    sleep(Duration::from_secs(60)).await;
    assert_eq!(calls.lock().unwrap().len(), 5, "ran after stop");
}

#[tokio::test(start_paused = true)]
async fn periodic_callback_test_overrun() {
    // Runs that last longer than the period skip the missed runs.
    let io_loop = IoLoop::current();
    let durations = Arc::new(Mutex::new(vec![9, 9, 10, 11, 20, 20, 35, 35, 0, 0]));
    let calls = Arc::new(Mutex::new(Vec::new()));
    let (done_tx, done_rx) = oneshot::channel();
    let done = Arc::new(Mutex::new(Some(done_tx)));
    let pc_slot: Arc<Mutex<Option<PeriodicCallback>>> = Arc::default();
    let (record, me, l) = (calls.clone(), pc_slot.clone(), io_loop.clone());
    let pc = PeriodicCallback::new_async(
        move || {
            record.lock().unwrap().push(l.time());
            let next = {
                let mut durations = durations.lock().unwrap();
                (!durations.is_empty()).then(|| durations.remove(0))
            };
            let (me, done) = (me.clone(), done.clone());
            async move {
                match next {
                    Some(secs) => sleep(Duration::from_secs(secs)).await,
                    None => {
                        me.lock().unwrap().as_ref().unwrap().stop();
                        done.lock().unwrap().take().unwrap().send(()).unwrap();
                    }
                }
            }
        },
        Duration::from_secs(10),
    )
    .unwrap();
    *pc_slot.lock().unwrap() = Some(pc.clone());
    let start = io_loop.time();
    pc.start();
    with_timeout(Duration::from_secs(3600), done_rx)
        .await
        .unwrap()
        .unwrap();
    let expected = [10, 20, 30, 50, 70, 100, 130, 170, 210, 220, 230];
    assert_eq!(offsets_secs(start, &calls.lock().unwrap()), expected);
    pc_slot.lock().unwrap().take();
}

#[tokio::test(start_paused = true)]
async fn periodic_callback_test_io_loop_set_at_start() {
    // Made on a thread with no loop at all; the loop is the one current
    // where start() is called.
    let io_loop = IoLoop::current();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let record = calls.clone();
    let pc = thread::spawn(move || {
        assert!(IoLoop::try_current().is_none());
        PeriodicCallback::new(
            move || {
                let current = IoLoop::current();
                record.lock().unwrap().push((current.time(), current));
            },
            Duration::from_secs(10),
        )
        .unwrap()
    })
    .join()
    .unwrap();
    let start = io_loop.time();
    pc.start();
    sleep(Duration::from_secs(55)).await;
    pc.stop();
    let calls = calls.lock().unwrap();
    let times: Vec<Instant> = calls.iter().map(|(t, _)| *t).collect();
    assert_eq!(offsets_secs(start, &times), [10, 20, 30, 40, 50]);
    assert!(calls.iter().all(|(_, l)| *l == io_loop));
}

#[test]
fn periodic_callback_started_on_another_thread_through_add_callback() {
    // Tornado's reason for looking the loop up in start(): make it here,
    // start it on the loop's own thread.
    let io_loop = IoLoop::new().unwrap();
    let runner = io_loop.clone();
    let (done_tx, done_rx) = std_mpsc::channel();
    let loop_thread = thread::spawn(move || {
        let stopped_by_test = start_with_watchdog(&runner);
        done_tx.send(stopped_by_test).unwrap();
    });
    let ticks = Arc::new(AtomicUsize::new(0));
    let counter = ticks.clone();
    let pc = PeriodicCallback::new(
        move || {
            if counter.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
                IoLoop::current().stop();
            }
        },
        Duration::from_millis(1),
    )
    .unwrap();
    let to_start = pc.clone();
    io_loop.add_callback(move || to_start.start());
    assert!(done_rx.recv_timeout(PATIENCE * 2).unwrap());
    loop_thread.join().unwrap();
    pc.stop();
    assert!(ticks.load(Ordering::SeqCst) >= 3);
    io_loop.close().unwrap();
}

#[tokio::test(start_paused = true)]
async fn periodic_callback_async_test_periodic_async() {
    // Tornado master: an async callback that outlasts the period is not run
    // again until it finishes; runs realign to the schedule.
    let io_loop = IoLoop::current();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let starts = Arc::new(Mutex::new(Vec::new()));
    let (f, m, s, l) = (
        in_flight.clone(),
        most.clone(),
        starts.clone(),
        io_loop.clone(),
    );
    let pc = PeriodicCallback::new_async(
        move || {
            let (f, m) = (f.clone(), m.clone());
            s.lock().unwrap().push(l.time());
            async move {
                let now = f.fetch_add(1, Ordering::SeqCst) + 1;
                m.fetch_max(now, Ordering::SeqCst);
                sleep(Duration::from_millis(25)).await;
                f.fetch_sub(1, Ordering::SeqCst);
            }
        },
        Duration::from_millis(10),
    )
    .unwrap();
    let start = io_loop.time();
    pc.start();
    sleep(Duration::from_millis(85)).await;
    pc.stop();
    let offsets: Vec<u128> = starts
        .lock()
        .unwrap()
        .iter()
        .map(|t| (*t - start).as_millis())
        .collect();
    assert_eq!(offsets, [10, 40, 70]);
    assert_eq!(most.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn periodic_callback_jitter_stays_within_its_window() {
    let io_loop = IoLoop::current();
    let (calls, callback) = recorder(&io_loop);
    let pc = PeriodicCallback::new(callback, Duration::from_secs(10))
        .unwrap()
        .with_jitter(0.5)
        .unwrap();
    assert_eq!(pc.jitter(), 0.5);
    pc.start();
    sleep(Duration::from_secs(400)).await;
    pc.stop();
    let calls = calls.lock().unwrap();
    assert!(calls.len() >= 30, "{} calls", calls.len());
    let gaps: Vec<Duration> = calls.windows(2).map(|w| w[1] - w[0]).collect();
    // Periods of 7.5 s to 12.5 s; timers fire on whole milliseconds.
    for gap in &gaps {
        assert!(
            (Duration::from_millis(7499)..=Duration::from_millis(12_501)).contains(gap),
            "gap {gap:?}"
        );
    }
    assert!(
        gaps.iter().any(|g| *g != gaps[0]),
        "no randomness: {gaps:?}"
    );
}

#[test]
fn periodic_callback_refuses_zero_period_and_bad_jitter() {
    let zero = PeriodicCallback::new(|| {}, Duration::ZERO);
    assert_eq!(zero.unwrap_err(), PeriodicCallbackError::NonPositivePeriod);
    let zero_async = PeriodicCallback::new_async(|| async {}, Duration::ZERO);
    assert_eq!(
        zero_async.unwrap_err(),
        PeriodicCallbackError::NonPositivePeriod
    );
    let pc = PeriodicCallback::new(|| {}, Duration::from_secs(1)).unwrap();
    assert_eq!(pc.period(), Duration::from_secs(1));
    assert!(matches!(
        pc.with_jitter(-0.5),
        Err(PeriodicCallbackError::InvalidJitter(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn periodic_callback_panics_are_logged_and_the_schedule_goes_on() {
    let (log, _guard) = Logs::capture();
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let pc = PeriodicCallback::new(
        move || {
            counter.fetch_add(1, Ordering::SeqCst);
            panic!("tick failed");
        },
        Duration::from_secs(1),
    )
    .unwrap();
    pc.start();
    sleep(Duration::from_millis(3500)).await;
    pc.stop();
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    let messages = log.app_errors();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages.iter().all(|m| m.contains("tick failed")));
}

#[tokio::test(start_paused = true)]
async fn periodic_callback_stops_itself_and_restarts() {
    let io_loop = IoLoop::current();
    let runs = Arc::new(AtomicUsize::new(0));
    let slot: Arc<Mutex<Option<PeriodicCallback>>> = Arc::default();
    let (counter, me) = (runs.clone(), slot.clone());
    let pc = PeriodicCallback::new(
        move || {
            if counter.fetch_add(1, Ordering::SeqCst) + 1 == 2 {
                me.lock().unwrap().as_ref().unwrap().stop();
            }
        },
        Duration::from_secs(1),
    )
    .unwrap();
    *slot.lock().unwrap() = Some(pc.clone());
    pc.start();
    pc.start(); // already started: no second schedule
    sleep(Duration::from_secs(10)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    assert!(!pc.is_running());
    // Stopped from a thread with no runtime, after a restart.
    pc.start_on(&io_loop);
    sleep(Duration::from_millis(1500)).await;
    let other = pc.clone();
    thread::spawn(move || other.stop()).join().unwrap();
    sleep(Duration::from_secs(10)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    slot.lock().unwrap().take();
}

// ---------------------------------------------------------------------------
// TestIOLoopConfiguration
// ---------------------------------------------------------------------------

#[test]
fn io_loop_configuration_test_default() {
    // Tornado: `IOLoop.current()` in a fresh process wraps the running
    // asyncio loop, `IOLoop()` makes a loop of its own. Here: inside a
    // runtime made elsewhere the current loop borrows it; IoLoop::new owns.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let borrowed = runtime.block_on(async { IoLoop::current() });
    assert!(!borrowed.owns_runtime());
    assert_eq!(borrowed, IoLoop::from_handle(runtime.handle().clone()));
    assert_eq!(borrowed.start(), Err(IoLoopError::NotOwned));
    let owned = IoLoop::new().unwrap();
    assert!(owned.owns_runtime());
    assert_ne!(owned, borrowed);
    assert_eq!(IoLoop::from_handle(owned.handle().clone()), owned);
    owned.close().unwrap();
}

#[test]
fn periodic_callback_on_a_closed_loop_is_not_running() {
    let io_loop = IoLoop::new().unwrap();
    let pc = PeriodicCallback::new(|| {}, Duration::from_millis(1)).unwrap();
    pc.start_on(&io_loop);
    assert!(pc.is_running());
    io_loop.close().unwrap();
    assert!(!pc.is_running(), "closing the loop ends its schedules");
    // Once the loop is gone the callback can be started on another one.
    let other = IoLoop::new().unwrap();
    pc.start_on(&other);
    assert!(pc.is_running());
    pc.stop();
    assert!(!pc.is_running());
    other.close().unwrap();
}
