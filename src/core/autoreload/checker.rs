//! The periodic check of the watched files: [`start`], [`start_with`] and
//! [`wait`].

use std::convert::Infallible;
use std::sync::Mutex;
use std::time::Duration;

use tokio::runtime::Id;

use super::StartError;
use super::mtimes::ModifyTimes;
use super::program::executable;
use super::reload::{attempted, reload};
use super::watched::watched_paths;
use super::worker::is_forked_worker;
use crate::ioloop::{IoLoop, PeriodicCallback};
use crate::util::lock;
use crate::util::log_target::GEN_LOG;

/// The interval between two checks of [`start`] (Tornado's 500 ms).
pub const DEFAULT_CHECK_TIME: Duration = Duration::from_millis(500);

/// The check started on one runtime.
struct Checker {
    runtime: Id,
    callback: PeriodicCallback,
}

/// The checks started and still running, one per runtime at most.
static CHECKERS: Mutex<Vec<Checker>> = Mutex::new(Vec::new());

/// Starts checking the watched files every [`DEFAULT_CHECK_TIME`] on the
/// current runtime (Tornado's `start`); see [`start_with`].
///
/// # Errors
/// [`StartError::NoRuntime`] outside any tokio runtime.
pub fn start() -> Result<(), StartError> {
    start_with(DEFAULT_CHECK_TIME)
}

/// Starts checking the watched files every `check_time` on the current
/// runtime's loop (Tornado's `start(check_time)`). The files are the
/// running executable and those given to [`watch`](super::watch); their
/// modification times are read now, and when a later check finds one
/// changed, the change is logged ("... modified; restarting server") and
/// the process restarts: the reload hooks run, then the executable is run
/// again in this process, with the same arguments and environment.
///
/// Starting again on a runtime already checking does nothing (the first
/// `check_time` stays). Starting on a second runtime works, with a warning:
/// either one restarts the whole process. Nothing is checked in a worker
/// process forked by `process::fork_processes`, nor once a restart failed.
///
/// # Errors
/// [`StartError::NoRuntime`] outside any tokio runtime,
/// [`StartError::ZeroCheckTime`] when `check_time` is zero.
pub fn start_with(check_time: Duration) -> Result<(), StartError> {
    let io_loop = IoLoop::try_current().ok_or(StartError::NoRuntime)?;
    let runtime = io_loop.handle().id();
    let mut checkers = lock(&CHECKERS);
    // A runtime that shut down ended its check.
    checkers.retain(|checker| checker.callback.is_running());
    if checkers.iter().any(|checker| checker.runtime == runtime) {
        return Ok(());
    }
    let mut times = ModifyTimes::default();
    // The times read now are the baseline: a change made right after this
    // call is seen by the first check.
    let _ = times.first_change(&watched_paths(executable()));
    let callback = PeriodicCallback::new(move || check(&mut times), check_time)
        .map_err(|_| StartError::ZeroCheckTime)?;
    callback.start_on(&io_loop);
    checkers.push(Checker { runtime, callback });
    if checkers.len() > 1 {
        tracing::warn!(target: GEN_LOG, "autoreload started more than once in the same process");
    }
    Ok(())
}

/// Starts checking on the current runtime (as [`start`]) and never
/// completes: the process restarts when a watched file changes (Tornado's
/// `wait`). For programs that would otherwise end, such as test runners,
/// to run again when they change.
///
/// # Errors
/// [`StartError::NoRuntime`] when polled outside any tokio runtime.
pub async fn wait() -> Result<Infallible, StartError> {
    start()?;
    std::future::pending().await
}

/// One check: restarts the process when a watched file changed.
fn check(times: &mut ModifyTimes) {
    if attempted() || is_forked_worker() {
        return;
    }
    if let Some(path) = times.first_change(&watched_paths(executable())) {
        tracing::info!(target: GEN_LOG, "{} modified; restarting server", path.display());
        reload();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many checks run on the runtime `runtime`.
    fn checkers_on(runtime: Id) -> usize {
        lock(&CHECKERS)
            .iter()
            .filter(|checker| checker.runtime == runtime && checker.callback.is_running())
            .count()
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    // One test, as the checks are global to the process. The interval is
    // long enough that no check runs while it does.
    #[test]
    fn starts_once_per_runtime_and_refuses_bad_calls() {
        const NEVER: Duration = Duration::from_secs(3600);
        assert_eq!(start(), Err(StartError::NoRuntime));

        let first = runtime();
        let first_id = first.handle().id();
        first.block_on(async {
            assert_eq!(start_with(Duration::ZERO), Err(StartError::ZeroCheckTime));
            assert_eq!(checkers_on(first_id), 0);
            assert_eq!(start_with(NEVER), Ok(()));
            assert_eq!(start_with(NEVER), Ok(()));
            assert_eq!(start(), Ok(()));
        });
        assert_eq!(checkers_on(first_id), 1);

        let second = runtime();
        let second_id = second.handle().id();
        second.block_on(async { start_with(NEVER).unwrap() });
        assert_eq!(checkers_on(first_id), 1);
        assert_eq!(checkers_on(second_id), 1);

        // A runtime that shut down no longer counts.
        drop(first);
        second.block_on(async { start_with(NEVER).unwrap() });
        assert_eq!(checkers_on(first_id), 0);
        assert_eq!(lock(&CHECKERS).len(), 1);
    }
}
