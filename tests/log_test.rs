//! Tests of `supercell::log`, each named after the Tornado 5.0
//! `tornado/test/log_test.py` test it is the counterpart of, followed by
//! tests Tornado does not have (levels, fields, rotation at its edges).
//!
//! Python's `bytes`/`str` distinction has no Rust form, so the byte-string
//! tests become tests of bytes logged through their `Debug` form (as
//! `bytes::Bytes` prints them, `b"\xe9"`, the same text as Python 3's
//! `repr`): the escapes must reach the output as written, and newlines
//! inside an error must stay line breaks.
//!
//! Tornado tests with no counterpart here, and why:
//!
//! - `LoggingOptionTest.test_disable_command_line` and
//!   `LoggingOptionTest.test_disable_override`: they test the command-line
//!   parser of `tornado.options` (`--logging=none`, and the command line
//!   winning over values set in code), which is the `options` module's
//!   business. The `logging` values themselves (`none`, `None`, unset) are
//!   covered by `test_disable_code_string`,
//!   `test_disable_command_line_case_insensitive` and
//!   `test_disable_code_none`.
//!
//! `UnicodeLogFormatterTest` reruns the four `LogFormatterTest` tests with
//! a UTF-8 file; Rust strings are always UTF-8, so they run once.
//!
//! The `LoggingOptionTest` tests install a global subscriber, which a
//! process can do only once: each runs its scenario in a fresh copy of this
//! test binary and reads what it wrote to stderr.

#[path = "support/tempdir.rs"]
mod tempdir;

use std::error::Error;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::num::NonZeroU32;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use chrono::{DateTime, Local, TimeZone};
use regex::Regex;
use supercell::log::{
    LogError, LogFormatter, LogOptions, PrettyLogging, RotateMode, RotateWhen, RotatingFileWriter,
    enable_pretty_logging,
};
use tempdir::TempDir;
use tracing::Level;
use tracing_subscriber::layer::SubscriberExt;

// ---------------------------------------------------------------- helpers

/// An in-memory log output.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Output {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs `f` with `formatter` writing every event to the returned output.
fn capture(formatter: LogFormatter, f: impl FnOnce()) -> String {
    let output = Output::default();
    let writer = output.clone();
    let layer = tracing_subscriber::fmt::layer()
        .event_format(formatter)
        .with_writer(move || writer.clone());
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    output.text()
}

/// Tornado's `LINE_RE` with ANSI red around the prefix: the message (which
/// may span lines) and the line number.
fn error_line_re() -> Regex {
    Regex::new(r"(?s)^\x1b\[31m\[E [0-9]{6} [0-9]{2}:[0-9]{2}:[0-9]{2} log_test:([0-9]+)\]\x1b\[0m (.*)\n$").unwrap()
}

/// The message of one coloured error line, checking the prefix and that
/// the line number is `line`.
fn message_of(output: &str, line: u32) -> String {
    let caps = error_line_re()
        .captures(output)
        .unwrap_or_else(|| panic!("output didn't match regex: {output:?}"));
    assert_eq!(caps[1].parse::<u32>().unwrap(), line);
    caps[2].to_owned()
}

fn red() -> LogFormatter {
    LogFormatter::new().with_color(true)
}

fn read(path: impl AsRef<Path>) -> String {
    fs::read_to_string(path).unwrap()
}

fn write_record(writer: &RotatingFileWriter, record: &str) {
    let mut handle = writer;
    handle.write_all(record.as_bytes()).unwrap();
}

// ------------------------------------------------------- LogFormatterTest

#[test]
fn log_formatter_test_basic_logging() {
    let mut line = 0;
    let output = capture(red(), || {
        line = line!();
        tracing::error!("foo");
    });
    assert_eq!(message_of(&output, line + 1), "foo");
}

#[test]
fn log_formatter_test_bytes_logging() {
    let mut line = 0;
    let output = capture(red(), || {
        line = line!();
        tracing::error!("{:?}", Bytes::from_static(b"\xe9"));
    });
    assert_eq!(message_of(&output, line + 1), r#"b"\xe9""#);
}

#[test]
fn log_formatter_test_utf8_logging() {
    let mut line = 0;
    let output = capture(red(), || {
        line = line!();
        tracing::error!("{:?}", Bytes::from("\u{e9}".as_bytes()));
    });
    assert_eq!(message_of(&output, line + 1), r#"b"\xc3\xa9""#);
}

/// An error whose text holds escaped bytes, as Python's `Exception(b'\xe9')`.
#[derive(Debug)]
struct BytesError(Bytes);

impl fmt::Display for BytesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Exception: {:?}", self.0)
    }
}

