//! Single-producer single-consumer throughput of `supercell::queues::Queue`
//! beside `tokio::sync::mpsc` and `async-channel`, bounded (1024) and
//! unbounded, on a current-thread runtime: one task puts `ITEMS` integers
//! while the measuring task gets them.
//!
//! `cargo bench -p supercell-bench --bench queues`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use supercell::queues::Queue;
use tokio::runtime::{Builder, Runtime};

const ITEMS: u64 = 10_000;
const BOUND: usize = 1024;

fn runtime() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

async fn supercell_queue(maxsize: usize) -> u64 {
    let q = Queue::new(maxsize);
    let producer = {
        let q = q.clone();
        tokio::spawn(async move {
            for i in 0..ITEMS {
                q.put(i).await;
            }
        })
    };
    let mut sum = 0;
    for _ in 0..ITEMS {
        sum += q.get().await;
    }
    producer.await.unwrap();
    sum
}

async fn tokio_bounded() -> u64 {
    let (tx, mut rx) = tokio::sync::mpsc::channel(BOUND);
    let producer = tokio::spawn(async move {
        for i in 0..ITEMS {
            tx.send(i).await.unwrap();
        }
    });
    let mut sum = 0;
    for _ in 0..ITEMS {
        sum += rx.recv().await.unwrap();
    }
    producer.await.unwrap();
    sum
}

async fn tokio_unbounded() -> u64 {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let producer = tokio::spawn(async move {
        for i in 0..ITEMS {
            tx.send(i).unwrap();
        }
    });
    let mut sum = 0;
    for _ in 0..ITEMS {
        sum += rx.recv().await.unwrap();
    }
    producer.await.unwrap();
    sum
}

async fn async_channel(bound: Option<usize>) -> u64 {
    let (tx, rx) = match bound {
        Some(bound) => async_channel::bounded(bound),
        None => async_channel::unbounded(),
    };
    let producer = tokio::spawn(async move {
        for i in 0..ITEMS {
            tx.send(i).await.unwrap();
        }
    });
    let mut sum = 0;
    for _ in 0..ITEMS {
        sum += rx.recv().await.unwrap();
    }
    producer.await.unwrap();
    sum
}

fn spsc(c: &mut Criterion) {
    let rt = runtime();
    let expected = ITEMS * (ITEMS - 1) / 2;
    let mut group = c.benchmark_group("spsc");
    group.throughput(Throughput::Elements(ITEMS));
    for (label, bound) in [("bounded-1024", Some(BOUND)), ("unbounded", None)] {
        group.bench_function(BenchmarkId::new("supercell-queue", label), |b| {
            b.to_async(&rt).iter(|| async {
                let sum = supercell_queue(bound.unwrap_or(0)).await;
                assert_eq!(sum, expected);
            })
        });
        group.bench_function(BenchmarkId::new("tokio-mpsc", label), |b| {
            b.to_async(&rt).iter(|| async {
                let sum = match bound {
                    Some(_) => tokio_bounded().await,
                    None => tokio_unbounded().await,
                };
                assert_eq!(sum, expected);
            })
        });
        group.bench_function(BenchmarkId::new("async-channel", label), |b| {
            b.to_async(&rt).iter(|| async {
                assert_eq!(async_channel(bound).await, expected);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, spsc);
criterion_main!(benches);
