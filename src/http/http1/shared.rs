//! What a connection's driver and the [`ResponseWriter`](super::ResponseWriter)
//! of its current request share: the gathered output, the state of the
//! response under way, and the flags a
//! [`ServerConnectionHandle`](super::ServerConnectionHandle) sets.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;
use std::time::{Duration, Instant};

use super::codec::HttpDate;
use bytes::Bytes;

use super::codec::{BodyEncoder, RequestInfo, WriteBuffer};
use super::date;
use super::upgrade::Upgraded;
use crate::httputil::RequestContext;
use crate::iostream::{IoStream, WriteFuture};
use crate::util::lock;
use tokio::sync::oneshot;

/// The part of one connection that outlives a single borrow: the stream
/// and the state behind a lock that every holder keeps for a few
/// instructions only.
pub(super) struct ConnShared {
    pub(super) stream: IoStream,
    /// The peer and protocol of the connection: every request's context
    /// unless one is computed for it.
    pub(super) context: Arc<RequestContext>,
    /// Output gathered while corked is written out once it reaches this.
    pub(super) chunk_size: usize,
    /// [`close`](Self::close) was called: the driver stops waiting for its
    /// delegate.
    closing: AtomicBool,
    /// The last finished response, published by whoever finished it (in
    /// the same locked section): its request's generation shifted left
    /// twice, with bit 1 set when the response went out whole at once
    /// and left no output buffer (see [`published_clean`](Self::published_clean))
    /// and bit 0 set when the connection closes after it. Lets the driver
    /// see a finished response without taking the lock; anything else
    /// (not finished yet, given up) is read under the lock.
    ended: AtomicU64,
    /// Mirrors [`ConnState::draining`] for the lock-free reads.
    draining: AtomicBool,
    /// The driver is running and writes out `out` before it waits for
    /// anything: writers may leave their output in `out` (up to
    /// `chunk_size`), so that the responses to pipelined requests leave
    /// in one write. Cleared by the driver under the lock, with the flush
    /// that follows, or without it as it waits idle after a response that
    /// left clean (nothing was gathered); set without it (a writer that
    /// misses the setting only writes out itself).
    corked: AtomicBool,
    /// The request being answered has nothing buffered after it (no
    /// later response to gather its response with): a whole response
    /// (`respond`) goes out as it is written, even while corked.
    /// Streamed responses are still gathered, so that a head and body
    /// written without a wait leave in one write.
    alone: AtomicBool,
    /// The driver runs since input arrived, without having waited: a
    /// response written now takes its `Date` from when that input
    /// arrived.
    running: AtomicBool,
    /// The driver waits for a request with nothing of one received: a
    /// drain closes the connection at once. Set after `draining` is
    /// checked, under the lock or (see [`enter_idle`](Self::enter_idle))
    /// in sequentially consistent order with it; cleared without it.
    idle: AtomicBool,
    /// When the connection was made: what `received_nanos` counts from.
    epoch: Instant,
    /// When the input carrying the requests being read arrived, in
    /// nanoseconds after `epoch`. Only the driver writes it; the driver
    /// reads it, and so does a writer for the `Date` of a response made
    /// while the driver runs (a stale value there only gives the `Date`
    /// of an earlier second), so reading it needs no lock.
    received_nanos: AtomicU64,
    state: Mutex<ConnState>,
}

/// Where the response to the current request is.
pub(super) enum Phase {
    /// Nothing written yet (interim 1xx responses aside).
    Waiting,
    /// The head is written; body pieces go through the encoder.
    Streaming(BodyEncoder),
    /// The response is complete and handed to the connection.
    Finished,
}

/// A request the driver began, before either side has installed it as
/// the current [`Exchange`]: the driver and the request's writer each
/// hold one, and whichever takes the lock first for it installs it, so
/// that beginning a request takes no lock of its own.
#[derive(Clone, Debug)]
pub(super) struct Begun {
    pub(super) generation: u64,
    pub(super) request: RequestInfo,
    pub(super) has_body: bool,
}

