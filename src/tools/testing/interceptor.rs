//! The scoped subscriber behind the log checks: it shows every event of
//! its thread to a hook, which may swallow it, and hands the rest, and
//! every span, to the subscriber that was in place before.

use std::sync::{Arc, OnceLock};

use tracing::dispatcher::{self, DefaultGuard, Dispatch};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;

use super::log_record::LogRecord;

/// What a log check does with the events it sees.
pub(super) trait Hook: Send + Sync + 'static {
    /// Sees one event; `true` swallows it, `false` lets it through.
    fn on_record(&self, record: &LogRecord) -> bool;
}

/// Makes `hook` see every event logged on the calling thread until the
/// guard drops. Events it lets through go on to the subscriber that was
/// in place (when that one wants them), so nested checks stack: the
/// innermost sees an event first.
pub(super) fn intercept(hook: Arc<dyn Hook>) -> DefaultGuard {
    keep_callsites_listening();
    let prior = dispatcher::get_default(Dispatch::clone);
    dispatcher::set_default(&Dispatch::new(Interceptor { prior, hook }))
}

/// tracing caches, per call site, whether any subscriber listens. While a
/// single subscriber exists it asks only the calling thread's, so a call
/// site first reached on a thread with no subscriber would be cached as
/// silent, and its events lost to an interceptor on another thread. A
/// second subscriber that lives for the whole process makes tracing ask
/// every subscriber instead; it is installed nowhere and wants nothing,
/// so it changes no other decision.
fn keep_callsites_listening() {
    static BYSTANDER: OnceLock<Dispatch> = OnceLock::new();
    BYSTANDER.get_or_init(|| Dispatch::new(Bystander));
}

/// A subscriber interested in nothing.
struct Bystander;

impl Subscriber for Bystander {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::never()
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::OFF)
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        // Never called: no span is enabled.
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

struct Interceptor {
    prior: Dispatch,
    hook: Arc<dyn Hook>,
}

impl Subscriber for Interceptor {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if meta.is_event() {
            Interest::always()
        } else {
            Interest::sometimes()
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        meta.is_event() || self.prior.enabled(meta)
    }

    fn event(&self, event: &Event<'_>) {
        if self.hook.on_record(&LogRecord::from_event(event)) {
            return;
        }
        if self.prior.enabled(event.metadata()) {
            self.prior.event(event);
        }
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.prior.new_span(span)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        self.prior.record(span, values);
    }

    fn record_follows_from(&self, span: &Id, follows: &Id) {
        self.prior.record_follows_from(span, follows);
    }

    fn enter(&self, span: &Id) {
        self.prior.enter(span);
    }

    fn exit(&self, span: &Id) {
        self.prior.exit(span);
    }

    fn clone_span(&self, id: &Id) -> Id {
        self.prior.clone_span(id)
    }

    fn try_close(&self, id: Id) -> bool {
        self.prior.try_close(id)
    }

    fn current_span(&self) -> Current {
        self.prior.current_span()
    }
}
