//! Tests of `supercell::testing`, each named after the Tornado 5.0
//! `tornado/test/testing_test.py` test it is the counterpart of, followed by
//! tests Tornado does not have (`ExpectLog` and `LogCapture` in detail, the
//! timeout helpers at their edges).
//!
//! Tornado's `AsyncTestCase.wait` has the same timeout rules as
//! `@gen_test`; its tests are counterparts of `gen_test_with_timeout` and
//! `gen_test` here, the Rust form of "wait for the loop, within a limit".
//! Tests that set `ASYNC_TEST_TIMEOUT` run their scenario in a fresh copy of
//! this test binary started with the variable set (or removed), since a
//! test must not change its own process's environment.
//!
//! Tornado tests with no counterpart here, and why:
//!
//! - `AsyncTestCaseTest.test_multiple_errors`: it checks that of two
//!   exceptions caught by `stack_context` the first is raised and the second
//!   logged. There is no stack context in supercell: each panicking
//!   callback is logged on the application log on its own (what
//!   `async_test_case_test_exception_in_callback` checks).
//! - `AsyncTestCaseWrapperTest.test_undecorated_generator`,
//!   `test_undecorated_coroutine`, `test_undecorated_generator_with_skip`
//!   and `test_other_return`: Python finds at run time a test method that
//!   returned a generator, a coroutine or a value. In Rust a future that is
//!   never awaited is the compiler's `unused_must_use` warning and a test
//!   function's return type is checked at compile time (skipping is
//!   libtest's `#[ignore]`); nothing is left to detect at run time.
//! - `SetUpTearDownTest.test_set_up_tear_down`: it checks that
//!   `AsyncTestCase` calls its base classes' `setUp` and `tearDown`. Rust
//!   tests have no fixture classes; set-up is a value and tear-down its
//!   `Drop` (as `HttpTestServer`).
//! - `GenTest.test_with_method_args` and `test_with_method_kwargs`: they
//!   check that the `@gen_test` decorator forwards a method's arguments.
//!   `gen_test` takes a future, whose arguments are captured by the
//!   `async` block or passed to the `async fn` by the caller.
//!
//! Tornado's AST count of 27 includes four helper methods defined inside
//! those tests (`test_gen` twice, `test_other_return`, `test`): 23 tests.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::io::{self, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use rustls_pki_types::PrivatePkcs8KeyDer;
use supercell::http1::ResponseWriter;
use supercell::httpclient::{AsyncHttpClient, HttpRequest};
use supercell::httputil::{
    HttpHeaders, HttpMessageDelegate, HttpServerConnectionDelegate, RequestStartLine,
};
use supercell::ioloop::IoLoop;
use supercell::testing::{
    ASYNC_TEST_TIMEOUT_VAR, DEFAULT_ASYNC_TEST_TIMEOUT, ExpectLog, HttpTestServer, LogCapture,
    MissingLogError, bind_unused_port, gen_test, gen_test_with_timeout, get_async_test_timeout,
    https_settings, run_test, run_test_with_timeout,
};
use supercell::util::log_target::{ACCESS_LOG, APP_LOG, GEN_LOG};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing::Level;
use tracing_subscriber::fmt::MakeWriter;

// ---------------------------------------------------------------- helpers

/// Set in a copy of this binary started by [`run_child`].
const CHILD: &str = "SUPERCELL_TESTING_TEST_CHILD";

fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// How a test run in a copy of this binary ended.
struct ChildRun {
    passed: bool,
    output: String,
}

/// Runs test `name` alone in a fresh copy of this binary with
/// `ASYNC_TEST_TIMEOUT` set to `timeout` (removed for `None`).
fn run_child(name: &str, timeout: Option<&str>) -> ChildRun {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1");
    match timeout {
        Some(value) => command.env(ASYNC_TEST_TIMEOUT_VAR, value),
        None => command.env_remove(ASYNC_TEST_TIMEOUT_VAR),
    };
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("running 1 test"),
        "the test did not run: {stdout}{stderr}"
    );
    ChildRun {
        passed: out.status.success(),
        output: format!("{stdout}{stderr}"),
    }
}

/// Runs `future` on a new current-thread runtime whose clock is paused,
/// so that timers fire in order of their deadlines however loaded the
/// machine is (for tests that are plain `#[test]` functions).
fn on_paused_clock<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(future)
}

/// The text of a panic payload.
fn panic_text(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(text) => (*text).to_owned(),
            Err(_) => "<non-text panic>".to_owned(),
        },
    }
}

/// Runs `future` as a task and returns its panic message (it must panic).
async fn panic_of<F>(future: F) -> String
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match tokio::spawn(future).await {
        Ok(_) => panic!("the future did not panic"),
        Err(error) => panic_text(error.into_panic()),
    }
}

