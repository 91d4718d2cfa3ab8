//! [`ExpectLog`]: expect a log message, and keep it out of the output.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use regex::Regex;
use tracing::Level;
use tracing::dispatcher::DefaultGuard;

use super::interceptor::{Hook, intercept};
use super::log_record::LogRecord;

/// Expects a log message and swallows it (Tornado's `ExpectLog`): while
/// it lives, every event on `target` whose message matches the pattern is
/// kept out of the log output, and when it ends without having seen one,
/// the test fails. Events that do not match go on to the subscriber in
/// place, so unexpected messages stay visible.
///
/// - **Target**: an event matches when its target is `target` or below it
///   (`"supercell"` covers `supercell::application`); `""` watches every
///   target (Tornado's root logger).
/// - **Pattern**: a regular expression matched at the start of the
///   message, as Python's `re.match`: `"Uncaught"` matches
///   `"Uncaught exception"`, and `".*exception"` is needed to find a word
///   further in. The message is the event's `message` field, formatted.
/// - **Level**: with [`level`](ExpectLog::level), only events of exactly
///   that level match (Tornado 6.1's `level=`); a matching message at
///   another level passes and is reported if the check fails. Events of
///   every level are seen, even those the subscriber in place filters out.
/// - **Required**: by default at least one event must match
///   ([`required(false)`](ExpectLog::required) only swallows).
///
/// The check covers events logged **on the thread that made it**, and
/// only those: on a current-thread runtime (`#[tokio::test]` without a
/// `flavor`, [`run_test`](super::run_test)) that is the test body, every
/// task it spawns and every server it starts. Events of other threads (a
/// multi-thread runtime's workers, the blocking pool,
/// `spawn_blocking`, threads the test starts) are not seen: an expected
/// message logged there is missed, a required check fails and an
/// unwanted one reaches the output. **Tests that check logs must
/// therefore run on a current-thread runtime** (never
/// `#[tokio::test(flavor = "multi_thread")]`). For the same reason an
/// `ExpectLog` is neither `Send` nor `Sync`. Checks nest; the innermost
/// sees an event first.
///
/// ```
/// use supercell::testing::ExpectLog;
/// use supercell::util::log_target::APP_LOG;
///
/// let expected = ExpectLog::new(APP_LOG, "Uncaught exception").unwrap();
/// tracing::error!(target: APP_LOG, "Uncaught exception GET /");
/// assert!(expected.matched());
/// expected.finish().unwrap();
/// ```
pub struct ExpectLog {
    check: Arc<Check>,
    guard: Option<DefaultGuard>,
    _on_this_thread: PhantomData<*const ()>,
}

/// A required [`ExpectLog`] ended without a matching message (Tornado's
/// "did not get expected log message").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct MissingLogError {
    /// The watched target.
    pub target: String,
    /// The pattern no message matched.
    pub pattern: String,
    /// The only level that could match, if one was set.
    pub level: Option<Level>,
    /// Levels of the events whose message matched at another level.
    pub other_levels: Vec<Level>,
}

impl MissingLogError {
    fn describe(&self) -> String {
        let mut text = format!(
            "did not get expected log message: nothing on target {:?} matched {:?}",
            self.target, self.pattern
        );
        if let Some(level) = self.level {
            text.push_str(&format!(" at level {level}"));
        }
        if !self.other_levels.is_empty() {
            let levels: Vec<String> = self.other_levels.iter().map(Level::to_string).collect();
            text.push_str(&format!(
                " (matching messages came at {})",
                levels.join(", ")
            ));
        }
        text
    }
}

