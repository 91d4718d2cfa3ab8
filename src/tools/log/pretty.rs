//! Tornado's `enable_pretty_logging`: the outputs the logging options ask
//! for, as a `tracing` layer.

use std::io::IsTerminal;
use std::num::NonZeroU32;

use tracing::{Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

use super::options::{interval_too_long, zero_interval};
use super::timed_schedule::TimedSchedule;
use super::{LogError, LogFormatter, LogOptions, RotateMode, RotatingFileWriter};

/// The outputs chosen from [`LogOptions`]: a level, a rotated log file
/// (never coloured) and/or stderr (coloured when it is a terminal).
///
/// Build it with [`from_options`](PrettyLogging::from_options) and plug
/// [`layer`](PrettyLogging::layer) into any subscriber (for instance one
/// installed only for a test with `tracing::subscriber::with_default`), or
/// let [`enable_pretty_logging`] install it globally.
#[derive(Debug, Clone)]
pub struct PrettyLogging {
    level: Level,
    file: Option<RotatingFileWriter>,
    stderr: Option<bool>,
}

impl PrettyLogging {
    /// Reads the options: `None` when `logging` is `None` (Tornado's
    /// `none`: leave logging alone). Otherwise opens the log file when
    /// `log_file_prefix` is set, and logs to stderr when `log_to_stderr`
    /// says so or, left unset, when there is no file; stderr output is
    /// coloured when stderr is a terminal.
    ///
    /// # Errors
    ///
    /// [`LogError::InvalidValue`] for a `log_rotate_interval` of 0 or
    /// above [`RotateWhen::max_interval`](super::RotateWhen::max_interval)
    /// (time rotation only);
    /// [`LogError::OpenFile`] when the log file cannot be opened.
    pub fn from_options(options: &LogOptions) -> Result<Option<PrettyLogging>, LogError> {
        let Some(level) = options.logging else {
            return Ok(None);
        };
        let file = match &options.log_file_prefix {
            Some(path) => Some(open_log_file(options, path)?),
            None => None,
        };
        let to_stderr = options.log_to_stderr.unwrap_or(file.is_none());
        Ok(Some(PrettyLogging {
            level,
            file,
            stderr: to_stderr.then(|| std::io::stderr().is_terminal()),
        }))
    }

    /// The lowest level logged.
    pub fn level(&self) -> Level {
        self.level
    }

    /// The log file, if one was asked for.
    pub fn file(&self) -> Option<&RotatingFileWriter> {
        self.file.as_ref()
    }

    /// Whether events go to stderr.
    pub fn logs_to_stderr(&self) -> bool {
        self.stderr.is_some()
    }

    /// Whether the stderr output is coloured (stderr is a terminal).
    pub fn stderr_colored(&self) -> bool {
        self.stderr == Some(true)
    }

    /// A layer writing every event at [`level`](PrettyLogging::level) or
    /// above, formatted by [`LogFormatter`], to the chosen outputs.
    pub fn layer<S>(&self) -> Box<dyn Layer<S> + Send + Sync + 'static>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let mut outputs = Vec::new();
        if let Some(file) = &self.file {
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .event_format(LogFormatter::new())
                .with_writer(file.clone());
            outputs.push(layer.boxed());
        }
        if let Some(color) = self.stderr {
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(color)
                .event_format(LogFormatter::new().with_color(color))
                .with_writer(std::io::stderr);
            outputs.push(layer.boxed());
        }
        outputs
            .with_filter(LevelFilter::from_level(self.level))
            .boxed()
    }
}

/// Turns on Tornado-style logging for the whole process as the options
/// say, by installing a global `tracing` subscriber with
/// [`PrettyLogging::layer`]. Returns `None`, and installs nothing, when
/// `options.logging` is `None`.
///
/// Tornado calls this from `parse_command_line`; call it once, early in
/// `main`. Nothing needs to be kept alive: the outputs write synchronously.
///
/// # Errors
///
/// Those of [`PrettyLogging::from_options`], and
/// [`LogError::AlreadyInstalled`] when a global subscriber exists already
/// (`tracing` allows one per process).
pub fn enable_pretty_logging(options: &LogOptions) -> Result<Option<PrettyLogging>, LogError> {
    let Some(pretty) = PrettyLogging::from_options(options)? else {
        return Ok(None);
    };
    let subscriber = tracing_subscriber::registry().with(pretty.layer());
    tracing::subscriber::set_global_default(subscriber).map_err(|_| LogError::AlreadyInstalled)?;
    Ok(Some(pretty))
}

fn open_log_file(
    options: &LogOptions,
    path: &std::path::Path,
) -> Result<RotatingFileWriter, LogError> {
    let opened = match options.log_rotate_mode {
        RotateMode::Size => RotatingFileWriter::by_size(
            path,
            options.log_file_max_size,
            options.log_file_num_backups,
        ),
        RotateMode::Time => {
            let interval = NonZeroU32::new(options.log_rotate_interval)
                .ok_or_else(|| zero_interval(&options.log_rotate_interval.to_string()))?;
            let schedule = TimedSchedule::new(options.log_rotate_when, interval)
                .ok_or_else(|| interval_too_long(interval.get()))?;
            RotatingFileWriter::on_schedule(
                path.to_owned(),
                schedule,
                options.log_file_num_backups,
                chrono::Local::now,
            )
        }
    };
    opened.map_err(|source| LogError::OpenFile {
        path: path.to_owned(),
        source,
    })
}