/// Runs `f` and returns its panic message (it must panic).
fn panic_of_sync<T>(f: impl FnOnce() -> T) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("the function did not panic"),
        Err(payload) => panic_text(payload),
    }
}

/// A future that resolves after `delay`, fired by an `IoLoop` timeout
/// (Tornado's `gen.Task(self.io_loop.add_timeout, ...)`).
async fn io_loop_timeout(delay: Duration) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    IoLoop::current().call_later(delay, move || {
        let _ = tx.send(());
    });
    rx.await.unwrap();
}

/// A future that resolves on the loop's next turn, from a callback
/// (Tornado's `gen.Task(self.io_loop.add_callback)`).
async fn io_loop_callback() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    IoLoop::current().add_callback(move || {
        let _ = tx.send(());
    });
    rx.await.unwrap();
}

/// Sets a flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A log writer into a shared buffer, for a `fmt` subscriber.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Output {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// A subscriber writing plain lines at `level` and above here.
    fn subscriber(&self, level: Level) -> impl tracing::Subscriber + Send + Sync + 'static {
        tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .without_time()
            .with_writer(self.clone())
            .finish()
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Output {
    type Writer = Output;

    fn make_writer(&'a self) -> Output {
        self.clone()
    }
}

/// An error with a cause, logged as a `&dyn Error` field.
#[derive(Debug)]
struct Failure(io::Error);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("request failed")
    }
}

impl Error for Failure {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.0)
    }
}

// ------------------------------------------------------ AsyncTestCaseTest

#[test]
fn async_test_case_test_exception_in_callback() {
    // A panic in a callback is not lost: it reaches the application log,
    // where the test sees it.
    let message = run_test(|| async {
        let expected = ExpectLog::new(APP_LOG, "Exception in callback").unwrap();
        let divisor = std::hint::black_box(0);
        IoLoop::current().add_callback(move || {
            let _ = 1 / divisor;
        });
        while !expected.matched() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        expected.records()[0].message.clone()
    });
    assert!(message.contains("divide by zero"), "{message}");
}

#[test]
fn async_test_case_test_wait_timeout() {
    if in_child() {
        if std::env::var_os(ASYNC_TEST_TIMEOUT_VAR).is_none() {
            // The default limit (5 s) leaves a 10 ms operation alone.
            assert_eq!(get_async_test_timeout(), DEFAULT_ASYNC_TEST_TIMEOUT);
            run_test(|| io_loop_timeout(Duration::from_millis(10)));
        } else {
            // The limit from the environment (10 ms) stops a 1 s one.
            run_test(|| io_loop_timeout(Duration::from_secs(1)));
        }
        return;
    }
    let default = run_child("async_test_case_test_wait_timeout", None);
    assert!(default.passed, "{}", default.output);

    // A limit given to the call.
    let message = panic_of_sync(|| {
        run_test_with_timeout(Duration::from_millis(10), || {
            io_loop_timeout(Duration::from_secs(1))
        })
    });
    assert!(
        message.starts_with("async test timed out after 0.01 seconds (run_test at "),
        "{message}"
    );

    let from_environment = run_child("async_test_case_test_wait_timeout", Some("0.01"));
    assert!(!from_environment.passed, "{}", from_environment.output);
    assert!(
        from_environment
            .output
            .contains("async test timed out after 0.01 seconds"),
        "{}",
        from_environment.output
    );
}

#[tokio::test(start_paused = true)]
async fn async_test_case_test_subsequent_wait_calls() {
    // The limit of a first wait does not outlive it: the second wait, longer
    // than the first limit, ends normally.
    let start = tokio::time::Instant::now();
    gen_test_with_timeout(Duration::from_millis(20), io_loop_timeout(Duration::ZERO)).await;
    gen_test_with_timeout(
        Duration::from_millis(150),
        io_loop_timeout(Duration::from_millis(30)),
    )
    .await;
    assert!(start.elapsed() >= Duration::from_millis(30));
}

// ---------------------------------------------------------------- GenTest

#[tokio::test(start_paused = true)]
async fn gen_test_test_sync() {
    let mut finished = false;
    gen_test(async { finished = true }).await;
    assert!(finished);
}

#[tokio::test(start_paused = true)]
async fn gen_test_test_async() {
    let mut finished = false;
    gen_test(async {
        io_loop_callback().await;
        finished = true;
    })
    .await;
    assert!(finished);
}

