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

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use supercell::log::{LogOptions, enable_pretty_logging};
use supercell::process::{ForkError, fork_processes, task_id};

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