/// The request being answered.
pub(super) struct Exchange {
    pub(super) generation: u64,
    pub(super) request: RequestInfo,
    pub(super) phase: Phase,
    /// The connection closes once this response is out.
    pub(super) close: bool,
    /// The request body is not completely read yet: a response written
    /// now closes the connection (the rest of the body is not read).
    pub(super) body_unread: bool,
    /// The delegate's override of `max_body_size`.
    pub(super) max_body_size: Option<u64>,
    /// The delegate's override of `body_timeout`.
    pub(super) body_timeout: Option<Option<Duration>>,
}

pub(super) struct ConnState {
    /// Encoded output not handed to the stream yet.
    pub(super) out: WriteBuffer,
    /// The request last installed, until it is retired: the one being
    /// answered, or the one before it while a request that began is not
    /// installed yet.
    pub(super) exchange: Option<Exchange>,
    /// The last request installed or retired: no request up to it is
    /// installed again.
    pub(super) generation: u64,
    /// The driver, while it waits for the response to be finished.
    pub(super) waker: Option<Waker>,
    /// Close after the current response, and at once when idle.
    pub(super) draining: bool,
    /// Where the stream goes once the current response, a `101
    /// Switching Protocols`, is out (see [`ResponseWriter::upgrade`](super::ResponseWriter::upgrade)).
    pub(super) upgrade: Option<oneshot::Sender<Upgraded>>,
}

impl ConnShared {
    pub(super) fn new(stream: IoStream, chunk_size: usize, context: RequestContext) -> ConnShared {
        ConnShared {
            stream,
            context: Arc::new(context),
            chunk_size,
            closing: AtomicBool::new(false),
            // Nothing was written before the first request.
            ended: AtomicU64::new(CLEAN),
            draining: AtomicBool::new(false),
            corked: AtomicBool::new(true),
            alone: AtomicBool::new(false),
            running: AtomicBool::new(false),
            idle: AtomicBool::new(false),
            epoch: tokio::time::Instant::now().into_std(),
            received_nanos: AtomicU64::new(0),
            state: Mutex::new(ConnState {
                out: WriteBuffer::new(),
                exchange: None,
                generation: 0,
                waker: None,
                draining: false,
                upgrade: None,
            }),
        }
    }

    /// Records that input arrived at `now`: the start time of the
    /// requests it carries.
    pub(super) fn mark_received(&self, now: Instant) {
        let nanos =
            u64::try_from(now.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX);
        self.received_nanos.store(nanos, Ordering::Relaxed);
    }

    /// When the input of the requests being read arrived.
    pub(super) fn received(&self) -> Instant {
        self.epoch + Duration::from_nanos(self.received_nanos.load(Ordering::Relaxed))
    }

    /// When the input being answered arrived, while the driver runs
    /// without having waited since (see `running`); `None` otherwise.
    pub(super) fn running_since(&self) -> Option<tokio::time::Instant> {
        self.running
            .load(Ordering::Relaxed)
            .then(|| tokio::time::Instant::from_std(self.received()))
    }

    /// The connection's state, with `begun` installed as the current
    /// exchange unless it was installed or retired already.
    pub(super) fn lock_for(&self, begun: &Begun) -> MutexGuard<'_, ConnState> {
        let mut state = self.lock();
        state.install(begun);
        state
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, ConnState> {
        lock(&self.state)
    }

    /// Writes out everything gathered and stops gathering until
    /// [`cork`](Self::cork): the driver is about to wait. Returns the
    /// future of the last write.
    pub(super) fn uncork(&self) -> Option<WriteFuture> {
        let mut state = self.lock();
        self.set_corked(false);
        state.flush(&self.stream)
    }

