//! Tests of `supercell::locks`, each named after the Tornado 5.0
//! `tornado/test/locks_test.py` test it is the counterpart of, followed by
//! tests of properties Tornado does not check (cancellation, fairness,
//! threads).
//!
//! Tornado tests with no counterpart here, and why:
//!
//! - `SemaphoreTest.test_negative_value`: the initial value is a `usize`,
//!   so a negative one cannot be written.
//! - `SemaphoreContextManagerTest.test_yield_sem` and
//!   `LockTests.test_yield_lock`: they check that yielding the semaphore or
//!   lock itself (instead of `acquire()`) is an error; neither type is a
//!   future, so `sem.await` does not compile.
//! - `SemaphoreContextManagerTest.test_context_manager_misuse` and
//!   `LockTests.test_context_manager_misuse`: they check that a plain
//!   `with sem:` is refused; Rust has no such statement, and the only way to
//!   hold a permit is the `Guard` an awaited `acquire()` returns.
//!
//! The `test_garbage_collection` tests become checks that the line of
//! waiters does not keep timed-out waiters, read through `Debug` as
//! Tornado's tests read `_waiters`.

#[path = "support/poll.rs"]
mod poll;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use supercell::locks::{BoundedSemaphore, Condition, Event, Lock, ReleaseError, Semaphore};
use supercell::util::TimeoutError;
use tokio::task::JoinHandle;
use tokio::time::sleep;

use poll::{poll_once, settle};

const MS: Duration = Duration::from_millis(1);

type History = Arc<Mutex<Vec<String>>>;

fn history() -> History {
    Arc::new(Mutex::new(Vec::new()))
}

fn seen(history: &History) -> Vec<String> {
    history.lock().unwrap().clone()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Records in `history` how a wait ends: `key` if notified, `timeout` if it
/// timed out (Tornado's `record_done`).
fn record_done(
    history: &History,
    wait: impl Future<Output = bool> + Send + 'static,
    key: impl ToString,
) -> JoinHandle<()> {
    let history = Arc::clone(history);
    let key = key.to_string();
    tokio::spawn(async move {
        let entry = if wait.await { key } else { "timeout".into() };
        history.lock().unwrap().push(entry);
    })
}

/// An untimed wait seen as a timed one that never times out.
fn untimed(c: &Condition) -> impl Future<Output = bool> + Send + 'static {
    let wait = c.wait();
    async move {
        wait.await;
        true
    }
}

// ---------------------------------------------------------------- Condition

#[tokio::test(start_paused = true)]
async fn condition_test_repr() {
    let c = Condition::new();
    assert!(format!("{c:?}").contains("Condition"));
    assert!(format!("{c:?}").contains("waiters: 0"));
    let _wait = c.wait();
    assert!(format!("{c:?}").contains("waiters: 1"));
}

#[tokio::test(start_paused = true)]
async fn condition_test_notify() {
    let c = Condition::new();
    let notifier = c.clone();
    tokio::spawn(async move {
        sleep(10 * MS).await;
        notifier.notify(1);
    });
    tokio::time::timeout(Duration::from_secs(1), c.wait())
        .await
        .expect("notified");
}

#[tokio::test(start_paused = true)]
async fn condition_test_notify_1() {
    let c = Condition::new();
    let h = history();
    record_done(&h, untimed(&c), "wait1");
    record_done(&h, untimed(&c), "wait2");
    c.notify(1);
    // Notification is asynchronous: the waiter has not run inside notify.
    assert!(seen(&h).is_empty());
    settle().await;
    h.lock().unwrap().push("notify1".into());
    c.notify(1);
    settle().await;
    h.lock().unwrap().push("notify2".into());
    assert_eq!(seen(&h), strings(&["wait1", "notify1", "wait2", "notify2"]));
}

#[tokio::test(start_paused = true)]
async fn condition_test_notify_n() {
    let c = Condition::new();
    let h = history();
    for i in 0..6 {
        record_done(&h, untimed(&c), i);
    }
    c.notify(3);
    settle().await;
    // Waiters resume in the order they started waiting.
    assert_eq!(seen(&h), strings(&["0", "1", "2"]));
    c.notify(1);
    settle().await;
    assert_eq!(seen(&h), strings(&["0", "1", "2", "3"]));
    c.notify(2);
    settle().await;
    assert_eq!(seen(&h), strings(&["0", "1", "2", "3", "4", "5"]));
}