impl Error for BytesError {}

#[test]
fn log_formatter_test_bytes_exception_logging() {
    let err = BytesError(Bytes::from_static(b"\xe9"));
    let mut line = 0;
    let output = capture(red(), || {
        line = line!();
        tracing::error!(error = &err as &dyn Error, "caught exception");
    });
    let message = message_of(&output, line + 1);
    assert!(
        Regex::new(r"Exception.*\\xe9").unwrap().is_match(&message),
        "{message:?}"
    );
    // The error is on its own, indented line: a real line break, not an
    // escaped one.
    assert!(!message.contains(r"\n"), "{message:?}");
    assert_eq!(
        message,
        "caught exception\n    error: Exception: b\"\\xe9\""
    );
}

#[test]
fn unicode_log_formatter_test_unicode_logging() {
    let mut line = 0;
    let output = capture(red(), || {
        line = line!();
        tracing::error!("\u{e9}");
    });
    assert_eq!(message_of(&output, line + 1), "\u{e9}");
}

// ---------------------------------------------- LogFormatter, beyond Tornado

#[test]
fn log_formatter_levels_letters_and_colours() {
    let output = capture(LogFormatter::new().with_color(true), || {
        tracing::trace!("t");
        tracing::debug!("d");
        tracing::info!("i");
        tracing::warn!("w");
        tracing::error!("e");
    });
    let lines: Vec<&str> = output.lines().collect();
    let expected = [
        ("", "T", "", "t"),
        ("\x1b[34m", "D", "\x1b[0m", "d"),
        ("\x1b[32m", "I", "\x1b[0m", "i"),
        ("\x1b[33m", "W", "\x1b[0m", "w"),
        ("\x1b[31m", "E", "\x1b[0m", "e"),
    ];
    assert_eq!(lines.len(), expected.len());
    for (line, (color, letter, end, message)) in lines.iter().zip(expected) {
        let re = format!(
            r"^{}\[{letter} \d{{6}} \d{{2}}:\d{{2}}:\d{{2}} log_test:\d+\]{} {message}$",
            regex::escape(color),
            regex::escape(end)
        );
        assert!(Regex::new(&re).unwrap().is_match(line), "{line:?} !~ {re}");
    }
}

#[test]
fn log_formatter_without_colour_writes_no_escape_codes() {
    let output = capture(LogFormatter::new(), || tracing::error!("plain"));
    assert!(
        Regex::new(r"^\[E \d{6} \d{2}:\d{2}:\d{2} log_test:\d+\] plain\n$")
            .unwrap()
            .is_match(&output),
        "{output:?}"
    );
}

#[test]
fn log_formatter_appends_fields_and_indents_later_lines() {
    let output = capture(LogFormatter::new(), || {
        tracing::info!(status = 200, path = "/index", "served\nin two lines");
    });
    let (_, rest) = output.split_once("] ").unwrap();
    assert_eq!(
        rest,
        "served\n    in two lines status=200 path=\"/index\"\n"
    );
}

#[test]
fn log_formatter_writes_error_causes_on_indented_lines() {
    #[derive(Debug)]
    struct Outer(io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("could not save")
        }
    }
    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }
    let err = Outer(io::Error::other("disk full"));
    let output = capture(LogFormatter::new(), || {
        tracing::error!(error = &err as &dyn Error, "request failed");
    });
    let (_, rest) = output.split_once("] ").unwrap();
    assert_eq!(
        rest,
        "request failed\n    error: could not save\n    caused by: disk full\n"
    );
}

#[test]
fn log_formatter_escapes_control_characters_in_messages() {
    let output = capture(LogFormatter::new(), || {
        tracing::warn!("user sent \x1b[2J\x07")
    });
    assert!(
        output.ends_with("] user sent \\u{1b}[2J\\u{7}\n"),
        "{output:?}"
    );
}

