//! Pre-fork worker processes: [`fork_processes`] and [`task_id`].

use std::collections::HashMap;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{ForkError, cpu_count};
use crate::util::log_target::GEN_LOG;

/// How many restarts [`fork_processes`] allows in total when its
/// `max_restarts` is `None` (Tornado's default, 100).
pub const DEFAULT_MAX_RESTARTS: usize = 100;

/// The task id of this process, set in the children of
/// [`fork_processes`].
static TASK_ID: OnceLock<usize> = OnceLock::new();

/// Set by the first call of [`fork_processes`].
static CALLED: AtomicBool = AtomicBool::new(false);

/// Starts worker processes (Tornado's `fork_processes`): forks
/// `num_processes` children (`None` or `Some(0)`: [`cpu_count`]) and
/// returns, in each child, its task id, `0..num_processes`, which
/// [`task_id`] returns from then on.
///
/// The parent never returns `Ok`: it stays in this function, waiting for
/// its children. A child that exits abnormally (killed by a signal, or a
/// non-zero exit status) is forked again with the same task id, up to
/// `max_restarts` restarts in total (`None`: [`DEFAULT_MAX_RESTARTS`]); one that exits with
/// status 0 is not restarted. **When every child has exited with status
/// 0, the parent exits the process with status 0** (Tornado's
/// `sys.exit(0)`), so that the code after the call, meant for a worker,
/// never runs in the parent; no destructors run in the parent then.
///
/// # Call it first
///
/// `fork` copies only the calling thread, so the process must have no
/// other thread: call this at the start of `main`, before any tokio
/// runtime (or other thread) exists, and build the runtime in the child,
/// after it returns. On Linux the threads are counted (in
/// `/proc/self/task`) and a second one is refused; on other systems only a
/// runtime entered by the calling thread can be detected, and making sure
/// no other thread exists is the caller's duty. Sockets the workers share
/// (from `netutil::bind_sockets`, which needs no
/// runtime) are bound before the call. Each child's random generator
/// (`rand`'s thread generator) is reseeded, so children do not draw the
/// same numbers. Autoreload is off in the children: a worker restarting
/// itself would start the whole program, and its workers, again.
///
/// # Errors
///
/// - [`ForkError::RuntimeExists`] when called inside a tokio runtime;
/// - [`ForkError::ThreadsExist`] when, on Linux, the process has more than
///   one thread (a runtime built but not entered, for instance);
/// - [`ForkError::AlreadyCalled`] on a second call in the same process
///   (parent or child);
/// - [`ForkError::TooManyRestarts`] in the parent when a restart beyond
///   `max_restarts` would be needed; the children still running are left
///   running, as in Tornado;
/// - [`ForkError::Fork`], [`ForkError::Wait`] when the system calls fail.
///   As in Tornado, the error goes back to the parent's caller and the
///   children already forked are left running: a `fork` failing after
///   some children were made leaves those children working (each returned
///   `Ok` with its task id) with no parent supervising them.
///
/// Only [`ForkError::RuntimeExists`] and [`ForkError::ThreadsExist`] are
/// refusals before anything happened; after any other error,
/// `fork_processes` cannot be called again in this process
/// ([`ForkError::AlreadyCalled`]).
pub fn fork_processes(
    num_processes: Option<usize>,
    max_restarts: Option<usize>,
) -> Result<usize, ForkError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(ForkError::RuntimeExists);
    }
    if let Some(threads) = thread_count().filter(|&threads| threads > 1) {
        return Err(ForkError::ThreadsExist { threads });
    }
    if CALLED.swap(true, Ordering::SeqCst) {
        return Err(ForkError::AlreadyCalled);
    }
    let num_processes = match num_processes {
        None | Some(0) => cpu_count(),
        Some(n) => n,
    };
    let max_restarts = max_restarts.unwrap_or(DEFAULT_MAX_RESTARTS);
    tracing::info!(target: GEN_LOG, "Starting {num_processes} processes");

    let mut children = HashMap::new();
    for id in 0..num_processes {
        match fork_child(id)? {
            Forked::Child => return Ok(id),
            Forked::Parent(pid) => children.insert(pid, id),
        };
    }
    let mut restarts = 0;
    while !children.is_empty() {
        let (pid, status) = wait_for_any_child()?;
        let Some(id) = children.remove(&pid) else {
            continue;
        };
        if let Some(signal) = status.signal() {
            tracing::warn!(target: GEN_LOG, "child {id} (pid {pid}) killed by signal {signal}, restarting");
        } else if let Some(code) = status.code().filter(|&code| code != 0) {
            tracing::warn!(target: GEN_LOG, "child {id} (pid {pid}) exited with status {code}, restarting");
        } else {
            tracing::info!(target: GEN_LOG, "child {id} (pid {pid}) exited normally");
            continue;
        }
        restarts += 1;
        if restarts > max_restarts {
            return Err(ForkError::TooManyRestarts { max_restarts });
        }
        match fork_child(id)? {
            Forked::Child => return Ok(id),
            Forked::Parent(pid) => children.insert(pid, id),
        };
    }
    // Every child exited cleanly: end the parent rather than return into
    // code meant for a worker.
    std::process::exit(0)
}

