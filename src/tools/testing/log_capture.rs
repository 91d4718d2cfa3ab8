//! [`LogCapture`]: keep every log record of a test to look at it.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tracing::Level;
use tracing::dispatcher::DefaultGuard;

use super::interceptor::{Hook, intercept};
use super::log_record::LogRecord;
use crate::util::log_target::APP_LOG;

/// Records every event logged on the calling thread while it lives, of
/// every level and target, and lets them through to the subscriber in
/// place: for tests that check what was logged beyond one expected
/// message (use [`ExpectLog`](super::ExpectLog) for that).
///
/// Like `ExpectLog`, it sees the events of its own thread only (on a
/// current-thread runtime: the test, its tasks and its servers) and is
/// neither `Send` nor `Sync`.
///
/// ```
/// use supercell::testing::LogCapture;
/// use supercell::util::log_target::{APP_LOG, GEN_LOG};
///
/// let logs = LogCapture::start();
/// tracing::warn!(target: GEN_LOG, "Invalid multipart/form-data");
/// tracing::error!(target: APP_LOG, "Exception in callback");
/// assert_eq!(logs.records().len(), 2);
/// assert_eq!(logs.app_errors(), ["Exception in callback"]);
/// ```
pub struct LogCapture {
    records: Arc<Records>,
    _guard: DefaultGuard,
    _on_this_thread: PhantomData<*const ()>,
}

impl LogCapture {
    /// Starts recording on the calling thread; recording stops when the
    /// value drops.
    pub fn start() -> LogCapture {
        let records = Arc::new(Records::default());
        let guard = intercept(records.clone());
        LogCapture {
            records,
            _guard: guard,
            _on_this_thread: PhantomData,
        }
    }

    /// Everything recorded so far, oldest first.
    pub fn records(&self) -> Vec<LogRecord> {
        self.records.lock().clone()
    }

    /// The messages of the error-level events on the application log
    /// ([`APP_LOG`]) so far: the errors user code caused, such as
    /// panicking callbacks.
    pub fn app_errors(&self) -> Vec<String> {
        self.records
            .lock()
            .iter()
            .filter(|r| r.level == Level::ERROR && r.is_on(APP_LOG))
            .map(|r| r.message.clone())
            .collect()
    }
}

impl fmt::Debug for LogCapture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogCapture")
            .field("records", &*self.records.lock())
            .finish()
    }
}

#[derive(Default)]
struct Records(Mutex<Vec<LogRecord>>);

impl Records {
    fn lock(&self) -> MutexGuard<'_, Vec<LogRecord>> {
        // A list of records stays consistent whatever panicked meanwhile.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Hook for Records {
    fn on_record(&self, record: &LogRecord) -> bool {
        self.lock().push(record.clone());
        false
    }
}