#[test]
fn log_formatter_custom_format_names_target_and_level() {
    let formatter = LogFormatter::new()
        .with_format("{levelname} {target} {module}: {message}")
        .unwrap();
    let output = capture(
        formatter,
        || tracing::warn!(target: supercell::log::GEN_LOG, "careful"),
    );
    assert_eq!(output, "WARNING supercell::general log_test: careful\n");
    assert!(matches!(
        LogFormatter::new().with_format("{message"),
        Err(LogError::InvalidFormat { .. })
    ));
}

// ------------------------------------------------ EnablePrettyLoggingTest

/// Logs `hello` at error level through the layer of `options`, and returns
/// the names and contents of the files in `dir`.
fn log_hello_to_file(options: &LogOptions, dir: &TempDir) -> Vec<(String, String)> {
    let pretty = PrettyLogging::from_options(options).unwrap().unwrap();
    // One output, as Tornado's test checks the logger has one handler.
    assert!(pretty.file().is_some());
    assert!(!pretty.logs_to_stderr());
    let subscriber = tracing_subscriber::registry().with(pretty.layer());
    tracing::subscriber::with_default(subscriber, || tracing::error!("hello"));
    dir.files()
        .into_iter()
        .map(|name| {
            let text = read(dir.path(&name));
            (name, text)
        })
        .collect()
}

#[test]
fn enable_pretty_logging_test_log_file() {
    let dir = TempDir::new("log_file");
    let options = LogOptions {
        log_file_prefix: Some(dir.path("test_log")),
        ..LogOptions::default()
    };
    let files = log_hello_to_file(&options, &dir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].0, "test_log");
    assert!(
        Regex::new(r"^\[E [^]]*\] hello\n$")
            .unwrap()
            .is_match(&files[0].1),
        "{files:?}"
    );
}

#[test]
fn enable_pretty_logging_test_log_file_with_timed_rotating() {
    let dir = TempDir::new("timed");
    let options = LogOptions {
        log_file_prefix: Some(dir.path("test_log")),
        log_rotate_mode: RotateMode::Time,
        ..LogOptions::default()
    };
    let files = log_hello_to_file(&options, &dir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        Regex::new(r"^\[E [^]]*\] hello\n$")
            .unwrap()
            .is_match(&files[0].1),
        "{files:?}"
    );
}

#[test]
fn enable_pretty_logging_test_wrong_rotate_mode_value() {
    let err = "wrong_mode".parse::<RotateMode>().unwrap_err();
    assert!(matches!(&err, LogError::InvalidRotateMode(v) if v == "wrong_mode"));
    assert!(err.to_string().contains("\"wrong_mode\""), "{err}");

    let mut options = LogOptions {
        log_file_prefix: Some("some_path".into()),
        ..LogOptions::default()
    };
    assert!(matches!(
        options.set_option("log_rotate_mode", "wrong_mode"),
        Err(LogError::InvalidRotateMode(_))
    ));
    assert_eq!(options.log_rotate_mode, RotateMode::Size);
}

// ----------------------------------------- PrettyLogging, beyond Tornado

#[test]
fn pretty_logging_is_off_when_logging_is_none() {
    let options = LogOptions {
        logging: None,
        log_file_prefix: Some("never-created".into()),
        ..LogOptions::default()
    };
    assert!(PrettyLogging::from_options(&options).unwrap().is_none());
    assert!(!Path::new("never-created").exists());
}

#[test]
fn pretty_logging_filters_below_its_level_on_every_target() {
    let dir = TempDir::new("level");
    let options = LogOptions {
        logging: Some(Level::WARN),
        log_file_prefix: Some(dir.path("app.log")),
        ..LogOptions::default()
    };
    let pretty = PrettyLogging::from_options(&options).unwrap().unwrap();
    assert_eq!(pretty.level(), Level::WARN);
    let subscriber = tracing_subscriber::registry().with(pretty.layer());
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(target: supercell::log::ACCESS_LOG, "200 GET /");
        tracing::warn!(target: supercell::log::GEN_LOG, "careful");
        tracing::error!(target: supercell::log::APP_LOG, "Uncaught exception");
    });
    let text = read(dir.path("app.log"));
    let messages: Vec<&str> = text
        .lines()
        .map(|l| l.split_once("] ").unwrap().1)
        .collect();
    assert_eq!(messages, ["careful", "Uncaught exception"]);
}

