//! [`LogFormatter`]: Tornado's log line for `tracing` events.

use std::fmt::{self, Write};

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Local};
use nu_ansi_term::Color;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use super::LogError;
use super::event_fields::EventFields;
use super::line_format::{LineFormat, Piece};

/// The reset code written after a coloured prefix.
const END_COLOR: &str = "\x1b[0m";

/// What [`LogFormatter::format`] turns into a line: Tornado's `LogRecord`.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    /// The level.
    pub level: Level,
    /// When the event happened.
    pub time: DateTime<Local>,
    /// The `tracing` target (the logger's name, e.g.
    /// [`GEN_LOG`](super::GEN_LOG)).
    pub target: &'a str,
    /// The emitting module's name (Tornado's `module`).
    pub module: &'a str,
    /// The emitting line (Tornado's `lineno`); 0 when unknown.
    pub line: u32,
    /// The message.
    pub message: &'a str,
    /// Extra fields, `(name, value)`, written after the message as
    /// `name=value`.
    pub fields: &'a [(&'a str, String)],
    /// Text written on the lines below, indented (Tornado's `exc_info`
    /// traceback); here the error fields and their causes.
    pub exc_text: Option<&'a str>,
}

/// Tornado's log formatter: one line per event,
/// `[L yymmdd HH:MM:SS module:line] message`, with the bracketed prefix
/// coloured by level when colour is on.
///
/// - **Level letter**: the first letter of the level's name: `D`ebug,
///   `I`nfo, `W`arning, `E`rror, and `T` for `tracing`'s `TRACE`, which
///   Python's logging does not have.
/// - **Colours** (when [`with_color(true)`](LogFormatter::with_color)):
///   debug blue, info green, warning yellow, error red, as Tornado's; trace
///   is left uncoloured, as Tornado leaves levels outside its four.
/// - **Time**: local time, formatted with the date format (default
///   `%y%m%d %H:%M:%S`, chrono's `strftime` syntax).
/// - **Module and line**: the last segment of the event's module path (or
///   of its target when there is no module path) and its line.
/// - **Fields**: fields other than `message` are appended as
///   ` name=value` (values in their `Debug` form, as `tracing`'s own
///   formatter writes them).
/// - **Errors**: fields recorded as `&dyn Error` go on the following lines,
///   one line per error and per cause, as Tornado writes a traceback.
/// - **Several lines**: every line after the first is indented by four
///   spaces, so one event stays one visual block.
/// - **Control characters** in the message and fields (other than newline
///   and tab) are escaped as `\u{..}`, so logged data cannot drive the
///   terminal.
///
/// It implements `tracing_subscriber`'s [`FormatEvent`]; use it with
/// `tracing_subscriber::fmt::layer().event_format(LogFormatter::new())`,
/// or call [`format`](LogFormatter::format) on a [`Record`] directly.
#[derive(Debug, Clone)]
pub struct LogFormatter {
    line: LineFormat,
    date_items: Vec<Item<'static>>,
    color: bool,
    colors: [Option<Color>; 5],
}

impl Default for LogFormatter {
    fn default() -> Self {
        LogFormatter::new()
    }
}

impl LogFormatter {
    /// Tornado's line template. Placeholders: `{color}`, `{end_color}`,
    /// `{level}` (one letter), `{levelname}`, `{asctime}`, `{module}`,
    /// `{lineno}`, `{target}`, `{message}`; `{{` and `}}` are literal
    /// braces.
    pub const DEFAULT_FORMAT: &'static str =
        "{color}[{level} {asctime} {module}:{lineno}]{end_color} {message}";

    /// Tornado's date format (chrono's `strftime` syntax).
    pub const DEFAULT_DATE_FORMAT: &'static str = "%y%m%d %H:%M:%S";

    /// A formatter with Tornado's line and date formats, default colours,
    /// and colour off.
    pub fn new() -> LogFormatter {
        LogFormatter {
            line: LineFormat::default(),
            date_items: parse_date_format(Self::DEFAULT_DATE_FORMAT).unwrap_or_else(|_| Vec::new()),
            color: false,
            colors: [
                None,
                Some(Color::Blue),
                Some(Color::Green),
                Some(Color::Yellow),
                Some(Color::Red),
            ],
        }
    }