    /// [`uncork`](Self::uncork) for a driver waiting on its delegate:
    /// `waker` is woken by a [`close`](Self::close).
    pub(super) fn uncork_waiting(&self, waker: &Waker) {
        let mut state = self.lock();
        self.set_corked(false);
        self.stop_running();
        if !state.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
            state.waker = Some(waker.clone());
        }
        drop(state.flush(&self.stream));
    }

    /// Publishes that the response to `generation` is finished, whether
    /// the connection closes after it, and whether it left `clean`: all
    /// out at once, no output buffer held. Called with the lock held,
    /// once the exchange's `phase` and `close` are final.
    pub(super) fn publish_end(&self, generation: u64, close: bool, clean: bool) {
        let flags = u64::from(close) | if clean { CLEAN } else { 0 };
        self.ended.store(generation << 2 | flags, Ordering::Release);
    }

    /// [`ConnState::response_end`] for a response published finished,
    /// without the lock; `None` when it was not (yet): ask under the lock.
    pub(super) fn published_end(&self, generation: u64) -> Option<bool> {
        let ended = self.ended.load(Ordering::Acquire);
        (ended >> 2 == generation).then(|| ended & 1 == 1 || self.draining.load(Ordering::Acquire))
    }

    /// Whether the response to `generation`, the last request, was
    /// published clean: nothing is gathered, in flight or held for output,
    /// so that waiting for the next request has nothing to write out and
    /// needs no lock (nothing writes for a finished request).
    pub(super) fn published_clean(&self, generation: u64) -> bool {
        self.ended.load(Ordering::Acquire) == generation << 2 | CLEAN
    }

    /// Marks the driver idle without the lock, unless the connection
    /// drains (then `false`): the store of `idle` and the load of
    /// `draining` here and the store of `draining` and the load of `idle`
    /// in [`drain`](Self::drain) are in one total order, so at least one
    /// side sees the other and an idle connection never misses its drain.
    pub(super) fn enter_idle(&self) -> bool {
        self.idle.store(true, Ordering::SeqCst);
        !self.draining.load(Ordering::SeqCst)
    }

    /// Whether a whole response is written out as it is made: the driver
    /// gathers nothing (see `corked`), or nothing is buffered after the
    /// request (see `alone`).
    pub(super) fn writes_through(&self) -> bool {
        !self.corked.load(Ordering::Relaxed) || self.alone.load(Ordering::Relaxed)
    }

    /// Sets whether the request being answered has nothing buffered after
    /// it (see `alone`).
    pub(super) fn set_alone(&self, alone: bool) {
        self.alone.store(alone, Ordering::Relaxed);
    }

    /// Whether [`close`](Self::close) was called.
    pub(super) fn closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    /// The driver runs again: writers may leave their output to it.
    pub(super) fn cork(&self) {
        self.set_corked(true);
    }

    /// Sets whether writers leave their output to the driver (see
    /// `corked`); `false` under the lock before a flush, or without it
    /// where no writer can have gathered anything (the connection waits
    /// idle after a response that left clean).
    pub(super) fn set_corked(&self, corked: bool) {
        self.corked.store(corked, Ordering::Relaxed);
    }

    /// Sets whether the driver waits idle (see `idle`); `true` only under
    /// the lock, once `draining` was checked.
    pub(super) fn set_idle(&self, idle: bool) {
        self.idle.store(idle, Ordering::Relaxed);
    }

    /// Input arrived and the driver runs: sets `corked` and `running`.
    pub(super) fn start_running(&self) {
        self.set_corked(true);
        self.running.store(true, Ordering::Relaxed);
    }

    /// The driver waits (for input, or for a response its delegate left
    /// to a writer): a response written meanwhile is dated when written.
    pub(super) fn stop_running(&self) {
        self.running.store(false, Ordering::Relaxed);
    }

    /// The `Date` of a response written now: the time the input it
    /// answers arrived while the driver runs (once for a whole pipelined
    /// batch), else the current time.
    pub(super) fn date(&self) -> HttpDate {
        let at = if self.running.load(Ordering::Relaxed) {
            self.received()
        } else {
            Instant::now()
        };
        date::at(at)
    }

    /// Closes the stream and wakes the driver if it waits for a response.
    pub(super) fn close(&self) {
        self.closing.store(true, Ordering::Release);
        self.stream.close();
        let waker = self.lock().take_waker();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Starts draining: marks the current request to close
    /// the connection once answered, and closes an idle connection now.
    pub(super) fn drain(&self) {
        let idle = {
            let mut state = self.lock();
            state.draining = true;
            // In one order with `enter_idle`'s.
            self.draining.store(true, Ordering::SeqCst);
            self.idle.load(Ordering::SeqCst)
        };
        if idle {
            self.stream.close();
        }
    }
}

