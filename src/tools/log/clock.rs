//! The wall clock that time rotation reads, replaceable in tests.

use chrono::{DateTime, Local};

/// Where a time-rotated [`RotatingFileWriter`](super::RotatingFileWriter)
/// reads the current local time. Any `Fn() -> DateTime<Local>` is a clock;
/// the default is [`Local::now`].
pub trait Clock: Send + 'static {
    /// The current local time.
    fn now(&self) -> DateTime<Local>;
}

impl<F> Clock for F
where
    F: Fn() -> DateTime<Local> + Send + 'static,
{
    fn now(&self) -> DateTime<Local> {
        self()
    }
}