#[tokio::test(start_paused = true)]
async fn condition_test_notify_all() {
    let c = Condition::new();
    let h = history();
    for i in 0..4 {
        record_done(&h, untimed(&c), i);
    }
    c.notify_all();
    settle().await;
    h.lock().unwrap().push("notify_all".into());
    assert_eq!(seen(&h), strings(&["0", "1", "2", "3", "notify_all"]));
}

#[tokio::test(start_paused = true)]
async fn condition_test_wait_timeout() {
    let c = Condition::new();
    let wait = c.wait_timeout(10 * MS);
    let notifier = c.clone();
    tokio::spawn(async move {
        sleep(20 * MS).await;
        notifier.notify(1); // Too late.
    });
    sleep(30 * MS).await;
    assert!(!wait.await);
}

#[tokio::test(start_paused = true)]
async fn condition_test_wait_timeout_preempted() {
    let c = Condition::new();
    let notifier = c.clone();
    tokio::spawn(async move {
        sleep(10 * MS).await;
        notifier.notify(1); // Before the wait times out.
    });
    let wait = c.wait_timeout(20 * MS);
    sleep(30 * MS).await;
    // Notified in time, even though this future is polled after the deadline.
    assert!(wait.await);
}

#[tokio::test(start_paused = true)]
async fn condition_test_notify_n_with_timeout() {
    // Waiter 1 times out; notify(2) must then reach 0 and 2: a timed-out
    // waiter does not count against n.
    let c = Condition::new();
    let h = history();
    record_done(&h, untimed(&c), 0);
    record_done(&h, c.wait_timeout(10 * MS), 1);
    record_done(&h, untimed(&c), 2);
    record_done(&h, untimed(&c), 3);

    sleep(20 * MS).await;
    assert_eq!(seen(&h), strings(&["timeout"]));

    c.notify(2);
    sleep(10 * MS).await;
    assert_eq!(seen(&h), strings(&["timeout", "0", "2"]));
    c.notify(1);
    settle().await;
    assert_eq!(seen(&h), strings(&["timeout", "0", "2", "3"]));
}

#[tokio::test(start_paused = true)]
async fn condition_test_notify_all_with_timeout() {
    let c = Condition::new();
    let h = history();
    record_done(&h, untimed(&c), 0);
    record_done(&h, c.wait_timeout(10 * MS), 1);
    record_done(&h, untimed(&c), 2);

    sleep(20 * MS).await;
    assert_eq!(seen(&h), strings(&["timeout"]));

    c.notify_all();
    settle().await;
    assert_eq!(seen(&h), strings(&["timeout", "0", "2"]));
}

#[tokio::test(start_paused = true)]
async fn condition_test_nested_notify() {
    // No notification is lost when a woken waiter calls notify itself.
    let c = Condition::new();
    let mut first = c.wait();
    let second = c.wait();
    let mut third = c.wait();
    let renotifier = c.clone();
    let second_done = tokio::spawn(async move {
        second.await;
        renotifier.notify(1);
    });
    c.notify(2);
    settle().await;
    assert_eq!(poll_once(&mut first), Poll::Ready(()));
    assert!(second_done.is_finished());
    assert_eq!(poll_once(&mut third), Poll::Ready(()));
}

#[tokio::test(start_paused = true)]
async fn condition_test_garbage_collection() {
    // Timed-out waiters leave the line: it does not grow without bound.
    let c = Condition::new();
    let timed: Vec<_> = (0..101)
        .map(|_| tokio::spawn(c.wait_timeout(10 * MS)))
        .collect();
    let mut live = c.wait();
    assert!(format!("{c:?}").contains("waiters: 102"));

    sleep(20 * MS).await;
    assert!(format!("{c:?}").contains("waiters: 1"));
    for task in timed {
        assert!(!task.await.unwrap());
    }

    // The pattern Tornado's collector exists for.
    for _ in 0..1000 {
        assert!(!c.wait_timeout(MS).await);
    }
    assert!(format!("{c:?}").contains("waiters: 1"));

    // The last waiter is still live.
    assert_eq!(poll_once(&mut live), Poll::Pending);
    c.notify(1);
    assert_eq!(poll_once(&mut live), Poll::Ready(()));
}

// -------------------------------------------------------------------- Event

