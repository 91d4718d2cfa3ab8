//! Tests of `supercell::queues`, each named after the Tornado 5.0
//! `tornado/test/queues_test.py` test it is the counterpart of, followed by
//! tests of properties Tornado does not check (cancellation, threads).
//! `QueueJoinTest` runs for all three orders, as Tornado's
//! `PriorityQueueJoinTest` and `LifoQueueJoinTest` inherit it.
//!
//! Tornado tests with no counterpart here, and why:
//!
//! - `QueuePutTest.test_float_maxsize`: `maxsize` is a `usize`; there is no
//!   fractional size to round down. (Likewise the `None` and negative
//!   `maxsize` checks of `QueueBasicTest.test_maxsize` cannot be written;
//!   the rest of that test is kept.)
//!
//! The `test_*_clears_timed_out_*` tests read the lines of waiters through
//! `Debug`, as Tornado's read `_getters` and `_putters`. Tornado drops
//! timed-out waiters from the front of a line on the next `put`/`get`; here
//! a timed-out waiter leaves its line as soon as its future sees the
//! timeout (or is dropped), and until then it is passed over. The tests
//! check what matters in both: a timed-out waiter never takes or gives an
//! item, and the line ends up holding only live waiters.

#[path = "support/lock_probe.rs"]
mod lock_probe;
#[path = "support/poll.rs"]
mod poll;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_util::StreamExt;
use supercell::queues::{
    Fifo, Lifo, LifoQueue, OrderedQueue, Priority, PriorityQueue, PutTimeoutError, Queue,
    QueueEmpty, QueueFull, QueueOrder, TaskDoneError,
};
use supercell::util::TimeoutError;
use tokio::time::sleep;

use lock_probe::LockProbe;
use poll::{poll_once, settle};

const MS: Duration = Duration::from_millis(1);

fn debug<T, O: QueueOrder<T>>(q: &OrderedQueue<T, O>) -> String {
    format!("{q:?}")
}

// ----------------------------------------------------------- QueueBasicTest

#[tokio::test(start_paused = true)]
async fn queue_basic_test_repr_and_str() {
    let q: Queue<Option<()>> = Queue::new(1);
    let _get = q.get();
    let text = debug(&q);
    assert!(text.starts_with("Queue"));
    assert!(text.contains("maxsize: 1"));
    assert!(text.contains("getters: 1"));
    assert!(text.contains("putters: 0"));
    assert!(text.contains("unfinished_tasks: 0"));

    let _put_1 = q.put(None); // to the waiting getter
    let _put_2 = q.put(None); // into the queue
    // Now the queue is full: this putter waits.
    let _put_3 = q.put(None);
    let text = debug(&q);
    assert!(text.contains("getters: 0"));
    assert!(text.contains("putters: 1"));
    assert!(text.contains("unfinished_tasks: 2"));
}

#[tokio::test(start_paused = true)]
async fn queue_basic_test_order() {
    let q = Queue::new(0);
    for i in [1, 3, 2] {
        q.put_nowait(i).unwrap();
    }
    let items: Vec<i32> = (0..3).map(|_| q.get_nowait().unwrap()).collect();
    assert_eq!(items, [1, 3, 2]);
}

#[tokio::test(start_paused = true)]
async fn queue_basic_test_maxsize() {
    let q = Queue::new(2);
    assert!(q.empty());
    assert!(!q.full());
    assert_eq!(q.maxsize(), 2);
    assert!(poll_once(&mut q.put(0)).is_ready());
    assert!(poll_once(&mut q.put(1)).is_ready());
    assert!(!q.empty());
    assert!(q.full());
    let mut put2 = q.put(2);
    assert!(poll_once(&mut put2).is_pending());
    assert_eq!(q.get().await, 0); // Make room.
    assert!(poll_once(&mut put2).is_ready());
    assert!(!q.empty());
    assert!(q.full());
}

// ------------------------------------------------------------- QueueGetTest

#[tokio::test(start_paused = true)]
async fn queue_get_test_blocking_get() {
    let q = Queue::new(0);
    q.put_nowait(0).unwrap();
    assert_eq!(q.get().await, 0);
}

#[tokio::test(start_paused = true)]
async fn queue_get_test_nonblocking_get() {
    let q = Queue::new(0);
    q.put_nowait(0).unwrap();
    assert_eq!(q.get_nowait(), Ok(0));
}