#[test]
fn pretty_logging_to_file_and_stderr_when_asked() {
    let dir = TempDir::new("both");
    let options = LogOptions {
        log_file_prefix: Some(dir.path("app.log")),
        log_to_stderr: Some(true),
        ..LogOptions::default()
    };
    let pretty = PrettyLogging::from_options(&options).unwrap().unwrap();
    assert!(pretty.file().is_some());
    assert!(pretty.logs_to_stderr());
    assert_eq!(pretty.file().unwrap().path(), dir.path("app.log"));

    let no_stderr = LogOptions {
        log_to_stderr: Some(false),
        ..LogOptions::default()
    };
    let pretty = PrettyLogging::from_options(&no_stderr).unwrap().unwrap();
    assert!(pretty.file().is_none());
    assert!(!pretty.logs_to_stderr());
    assert!(!pretty.stderr_colored());
}

#[test]
fn pretty_logging_reports_bad_interval_and_unopenable_file() {
    let dir = TempDir::new("errors");
    let zero_interval = LogOptions {
        log_file_prefix: Some(dir.path("app.log")),
        log_rotate_mode: RotateMode::Time,
        log_rotate_interval: 0,
        ..LogOptions::default()
    };
    assert!(matches!(
        PrettyLogging::from_options(&zero_interval),
        Err(LogError::InvalidValue {
            option: "log_rotate_interval",
            ..
        })
    ));
    let missing_dir = LogOptions {
        log_file_prefix: Some(dir.path("no/such/dir/app.log")),
        ..LogOptions::default()
    };
    match PrettyLogging::from_options(&missing_dir) {
        Err(LogError::OpenFile { path, source }) => {
            assert_eq!(path, dir.path("no/such/dir/app.log"));
            assert_eq!(source.kind(), io::ErrorKind::NotFound);
        }
        other => panic!("expected OpenFile, got {other:?}"),
    }
}

#[test]
fn pretty_logging_accepts_rotate_intervals_up_to_ten_thousand_years() {
    let dir = TempDir::new("long_interval");
    let options_with = |when: &str, interval: &str| {
        let mut options = LogOptions {
            log_file_prefix: Some(dir.path("app.log")),
            ..LogOptions::default()
        };
        options.set_option("log_rotate_mode", "time").unwrap();
        options.set_option("log_rotate_when", when).unwrap();
        options.set_option("log_rotate_interval", interval).unwrap();
        options
    };
    for (when, largest) in [
        ("D", 3_652_425_u32),
        ("midnight", 3_652_425),
        ("H", 87_658_200),
        ("W3", 521_775),
    ] {
        let accepted = options_with(when, &largest.to_string());
        assert_eq!(accepted.log_rotate_when.max_interval(), largest);
        let pretty = PrettyLogging::from_options(&accepted);
        assert!(matches!(pretty, Ok(Some(_))), "{when}: {pretty:?}");

        let one_over = options_with(when, &(largest + 1).to_string());
        match PrettyLogging::from_options(&one_over) {
            Err(LogError::InvalidValue {
                option: "log_rotate_interval",
                value,
                ..
            }) => assert_eq!(value, (largest + 1).to_string()),
            other => panic!("{when}: expected InvalidValue, got {other:?}"),
        }
    }
    let four_billion_days = options_with("D", "4000000000");
    assert!(matches!(
        PrettyLogging::from_options(&four_billion_days),
        Err(LogError::InvalidValue { .. })
    ));
    // Any u32 of seconds or minutes stays within the limit.
    for when in ["S", "M"] {
        let longest = options_with(when, &u32::MAX.to_string());
        assert!(PrettyLogging::from_options(&longest).unwrap().is_some());
    }
}

// ----------------------------------------------- RotatingFileWriter edges

#[test]
fn rotating_file_writer_stays_below_max_size() {
    let dir = TempDir::new("below");
    let writer = RotatingFileWriter::by_size(dir.path("log"), 10, 2).unwrap();
    write_record(&writer, "12345\n");
    write_record(&writer, "12\n"); // 9 bytes: one below the limit
    assert_eq!(dir.files(), ["log"]);
    assert_eq!(read(dir.path("log")), "12345\n12\n");
}

