//! Counterparts of Tornado 5.0's `tornado/test/gen_test.py`, plus tests of
//! behaviour that only the Rust API has.
//!
//! Tornado tests with no Rust counterpart, and why:
//!
//! - `GenEngineTest` — `test_no_yield`, `test_inline_cb`, `test_ioloop_cb`,
//!   `test_exception_phase1`, `test_exception_phase2`,
//!   `test_exception_in_task_phase1`, `test_exception_in_task_phase2`,
//!   `test_with_arg`, `test_with_arg_tuple`, `test_key_reuse`,
//!   `test_key_reuse_tuple`, `test_key_mismatch`, `test_key_mismatch_tuple`,
//!   `test_leaked_callback`, `test_leaked_callback_tuple`,
//!   `test_parallel_callback`, `test_bogus_yield`, `test_bogus_yield_tuple`,
//!   `test_reuse`, `test_task`, `test_wait_all`, `test_exception_in_yield`,
//!   `test_resume_after_exception_in_yield`, `test_orphaned_callback`,
//!   `test_none`, `test_arguments`: the legacy `gen.engine` /
//!   `gen.Callback` / `gen.Wait` / `gen.Task` / `YieldPoint` machinery
//!   (callback keys, bad yields, leaked callbacks); Rust has `async`/`await`
//!   and no callback-key engine.
//! - `GenEngineTest` — `test_stack_context_leak`,
//!   `test_stack_context_leak_exception`, `test_wait_transfer_stack_context`,
//!   `test_task_transfer_stack_context`, `test_raise_after_stop`:
//!   `stack_context` and `AsyncTestCase.stop` plumbing, which do not exist.
//! - `GenEngineTest` — `test_sync_raise_return`, `test_async_raise_return`,
//!   `test_sync_raise_return_value`, `test_sync_raise_return_value_tuple`,
//!   `test_async_raise_return_value`, `test_async_raise_return_value_tuple`,
//!   `test_return_value`, `test_return_value_tuple`; `GenCoroutineTest` —
//!   `test_sync_gen_return`, `test_async_gen_return`, `test_sync_return`,
//!   `test_async_return`, `test_async_early_return`,
//!   `test_sync_return_no_value`, `test_async_return_no_value`: returning
//!   from Python generators (`gen.Return`, `StopIteration`); an `async fn`
//!   returns its value with `return`.
//! - `GenEngineTest.test_task_refcounting`,
//!   `GenCoroutineTest.test_coroutine_refcounting`,
//!   `RunnerGCTest.test_gc`, `WaitIteratorTest.test_no_ref`: CPython
//!   reference counting and garbage collection of runners and weak
//!   references; Rust drops values deterministically by ownership.
//! - `GenCoroutineTest` — `test_attributes`, `test_is_coroutine_function`,
//!   `test_asyncio_future_debug_info`: decorator metadata, introspection and
//!   asyncio debug `repr`s; no decorator exists.
//! - `GenCoroutineTest` — `test_sync_raise`, `test_async_raise`,
//!   `test_replace_yieldpoint_exception`, `test_swallow_yieldpoint_exception`,
//!   `test_py3_leak_exception_context`: exceptions raised through generators
//!   (and their `__context__`); Rust errors are returned values handled with
//!   `match` and `?`.
//! - `GenCoroutineTest` — `test_replace_context_exception`,
//!   `test_swallow_context_exception`, `test_pass_callback`,
//!   `test_async_await_mixed_multi_native_yieldpoint`: `stack_context`,
//!   `callback=` arguments and `YieldPoint`s mixed with native coroutines.
//! - `GenWebTest` (all 10: `test_sequence_handler`,
//!   `test_coroutine_sequence_handler`,
//!   `test_coroutine_unfinished_sequence_handler`, `test_task_handler`,
//!   `test_exception_handler`, `test_coroutine_exception_handler`,
//!   `test_yield_exception_handler`, `test_undecorated_coroutines`,
//!   `test_async_prepare_error_handler`, `test_native_coroutine_handler`):
//!   `@asynchronous`/`@gen.engine` request handlers; handlers are plain
//!   `async fn`s, tested with the web layer.
//! - `RunnerGCTest.test_gc_infinite_async_await`: the same as
//!   `test_gc_infinite_coro` once generators and native coroutines are both
//!   `async` (that counterpart covers it).

