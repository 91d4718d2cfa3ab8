//! Counterparts of Tornado 5.0's `tornado/test/concurrent_test.py`, tests
//! of the settable [`Future`] and the thread pool, and tests of the chat
//! demo's `MessageBuffer` (`examples/chat_core.rs`).
//!
//! Tornado tests with no Rust counterpart, and why:
//!
//! - `ReturnFutureTest` — `test_immediate_failure`, `test_return_value`,
//!   `test_callback_kw`, `test_callback_positional`, `test_no_callback`,
//!   `test_none_callback_kw`, `test_none_callback_pos`, `test_async_future`,
//!   `test_async_future_gen`, `test_delayed_failure`,
//!   `test_kw_only_callback`, `test_error_in_callback`,
//!   `test_no_result_future`, `test_no_result_future_callback`,
//!   `test_future_traceback`: the `@return_future` decorator, which turns a
//!   `callback=` function into one returning a Future (argument rewriting,
//!   stack contexts, Python tracebacks). Rust has no `callback=` APIs: an
//!   `async fn` returns its value, and a [`Future`] set by hand covers the
//!   rest.
//! - `RunOnExecutorTest.test_call_with_no_args`: `@run_on_executor()` versus
//!   `@run_on_executor` decorator syntax; `run_on_executor` is a function.
//! - `DecoratorClientTest` and `GeneratorClientTest` run the same six tests
//!   as `ManualClientTest` through `@return_future` and `gen.engine`; the
//!   mixin's tests are counted once, through `ManualClientTest`.

#[path = "../examples/chat_core.rs"]
#[allow(dead_code)]
mod chat_core;

#[path = "support/lock_probe.rs"]
mod lock_probe;
#[path = "support/logs.rs"]
mod logs;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::time::Duration;

use supercell::concurrent::{
    CancelledError, Executor, ExecutorError, ExecutorFuture, Future, FutureError,
    InvalidStateError, ThreadPoolExecutor, chain_future, future_add_done_callback,
    future_set_exception_unless_cancelled, future_set_result_unless_cancelled, run_on_executor,
};
use supercell::r#gen::{moment, multi, with_timeout};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use chat_core::{Message, MessageBuffer, Transcript, check, run_chat};
use lock_probe::LockProbe;
use logs::Logs;

/// Python's `ZeroDivisionError`.
#[derive(Debug, thiserror::Error)]
#[error("division by zero")]
struct ZeroDivisionError;

/// Lets the tasks spawned so far (callbacks included) run.
async fn run_pending_callbacks() {
    for _ in 0..3 {
        moment().await;
    }
}

// ---- MiscFutureTest ----

#[tokio::test]
async fn misc_future_test_future_set_result_unless_cancelled() {
    let fut = Future::new();
    future_set_result_unless_cancelled(&fut, 42).unwrap();
    assert_eq!(fut.result().unwrap(), 42);
    assert!(!fut.cancelled());

    let fut = Future::new();
    assert!(fut.cancel());
    future_set_result_unless_cancelled(&fut, 42).unwrap();
    assert!(fut.cancelled());
    assert!(matches!(
        fut.result(),
        Err(FutureError::Cancelled(CancelledError))
    ));

    // It still refuses to overwrite a result.
    let fut = Future::new();
    fut.set_result(1).unwrap();
    assert_eq!(
        future_set_result_unless_cancelled(&fut, 2),
        Err(InvalidStateError::AlreadyDone)
    );
}

// ---- ReturnFutureTest ----

#[tokio::test]
async fn return_future_test_uncaught_exception_log() {
    let (logs, _guard) = Logs::capture();
    let f: Future<()> = Future::new();
    let g = f.clone();
    tokio::spawn(async move {
        moment().await;
        g.set_exception(ZeroDivisionError).unwrap();
    });
    run_pending_callbacks().await;
    assert!(f.done());
    assert!(
        logs.records().is_empty(),
        "nothing is logged while a handle lives"
    );
    drop(f);
    assert_eq!(
        logs.app_errors(),
        ["Future exception was never retrieved: division by zero"]
    );

    // An exception somebody looked at is not logged.
    let seen: Future<()> = Future::new();
    seen.set_exception(ZeroDivisionError).unwrap();
    assert!(seen.clone().await.is_err());
    drop(seen);
    assert_eq!(logs.records().len(), 1);
}