#[test]
fn rotating_file_writer_rotates_when_a_record_would_reach_max_size() {
    let dir = TempDir::new("reach");
    let writer = RotatingFileWriter::by_size(dir.path("log"), 10, 2).unwrap();
    write_record(&writer, "12345\n");
    write_record(&writer, "123\n"); // would make exactly 10 bytes
    assert_eq!(dir.files(), ["log", "log.1"]);
    assert_eq!(read(dir.path("log.1")), "12345\n");
    assert_eq!(read(dir.path("log")), "123\n");
}

#[test]
fn rotating_file_writer_keeps_backup_count_files() {
    let dir = TempDir::new("backups");
    let writer = RotatingFileWriter::by_size(dir.path("log"), 3, 2).unwrap();
    for record in ["a\n", "b\n", "c\n", "d\n"] {
        write_record(&writer, record);
    }
    assert_eq!(dir.files(), ["log", "log.1", "log.2"]);
    assert_eq!(read(dir.path("log")), "d\n");
    assert_eq!(read(dir.path("log.1")), "c\n");
    assert_eq!(read(dir.path("log.2")), "b\n");
}

#[test]
fn rotating_file_writer_writes_an_oversized_record_to_an_empty_file() {
    let dir = TempDir::new("oversized");
    let writer = RotatingFileWriter::by_size(dir.path("log"), 3, 1).unwrap();
    write_record(&writer, "longer than three\n");
    assert_eq!(dir.files(), ["log"]);
    write_record(&writer, "x\n");
    assert_eq!(dir.files(), ["log", "log.1"]);
    assert_eq!(read(dir.path("log.1")), "longer than three\n");
}

#[test]
fn rotating_file_writer_counts_what_the_file_already_holds() {
    let dir = TempDir::new("existing");
    fs::write(dir.path("log"), "1234567\n").unwrap();
    let writer = RotatingFileWriter::by_size(dir.path("log"), 10, 1).unwrap();
    write_record(&writer, "ab\n");
    assert_eq!(dir.files(), ["log", "log.1"]);
    assert_eq!(read(dir.path("log.1")), "1234567\n");
    assert_eq!(read(dir.path("log")), "ab\n");
}

#[test]
fn rotating_file_writer_counts_what_other_writers_append() {
    // Two writers on one path, as two worker processes logging to one
    // file: each sees the records of the other.
    let dir = TempDir::new("shared");
    let first = RotatingFileWriter::by_size(dir.path("log"), 10, 2).unwrap();
    let second = RotatingFileWriter::by_size(dir.path("log"), 10, 2).unwrap();
    write_record(&first, "12345\n");
    write_record(&second, "123\n"); // would make exactly 10 bytes
    assert_eq!(dir.files(), ["log", "log.1"]);
    assert_eq!(read(dir.path("log.1")), "12345\n");
    assert_eq!(read(dir.path("log")), "123\n");
}

#[test]
fn rotating_file_writer_never_rotates_without_backups_or_size() {
    let dir = TempDir::new("never");
    let no_backups = RotatingFileWriter::by_size(dir.path("a"), 3, 0).unwrap();
    let no_size = RotatingFileWriter::by_size(dir.path("b"), 0, 5).unwrap();
    for record in ["one\n", "two\n", "three\n"] {
        write_record(&no_backups, record);
        write_record(&no_size, record);
    }
    assert_eq!(dir.files(), ["a", "b"]);
    assert_eq!(read(dir.path("a")), "one\ntwo\nthree\n");
}

#[test]
fn rotating_file_writer_starts_a_new_file_when_the_log_was_removed_or_moved() {
    let dir = TempDir::new("size_gone");
    let writer = RotatingFileWriter::by_size(dir.path("log"), 10, 2).unwrap();
    write_record(&writer, "12345\n");
    fs::remove_file(dir.path("log")).unwrap();
    // Due for rotation, but there is nothing to rotate: the record starts
    // a new file.
    write_record(&writer, "removed\n");
    assert_eq!(dir.files(), ["log"]);
    assert_eq!(read(dir.path("log")), "removed\n");

    fs::rename(dir.path("log"), dir.path("moved")).unwrap();
    write_record(&writer, "renamed\n");
    assert_eq!(dir.files(), ["log", "moved"]);
    assert_eq!(read(dir.path("log")), "renamed\n");

    // Rotation carries on as usual.
    write_record(&writer, "next\n");
    assert_eq!(dir.files(), ["log", "log.1", "moved"]);
    assert_eq!(read(dir.path("log.1")), "renamed\n");
    assert_eq!(read(dir.path("log")), "next\n");
}

