//! `xhtml_escape` beside the `html-escape` and `v_htmlescape` crates, on
//! 4 KiB of mostly plain text and 4 KiB full of markup.
//!
//! Run with `cargo bench -p supercell-bench --bench escape`.
//!
//! The peers escape slightly different sets: `html-escape`'s
//! `encode_quoted_attribute` the same five characters as supercell
//! (`&<>"'`), `v_htmlescape` those and `/`. supercell and `html-escape`
//! return the input borrowed when nothing needs escaping; `v_htmlescape`
//! always writes into a `String`, allocated here per iteration.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// 4 KiB of prose with an escapable character about every 300 bytes.
fn plain_text() -> String {
    let sentence = "The quick brown fox jumps over the lazy dog while the scheduler keeps \
                    every connection moving along nicely. ";
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 4096 {
        text.push_str(sentence);
        i += 1;
        if i % 3 == 0 {
            text.push_str("Tom & Jerry. ");
        }
    }
    text.truncate(4096);
    text
}

/// 4 KiB of HTML: about one escapable character in six.
fn markup_text() -> String {
    let fragment = r#"<div class="item"><a href='/x?a=1&b=2'>Link</a></div>"#;
    fragment.repeat(4096 / fragment.len() + 1)[..4096].to_owned()
}

fn bench_escape(c: &mut Criterion) {
    let mut group = c.benchmark_group("xhtml_escape");
    for (name, text) in [("plain_4k", plain_text()), ("markup_4k", markup_text())] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("supercell", name), &text, |b, text| {
            b.iter(|| supercell::escape::xhtml_escape(black_box(text)).len())
        });
        group.bench_with_input(BenchmarkId::new("html-escape", name), &text, |b, text| {
            b.iter(|| html_escape::encode_quoted_attribute(black_box(text)).len())
        });
        group.bench_with_input(BenchmarkId::new("v_htmlescape", name), &text, |b, text| {
            b.iter(|| {
                let mut out = String::with_capacity(text.len());
                v_htmlescape::escape_string(black_box(text), &mut out);
                out.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_escape);
criterion_main!(benches);
