//! Tornado's logging options (`define_logging_options`) as a struct.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use chrono::Weekday;
use tracing::Level;

use super::LogError;

/// How the log file is rotated (Tornado's `--log_rotate_mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum RotateMode {
    /// When the file would reach `log_file_max_size` bytes, as Python's
    /// `RotatingFileHandler`. The default.
    #[default]
    Size,
    /// On a schedule set by `log_rotate_when` and `log_rotate_interval`,
    /// as Python's `TimedRotatingFileHandler`.
    Time,
}

impl FromStr for RotateMode {
    type Err = LogError;

    /// Reads `size` or `time` (in any case).
    fn from_str(s: &str) -> Result<Self, LogError> {
        if s.eq_ignore_ascii_case("size") {
            Ok(RotateMode::Size)
        } else if s.eq_ignore_ascii_case("time") {
            Ok(RotateMode::Time)
        } else {
            Err(LogError::InvalidRotateMode(s.to_owned()))
        }
    }
}

impl fmt::Display for RotateMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RotateMode::Size => "size",
            RotateMode::Time => "time",
        })
    }
}

/// The unit of time rotation (Tornado's `--log_rotate_when`, the `when`
/// of Python's `TimedRotatingFileHandler`). `log_rotate_interval` counts
/// these units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum RotateWhen {
    /// `S`: seconds.
    Seconds,
    /// `M`: minutes.
    Minutes,
    /// `H`: hours.
    Hours,
    /// `D`: days (24 hours from the file's start, not at midnight).
    Days,
    /// `W0`-`W6`: weeks, rotating at the midnight that ends the given
    /// weekday (`W0` is Monday), as Python's handler does.
    Weekday(Weekday),
    /// `midnight`: days, rotating at local midnight. The default.
    #[default]
    Midnight,
}

/// The longest time one log file may cover: 10,000 years of 365.2425
/// days. Rollover times stay far inside the dates the calendar can
/// represent.
const MAX_PERIOD_DAYS: u32 = 3_652_425;

impl RotateWhen {
    /// The largest `log_rotate_interval` accepted with this unit: the
    /// interval may cover at most 10,000 years (3,652,425 days). That is
    /// 87,658,200 for hours, 3,652,425 for days and midnight, 521,775 for
    /// weeks; any `u32` for seconds and minutes (`u32::MAX` minutes is
    /// about 8,166 years).
    pub fn max_interval(self) -> u32 {
        match self {
            RotateWhen::Seconds | RotateWhen::Minutes => u32::MAX,
            RotateWhen::Hours => MAX_PERIOD_DAYS * 24,
            RotateWhen::Days | RotateWhen::Midnight => MAX_PERIOD_DAYS,
            RotateWhen::Weekday(_) => MAX_PERIOD_DAYS / 7,
        }
    }
}

impl FromStr for RotateWhen {
    type Err = LogError;

    /// Reads `S`, `M`, `H`, `D`, `W0`..`W6` or `midnight` (in any case).
    fn from_str(s: &str) -> Result<Self, LogError> {
        let invalid = || LogError::InvalidRotateWhen(s.to_owned());
        match s.to_ascii_uppercase().as_str() {
            "S" => Ok(RotateWhen::Seconds),
            "M" => Ok(RotateWhen::Minutes),
            "H" => Ok(RotateWhen::Hours),
            "D" => Ok(RotateWhen::Days),
            "MIDNIGHT" => Ok(RotateWhen::Midnight),
            upper => {
                let day = upper.strip_prefix('W').ok_or_else(invalid)?;
                let day: u8 = match day.as_bytes() {
                    [d @ b'0'..=b'6'] => d - b'0',
                    _ => return Err(invalid()),
                };
                Weekday::try_from(day)
                    .map(RotateWhen::Weekday)
                    .map_err(|_| invalid())
            }
        }
    }
}

impl fmt::Display for RotateWhen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RotateWhen::Seconds => f.write_str("S"),
            RotateWhen::Minutes => f.write_str("M"),
            RotateWhen::Hours => f.write_str("H"),
            RotateWhen::Days => f.write_str("D"),
            RotateWhen::Weekday(day) => write!(f, "W{}", day.num_days_from_monday()),
            RotateWhen::Midnight => f.write_str("midnight"),
        }
    }
}

