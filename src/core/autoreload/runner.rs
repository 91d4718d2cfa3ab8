//! Running a command again whenever it changes: [`run_command`].

use std::convert::Infallible;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::process::ExitStatus;

use tokio::process::{Child, Command};
use tokio::time::MissedTickBehavior;

use super::DEFAULT_CHECK_TIME;
use super::mtimes::ModifyTimes;
use super::program::resolve;
use super::watched::watched_paths;
use crate::util::log_target::GEN_LOG;

/// Runs `program` with `args` as a child process, and runs it again each
/// time its executable file or a file given to [`watch`](super::watch)
/// changes (Tornado's `python -m tornado.autoreload`, with a command for
/// the script). Never completes.
///
/// The files are checked every [`DEFAULT_CHECK_TIME`]. On a change, a child
/// still running is killed (and reaped) before the new one starts; only the
/// child is killed, not processes it started itself. A child
/// that ends by itself is logged ("Command exited normally", or with its
/// status) and the runner waits for the next change; so is a command that
/// cannot start (a program being rebuilt, say), which starts again at the
/// next change. The program is found as the system finds it: as given
/// when it has a directory part, otherwise on `PATH`. The child inherits
/// this process's environment, working directory and standard streams,
/// and is killed if the returned future is dropped.
///
/// Must be polled inside a tokio runtime with its I/O and time drivers.
pub async fn run_command<I, S>(program: impl AsRef<OsStr>, args: I) -> Infallible
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let program = program.as_ref().to_owned();
    let args: Vec<OsString> = args
        .into_iter()
        .map(|arg| arg.as_ref().to_owned())
        .collect();
    let mut times = ModifyTimes::default();
    // The baseline: changes from now on restart the command.
    let _ = times.first_change(&paths_of(&program));
    let mut ticks = tokio::time::interval(DEFAULT_CHECK_TIME);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let mut child = spawn(&program, &args);
        let changed = loop {
            tokio::select! {
                status = wait_for(&mut child) => {
                    log_exit(status);
                    child = None;
                }
                _ = ticks.tick() => {
                    if let Some(path) = times.first_change(&paths_of(&program)) {
                        break path;
                    }
                }
            }
        };
        tracing::info!(target: GEN_LOG, "{} modified; restarting command", changed.display());
        if let Some(mut child) = child
            && let Err(error) = child.kill().await
        {
            tracing::warn!(target: GEN_LOG, "cannot kill the command: {error}");
        }
    }
}

/// The files whose change restarts the command: its executable (when it
/// can be found) and the watched files.
fn paths_of(program: &OsStr) -> Vec<PathBuf> {
    watched_paths(resolve(program).as_deref())
}

/// Starts the command; `None` (logged) when it cannot start.
fn spawn(program: &OsStr, args: &[OsString]) -> Option<Child> {
    match Command::new(program).args(args).kill_on_drop(true).spawn() {
        Ok(child) => Some(child),
        Err(error) => {
            tracing::warn!(target: GEN_LOG, "Command failed to start: {error}");
            None
        }
    }
}

/// The end of `child`; never completes when there is no child to wait for.
async fn wait_for(child: &mut Option<Child>) -> std::io::Result<ExitStatus> {
    match child {
        Some(child) => child.wait().await,
        None => std::future::pending().await,
    }
}

fn log_exit(status: std::io::Result<ExitStatus>) {
    match status {
        Ok(status) if status.success() => {
            tracing::info!(target: GEN_LOG, "Command exited normally");
        }
        Ok(status) => tracing::info!(target: GEN_LOG, "Command exited with {status}"),
        Err(error) => tracing::warn!(target: GEN_LOG, "cannot wait for the command: {error}"),
    }
}