#[tokio::test(start_paused = true)]
async fn event_test_repr() {
    let event = Event::new();
    assert!(format!("{event:?}").contains("is_set: false"));
    event.set();
    assert!(format!("{event:?}").contains("is_set: true"));
}

#[tokio::test(start_paused = true)]
async fn event_test_event() {
    let e = Event::new();
    let mut future_0 = e.wait();
    e.set();
    let mut future_1 = e.wait();
    e.clear();
    let mut future_2 = e.wait();

    assert_eq!(poll_once(&mut future_0), Poll::Ready(()));
    assert_eq!(poll_once(&mut future_1), Poll::Ready(()));
    assert_eq!(poll_once(&mut future_2), Poll::Pending);
}

#[tokio::test(start_paused = true)]
async fn event_test_event_timeout() {
    let e = Event::new();
    assert_eq!(e.wait_timeout(10 * MS).await, Err(TimeoutError));

    // After a timed-out waiter, normal operation works.
    let setter = e.clone();
    tokio::spawn(async move {
        sleep(10 * MS).await;
        setter.set();
    });
    assert_eq!(e.wait_timeout(Duration::from_secs(1)).await, Ok(()));
}

#[tokio::test(start_paused = true)]
async fn event_test_event_set_multiple() {
    let e = Event::new();
    e.set();
    e.set();
    assert!(e.is_set());
}

#[tokio::test(start_paused = true)]
async fn event_test_event_wait_clear() {
    let e = Event::new();
    let mut f0 = e.wait();
    e.clear();
    let mut f1 = e.wait();
    e.set();
    assert_eq!(poll_once(&mut f0), Poll::Ready(()));
    assert_eq!(poll_once(&mut f1), Poll::Ready(()));
}

// ---------------------------------------------------------------- Semaphore

#[tokio::test(start_paused = true)]
async fn semaphore_test_repr() {
    let sem = Semaphore::default();
    assert!(format!("{sem:?}").contains("Semaphore"));
    assert!(format!("{sem:?}").contains("value: 1"));
    let _guard = sem.acquire().await;
    assert!(format!("{sem:?}").contains("value: 0"));
    assert!(format!("{sem:?}").contains("waiters: 0"));
    let _waiting = sem.acquire();
    assert!(format!("{sem:?}").contains("waiters: 1"));
}

#[tokio::test(start_paused = true)]
async fn semaphore_test_acquire() {
    // Tornado's manual style: keep the permit (`forget`), `release` later.
    let sem = Semaphore::new(1);
    let mut f0 = sem.acquire();
    let Poll::Ready(guard) = poll_once(&mut f0) else {
        panic!("a free permit is taken at once");
    };
    guard.forget();

    // Wait for release().
    let mut f1 = sem.acquire();
    assert!(poll_once(&mut f1).is_pending());
    let mut f2 = sem.acquire();
    sem.release();
    let Poll::Ready(guard) = poll_once(&mut f1) else {
        panic!("the released permit goes to the oldest waiter");
    };
    guard.forget();
    assert!(poll_once(&mut f2).is_pending());
    sem.release();
    let Poll::Ready(guard) = poll_once(&mut f2) else {
        panic!("the released permit goes to the next waiter");
    };
    guard.forget();

    sem.release();
    // Now acquire() is instant.
    assert!(poll_once(&mut sem.acquire()).is_ready());
    assert!(format!("{sem:?}").contains("waiters: 0"));
}

#[tokio::test(start_paused = true)]
async fn semaphore_test_acquire_timeout() {
    let sem = Semaphore::new(2);
    sem.acquire().await.forget();
    sem.acquire().await.forget();
    let acquire = sem.acquire_timeout(10 * MS);
    let releaser = sem.clone();
    tokio::spawn(async move {
        sleep(20 * MS).await;
        releaser.release(); // Too late.
    });
    sleep(300 * MS).await;
    assert_eq!(acquire.await.err(), Some(TimeoutError));

    // The late release was not swallowed by the timed-out waiter.
    assert!(took_permit(poll_once(&mut sem.acquire())));
    let mut f = sem.acquire();
    assert!(poll_once(&mut f).is_pending());
    sem.release();
    assert!(poll_once(&mut f).is_ready());
}

