//! [`Subprocess`]: a child process with its pipes as [`IoStream`]s.

use std::fmt;
use std::future::Future;
use std::process::ExitStatus;

use tokio::runtime::Handle;

use super::exit_watch::ExitWatch;
use super::redirect::{reader_stream, writer_stream};
use super::{CalledProcessError, Redirects, SubprocessError, returncode};
use crate::iostream::IoStream;

/// A child process whose standard streams can be [`IoStream`]s (Tornado's
/// `Subprocess`).
///
/// Spawned from a [`std::process::Command`] or a
/// [`tokio::process::Command`] with a [`Redirect`](super::Redirect) per
/// stream; [`Redirect::Stream`](super::Redirect::Stream) gives the stream
/// as an `IoStream` ([`stdin`](Subprocess::stdin),
/// [`stdout`](Subprocess::stdout), [`stderr`](Subprocess::stderr)).
///
/// # Exit
///
/// A task on the runtime that spawned the process waits for it, so its
/// exit is observed (and the process reaped) even if nobody asks:
/// [`wait_for_exit`](Subprocess::wait_for_exit) resolves with the status,
/// [`set_exit_callback`](Subprocess::set_exit_callback) runs a callback on
/// the runtime, [`returncode`](Subprocess::returncode) reads it.
///
/// Tornado installs a process-wide `SIGCHLD` handler for this
/// (`Subprocess.initialize`, `uninitialize`), which may conflict with
/// other users of the signal. tokio's process support needs no such step:
/// it reaps its own children through the runtime's signal driver, so there
/// is nothing to initialize or uninitialize. The runtime must have I/O
/// enabled (`enable_io`/`enable_all`) and must keep running until the
/// process exits.
///
/// Also unlike Tornado, where `wait_for_exit` replaces the exit callback,
/// a callback and any number of waits coexist.
pub struct Subprocess {
    pid: u32,
    stdin: Option<IoStream>,
    stdout: Option<IoStream>,
    stderr: Option<IoStream>,
    exit: ExitWatch,
}

impl Subprocess {
    /// Starts `command` with the streams redirected as `redirects` say
    /// (replacing what the command had set for them).
    ///
    /// # Errors
    ///
    /// [`SubprocessError::NoRuntime`] outside a tokio runtime;
    /// [`SubprocessError::InvalidRedirect`] for a
    /// [`Redirect::Stdout`](super::Redirect::Stdout) that cannot be
    /// honoured; [`SubprocessError::Spawn`] when a pipe or the process
    /// cannot be made.
    pub fn spawn(
        command: impl Into<tokio::process::Command>,
        redirects: Redirects,
    ) -> Result<Subprocess, SubprocessError> {
        let handle = Handle::try_current().map_err(|_| SubprocessError::NoRuntime)?;
        let mut command = command.into();
        let wiring = redirects.wire()?;
        // The parent's ends become streams before the process starts, so
        // that no error after `spawn` can leave a child nobody can reach.
        let stdin = wiring.stdin.map(writer_stream).transpose()?;
        let stdout = wiring.stdout.map(reader_stream).transpose()?;
        let stderr = wiring.stderr.map(reader_stream).transpose()?;
        command
            .stdin(wiring.child_stdin)
            .stdout(wiring.child_stdout)
            .stderr(wiring.child_stderr);
        let child = command.spawn().map_err(SubprocessError::Spawn)?;
        // The command holds the child's ends of the pipes: drop it, or the
        // parent would keep them open and never see end of file.
        drop(command);
        let pid = child.id().ok_or_else(|| {
            SubprocessError::Spawn(std::io::Error::other("the spawned process has no id"))
        })?;
        let exit = ExitWatch::spawn(handle, child, pid);
        Ok(Subprocess {
            pid,
            stdin,
            stdout,
            stderr,
            exit,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The write end of the child's stdin, when redirected to a
    /// [`Stream`](super::Redirect::Stream). Closing it gives the child end
    /// of file.
    pub fn stdin(&self) -> Option<IoStream> {
        self.stdin.clone()
    }

    /// The read end of the child's stdout, when redirected to a
    /// [`Stream`](super::Redirect::Stream).
    pub fn stdout(&self) -> Option<IoStream> {
        self.stdout.clone()
    }

    /// The read end of the child's stderr, when redirected to a
    /// [`Stream`](super::Redirect::Stream).
    pub fn stderr(&self) -> Option<IoStream> {
        self.stderr.clone()
    }

    /// Python's return code once the process has exited: its exit code, or
    /// the negated signal number when a signal killed it. `None` while it
    /// runs.
    pub fn returncode(&self) -> Option<i32> {
        self.exit.outcome()?.ok().map(returncode)
    }

    /// Resolves when the process exits, with its status (Tornado's
    /// `wait_for_exit`). With `raise_error`, an unsuccessful exit is
    /// [`SubprocessError::CalledProcess`], carrying the return code. The
    /// future does not borrow `self`, and several may wait at once.
    ///
    /// # Errors
    ///
    /// [`SubprocessError::CalledProcess`] as above;
    /// [`SubprocessError::Wait`] when waiting failed;
    /// [`SubprocessError::Abandoned`] when the runtime that spawned the
    /// process shut down first.
    pub fn wait_for_exit(
        &self,
        raise_error: bool,
    ) -> impl Future<Output = Result<ExitStatus, SubprocessError>> + Send + 'static {
        let mut outcome = self.exit.receiver();
        let pid = self.pid;
        async move {
            let status = {
                let done = outcome
                    .wait_for(Option::is_some)
                    .await
                    .map_err(|_| SubprocessError::Abandoned)?;
                match &*done {
                    Some(Ok(status)) => *status,
                    Some(Err(error)) => return Err(SubprocessError::Wait(error.clone())),
                    None => return Err(SubprocessError::Abandoned),
                }
            };
            if raise_error && !status.success() {
                return Err(CalledProcessError {
                    pid,
                    returncode: returncode(status),
                    status,
                }
                .into());
            }
            Ok(status)
        }
    }

    /// Runs `callback` once, on the runtime, with the exit status when the
    /// process exits (Tornado's `set_exit_callback`), whether or not
    /// anything awaits [`wait_for_exit`](Subprocess::wait_for_exit). If it
    /// has exited already, the callback runs soon. A second call replaces
    /// a callback that has not run yet. A panic in the callback is logged
    /// on the application log. If waiting for the process fails, the
    /// callback does not run (the failure is logged on the general log).
    pub fn set_exit_callback(&self, callback: impl FnOnce(ExitStatus) + Send + 'static) {
        self.exit.set_callback(Box::new(callback));
    }

    /// Kills the process (SIGKILL), unless it has exited. Its exit is then
    /// reported as any other.
    pub fn kill(&self) {
        self.exit.kill();
    }
}

impl fmt::Debug for Subprocess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subprocess")
            .field("pid", &self.pid)
            .field("returncode", &self.returncode())
            .finish_non_exhaustive()
    }
}