#[tokio::test(start_paused = true)]
async fn queue_get_test_nonblocking_get_exception() {
    let q: Queue<i32> = Queue::new(0);
    assert_eq!(q.get_nowait(), Err(QueueEmpty));
}

#[tokio::test(start_paused = true)]
async fn queue_get_test_get_with_putters() {
    let q = Queue::new(1);
    q.put_nowait(0).unwrap();
    let mut put = q.put(1);
    assert!(poll_once(&mut put).is_pending());
    assert_eq!(q.get().await, 0);
    assert_eq!(poll_once(&mut put), Poll::Ready(()));
    assert_eq!(q.get_nowait(), Ok(1));
}

#[tokio::test(start_paused = true)]
async fn queue_get_test_blocking_get_wait() {
    let q = Queue::new(0);
    q.put_nowait(0).unwrap();
    for (delay, item) in [(10, 1), (20, 2)] {
        let q = q.clone();
        tokio::spawn(async move {
            sleep(delay * MS).await;
            q.put_nowait(item).unwrap();
        });
    }
    assert_eq!(q.get_timeout(Duration::from_secs(1)).await, Ok(0));
    assert_eq!(q.get_timeout(Duration::from_secs(1)).await, Ok(1));
}

#[tokio::test(start_paused = true)]
async fn queue_get_test_get_timeout() {
    let q = Queue::new(0);
    let get_timeout = q.get_timeout(10 * MS);
    let get = q.get();
    assert_eq!(get_timeout.await, Err(TimeoutError));

    q.put_nowait(0).unwrap();
    assert_eq!(get.await, 0);
}

#[tokio::test(start_paused = true)]
async fn queue_get_test_get_timeout_preempted() {
    let q = Queue::new(0);
    let get = q.get_timeout(10 * MS);
    q.put_nowait(0).unwrap();
    sleep(20 * MS).await;
    // Handed over before the deadline, so returned after it.
    assert_eq!(get.await, Ok(0));
}

#[tokio::test(start_paused = true)]
async fn queue_get_test_get_clears_timed_out_putters() {
    let q = Queue::new(1);
    // The first putter succeeds, the rest wait.
    let putters: Vec<_> = (0..10).map(|i| q.put_timeout(i, 10 * MS)).collect();
    let mut put = q.put(10);
    assert!(debug(&q).contains("putters: 10"));
    sleep(20 * MS).await;
    assert!(poll_once(&mut put).is_pending()); // The last putter is live.
    let mut put_11 = q.put(11);
    // get() passes over the timed-out putters and pulls in the live one.
    assert_eq!(q.get().await, 0);
    assert_eq!(poll_once(&mut put), Poll::Ready(()));
    assert!(poll_once(&mut put_11).is_pending());
    let mut putters = putters.into_iter();
    assert_eq!(putters.next().unwrap().await.err(), None);
    for (i, putter) in (1..).zip(putters) {
        assert_eq!(putter.await.err().map(PutTimeoutError::into_inner), Some(i));
    }
    assert!(debug(&q).contains("putters: 1"));
    assert_eq!(q.get_nowait(), Ok(10));
}

#[tokio::test(start_paused = true)]
async fn queue_get_test_get_clears_timed_out_getters() {
    let q = Queue::new(0);
    let getters: Vec<_> = (0..10).map(|_| q.get_timeout(10 * MS)).collect();
    let mut get = q.get();
    assert!(debug(&q).contains("getters: 11"));
    sleep(20 * MS).await;
    assert!(poll_once(&mut get).is_pending()); // The last getter is live.
    let _get_2 = q.get();
    for getter in getters {
        assert_eq!(getter.await, Err(TimeoutError));
    }
    assert!(debug(&q).contains("getters: 2"));
    q.put_nowait(7).unwrap();
    assert_eq!(poll_once(&mut get), Poll::Ready(7));
}

#[tokio::test(start_paused = true)]
async fn queue_get_test_async_for() {
    let mut q = Queue::new(0);
    for i in 0..5 {
        q.put_nowait(i).unwrap();
    }
    let mut results = Vec::new();
    while let Some(i) = q.next().await {
        results.push(i);
        if i == 4 {
            break;
        }
    }
    assert_eq!(results, [0, 1, 2, 3, 4]);
}