    /// Turns colour on or off (Tornado's `color`). Default: off; choose
    /// on only when the output is a terminal.
    pub fn with_color(mut self, color: bool) -> LogFormatter {
        self.color = color;
        self
    }

    /// Sets the colour of one level (`None`: uncoloured), Tornado's
    /// `colors` mapping.
    pub fn with_level_color(mut self, level: Level, color: Option<Color>) -> LogFormatter {
        self.colors[level_index(level)] = color;
        self
    }

    /// Sets the line template (Tornado's `fmt`); see
    /// [`DEFAULT_FORMAT`](LogFormatter::DEFAULT_FORMAT) for the
    /// placeholders.
    ///
    /// # Errors
    ///
    /// [`LogError::InvalidFormat`] for an unknown placeholder or an
    /// unmatched brace.
    pub fn with_format(mut self, template: &str) -> Result<LogFormatter, LogError> {
        self.line = LineFormat::parse(template)?;
        Ok(self)
    }

    /// Sets the date format of `{asctime}` (Tornado's `datefmt`), in
    /// chrono's `strftime` syntax.
    ///
    /// # Errors
    ///
    /// [`LogError::InvalidFormat`] for an unknown `%` specifier.
    pub fn with_datefmt(mut self, datefmt: &str) -> Result<LogFormatter, LogError> {
        self.date_items = parse_date_format(datefmt)?;
        Ok(self)
    }

    /// Formats one record, without the final newline.
    pub fn format(&self, record: &Record<'_>) -> String {
        let mut out = String::new();
        let color = self
            .color
            .then(|| self.colors[level_index(record.level)])
            .flatten();
        for piece in self.line.pieces() {
            // Writing to a String cannot fail; a date item chrono cannot
            // render for this time leaves `{asctime}` short rather than
            // losing the line.
            let _ = self.write_piece(&mut out, piece, record, color);
        }
        if let Some(exc_text) = record.exc_text {
            out.truncate(out.trim_end().len());
            out.push('\n');
            out.push_str(exc_text);
        }
        out.replace('\n', "\n    ")
    }

    fn write_piece(
        &self,
        out: &mut String,
        piece: &Piece,
        record: &Record<'_>,
        color: Option<Color>,
    ) -> fmt::Result {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Color => {
                if let Some(color) = color {
                    write!(out, "{}", color.prefix())?;
                }
            }
            Piece::EndColor => {
                if color.is_some() {
                    out.push_str(END_COLOR);
                }
            }
            Piece::Level => out.push_str(&level_name(record.level)[..1]),
            Piece::LevelName => out.push_str(level_name(record.level)),
            Piece::AscTime => write!(
                out,
                "{}",
                record.time.format_with_items(self.date_items.iter())
            )?,
            Piece::Module => out.push_str(record.module),
            Piece::LineNo => write!(out, "{}", record.line)?,
            Piece::Target => out.push_str(record.target),
            Piece::Message => {
                out.push_str(record.message);
                for (i, (name, value)) in record.fields.iter().enumerate() {
                    if i > 0 || !record.message.is_empty() {
                        out.push(' ');
                    }
                    write!(out, "{name}={value}")?;
                }
            }
        }
        Ok(())
    }
}

impl<S, N> FormatEvent<S, N> for LogFormatter
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let mut fields = EventFields::default();
        event.record(&mut fields);
        let record = Record {
            level: *meta.level(),
            time: Local::now(),
            target: meta.target(),
            module: module_name(meta),
            line: meta.line().unwrap_or(0),
            message: &fields.message,
            fields: &fields.fields,
            exc_text: (!fields.exc_text.is_empty()).then_some(fields.exc_text.as_str()),
        };
        writeln!(writer, "{}", self.format(&record))
    }
}

/// The last segment of the module path, or of the target without one.
fn module_name<'a>(meta: &Metadata<'a>) -> &'a str {
    let path = meta.module_path().unwrap_or_else(|| meta.target());
    path.rsplit("::").next().unwrap_or(path)
}