#[path = "support/logs.rs"]
mod logs;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::StreamExt;
use supercell::concurrent::{Future, FutureError, ThreadPoolExecutor, run_on_executor};
use supercell::r#gen::{WaitIterator, moment, multi, multi_map, sleep, with_timeout};
use supercell::util::TimeoutError;
use tokio::time::Instant;

use logs::Logs;

/// A failure from a test coroutine (Python's `RuntimeError`).
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
struct RuntimeError(&'static str);

/// Python's `ZeroDivisionError`.
#[derive(Debug, thiserror::Error)]
#[error("division by zero")]
struct ZeroDivisionError;

/// Runs `value` through `iterations` loop iterations before returning it
/// (Tornado's `delay_callback`).
async fn delayed<T>(iterations: usize, value: T) -> Result<T, Infallible> {
    for _ in 0..iterations {
        moment().await;
    }
    Ok(value)
}

/// A future resolved with `value` by another task (Tornado's
/// `async_future`).
fn async_future<T: Send + 'static>(value: T) -> Future<T> {
    let future = Future::new();
    let setter = future.clone();
    tokio::spawn(async move { setter.set_result(value).unwrap() });
    future
}

/// Fails with `e` after one loop iteration (Tornado's `async_exception`).
async fn async_exception(e: RuntimeError) -> Result<i32, RuntimeError> {
    moment().await;
    Err(e)
}

/// A future failed with `RuntimeError(message)` by another task.
fn async_future_exception(message: &'static str) -> Future<i32> {
    let future = Future::new();
    let setter = future.clone();
    tokio::spawn(async move { setter.set_exception(RuntimeError(message)).unwrap() });
    future
}

fn is_runtime_error(e: &FutureError) -> bool {
    e.exception().is_some_and(|x| x.is::<RuntimeError>())
}

// ---- GenEngineTest: multi ----

#[tokio::test]
async fn gen_engine_test_multi() {
    let (k1, k2) = (Future::new(), Future::new());
    k1.set_result("v1").unwrap();
    k2.set_result("v2").unwrap();
    assert_eq!(multi([k1, k2]).await.unwrap(), ["v1", "v2"]);
}

#[tokio::test]
async fn gen_engine_test_multi_dict() {
    let (k1, k2) = (Future::new(), Future::new());
    k1.set_result("v1").unwrap();
    k2.set_result("v2").unwrap();
    let results = multi_map(HashMap::from([("foo", k1), ("bar", k2)]))
        .await
        .unwrap();
    assert_eq!(results, HashMap::from([("foo", "v1"), ("bar", "v2")]));
}

#[tokio::test]
async fn gen_engine_test_multi_yieldpoint_delayed() {
    let finished = RefCell::new(Vec::new());
    let child = |iterations, value| {
        let finished = &finished;
        async move {
            let v = delayed(iterations, value).await?;
            finished.borrow_mut().push(v);
            Ok::<_, Infallible>(v)
        }
    };
    let responses = multi([child(3, "v1"), child(1, "v2")]).await.unwrap();
    assert_eq!(responses, ["v1", "v2"]);
    assert_eq!(
        *finished.borrow(),
        ["v2", "v1"],
        "the children finished in the other order"
    );
}

#[tokio::test]
async fn gen_engine_test_multi_yieldpoint_dict_delayed() {
    let children = BTreeMap::from([("foo", delayed(3, "v1")), ("bar", delayed(1, "v2"))]);
    let responses = multi_map(children).await.unwrap();
    assert_eq!(responses, BTreeMap::from([("foo", "v1"), ("bar", "v2")]));
}

/// A future that another task resolves after `iterations` loop iterations.
fn delayed_future<T: Send + 'static>(iterations: usize, value: T) -> Future<T> {
    let future = Future::new();
    let setter = future.clone();
    tokio::spawn(async move {
        let Ok(v) = delayed(iterations, value).await;
        setter.set_result(v).unwrap();
    });
    future
}

#[tokio::test]
async fn gen_engine_test_multi_future_delayed() {
    let (slow, fast) = (delayed_future(3, "v1"), delayed_future(1, "v2"));
    let fast_probe = fast.clone();
    let slow_probe = slow.clone();
    let responses = multi([slow, fast]).await.unwrap();
    assert_eq!(responses, ["v1", "v2"]);
    assert!(fast_probe.done() && slow_probe.done());
}

#[tokio::test]
async fn gen_engine_test_multi_future_dict_delayed() {
    let children = HashMap::from([
        ("foo", delayed_future(3, "v1")),
        ("bar", delayed_future(1, "v2")),
    ]);
    let responses = multi_map(children).await.unwrap();
    assert_eq!(responses, HashMap::from([("foo", "v1"), ("bar", "v2")]));
}

