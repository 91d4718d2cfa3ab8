//! Restarting the process: the same program, with the same arguments.

use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use super::hooks::run_reload_hooks;
use super::program::executable;
use crate::util::log_target::GEN_LOG;

/// Set by the first restart attempt: one that failed is not tried again,
/// since the hooks have already released what the process was using.
static ATTEMPTED: AtomicBool = AtomicBool::new(false);

/// Whether a restart was attempted (and, since the process is still here,
/// failed).
pub(super) fn attempted() -> bool {
    ATTEMPTED.load(Ordering::SeqCst)
}

/// Runs the reload hooks, then replaces this process with a new run of its
/// executable, with the same arguments and environment. Returns only when
/// that failed and starting the program as a new process failed too; when
/// only the replacement failed, the new process is started and this one
/// exits.
pub(super) fn reload() {
    if ATTEMPTED.swap(true, Ordering::SeqCst) {
        return;
    }
    run_reload_hooks();
    let Some(program) = executable() else {
        tracing::error!(target: GEN_LOG, "cannot restart: the running executable is unknown");
        return;
    };
    let mut args = std::env::args_os();
    let mut command = Command::new(program);
    if let Some(arg0) = args.next() {
        command.arg0(arg0);
    }
    command.args(args);
    let error = command.exec();
    tracing::error!(
        target: GEN_LOG,
        "cannot re-execute {}: {error}; starting it as a new process",
        program.display()
    );
    match command.spawn() {
        // The new process carries on; this one ends without unwinding, as
        // the state it would unwind through was released by the hooks.
        Ok(_restarted) => std::process::exit(0),
        Err(error) => tracing::error!(
            target: GEN_LOG,
            "cannot restart {}: {error}; autoreload is off for this process",
            program.display()
        ),
    }
}
