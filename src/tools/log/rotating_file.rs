//! [`RotatingFileWriter`]: a log file rotated by size or by time.

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Local};
use tracing_subscriber::fmt::MakeWriter;

use super::RotateWhen;
use super::clock::Clock;
use super::timed_schedule::TimedSchedule;
use crate::util::lock;

/// A log file that rotates, as Python's `RotatingFileHandler` (by size) or
/// `TimedRotatingFileHandler` (by time), which Tornado's
/// `--log_file_prefix` sets up.
///
/// The file is opened for appending when the writer is made; each `write`
/// call is one record (the way `tracing_subscriber`'s `fmt` layer writes
/// an event), checked for rotation before it is written. Writes go straight
/// to the file: nothing is buffered, so nothing is lost when the process
/// exits, and no flush guard is needed.
///
/// - **By size**: before a record is written, if the file is not empty and
///   the record would bring it to `max_bytes` or beyond (the file's real
///   size is read for each record, as Python's handler does, so that
///   several processes appending to one path, as after
///   `fork_processes`, each see what the others wrote), `path` becomes
///   `path.1`, `path.1` becomes `path.2`, and so on up to
///   `path.<backup_count>` (the oldest is dropped), and a new `path` is
///   started. A file thus stays below `max_bytes` unless a single record is
///   larger. `max_bytes == 0` or `backup_count == 0` turns rotation off.
/// - **By time**: the first rollover is computed from the file's
///   modification time (or now, for a new file) following
///   [`RotateWhen`] and `interval`; the first record written at or after it
///   renames `path` to `path.<suffix>`, the suffix naming the period that
///   ended (`%Y-%m-%d` for days, `%Y-%m-%d_%H` for hours, and so on), and
///   only the `backup_count` newest of those are kept (`0` keeps all).
///
/// As in Python's handlers, a file that was removed or moved away by
/// someone else is not an error: there is nothing to rotate. Whatever
/// happens during a rotation, the writer then reopens `path` (creating it)
/// for the record, and a time rotation moves on to the next period; a
/// rotation that fails otherwise (a backup that cannot be renamed or
/// removed) is told on stderr, as Python's `Handler.handleError` does, and
/// the record still reaches the file. A write fails only when `path`
/// cannot be opened or written; the next record tries to open it again.
///
/// The writer is a cheap handle: clones share the file.
#[derive(Clone)]
pub struct RotatingFileWriter {
    state: Arc<Mutex<State>>,
}

struct State {
    path: PathBuf,
    /// `None` after a rotation until the file is reopened at `path`.
    file: Option<File>,
    rotation: Rotation,
}

enum Rotation {
    Never,
    Size { max_bytes: u64, backups: usize },
    Time(TimedRotation),
}

struct TimedRotation {
    schedule: TimedSchedule,
    backups: usize,
    /// `None` once the next rollover would fall past the last date the
    /// calendar represents: the file is then never rotated again.
    rollover_at: Option<DateTime<Local>>,
    clock: Box<dyn Clock>,
}

impl RotatingFileWriter {
    /// Opens `path` for appending (creating it), rotated by size.
    ///
    /// # Errors
    ///
    /// The error of opening the file.
    pub fn by_size(
        path: impl Into<PathBuf>,
        max_bytes: u64,
        backup_count: usize,
    ) -> io::Result<RotatingFileWriter> {
        let rotation = if max_bytes > 0 && backup_count > 0 {
            Rotation::Size {
                max_bytes,
                backups: backup_count,
            }
        } else {
            Rotation::Never
        };
        RotatingFileWriter::open(path.into(), rotation)
    }

    /// Opens `path` for appending (creating it), rotated every `interval`
    /// units of `when` on the local clock.
    ///
    /// # Errors
    ///
    /// An [`io::ErrorKind::InvalidInput`] error when `interval` is above
    /// [`RotateWhen::max_interval`] (a period longer than 10,000 years);
    /// the error of opening the file.
    pub fn by_time(
        path: impl Into<PathBuf>,
        when: RotateWhen,
        interval: NonZeroU32,
        backup_count: usize,
    ) -> io::Result<RotatingFileWriter> {
        RotatingFileWriter::by_time_with_clock(path, when, interval, backup_count, Local::now)
    }

    /// As [`by_time`](RotatingFileWriter::by_time), reading the time from
    /// `clock` (a test clock, for instance).
    ///
    /// # Errors
    ///
    /// As [`by_time`](RotatingFileWriter::by_time).
    pub fn by_time_with_clock(
        path: impl Into<PathBuf>,
        when: RotateWhen,
        interval: NonZeroU32,
        backup_count: usize,
        clock: impl Clock,
    ) -> io::Result<RotatingFileWriter> {
        let schedule = TimedSchedule::new(when, interval).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a rotation interval of {interval} {when} is longer than 10,000 years"),
            )
        })?;
        RotatingFileWriter::on_schedule(path.into(), schedule, backup_count, clock)
    }

    /// Opens `path` for appending (creating it), rotated on `schedule`
    /// read from `clock`.
    pub(super) fn on_schedule(
        path: PathBuf,
        schedule: TimedSchedule,
        backup_count: usize,
        clock: impl Clock,
    ) -> io::Result<RotatingFileWriter> {
        let start = fs::metadata(&path)
            .and_then(|meta| meta.modified())
            .map(DateTime::<Local>::from)
            .unwrap_or_else(|_| clock.now());
        let rotation = Rotation::Time(TimedRotation {
            schedule,
            backups: backup_count,
            rollover_at: schedule.next_rollover(start),
            clock: Box::new(clock),
        });
        RotatingFileWriter::open(path, rotation)
    }

    fn open(path: PathBuf, rotation: Rotation) -> io::Result<RotatingFileWriter> {
        let file = open_append(&path)?;
        let state = State {
            path,
            file: Some(file),
            rotation,
        };
        Ok(RotatingFileWriter {
            state: Arc::new(Mutex::new(state)),
        })
    }

    /// The path of the current log file.
    pub fn path(&self) -> PathBuf {
        lock(&self.state).path.clone()
    }
}

