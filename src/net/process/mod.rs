//! Processes, after Tornado's `tornado.process`: child processes with
//! asynchronous pipes ([`Subprocess`]), pre-fork workers
//! ([`fork_processes`], [`task_id`]) and the number of processors
//! ([`cpu_count`]).
//!
//! ```
//! use std::process::Command;
//! use supercell::process::{Redirect, Redirects, Subprocess};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut echo = Command::new("echo");
//! echo.arg("hello");
//! let process = Subprocess::spawn(
//!     echo,
//!     Redirects { stdout: Redirect::Stream, ..Redirects::default() },
//! )?;
//! let stdout = process.stdout().expect("stdout is a stream");
//! assert_eq!(&stdout.read_until_close().await?[..], b"hello\n");
//!
//! let status = process.wait_for_exit(true).await?;
//! assert!(status.success());
//! assert_eq!(process.returncode(), Some(0));
//! # Ok(())
//! # }
//! ```

mod cpu;
mod error;
mod exit_status;
mod exit_watch;
mod fork;
mod redirect;
mod subprocess;

pub use cpu::cpu_count;
pub use error::{CalledProcessError, ForkError, SubprocessError};
pub use exit_status::returncode;
pub use fork::{DEFAULT_MAX_RESTARTS, fork_processes, task_id};
pub use redirect::{Redirect, Redirects};
pub use subprocess::Subprocess;
