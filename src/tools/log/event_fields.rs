//! Collects an event's fields into the parts of a log line.

use std::error::Error;
use std::fmt::{self, Write};

use tracing::field::{Field, Visit};

/// The message, the extra fields and the error text of one event.
#[derive(Debug, Default)]
pub(super) struct EventFields {
    /// The `message` field.
    pub(super) message: String,
    /// Every other field, `(name, Debug text)`, in recording order.
    pub(super) fields: Vec<(&'static str, String)>,
    /// Errors recorded as `&dyn Error`, one line per error and per cause:
    /// the text Tornado shows for `exc_info`.
    pub(super) exc_text: String,
}

impl Visit for EventFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            push_sanitized(&mut self.message, value);
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
        if !self.exc_text.is_empty() {
            self.exc_text.push('\n');
        }
        push_sanitized(&mut self.exc_text, &format!("{}: {value}", field.name()));
        let mut source = value.source();
        while let Some(cause) = source {
            push_sanitized(&mut self.exc_text, &format!("\ncaused by: {cause}"));
            source = cause.source();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            push_sanitized(&mut self.message, &text);
        } else {
            let mut clean = String::with_capacity(text.len());
            push_sanitized(&mut clean, &text);
            self.fields.push((field.name(), clean));
        }
    }
}

/// Appends `text`, writing control characters other than newline and tab
/// as `\u{..}` escapes, so a logged value cannot send terminal control
/// sequences (colour changes, cursor moves) to whoever reads the log.
pub(super) fn push_sanitized(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizing_escapes_control_characters_but_keeps_newlines_and_tabs() {
        let mut out = String::new();
        push_sanitized(&mut out, "a\x1b[31mb\nc\td\u{7f}é");
        assert_eq!(out, "a\\u{1b}[31mb\nc\td\\u{7f}é");
    }
}