/// Pending on its first poll (waking itself at once), ready on the second;
/// counts its polls.
struct YieldOnce {
    yielded: bool,
    polls: Rc<Cell<usize>>,
}

impl std::future::Future for YieldOnce {
    type Output = Result<(), Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.polls.set(self.polls.get() + 1);
        if self.yielded {
            Poll::Ready(Ok(()))
        } else {
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[tokio::test]
async fn gen_engine_test_multi_performance() {
    // Tornado checked a 2000-child list for quadratic time; without timing,
    // count the work instead: each child is polled only when woken.
    let polls = Rc::new(Cell::new(0));
    let children: Vec<_> = (0..2000)
        .map(|_| YieldOnce {
            yielded: false,
            polls: Rc::clone(&polls),
        })
        .collect();
    let results = multi(children).await.unwrap();
    assert_eq!(results.len(), 2000);
    assert_eq!(polls.get(), 4000);
}

#[tokio::test]
async fn gen_engine_test_multi_empty() {
    let x: Vec<u8> = multi(Vec::<Future<u8>>::new()).await.unwrap();
    assert!(x.is_empty());
    let y: HashMap<String, u8> = multi_map(HashMap::<String, Future<u8>>::new())
        .await
        .unwrap();
    assert!(y.is_empty());
}

#[tokio::test]
async fn gen_engine_test_multi_mixed_types() {
    type Child = Pin<Box<dyn std::future::Future<Output = Result<&'static str, FutureError>>>>;
    let k1 = Future::new();
    k1.set_result("v1").unwrap();
    let task: Child = Box::pin(async {
        let Ok(v) = delayed(3, "v2").await;
        Ok(v)
    });
    let responses = multi([Box::pin(k1) as Child, task]).await.unwrap();
    assert_eq!(responses, ["v1", "v2"]);
}

#[tokio::test]
async fn gen_engine_test_future() {
    assert_eq!(async_future(1).await.unwrap(), 1);
}

#[tokio::test]
async fn gen_engine_test_multi_future() {
    assert_eq!(
        multi([async_future(1), async_future(2)]).await.unwrap(),
        [1, 2]
    );
}

#[tokio::test]
async fn gen_engine_test_multi_future_duplicate() {
    let f = async_future(2);
    let results = multi([async_future(1), f.clone(), async_future(3), f])
        .await
        .unwrap();
    assert_eq!(results, [1, 2, 3, 2]);
}

#[tokio::test]
async fn gen_engine_test_multi_dict_future() {
    let results = multi_map(HashMap::from([
        ("foo", async_future(1)),
        ("bar", async_future(2)),
    ]))
    .await
    .unwrap();
    assert_eq!(results, HashMap::from([("foo", 1), ("bar", 2)]));
}

#[tokio::test]
async fn gen_engine_test_multi_exceptions() {
    let (logs, _guard) = Logs::capture();
    let r = multi([
        async_exception(RuntimeError("error 1")),
        async_exception(RuntimeError("error 2")),
    ])
    .await;
    assert_eq!(r, Err(RuntimeError("error 1")));
    assert_eq!(
        logs.app_errors(),
        ["Multiple exceptions in yield list: error 2"]
    );

    // With only one exception, nothing is logged.
    let one = multi([
        Box::pin(async_exception(RuntimeError("error 1")))
            as Pin<Box<dyn std::future::Future<Output = Result<i32, RuntimeError>>>>,
        Box::pin(async { Ok(2) }),
    ])
    .await;
    assert_eq!(one, Err(RuntimeError("error 1")));

    // Logging may be quieted explicitly.
    let quiet = multi([
        async_exception(RuntimeError("error 1")),
        async_exception(RuntimeError("error 2")),
    ])
    .quiet_exceptions(|_: &RuntimeError| true)
    .await;
    assert_eq!(quiet, Err(RuntimeError("error 1")));
    assert_eq!(logs.records().len(), 1, "nothing more was logged");
}

#[tokio::test]
async fn gen_engine_test_multi_future_exceptions() {
    let (logs, _guard) = Logs::capture();
    let r = multi([
        async_future_exception("error 1"),
        async_future_exception("error 2"),
    ])
    .await;
    assert_eq!(r.unwrap_err().to_string(), "error 1");
    assert_eq!(
        logs.app_errors(),
        ["Multiple exceptions in yield list: error 2"]
    );

    // With only one exception, nothing is logged.
    let one = multi([async_future_exception("error 1"), async_future(2)]).await;
    assert!(one.is_err_and(|e| is_runtime_error(&e)));

    // Quiet by type: a RuntimeError is quiet, another error is not.
    let other = Future::new();
    other.set_exception(ZeroDivisionError).unwrap();
    let quiet = multi([
        async_future_exception("error 1"),
        async_future_exception("error 2"),
        other,
    ])
    .quiet_exceptions(is_runtime_error)
    .await;
    assert_eq!(quiet.unwrap_err().to_string(), "error 1");
    assert_eq!(
        logs.app_errors()[1..],
        ["Multiple exceptions in yield list: division by zero"]
    );

    // The same for a map.
    let keyed = multi_map(BTreeMap::from([
        ("a", async_future_exception("error 1")),
        ("b", async_future_exception("error 2")),
    ]))
    .quiet_exceptions(is_runtime_error)
    .await;
    assert_eq!(keyed.unwrap_err().to_string(), "error 1");
    assert_eq!(
        logs.app_errors().len(),
        2,
        "the quiet error 2 is not logged"
    );
}

#[tokio::test]
async fn multi_waits_for_every_child_after_an_error() {
    let late_child_finished = Cell::new(false);
    let failing = Box::pin(async { Err::<(), _>(RuntimeError("early")) })
        as Pin<Box<dyn std::future::Future<Output = Result<(), RuntimeError>>>>;
    let late = Box::pin(async {
        let _ = delayed(5, ()).await;
        late_child_finished.set(true);
        Ok(())
    });
    assert_eq!(multi([failing, late]).await, Err(RuntimeError("early")));
    assert!(late_child_finished.get());
}

// ---- GenCoroutineTest ----

#[tokio::test]
async fn gen_coroutine_test_async_await() {
    // An async fn awaits a concurrent::Future that a done callback of
    // another future resolves, and the test awaits the async fn.
    async fn f() -> Result<i32, FutureError> {
        let trigger = Future::new();
        let answer = Future::new();
        let setter = answer.clone();
        trigger.add_done_callback(move |_| setter.set_result(42).unwrap());
        trigger.set_result(()).unwrap();
        answer.await
    }
    assert_eq!(f().await.unwrap(), 42);
}

#[tokio::test(start_paused = true)]
async fn gen_coroutine_test_asyncio_sleep_zero() {
    async fn f() -> i32 {
        sleep(Duration::ZERO).await;
        42
    }
    let start = Instant::now();
    assert_eq!(f().await, 42);
    assert_eq!(Instant::now(), start);
}

#[tokio::test]
async fn gen_coroutine_test_async_await_mixed_multi_native_future() {
    type Child = Pin<Box<dyn std::future::Future<Output = Result<i32, FutureError>>>>;
    async fn f1() -> Result<i32, FutureError> {
        moment().await;
        Ok(42)
    }
    let f2 = delayed_future(1, 43);
    let results = multi([Box::pin(f1()) as Child, Box::pin(f2)])
        .await
        .unwrap();
    assert_eq!(results, [42, 43]);
}

#[tokio::test(start_paused = true)]
async fn gen_coroutine_test_async_with_timeout() {
    async fn f1() -> i32 {
        42
    }
    assert_eq!(with_timeout(Duration::from_secs(3600), f1()).await, Ok(42));
}

#[tokio::test]
async fn gen_coroutine_test_moment() {
    let calls = RefCell::new(String::new());
    let immediate = Future::new();
    immediate.set_result(()).unwrap();
    let f = |name: char, use_moment: bool| {
        let (calls, immediate) = (&calls, immediate.clone());
        async move {
            for _ in 0..5 {
                calls.borrow_mut().push(name);
                if use_moment {
                    moment().await;
                } else {
                    immediate.clone().await.unwrap();
                }
            }
            Ok::<_, Infallible>(())
        }
    };
    // Without moment, each child runs to completion in turn.
    multi([f('a', false), f('b', false)]).await.unwrap();
    assert_eq!(calls.take(), "aaaaabbbbb");
    // With moment, they take turns.
    multi([f('a', true), f('b', true)]).await.unwrap();
    assert_eq!(calls.take(), "ababababab");
    multi([f('a', true), f('b', false)]).await.unwrap();
    assert_eq!(calls.take(), "abbbbbaaaa");
}

#[tokio::test(start_paused = true)]
async fn gen_coroutine_test_sleep() {
    let start = Instant::now();
    sleep(Duration::from_millis(10)).await;
    assert_eq!(Instant::now() - start, Duration::from_millis(10));
}

#[tokio::test]
async fn gen_coroutine_test_asyncio_gather() {
    // supercell futures work with any combinator of the ecosystem.
    fn f() -> Future<i32> {
        delayed_future(1, 1)
    }
    let (a, b) = tokio::join!(f(), f());
    assert_eq!((a.unwrap(), b.unwrap()), (1, 1));
    let all = futures_util::future::join_all([f(), f()]).await;
    assert!(all.iter().all(|r| matches!(r, Ok(1))));
}

// ---- WithTimeoutTest ----

#[tokio::test(start_paused = true)]
async fn with_timeout_test_timeout() {
    let start = Instant::now();
    let r = with_timeout(Duration::from_millis(100), Future::<()>::new()).await;
    assert_eq!(r.unwrap_err(), TimeoutError);
    assert_eq!(Instant::now() - start, Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn with_timeout_test_completes_before_timeout() {
    let future = Future::new();
    let setter = future.clone();
    tokio::spawn(async move {
        sleep(Duration::from_millis(100)).await;
        setter.set_result("asdf").unwrap();
    });
    let result = with_timeout(Duration::from_secs(3600), future).await;
    assert_eq!(result.unwrap().unwrap(), "asdf");
}

#[tokio::test(start_paused = true)]
async fn with_timeout_test_fails_before_timeout() {
    let future: Future<()> = Future::new();
    let setter = future.clone();
    tokio::spawn(async move {
        sleep(Duration::from_millis(100)).await;
        setter.set_exception(ZeroDivisionError).unwrap();
    });
    let result = with_timeout(Duration::from_secs(3600), future).await;
    let error = result.expect("no timeout").unwrap_err();
    assert!(
        error
            .exception()
            .is_some_and(|e| e.is::<ZeroDivisionError>())
    );
}

#[tokio::test(start_paused = true)]
async fn with_timeout_test_already_resolved() {
    let future = Future::new();
    future.set_result("asdf").unwrap();
    let result = with_timeout(Duration::from_secs(3600), future).await;
    assert_eq!(result.unwrap().unwrap(), "asdf");
}

// The executor tests run real threads, so their clock is not paused: a
// paused clock would jump to the deadline while the thread works.

#[tokio::test]
async fn with_timeout_test_timeout_concurrent_future() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let (release, blocked) = mpsc::channel::<()>();
    let job = run_on_executor(&executor, move || blocked.recv().is_ok());
    let r = with_timeout(Instant::now(), job).await;
    assert_eq!(r.unwrap_err(), TimeoutError);
    release.send(()).unwrap();
    executor.shutdown(true);
}

#[tokio::test]
async fn with_timeout_test_completed_concurrent_future() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let (ran, has_run) = mpsc::channel();
    let f = run_on_executor(&executor, move || ran.send(()).unwrap());
    has_run.recv().unwrap();
    let r = with_timeout(Duration::from_secs(3600), f).await;
    assert_eq!(r, Ok(Ok(())));
}

#[tokio::test]
async fn with_timeout_test_normal_concurrent_future() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let f = run_on_executor(&executor, || std::thread::sleep(Duration::from_millis(10)));
    assert_eq!(with_timeout(Duration::from_secs(3600), f).await, Ok(Ok(())));
}

#[tokio::test(start_paused = true)]
async fn with_timeout_drops_the_inner_future_on_timeout() {
    let token = Arc::new(());
    let held = Arc::clone(&token);
    let inner = async move {
        let _held = held;
        std::future::pending::<()>().await
    };
    assert_eq!(
        with_timeout(Duration::from_secs(1), inner).await,
        Err(TimeoutError)
    );
    assert_eq!(Arc::strong_count(&token), 1, "the inner future was dropped");
}

#[tokio::test(start_paused = true)]
async fn with_timeout_on_a_join_handle_leaves_the_task_running() {
    let mut task = tokio::spawn(async {
        sleep(Duration::from_secs(5)).await;
        "finished"
    });
    assert_eq!(
        with_timeout(Duration::from_secs(1), &mut task)
            .await
            .unwrap_err(),
        TimeoutError
    );
    assert_eq!(task.await.unwrap(), "finished");
}

// ---- WaitIteratorTest ----

#[tokio::test]
async fn wait_iterator_test_empty_iterator() {
    let mut g = WaitIterator::new(Vec::<Future<u8>>::new());
    assert!(g.done(), "empty generator iterated");
    assert!(g.next().await.is_none());
}

#[tokio::test]
async fn wait_iterator_test_already_done() {
    let (f1, f2, f3) = (Future::new(), Future::new(), Future::new());
    f1.set_result(24).unwrap();
    f2.set_result(42).unwrap();
    f3.set_result(84).unwrap();

    // Futures done beforehand come out in input order.
    let mut g = WaitIterator::new([f1.clone(), f2.clone(), f3]);
    let mut seen = Vec::new();
    while !g.done() {
        let (index, r) = g.next().await.unwrap();
        seen.push((index, r.unwrap()));
    }
    assert_eq!(seen, [(0, 24), (1, 42), (2, 84)]);
    assert!(g.next().await.is_none());

    let mut dg = WaitIterator::from_map(HashMap::from([("f1", f1), ("f2", f2)]));
    let mut seen = HashMap::new();
    while let Some((key, r)) = dg.next().await {
        assert!(seen.insert(key, r.unwrap()).is_none(), "key {key} twice");
    }
    assert_eq!(seen, HashMap::from([("f1", 24), ("f2", 42)]));
}

/// Resolves `futures` over nine loop iterations, in a scrambled order
/// (Tornado's `finish_coroutines`).
fn finish_coroutines(futures: &[Future<i32>; 4]) {
    let futures = futures.clone();
    tokio::spawn(async move {
        for iteration in 0..=8 {
            match iteration {
                3 => futures[2].set_result(24).unwrap(),
                5 => futures[0].set_exception(ZeroDivisionError).unwrap(),
                8 => {
                    futures[1].set_result(42).unwrap();
                    futures[3].set_result(84).unwrap();
                }
                _ => {}
            }
            moment().await;
        }
    });
}

#[tokio::test]
async fn wait_iterator_test_iterator() {
    let futures: [Future<i32>; 4] = Default::default();
    finish_coroutines(&futures);
    let mut g = WaitIterator::new(futures);
    let mut seen = Vec::new();
    while !g.done() {
        match g.next().await.unwrap() {
            (index, Ok(r)) => seen.push((index, r)),
            (index, Err(e)) => {
                assert_eq!(index, 0, "exception future invalid");
                assert!(e.exception().is_some_and(|x| x.is::<ZeroDivisionError>()));
                seen.push((index, -1));
            }
        }
    }
    assert_eq!(seen, [(2, 24), (0, -1), (1, 42), (3, 84)]);
}

#[tokio::test]
async fn wait_iterator_test_iterator_async_await() {
    // The same through the Stream interface: stop after the failure, then
    // resume with the same iterator.
    let futures: [Future<i32>; 4] = Default::default();
    finish_coroutines(&futures);
    let mut g = WaitIterator::new(futures);
    let until_failure: Vec<_> = (&mut g)
        .take_while(|(_, r)| std::future::ready(r.is_ok()))
        .collect()
        .await;
    assert_eq!(until_failure.len(), 1);
    assert!(matches!(until_failure[0], (2, Ok(24))));
    let rest: Vec<(usize, i32)> = g.map(|(i, r)| (i, r.unwrap())).collect().await;
    assert_eq!(rest, [(1, 42), (3, 84)]);
}

// ---- RunnerGCTest ----

#[test]
fn runner_gc_test_gc_infinite_coro() {
    // A task suspended forever is dropped, running its destructors, when its
    // runtime goes away.
    struct Finalizer(Arc<Mutex<Vec<&'static str>>>);
    impl Drop for Finalizer {
        fn drop(&mut self) {
            self.0.lock().unwrap().push("finalizer");
        }
    }
    let result = Arc::new(Mutex::new(Vec::new()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let log = Arc::clone(&result);
    runtime.block_on(async move {
        tokio::spawn(async move {
            let finalizer = Finalizer(log);
            loop {
                sleep(Duration::from_millis(1)).await;
                finalizer.0.lock().unwrap().push("wakeup");
            }
        });
        sleep(Duration::from_millis(200)).await;
    });
    drop(runtime);
    let result = result.lock().unwrap();
    assert!(result.len() >= 2, "at least one wakeup");
    assert_eq!(result.last(), Some(&"finalizer"));
}

#[test]
fn runner_gc_test_multi_moment() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let wait_a_moment = || async {
        moment().await;
        Ok::<_, Infallible>(())
    };
    let result = runtime.block_on(multi([wait_a_moment(), wait_a_moment()]));
    assert_eq!(result, Ok(vec![(), ()]));
}
