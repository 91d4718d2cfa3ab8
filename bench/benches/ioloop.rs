//! What the `IoLoop` handle costs over tokio itself: running 10,000
//! callbacks through `IoLoop::add_callback` beside spawning 10,000 tokio
//! tasks, and a `Condition` round trip (notify, waiter wakes) beside tokio's
//! `Notify`, all on a current-thread runtime.
//!
//! `cargo bench -p supercell-bench --bench ioloop`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use supercell::ioloop::IoLoop;
use supercell::locks::Condition;
use tokio::runtime::{Builder, Runtime};
use tokio::sync::Notify;

const CALLBACKS: u64 = 10_000;
const ROUND_TRIPS: u64 = 10_000;

fn runtime() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

/// Runs `CALLBACKS` callbacks on the current loop and waits for the last.
async fn ioloop_callbacks() -> u64 {
    let io_loop = IoLoop::current();
    let count = Arc::new(AtomicU64::new(0));
    let done = Arc::new(Notify::new());
    for _ in 0..CALLBACKS {
        let (count, done) = (count.clone(), done.clone());
        io_loop.add_callback(move || {
            if count.fetch_add(1, Ordering::Relaxed) + 1 == CALLBACKS {
                done.notify_one();
            }
        });
    }
    done.notified().await;
    count.load(Ordering::Relaxed)
}

/// The same work as tokio tasks.
async fn tokio_tasks() -> u64 {
    let count = Arc::new(AtomicU64::new(0));
    let done = Arc::new(Notify::new());
    for _ in 0..CALLBACKS {
        let (count, done) = (count.clone(), done.clone());
        drop(tokio::spawn(async move {
            if count.fetch_add(1, Ordering::Relaxed) + 1 == CALLBACKS {
                done.notify_one();
            }
        }));
    }
    done.notified().await;
    count.load(Ordering::Relaxed)
}

/// A waiter task and a notifier task take turns `ROUND_TRIPS` times.
async fn condition_ping_pong() -> u64 {
    let (ping, pong) = (Condition::new(), Condition::new());
    let waiter = {
        let (ping, pong) = (ping.clone(), pong.clone());
        tokio::spawn(async move {
            for _ in 0..ROUND_TRIPS {
                let woken = ping.wait();
                pong.notify(1);
                woken.await;
            }
        })
    };
    let mut turns = 0;
    for _ in 0..ROUND_TRIPS {
        let woken = pong.wait();
        ping.notify(1);
        woken.await;
        turns += 1;
    }
    ping.notify_all();
    waiter.await.unwrap();
    turns
}

/// The same with tokio's `Notify` (which stores a permit when nobody waits).
async fn notify_ping_pong() -> u64 {
    let (ping, pong) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let waiter = {
        let (ping, pong) = (ping.clone(), pong.clone());
        tokio::spawn(async move {
            for _ in 0..ROUND_TRIPS {
                pong.notify_one();
                ping.notified().await;
            }
        })
    };
    let mut turns = 0;
    for _ in 0..ROUND_TRIPS {
        pong.notified().await;
        ping.notify_one();
        turns += 1;
    }
    waiter.await.unwrap();
    turns
}

fn callbacks(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("callbacks");
    group.throughput(Throughput::Elements(CALLBACKS));
    group.bench_function(BenchmarkId::new("supercell-add_callback", CALLBACKS), |b| {
        b.to_async(&rt)
            .iter(|| async { assert_eq!(ioloop_callbacks().await, CALLBACKS) })
    });
    group.bench_function(BenchmarkId::new("tokio-spawn", CALLBACKS), |b| {
        b.to_async(&rt)
            .iter(|| async { assert_eq!(tokio_tasks().await, CALLBACKS) })
    });
    group.finish();
}

fn wakeups(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("wakeup_round_trips");
    group.throughput(Throughput::Elements(ROUND_TRIPS));
    group.bench_function(BenchmarkId::new("supercell-condition", ROUND_TRIPS), |b| {
        b.to_async(&rt)
            .iter(|| async { assert_eq!(condition_ping_pong().await, ROUND_TRIPS) })
    });
    group.bench_function(BenchmarkId::new("tokio-notify", ROUND_TRIPS), |b| {
        b.to_async(&rt)
            .iter(|| async { assert_eq!(notify_ping_pong().await, ROUND_TRIPS) })
    });
    group.finish();
}

criterion_group!(benches, callbacks, wakeups);
criterion_main!(benches);
