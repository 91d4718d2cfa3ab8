//! `PeriodicCallback`: a callback run on a fixed schedule.

use std::any::type_name;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::error::PeriodicCallbackError;
use super::io_loop::IoLoop;
use super::report::report_panic;
use super::schedule::Schedule;

type Run = Pin<Box<dyn Future<Output = ()> + Send>>;
/// A user callback; `Some` is the future of an asynchronous run.
type Body = Box<dyn FnMut() -> Option<Run> + Send>;

/// Calls a function every `period` on the loop it was started on
/// (Tornado's `PeriodicCallback`).
///
/// The first run comes one period after [`start`](PeriodicCallback::start).
/// Periods are measured from the start of one run to the start of the next;
/// a run that overruns makes the missed runs be skipped (the schedule
/// realigns to whole periods) rather than run in a burst. A run never
/// overlaps the previous one: with an asynchronous callback
/// ([`PeriodicCallback::new_async`]) the next run waits for the previous
/// future to complete. A run that panics is logged as "Exception in callback
/// ..." and the schedule goes on.
///
/// The value is a cheap handle: clones control the same schedule (so a
/// callback may hold one to stop itself), and it is `Send + Sync`, so it can
/// be made on one thread and started on another.
#[derive(Clone)]
pub struct PeriodicCallback {
    shared: Arc<Shared>,
}

struct Shared {
    /// Locked for a whole run, so runs never overlap.
    body: tokio::sync::Mutex<Body>,
    name: &'static str,
    schedule: Mutex<Schedule>,
    /// `Some` while started; dropping the sender stops the schedule.
    running: Mutex<Option<oneshot::Sender<()>>>,
}

impl PeriodicCallback {
    /// A callback run every `period`.
    ///
    /// # Errors
    /// [`PeriodicCallbackError::NonPositivePeriod`] for a zero period.
    pub fn new<F>(mut callback: F, period: Duration) -> Result<Self, PeriodicCallbackError>
    where
        F: FnMut() + Send + 'static,
    {
        PeriodicCallback::with_body(
            type_name::<F>(),
            Box::new(move || {
                callback();
                None
            }),
            period,
        )
    }

    /// An asynchronous callback run every `period`; a run lasts until its
    /// future completes, and the next run waits for it.
    ///
    /// # Errors
    /// [`PeriodicCallbackError::NonPositivePeriod`] for a zero period.
    pub fn new_async<F, Fut>(
        mut callback: F,
        period: Duration,
    ) -> Result<Self, PeriodicCallbackError>
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        PeriodicCallback::with_body(
            type_name::<F>(),
            Box::new(move || Some(Box::pin(callback()) as Run)),
            period,
        )
    }

    fn with_body(
        name: &'static str,
        body: Body,
        period: Duration,
    ) -> Result<Self, PeriodicCallbackError> {
        Ok(PeriodicCallback {
            shared: Arc::new(Shared {
                body: tokio::sync::Mutex::new(body),
                name,
                schedule: Mutex::new(Schedule::new(period)?),
                running: Mutex::new(None),
            }),
        })
    }

    /// Randomises every period within a window of `jitter * period` centred
    /// on the period (Tornado's `jitter`, added in 5.1): `0.1` lets each
    /// period vary by 10%, from 95% to 105%. Default: `0.0`. Spreads out
    /// events that would otherwise line up.
    ///
    /// # Errors
    /// [`PeriodicCallbackError::InvalidJitter`] unless `0 <= jitter < 2`.
    pub fn with_jitter(self, jitter: f64) -> Result<Self, PeriodicCallbackError> {
        {
            let mut schedule = self.shared.schedule();
            *schedule = schedule.with_jitter(jitter)?;
        }
        Ok(self)
    }

    /// The period between runs.
    pub fn period(&self) -> Duration {
        self.shared.schedule().period()
    }

    /// The jitter fraction (see [`with_jitter`](PeriodicCallback::with_jitter)).
    pub fn jitter(&self) -> f64 {
        self.shared.schedule().jitter()
    }

    /// Starts the schedule on [`IoLoop::current`], looked up now (so the
    /// callback can be made on one thread and started on another, for
    /// example from a callback given to `add_callback`). Starting a started
    /// callback does nothing.
    ///
    /// # Panics
    /// Outside any loop or tokio runtime, as [`IoLoop::current`] does; use
    /// [`start_on`](PeriodicCallback::start_on) to name the loop instead.
    #[track_caller]
    pub fn start(&self) {
        self.start_on(&IoLoop::current());
    }

    /// Starts the schedule on `io_loop`. Callable from any thread.
    /// Starting a started callback does nothing.
    pub fn start_on(&self, io_loop: &IoLoop) {
        let (stop_tx, stop_rx) = oneshot::channel();
        {
            let mut running = self.shared.running();
            if running.as_ref().is_some_and(|tx| !tx.is_closed()) {
                return;
            }
            *running = Some(stop_tx);
        }
        let begin = io_loop.time();
        drop(
            io_loop
                .handle()
                .spawn(run_periodically(self.shared.clone(), begin, stop_rx)),
        );
    }

    /// Stops the schedule. A run in progress finishes; no other run starts.
    pub fn stop(&self) {
        // Dropping the sender wakes the schedule's task, which ends.
        drop(self.shared.running().take());
    }

    /// Whether the callback was started and not stopped since, and its
    /// loop still runs it (a closed loop ends every schedule on it).
    pub fn is_running(&self) -> bool {
        self.shared
            .running()
            .as_ref()
            .is_some_and(|tx| !tx.is_closed())
    }
}

impl Shared {
    fn schedule(&self) -> MutexGuard<'_, Schedule> {
        self.schedule.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn running(&self) -> MutexGuard<'_, Option<oneshot::Sender<()>>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One run of the callback, to the end of its future, panics logged.
    async fn run_once(&self) {
        let mut body = self.body.lock().await;
        let pending = catch_unwind(AssertUnwindSafe(&mut *body)).unwrap_or_else(|payload| {
            report_panic(self.name, payload);
            None
        });
        if let Some(run) = pending
            && let Err(payload) = AssertUnwindSafe(run).catch_unwind().await
        {
            report_panic(self.name, payload);
        }
    }
}

/// The task behind a started callback: sleep to the next planned run, run,
/// plan the one after, until stopped.
async fn run_periodically(shared: Arc<Shared>, begin: Instant, mut stop: oneshot::Receiver<()>) {
    let mut next = begin;
    loop {
        let schedule = *shared.schedule();
        next = schedule.next_after(next, Instant::now(), rand::random());
        tokio::select! {
            biased;
            _ = &mut stop => return,
            () = tokio::time::sleep_until(next) => {}
        }
        shared.run_once().await;
    }
}

impl fmt::Debug for PeriodicCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let schedule = *self.shared.schedule();
        f.debug_struct("PeriodicCallback")
            .field("callback", &self.shared.name)
            .field("period", &schedule.period())
            .field("jitter", &schedule.jitter())
            .field("running", &self.is_running())
            .finish()
    }
}