#[tokio::test(start_paused = true)]
async fn gen_test_test_timeout() {
    let line = line!() + 1;
    let message = panic_of(gen_test_with_timeout(
        Duration::from_millis(100),
        io_loop_timeout(Duration::from_secs(1)),
    ))
    .await;
    // The message names the limit and blames the test's own line.
    assert!(
        message.starts_with("async test timed out after 0.1 seconds (gen_test at "),
        "{message}"
    );
    assert!(
        message.contains(&format!("{}:{line}:", file!())),
        "{message}"
    );
}

#[tokio::test(start_paused = true)]
async fn gen_test_test_no_timeout() {
    let start = tokio::time::Instant::now();
    gen_test_with_timeout(
        Duration::from_secs(1),
        io_loop_timeout(Duration::from_millis(100)),
    )
    .await;
    assert!(start.elapsed() >= Duration::from_millis(100));
}

#[test]
fn gen_test_test_timeout_environment_variable() {
    if in_child() {
        // A limit given to the call wins over the environment's (0.1 s).
        return on_paused_clock(gen_test_with_timeout(
            Duration::from_millis(500),
            io_loop_timeout(Duration::from_millis(250)),
        ));
    }
    let run = run_child("gen_test_test_timeout_environment_variable", Some("0.1"));
    assert!(run.passed, "{}", run.output);
}

#[test]
fn gen_test_test_no_timeout_environment_variable() {
    if in_child() {
        return on_paused_clock(gen_test_with_timeout(
            Duration::from_millis(10),
            io_loop_timeout(Duration::from_secs(1)),
        ));
    }
    let run = run_child("gen_test_test_no_timeout_environment_variable", Some("0.1"));
    assert!(!run.passed, "{}", run.output);
    // The limit given to the call (10 ms) ran out, not the environment's.
    assert!(
        run.output
            .contains("async test timed out after 0.01 seconds"),
        "{}",
        run.output
    );
}

async fn native_coroutine(finished: &mut bool) {
    io_loop_callback().await;
    *finished = true;
}

#[tokio::test(start_paused = true)]
async fn gen_test_test_native_coroutine() {
    let mut finished = false;
    gen_test(native_coroutine(&mut finished)).await;
    assert!(finished);
}

#[tokio::test(start_paused = true)]
async fn gen_test_test_native_coroutine_timeout() {
    let message = panic_of(gen_test_with_timeout(
        Duration::from_millis(100),
        supercell::r#gen::sleep(Duration::from_secs(1)),
    ))
    .await;
    assert!(
        message.starts_with("async test timed out after 0.1 seconds"),
        "{message}"
    );
}

// ------------------------------------------------------- GetNewIOLoopTest

#[tokio::test]
async fn get_new_io_loop_test_test_loop() {
    // gen_test runs the body on the test's own loop and leaves it running;
    // run_test (on another thread, outside any runtime) makes a new one.
    let outside = IoLoop::current();
    let inside = gen_test(async { IoLoop::current() }).await;
    assert!(inside == outside);
    io_loop_callback().await;

    let own = std::thread::spawn(|| run_test(|| async { IoLoop::current() }))
        .join()
        .unwrap();
    assert!(own != outside);
}

// ------------------------------------------------- gen_test and run_test

#[test]
fn get_async_test_timeout_reads_the_environment() {
    if in_child() {
        println!("timeout={:?};", get_async_test_timeout());
        return;
    }
    let timeout_with = |value: Option<&str>| {
        let run = run_child("get_async_test_timeout_reads_the_environment", value);
        assert!(run.passed, "{}", run.output);
        let start = run.output.find("timeout=").unwrap() + "timeout=".len();
        let end = start + run.output[start..].find(';').unwrap();
        run.output[start..end].to_owned()
    };
    assert_eq!(timeout_with(None), "5s");
    assert_eq!(timeout_with(Some("0.25")), "250ms");
    assert_eq!(timeout_with(Some(" 30 ")), "30s");
    assert_eq!(
        timeout_with(Some("five")),
        "5s",
        "not a number: the default"
    );
    assert_eq!(timeout_with(Some("-1")), "5s", "negative: the default");
}

#[tokio::test(start_paused = true)]
async fn gen_test_reads_the_default_limit_when_called() {
    let limit = get_async_test_timeout();
    // Just under the limit: no timeout, in virtual time.
    gen_test(tokio::time::sleep(limit - Duration::from_millis(1))).await;
}

#[tokio::test(start_paused = true)]
async fn gen_test_lets_the_body_panic_through() {
    let message = panic_of(gen_test(async { panic!("the body's own failure") })).await;
    assert_eq!(message, "the body's own failure");
}