// ------------------------------------------------------------- QueuePutTest

#[tokio::test(start_paused = true)]
async fn queue_put_test_blocking_put() {
    let q = Queue::new(0);
    q.put(0).await;
    assert_eq!(q.get_nowait(), Ok(0));
}

#[tokio::test(start_paused = true)]
async fn queue_put_test_nonblocking_put_exception() {
    let q = Queue::new(1);
    q.put(0).await;
    let full = q.put_nowait(1).unwrap_err();
    assert_eq!(full, QueueFull(1));
    assert_eq!(full.into_inner(), 1);
}

#[tokio::test(start_paused = true)]
async fn queue_put_test_put_with_getters() {
    let q = Queue::new(0);
    let get0 = q.get();
    let get1 = q.get();
    q.put(0).await;
    assert_eq!(get0.await, 0);
    q.put(1).await;
    assert_eq!(get1.await, 1);
}

#[tokio::test(start_paused = true)]
async fn queue_put_test_nonblocking_put_with_getters() {
    let q = Queue::new(0);
    let get0 = tokio::spawn(q.get());
    let get1 = tokio::spawn(q.get());
    q.put_nowait(0).unwrap();
    // put_nowait does not run the getter: it resumes when next polled.
    assert!(!get0.is_finished());
    settle().await;
    assert_eq!(get0.await.unwrap(), 0);
    q.put_nowait(1).unwrap();
    settle().await;
    assert_eq!(get1.await.unwrap(), 1);
}

#[tokio::test(start_paused = true)]
async fn queue_put_test_blocking_put_wait() {
    let q = Queue::new(1);
    q.put_nowait(0).unwrap();
    for delay in [10, 20] {
        let q = q.clone();
        tokio::spawn(async move {
            sleep(delay * MS).await;
            q.get_nowait().unwrap();
        });
    }
    let mut futures = [q.put(0), q.put(1)];
    assert!(futures.iter_mut().all(|f| poll_once(f).is_pending()));
    let [first, second] = futures;
    tokio::time::timeout(Duration::from_secs(1), async {
        first.await;
        second.await;
    })
    .await
    .expect("both puts complete");
}

#[tokio::test(start_paused = true)]
async fn queue_put_test_put_timeout() {
    let q = Queue::new(1);
    q.put_nowait(0).unwrap(); // Now it's full.
    let put_timeout = q.put_timeout(1, 10 * MS);
    let put = q.put(2);
    // The item is given back: 1 was never put in the queue.
    assert_eq!(put_timeout.await.unwrap_err().into_inner(), 1);
    assert_eq!(q.get_nowait(), Ok(0));
    assert_eq!(q.get().await, 2);
    // The get above let this putter in.
    put.await;
}

#[tokio::test(start_paused = true)]
async fn queue_put_test_put_timeout_preempted() {
    let q = Queue::new(1);
    q.put_nowait(0).unwrap();
    let put = q.put_timeout(1, 10 * MS);
    assert_eq!(q.get_nowait(), Ok(0));
    sleep(20 * MS).await;
    assert!(put.await.is_ok()); // No timeout.
    assert_eq!(q.get_nowait(), Ok(1));
}

#[tokio::test(start_paused = true)]
async fn queue_put_test_put_clears_timed_out_putters() {
    let q = Queue::new(1);
    // The first putter succeeds, the rest wait.
    let putters: Vec<_> = (0..10).map(|i| q.put_timeout(i, 10 * MS)).collect();
    let mut put = q.put(10);
    assert!(debug(&q).contains("putters: 10"));
    sleep(20 * MS).await;
    assert!(poll_once(&mut put).is_pending()); // The last putter is live.
    let _put_11 = q.put(11);
    for (i, putter) in (0..).zip(putters) {
        let outcome = putter.await.map_err(PutTimeoutError::into_inner);
        assert_eq!(outcome, if i == 0 { Ok(()) } else { Err(i) });
    }
    assert!(debug(&q).contains("putters: 2"));
    assert_eq!(q.get_nowait(), Ok(0));
    assert_eq!(q.get_nowait(), Ok(10));
    assert_eq!(q.get_nowait(), Ok(11));
}