#[tokio::test(start_paused = true)]
async fn semaphore_test_acquire_timeout_preempted() {
    let sem = Semaphore::new(1);
    sem.acquire().await.forget();
    let releaser = sem.clone();
    tokio::spawn(async move {
        sleep(10 * MS).await;
        releaser.release(); // Before the acquire times out.
    });
    let acquire = sem.acquire_timeout(20 * MS);
    sleep(30 * MS).await;
    assert!(acquire.await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn semaphore_test_release_unacquired() {
    // Unbounded releases are allowed and raise the count.
    let sem = Semaphore::default();
    sem.release();
    sem.release();

    // Now the count is 3: three acquisitions succeed before blocking.
    for _ in 0..3 {
        assert!(took_permit(poll_once(&mut sem.acquire())));
    }
    assert!(poll_once(&mut sem.acquire()).is_pending());
}

#[tokio::test(start_paused = true)]
async fn semaphore_test_garbage_collection() {
    // Timed-out waiters leave the line.
    let sem = Semaphore::new(0);
    let timed: Vec<_> = (0..101)
        .map(|_| tokio::spawn(sem.acquire_timeout(10 * MS)))
        .collect();
    let mut live = sem.acquire();
    assert!(format!("{sem:?}").contains("waiters: 102"));

    sleep(20 * MS).await;
    assert!(format!("{sem:?}").contains("waiters: 1"));

    // The last waiter is still live.
    assert!(poll_once(&mut live).is_pending());
    sem.release();
    assert!(poll_once(&mut live).is_ready());

    for task in timed {
        assert_eq!(task.await.unwrap().err(), Some(TimeoutError));
    }
}

// -------------------------------------------------- SemaphoreContextManager

#[tokio::test(start_paused = true)]
async fn semaphore_context_manager_test_context_manager() {
    let sem = Semaphore::default();
    {
        let _guard = sem.acquire().await;
        assert!(poll_once(&mut sem.acquire()).is_pending());
    }
    // The guard released the permit: it can be acquired again.
    assert!(poll_once(&mut sem.acquire()).is_ready());
}

#[tokio::test(start_paused = true)]
async fn semaphore_context_manager_test_context_manager_async_await() {
    // The guard held across awaits inside another task.
    let sem = Semaphore::default();
    let task_sem = sem.clone();
    tokio::spawn(async move {
        let _guard = task_sem.acquire().await;
        sleep(5 * MS).await;
    })
    .await
    .unwrap();
    assert!(poll_once(&mut sem.acquire()).is_ready());
}

#[tokio::test(start_paused = true)]
async fn semaphore_context_manager_test_context_manager_exception() {
    let sem = Semaphore::default();

    // A task that panics while holding the permit releases it as it unwinds.
    let task_sem = sem.clone();
    let panicked = tokio::spawn(async move {
        let _guard = task_sem.acquire().await;
        panic!("ZeroDivisionError");
    })
    .await;
    assert!(panicked.unwrap_err().is_panic());
    assert!(poll_once(&mut sem.acquire()).is_ready());

    // So does an early return with an error.
    async fn fails(sem: &Semaphore) -> Result<(), &'static str> {
        let _guard = sem.acquire().await;
        Err("failed")?;
        Ok(())
    }
    assert_eq!(fails(&sem).await, Err("failed"));
    assert!(poll_once(&mut sem.acquire()).is_ready());
}

#[tokio::test(start_paused = true)]
async fn semaphore_context_manager_test_context_manager_timeout() {
    let sem = Semaphore::default();
    {
        let _guard = sem.acquire_timeout(10 * MS).await.unwrap();
    }
    assert!(poll_once(&mut sem.acquire()).is_ready());
}

#[tokio::test(start_paused = true)]
async fn semaphore_context_manager_test_context_manager_timeout_error() {
    let sem = Semaphore::new(0);
    assert_eq!(sem.acquire_timeout(10 * MS).await.err(), Some(TimeoutError));
    // The count is still 0.
    assert!(poll_once(&mut sem.acquire()).is_pending());
}

#[tokio::test(start_paused = true)]
async fn semaphore_context_manager_test_context_manager_contended() {
    let sem = Semaphore::default();
    let h = history();
    let workers: Vec<_> = (0..2)
        .map(|i| {
            let (sem, h) = (sem.clone(), Arc::clone(&h));
            tokio::spawn(async move {
                let _guard = sem.acquire().await;
                h.lock().unwrap().push(format!("acquired {i}"));
                sleep(10 * MS).await;
                h.lock().unwrap().push(format!("release {i}"));
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(
        seen(&h),
        strings(&["acquired 0", "release 0", "acquired 1", "release 1"])
    );
}

// --------------------------------------------------------- BoundedSemaphore

#[tokio::test(start_paused = true)]
async fn bounded_semaphore_test_release_unacquired() {
    let sem = BoundedSemaphore::default();
    assert_eq!(sem.release(), Err(ReleaseError::TooManyReleases));
    // Value is 0.
    sem.acquire().await.forget();
    // Block on acquire().
    let mut future = sem.acquire();
    assert!(poll_once(&mut future).is_pending());
    assert_eq!(sem.release(), Ok(()));
    assert!(took_permit(poll_once(&mut future)));
    // Value is 1.
    assert_eq!(sem.release(), Ok(()));
    assert_eq!(sem.release(), Err(ReleaseError::TooManyReleases));
}

// --------------------------------------------------------------------- Lock

#[tokio::test(start_paused = true)]
async fn lock_tests_test_repr() {
    let lock = Lock::new();
    assert!(format!("{lock:?}").contains("locked: false"));
    let _guard = lock.acquire().await;
    assert!(format!("{lock:?}").contains("locked: true"));
}

#[tokio::test(start_paused = true)]
async fn lock_tests_test_acquire_release() {
    let lock = Lock::new();
    assert!(took_permit(poll_once(&mut lock.acquire())));
    let mut future = lock.acquire();
    assert!(poll_once(&mut future).is_pending());
    assert_eq!(lock.release(), Ok(()));
    assert!(poll_once(&mut future).is_ready());
}

#[tokio::test(start_paused = true)]
async fn lock_tests_test_acquire_fifo() {
    let lock = Lock::new();
    let held = lock.acquire().await;
    let h = history();
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            // In line from this call, before the task first runs.
            let acquire = lock.acquire();
            let h = Arc::clone(&h);
            tokio::spawn(async move {
                let _guard = acquire.await;
                h.lock().unwrap().push(i.to_string());
            })
        })
        .collect();
    settle().await;
    assert!(tasks.iter().all(|task| !task.is_finished()));
    drop(held);
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(seen(&h), strings(&["0", "1", "2", "3", "4"]));
}

#[tokio::test(start_paused = true)]
async fn lock_tests_test_acquire_fifo_async_with() {
    // As above, with each task calling acquire() itself when it first runs.
    let lock = Lock::new();
    lock.acquire().await.forget();
    let h = history();
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let (lock, h) = (lock.clone(), Arc::clone(&h));
            tokio::spawn(async move {
                let _guard = lock.acquire().await;
                h.lock().unwrap().push(i.to_string());
            })
        })
        .collect();
    settle().await;
    assert_eq!(lock.release(), Ok(()));
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(seen(&h), strings(&["0", "1", "2", "3", "4"]));
}

#[tokio::test(start_paused = true)]
async fn lock_tests_test_acquire_timeout() {
    let lock = Lock::new();
    let _guard = lock.acquire().await;
    assert_eq!(
        lock.acquire_timeout(10 * MS).await.err(),
        Some(TimeoutError)
    );
    // Still locked.
    assert!(poll_once(&mut lock.acquire()).is_pending());
}

#[tokio::test(start_paused = true)]
async fn lock_tests_test_multi_release() {
    let lock = Lock::new();
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    lock.acquire().await.forget();
    assert_eq!(lock.release(), Ok(()));
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
}

// ------------------------------------------- beyond Tornado's own tests

#[tokio::test(start_paused = true)]
async fn condition_notification_to_a_cancelled_waiter_goes_to_the_next() {
    let c = Condition::new();
    let first = tokio::spawn(c.wait());
    let h = history();
    record_done(&h, untimed(&c), "second");
    settle().await;
    c.notify(1);
    // The first waiter is cancelled after being notified, before it ran.
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());
    settle().await;
    assert_eq!(seen(&h), strings(&["second"]));
}

