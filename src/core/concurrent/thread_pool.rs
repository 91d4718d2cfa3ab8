use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use super::executor::{Executor, Job};
use crate::util::log_target::{APP_LOG, GEN_LOG};
use crate::util::panic_message;

/// A [`ThreadPoolExecutor`] cannot have zero workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("max_workers must be greater than 0")]
pub struct ZeroWorkersError;

/// A pool of at most `max_workers` threads running blocking jobs (Python's
/// `concurrent.futures.ThreadPoolExecutor`).
///
/// Threads are started as jobs arrive, up to the limit; jobs beyond it wait
/// in a queue, in order. Use it with [`run_on_executor`](super::run_on_executor)
/// when blocking work must not take more than a fixed number of threads
/// (tokio's blocking pool grows to hundreds).
///
/// [`shutdown`](Self::shutdown) stops accepting jobs; jobs already queued
/// still run. Dropping the pool shuts it down without waiting.
///
/// ```
/// use supercell::concurrent::{run_on_executor, ThreadPoolExecutor};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let pool = ThreadPoolExecutor::new(2).unwrap();
/// let answer = run_on_executor(&pool, || 6 * 7).await;
/// assert_eq!(answer, Ok(42));
/// pool.shutdown(true);
/// # });
/// ```
#[derive(Debug)]
pub struct ThreadPoolExecutor {
    pool: Arc<Pool>,
}

#[derive(Debug)]
struct Pool {
    max_workers: usize,
    state: Mutex<PoolState>,
    /// Signalled when a job is queued or the pool shuts down.
    work: Condvar,
}

struct PoolState {
    queue: VecDeque<Job>,
    workers: Vec<JoinHandle<()>>,
    idle: usize,
    shut_down: bool,
}

impl std::fmt::Debug for PoolState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolState")
            .field("queued", &self.queue.len())
            .field("workers", &self.workers.len())
            .field("idle", &self.idle)
            .field("shut_down", &self.shut_down)
            .finish()
    }
}

impl ThreadPoolExecutor {
    /// A pool of at most `max_workers` threads. No thread starts until the
    /// first job arrives.
    pub fn new(max_workers: usize) -> Result<Self, ZeroWorkersError> {
        if max_workers == 0 {
            return Err(ZeroWorkersError);
        }
        Ok(ThreadPoolExecutor {
            pool: Arc::new(Pool {
                max_workers,
                state: Mutex::new(PoolState {
                    queue: VecDeque::new(),
                    workers: Vec::new(),
                    idle: 0,
                    shut_down: false,
                }),
                work: Condvar::new(),
            }),
        })
    }

    /// The most threads this pool runs at once.
    pub fn max_workers(&self) -> usize {
        self.pool.max_workers
    }

    /// Stops accepting jobs (later ones are dropped, so their futures fail
    /// with [`ExecutorError::Dropped`](super::ExecutorError::Dropped)).
    /// Queued jobs still run. With `wait`, blocks until every worker thread
    /// has finished; call it that way from a blocking context, not from an
    /// async task.
    pub fn shutdown(&self, wait: bool) {
        let workers = {
            let mut state = self.pool.lock();
            state.shut_down = true;
            if wait {
                std::mem::take(&mut state.workers)
            } else {
                Vec::new()
            }
        };
        self.pool.work.notify_all();
        let me = std::thread::current().id();
        for worker in workers {
            // A job that shuts its own pool down cannot wait for itself.
            if worker.thread().id() != me {
                // Jobs' panics are caught inside the worker, so joining
                // cannot report one.
                let _ = worker.join();
            }
        }
    }
}

