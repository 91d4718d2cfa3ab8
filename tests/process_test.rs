//! Tests of `supercell::process`, each named after the Tornado 5.0
//! `tornado/test/process_test.py` test it is the counterpart of, followed by
//! tests Tornado does not have.
//!
//! Every Tornado test of the module has a counterpart. Differences:
//!
//! - `ProcessTest.test_multi_process` forks, which must happen in a process
//!   with a single thread, while this harness runs each test on a thread of
//!   its own: its counterpart, `process_test_multi_process`, is in
//!   `tests/multiprocess_test.rs`, a target without the standard harness.
//! - The `SubprocessTest` children are shell commands instead of Python
//!   interpreters (`sh` reading commands from its stdin in place of
//!   `python -i`). `Subprocess.initialize`/`uninitialize` have no
//!   counterpart: tokio reaps children without a global handler.

#[path = "support/logs.rs"]
mod logs;
#[path = "support/tempdir.rs"]
mod tempdir;

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use logs::Logs;
use supercell::process::{
    ForkError, Redirect, Redirects, Subprocess, SubprocessError, fork_processes, task_id,
};
use tempdir::TempDir;

// ------------------------------------------------------------- ProcessTest

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

#[test]
fn process_fork_processes_refuses_while_other_threads_exist() {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let other = std::thread::spawn(move || stopped.recv());
    match fork_processes(Some(1), Some(0)) {
        Err(ForkError::ThreadsExist { threads }) => {
            // At least this thread and the one just spawned.
            assert!(threads >= 2, "{threads}");
        }
        // Were it to fork, the child must not go on running tests.
        Ok(_) => std::process::exit(3),
        Err(other) => panic!("expected ThreadsExist, got {other}"),
    }
    drop(stop);
    other.join().unwrap().unwrap_err();

    // A multi-threaded runtime built but not entered: no runtime is
    // current, but its two worker threads are there.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    match fork_processes(Some(1), Some(0)) {
        Err(ForkError::ThreadsExist { threads }) => assert!(threads >= 3, "{threads}"),
        Ok(_) => std::process::exit(3),
        Err(other) => panic!("expected ThreadsExist, got {other}"),
    }
    drop(runtime);
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
    let path = dir.path("out");
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