#[tokio::test(start_paused = true)]
async fn queue_put_test_put_clears_timed_out_getters() {
    let q = Queue::new(0);
    let getters: Vec<_> = (0..10).map(|_| q.get_timeout(10 * MS)).collect();
    let get = q.get();
    let _get_2 = q.get();
    assert!(debug(&q).contains("getters: 12"));
    sleep(20 * MS).await;
    // put() passes over the timed-out getters to the first live one.
    q.put_nowait(0).unwrap();
    assert_eq!(get.await, 0);
    for getter in getters {
        assert_eq!(getter.await, Err(TimeoutError));
    }
    assert!(debug(&q).contains("getters: 1"));
}

// ------------------------------------ QueueJoinTest, for each of the orders

async fn task_done_underflow<O: QueueOrder<i32>>() {
    let q = OrderedQueue::<i32, O>::new(0);
    assert_eq!(q.task_done(), Err(TaskDoneError));
}

async fn task_done<O: QueueOrder<i32> + Send + 'static>()
where
    O::Store: Send,
{
    let q = OrderedQueue::<i32, O>::new(0);
    for i in 0..100 {
        q.put_nowait(i).unwrap();
    }
    let accumulator = Arc::new(Mutex::new(0));
    // Two workers share the work.
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (q, accumulator) = (q.clone(), Arc::clone(&accumulator));
            tokio::spawn(async move {
                loop {
                    let item = q.get().await;
                    *accumulator.lock().unwrap() += item;
                    q.task_done().unwrap();
                    sleep((item % 7) as u32 * MS).await;
                }
            })
        })
        .collect();
    q.join().await;
    assert_eq!(*accumulator.lock().unwrap(), (0..100).sum::<i32>());
    for worker in workers {
        worker.abort();
    }
}

async fn task_done_delay<O: QueueOrder<i32>>() {
    // It is task_done(), not get(), that unblocks join().
    let q = OrderedQueue::<i32, O>::new(0);
    q.put_nowait(0).unwrap();
    let mut join = q.join();
    assert!(poll_once(&mut join).is_pending());
    q.get().await;
    assert!(poll_once(&mut join).is_pending());
    settle().await;
    assert!(poll_once(&mut join).is_pending());
    q.task_done().unwrap();
    assert!(poll_once(&mut join).is_ready());
}

async fn join_empty_queue<O: QueueOrder<i32>>() {
    let q = OrderedQueue::<i32, O>::new(0);
    q.join().await;
    q.join().await;
}

async fn join_timeout<O: QueueOrder<i32>>() {
    let q = OrderedQueue::<i32, O>::new(0);
    q.put(0).await;
    assert_eq!(q.join_timeout(10 * MS).await, Err(TimeoutError));
}

macro_rules! join_tests {
    ($order:ty => $underflow:ident, $task_done:ident, $delay:ident, $empty:ident, $timeout:ident) => {
        #[tokio::test(start_paused = true)]
        async fn $underflow() {
            task_done_underflow::<$order>().await;
        }
        #[tokio::test(start_paused = true)]
        async fn $task_done() {
            task_done::<$order>().await;
        }
        #[tokio::test(start_paused = true)]
        async fn $delay() {
            task_done_delay::<$order>().await;
        }
        #[tokio::test(start_paused = true)]
        async fn $empty() {
            join_empty_queue::<$order>().await;
        }
        #[tokio::test(start_paused = true)]
        async fn $timeout() {
            join_timeout::<$order>().await;
        }
    };
}

join_tests!(Fifo =>
    queue_join_test_task_done_underflow,
    queue_join_test_task_done,
    queue_join_test_task_done_delay,
    queue_join_test_join_empty_queue,
    queue_join_test_join_timeout);
join_tests!(Priority =>
    priority_queue_join_test_task_done_underflow,
    priority_queue_join_test_task_done,
    priority_queue_join_test_task_done_delay,
    priority_queue_join_test_join_empty_queue,
    priority_queue_join_test_join_timeout);
join_tests!(Lifo =>
    lifo_queue_join_test_task_done_underflow,
    lifo_queue_join_test_task_done,
    lifo_queue_join_test_task_done_delay,
    lifo_queue_join_test_join_empty_queue,
    lifo_queue_join_test_join_timeout);