/// Tornado's logging options with Tornado's defaults, read by
/// [`enable_pretty_logging`](super::enable_pretty_logging) and
/// [`PrettyLogging::from_options`](super::PrettyLogging::from_options).
///
/// Fields can be set directly, or from strings by name with
/// [`set_option`](LogOptions::set_option) (what a command line or a config
/// file provides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogOptions {
    /// The lowest level logged; `None` (Tornado's `none`) leaves the
    /// logging configuration alone. Default: `Some(INFO)`.
    pub logging: Option<Level>,
    /// Whether to log to stderr (coloured when it is a terminal). `None`
    /// logs to stderr only when no log file is set. Default: `None`.
    pub log_to_stderr: Option<bool>,
    /// The log file's path; `None` writes no file. With several processes,
    /// give each its own path (e.g. include the port). Default: `None`.
    pub log_file_prefix: Option<PathBuf>,
    /// Size rotation: the size a file stays below. Default: 100 MB
    /// (100,000,000 bytes). 0 turns size rotation off.
    pub log_file_max_size: u64,
    /// How many rotated files are kept. Default: 10. 0 turns rotation off
    /// (the file grows without bound), as in Python's handlers.
    pub log_file_num_backups: usize,
    /// Rotate by size or by time. Default: [`RotateMode::Size`].
    pub log_rotate_mode: RotateMode,
    /// Time rotation: the unit. Default: [`RotateWhen::Midnight`].
    pub log_rotate_when: RotateWhen,
    /// Time rotation: how many units each file covers; at least 1, at
    /// most [`RotateWhen::max_interval`] of `log_rotate_when`.
    /// Default: 1.
    pub log_rotate_interval: u32,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            logging: Some(Level::INFO),
            log_to_stderr: None,
            log_file_prefix: None,
            log_file_max_size: 100 * 1000 * 1000,
            log_file_num_backups: 10,
            log_rotate_mode: RotateMode::Size,
            log_rotate_when: RotateWhen::Midnight,
            log_rotate_interval: 1,
        }
    }
}

impl LogOptions {
    /// Sets one option from its string form, as given on a command line
    /// (`--logging=debug`) or in a config file. `name` is Tornado's option
    /// name; `-` and `_` are interchangeable in it. Values:
    ///
    /// - `logging`: `trace`, `debug`, `info`, `warning` (or `warn`),
    ///   `error`, or `none`, in any case;
    /// - `log_to_stderr`: `true`/`false` (also `1`/`0`, `yes`/`no`,
    ///   `t`/`f`, `y`/`n`, in any case);
    /// - `log_file_prefix`: a path (empty: no file);
    /// - `log_file_max_size`, `log_file_num_backups`,
    ///   `log_rotate_interval`: decimal integers (the interval at least 1);
    /// - `log_rotate_mode`: `size` or `time`;
    /// - `log_rotate_when`: `S`, `M`, `H`, `D`, `W0`-`W6` or `midnight`.
    ///
    /// # Errors
    ///
    /// A [`LogError`] naming the option or the value; the options are left
    /// unchanged.
    pub fn set_option(&mut self, name: &str, value: &str) -> Result<(), LogError> {
        match name.replace('-', "_").as_str() {
            "logging" => self.logging = parse_logging(value)?,
            "log_to_stderr" => self.log_to_stderr = Some(parse_bool("log_to_stderr", value)?),
            "log_file_prefix" => {
                self.log_file_prefix = (!value.is_empty()).then(|| PathBuf::from(value));
            }
            "log_file_max_size" => {
                self.log_file_max_size = parse_number("log_file_max_size", value)?
            }
            "log_file_num_backups" => {
                self.log_file_num_backups = parse_number("log_file_num_backups", value)?;
            }
            "log_rotate_mode" => self.log_rotate_mode = value.parse()?,
            "log_rotate_when" => self.log_rotate_when = value.parse()?,
            "log_rotate_interval" => {
                let interval = parse_number("log_rotate_interval", value)?;
                if interval == 0 {
                    return Err(zero_interval(value));
                }
                self.log_rotate_interval = interval;
            }
            _ => return Err(LogError::UnknownOption(name.to_owned())),
        }
        Ok(())
    }
}

/// Reads the `logging` option: a level name, or `none` (in any case) for
/// "leave logging alone".
///
/// # Errors
///
/// [`LogError::InvalidLevel`] for anything else.
pub fn parse_logging(value: &str) -> Result<Option<Level>, LogError> {
    let level = match value.to_ascii_lowercase().as_str() {
        "none" => return Ok(None),
        "trace" => Level::TRACE,
        "debug" => Level::DEBUG,
        "info" => Level::INFO,
        "warning" | "warn" => Level::WARN,
        "error" => Level::ERROR,
        _ => return Err(LogError::InvalidLevel(value.to_owned())),
    };
    Ok(Some(level))
}

/// The error for a `log_rotate_interval` of 0.
pub(super) fn zero_interval(value: &str) -> LogError {
    LogError::InvalidValue {
        option: "log_rotate_interval",
        value: value.to_owned(),
        reason: "expected an integer of at least 1",
    }
}

/// The error for a `log_rotate_interval` above
/// [`RotateWhen::max_interval`].
pub(super) fn interval_too_long(interval: u32) -> LogError {
    LogError::InvalidValue {
        option: "log_rotate_interval",
        value: interval.to_string(),
        reason: "a rotation period may cover at most 10,000 years",
    }
}