// ---- ManualClientTest (ClientTestMixin) ----

/// Upper-cases each line it is sent, or answers with an error when the line
/// is upper case already (Tornado's `CapServer`).
async fn start_cap_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut line = String::new();
                if BufReader::new(read).read_line(&mut line).await.is_err() {
                    return;
                }
                let reply = if line == line.to_uppercase() {
                    "error\talready capitalized\n".to_string()
                } else {
                    format!("ok\t{}", line.to_uppercase())
                };
                let _ = write.write_all(reply.as_bytes()).await;
            });
        }
    });
    port
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct CapError(String);

/// A client that builds its result [`Future`] by hand and sets it when the
/// reply arrives (Tornado's `ManualCapClient`).
struct ManualCapClient {
    port: u16,
}

impl ManualCapClient {
    fn capitalize(&self, request_data: &str) -> Future<String> {
        let future = Future::new();
        let setter = future.clone();
        let (port, request) = (self.port, format!("{request_data}\n"));
        tokio::spawn(async move {
            let _ = match Self::exchange(port, &request).await {
                Ok(reply) => match Self::process_response(&reply) {
                    Ok(message) => setter.set_result(message),
                    Err(e) => setter.set_exception(e),
                },
                Err(e) => setter.set_exception(e),
            };
        });
        future
    }

    /// As `capitalize(data, callback=...)`: `callback` gets the outcome.
    fn capitalize_with_callback(
        &self,
        request_data: &str,
        callback: impl FnOnce(Result<String, FutureError>) + Send + 'static,
    ) -> Future<String> {
        let future = self.capitalize(request_data);
        future.add_done_callback(move |f| callback(f.result()));
        future
    }

    async fn exchange(port: u16, request: &str) -> std::io::Result<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.write_all(request.as_bytes()).await?;
        let mut reply = String::new();
        BufReader::new(stream).read_line(&mut reply).await?;
        Ok(reply)
    }

    fn process_response(reply: &str) -> Result<String, CapError> {
        match reply.trim_end_matches('\n').split_once('\t') {
            Some(("ok", message)) => Ok(message.to_string()),
            Some((_, message)) => Err(CapError(message.to_string())),
            None => Err(CapError(format!("malformed reply {reply:?}"))),
        }
    }
}

async fn cap_client() -> ManualCapClient {
    ManualCapClient {
        port: start_cap_server().await,
    }
}

fn cap_error_message(e: &FutureError) -> Option<String> {
    e.exception()?
        .downcast_ref::<CapError>()
        .map(|c| c.0.clone())
}

/// Resolves when `future` is done (Tornado's `io_loop.add_future(f, stop)`).
async fn wait_done<T: Send + 'static>(future: &Future<T>) {
    let (stop, stopped) = oneshot::channel();
    future.add_done_callback(move |_| {
        let _ = stop.send(());
    });
    with_timeout(Duration::from_secs(10), stopped)
        .await
        .unwrap()
        .unwrap();
}