#[tokio::test(start_paused = true)]
async fn condition_timed_out_waiter_never_polled_is_passed_over() {
    // A timed-out wait that nobody polls (Tornado style: a future kept
    // aside) still does not take a notification.
    let c = Condition::new();
    let timed = c.wait_timeout(10 * MS);
    let mut live = c.wait();
    sleep(20 * MS).await;
    c.notify(1);
    assert_eq!(poll_once(&mut live), Poll::Ready(()));
    assert!(!timed.await);
}

#[tokio::test(start_paused = true)]
async fn semaphore_permit_of_a_cancelled_waiter_goes_to_the_next() {
    let sem = Semaphore::new(0);
    let first = sem.acquire();
    let mut second = sem.acquire();
    sem.release(); // granted to `first`, which never takes it
    drop(first);
    assert!(poll_once(&mut second).is_ready());

    // Also for an acquisition that succeeded at once but was not awaited.
    let sem = Semaphore::new(1);
    drop(sem.acquire());
    assert!(poll_once(&mut sem.acquire()).is_ready());
}

#[tokio::test(start_paused = true)]
async fn semaphore_newcomer_never_barges_past_waiters() {
    let sem = Semaphore::new(0);
    let mut waiter = sem.acquire();
    sem.release();
    // The permit is the waiter's even though it has not run yet.
    assert!(poll_once(&mut sem.acquire()).is_pending());
    assert!(poll_once(&mut waiter).is_ready());
}

