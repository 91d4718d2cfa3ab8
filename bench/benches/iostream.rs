//! Loopback throughput of `supercell::iostream::IoStream` beside plain
//! tokio `TcpStream`, same sizes, same current-thread runtime:
//!
//! - receiving 256 MiB in 64 KiB reads: `read_bytes(64 KiB)` and
//!   `read_into` a 64 KiB buffer, beside `read_exact` into a 64 KiB buffer
//!   (a plain tokio task sends in every case);
//! - sending 1 GiB as 1 MiB chunks: every chunk queued with `write` (the
//!   last write awaited), beside `write_all` chunk by chunk (a plain tokio
//!   task receives in every case).
//!
//! `cargo bench -p supercell-bench --bench iostream` runs them with
//! criterion, one case after the other. Whole-gigabyte loopback runs vary
//! a lot, and slow spells of a shared machine would land on whichever case
//! runs then, so for a side-by-side comparison set `IOSTREAM_ROUNDS=N`: the
//! cases then take turns, N rounds of one run each, and the medians are
//! printed with the throughput ratios:
//!
//! `IOSTREAM_ROUNDS=60 taskset -c 0 cargo bench -p supercell-bench --bench iostream`

use std::time::Instant;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use supercell::iostream::IoStream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::{Builder, Runtime};

const READ_TOTAL: usize = 256 * 1024 * 1024;
const READ_SIZE: usize = 64 * 1024;
const WRITE_TOTAL: usize = 1024 * 1024 * 1024;
const WRITE_CHUNK: usize = 1024 * 1024;

fn runtime() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

/// A connected loopback pair: (accepted end, connecting end).
async fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
    (accepted.unwrap().0, client.unwrap())
}

/// Sends `total` bytes with plain tokio, 1 MiB per `write_all`.
fn spawn_sender(mut socket: TcpStream, total: usize) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let chunk = vec![7u8; WRITE_CHUNK];
        let mut sent = 0;
        while sent < total {
            let n = WRITE_CHUNK.min(total - sent);
            socket.write_all(&chunk[..n]).await.unwrap();
            sent += n;
        }
    })
}

/// Receives until EOF with plain tokio; returns the byte count.
fn spawn_receiver(mut socket: TcpStream) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let mut buf = vec![0u8; WRITE_CHUNK];
        let mut received = 0;
        loop {
            match socket.read(&mut buf).await.unwrap() {
                0 => return received,
                n => received += n,
            }
        }
    })
}

async fn read_tokio() -> usize {
    let (mut receiver, sender) = pair().await;
    let sending = spawn_sender(sender, READ_TOTAL);
    let mut buf = vec![0u8; READ_SIZE];
    for _ in 0..READ_TOTAL / READ_SIZE {
        receiver.read_exact(&mut buf).await.unwrap();
    }
    sending.await.unwrap();
    READ_TOTAL
}

async fn read_bytes_iostream() -> usize {
    let (receiver, sender) = pair().await;
    let sending = spawn_sender(sender, READ_TOTAL);
    let stream = IoStream::from_tcp(receiver);
    let mut received = 0;
    for _ in 0..READ_TOTAL / READ_SIZE {
        received += stream.read_bytes(READ_SIZE, false).await.unwrap().len();
    }
    sending.await.unwrap();
    received
}

async fn read_into_iostream() -> usize {
    let (receiver, sender) = pair().await;
    let sending = spawn_sender(sender, READ_TOTAL);
    let stream = IoStream::from_tcp(receiver);
    let mut buf = vec![0u8; READ_SIZE];
    let mut received = 0;
    for _ in 0..READ_TOTAL / READ_SIZE {
        received += stream.read_into(&mut buf, false).await.unwrap();
    }
    sending.await.unwrap();
    received
}

async fn write_tokio(chunk: Bytes) -> usize {
    let (receiver, mut sender) = pair().await;
    let receiving = spawn_receiver(receiver);
    for _ in 0..WRITE_TOTAL / WRITE_CHUNK {
        sender.write_all(&chunk).await.unwrap();
    }
    drop(sender);
    receiving.await.unwrap()
}

async fn write_iostream(chunk: Bytes) -> usize {
    let (receiver, sender) = pair().await;
    let receiving = spawn_receiver(receiver);
    let stream = IoStream::from_tcp(sender);
    let mut last = None;
    for _ in 0..WRITE_TOTAL / WRITE_CHUNK {
        last = Some(stream.write(chunk.clone()));
    }
    last.unwrap().await.unwrap();
    stream.close();
    receiving.await.unwrap()
}

