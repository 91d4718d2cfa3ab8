//! Tests that fork worker processes: the counterparts of Tornado's
//! `ProcessTest.test_multi_process` (`tornado/test/process_test.py`) and of
//! `TestMultiprocess` (`tornado/test/tcpserver_test.py`), plus tests of
//! `max_restarts` (an explicit limit, and the default one through
//! `TcpServer::start`).
//!
//! `fork_processes` refuses to fork a process with more than one thread,
//! and the standard test harness runs every test on a thread of its own.
//! So this target has no harness (`harness = false` in `Cargo.toml`):
//! [`main`] runs the tests one after the other, and each test runs its
//! forking side in a fresh copy of this binary, which finds [`SCENARIO`]
//! set and plays that scenario on its main thread, its only thread. The
//! test then checks from outside what the processes did.
//!
//! Differences from Tornado:
//!
//! - `ProcessTest.test_multi_process`: Tornado's workers serve HTTP and are
//!   told to exit by requests; here each worker decides from how many
//!   times its task id has started (kept in a file per task id), and the
//!   same exits are covered: non-zero statuses, a signal (which Tornado
//!   disabled for macOS), and clean exits ending the parent with status 0.
//! - `TestMultiprocess`: Tornado's subprocess runs Python code; here it is
//!   this binary playing the scenario, and each worker prints its task id.
//!
//! Arguments: as with the standard harness (see `support/harness.rs`).

#[path = "support/harness.rs"]
mod harness;
#[path = "support/tempdir.rs"]
mod tempdir;

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use supercell::log::{LogOptions, enable_pretty_logging};
use supercell::netutil::{AddressFamily, bind_sockets};
use supercell::process::{DEFAULT_MAX_RESTARTS, ForkError, fork_processes, task_id};
use supercell::tcpserver::{StartError, TcpServer, handler_fn};
use tempdir::TempDir;

/// Names the scenario a copy of this binary plays.
const SCENARIO: &str = "SUPERCELL_MULTIPROCESS_TEST_SCENARIO";
/// A directory the scenario's processes write to.
const SCENARIO_DIR: &str = "SUPERCELL_MULTIPROCESS_TEST_DIR";

/// The tests, by name.
const TESTS: &[(&str, fn())] = &[
    ("process_test_multi_process", process_test_multi_process),
    (
        "process_test_multi_process_too_many_restarts",
        process_test_multi_process_too_many_restarts,
    ),
    (
        "start_gives_up_after_the_default_max_restarts_and_stays_started",
        start_gives_up_after_the_default_max_restarts_and_stays_started,
    ),
    (
        "test_multiprocess_test_single",
        test_multiprocess_test_single,
    ),
    (
        "test_multiprocess_test_simple",
        test_multiprocess_test_simple,
    ),
    (
        "test_multiprocess_test_advanced",
        test_multiprocess_test_advanced,
    ),
];

fn main() {
    harness::main_with_scenarios(TESTS, SCENARIO, SCENARIO_DIR, play);
}

/// Plays `scenario` in this copy of the binary; never returns.
fn play(scenario: &str, dir: &Path) -> ! {
    match scenario {
        "multi_process" => multi_process_workers(dir),
        "too_many_restarts" => failing_workers(dir),
        "default_restarts" => failing_server_workers(dir),
        "single" => single_process_server(),
        "simple" => simple_multi_process_server(),
        "advanced" => advanced_multi_process_server(),
        other => panic!("unknown scenario {other}"),
    }
}

