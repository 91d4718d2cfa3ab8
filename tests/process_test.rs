//! Tests of `supercell::process`, each named after the Tornado 5.0
//! `tornado/test/process_test.py` test it is the counterpart of, followed by
//! tests Tornado does not have.
//!
//! Every Tornado test of the module has a counterpart. Differences:
//!
//! - `ProcessTest.test_multi_process` forks, which must happen in a process
//!   with no runtime and no other busy thread: the test runs itself again
//!   as a fresh process (this binary, filtered to that one test) and
//!   checks from outside what the workers did. Tornado's workers serve HTTP
//!   and are told to exit by requests; here each worker decides from how
//!   many times its task id has started (kept in a file per task id), and
//!   the same exits are covered: non-zero statuses, a signal (which Tornado
//!   disabled for macOS), and clean exits ending the parent with status 0.
//! - The `SubprocessTest` children are shell commands instead of Python
//!   interpreters (`sh` reading commands from its stdin in place of
//!   `python -i`). `Subprocess.initialize`/`uninitialize` have no
//!   counterpart: tokio reaps children without a global handler.

#[path = "support/logs.rs"]
mod logs;

use std::fs;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use logs::Logs;
use supercell::log::{LogOptions, enable_pretty_logging};
use supercell::process::{
    ForkError, Redirect, Redirects, Subprocess, SubprocessError, fork_processes, task_id,
};

// ---------------------------------------------------------------- helpers

/// A directory removed with its contents when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "supercell-process-test-{}-{n}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Set, to a directory, in the copy of this binary that forks.
const FORK_DIR: &str = "SUPERCELL_PROCESS_TEST_FORK_DIR";