#[tokio::test(start_paused = true)]
async fn priority_queue_join_test_order() {
    let q = PriorityQueue::new(2);
    q.put_nowait((1, 'a')).unwrap();
    q.put_nowait((0, 'b')).unwrap();
    assert!(q.full());
    let _put_c = q.put((3, 'c'));
    let _put_d = q.put((2, 'd'));
    assert_eq!(q.get_nowait(), Ok((0, 'b')));
    assert_eq!(q.get().await, (1, 'a'));
    assert_eq!(q.get_nowait(), Ok((2, 'd')));
    assert_eq!(q.get().await, (3, 'c'));
    assert!(q.empty());
}

#[tokio::test(start_paused = true)]
async fn lifo_queue_join_test_order() {
    let q = LifoQueue::new(2);
    q.put_nowait(1).unwrap();
    q.put_nowait(0).unwrap();
    assert!(q.full());
    let _put_3 = q.put(3);
    let _put_2 = q.put(2);
    assert_eq!(q.get_nowait(), Ok(3));
    assert_eq!(q.get().await, 2);
    assert_eq!(q.get_nowait(), Ok(0));
    assert_eq!(q.get().await, 1);
    assert!(q.empty());
}

// ----------------------------------------------------- ProducerConsumerTest

#[tokio::test(start_paused = true)]
async fn producer_consumer_test_producer_consumer() {
    let q = Queue::new(3);
    let history = Arc::new(Mutex::new(Vec::new()));
    let consumer = {
        let (q, history) = (q.clone(), Arc::clone(&history));
        tokio::spawn(async move {
            loop {
                let item = q.get().await;
                history.lock().unwrap().push(item);
                q.task_done().unwrap();
            }
        })
    };
    for item in 0..10 {
        q.put(item).await;
    }
    q.join().await;
    assert_eq!(*history.lock().unwrap(), (0..10).collect::<Vec<_>>());
    consumer.abort();
}

// ------------------------------------------- beyond Tornado's own tests

#[tokio::test(start_paused = true)]
async fn queue_cancelled_getter_never_loses_its_item() {
    let q = Queue::new(0);
    let first = q.get();
    let mut second = q.get();
    q.put_nowait(1).unwrap(); // handed to `first`
    drop(first); // ... which never takes it: it goes to the next getter
    assert_eq!(poll_once(&mut second), Poll::Ready(1));

    // With no getter left, it goes back to the front of the queue.
    let cancelled = q.get();
    q.put_nowait(2).unwrap();
    q.put_nowait(3).unwrap();
    drop(cancelled);
    assert_eq!(q.get_nowait(), Ok(2));
    assert_eq!(q.get_nowait(), Ok(3));

    // So for a get that succeeded at once but was never awaited.
    q.put_nowait(4).unwrap();
    drop(q.get());
    assert_eq!(q.get_nowait(), Ok(4));
}

#[tokio::test(start_paused = true)]
async fn queue_aborted_consumer_task_never_loses_its_item() {
    let q = Queue::new(0);
    let consumer = tokio::spawn(q.get());
    settle().await;
    q.put_nowait("item").unwrap();
    consumer.abort();
    assert!(consumer.await.unwrap_err().is_cancelled());
    assert_eq!(q.get_nowait(), Ok("item"));
}

#[tokio::test(start_paused = true)]
async fn queue_timed_out_getter_never_takes_a_late_item() {
    let q = Queue::new(0);
    let get = q.get_timeout(10 * MS);
    sleep(20 * MS).await;
    q.put_nowait(5).unwrap();
    assert_eq!(q.qsize(), 1);
    assert_eq!(get.await, Err(TimeoutError));
    assert_eq!(q.get_nowait(), Ok(5));
}

#[tokio::test(start_paused = true)]
async fn queue_cancelled_putter_never_puts_its_item() {
    let q = Queue::new(1);
    q.put_nowait(0).unwrap();
    let put = q.put(1);
    drop(put);
    assert_eq!(q.get_nowait(), Ok(0));
    assert_eq!(q.get_nowait(), Err(QueueEmpty));

    q.put_nowait(0).unwrap();
    let timed_out = tokio::time::timeout(10 * MS, q.put(2)).await;
    assert!(timed_out.is_err());
    assert_eq!(q.get_nowait(), Ok(0));
    assert_eq!(q.get_nowait(), Err(QueueEmpty));
    assert!(debug(&q).contains("unfinished_tasks: 2"));
}