/// Plays `scenario` in a fresh copy of this binary with `dir` for its
/// files, killing it if it runs longer than 60 seconds.
fn run_scenario(scenario: &str, dir: &Path) -> Output {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(SCENARIO, scenario)
        .env(SCENARIO_DIR, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!(
                "scenario {scenario} did not finish: {:?}",
                child.wait_with_output().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

// ------------------------------------------------------------- ProcessTest

/// In a worker: appends this start to the file of `id` (its pid, and
/// whether `task_id` and a second `fork_processes` behave) and returns how
/// many times `id` has started, this time included.
fn record_start(dir: &Path, id: usize) -> usize {
    let checks_pass = task_id() == Some(id)
        && matches!(fork_processes(Some(1), None), Err(ForkError::AlreadyCalled));
    let path = dir.join(format!("task-{id}"));
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .unwrap();
    let verdict = if checks_pass { "ok" } else { "bad" };
    writeln!(file, "{} {verdict}", std::process::id()).unwrap();
    fs::read_to_string(&path).unwrap().lines().count()
}

/// The lines the workers of task `id` wrote.
fn starts_of(dir: &Path, id: usize) -> Vec<String> {
    fs::read_to_string(dir.join(format!("task-{id}")))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The forking side of `process_test_multi_process`.
fn multi_process_workers(dir: &Path) -> ! {
    enable_pretty_logging(&LogOptions::default()).unwrap();
    let id = match fork_processes(Some(3), Some(4)) {
        Ok(id) => id,
        Err(error) => {
            eprintln!("fork_processes failed in the parent: {error}");
            std::process::exit(90);
        }
    };
    let code = match (id, record_start(dir, id)) {
        // Exit abnormally, then cleanly once restarted.
        (0, 1) => 2,
        (1, 1) => {
            // Die of SIGTERM, sent by a shell whose parent is this worker.
            let _ = Command::new("sh").args(["-c", "kill -TERM $PPID"]).status();
            std::thread::sleep(Duration::from_secs(10));
            98
        }
        (2, 1) => 3,
        (2, 2) => 4,
        _ => 0,
    };
    std::process::exit(code)
}

fn process_test_multi_process() {
    let dir = TempDir::new("multi");
    let out = run_scenario("multi_process", dir.root());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The parent exited with 0, from inside fork_processes, once all
    // workers ended cleanly.
    assert_eq!(out.status.code(), Some(0), "{stderr}");

    let starts: Vec<Vec<String>> = (0..3).map(|id| starts_of(dir.root(), id)).collect();
    assert_eq!(
        starts.iter().map(Vec::len).collect::<Vec<_>>(),
        [2, 2, 3],
        "{starts:?}"
    );
    let mut pids: Vec<&str> = Vec::new();
    for line in starts.iter().flatten() {
        let (pid, verdict) = line.split_once(' ').unwrap();
        assert_eq!(
            verdict, "ok",
            "task_id or the second fork_processes misbehaved: {starts:?}"
        );
        pids.push(pid);
    }
    let count = pids.len();
    pids.sort();
    pids.dedup();
    assert_eq!(
        pids.len(),
        count,
        "every start is a new process: {starts:?}"
    );

    let pid = |id: usize, n: usize| starts[id][n].split_once(' ').unwrap().0.to_owned();
    for expected in [
        "Starting 3 processes".to_owned(),
        format!(
            "child 0 (pid {}) exited with status 2, restarting",
            pid(0, 0)
        ),
        format!(
            "child 1 (pid {}) killed by signal 15, restarting",
            pid(1, 0)
        ),
        format!(
            "child 2 (pid {}) exited with status 3, restarting",
            pid(2, 0)
        ),
        format!(
            "child 2 (pid {}) exited with status 4, restarting",
            pid(2, 1)
        ),
        format!("child 0 (pid {}) exited normally", pid(0, 1)),
        format!("child 1 (pid {}) exited normally", pid(1, 1)),
        format!("child 2 (pid {}) exited normally", pid(2, 2)),
    ] {
        assert!(stderr.contains(&expected), "{expected:?} not in {stderr}");
    }
}

/// The forking side of `process_test_multi_process_too_many_restarts`.
fn failing_workers(dir: &Path) -> ! {
    match fork_processes(Some(2), Some(1)) {
        Ok(id) => {
            record_start(dir, id);
            std::process::exit(1)
        }
        Err(ForkError::TooManyRestarts { max_restarts: 1 }) => std::process::exit(42),
        Err(error) => {
            eprintln!("unexpected error: {error}");
            std::process::exit(90)
        }
    }
}

fn process_test_multi_process_too_many_restarts() {
    let dir = TempDir::new("restarts");
    let out = run_scenario("too_many_restarts", dir.root());
    assert_eq!(
        out.status.code(),
        Some(42),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Two workers and one restart; the third failure gave up. The
    // restarted worker may still be starting when the parent gives up.
    let deadline = Instant::now() + Duration::from_secs(10);
    let total = || starts_of(dir.root(), 0).len() + starts_of(dir.root(), 1).len();
    while total() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(total(), 3);
}

/// The forking side of
/// `start_gives_up_after_the_default_max_restarts_and_stays_started`:
/// `TcpServer::start` forks with the default `max_restarts`, every worker
/// fails, and once the parent gives up a second `start` is refused.
fn failing_server_workers(dir: &Path) -> ! {
    let server = idle_server();
    server
        .bind(0, Some("127.0.0.1"), AddressFamily::Inet, None, false)
        .unwrap();
    match server.start(Some(2)) {
        Ok(task_id) => {
            record_start(dir, task_id.expect("a forked worker"));
            std::process::exit(1)
        }
        Err(StartError::Fork(ForkError::TooManyRestarts { max_restarts }))
            if max_restarts == DEFAULT_MAX_RESTARTS =>
        {
            match server.start(Some(1)) {
                Err(StartError::AlreadyStarted) => std::process::exit(42),
                other => {
                    eprintln!("a second start after forking gave {other:?}");
                    std::process::exit(91)
                }
            }
        }
        Err(error) => {
            eprintln!("unexpected error: {error}");
            std::process::exit(90)
        }
    }
}

fn start_gives_up_after_the_default_max_restarts_and_stays_started() {
    let dir = TempDir::new("default-restarts");
    let out = run_scenario("default_restarts", dir.root());
    assert_eq!(
        out.status.code(),
        Some(42),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Two workers and DEFAULT_MAX_RESTARTS restarts; the next failure gave
    // up. The last restarted worker may still be starting.
    let expected = 2 + DEFAULT_MAX_RESTARTS;
    let deadline = Instant::now() + Duration::from_secs(10);
    let total = || starts_of(dir.root(), 0).len() + starts_of(dir.root(), 1).len();
    while total() < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(total(), expected);
}

// -------------------------------------------------------- TestMultiprocess

/// Prefix of the lines a worker prints.
const TASK_LINE: &str = "task id: ";

/// Tornado's `run_subproc`: plays `scenario` in a child process and returns
/// the task ids its workers printed, sorted.
fn run_subproc(scenario: &str) -> Vec<String> {
    let dir = TempDir::new(scenario);
    let out = run_scenario(scenario, dir.root());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "scenario {scenario} failed: {}; stdout: {stdout}; stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut ids: Vec<String> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix(TASK_LINE))
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids
}

/// A server whose workers do nothing: the scenarios only start it.
fn idle_server() -> TcpServer {
    TcpServer::new(handler_fn(|_, _| async { Ok(()) }))
}

/// Prints a worker's task id and ends the worker process.
fn report_and_exit(task_id: usize) -> ! {
    println!("{TASK_LINE}{task_id}");
    io::stdout().flush().unwrap();
    std::process::exit(0);
}

/// Runs `f` on a fresh runtime (Tornado's `IOLoop.current().run_sync`).
fn run_sync(f: impl std::future::Future<Output = ()>) {
    run_sync_with(f)
}

/// [`run_sync`] returning what `f` gives.
fn run_sync_with<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The single-process way, through the same harness: no fork, so no task
/// id, and the one process serves the listener itself. Prints what its
/// handler received from a connection, then `None`'s place in the task
/// ids: `single`.
fn single_process_server() -> ! {
    let (tx, rx) = std::sync::mpsc::channel();
    let server = TcpServer::new(handler_fn(move |stream, _| {
        let tx = tx.clone();
        async move {
            let line = stream.read_until(b"\n", None).await?;
            tx.send(String::from_utf8_lossy(&line).trim_end().to_owned())
                .map_err(|_| "the scenario is gone")?;
            Ok(())
        }
    }));
    let received = run_sync_with(async {
        let addr = server.listen(0, Some("127.0.0.1")).unwrap()[0];
        let client = supercell::iostream::IoStream::connect(addr).await.unwrap();
        client.write(&b"hello from the client\n"[..]).await.unwrap();
        tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(10)))
            .await
            .unwrap()
            .expect("the handler never ran")
    });
    println!("{TASK_LINE}{:?}", task_id());
    println!("received: {received}");
    io::stdout().flush().unwrap();
    std::process::exit(0);
}

/// `bind`, then `start(3)` forks, then each worker serves the sockets.
fn simple_multi_process_server() -> ! {
    let server = idle_server();
    server
        .bind(0, Some("127.0.0.1"), AddressFamily::Inet, None, false)
        .unwrap();
    let task_id = server.start(Some(3)).unwrap().expect("a forked worker");
    run_sync(async {
        server.add_pending_sockets().unwrap();
    });
    report_and_exit(task_id);
}

/// `bind_sockets`, `fork_processes(3)`, then `add_sockets` in each worker.
fn advanced_multi_process_server() -> ! {
    let sockets = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, false).unwrap();
    let task_id = fork_processes(Some(3), None).unwrap();
    let server = idle_server();
    run_sync(async {
        server.add_sockets(sockets).unwrap();
    });
    report_and_exit(task_id);
}

fn test_multiprocess_test_single() {
    let dir = TempDir::new("single");
    let out = run_scenario("single", dir.root());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{TASK_LINE}None").as_str(),
            "received: hello from the client"
        ]
    );
}

fn test_multiprocess_test_simple() {
    assert_eq!(run_subproc("simple"), ["0", "1", "2"]);
}

fn test_multiprocess_test_advanced() {
    assert_eq!(run_subproc("advanced"), ["0", "1", "2"]);
}