/// Python's level names, with `TRACE` added.
fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "TRACE",
        Level::DEBUG => "DEBUG",
        Level::INFO => "INFO",
        Level::WARN => "WARNING",
        Level::ERROR => "ERROR",
    }
}

fn level_index(level: Level) -> usize {
    match level {
        Level::TRACE => 0,
        Level::DEBUG => 1,
        Level::INFO => 2,
        Level::WARN => 3,
        Level::ERROR => 4,
    }
}

fn parse_date_format(datefmt: &str) -> Result<Vec<Item<'static>>, LogError> {
    StrftimeItems::new(datefmt)
        .parse_to_owned()
        .map_err(|e| LogError::InvalidFormat {
            format: datefmt.to_owned(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn record<'a>(level: Level, message: &'a str) -> Record<'a> {
        Record {
            level,
            time: Local.with_ymd_and_hms(2018, 3, 4, 5, 6, 7).unwrap(),
            target: "supercell::general",
            module: "web",
            line: 42,
            message,
            fields: &[],
            exc_text: None,
        }
    }

    #[test]
    fn plain_line_has_tornados_shape() {
        let f = LogFormatter::new();
        assert_eq!(
            f.format(&record(Level::INFO, "hi")),
            "[I 180304 05:06:07 web:42] hi"
        );
    }

    #[test]
    fn level_letters_and_colours() {
        let f = LogFormatter::new().with_color(true);
        let cases = [
            (Level::TRACE, "T", None),
            (Level::DEBUG, "D", Some(Color::Blue)),
            (Level::INFO, "I", Some(Color::Green)),
            (Level::WARN, "W", Some(Color::Yellow)),
            (Level::ERROR, "E", Some(Color::Red)),
        ];
        for (level, letter, color) in cases {
            let prefix = format!("[{letter} 180304 05:06:07 web:42]");
            let expected = match color {
                Some(c) => format!("{}{prefix}{END_COLOR} m", c.prefix()),
                None => format!("{prefix} m"),
            };
            assert_eq!(f.format(&record(level, "m")), expected, "{level}");
        }
    }

    #[test]
    fn level_colour_can_be_changed_or_removed() {
        let f = LogFormatter::new()
            .with_color(true)
            .with_level_color(Level::ERROR, None)
            .with_level_color(Level::TRACE, Some(Color::Purple));
        assert_eq!(
            f.format(&record(Level::ERROR, "m")),
            "[E 180304 05:06:07 web:42] m"
        );
        assert!(
            f.format(&record(Level::TRACE, "m"))
                .starts_with(&Color::Purple.prefix().to_string())
        );
    }

    #[test]
    fn fields_follow_the_message() {
        let f = LogFormatter::new();
        let fields = [("status", "200".to_owned()), ("path", "\"/\"".to_owned())];
        let mut r = record(Level::INFO, "done");
        r.fields = &fields;
        assert_eq!(
            f.format(&r),
            "[I 180304 05:06:07 web:42] done status=200 path=\"/\""
        );
        r.message = "";
        assert_eq!(
            f.format(&r),
            "[I 180304 05:06:07 web:42] status=200 path=\"/\""
        );
    }

    #[test]
    fn later_lines_are_indented_and_errors_go_below() {
        let f = LogFormatter::new();
        let mut r = record(Level::ERROR, "first\nsecond  ");
        assert_eq!(
            f.format(&r),
            "[E 180304 05:06:07 web:42] first\n    second  "
        );
        r.exc_text = Some("error: boom\ncaused by: disk");
        assert_eq!(
            f.format(&r),
            "[E 180304 05:06:07 web:42] first\n    second\n    error: boom\n    caused by: disk"
        );
    }

    #[test]
    fn custom_line_and_date_formats() {
        let f = LogFormatter::new()
            .with_format("{levelname}|{target}|{asctime}|{message}")
            .unwrap()
            .with_datefmt("%Y-%m-%dT%H:%M")
            .unwrap();
        assert_eq!(
            f.format(&record(Level::WARN, "x")),
            "WARNING|supercell::general|2018-03-04T05:06|x"
        );
        assert!(matches!(
            LogFormatter::new().with_datefmt("%Q"),
            Err(LogError::InvalidFormat { .. })
        ));
    }
}