/// Runs test `name` alone in a fresh copy of this binary with [`FORK_DIR`]
/// set to `dir`, killing it if it runs longer than 30 seconds.
fn run_forking_copy(name: &str, dir: &Path) -> Output {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(FORK_DIR, dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!(
                "{name} did not finish: {:?}",
                child.wait_with_output().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

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

// ------------------------------------------------------------- ProcessTest

/// The forking side of `process_test_multi_process`; never returns.
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

#[test]
fn process_test_multi_process() {
    if let Some(dir) = std::env::var_os(FORK_DIR) {
        multi_process_workers(Path::new(&dir));
    }
    let dir = TempDir::new("multi");
    let out = run_forking_copy("process_test_multi_process", &dir.0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The parent exited with 0 once all workers ended cleanly, from inside
    // fork_processes: the test harness never reported a result.
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("test result"));

    let starts: Vec<Vec<String>> = (0..3).map(|id| starts_of(&dir.0, id)).collect();
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

#[test]
fn process_test_multi_process_too_many_restarts() {
    if let Some(dir) = std::env::var_os(FORK_DIR) {
        failing_workers(Path::new(&dir));
    }
    let dir = TempDir::new("restarts");
    let out = run_forking_copy("process_test_multi_process_too_many_restarts", &dir.0);
    assert_eq!(
        out.status.code(),
        Some(42),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Two workers and one restart; the third failure gave up. The
    // restarted worker may still be starting when the parent gives up.
    let deadline = Instant::now() + Duration::from_secs(10);
    let total = || starts_of(&dir.0, 0).len() + starts_of(&dir.0, 1).len();
    while total() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(total(), 3);
}

#[test]
fn process_task_id_is_none_outside_forked_workers() {
    assert_eq!(task_id(), None);
}

#[tokio::test]
async fn process_fork_processes_refuses_inside_a_runtime() {
    assert!(matches!(
        fork_processes(None, None),
        Err(ForkError::RuntimeExists)
    ));
    assert_eq!(task_id(), None);
}

// ---------------------------------------------------------- SubprocessTest

/// Fails the test if `future` takes more than 10 seconds.
async fn within<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .expect("timed out")
}

fn sh(script: &str) -> Command {
    let mut command = Command::new("sh");
    command.args(["-c", script]);
    command
}

fn streams() -> Redirects {
    Redirects {
        stdin: Redirect::Stream,
        stdout: Redirect::Stream,
        stderr: Redirect::Stdout,
    }
}

#[tokio::test]
async fn subprocess_test_subprocess() {
    // A shell reading commands from its stdin, stderr merged into stdout.
    let process = Subprocess::spawn(Command::new("sh"), streams()).unwrap();
    let (stdin, stdout) = (process.stdin().unwrap(), process.stdout().unwrap());
    stdin.write(&b"echo hello\n"[..]).await.unwrap();
    assert_eq!(
        &within(stdout.read_until(b"\n", None)).await.unwrap()[..],
        b"hello\n"
    );

    stdin.write(&b"echo oops >&2\n"[..]).await.unwrap();
    assert_eq!(
        &within(stdout.read_until(b"\n", None)).await.unwrap()[..],
        b"oops\n"
    );

    stdin.write(&b"exit\n"[..]).await.unwrap();
    assert_eq!(&within(stdout.read_until_close()).await.unwrap()[..], b"");
    stdin.close();
    assert!(within(process.wait_for_exit(true)).await.unwrap().success());
}

#[tokio::test]
async fn subprocess_test_close_stdin() {
    // Close the parent's stdin handle and see that the child recognizes it.
    let process = Subprocess::spawn(sh("cat; echo end of input"), streams()).unwrap();
    let (stdin, stdout) = (process.stdin().unwrap(), process.stdout().unwrap());
    stdin.write(&b"line\n"[..]).await.unwrap();
    assert_eq!(
        &within(stdout.read_until(b"\n", None)).await.unwrap()[..],
        b"line\n"
    );
    stdin.close();
    assert_eq!(
        &within(stdout.read_until_close()).await.unwrap()[..],
        b"end of input\n"
    );
    assert_eq!(
        within(process.wait_for_exit(true)).await.unwrap().code(),
        Some(0)
    );
}

#[tokio::test]
async fn subprocess_test_stderr() {
    let redirects = Redirects {
        stderr: Redirect::Stream,
        ..Redirects::default()
    };
    let process = Subprocess::spawn(sh("echo hello >&2"), redirects).unwrap();
    assert!(process.stdin().is_none() && process.stdout().is_none());
    let stderr = process.stderr().unwrap();
    assert_eq!(
        &within(stderr.read_until(b"\n", None)).await.unwrap()[..],
        b"hello\n"
    );
    stderr.close();
    within(process.wait_for_exit(true)).await.unwrap();
}

#[tokio::test]
async fn subprocess_test_sigchild() {
    let process = Subprocess::spawn(Command::new("true"), Redirects::default()).unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    process.set_exit_callback(move |status| {
        let _ = tx.send(status);
    });
    let status = within(rx).await.unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(process.returncode(), Some(0));
}

#[tokio::test]
async fn subprocess_test_sigchild_future() {
    let process = Subprocess::spawn(Command::new("true"), Redirects::default()).unwrap();
    let status = within(process.wait_for_exit(true)).await.unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(process.returncode(), Some(0));
}

#[tokio::test]
async fn subprocess_test_sigchild_signal() {
    let redirects = Redirects {
        stdout: Redirect::Stream,
        ..Redirects::default()
    };
    let process = Subprocess::spawn(sh("exec sleep 30"), redirects).unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    process.set_exit_callback(move |status| {
        let _ = tx.send(status);
    });
    let killed = Command::new("kill")
        .args(["-TERM", &process.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = within(rx).await.unwrap();
    assert_eq!(status.signal(), Some(libc::SIGTERM));
    assert_eq!(process.returncode(), Some(-libc::SIGTERM));
    // The child's end of stdout closed with it.
    let stdout = process.stdout().unwrap();
    assert_eq!(&within(stdout.read_until_close()).await.unwrap()[..], b"");
}

#[tokio::test]
async fn subprocess_test_wait_for_exit_raise() {
    let process = Subprocess::spawn(sh("exit 1"), Redirects::default()).unwrap();
    match within(process.wait_for_exit(true)).await {
        Err(SubprocessError::CalledProcess(error)) => {
            assert_eq!(error.returncode, 1);
            assert_eq!(error.pid, process.pid());
            assert_eq!(error.status.code(), Some(1));
        }
        other => panic!("expected CalledProcess, got {other:?}"),
    }
}

#[tokio::test]
async fn subprocess_test_wait_for_exit_raise_disabled() {
    let process = Subprocess::spawn(sh("exit 1"), Redirects::default()).unwrap();
    let status = within(process.wait_for_exit(false)).await.unwrap();
    assert_eq!(status.code(), Some(1));
    assert_eq!(process.returncode(), Some(1));
}

// ------------------------------------------- Subprocess, beyond Tornado

#[tokio::test]
async fn subprocess_kill_ends_the_process_with_sigkill() {
    let process = Subprocess::spawn(sh("exec sleep 30"), Redirects::default()).unwrap();
    assert_eq!(process.returncode(), None);
    process.kill();
    match within(process.wait_for_exit(true)).await {
        Err(SubprocessError::CalledProcess(error)) => assert_eq!(error.returncode, -libc::SIGKILL),
        other => panic!("expected CalledProcess, got {other:?}"),
    }
    // Killing an exited process does nothing.
    process.kill();
    assert_eq!(process.returncode(), Some(-libc::SIGKILL));
}

#[tokio::test]
async fn subprocess_callback_and_waiters_coexist_and_late_callbacks_run() {
    let process = Subprocess::spawn(sh("exit 3"), Redirects::default()).unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    process.set_exit_callback(move |status| {
        let _ = tx.send(status.code());
    });
    let first = process.wait_for_exit(false);
    let second = process.wait_for_exit(false);
    let (first, second) = within(async { tokio::join!(first, second) }).await;
    assert_eq!(first.unwrap().code(), Some(3));
    assert_eq!(second.unwrap().code(), Some(3));
    assert_eq!(within(rx).await.unwrap(), Some(3));

    // Set after the exit: runs soon, on the runtime, not inline.
    let (tx, rx) = tokio::sync::oneshot::channel();
    let ran_inline = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = ran_inline.clone();
    process.set_exit_callback(move |status| {
        flag.store(true, Ordering::SeqCst);
        let _ = tx.send(status.code());
    });
    assert!(!ran_inline.load(Ordering::SeqCst));
    assert_eq!(within(rx).await.unwrap(), Some(3));
}

#[tokio::test]
async fn subprocess_exit_callback_panic_is_logged() {
    let (logs, _guard) = Logs::capture();
    let process = Subprocess::spawn(Command::new("true"), Redirects::default()).unwrap();
    process.set_exit_callback(|_| panic!("boom"));
    within(process.wait_for_exit(true)).await.unwrap();
    within(async {
        while logs.app_errors().is_empty() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(logs.app_errors(), ["Exception in exit callback: boom"]);
}

#[tokio::test]
async fn subprocess_redirect_to_null_and_to_a_file() {
    let dir = TempDir::new("redirect");
    let path = dir.0.join("out");
    let file = fs::File::create(&path).unwrap();
    let redirects = Redirects {
        stdin: Redirect::Null,
        stdout: Redirect::Stdio(file.into()),
        stderr: Redirect::Null,
    };
    let process = Subprocess::spawn(sh("cat; echo to file; echo hidden >&2"), redirects).unwrap();
    within(process.wait_for_exit(true)).await.unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "to file\n");
}

#[tokio::test]
async fn subprocess_rejects_impossible_redirects() {
    let stdin_follows = Redirects {
        stdin: Redirect::Stdout,
        ..Redirects::default()
    };
    assert!(matches!(
        Subprocess::spawn(Command::new("true"), stdin_follows),
        Err(SubprocessError::InvalidRedirect(_))
    ));
    let follows_opaque = Redirects {
        stdout: Redirect::Stdio(std::process::Stdio::null()),
        stderr: Redirect::Stdout,
        ..Redirects::default()
    };
    assert!(matches!(
        Subprocess::spawn(Command::new("true"), follows_opaque),
        Err(SubprocessError::InvalidRedirect(_))
    ));
    assert!(matches!(
        Subprocess::spawn(Command::new("/nonexistent/program"), Redirects::default()),
        Err(SubprocessError::Spawn(_))
    ));
}

#[test]
fn subprocess_needs_a_runtime() {
    assert!(matches!(
        Subprocess::spawn(Command::new("true"), Redirects::default()),
        Err(SubprocessError::NoRuntime)
    ));
}