#[tokio::test(start_paused = true)]
async fn gen_test_drops_the_body_when_time_runs_out() {
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(dropped.clone());
    panic_of(gen_test_with_timeout(
        Duration::from_millis(10),
        async move {
            let _flag = flag;
            std::future::pending::<()>().await;
        },
    ))
    .await;
    assert!(dropped.load(Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn gen_test_takes_a_deadline() {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    gen_test_with_timeout(deadline, tokio::time::sleep(Duration::from_millis(299))).await;
    let message = panic_of(gen_test_with_timeout(
        deadline,
        tokio::time::sleep(Duration::from_millis(2)),
    ))
    .await;
    // Reported as the time that was left when the test started.
    assert!(
        message.starts_with("async test timed out after 0.001 seconds"),
        "{message}"
    );
}

#[test]
fn run_test_returns_the_output_and_drops_leftover_tasks() {
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(dropped.clone());
    let output = run_test(|| async move {
        tokio::spawn(async move {
            let _flag = flag;
            std::future::pending::<()>().await;
        });
        io_loop_callback().await;
        "done"
    });
    assert_eq!(output, "done");
    assert!(dropped.load(Ordering::SeqCst), "the task outlived the test");
}

#[test]
fn run_test_names_its_caller_when_time_runs_out() {
    let line = line!() + 2;
    let message = panic_of_sync(|| {
        run_test_with_timeout(Duration::from_millis(1), std::future::pending::<()>)
    });
    assert!(
        message.contains(&format!("(run_test at {}:{line}:", file!())),
        "{message}"
    );
}

#[test]
fn bind_unused_port_listens_on_the_ipv4_loopback() {
    let (listener, port) = bind_unused_port().unwrap();
    assert_eq!(
        listener.local_addr().unwrap().to_string(),
        format!("127.0.0.1:{port}")
    );
    std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
}

// ---------------------------------------------------------------- ExpectLog

#[test]
fn expect_log_swallows_what_matches_and_passes_the_rest() {
    let outer = LogCapture::start();
    {
        let expected = ExpectLog::new(APP_LOG, "Uncaught exception").unwrap();
        tracing::error!(target: APP_LOG, "Uncaught exception GET /");
        tracing::error!(target: APP_LOG, "Something else");
        assert!(expected.matched());
        assert_eq!(expected.records().len(), 1);
        expected.finish().unwrap();
    }
    let seen: Vec<String> = outer.records().into_iter().map(|r| r.message).collect();
    assert_eq!(seen, ["Something else"]);
}

#[test]
fn expect_log_matches_at_the_start_of_the_message() {
    let outer = LogCapture::start();
    let expected = ExpectLog::new(GEN_LOG, "exception")
        .unwrap()
        .required(false);
    tracing::warn!(target: GEN_LOG, "Uncaught exception");
    assert!(
        !expected.matched(),
        "re.match semantics: anchored at the start"
    );
    drop(expected);

    let expected = ExpectLog::new(GEN_LOG, ".*exception$").unwrap();
    tracing::warn!(target: GEN_LOG, "Uncaught exception");
    assert!(expected.matched());
    drop(expected);

    // A pattern may match a prefix only, and alternatives stay anchored.
    let expected = ExpectLog::new(GEN_LOG, "a|b").unwrap().required(false);
    tracing::warn!(target: GEN_LOG, "xb");
    tracing::warn!(target: GEN_LOG, "bx");
    assert_eq!(expected.records().len(), 1);
    assert_eq!(expected.records()[0].message, "bx");
    drop(expected);

    assert_eq!(outer.records().len(), 2, "{:?}", outer.records());
}

#[test]
fn expect_log_watches_its_target_and_those_below_it() {
    let outer = LogCapture::start();
    let expected = ExpectLog::new("supercell", "hello").unwrap();
    tracing::info!(target: "supercell::general", "hello from below");
    tracing::info!(target: "supercellar", "hello from a neighbour");
    tracing::info!(target: "other", "hello from elsewhere");
    assert_eq!(expected.records().len(), 1);
    drop(expected);

    let everything = ExpectLog::new("", "hello").unwrap();
    tracing::info!(target: "other", "hello again");
    assert_eq!(everything.records()[0].target, "other");
    drop(everything);

    let passed: Vec<String> = outer.records().into_iter().map(|r| r.target).collect();
    assert_eq!(passed, ["supercellar", "other"]);
}

#[test]
fn expect_log_with_a_level_matches_only_that_level() {
    let outer = LogCapture::start();
    let expected = ExpectLog::new(GEN_LOG, "Bad request")
        .unwrap()
        .level(Level::WARN);
    tracing::error!(target: GEN_LOG, "Bad request from 127.0.0.1");
    assert!(!expected.matched());
    let error = expected.finish().unwrap_err();
    assert_eq!(
        error,
        MissingLogError {
            target: GEN_LOG.to_owned(),
            pattern: "Bad request".to_owned(),
            level: Some(Level::WARN),
            other_levels: vec![Level::ERROR],
        }
    );
    assert_eq!(
        error.to_string(),
        "did not get expected log message: nothing on target \"supercell::general\" matched \
         \"Bad request\" at level WARN (matching messages came at ERROR)"
    );
    assert_eq!(outer.records().len(), 1, "the other level passed through");

    let expected = ExpectLog::new(GEN_LOG, "Bad request")
        .unwrap()
        .level(Level::WARN);
    tracing::warn!(target: GEN_LOG, "Bad request from 127.0.0.1");
    expected.finish().unwrap();
    assert_eq!(outer.records().len(), 1);
}

#[test]
fn expect_log_required_fails_the_test_when_nothing_matched() {
    let message = panic_of_sync(|| {
        let _expected = ExpectLog::new(APP_LOG, "never logged").unwrap();
        tracing::error!(target: APP_LOG, "something else");
    });
    assert_eq!(
        message,
        "did not get expected log message: nothing on target \"supercell::application\" \
         matched \"never logged\""
    );
}

#[test]
fn expect_log_not_required_only_swallows() {
    let outer = LogCapture::start();
    let optional = ExpectLog::new(APP_LOG, "maybe").unwrap().required(false);
    assert!(!optional.matched());
    optional.finish().unwrap();
    drop(ExpectLog::new(APP_LOG, "maybe").unwrap().required(false));
    assert!(outer.records().is_empty());
}

#[test]
fn expect_log_keeps_the_original_panic() {
    // A test that fails inside the check reports its own failure, not a
    // missing message (and does not abort on a second panic).
    let message = panic_of_sync(|| {
        let _expected = ExpectLog::new(APP_LOG, "never logged").unwrap();
        panic!("the test's own failure");
    });
    assert_eq!(message, "the test's own failure");
}

#[test]
fn expect_log_rejects_a_bad_pattern() {
    assert!(ExpectLog::new(APP_LOG, "(unclosed").is_err());
    // Well-formed once wrapped, but not alone: still refused, as Python's
    // `re.compile` refuses it.
    assert!(ExpectLog::new(APP_LOG, "a)|(b").is_err());
}

#[test]
fn expect_log_logged_stack_tells_an_error_was_logged() {
    let expected = ExpectLog::new(APP_LOG, "Uncaught").unwrap();
    tracing::error!(target: APP_LOG, "Uncaught exception");
    assert!(!expected.logged_stack());
    let failure = Failure(io::Error::new(
        io::ErrorKind::ConnectionReset,
        "reset by peer",
    ));
    tracing::error!(target: APP_LOG, error = &failure as &dyn Error, "Uncaught exception");
    assert!(expected.logged_stack());
    let records = expected.records();
    assert_eq!(records[0].error, None);
    assert_eq!(
        records[1].error.as_deref(),
        Some("error: request failed\ncaused by: reset by peer")
    );
}

#[test]
fn expect_log_records_keep_level_target_message_and_fields() {
    let expected = ExpectLog::new(ACCESS_LOG, "200").unwrap();
    tracing::info!(target: ACCESS_LOG, method = "GET", status = 200, "200 GET / ({})", "127.0.0.1");
    let record = &expected.records()[0];
    assert_eq!(record.level, Level::INFO);
    assert_eq!(record.target, ACCESS_LOG);
    assert_eq!(record.message, "200 GET / (127.0.0.1)");
    assert_eq!(
        record.fields,
        [("method", "GET".to_owned()), ("status", "200".to_owned())]
    );
}

#[test]
fn expect_log_nested_checks_see_events_innermost_first() {
    let outer = ExpectLog::new(APP_LOG, "first|second").unwrap();
    {
        let inner = ExpectLog::new(APP_LOG, "first").unwrap();
        tracing::error!(target: APP_LOG, "first");
        tracing::error!(target: APP_LOG, "second");
        assert_eq!(inner.records().len(), 1);
    }
    let seen: Vec<String> = outer.records().into_iter().map(|r| r.message).collect();
    assert_eq!(seen, ["second"]);
}

#[test]
fn expect_log_dropped_out_of_order_lets_events_through() {
    let capture = LogCapture::start();
    let outer = ExpectLog::new(APP_LOG, "late").unwrap().required(false);
    let inner = ExpectLog::new(GEN_LOG, "unrelated")
        .unwrap()
        .required(false);
    drop(outer);
    // The outer check has ended: what reaches it now passes untouched.
    tracing::error!(target: APP_LOG, "late");
    drop(inner);
    assert_eq!(capture.records().len(), 1);
}

#[test]
fn expect_log_sees_levels_the_subscriber_filters_out() {
    let output = Output::default();
    let _subscriber = tracing::subscriber::set_default(output.subscriber(Level::INFO));
    let expected = ExpectLog::new(GEN_LOG, "detail")
        .unwrap()
        .level(Level::DEBUG);
    tracing::debug!(target: GEN_LOG, "detail of the connection");
    tracing::debug!(target: GEN_LOG, "unrelated debug line");
    tracing::info!(target: GEN_LOG, "unrelated info line");
    expected.finish().unwrap();
    let text = output.text();
    assert!(!text.contains("detail"), "{text}");
    assert!(!text.contains("debug line"), "filtered as before: {text}");
    assert!(text.contains("unrelated info line"), "{text}");
}

#[test]
fn expect_log_keeps_the_spans_of_the_subscriber_in_place() {
    let output = Output::default();
    let _subscriber = tracing::subscriber::set_default(output.subscriber(Level::INFO));
    let expected = ExpectLog::new(GEN_LOG, "swallowed").unwrap();
    let span = tracing::info_span!("request", id = 7);
    span.in_scope(|| {
        tracing::info!(target: GEN_LOG, "swallowed");
        tracing::info!(target: GEN_LOG, "shown");
        assert_eq!(
            tracing::Span::current().metadata().unwrap().name(),
            "request"
        );
    });
    expected.finish().unwrap();
    let text = output.text();
    assert!(text.contains("request{id=7}"), "{text}");
    assert!(
        text.contains("shown") && !text.contains("swallowed"),
        "{text}"
    );
}

#[tokio::test]
async fn expect_log_sees_the_tasks_of_a_current_thread_runtime() {
    let expected = ExpectLog::new(APP_LOG, "from a task").unwrap();
    tokio::spawn(async { tracing::error!(target: APP_LOG, "from a task") })
        .await
        .unwrap();
    expected.finish().unwrap();
}

#[test]
fn expect_log_does_not_see_other_threads() {
    let expected = ExpectLog::new(APP_LOG, "elsewhere")
        .unwrap()
        .required(false);
    std::thread::spawn(|| tracing::error!(target: APP_LOG, "elsewhere"))
        .join()
        .unwrap();
    assert!(!expected.matched());
}

/// One call site, reached first by [`expect_log_sees_a_call_site_first_reached_elsewhere`].
fn log_from_a_fresh_call_site() {
    tracing::error!(target: APP_LOG, "fresh call site");
}

#[test]
fn expect_log_sees_a_call_site_first_reached_elsewhere() {
    if !in_child() {
        // A fresh process, where no subscriber exists yet.
        let run = run_child("expect_log_sees_a_call_site_first_reached_elsewhere", None);
        assert!(run.passed, "{}", run.output);
        return;
    }
    let expected = ExpectLog::new(APP_LOG, "fresh call site").unwrap();
    // Reached first on a thread without any subscriber...
    std::thread::spawn(log_from_a_fresh_call_site)
        .join()
        .unwrap();
    assert!(!expected.matched());
    // ...and still heard here.
    log_from_a_fresh_call_site();
    expected.finish().unwrap();
}

// --------------------------------------------------------------- LogCapture

#[test]
fn log_capture_records_everything_and_lets_it_through() {
    let outer = LogCapture::start();
    let inner = LogCapture::start();
    tracing::trace!(target: GEN_LOG, "a trace line");
    tracing::warn!(target: GEN_LOG, "a warning");
    tracing::error!(target: APP_LOG, "an application error");
    tracing::warn!(target: APP_LOG, "an application warning");
    assert_eq!(inner.records().len(), 4);
    assert_eq!(inner.app_errors(), ["an application error"]);
    let recorded = inner.records();
    drop(inner);
    assert_eq!(outer.records(), recorded);
    let levels: Vec<Level> = outer.records().into_iter().map(|r| r.level).collect();
    assert_eq!(
        levels,
        [Level::TRACE, Level::WARN, Level::ERROR, Level::WARN]
    );
}

#[test]
fn log_capture_stops_when_dropped() {
    let outer = LogCapture::start();
    let inner = LogCapture::start();
    tracing::info!("before");
    let kept = inner.records();
    drop(inner);
    tracing::info!("after");
    assert_eq!(kept.len(), 1);
    assert_eq!(outer.records().len(), 2);
}

// --------------------------------------------------- AsyncHTTPTestCaseTest

/// Answers each request with its path.
fn echo_path_server() -> HttpTestServer {
    HttpTestServer::from_callback(|request, mut writer| async move {
        let path = request.path().to_owned();
        writer.respond(200, HttpHeaders::new(), path).await.unwrap();
    })
    .unwrap()
}

/// Checks that the [`echo_path_server`] once on `port` no longer answers.
///
/// Once its listener is closed the port is free, and tests running in
/// parallel may bind it (and drop it with connections queued, which resets
/// them), so a refused or reset connection passes, and so does an answer
/// that is not the echo of the path asked for.
async fn assert_no_longer_served(port: u16) {
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return;
    };
    let path = "/is-the-stopped-server-still-answering";
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return;
    }
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut answer)).await;
    assert!(
        !String::from_utf8_lossy(&answer).ends_with(path),
        "the stopped server still answered: {read:?}"
    );
}