impl Executor for ThreadPoolExecutor {
    fn execute(&self, job: Job) {
        let mut state = self.pool.lock();
        if state.shut_down {
            // `job` is dropped after the lock is released (a parameter
            // drops after the function's locals).
            return;
        }
        state.queue.push_back(job);
        // Start a thread when the idle ones are too few for the queue.
        let unrunnable =
            if state.idle < state.queue.len() && state.workers.len() < self.pool.max_workers {
                self.pool.start_worker(&mut state)
            } else {
                VecDeque::new()
            };
        drop(state);
        // Dropping a job runs its captures' destructors and wakes its
        // future: never under the lock.
        drop(unrunnable);
        self.pool.work.notify_one();
    }
}

impl Drop for ThreadPoolExecutor {
    fn drop(&mut self) {
        self.shutdown(false);
    }
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // Jobs run outside the lock, so a poisoned lock still holds a
        // consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts one more worker thread. If none can be started and none is
    /// running, nobody would ever run the queued jobs: they are taken out
    /// and returned, to be dropped once the lock is released (failing their
    /// futures).
    fn start_worker(self: &Arc<Self>, state: &mut PoolState) -> VecDeque<Job> {
        let pool = Arc::clone(self);
        let name = format!("supercell-pool-{}", state.workers.len());
        match std::thread::Builder::new()
            .name(name)
            .spawn(move || pool.work_loop())
        {
            Ok(worker) => {
                state.workers.push(worker);
                VecDeque::new()
            }
            Err(e) => {
                tracing::error!(target: GEN_LOG, "cannot start a pool thread: {e}");
                if state.workers.is_empty() {
                    std::mem::take(&mut state.queue)
                } else {
                    VecDeque::new()
                }
            }
        }
    }

    /// A worker: runs queued jobs until the pool shuts down and the queue is
    /// empty.
    fn work_loop(&self) {
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                if let Err(payload) = catch_unwind(AssertUnwindSafe(job)) {
                    tracing::error!(target: APP_LOG, "job on thread pool panicked: {}", panic_message(payload.as_ref()));
                }
                state = self.lock();
            } else if state.shut_down {
                return;
            } else {
                state.idle += 1;
                state = self
                    .work
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                state.idle -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn zero_workers_is_an_error() {
        assert_eq!(ThreadPoolExecutor::new(0).unwrap_err(), ZeroWorkersError);
    }

    #[test]
    fn threads_start_lazily_and_stay_within_the_limit() {
        let pool = ThreadPoolExecutor::new(3).unwrap();
        assert_eq!(pool.pool.lock().workers.len(), 0);
        let (tx, rx) = mpsc::channel();
        for i in 0..10 {
            let tx = tx.clone();
            pool.execute(Box::new(move || tx.send(i).unwrap()));
        }
        drop(tx);
        let mut got: Vec<i32> = rx.iter().collect();
        got.sort();
        assert_eq!(got, (0..10).collect::<Vec<_>>());
        assert!(pool.pool.lock().workers.len() <= 3);
        pool.shutdown(true);
    }

    #[test]
    fn queued_jobs_run_after_shutdown_and_later_ones_are_dropped() {
        let pool = ThreadPoolExecutor::new(1).unwrap();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let (done_tx, done_rx) = mpsc::channel();
        pool.execute(Box::new(move || release_rx.recv().unwrap()));
        let queued = done_tx.clone();
        pool.execute(Box::new(move || queued.send("queued").unwrap()));
        pool.shutdown(false);
        pool.execute(Box::new(move || done_tx.send("late").unwrap()));
        release_tx.send(()).unwrap();
        pool.shutdown(true);
        assert_eq!(done_rx.iter().collect::<Vec<_>>(), vec!["queued"]);
    }

    #[test]
    fn a_panicking_job_does_not_kill_its_worker() {
        let pool = ThreadPoolExecutor::new(1).unwrap();
        pool.execute(Box::new(|| panic!("job failed")));
        let (tx, rx) = mpsc::channel();
        pool.execute(Box::new(move || tx.send(7).unwrap()));
        assert_eq!(rx.recv(), Ok(7));
        assert_eq!(pool.pool.lock().workers.len(), 1);
    }
}
