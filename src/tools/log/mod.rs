//! Logging, after Tornado's `tornado.log`: the three logs, Tornado's line
//! format, and the logging options with file rotation.
//!
//! supercell logs through [`tracing`]. Tornado's three loggers are three
//! `tracing` targets:
//!
//! | Tornado | target | what |
//! |---|---|---|
//! | `access_log` | [`ACCESS_LOG`] (`supercell::access`) | one line per request |
//! | `app_log` | [`APP_LOG`] (`supercell::application`) | errors in application code |
//! | `gen_log` | [`GEN_LOG`] (`supercell::general`) | everything else the library says |
//!
//! Filter or route them as any `tracing` target. [`LogFormatter`] writes
//! Tornado's line, `[L yymmdd HH:MM:SS module:line] message`, coloured by
//! level on a terminal. [`enable_pretty_logging`] sets up a process's
//! logging from [`LogOptions`] (Tornado's `--logging`, `--log_file_prefix`,
//! `--log_rotate_mode`...), with a [`RotatingFileWriter`] for files;
//! [`PrettyLogging`] is the same as a layer, to compose with other layers
//! or to install for one scope only.
//!
//! ```
//! use chrono::{Local, TimeZone};
//! use supercell::log::{LogFormatter, Record};
//! use tracing::Level;
//!
//! let formatter = LogFormatter::new(); // colour off
//! let line = formatter.format(&Record {
//!     level: Level::WARN,
//!     time: Local.with_ymd_and_hms(2018, 3, 4, 5, 6, 7).unwrap(),
//!     target: supercell::log::GEN_LOG,
//!     module: "tcpserver",
//!     line: 120,
//!     message: "Error in connection callback",
//!     fields: &[("port", "8888".to_owned())],
//!     exc_text: None,
//! });
//! assert_eq!(line, "[W 180304 05:06:07 tcpserver:120] Error in connection callback port=8888");
//!
//! // The same formatter for `tracing` events, here for one scope only.
//! use supercell::log::{LogOptions, PrettyLogging};
//! use tracing_subscriber::layer::SubscriberExt;
//!
//! let pretty = PrettyLogging::from_options(&LogOptions::default()).unwrap().unwrap();
//! assert!(pretty.logs_to_stderr()); // no log file: stderr
//! let subscriber = tracing_subscriber::registry().with(pretty.layer());
//! tracing::subscriber::with_default(subscriber, || {
//!     tracing::info!(target: supercell::log::GEN_LOG, "Starting 4 processes");
//! });
//! ```

mod clock;
mod error;
mod event_fields;
mod formatter;
mod line_format;
mod options;
mod pretty;
mod rotating_file;
mod timed_schedule;

pub use crate::util::log_target::{ACCESS_LOG, APP_LOG, GEN_LOG};
pub use clock::Clock;
pub use error::LogError;
pub use formatter::{LogFormatter, Record};
pub use options::{LogOptions, RotateMode, RotateWhen, parse_logging};
pub use pretty::{PrettyLogging, enable_pretty_logging};
pub use rotating_file::RotatingFileWriter;