impl fmt::Debug for RotatingFileWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RotatingFileWriter")
            .field("path", &lock(&self.state).path)
            .finish_non_exhaustive()
    }
}

impl Write for &RotatingFileWriter {
    /// Writes `buf` whole as one record, rotating first when it is due.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        lock(&self.state).write_record(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut lock(&self.state).file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Write for RotatingFileWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self).flush()
    }
}

impl<'a> MakeWriter<'a> for RotatingFileWriter {
    type Writer = &'a RotatingFileWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

impl State {
    fn write_record(&mut self, record: &[u8]) -> io::Result<()> {
        let len = record.len() as u64;
        if let Err(err) = self.rotate_if_due(len) {
            report_rotation_failure(&self.path, &err);
        }
        let file = match &mut self.file {
            Some(file) => file,
            closed @ None => closed.insert(open_append(&self.path)?),
        };
        file.write_all(record)
    }

    /// The size of the file records go to: the open file's real size
    /// (other processes may append to it too), or that of `path` when it
    /// is to be reopened.
    fn file_size(&self) -> io::Result<u64> {
        let metadata = match &self.file {
            Some(file) => file.metadata(),
            None => fs::metadata(&self.path),
        };
        match metadata {
            Ok(metadata) => Ok(metadata.len()),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(0),
            Err(err) => Err(err),
        }
    }

    /// Rotates when a record of `len` bytes is due to start a new file.
    /// After a rotation, successful or not, the file is closed, to be
    /// reopened at `path` for the record.
    fn rotate_if_due(&mut self, len: u64) -> io::Result<()> {
        match &mut self.rotation {
            Rotation::Never => Ok(()),
            &mut Rotation::Size { max_bytes, backups } => {
                let size = self.file_size()?;
                if size == 0 || size.saturating_add(len) < max_bytes {
                    return Ok(());
                }
                self.file = None;
                rotate_numbered(&self.path, backups)
            }
            Rotation::Time(timed) => {
                let now = timed.clock.now();
                let Some(rollover_at) = timed.rollover_at.filter(|&at| now >= at) else {
                    return Ok(());
                };
                timed.rollover_at = timed.schedule.next_rollover(now);
                self.file = None;
                let backup = with_suffix(&self.path, &timed.schedule.backup_suffix(rollover_at));
                rename_if_present(&self.path, &backup)?;
                if timed.backups > 0 {
                    remove_old_backups(&self.path, &timed.schedule, timed.backups)?;
                }
                Ok(())
            }
        }
    }
}

/// `path.(n-1)` -> `path.n`, ..., `path` -> `path.1`. A missing file is
/// nothing to rename.
fn rotate_numbered(path: &Path, backups: usize) -> io::Result<()> {
    for i in (1..backups).rev() {
        rename_if_present(
            &with_suffix(path, &i.to_string()),
            &with_suffix(path, &(i + 1).to_string()),
        )?;
    }
    rename_if_present(path, &with_suffix(path, "1"))
}

/// Renames `from` to `to`; a missing `from` (removed or moved by someone
/// else) is not an error.
fn rename_if_present(from: &Path, to: &Path) -> io::Result<()> {
    ignore_missing(fs::rename(from, to))
}

fn ignore_missing(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// A rotation failed: the record still goes to a file reopened at `path`,
/// and, as Python's `Handler.handleError` does, the failure is told on
/// stderr (logging it would come back to this writer).
fn report_rotation_failure(path: &Path, err: &io::Error) {
    eprintln!("cannot rotate log file {}: {err}", path.display());
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// `path` with `.suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes the time-rotated backups of `path` but the `keep` newest.
fn remove_old_backups(path: &Path, schedule: &TimedSchedule, keep: usize) -> io::Result<()> {
    let Some(file_name) = path.file_name().and_then(|name| name.to_str()) else {
        return Ok(());
    };
    let prefix = format!("{file_name}.");
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut backups = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        if let Some(suffix) = name.to_str().and_then(|name| name.strip_prefix(&prefix))
            && schedule.is_backup_suffix(suffix)
        {
            backups.push(name);
        }
    }
    // The suffixes are dates from the largest unit down: their order is
    // the order of time.
    backups.sort();
    let excess = backups.len().saturating_sub(keep);
    for name in &backups[..excess] {
        ignore_missing(fs::remove_file(dir.join(name)))?;
    }
    Ok(())
}