#[test]
fn rotating_file_writer_reopens_once_its_directory_is_back() {
    let dir = TempDir::new("dir_gone");
    fs::create_dir(dir.path("sub")).unwrap();
    let writer = RotatingFileWriter::by_size(dir.path("sub/log"), 10, 1).unwrap();
    write_record(&writer, "12345\n");
    fs::remove_dir_all(dir.path("sub")).unwrap();
    let mut handle = &writer;
    let err = handle.write_all(b"lost\n").unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);

    fs::create_dir(dir.path("sub")).unwrap();
    write_record(&writer, "back\n");
    assert_eq!(read(dir.path("sub/log")), "back\n");
}

/// A clock the test moves by hand.
fn manual_clock(
    start: DateTime<Local>,
) -> (
    Arc<Mutex<DateTime<Local>>>,
    impl Fn() -> DateTime<Local> + Send + 'static,
) {
    let now = Arc::new(Mutex::new(start));
    let read = now.clone();
    (now, move || *read.lock().unwrap())
}

fn local(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Local> {
    Local.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
}

#[test]
fn rotating_file_writer_rotates_on_the_hour_and_keeps_backups() {
    let dir = TempDir::new("hours");
    let (now, clock) = manual_clock(local(2018, 1, 5, 10, 0, 0));
    let every_two_hours = NonZeroU32::new(2).unwrap();
    let writer = RotatingFileWriter::by_time_with_clock(
        dir.path("log"),
        RotateWhen::Hours,
        every_two_hours,
        1,
        clock,
    )
    .unwrap();
    write_record(&writer, "10:00\n");
    *now.lock().unwrap() = local(2018, 1, 5, 11, 59, 59);
    write_record(&writer, "11:59:59\n");
    assert_eq!(dir.files(), ["log"]);

    *now.lock().unwrap() = local(2018, 1, 5, 12, 0, 0);
    write_record(&writer, "12:00\n");
    assert_eq!(dir.files(), ["log", "log.2018-01-05_10"]);
    assert_eq!(read(dir.path("log.2018-01-05_10")), "10:00\n11:59:59\n");
    assert_eq!(read(dir.path("log")), "12:00\n");

    // The next period ends two hours after the rollover; one backup kept.
    *now.lock().unwrap() = local(2018, 1, 5, 13, 59, 59);
    write_record(&writer, "13:59:59\n");
    assert_eq!(dir.files(), ["log", "log.2018-01-05_10"]);
    *now.lock().unwrap() = local(2018, 1, 5, 14, 0, 0);
    write_record(&writer, "14:00\n");
    assert_eq!(dir.files(), ["log", "log.2018-01-05_12"]);
    assert_eq!(read(dir.path("log.2018-01-05_12")), "12:00\n13:59:59\n");
}

#[test]
fn rotating_file_writer_rotates_at_midnight() {
    let dir = TempDir::new("midnight");
    let (now, clock) = manual_clock(local(2018, 1, 5, 15, 30, 0));
    let writer = RotatingFileWriter::by_time_with_clock(
        dir.path("log"),
        RotateWhen::Midnight,
        NonZeroU32::MIN,
        0,
        clock,
    )
    .unwrap();
    write_record(&writer, "afternoon\n");
    *now.lock().unwrap() = local(2018, 1, 5, 23, 59, 59);
    write_record(&writer, "last second\n");
    assert_eq!(dir.files(), ["log"]);
    *now.lock().unwrap() = local(2018, 1, 6, 0, 0, 0);
    write_record(&writer, "new day\n");
    *now.lock().unwrap() = local(2018, 1, 7, 0, 0, 1);
    write_record(&writer, "next day\n");
    // A backup count of 0 keeps every backup.
    assert_eq!(dir.files(), ["log", "log.2018-01-05", "log.2018-01-06"]);
    assert_eq!(read(dir.path("log.2018-01-05")), "afternoon\nlast second\n");
    assert_eq!(read(dir.path("log.2018-01-06")), "new day\n");
    assert_eq!(read(dir.path("log")), "next day\n");
}

#[test]
fn rotating_file_writer_skips_a_timed_rotation_of_a_missing_file() {
    let dir = TempDir::new("time_gone");
    let (now, clock) = manual_clock(local(2018, 1, 5, 10, 0, 0));
    let writer = RotatingFileWriter::by_time_with_clock(
        dir.path("log"),
        RotateWhen::Hours,
        NonZeroU32::MIN,
        3,
        clock,
    )
    .unwrap();
    write_record(&writer, "10:00\n");
    fs::remove_file(dir.path("log")).unwrap();
    *now.lock().unwrap() = local(2018, 1, 5, 11, 0, 0);
    write_record(&writer, "11:00\n");
    assert_eq!(dir.files(), ["log"]);
    assert_eq!(read(dir.path("log")), "11:00\n");

    // The schedule moved on: the next rollover is an hour later.
    *now.lock().unwrap() = local(2018, 1, 5, 11, 59, 59);
    write_record(&writer, "11:59:59\n");
    assert_eq!(dir.files(), ["log"]);
    *now.lock().unwrap() = local(2018, 1, 5, 12, 0, 0);
    write_record(&writer, "12:00\n");
    assert_eq!(dir.files(), ["log", "log.2018-01-05_11"]);
    assert_eq!(read(dir.path("log.2018-01-05_11")), "11:00\n11:59:59\n");
    assert_eq!(read(dir.path("log")), "12:00\n");
}

#[test]
fn rotating_file_writer_keeps_logging_when_old_backups_cannot_be_removed() {
    let dir = TempDir::new("undeletable");
    // Named as the oldest backup, but a directory: removing it fails.
    fs::create_dir(dir.path("log.2018-01-05_08")).unwrap();
    let (now, clock) = manual_clock(local(2018, 1, 5, 10, 0, 0));
    let writer = RotatingFileWriter::by_time_with_clock(
        dir.path("log"),
        RotateWhen::Hours,
        NonZeroU32::new(2).unwrap(),
        1,
        clock,
    )
    .unwrap();
    write_record(&writer, "10:00\n");
    *now.lock().unwrap() = local(2018, 1, 5, 12, 0, 0);
    write_record(&writer, "12:00\n");
    assert_eq!(
        dir.files(),
        ["log", "log.2018-01-05_08", "log.2018-01-05_10"]
    );
    assert_eq!(read(dir.path("log.2018-01-05_10")), "10:00\n");
    assert_eq!(read(dir.path("log")), "12:00\n");

    // The rollover moved on and later records go to the new file.
    *now.lock().unwrap() = local(2018, 1, 5, 13, 0, 0);
    write_record(&writer, "13:00\n");
    assert_eq!(read(dir.path("log")), "12:00\n13:00\n");
    assert_eq!(read(dir.path("log.2018-01-05_10")), "10:00\n");
}

#[test]
fn rotating_file_writer_starts_the_period_at_an_existing_files_time() {
    let dir = TempDir::new("mtime");
    fs::write(dir.path("log"), "old\n").unwrap();
    let written: DateTime<Local> = fs::metadata(dir.path("log"))
        .unwrap()
        .modified()
        .unwrap()
        .into();
    // The first period starts when the file was last written; a clock a
    // day later finds its rollover passed.
    let (_now, clock) = manual_clock(written + chrono::Duration::days(1));
    let writer = RotatingFileWriter::by_time_with_clock(
        dir.path("log"),
        RotateWhen::Midnight,
        NonZeroU32::MIN,
        3,
        clock,
    )
    .unwrap();
    write_record(&writer, "new\n");
    let today = written.date_naive().format("%Y-%m-%d").to_string();
    assert_eq!(dir.files(), ["log".to_owned(), format!("log.{today}")]);
    assert_eq!(read(dir.path(&format!("log.{today}"))), "old\n");
}

#[test]
fn rotating_file_writer_refuses_intervals_past_ten_thousand_years() {
    let dir = TempDir::new("too_long");
    let largest = NonZeroU32::new(RotateWhen::Days.max_interval()).unwrap();
    let err = RotatingFileWriter::by_time(
        dir.path("log"),
        RotateWhen::Days,
        largest.checked_add(1).unwrap(),
        1,
    )
    .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(dir.files().is_empty());

    // Near the end of the calendar, a rollover that cannot be represented
    // never comes: records keep going to the same file.
    let (now, clock) = manual_clock(local(262_000, 6, 1, 12, 0, 0));
    let writer = RotatingFileWriter::by_time_with_clock(
        dir.path("log"),
        RotateWhen::Days,
        largest,
        1,
        clock,
    )
    .unwrap();
    write_record(&writer, "first\n");
    *now.lock().unwrap() = local(262_142, 12, 1, 0, 0, 0);
    write_record(&writer, "later\n");
    assert_eq!(dir.files(), ["log"]);
    assert_eq!(read(dir.path("log")), "first\nlater\n");
}

// ------------------------------------------------------ LoggingOptionTest

/// Set in a copy of this binary started by [`logs_present`].
const CHILD: &str = "SUPERCELL_LOG_TEST_CHILD";

fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// Runs test `name` alone in a fresh copy of this binary (which sees
/// [`CHILD`] set and logs `hello` at info level) and tells whether `hello`
/// reached stderr, checking the line's format.
fn logs_present(name: &str) -> bool {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "process failed: {stdout}{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the test did not run: {stdout}"
    );
    // stderr is a pipe here: no colour.
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
    let present = stderr.contains("hello");
    if present {
        let line = Regex::new(r"(?m)^\[I \d{6} \d{2}:\d{2}:\d{2} log_test:\d+\] hello$").unwrap();
        assert!(line.is_match(&stderr), "{stderr:?}");
    }
    present
}