/// The bit of `ConnShared::ended` for a response that left clean.
const CLEAN: u64 = 2;

impl ConnState {
    /// Hands the gathered output to the stream, in order; returns the
    /// future of the last write.
    pub(super) fn flush(&mut self, stream: &IoStream) -> Option<WriteFuture> {
        // What the stream takes at once is written from where it was
        // formatted; an error shows in the write of the rest below.
        self.out
            .write_staged(|staged| stream.try_write(staged).unwrap_or(0));
        if self.out.is_empty() {
            return None;
        }
        let mut last = None;
        self.out.drain(|bytes| last = Some(stream.write(bytes)));
        last
    }

    /// Flushes unless `shared` is corked with less than its `chunk_size`
    /// gathered.
    pub(super) fn flush_unless_corked(&mut self, shared: &ConnShared) -> Option<WriteFuture> {
        if shared.corked.load(Ordering::Relaxed) && self.out.len() < shared.chunk_size {
            return None;
        }
        self.flush(&shared.stream)
    }

    /// Writes raw bytes (an interim or error response) after what is
    /// gathered.
    pub(super) fn write_raw(&mut self, stream: &IoStream, bytes: Bytes) -> WriteFuture {
        drop(self.flush(stream));
        stream.write(bytes)
    }

    /// The current exchange if it is `generation`.
    pub(super) fn exchange(&mut self, generation: u64) -> Option<&mut Exchange> {
        current(&mut self.exchange, generation)
    }

    /// Whether the response to request `generation` is finished, and then
    /// whether the connection closes after it (`Some(true)` too when the
    /// exchange was given up); `None` while it is under way.
    pub(super) fn response_end(&mut self, generation: u64) -> Option<bool> {
        let draining = self.draining;
        match self.exchange(generation) {
            Some(exchange) => match exchange.phase {
                Phase::Finished => Some(exchange.close || draining),
                _ => None,
            },
            None => Some(true),
        }
    }

    /// Makes `begun` the current exchange, unless it (or a later request)
    /// was installed or retired already.
    pub(super) fn install(&mut self, begun: &Begun) {
        if self.generation < begun.generation {
            self.generation = begun.generation;
            self.exchange = Some(Exchange {
                generation: begun.generation,
                close: !begun.request.keep_alive,
                body_unread: begun.has_body,
                request: begun.request.clone(),
                phase: Phase::Waiting,
                max_body_size: None,
                body_timeout: None,
            });
        }
    }

    /// Ends the current exchange, if any, and every request up to
    /// `generation`: a writer of one of them finds its response finished
    /// and never installs its request again.
    pub(super) fn retire(&mut self, generation: u64) {
        self.generation = self.generation.max(generation);
        self.exchange = None;
    }

    /// Takes the driver's waker, to wake it once the lock is released.
    pub(super) fn take_waker(&mut self) -> Option<Waker> {
        self.waker.take()
    }
}

/// `exchange` if it is `generation` (borrowing that field alone).
pub(super) fn current(exchange: &mut Option<Exchange>, generation: u64) -> Option<&mut Exchange> {
    exchange
        .as_mut()
        .filter(|exchange| exchange.generation == generation)
}