#[tokio::test]
async fn async_http_test_case_test_fetch_segment() {
    let server = echo_path_server();
    let response = server.fetch("/path").await;
    assert_eq!(response.request.url, server.get_url("/path"));
    assert_eq!(response.code, 200);
    assert_eq!(&response.body[..], b"/path");
}

/// Fetches the absolute `url`, pointing at a bound port where nothing
/// answers, through the test server's `fetch`.
async fn fetch_elsewhere(url: String) {
    let server = echo_path_server();
    let response = server
        .fetch(HttpRequest::new(url.clone()).request_timeout(Duration::from_millis(100)))
        .await;
    // Fetched as it is: not made relative to the test server.
    assert_eq!(response.request.url, url);
    assert_eq!(response.code, 599, "nothing answers there");
    assert!(response.error.unwrap().is_timeout());
    assert_eq!(server.http_server().connection_count(), 0);
}

#[tokio::test]
async fn async_http_test_case_test_fetch_full_http_url() {
    // A bound port, so the request reaches no real local server.
    let (_external, port) = bind_unused_port().unwrap();
    fetch_elsewhere(format!("http://127.0.0.1:{port}/path")).await;
}

#[tokio::test]
async fn async_http_test_case_test_fetch_full_https_url() {
    let (_external, port) = bind_unused_port().unwrap();
    fetch_elsewhere(format!("https://127.0.0.1:{port}/path")).await;
}