impl ExpectLog {
    /// Starts expecting a message matching `pattern` on `target`, on the
    /// calling thread.
    ///
    /// # Errors
    /// When `pattern` is not a valid regular expression.
    pub fn new(target: &str, pattern: &str) -> Result<ExpectLog, regex::Error> {
        // Checked alone first: only a well-formed pattern is safe to wrap.
        Regex::new(pattern)?;
        let regex = Regex::new(&format!(r"\A(?:{pattern})"))?;
        let check = Arc::new(Check {
            target: target.to_owned(),
            pattern: pattern.to_owned(),
            regex,
            state: Mutex::new(State::default()),
        });
        let guard = intercept(check.clone());
        Ok(ExpectLog {
            check,
            guard: Some(guard),
            _on_this_thread: PhantomData,
        })
    }

    /// Whether at least one message must match (Tornado's `required`).
    /// Default: true.
    pub fn required(self, required: bool) -> ExpectLog {
        self.check.state().required = required;
        self
    }

    /// Only events of this level match (Tornado 6.1's `level`). Default:
    /// any level.
    pub fn level(self, level: Level) -> ExpectLog {
        self.check.state().level = Some(level);
        self
    }

    /// Whether a message has matched (and been swallowed) so far.
    pub fn matched(&self) -> bool {
        !self.check.state().swallowed.is_empty()
    }

    /// The records swallowed so far, oldest first.
    pub fn records(&self) -> Vec<LogRecord> {
        self.check.state().swallowed.clone()
    }

    /// Whether an event on the target carried an error value (matched or
    /// not): Tornado's `logged_stack`, set when a record had `exc_info`.
    pub fn logged_stack(&self) -> bool {
        self.check.state().logged_stack
    }

    /// Stops watching and checks the outcome, instead of panicking on drop.
    ///
    /// # Errors
    /// [`MissingLogError`] when a required message never came.
    pub fn finish(mut self) -> Result<(), MissingLogError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<(), MissingLogError> {
        let mut state = self.check.state();
        state.finished = true;
        let missing = state.required && state.swallowed.is_empty();
        let error = missing.then(|| MissingLogError {
            target: self.check.target.clone(),
            pattern: self.check.pattern.clone(),
            level: state.level,
            other_levels: state.other_levels.clone(),
        });
        drop(state);
        self.guard = None;
        error.map_or(Ok(()), Err)
    }
}

impl Drop for ExpectLog {
    /// Stops watching. A required message that never came fails the test
    /// with a panic, unless the thread is already panicking.
    fn drop(&mut self) {
        if self.guard.is_none() {
            return;
        }
        if let Err(error) = self.stop()
            && !std::thread::panicking()
        {
            panic!("{error}");
        }
    }
}

impl fmt::Debug for ExpectLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.check.state();
        f.debug_struct("ExpectLog")
            .field("target", &self.check.target)
            .field("pattern", &self.check.pattern)
            .field("level", &state.level)
            .field("required", &state.required)
            .field("matched", &!state.swallowed.is_empty())
            .finish()
    }
}

/// What an [`ExpectLog`] looks for, and what it has seen.
struct Check {
    target: String,
    pattern: String,
    /// `pattern`, anchored at the start of the message.
    regex: Regex,
    state: Mutex<State>,
}

struct State {
    level: Option<Level>,
    required: bool,
    swallowed: Vec<LogRecord>,
    other_levels: Vec<Level>,
    logged_stack: bool,
    /// Ended: events pass untouched (reached only when checks are dropped
    /// out of nesting order).
    finished: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            level: None,
            required: true,
            swallowed: Vec::new(),
            other_levels: Vec::new(),
            logged_stack: false,
            finished: false,
        }
    }
}

impl Check {
    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent whatever panicked while it was held.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Hook for Check {
    fn on_record(&self, record: &LogRecord) -> bool {
        if !record.is_on(&self.target) {
            return false;
        }
        let mut state = self.state();
        if state.finished {
            return false;
        }
        if record.error.is_some() {
            state.logged_stack = true;
        }
        if !self.regex.is_match(&record.message) {
            return false;
        }
        match state.level {
            Some(level) if level != record.level => {
                if !state.other_levels.contains(&record.level) {
                    state.other_levels.push(record.level);
                }
                false
            }
            _ => {
                state.swallowed.push(record.clone());
                true
            }
        }
    }
}
