//! Unmasking speed (bytes per second) on 64 KiB, 1 KiB and 16 B payloads:
//! supercell's `apply_mask` (the implementation chosen for this CPU: AVX2
//! where it has it), supercell's word-at-a-time loop alone
//! (`apply_mask_scalar`), a plain byte loop written here, fastwebsockets'
//! `unmask` (its 4-byte word loop), and a `copy_from_slice` of the same
//! length as the ceiling of touching every byte once.
//!
//! `cargo bench --bench unmask`; criterion's filters and flags apply, e.g.
//! `cargo bench --bench unmask -- 65536 --warm-up-time 1 --measurement-time 2`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use supercell::websocket::{apply_mask, apply_mask_scalar};

const KEY: [u8; 4] = [0x5d, 0x21, 0xe7, 0x9a];

/// The plain loop: each byte XORed with its key byte.
#[inline(never)]
fn byte_loop(buf: &mut [u8], key: [u8; 4]) {
    for (i, byte) in buf.iter_mut().enumerate() {
        *byte ^= key[i & 3];
    }
}

fn unmask(c: &mut Criterion) {
    let mut group = c.benchmark_group("unmask");
    for size in [65536usize, 1024, 16] {
        group.throughput(Throughput::Bytes(size as u64));
        let mut buf: Vec<u8> = (0..size).map(|i| (i * 7 + 3) as u8).collect();
        let source = buf.clone();
        group.bench_function(BenchmarkId::new("supercell_apply_mask", size), |b| {
            b.iter(|| apply_mask(black_box(&mut buf), black_box(KEY), 0));
        });
        group.bench_function(BenchmarkId::new("supercell_scalar", size), |b| {
            b.iter(|| apply_mask_scalar(black_box(&mut buf), black_box(KEY), 0));
        });
        group.bench_function(BenchmarkId::new("byte_loop", size), |b| {
            b.iter(|| byte_loop(black_box(&mut buf), black_box(KEY)));
        });
        group.bench_function(BenchmarkId::new("fastwebsockets_unmask", size), |b| {
            b.iter(|| fastwebsockets::unmask(black_box(&mut buf), black_box(KEY)));
        });
        group.bench_function(BenchmarkId::new("memcpy", size), |b| {
            b.iter(|| black_box(&mut buf).copy_from_slice(black_box(&source)));
        });
    }
    group.finish();
}

criterion_group!(benches, unmask);
criterion_main!(benches);