// ---------------------------------------------------------- HttpTestServer

#[tokio::test]
async fn http_test_server_urls_name_its_own_port_on_127_0_0_1() {
    let first = echo_path_server();
    let second = echo_path_server();
    assert_ne!(first.http_port(), second.http_port());
    assert_eq!(first.protocol(), "http");
    assert_eq!(
        first.get_url("/a?b=c"),
        format!("http://127.0.0.1:{}/a?b=c", first.http_port())
    );
    assert_eq!(first.get_url("a"), first.get_url("/a"));
    // The port is the server's: a raw request reaches it.
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", first.http_port()))
        .await
        .unwrap();
    stream
        .write_all(b"GET /raw HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\n/raw"), "{answer}");
}

#[tokio::test]
async fn http_test_server_fetch_sends_the_request_options() {
    let server = HttpTestServer::from_callback(|request, mut writer| async move {
        let answer = format!(
            "{} {} {}",
            request.method,
            request.headers.get("X-Test").unwrap_or("-"),
            String::from_utf8_lossy(&request.body)
        );
        writer
            .respond(201, HttpHeaders::new(), answer)
            .await
            .unwrap();
    })
    .unwrap();
    let request = HttpRequest::new("/submit")
        .method("POST")
        .header("X-Test", "yes")
        .body("payload");
    let response = server.fetch(request).await;
    assert_eq!(response.code, 201);
    assert_eq!(&response.body[..], b"POST yes payload");
}

