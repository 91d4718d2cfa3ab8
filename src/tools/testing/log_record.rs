//! [`LogRecord`]: one `tracing` event as the log checks see it.

use std::error::Error;
use std::fmt::{self, Write};

use tracing::field::{Field, Visit};
use tracing::{Event, Level};

/// One logged event: what [`ExpectLog`](super::ExpectLog) matches and
/// [`LogCapture`](super::LogCapture) keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The event's level.
    pub level: Level,
    /// The event's target, for supercell's own logs one of
    /// [`ACCESS_LOG`](crate::util::log_target::ACCESS_LOG),
    /// [`APP_LOG`](crate::util::log_target::APP_LOG) and
    /// [`GEN_LOG`](crate::util::log_target::GEN_LOG).
    pub target: String,
    /// The `message` field, formatted (Python's `record.getMessage()`);
    /// empty when the event has none.
    pub message: String,
    /// The other fields, `(name, value)` in recording order; strings as
    /// they are, other values in their `Debug` form.
    pub fields: Vec<(&'static str, String)>,
    /// The errors recorded as `&dyn Error` fields, each with its chain of
    /// causes (`caused by: ...`), one per line: the part of a record
    /// Tornado calls its `exc_info`. `None` when the event carried no error.
    pub error: Option<String>,
}

impl LogRecord {
    /// Reads the level, target and fields of `event`.
    pub(super) fn from_event(event: &Event<'_>) -> LogRecord {
        let meta = event.metadata();
        let mut record = LogRecord {
            level: *meta.level(),
            target: meta.target().to_owned(),
            message: String::new(),
            fields: Vec::new(),
            error: None,
        };
        event.record(&mut record);
        record
    }

    /// Whether this record was logged on `target` or below it: `""`
    /// watches every target, `"supercell"` watches `supercell` and
    /// `supercell::application` but not `supercellar`.
    pub fn is_on(&self, target: &str) -> bool {
        target.is_empty()
            || self
                .target
                .strip_prefix(target)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    }
}

impl Visit for LogRecord {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.fields.push((field.name(), value.to_owned()));
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        let text = self.error.get_or_insert_with(String::new);
        if !text.is_empty() {
            text.push('\n');
        }
        // Writing to a String cannot fail.
        let _ = write!(text, "{}: {value}", field.name());
        let mut source = value.source();
        while let Some(cause) = source {
            let _ = write!(text, "\ncaused by: {cause}");
            source = cause.source();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.push((field.name(), text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(target: &str) -> LogRecord {
        LogRecord {
            level: Level::INFO,
            target: target.to_owned(),
            message: String::new(),
            fields: Vec::new(),
            error: None,
        }
    }

    #[test]
    fn targets_match_whole_path_segments() {
        let record = on("supercell::application");
        assert!(record.is_on(""));
        assert!(record.is_on("supercell"));
        assert!(record.is_on("supercell::application"));
        assert!(!record.is_on("supercell::app"));
        assert!(!record.is_on("supercell::application::handler"));
        assert!(!on("supercellar").is_on("supercell"));
    }
}
