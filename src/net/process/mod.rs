//! Processes, after Tornado's `tornado.process`: pre-fork workers
//! ([`fork_processes`], [`task_id`]) and the number of processors
//! ([`cpu_count`]).
//!
//! ```
//! use supercell::process::{cpu_count, task_id};
//!
//! assert!(cpu_count() >= 1);
//! assert_eq!(task_id(), None); // not a child of fork_processes
//! ```

mod cpu;
mod error;
mod exit_status;
mod fork;

pub use cpu::cpu_count;
pub use error::ForkError;
pub use exit_status::returncode;
pub use fork::{fork_processes, task_id};