#[tokio::test(start_paused = true)]
async fn queue_stream_keeps_a_cancelled_next_in_line() {
    let mut q = Queue::new(0);
    assert!(tokio::time::timeout(10 * MS, q.next()).await.is_err());
    q.put_nowait(1).unwrap(); // handed to the stream's pending get
    assert_eq!(q.get_nowait(), Err(QueueEmpty));
    assert_eq!(q.next().await, Some(1));

    // A handle dropped with a pending get gives its item back.
    let mut other = q.clone();
    assert!(tokio::time::timeout(10 * MS, other.next()).await.is_err());
    q.put_nowait(2).unwrap();
    drop(other);
    assert_eq!(q.get_nowait(), Ok(2));
}

#[test]
fn queue_wakes_no_task_while_it_holds_its_lock() {
    // A waker may run code that uses the queue (some executors poll inline):
    // every wake-up must come after the queue's lock is released.
    let q: Queue<u32> = Queue::new(1);
    let probe = {
        let q = q.clone();
        LockProbe::new(move || {
            q.qsize();
        })
    };
    let waker = Waker::from(Arc::clone(&probe));
    let mut cx = Context::from_waker(&waker);

    // A put hands its item to a waiting getter.
    let mut get = q.get();
    assert!(Pin::new(&mut get).poll(&mut cx).is_pending());
    q.put_nowait(1).unwrap();
    assert_eq!(poll_once(&mut get), Poll::Ready(1));

    // A get lets a waiting putter in.
    q.put_nowait(2).unwrap();
    let mut put = q.put(3);
    assert!(Pin::new(&mut put).poll(&mut cx).is_pending());
    assert_eq!(q.get_nowait(), Ok(2));
    assert_eq!(poll_once(&mut put), Poll::Ready(()));

    // The last task_done wakes join.
    assert_eq!(q.get_nowait(), Ok(3));
    let mut join = q.join();
    assert!(Pin::new(&mut join).poll(&mut cx).is_pending());
    for _ in 0..3 {
        q.task_done().unwrap();
    }
    assert_eq!(poll_once(&mut join), Poll::Ready(()));

    assert_eq!(probe.results(), [true, true, true]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_many_producers_and_consumers_across_threads() {
    const PER_PRODUCER: u64 = 2_000;
    let q = Queue::new(4);
    let producers: Vec<_> = (0..3u64)
        .map(|p| {
            let q = q.clone();
            tokio::spawn(async move {
                for i in 0..PER_PRODUCER {
                    q.put(p * PER_PRODUCER + i).await;
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..3)
        .map(|c| {
            let q = q.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    // Some consumers give up now and then; no item may be lost.
                    let item = if c == 0 {
                        match q.get_timeout(Duration::from_micros(100)).await {
                            Ok(item) => item,
                            Err(TimeoutError) => continue,
                        }
                    } else {
                        q.get().await
                    };
                    q.task_done().unwrap();
                    if item == u64::MAX {
                        return got;
                    }
                    got.push(item);
                }
            })
        })
        .collect();
    let all = tokio::time::timeout(Duration::from_secs(60), async {
        for producer in producers {
            producer.await.unwrap();
        }
        for _ in 0..3 {
            q.put(u64::MAX).await;
        }
        let mut all = Vec::new();
        for consumer in consumers {
            all.extend(consumer.await.unwrap());
        }
        q.join().await;
        all
    })
    .await
    .expect("finished in time");
    let mut all = all;
    all.sort_unstable();
    assert_eq!(all, (0..3 * PER_PRODUCER).collect::<Vec<_>>());
}

#[test]
fn every_queue_type_and_future_is_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Queue<String>>();
    send_sync::<PriorityQueue<String>>();
    send_sync::<LifoQueue<String>>();
    send_sync::<supercell::queues::Get<String>>();
    send_sync::<supercell::queues::GetTimeout<String>>();
    send_sync::<supercell::queues::Put<String>>();
    send_sync::<supercell::queues::PutTimeout<String, Priority>>();
    send_sync::<QueueFull<String>>();
}