/// The task id of this process: `Some(id)` in a child started by
/// [`fork_processes`], `None` otherwise (Tornado's `task_id`).
pub fn task_id() -> Option<usize> {
    TASK_ID.get().copied()
}

/// How many threads this process has, where the system tells: the
/// entries of `/proc/self/task` on Linux (`None` when it cannot be read).
#[cfg(target_os = "linux")]
fn thread_count() -> Option<usize> {
    std::fs::read_dir("/proc/self/task")
        .ok()
        .map(|tasks| tasks.count())
}

/// How many threads this process has: not known on this system.
#[cfg(not(target_os = "linux"))]
fn thread_count() -> Option<usize> {
    None
}

/// Which side of a fork this process is on.
enum Forked {
    Child,
    Parent(libc::pid_t),
}

fn fork_child(id: usize) -> Result<Forked, ForkError> {
    // SAFETY: `fork` has no memory-safety preconditions of its own; the
    // hazard is that the child gets only the calling thread, so a lock held
    // by another thread at this moment would stay locked forever in the
    // child. `fork_processes` requires (and documents) that it is called
    // before any other thread or runtime exists; it refuses to run inside
    // a tokio runtime and, on Linux, in a process with a second thread.
    #[allow(unsafe_code)]
    let pid = unsafe { libc::fork() };
    match pid {
        -1 => Err(ForkError::Fork(io::Error::last_os_error())),
        0 => {
            // The only writer of TASK_ID, once per process: cannot be set.
            let _ = TASK_ID.set(id);
            // A worker restarting itself would start the whole program again.
            crate::autoreload::mark_forked_worker();
            if let Err(error) = rand::rng().reseed() {
                tracing::warn!(target: GEN_LOG, "could not reseed the random generator of child {id}: {error}");
            }
            Ok(Forked::Child)
        }
        pid => Ok(Forked::Parent(pid)),
    }
}

/// Waits for any child to end, retrying when a signal interrupts the wait.
fn wait_for_any_child() -> Result<(libc::pid_t, ExitStatus), ForkError> {
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: `waitpid` writes the status to the pointer it is given,
        // which points to a live, writable `c_int` owned by this frame.
        #[allow(unsafe_code)]
        let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
        if pid >= 0 {
            return Ok((pid, ExitStatus::from_raw(status)));
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(ForkError::Wait(error));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_fork_inside_a_runtime() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = runtime.block_on(async { fork_processes(Some(2), None) });
        assert!(matches!(result, Err(ForkError::RuntimeExists)));
        assert_eq!(task_id(), None);
    }
}