#[tokio::test(start_paused = true)]
async fn bounded_semaphore_guard_and_manual_release_release_once() {
    let sem = BoundedSemaphore::new(1);
    let guard = sem.acquire().await;
    // Released by hand while the guard lives: the guard's own release is
    // then refused (and logged); the count stays at its bound.
    assert_eq!(sem.release(), Ok(()));
    drop(guard);
    assert!(format!("{sem:?}").contains("value: 1"));
    assert_eq!(sem.release(), Err(ReleaseError::TooManyReleases));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_serialises_tasks_across_threads() {
    let lock = Lock::new();
    let value = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (lock, value) = (lock.clone(), Arc::clone(&value));
            tokio::spawn(async move {
                for _ in 0..100 {
                    let _guard = lock.acquire().await;
                    // A read-modify-write that races unless serialised.
                    let read = value.load(Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    value.store(read + 1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    tokio::time::timeout(Duration::from_secs(30), async {
        for task in tasks {
            task.await.unwrap();
        }
    })
    .await
    .expect("finished in time");
    assert_eq!(value.load(Ordering::SeqCst), 800);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semaphore_limits_concurrency_across_threads() {
    let sem = Semaphore::new(3);
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (sem, inside, most) = (sem.clone(), Arc::clone(&inside), Arc::clone(&most));
            tokio::spawn(async move {
                for _ in 0..50 {
                    // Half the tasks give up quickly now and then.
                    let guard = if i % 2 == 0 {
                        match sem.acquire_timeout(Duration::from_micros(50)).await {
                            Ok(guard) => guard,
                            Err(TimeoutError) => continue,
                        }
                    } else {
                        sem.acquire().await
                    };
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                    drop(guard);
                }
            })
        })
        .collect();
    tokio::time::timeout(Duration::from_secs(30), async {
        for task in tasks {
            task.await.unwrap();
        }
    })
    .await
    .expect("finished in time");
    assert!(most.load(Ordering::SeqCst) <= 3);
    // No permit was lost to a timed-out waiter: all three are free again.
    for _ in 0..3 {
        sem.acquire_timeout(Duration::from_secs(1))
            .await
            .unwrap()
            .forget();
    }
}

#[test]
fn every_lock_type_and_future_is_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Condition>();
    send_sync::<Event>();
    send_sync::<Semaphore>();
    send_sync::<BoundedSemaphore>();
    send_sync::<Lock>();
    send_sync::<supercell::locks::Guard>();
    send_sync::<supercell::locks::Wait>();
    send_sync::<supercell::locks::WaitTimeout>();
    send_sync::<supercell::locks::EventWait>();
    send_sync::<supercell::locks::EventWaitTimeout>();
    send_sync::<supercell::locks::Acquire>();
    send_sync::<supercell::locks::AcquireTimeout>();
}

/// Whether a poll of an acquisition took a permit, keeping it taken
/// (Tornado's `acquire().done()`, without a `with` block).
fn took_permit(poll: Poll<supercell::locks::Guard>) -> bool {
    match poll {
        Poll::Ready(guard) => {
            guard.forget();
            true
        }
        Poll::Pending => false,
    }
}
