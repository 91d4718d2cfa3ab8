//! The HTTP/1.1 codec on its hot paths: parsing a typical browser request
//! head and a minimal `GET /plaintext` head (from a `&[u8]`, copying the
//! head once, and split zero-copy off a `BytesMut`), and encoding a small
//! response (head and fixed-length body into a `WriteBuffer`).
//!
//! Run with `cargo bench -p supercell-bench --bench http1_codec`.

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::Version;
use supercell::http1::codec::{
    BodyDecoder, DEFAULT_MAX_HEADER_SIZE, Decoded, RequestInfo, WriteBuffer, encode_response_head,
    parse_request_head, split_request_head,
};
use supercell::httputil::{HttpHeaders, ResponseStartLine};

const BROWSER: &[u8] = b"GET /articles/2024/http-parsing?page=2&sort=new HTTP/1.1\r\n\
Host: www.example.com\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n\
Accept-Language: en-US,en;q=0.5\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Referer: https://www.example.com/articles/2024\r\n\
Connection: keep-alive\r\n\
Cookie: session=4f6c2a9e1b7d3c5a8e0f; theme=dark; _ga=GA1.2.123456789.1700000000\r\n\
Upgrade-Insecure-Requests: 1\r\n\
Sec-Fetch-Dest: document\r\n\
Sec-Fetch-Mode: navigate\r\n\
Sec-Fetch-Site: same-origin\r\n\
Sec-Fetch-User: ?1\r\n\
Priority: u=0, i\r\n\r\n";

const PLAINTEXT: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: server\r\n\r\n";

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("http1_parse_request_head");
    for (name, raw) in [("browser", BROWSER), ("plaintext", PLAINTEXT)] {
        group.throughput(Throughput::Bytes(raw.len() as u64));
        // The tokenizer alone: no checks, no owned head (the floor).
        group.bench_function(format!("{name}/httparse"), |b| {
            b.iter(|| {
                let mut fields = [httparse::EMPTY_HEADER; 32];
                let mut request = httparse::Request::new(&mut fields);
                let len = request.parse(black_box(raw)).unwrap().unwrap();
                (len, request.headers.len())
            })
        });
        group.bench_function(format!("{name}/slice"), |b| {
            b.iter(|| parse_request_head(black_box(raw), DEFAULT_MAX_HEADER_SIZE).unwrap())
        });
        // A read buffer holding 16 pipelined requests, refilled when empty:
        // the zero-copy path a server takes.
        let pipelined = raw.repeat(16);
        let mut buf = BytesMut::with_capacity(pipelined.len());
        group.bench_function(format!("{name}/split"), |b| {
            b.iter(|| {
                if buf.is_empty() {
                    buf.extend_from_slice(&pipelined);
                }
                let head = split_request_head(&mut buf, DEFAULT_MAX_HEADER_SIZE)
                    .unwrap()
                    .unwrap();
                let mut decoder = BodyDecoder::new(head.body, 1024);
                assert_eq!(decoder.decode(&mut buf), Ok(Decoded::Finished));
                head
            })
        });
    }
    group.finish();
}

fn bench_encode(c: &mut Criterion) {
    let mut group = c.benchmark_group("http1_encode_response");
    let start_line = ResponseStartLine {
        version: Version::HTTP_11,
        code: 200,
        reason: "OK".into(),
    };
    let mut headers = HttpHeaders::new();
    headers.add("Server", "supercell").unwrap();
    headers.add("Content-Type", "text/plain").unwrap();
    headers
        .add("Date", "Mon, 01 Jan 2024 00:00:00 GMT")
        .unwrap();
    headers.add("Content-Length", "13").unwrap();
    let request = RequestInfo {
        head_request: false,
        version: Version::HTTP_11,
        keep_alive: true,
    };
    let body = Bytes::from_static(b"Hello, world!");
    let mut chunked_headers = headers.clone();
    chunked_headers.remove("Content-Length");
    let mut out = WriteBuffer::new();
    for (name, headers) in [
        ("hello_world", &headers),
        ("hello_world_chunked", &chunked_headers),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let (mut encoder, close) = encode_response_head(
                    black_box(&start_line),
                    black_box(headers),
                    &request,
                    false,
                    &mut out,
                )
                .unwrap();
                encoder.encode(body.clone(), &mut out).unwrap();
                encoder.finish(&mut out).unwrap();
                // A connection takes the output once per batch of responses.
                if out.len() > 16 * 1024 {
                    black_box(out.take());
                }
                close
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse, bench_encode);
criterion_main!(benches);