#[tokio::test]
async fn http_test_server_fetch_returns_error_responses() {
    let server = HttpTestServer::from_callback(|_request, mut writer| async move {
        writer
            .respond(404, HttpHeaders::new(), "missing")
            .await
            .unwrap();
    })
    .unwrap();
    let response = server.fetch("/nothing").await;
    assert_eq!(response.code, 404);
    assert_eq!(response.error.as_ref().unwrap().code, 404);
    assert_eq!(&response.body[..], b"missing");

    let error = server.fetch_with("/nothing", true).await.unwrap_err();
    assert_eq!(error.code, 404);
    assert_eq!(
        server.fetch_with("/nothing", false).await.unwrap().code,
        404
    );
}

/// Answers each request with the number of body bytes it streamed in, and
/// in how many pieces.
struct BodyCounter;

struct CountBody {
    writer: ResponseWriter,
    bytes: usize,
}

impl HttpServerConnectionDelegate<ResponseWriter> for BodyCounter {
    type Message = CountBody;

    fn start_request(&self, writer: ResponseWriter) -> CountBody {
        CountBody { writer, bytes: 0 }
    }
}

impl HttpMessageDelegate for CountBody {
    async fn headers_received(&mut self, _start_line: RequestStartLine, _headers: HttpHeaders) {}

