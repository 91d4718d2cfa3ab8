//! Captures what the code under test logs (Tornado's `ExpectLog`).

use std::fmt;
use std::sync::{Arc, Mutex, Once};

use supercell::util::log_target::APP_LOG;
use tracing::field::{Field, Visit};
use tracing::subscriber::DefaultGuard;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// One logged event.
#[derive(Debug, Clone)]
pub struct Record {
    pub level: Level,
    pub target: String,
    pub message: String,
}

/// Every event logged on the capturing thread while the guard of
/// [`Logs::capture`] lives.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<Record>>>);

impl Logs {
    /// Captures for the current thread until the guard drops.
    ///
    /// A process-wide subscriber that accepts every event is installed
    /// first (once): tracing caches per call site whether anyone listens,
    /// and without it a call site first reached on a thread that captures
    /// nothing would stay silenced for the threads that do.
    pub fn capture() -> (Logs, DefaultGuard) {
        static LISTEN_EVERYWHERE: Once = Once::new();
        LISTEN_EVERYWHERE.call_once(|| {
            // Fails only if the test binary installed its own global
            // subscriber, which then decides the same way.
            let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
        });
        let logs = Logs::default();
        let subscriber = tracing_subscriber::registry().with(logs.clone());
        (logs, tracing::subscriber::set_default(subscriber))
    }

    /// Everything logged so far, of any level and target.
    pub fn records(&self) -> Vec<Record> {
        self.0.lock().unwrap().clone()
    }

    /// The messages of the error-level events on the application log so
    /// far (Tornado's `ExpectLog(app_log, ...)`).
    pub fn app_errors(&self) -> Vec<String> {
        self.records()
            .into_iter()
            .filter(|r| r.target == APP_LOG && r.level == Level::ERROR)
            .map(|r| r.message)
            .collect()
    }
}

impl<S: Subscriber> Layer<S> for Logs {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        let mut message = Message(String::new());
        event.record(&mut message);
        self.0.lock().unwrap().push(Record {
            level: *meta.level(),
            target: meta.target().to_owned(),
            message: message.0,
        });
    }
}

/// Reads the `message` field of an event.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}