fn reads(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("iostream_read_256MiB_in_64KiB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(READ_TOTAL as u64));
    group.bench_function(BenchmarkId::new("tokio", "read_exact"), |b| {
        b.to_async(&rt).iter(read_tokio)
    });
    group.bench_function(BenchmarkId::new("supercell", "read_bytes"), |b| {
        b.to_async(&rt).iter(read_bytes_iostream)
    });
    group.bench_function(BenchmarkId::new("supercell", "read_into"), |b| {
        b.to_async(&rt).iter(read_into_iostream)
    });
    group.finish();
}

fn writes(c: &mut Criterion) {
    let rt = runtime();
    let chunk = Bytes::from(vec![7u8; WRITE_CHUNK]);
    let mut group = c.benchmark_group("iostream_write_1GiB_in_1MiB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(WRITE_TOTAL as u64));
    group.bench_function(BenchmarkId::new("tokio", "write_all"), |b| {
        b.to_async(&rt).iter(|| write_tokio(chunk.clone()))
    });
    group.bench_function(BenchmarkId::new("supercell", "write"), |b| {
        b.to_async(&rt).iter(|| write_iostream(chunk.clone()))
    });
    group.finish();
}

criterion_group!(benches, reads, writes);

/// One case of the interleaved comparison: its name and one run of it.
type Case = (&'static str, fn(&Runtime, &Bytes) -> usize);

const CASES: [Case; 5] = [
    ("read tokio read_exact", |rt, _| rt.block_on(read_tokio())),
    ("read supercell read_bytes", |rt, _| {
        rt.block_on(read_bytes_iostream())
    }),
    ("read supercell read_into", |rt, _| {
        rt.block_on(read_into_iostream())
    }),
    ("write tokio write_all", |rt, chunk| {
        rt.block_on(write_tokio(chunk.clone()))
    }),
    ("write supercell write", |rt, chunk| {
        rt.block_on(write_iostream(chunk.clone()))
    }),
];

/// (row, supercell case, tokio case) of the printed ratios.
const RATIOS: [(&str, usize, usize); 3] = [
    ("read_bytes / read_exact", 1, 0),
    ("read_into / read_exact", 2, 0),
    ("write / write_all", 4, 3),
];

/// Runs every case once per round, starting each round one case later (so
/// a slow spell of the machine hits all cases alike), then prints each
/// case's median, quartiles and mean, and the throughput ratios (tokio's
/// time over supercell's) of the medians and of the means: the times of a
/// case often fall in two clusters, and when the clusters are about even
/// the median jumps between them from one session to the next, where the
/// mean moves little. `IOSTREAM_CASES` keeps only the cases
/// whose name contains it; `IOSTREAM_SAMPLES` prints every time, sorted
/// (`IOSTREAM_SAMPLES=order` also in the order they were run, to see
/// whether slow runs come in spells).
fn interleaved(rounds: usize) {
    let rt = runtime();
    let chunk = Bytes::from(vec![7u8; WRITE_CHUNK]);
    let only = std::env::var("IOSTREAM_CASES").unwrap_or_default();
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); CASES.len()];
    for round in 0..rounds {
        for k in 0..CASES.len() {
            let i = (round + k) % CASES.len();
            let (name, run) = CASES[i];
            if name.contains(only.as_str()) {
                let start = Instant::now();
                std::hint::black_box(run(&rt, &chunk));
                times[i].push(start.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    if std::env::var("IOSTREAM_SAMPLES").is_ok_and(|v| v == "order") {
        for (i, t) in times.iter().enumerate() {
            if !t.is_empty() {
                println!("{} in run order:\n  {t:.0?}", CASES[i].0);
            }
        }
    }
    let mut medians = [f64::NAN; CASES.len()];
    let mut means = [f64::NAN; CASES.len()];
    for (i, t) in times.iter_mut().enumerate() {
        if t.is_empty() {
            continue;
        }
        t.sort_by(f64::total_cmp);
        let quantile = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
        medians[i] = quantile(0.5);
        means[i] = t.iter().sum::<f64>() / t.len() as f64;
        println!(
            "{:<26} median {:7.2} ms  (quartiles {:7.2} {:7.2}; mean {:7.2}; {} rounds)",
            CASES[i].0,
            medians[i],
            quantile(0.25),
            quantile(0.75),
            means[i],
            t.len()
        );
        if std::env::var_os("IOSTREAM_SAMPLES").is_some() {
            println!("  {t:.0?}");
        }
    }
    for (row, supercell, tokio) in RATIOS {
        let ratio = medians[tokio] / medians[supercell];
        if ratio.is_finite() {
            let of_means = means[tokio] / means[supercell];
            println!("ratio {row}: {ratio:.3} (of the means: {of_means:.3})");
        }
    }
}

fn main() {
    match std::env::var("IOSTREAM_ROUNDS") {
        Ok(rounds) => interleaved(rounds.parse().expect("IOSTREAM_ROUNDS: a number of rounds")),
        Err(_) => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
