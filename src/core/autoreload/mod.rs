//! Restarting the program when its files change, after Tornado's
//! `tornado.autoreload`.
//!
//! A Rust program has no modules to import again: what changes under a
//! running program is its executable (rebuilt) and the files it reads.
//! [`start`] checks, on the current runtime, the modification times of the
//! running executable and of every file given to [`watch`]; when one
//! changes, the functions given to [`add_reload_hook`] run and the process
//! re-executes itself: the same program (as rebuilt), with the same
//! arguments and environment, in the same process (the pid stays). Where
//! that fails, the program is started as a new process and this one exits.
//!
//! Restarting aborts whatever the process was doing, requests in progress
//! included: it is a development tool, which web applications turn on with
//! their `autoreload` (or `debug`) setting. Files and sockets opened through
//! the standard library, tokio and this crate (`netutil::bind_sockets`,
//! `netutil::bind_unix_socket`, client connections) are close-on-exec, so
//! the new run can bind the same ports.
//!
//! As in Tornado, autoreload stays off in the workers made by
//! `process::fork_processes`: each would restart the whole program. The
//! forking code tells this module so; it need not be said by hand.
//!
//! [`wait`] starts the checks and never completes, for programs that would
//! otherwise end (a test runner run again at each rebuild). [`run_command`]
//! is the command-line wrapper: it runs a command as a child and runs it
//! again whenever its executable or a watched file changes, catching the
//! runs that end early (a failed start, a panic) that [`wait`] at the end
//! of `main` would never reach.
//!
//! ```no_run
//! use supercell::autoreload;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), autoreload::StartError> {
//!     autoreload::watch("config.toml");
//!     autoreload::add_reload_hook(|| eprintln!("restarting"));
//!     autoreload::start()?;
//!     // ... serve until a watched file or the executable changes: the
//!     // process then runs again from the top of `main`.
//!     let Err(error) = autoreload::wait().await;
//!     Err(error)
//! }
//! ```

mod checker;
mod error;
mod hooks;
mod mtimes;
mod program;
mod reload;
mod runner;
mod watched;
mod worker;

pub use checker::{DEFAULT_CHECK_TIME, start, start_with, wait};
pub use error::StartError;
pub use hooks::add_reload_hook;
pub use runner::run_command;
pub use watched::watch;
pub(crate) use worker::mark_forked_worker;