/// The child's side: set up logging as `options` say (none: leave it
/// alone), then log `hello`.
fn child_logs_hello(options: Option<LogOptions>) {
    if let Some(options) = options {
        enable_pretty_logging(&options).unwrap();
    }
    tracing::info!("hello");
}

#[test]
fn logging_option_test_default() {
    if in_child() {
        return child_logs_hello(None);
    }
    assert!(!logs_present("logging_option_test_default"));
}

#[test]
fn logging_option_test_tornado_default() {
    if in_child() {
        return child_logs_hello(Some(LogOptions::default()));
    }
    assert!(logs_present("logging_option_test_tornado_default"));
}

#[test]
fn logging_option_test_disable_command_line_case_insensitive() {
    if in_child() {
        let mut options = LogOptions::default();
        options.set_option("logging", "None").unwrap();
        return child_logs_hello(Some(options));
    }
    assert!(!logs_present(
        "logging_option_test_disable_command_line_case_insensitive"
    ));
}

#[test]
fn logging_option_test_disable_code_string() {
    if in_child() {
        let mut options = LogOptions::default();
        options.set_option("logging", "none").unwrap();
        return child_logs_hello(Some(options));
    }
    assert!(!logs_present("logging_option_test_disable_code_string"));
}

#[test]
fn logging_option_test_disable_code_none() {
    if in_child() {
        let options = LogOptions {
            logging: None,
            ..LogOptions::default()
        };
        return child_logs_hello(Some(options));
    }
    assert!(!logs_present("logging_option_test_disable_code_none"));
}

#[test]
fn enable_pretty_logging_twice_is_refused() {
    if in_child() {
        assert!(
            enable_pretty_logging(&LogOptions::default())
                .unwrap()
                .is_some()
        );
        let again = enable_pretty_logging(&LogOptions::default());
        assert!(
            matches!(again, Err(LogError::AlreadyInstalled)),
            "{again:?}"
        );
        // Turning logging off needs no subscriber, so it is not refused.
        let off = LogOptions {
            logging: None,
            ..LogOptions::default()
        };
        assert!(enable_pretty_logging(&off).unwrap().is_none());
        return child_logs_hello(None);
    }
    // The first subscriber stays installed and keeps logging.
    assert!(logs_present("enable_pretty_logging_twice_is_refused"));
}