fn parse_bool(option: &'static str, value: &str) -> Result<bool, LogError> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" => Ok(true),
        "false" | "f" | "0" | "no" | "n" => Ok(false),
        _ => Err(LogError::InvalidValue {
            option,
            value: value.to_owned(),
            reason: "expected true or false",
        }),
    }
}

fn parse_number<T: FromStr>(option: &'static str, value: &str) -> Result<T, LogError> {
    value.trim().parse().map_err(|_| LogError::InvalidValue {
        option,
        value: value.to_owned(),
        reason: "expected a non-negative integer",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_tornados() {
        let o = LogOptions::default();
        assert_eq!(o.logging, Some(Level::INFO));
        assert_eq!(o.log_to_stderr, None);
        assert_eq!(o.log_file_prefix, None);
        assert_eq!(o.log_file_max_size, 100_000_000);
        assert_eq!(o.log_file_num_backups, 10);
        assert_eq!(o.log_rotate_mode, RotateMode::Size);
        assert_eq!(o.log_rotate_when, RotateWhen::Midnight);
        assert_eq!(o.log_rotate_interval, 1);
    }

    #[test]
    fn rotate_when_reads_and_writes_pythons_names() {
        for name in ["S", "M", "H", "D", "W0", "W3", "W6", "midnight"] {
            let when: RotateWhen = name.parse().unwrap();
            assert_eq!(when.to_string(), name);
        }
        assert_eq!(
            "w0".parse::<RotateWhen>().unwrap(),
            RotateWhen::Weekday(Weekday::Mon)
        );
        assert_eq!(
            "W6".parse::<RotateWhen>().unwrap(),
            RotateWhen::Weekday(Weekday::Sun)
        );
        assert_eq!(
            "MIDNIGHT".parse::<RotateWhen>().unwrap(),
            RotateWhen::Midnight
        );
        for bad in ["", "W", "W7", "W01", "X", "midnigh", "SS"] {
            assert!(
                matches!(bad.parse::<RotateWhen>(), Err(LogError::InvalidRotateWhen(v)) if v == bad),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn rotate_mode_reads_size_and_time_only() {
        assert_eq!("size".parse::<RotateMode>().unwrap(), RotateMode::Size);
        assert_eq!("TIME".parse::<RotateMode>().unwrap(), RotateMode::Time);
        assert!("sized".parse::<RotateMode>().is_err());
        assert_eq!(RotateMode::Time.to_string(), "time");
    }

    #[test]
    fn set_option_parses_every_option_and_keeps_old_values_on_error() {
        let mut o = LogOptions::default();
        o.set_option("logging", "DEBUG").unwrap();
        o.set_option("log-to-stderr", "yes").unwrap();
        o.set_option("log_file_prefix", "app.log").unwrap();
        o.set_option("log_file_max_size", "1024").unwrap();
        o.set_option("log_file_num_backups", "3").unwrap();
        o.set_option("log_rotate_mode", "time").unwrap();
        o.set_option("log_rotate_when", "H").unwrap();
        o.set_option("log_rotate_interval", "6").unwrap();
        let expected = LogOptions {
            logging: Some(Level::DEBUG),
            log_to_stderr: Some(true),
            log_file_prefix: Some(PathBuf::from("app.log")),
            log_file_max_size: 1024,
            log_file_num_backups: 3,
            log_rotate_mode: RotateMode::Time,
            log_rotate_when: RotateWhen::Hours,
            log_rotate_interval: 6,
        };
        assert_eq!(o, expected);

        assert!(matches!(
            o.set_option("log_rotate_interval", "0"),
            Err(LogError::InvalidValue { .. })
        ));
        assert!(matches!(
            o.set_option("log_file_max_size", "-1"),
            Err(LogError::InvalidValue { .. })
        ));
        assert!(matches!(
            o.set_option("log_to_stderr", "maybe"),
            Err(LogError::InvalidValue { .. })
        ));
        assert!(matches!(
            o.set_option("logging", "loud"),
            Err(LogError::InvalidLevel(_))
        ));
        assert!(matches!(
            o.set_option("log_colour", "1"),
            Err(LogError::UnknownOption(_))
        ));
        assert_eq!(o, expected);

        o.set_option("log_file_prefix", "").unwrap();
        assert_eq!(o.log_file_prefix, None);
        o.set_option("logging", "None").unwrap();
        assert_eq!(o.logging, None);
    }

    #[test]
    fn parse_logging_accepts_level_names_in_any_case() {
        assert_eq!(parse_logging("Warning").unwrap(), Some(Level::WARN));
        assert_eq!(parse_logging("warn").unwrap(), Some(Level::WARN));
        assert_eq!(parse_logging("trace").unwrap(), Some(Level::TRACE));
        assert_eq!(parse_logging("ERROR").unwrap(), Some(Level::ERROR));
        assert_eq!(parse_logging("NONE").unwrap(), None);
    }
}