    async fn data_received(&mut self, chunk: Bytes) {
        self.bytes += chunk.len();
    }

    async fn finish(&mut self) {
        let answer = self.bytes.to_string();
        self.writer
            .respond(200, HttpHeaders::new(), answer)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn http_test_server_serves_a_connection_delegate() {
    let server = HttpTestServer::new(BodyCounter).unwrap();
    let body = vec![b'x'; 300_000];
    let response = server
        .fetch(HttpRequest::new("/upload").method("PUT").body(body))
        .await;
    assert_eq!(response.code, 200);
    assert_eq!(&response.body[..], b"300000");
}

#[tokio::test]
async fn http_test_server_fetches_run_as_tasks_of_their_own() {
    let server = echo_path_server();
    let tasks: Vec<_> = (0..4)
        .map(|i| tokio::spawn(server.fetch(format!("/task{i}"))))
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let response = task.await.unwrap();
        assert_eq!(response.body, format!("/task{i}"));
    }
}

#[tokio::test]
async fn http_test_server_stop_closes_the_server_and_its_connections() {
    let server = echo_path_server();
    let port = server.http_port();
    // A keep-alive connection stays open after the fetch.
    assert_eq!(server.fetch("/").await.code, 200);
    let connections = server.http_server().clone();
    assert_eq!(connections.connection_count(), 1);
    let client = server.http_client().clone();
    server.stop().await;
    assert_eq!(connections.connection_count(), 0);
    assert_no_longer_served(port).await;
    // The client is closed too.
    assert!(
        client
            .fetch(format!("http://127.0.0.1:{port}/"))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn http_test_server_drop_stops_the_server_and_closes_its_connections() {
    let server = echo_path_server();
    let port = server.http_port();
    assert_eq!(server.fetch("/").await.code, 200);
    let connections = server.http_server().clone();
    drop(server);
    assert_no_longer_served(port).await;
    gen_test(async {
        while connections.connection_count() > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn http_test_server_with_client_fetches_through_it() {
    let client = AsyncHttpClient::default();
    let server = echo_path_server().with_client(client.clone());
    assert_eq!(server.fetch("/mine").await.code, 200);
    assert_eq!(
        client.idle_connections(),
        1,
        "the keep-alive connection is the given client's"
    );
}

#[test]
fn http_test_server_fetch_fails_the_test_after_the_timeout() {
    if in_child() {
        // A longer limit for the whole test, so that the fetch's own (from
        // the environment) is the one that runs out.
        return run_test_with_timeout(Duration::from_secs(30), || async {
            // Holds the writer and never answers.
            let server = HttpTestServer::from_callback(|_request, writer| async move {
                let _writer = writer;
                std::future::pending::<()>().await;
            })
            .unwrap();
            server.fetch("/never").await;
        });
    }
    let run = run_child(
        "http_test_server_fetch_fails_the_test_after_the_timeout",
        Some("0.2"),
    );
    assert!(!run.passed, "{}", run.output);
    assert!(
        run.output
            .contains("async test timed out after 0.2 seconds (fetch at "),
        "{}",
        run.output
    );
}

#[tokio::test]
async fn http_test_server_https_with_a_certificate_made_at_test_time() {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let settings = https_settings(
        vec![cert.der().clone()],
        PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
    )
    .unwrap();
    let server = HttpTestServer::from_callback_with_settings(
        |request, mut writer| async move {
            let answer = format!("{} {}", request.protocol(), request.path());
            writer
                .respond(200, HttpHeaders::new(), answer)
                .await
                .unwrap();
        },
        settings,
    )
    .unwrap();
    assert_eq!(server.protocol(), "https");
    assert!(server.get_url("/").starts_with("https://127.0.0.1:"));
    let response = server.fetch("/secure").await;
    assert_eq!(response.code, 200, "{:?}", response.error);
    assert_eq!(&response.body[..], b"https /secure");
}

#[tokio::test]
async fn http_test_server_expect_log_sees_the_server() {
    let server = HttpTestServer::from_callback(|request, _writer| async move {
        if request.path() == "/panic" {
            panic!("the handler failed");
        }
    })
    .unwrap();
    let expected = ExpectLog::new(APP_LOG, "Uncaught panic handling a request").unwrap();
    let response = server.fetch("/panic").await;
    assert_eq!(response.code, 500);
    assert!(
        expected.records()[0]
            .message
            .ends_with("the handler failed")
    );
    expected.finish().unwrap();

    // A malformed request is logged by the connection, and answered 400.
    let expected = ExpectLog::new(GEN_LOG, "Malformed HTTP request")
        .unwrap()
        .level(Level::INFO);
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", server.http_port()))
        .await
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    expected.finish().unwrap();
}