/// What the callback given to `capitalize_with_callback` receives
/// (Tornado's `self.stop` as the callback, then `self.wait()`).
async fn capitalize_through_callback(request_data: &str) -> Result<String, FutureError> {
    let (stop, result) = oneshot::channel();
    cap_client()
        .await
        .capitalize_with_callback(request_data, move |r| {
            let _ = stop.send(r);
        });
    with_timeout(Duration::from_secs(10), result)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn manual_client_test_callback() {
    let result = capitalize_through_callback("hello").await;
    assert_eq!(result.unwrap(), "HELLO");
}

#[tokio::test]
async fn manual_client_test_callback_error() {
    let result = capitalize_through_callback("HELLO").await;
    assert_eq!(
        cap_error_message(&result.unwrap_err()).as_deref(),
        Some("already capitalized")
    );
}

#[tokio::test]
async fn manual_client_test_future() {
    let future = cap_client().await.capitalize("hello");
    wait_done(&future).await;
    assert_eq!(future.result().unwrap(), "HELLO");
}

#[tokio::test]
async fn manual_client_test_future_error() {
    let future = cap_client().await.capitalize("HELLO");
    wait_done(&future).await;
    let error = future.result().unwrap_err();
    assert_eq!(
        cap_error_message(&error).as_deref(),
        Some("already capitalized")
    );
}

#[tokio::test]
async fn manual_client_test_generator() {
    let result = cap_client().await.capitalize("hello").await;
    assert_eq!(result.unwrap(), "HELLO");
}

#[tokio::test]
async fn manual_client_test_generator_error() {
    let error = cap_client().await.capitalize("HELLO").await.unwrap_err();
    assert_eq!(
        cap_error_message(&error).as_deref(),
        Some("already capitalized")
    );
}

// ---- RunOnExecutorTest ----

#[tokio::test]
async fn run_on_executor_test_no_calling() {
    struct Object {
        executor: ThreadPoolExecutor,
    }
    impl Object {
        fn f(&self) -> ExecutorFuture<i32> {
            run_on_executor(&self.executor, || 42)
        }
    }
    let o = Object {
        executor: ThreadPoolExecutor::new(1).unwrap(),
    };
    assert_eq!(o.f().await, Ok(42));
}

#[tokio::test]
async fn run_on_executor_test_call_with_executor() {
    // Any executor, kept under any name, chosen by the caller.
    struct Object {
        thread_pool: Arc<dyn Executor>,
    }
    impl Object {
        fn f(&self) -> ExecutorFuture<i32> {
            run_on_executor(&*self.thread_pool, || 42)
        }
    }
    let o = Object {
        thread_pool: Arc::new(ThreadPoolExecutor::new(1).unwrap()),
    };
    assert_eq!(o.f().await, Ok(42));
}

// ---- Future: callbacks, states, cancellation ----

#[tokio::test]
async fn future_callbacks_never_run_inline() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let f = Future::new();
    for name in ["first", "second"] {
        let calls = Arc::clone(&calls);
        f.add_done_callback(move |f: &Future<i32>| {
            calls.lock().unwrap().push((name, f.result().unwrap()))
        });
    }
    f.set_result(5).unwrap();
    assert!(
        calls.lock().unwrap().is_empty(),
        "set_result ran a callback inline"
    );
    run_pending_callbacks().await;
    assert_eq!(*calls.lock().unwrap(), [("first", 5), ("second", 5)]);

    // Added to a future that is already done: still not inline.
    let late = Arc::clone(&calls);
    f.add_done_callback(move |_| late.lock().unwrap().push(("late", 0)));
    assert_eq!(calls.lock().unwrap().len(), 2);
    run_pending_callbacks().await;
    assert_eq!(calls.lock().unwrap().last(), Some(&("late", 0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn future_callbacks_run_in_the_order_added_on_a_multi_thread_runtime() {
    // Tornado runs done callbacks through `IOLoop.add_callback`: one at a
    // time, first added first run, whether the future was done already or
    // not, and whatever thread the runtime gives them.
    for _ in 0..20 {
        let order = Arc::new(Mutex::new(Vec::new()));
        let f: Future<()> = Future::new();
        let (all_ran, ran) = oneshot::channel();
        let mut all_ran = Some(all_ran);
        for i in 0..8 {
            if i == 4 {
                f.set_result(()).unwrap();
            }
            let order = Arc::clone(&order);
            let last = if i == 7 { all_ran.take() } else { None };
            f.add_done_callback(move |_| {
                order.lock().unwrap().push(i);
                // The next callback must not start before this one ends.
                std::thread::sleep(Duration::from_millis(1));
                if let Some(last) = last {
                    let _ = last.send(());
                }
            });
        }
        with_timeout(Duration::from_secs(10), ran)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(*order.lock().unwrap(), (0..8).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn future_add_done_callback_runs_inline_when_done() {
    let ran = Arc::new(AtomicUsize::new(0));
    let f = Future::new();
    f.set_result(()).unwrap();
    let r = Arc::clone(&ran);
    future_add_done_callback(&f, move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(ran.load(Ordering::SeqCst), 1);

    let pending: Future<()> = Future::new();
    let r = Arc::clone(&ran);
    future_add_done_callback(&pending, move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    pending.set_result(()).unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    run_pending_callbacks().await;
    assert_eq!(ran.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn future_callback_panic_is_logged_and_the_next_still_runs() {
    let (logs, _guard) = Logs::capture();
    let ran = Arc::new(AtomicUsize::new(0));
    let f = Future::new();
    f.add_done_callback(|_| panic!("callback exploded"));
    let r = Arc::clone(&ran);
    f.add_done_callback(move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    f.set_result(1).unwrap();
    run_pending_callbacks().await;
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    let errors = logs.app_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("Exception in callback") && errors[0].contains("callback exploded"),
        "{errors:?}"
    );
}

#[test]
fn future_set_from_another_thread_runs_callbacks_on_the_loop() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let loop_thread = std::thread::current().id();
    let result = runtime.block_on(async move {
        let f = Future::new();
        let (tx, rx) = oneshot::channel();
        f.add_done_callback(move |f: &Future<u32>| {
            let _ = tx.send((std::thread::current().id(), f.result().unwrap()));
        });
        let setter = f.clone();
        std::thread::spawn(move || setter.set_result(7).unwrap())
            .join()
            .unwrap();
        assert_eq!(f.clone().await.unwrap(), 7);
        rx.await.unwrap()
    });
    assert_eq!(result, (loop_thread, 7));
}

#[tokio::test]
async fn future_set_twice_is_an_invalid_state_error() {
    let f = Future::new();
    f.set_result("first").unwrap();
    assert_eq!(f.set_result("second"), Err(InvalidStateError::AlreadyDone));
    assert_eq!(
        f.set_exception(ZeroDivisionError),
        Err(InvalidStateError::AlreadyDone)
    );
    assert_eq!(f.result().unwrap(), "first");
    let e = InvalidStateError::AlreadyDone;
    assert!(matches!(FutureError::from(e), FutureError::InvalidState(_)));
}

#[tokio::test]
async fn future_cancel_wakes_waiters_and_runs_callbacks() {
    let f: Future<u8> = Future::new();
    let waiter = tokio::spawn(f.clone());
    let (tx, rx) = oneshot::channel();
    f.add_done_callback(move |f| {
        let _ = tx.send(f.cancelled());
    });
    moment().await;
    assert!(f.cancel());
    assert!(f.cancelled() && f.done());
    assert!(!f.cancel(), "a second cancel does nothing");
    assert!(waiter.await.unwrap().unwrap_err().is_cancelled());
    assert!(rx.await.unwrap());
    assert!(matches!(f.exception(), Err(FutureError::Cancelled(_))));
    assert_eq!(f.set_result(1), Err(InvalidStateError::AlreadyDone));
}

#[tokio::test]
async fn future_cancel_after_done_returns_false() {
    let f = Future::new();
    f.set_result(3).unwrap();
    assert!(!f.cancel());
    assert!(!f.cancelled());
    assert_eq!(f.result().unwrap(), 3);
}

#[tokio::test]
async fn future_set_exception_unless_cancelled_logs_when_cancelled() {
    let (logs, _guard) = Logs::capture();
    let f: Future<()> = Future::new();
    future_set_exception_unless_cancelled(&f, ZeroDivisionError).unwrap();
    assert!(
        f.exception()
            .unwrap()
            .is_some_and(|e| e.is::<ZeroDivisionError>())
    );
    assert!(logs.records().is_empty());

    let cancelled: Future<()> = Future::new();
    cancelled.cancel();
    future_set_exception_unless_cancelled(&cancelled, ZeroDivisionError).unwrap();
    assert!(cancelled.cancelled());
    assert_eq!(
        logs.app_errors(),
        ["Exception after Future was cancelled: division by zero"]
    );
}

// ---- chain_future ----

#[tokio::test]
async fn chain_future_copies_the_result() {
    let (a, b) = (Future::new(), Future::new());
    chain_future(&a, &b);
    a.set_result(10).unwrap();
    assert!(!b.done(), "the copy happens on a later iteration");
    assert_eq!(b.clone().await.unwrap(), 10);
}

#[tokio::test]
async fn chain_future_copies_the_exception() {
    let (a, b) = (Future::<i32>::new(), Future::new());
    chain_future(&a, &b);
    a.set_exception(ZeroDivisionError).unwrap();
    let error = b.await.unwrap_err();
    let original = a.exception().unwrap().unwrap();
    assert!(
        Arc::ptr_eq(error.exception().unwrap(), &original),
        "the same error, not a copy"
    );
}

#[tokio::test]
async fn chain_future_copies_cancellation() {
    let (a, b) = (Future::<i32>::new(), Future::new());
    chain_future(&a, &b);
    a.cancel();
    assert!(b.clone().await.unwrap_err().is_cancelled());
}

#[tokio::test]
async fn chain_future_leaves_a_done_target_alone() {
    let (a, b) = (Future::new(), Future::new());
    chain_future(&a, &b);
    b.set_result("b's own").unwrap();
    a.set_result("from a").unwrap();
    run_pending_callbacks().await;
    assert_eq!(b.result().unwrap(), "b's own");

    let (a, c) = (Future::new(), Future::<&str>::new());
    chain_future(&a, &c);
    c.cancel();
    a.set_result("from a").unwrap();
    run_pending_callbacks().await;
    assert!(c.cancelled());
}

// ---- ThreadPoolExecutor ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_pool_executor_bounds_concurrency() {
    const WORKERS: usize = 2;
    let pool = ThreadPoolExecutor::new(WORKERS).unwrap();
    assert_eq!(pool.max_workers(), WORKERS);
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let threads = Arc::new(Mutex::new(std::collections::HashSet::new()));
    // Each job waits for a partner: only two at a time can ever meet, and
    // they must meet, so exactly two run at once.
    let pairs = Arc::new(Barrier::new(WORKERS));
    let jobs: Vec<_> = (0..6)
        .map(|i| {
            let (running, most, threads, pairs) = (
                Arc::clone(&running),
                Arc::clone(&most),
                Arc::clone(&threads),
                Arc::clone(&pairs),
            );
            run_on_executor(&pool, move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                threads.lock().unwrap().insert(std::thread::current().id());
                pairs.wait();
                running.fetch_sub(1, Ordering::SeqCst);
                i
            })
        })
        .collect();
    let results = with_timeout(Duration::from_secs(30), multi(jobs))
        .await
        .unwrap();
    assert_eq!(results, Ok((0..6).collect::<Vec<_>>()));
    assert_eq!(most.load(Ordering::SeqCst), WORKERS);
    assert_eq!(threads.lock().unwrap().len(), WORKERS);
}

#[test]
fn thread_pool_executor_shutdown_runs_queued_jobs_then_refuses() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let pool = ThreadPoolExecutor::new(1).unwrap();
    let (release, gate) = mpsc::channel::<()>();
    let blocked = run_on_executor(&pool, move || gate.recv().is_ok());
    let queued = run_on_executor(&pool, || "queued");
    pool.shutdown(false);
    let refused = run_on_executor(&pool, || "refused");
    release.send(()).unwrap();
    pool.shutdown(true);
    runtime.block_on(async {
        assert_eq!(blocked.await, Ok(true));
        assert_eq!(queued.await, Ok("queued"));
        assert_eq!(refused.await, Err(ExecutorError::Dropped));
    });
}

#[test]
fn thread_pool_executor_drops_refused_jobs_outside_its_lock() {
    // Dropping a job runs the destructors of what it captured, which may
    // use the pool: it must not happen under the pool's lock.
    struct CheckOnDrop(Arc<LockProbe>);
    impl Drop for CheckOnDrop {
        fn drop(&mut self) {
            self.0.check();
        }
    }
    let pool = Arc::new(ThreadPoolExecutor::new(1).unwrap());
    pool.shutdown(true);
    let probe = {
        let pool = Arc::clone(&pool);
        LockProbe::new(move || pool.execute(Box::new(|| ())))
    };
    let captured = CheckOnDrop(Arc::clone(&probe));
    pool.execute(Box::new(move || drop(captured)));
    assert_eq!(probe.results(), [true]);
}

// ---- The chat demo's MessageBuffer ----

fn message(id: &str) -> Message {
    Message {
        id: id.to_string(),
        body: format!("body of {id}"),
    }
}

#[tokio::test]
async fn chat_message_buffer_wakes_every_waiter() {
    let buffer = MessageBuffer::new(10);
    let waiters: Vec<_> = (0..3).map(|_| buffer.wait_for_messages(None)).collect();
    assert_eq!(buffer.waiting(), 3);
    assert!(waiters.iter().all(|w| !w.done()));
    assert_eq!(buffer.new_messages(vec![message("m1")]), 3);
    assert_eq!(buffer.waiting(), 0);
    for w in waiters {
        assert_eq!(w.await.unwrap(), [message("m1")]);
    }
}

#[tokio::test]
async fn chat_message_buffer_cursor_returns_only_newer_messages() {
    let buffer = MessageBuffer::new(10);
    buffer.new_messages(vec![message("m1"), message("m2"), message("m3")]);
    let missed = buffer.wait_for_messages(Some("m1"));
    assert!(missed.done(), "answered from the cache at once");
    assert_eq!(missed.result().unwrap(), [message("m2"), message("m3")]);
    // Up to date: wait for the next message.
    let up_to_date = buffer.wait_for_messages(Some("m3"));
    assert!(!up_to_date.done());
    assert_eq!(buffer.waiting(), 1);
}

#[tokio::test]
async fn chat_message_buffer_unknown_cursor_returns_the_whole_cache() {
    let buffer = MessageBuffer::new(2);
    buffer.new_messages(vec![message("m1"), message("m2"), message("m3")]);
    assert_eq!(
        buffer.cache(),
        [message("m2"), message("m3")],
        "keeps the last 2"
    );
    let stale = buffer.wait_for_messages(Some("m1"));
    assert_eq!(stale.result().unwrap(), [message("m2"), message("m3")]);
}

#[tokio::test]
async fn chat_message_buffer_cancel_wait_resolves_with_nothing() {
    let buffer = MessageBuffer::new(10);
    let waiting = buffer.wait_for_messages(None);
    let other = buffer.wait_for_messages(None);
    buffer.cancel_wait(&waiting);
    assert_eq!(waiting.clone().await.unwrap(), Vec::<Message>::new());
    assert_eq!(buffer.waiting(), 1);
    // A later message reaches only the client still waiting, and a second
    // cancel of a finished wait changes nothing.
    assert_eq!(buffer.new_messages(vec![message("m1")]), 1);
    buffer.cancel_wait(&waiting);
    assert_eq!(other.result().unwrap(), [message("m1")]);
}

#[tokio::test(start_paused = true)]
async fn chat_demo_every_client_sees_every_message() {
    let transcript = Transcript::new(false);
    let run = run_chat(&transcript).await.unwrap();
    let report = check(&run).unwrap();
    assert_eq!(report.len(), 4);
    let lines = transcript.lines().join("\n");
    assert!(
        lines.contains("bob    long poll cut after 300 ms"),
        "{lines}"
    );
    assert!(
        lines.contains("carol  pending poll ended, got nothing"),
        "{lines}"
    );
    assert!(
        lines.contains("carol  caught up from the cache: m3, m4, m5, m6"),
        "{lines}"
    );
    assert_eq!(run.received["dave"].len(), 2);
    let cached: Vec<&str> = run.cache.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(cached, ["m3", "m4", "m5", "m6", "m7"]);
}

#[test]
fn chat_check_rejects_a_client_that_missed_a_message() {
    let posted = vec![message("m1"), message("m2"), message("m3")];
    let mut run = chat_core::ChatRun {
        posted: posted.clone(),
        received: [("alice", posted.clone())].into_iter().collect(),
        cache: Vec::new(),
    };
    assert!(check(&run).is_ok());
    run.received
        .insert("bob", vec![message("m1"), message("m3")]);
    assert!(check(&run).unwrap_err().contains("bob"));
}
