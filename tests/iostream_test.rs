//! Counterparts of Tornado's `tornado/test/iostream_test.py`, over real
//! sockets on 127.0.0.1 (and Unix sockets and pipes).
//!
//! Tornado runs its mixins once per stream class; so do these tests, one
//! module per class, each test named as Tornado's: `test_iostream` (TCP),
//! `test_iostream_ssl` (TLS configured from PEM files through `SslOptions`),
//! `test_iostream_ssl_context` (TLS from rustls configs built directly, as
//! Tornado passes an `SSLContext`), `test_pipe_iostream`, and beyond Tornado
//! `test_iostream_unix` (Unix sockets). Streams using Tornado's
//! `streaming_callback` are checked with partial reads, which deliver the
//! same chunks (supercell has no streaming callbacks).
//!
//! Tornado tests with no counterpart, and why:
//! - `TestIOStreamWeb{HTTP,HTTPS}.test_connection_closed`: needs the HTTP
//!   client (`self.fetch`), a later layer.
//! - `TestIOStreamWeb{HTTP,HTTPS}.test_write_while_connecting`:
//!   `IoStream::connect` returns the stream once connected, so nothing can
//!   be written while connecting.
//! - `TestIOStreamMixin.test_gaierror` (x3): `connect` takes a resolved
//!   `SocketAddr`; name resolution is the `Resolver`'s (netutil).
//! - `TestIOStreamMixin.test_read_callback_error` (x3): there are no read
//!   callbacks whose exceptions the stream would catch; a future's
//!   consumer handles its own errors.
//! - `TestIOStreamMixin.test_read_until_close_with_error` (x3): mocks a
//!   private method.
//! - `TestIOStreamMixin.test_inline_read_error` and
//!   `test_async_read_error_logging` (x3 each): close the socket's file
//!   descriptor behind the stream's back, which safe Rust cannot do.
//! - `WaitForHandshakeTest.test_wait_for_handshake_callback`: there is no
//!   callback form; `test_wait_for_handshake_future` covers the behaviour.
//!
//! `TestStreamBuffer.test_small` and `test_large` are unit tests of the
//! write queue (`src/net/iostream/write_queue.rs`).

#[path = "support/certs.rs"]
mod certs;
#[path = "support/logs.rs"]
#[allow(dead_code)]
mod logs;
#[path = "support/poll.rs"]
mod poll;

use std::future::Future;
use std::io;
use std::time::Duration;

use bytes::Bytes;
use regex::bytes::Regex;
use supercell::iostream::{IoStream, StreamError};
use tokio::net::{TcpListener, TcpStream, UnixStream};
use tokio::sync::oneshot;

/// Every test is bounded in time.
async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("test timed out")
}

/// The transports a mixin runs over.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Tcp,
    Tls,
    TlsDirect,
    Unix,
    Pipe,
}

/// Tasks alive on the current runtime (on a current-thread runtime: how
/// many background tasks of the streams are still running).
fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// Waits (boundedly) until no more than `count` tasks are alive.
async fn tasks_drop_to(count: usize) -> bool {
    for _ in 0..500 {
        if alive_tasks() <= count {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// Applied to both streams of a pair (Tornado's `**kwargs`).
type Configure = fn(IoStream) -> IoStream;

fn unchanged(stream: IoStream) -> IoStream {
    stream
}

async fn tcp_sockets() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
    (accepted.unwrap().0, client.unwrap())
}

/// A connected pair: (server end, client end); Tornado's tests name them
/// `rs, ws` (reader and writer). For pipes: (read end, write end).
async fn make_pair(kind: Kind, configure: Configure) -> (IoStream, IoStream) {
    match kind {
        Kind::Tcp => {
            let (server, client) = tcp_sockets().await;
            (
                configure(IoStream::from_tcp(server)),
                configure(IoStream::from_tcp(client)),
            )
        }
        Kind::Tls | Kind::TlsDirect => {
            let (server_config, client_config) = if kind == Kind::Tls {
                (certs::server_config(), certs::client_config())
            } else {
                (certs::server_config_direct(), certs::client_config_direct())
            };
            let (server, client) = tcp_sockets().await;
            let server = configure(IoStream::from_tcp(server))
                .into_tls(server_config, None)
                .unwrap();
            let client = configure(IoStream::from_tcp(client))
                .into_tls(client_config, Some("localhost"))
                .unwrap();
            (server, client)
        }
        Kind::Unix => {
            let (a, b) = UnixStream::pair().unwrap();
            (
                configure(IoStream::from_unix(a)),
                configure(IoStream::from_unix(b)),
            )
        }
        Kind::Pipe => {
            let (tx, rx) = tokio::net::unix::pipe::pipe().unwrap();
            (
                configure(IoStream::from_pipe_receiver(rx)),
                configure(IoStream::from_pipe_sender(tx)),
            )
        }
    }
}

/// A close callback that reports through a channel.
fn close_signal(stream: &IoStream) -> oneshot::Receiver<()> {
    let (tx, rx) = oneshot::channel();
    stream.set_close_callback(Some(Box::new(move || {
        let _ = tx.send(());
    })));
    rx
}

async fn closed_signal(rx: oneshot::Receiver<()>) {
    tokio::time::timeout(Duration::from_secs(10), rx)
        .await
        .expect("close callback did not run")
        .expect("close callback dropped without running");
}

fn is_closed(result: &Result<impl std::fmt::Debug, StreamError>) -> bool {
    matches!(result, Err(StreamError::Closed(_)))
}

/// Starts `read`, lets it block, then writes `data` (Tornado's "read, then
/// write" order: the read is satisfied out of line).
async fn read_then_write<T>(
    read: impl Future<Output = T>,
    ws: &IoStream,
    data: &'static [u8],
) -> T {
    let write = async {
        poll::settle().await;
        ws.write(data).await.unwrap();
    };
    tokio::join!(read, write).0
}

/// The tests of Tornado's `TestReadWriteMixin`: one stream reads, the other
/// writes.
mod read_write {
    use super::*;

    pub async fn test_write_zero_bytes(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        ws.write(Bytes::new()).await.unwrap();
        ws.close();
        rs.close();
    }

    pub async fn test_streaming_callback(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let first = read_then_write(rs.read_bytes(6, true), &ws, b"1234").await;
        assert_eq!(&first.unwrap()[..], b"1234");
        let second = read_then_write(rs.read_bytes(2, true), &ws, b"5678").await;
        assert_eq!(&second.unwrap()[..], b"56");
        // The rest of the last chunk is still in the buffer.
        assert_eq!(&rs.read_bytes(2, false).await.unwrap()[..], b"78");
    }

    pub async fn test_streaming_callback_with_data_in_buffer(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        drop(ws.write(&b"abcd\r\nefgh"[..]));
        assert_eq!(
            &rs.read_until(b"\r\n", None).await.unwrap()[..],
            b"abcd\r\n"
        );
        // What is buffered comes at once, without waiting for the close.
        assert_eq!(&rs.read_bytes(1024, true).await.unwrap()[..], b"efgh");
        assert!(!rs.closed());
    }

    /// Partial reads until the close: each chunk as it came, then a clean
    /// close.
    async fn chunks_until_close(rs: &IoStream) -> Vec<Bytes> {
        let mut chunks = Vec::new();
        loop {
            match rs.read_bytes(64 * 1024, true).await {
                Ok(chunk) => chunks.push(chunk),
                Err(StreamError::Closed(closed)) => {
                    assert!(closed.real_error().is_none(), "{closed}");
                    return chunks;
                }
                Err(e) => panic!("unexpected error {e}"),
            }
        }
    }

    pub async fn test_streaming_until_close(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let first = read_then_write(rs.read_bytes(1024, true), &ws, b"1234").await;
        ws.write(&b"5678"[..]).await.unwrap();
        ws.close();
        let mut chunks = vec![first.unwrap()];
        chunks.extend(chunks_until_close(&rs).await);
        assert_eq!(chunks, [&b"1234"[..], &b"5678"[..]]);
        assert!(rs.error().is_none());
    }

    pub async fn test_streaming_until_close_future(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let writer = async {
            ws.write(&b"1234"[..]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(10)).await;
            ws.write(&b"5678"[..]).await.unwrap();
            ws.close();
        };
        let (chunks, ()) = tokio::join!(chunks_until_close(&rs), writer);
        assert!(chunks.iter().all(|c| !c.is_empty()));
        assert_eq!(chunks.concat(), b"12345678");
    }

    pub async fn test_delayed_close_callback(kind: Kind) {
        // The writer closes while a read can still be served from buffered
        // data: the close callback waits until the buffer was read.
        let (rs, ws) = make_pair(kind, unchanged).await;
        let closed = close_signal(&rs);
        drop(ws.write(&b"12"[..]));
        let first = rs.read_bytes(1, false).await.unwrap();
        ws.close();
        let second = rs.read_bytes(1, false).await.unwrap();
        assert_eq!([first, second], [&b"1"[..], &b"2"[..]]);
        closed_signal(closed).await;
        assert!(rs.closed());
        assert!(rs.error().is_none());
    }

    pub async fn test_future_delayed_close_callback(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        drop(ws.write(&b"12"[..]));
        let first = rs.read_bytes(1, false).await.unwrap();
        ws.close();
        let second = rs.read_bytes(1, false).await.unwrap();
        assert_eq!([first, second], [&b"1"[..], &b"2"[..]]);
    }

    pub async fn test_close_buffered_data(kind: Kind) {
        // Data still in the kernel's buffers when the writer closes is read
        // before the close is noticed.
        let (rs, ws) = make_pair(kind, |s| s.with_read_chunk_size(256)).await;
        drop(ws.write(vec![b'A'; 512]));
        assert_eq!(rs.read_bytes(256, false).await.unwrap(), vec![b'A'; 256]);
        ws.close();
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(rs.read_bytes(256, false).await.unwrap(), vec![b'A'; 256]);
    }

    pub async fn test_read_until_close_after_close(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        ws.write(&b"1234"[..]).await.unwrap();
        ws.close();
        assert_eq!(&rs.read_bytes(1, false).await.unwrap()[..], b"1");
        assert_eq!(&rs.read_until_close().await.unwrap()[..], b"234");
    }

    pub async fn test_streaming_read_until_close_after_close(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        ws.write(&b"1234"[..]).await.unwrap();
        ws.close();
        assert_eq!(&rs.read_bytes(1, false).await.unwrap()[..], b"1");
        assert_eq!(chunks_until_close(&rs).await.concat(), b"234");
    }

    pub async fn test_large_read_until(kind: Kind) {
        // read_until once had a quadratic component.
        let (rs, ws) = make_pair(kind, unchanged).await;
        const NUM_KB: usize = 4096;
        let kb = Bytes::from(vec![b'A'; 1024]);
        for _ in 0..NUM_KB {
            drop(ws.write(kb.clone()));
        }
        drop(ws.write(&b"\r\n"[..]));
        let data = rs.read_until(b"\r\n", None).await.unwrap();
        assert_eq!(data.len(), NUM_KB * 1024 + 2);
    }

    pub async fn test_close_callback_with_pending_read(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let closed = close_signal(&rs);
        drop(ws.write(&b"OK\r\n"[..]));
        assert_eq!(&rs.read_until(b"\r\n", None).await.unwrap()[..], b"OK\r\n");
        ws.close();
        let result = rs.read_until(b"\r\n", None).await;
        assert!(is_closed(&result), "{result:?}");
        closed_signal(closed).await;
    }

    pub async fn test_future_close_callback(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let mut closed = close_signal(&rs);
        drop(ws.write(&b"a"[..]));
        assert_eq!(&rs.read_bytes(1, false).await.unwrap()[..], b"a");
        poll::settle().await;
        assert!(closed.try_recv().is_err(), "closed too early");
        ws.close();
        closed_signal(closed).await;
        assert!(rs.closed());
    }

    pub async fn test_write_memoryview(kind: Kind) {
        // A write of a view into a shared buffer.
        let (rs, ws) = make_pair(kind, unchanged).await;
        let shared = Bytes::from_static(b"--hello--");
        drop(ws.write(shared.slice(2..7)));
        assert_eq!(&rs.read_bytes(4, false).await.unwrap()[..], b"hell");
    }

    pub async fn test_read_bytes_partial(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        // More than is available, partial: what came.
        let data = read_then_write(rs.read_bytes(50, true), &ws, b"hello").await;
        assert_eq!(&data.unwrap()[..], b"hello");
        // Less than is available: num_bytes is still respected.
        let data = read_then_write(rs.read_bytes(3, true), &ws, b"world").await;
        assert_eq!(&data.unwrap()[..], b"wor");
        // Partial reads never return empty, but read_bytes(0) does.
        assert_eq!(&rs.read_bytes(0, true).await.unwrap()[..], b"");
    }

    /// Runs an unsatisfiable read and checks the stream closed because of
    /// it, logged it and ran the close callback.
    async fn expect_unsatisfiable<T: std::fmt::Debug>(
        rs: &IoStream,
        closed: oneshot::Receiver<()>,
        read: impl Future<Output = Result<T, StreamError>>,
    ) {
        let (logs, _guard) = logs::Logs::capture();
        let result = read.await;
        assert!(
            matches!(result, Err(StreamError::UnsatisfiableRead(_))),
            "{result:?}"
        );
        closed_signal(closed).await;
        assert!(matches!(
            rs.error(),
            Some(StreamError::UnsatisfiableRead(_))
        ));
        assert!(
            logs.records()
                .iter()
                .any(|r| r.message.contains("Unsatisfiable read"))
        );
    }

    pub async fn test_read_until_max_bytes(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let closed = close_signal(&rs);
        // Extra room under the limit.
        let data = read_then_write(rs.read_until(b"def", Some(50)), &ws, b"abcdef").await;
        assert_eq!(&data.unwrap()[..], b"abcdef");
        // Just enough space: the delimiter ends exactly at max_bytes.
        let data = read_then_write(rs.read_until(b"def", Some(6)), &ws, b"abcdef").await;
        assert_eq!(&data.unwrap()[..], b"abcdef");
        // Not enough space: known only once the data is there.
        let read = read_then_write(rs.read_until(b"def", Some(5)), &ws, b"123456");
        expect_unsatisfiable(&rs, closed, read).await;
    }

    pub async fn test_read_until_max_bytes_inline(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let closed = close_signal(&rs);
        ws.write(&b"123456"[..]).await.unwrap();
        expect_unsatisfiable(&rs, closed, rs.read_until(b"def", Some(5))).await;
    }

    pub async fn test_read_until_max_bytes_ignores_extra(kind: Kind) {
        // The delimiter arrives in the same packet that goes over the
        // limit, but it ends past the limit: the read fails.
        let (rs, ws) = make_pair(kind, unchanged).await;
        let closed = close_signal(&rs);
        ws.write(&b"abcdef"[..]).await.unwrap();
        expect_unsatisfiable(&rs, closed, rs.read_until(b"def", Some(5))).await;
    }

    pub async fn test_read_until_regex_max_bytes(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let closed = close_signal(&rs);
        let def = Regex::new("def").unwrap();
        let data = read_then_write(rs.read_until_regex(&def, Some(50)), &ws, b"abcdef").await;
        assert_eq!(&data.unwrap()[..], b"abcdef");
        let data = read_then_write(rs.read_until_regex(&def, Some(6)), &ws, b"abcdef").await;
        assert_eq!(&data.unwrap()[..], b"abcdef");
        let read = read_then_write(rs.read_until_regex(&def, Some(5)), &ws, b"123456");
        expect_unsatisfiable(&rs, closed, read).await;
    }

    pub async fn test_read_until_regex_max_bytes_inline(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let closed = close_signal(&rs);
        ws.write(&b"123456"[..]).await.unwrap();
        let def = Regex::new("def").unwrap();
        expect_unsatisfiable(&rs, closed, rs.read_until_regex(&def, Some(5))).await;
    }

    pub async fn test_read_until_regex_max_bytes_ignores_extra(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let closed = close_signal(&rs);
        ws.write(&b"abcdef"[..]).await.unwrap();
        let def = Regex::new("def").unwrap();
        expect_unsatisfiable(&rs, closed, rs.read_until_regex(&def, Some(5))).await;
    }

    pub async fn test_small_reads_from_large_buffer(kind: Kind) {
        // 10 KiB buffer, 100 KiB sent: small reads never fill the buffer.
        let (rs, ws) = make_pair(kind, |s| s.with_max_buffer_size(10 * 1024)).await;
        drop(ws.write(vec![b'a'; 100 * 1024]));
        for _ in 0..100 {
            assert_eq!(rs.read_bytes(1024, false).await.unwrap(), vec![b'a'; 1024]);
        }
    }

    pub async fn test_small_read_untils_from_large_buffer(kind: Kind) {
        let (rs, ws) = make_pair(kind, |s| s.with_max_buffer_size(10 * 1024)).await;
        let mut line = vec![b'a'; 1023];
        line.push(b'\n');
        drop(ws.write(line.repeat(100)));
        for _ in 0..100 {
            assert_eq!(rs.read_until(b"\n", Some(4096)).await.unwrap(), line);
        }
    }

    pub async fn test_flow_control(kind: Kind) {
        const MB: usize = 1024 * 1024;
        let (rs, ws) = make_pair(kind, |s| s.with_max_buffer_size(5 * MB)).await;
        // The writer sends more than the reader buffers; the reader only
        // reads what it is asked for, so its buffer never overflows.
        drop(ws.write(vec![b'a'; 10 * MB]));
        rs.read_bytes(MB, false).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        for _ in 0..9 {
            assert_eq!(rs.read_bytes(MB, false).await.unwrap().len(), MB);
        }
        assert!(!rs.closed());
    }

    pub async fn test_read_into(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let mut buf = [0u8; 10];
        let writer = async {
            ws.write(&b"hello"[..]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(rs.reading());
            ws.write(&b"world!!"[..]).await.unwrap();
        };
        let (n, ()) = tokio::join!(rs.read_into(&mut buf, false), writer);
        assert_eq!(n.unwrap(), 10);
        assert!(!rs.reading());
        assert_eq!(&buf, b"helloworld");

        // What is buffered goes into the caller's buffer first.
        let writer = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(rs.reading());
            ws.write(&b"1234567890"[..]).await.unwrap();
        };
        let (n, ()) = tokio::join!(rs.read_into(&mut buf, false), writer);
        assert_eq!(n.unwrap(), 10);
        assert!(!rs.reading());
        assert_eq!(&buf, b"!!12345678");

        // The buffer alone can satisfy the read.
        let mut buf = [0u8; 4];
        ws.write(&b"abcdefghi"[..]).await.unwrap();
        assert_eq!(rs.read_into(&mut buf, false).await.unwrap(), 4);
        assert_eq!(&buf, b"90ab");
        assert_eq!(&rs.read_bytes(7, false).await.unwrap()[..], b"cdefghi");
    }

    pub async fn test_read_into_partial(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let mut buf = [0u8; 10];
        let n = read_then_write(rs.read_into(&mut buf, true), &ws, b"hello").await;
        assert_eq!(n.unwrap(), 5);
        assert!(!rs.reading());
        assert_eq!(&buf, b"hello\0\0\0\0\0");

        // A full read despite partial.
        ws.write(&b"world!1234567890"[..]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(rs.read_into(&mut buf, true).await.unwrap(), 10);
        assert_eq!(&buf, b"world!1234");

        // The buffered rest satisfies the next read at once.
        assert_eq!(rs.read_into(&mut buf, true).await.unwrap(), 6);
        assert_eq!(&buf, b"5678901234");
    }

    pub async fn test_read_into_zero_bytes(kind: Kind) {
        let (rs, _ws) = make_pair(kind, unchanged).await;
        let mut buf = [0u8; 0];
        let mut read = Box::pin(rs.read_into(&mut buf, false));
        match poll::poll_once(&mut read) {
            std::task::Poll::Ready(n) => assert_eq!(n.unwrap(), 0),
            std::task::Poll::Pending => panic!("read_into of nothing did not complete at once"),
        }
    }

    /// A small deterministic generator (Tornado seeds `random` with 42).
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Rng {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        /// Uniform in `1..=max`.
        pub fn size(&mut self, max: usize) -> usize {
            1 + (self.next() % max as u64) as usize
        }
    }

    pub async fn test_many_mixed_reads(kind: Kind) {
        // Back and forth between read_bytes (the stream's buffer) and
        // read_into (the caller's buffer).
        const NBYTES: usize = 1_000_000;
        let (rs, ws) = make_pair(kind, unchanged).await;
        let mut rng = Rng::new(42);
        let data: Vec<u8> = (0..NBYTES).map(|_| rng.next() as u8).collect();
        let produce = async {
            let mut rng = Rng::new(7);
            let mut at = 0;
            while at < NBYTES {
                let size = rng.size(1000.min(NBYTES - at));
                ws.write(data[at..at + size].to_vec()).await.unwrap();
                at += size;
            }
        };
        let consume = async {
            let mut rng = Rng::new(9);
            let mut received = Vec::with_capacity(NBYTES);
            while received.len() < NBYTES {
                let size = rng.size(1000.min(NBYTES - received.len()));
                if rng.next().is_multiple_of(2) {
                    received.extend_from_slice(&rs.read_bytes(size, false).await.unwrap());
                } else {
                    let mut buf = vec![0u8; size];
                    assert_eq!(rs.read_into(&mut buf, false).await.unwrap(), size);
                    received.extend_from_slice(&buf);
                }
            }
            received
        };
        let ((), received) = tokio::join!(produce, consume);
        assert!(received == data, "received data differs");
    }
}

/// The tests of Tornado's `TestIOStreamMixin` beyond the read/write mixin:
/// streams over sockets.
mod socket_mixin {
    use super::*;

    pub async fn test_connection_refused(_kind: Kind) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let error = IoStream::connect(addr).await.unwrap_err();
        assert_eq!(
            error.io_kind(),
            Some(io::ErrorKind::ConnectionRefused),
            "{error}"
        );
    }

    pub async fn test_future_write(kind: Kind) {
        // Concurrent writers clog the socket; no write future is lost.
        const M: usize = 10_000;
        const N: usize = 100;
        const PRODUCERS: usize = 10;
        let total = M * N * PRODUCERS;
        let (server, client) = make_pair(kind, |s| s.with_max_buffer_size(M * N * PRODUCERS)).await;
        let data = Bytes::from(vec![b'x'; M]);
        let produce = |server: IoStream, data: Bytes| async move {
            for _ in 0..N {
                server.write(data.clone()).await.unwrap();
            }
        };
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|_| produce(server.clone(), data.clone()))
            .collect();
        let consume = async {
            let mut read = 0;
            while read < total {
                read += client.read_bytes(M, false).await.unwrap().len();
            }
            read
        };
        let (_, read) = tokio::join!(futures_util::future::join_all(producers), consume);
        assert_eq!(read, total);
    }
}

macro_rules! tests_of {
    ($mixin:ident, $kind:expr, [$($test:ident),* $(,)?]) => {
        $(
            #[tokio::test]
            async fn $test() {
                bounded($mixin::$test($kind)).await
            }
        )*
    };
}

macro_rules! read_write_mixin {
    ($kind:expr) => {
        tests_of!(
            read_write,
            $kind,
            [
                test_write_zero_bytes,
                test_streaming_callback,
                test_streaming_callback_with_data_in_buffer,
                test_streaming_until_close,
                test_streaming_until_close_future,
                test_delayed_close_callback,
                test_future_delayed_close_callback,
                test_close_buffered_data,
                test_read_until_close_after_close,
                test_streaming_read_until_close_after_close,
                test_large_read_until,
                test_close_callback_with_pending_read,
                test_future_close_callback,
                test_write_memoryview,
                test_read_bytes_partial,
                test_read_until_max_bytes,
                test_read_until_max_bytes_inline,
                test_read_until_max_bytes_ignores_extra,
                test_read_until_regex_max_bytes,
                test_read_until_regex_max_bytes_inline,
                test_read_until_regex_max_bytes_ignores_extra,
                test_small_reads_from_large_buffer,
                test_small_read_untils_from_large_buffer,
                test_flow_control,
                test_read_into,
                test_read_into_partial,
                test_read_into_zero_bytes,
                test_many_mixed_reads,
            ]
        );
    };
}

macro_rules! iostream_mixin {
    ($kind:expr) => {
        read_write_mixin!($kind);
        tests_of!(
            socket_mixin,
            $kind,
            [test_connection_refused, test_future_write]
        );
    };
}

/// Tornado's `TestIOStream`: plain TCP.
mod test_iostream {
    use super::*;
    iostream_mixin!(Kind::Tcp);
}

/// Tornado's `TestIOStreamSSL`: TLS configured from PEM files.
mod test_iostream_ssl {
    use super::*;
    iostream_mixin!(Kind::Tls);
}

/// Tornado's `TestIOStreamSSLContext`: TLS from ready rustls configs.
mod test_iostream_ssl_context {
    use super::*;
    iostream_mixin!(Kind::TlsDirect);
}

/// Beyond Tornado: the read/write mixin over Unix sockets.
mod test_iostream_unix {
    use super::*;
    read_write_mixin!(Kind::Unix);
}

/// Tornado's `TestPipeIOStream`.
mod test_pipe_iostream {
    use super::*;
    read_write_mixin!(Kind::Pipe);

    #[tokio::test]
    async fn test_pipe_iostream() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Pipe, unchanged).await;
            drop(ws.write(&b"hel"[..]));
            drop(ws.write(&b"lo world"[..]));
            assert_eq!(&rs.read_until(b" ", None).await.unwrap()[..], b"hello ");
            assert_eq!(&rs.read_bytes(3, false).await.unwrap()[..], b"wor");
            ws.close();
            assert_eq!(&rs.read_until_close().await.unwrap()[..], b"ld");
            rs.close();
        })
        .await
    }

    #[tokio::test]
    async fn test_pipe_iostream_big_write() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Pipe, unchanged).await;
            const NUM_BYTES: usize = 1_048_576;
            // More than the pipe holds: the write completes as it is read.
            let write = ws.write(vec![b'1'; NUM_BYTES]);
            assert_eq!(
                rs.read_bytes(NUM_BYTES, false).await.unwrap(),
                vec![b'1'; NUM_BYTES]
            );
            write.await.unwrap();
        })
        .await
    }

    #[tokio::test]
    async fn pipe_ends_refuse_the_other_direction() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Pipe, unchanged).await;
            let error = rs.write(&b"x"[..]).await.unwrap_err();
            assert_eq!(error.io_kind(), Some(io::ErrorKind::Unsupported));
            let error = ws.read_bytes(1, false).await.unwrap_err();
            assert_eq!(error.io_kind(), Some(io::ErrorKind::Unsupported));
            assert!(!rs.closed() && !ws.closed());
        })
        .await
    }
}

/// A tiny HTTP/1.0 responder standing in for Tornado's `HelloHandler`
/// application: answers one request with "Hello" and closes.
async fn hello_server(tls: bool) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let mut stream = IoStream::from_tcp(socket);
        if tls {
            stream = stream.into_tls(certs::server_config(), None).unwrap();
        }
        if stream.read_until(b"\r\n\r\n", Some(65536)).await.is_ok() {
            let _ = stream
                .write(&b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello"[..])
                .await;
        }
        stream.close();
    });
    addr
}

async fn web_client(tls: bool) -> IoStream {
    let stream = IoStream::connect(hello_server(tls).await).await.unwrap();
    if tls {
        stream
            .start_tls(certs::client_config(), Some("localhost"))
            .await
            .unwrap()
    } else {
        stream
    }
}

/// The tests of Tornado's `TestIOStreamWebMixin`.
mod web {
    use super::*;

    pub async fn test_read_until_close(tls: bool) {
        let stream = web_client(tls).await;
        drop(stream.write(&b"GET / HTTP/1.0\r\n\r\n"[..]));
        let data = stream.read_until_close().await.unwrap();
        assert!(data.starts_with(b"HTTP/1.1 200"), "{data:?}");
        assert!(data.ends_with(b"Hello"), "{data:?}");
    }

    pub async fn test_read_zero_bytes(tls: bool) {
        let stream = web_client(tls).await;
        drop(stream.write(&b"GET / HTTP/1.0\r\n\r\n"[..]));
        assert_eq!(
            &stream.read_bytes(9, false).await.unwrap()[..],
            b"HTTP/1.1 "
        );
        assert_eq!(&stream.read_bytes(0, false).await.unwrap()[..], b"");
        assert_eq!(&stream.read_bytes(3, false).await.unwrap()[..], b"200");
        stream.close();
    }

    pub async fn test_future_interface(tls: bool) {
        let stream = web_client(tls).await;
        stream.write(&b"GET / HTTP/1.0\r\n\r\n"[..]).await.unwrap();
        let first_line = stream.read_until(b"\r\n", None).await.unwrap();
        assert_eq!(&first_line[..], b"HTTP/1.1 200 OK\r\n");
        let headers = stream.read_until(b"\r\n\r\n", None).await.unwrap();
        let headers = std::str::from_utf8(&headers).unwrap();
        let length: usize = headers
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            &stream.read_bytes(length, false).await.unwrap()[..],
            b"Hello"
        );
        stream.close();
    }

    pub async fn test_future_close_while_reading(tls: bool) {
        let stream = web_client(tls).await;
        stream.write(&b"GET / HTTP/1.0\r\n\r\n"[..]).await.unwrap();
        let result = stream.read_bytes(1024 * 1024, false).await;
        assert!(is_closed(&result), "{result:?}");
        // The close came in the middle of the read.
        assert_eq!(
            result.unwrap_err().io_kind(),
            Some(io::ErrorKind::UnexpectedEof)
        );
        stream.close();
    }

    pub async fn test_future_read_until_close(tls: bool) {
        // The data comes through before the close.
        let stream = web_client(tls).await;
        stream
            .write(&b"GET / HTTP/1.0\r\nConnection: close\r\n\r\n"[..])
            .await
            .unwrap();
        stream.read_until(b"\r\n\r\n", None).await.unwrap();
        assert_eq!(&stream.read_until_close().await.unwrap()[..], b"Hello");
        // Nothing else to read: the error comes at once.
        let mut read = Box::pin(stream.read_bytes(1, false));
        match poll::poll_once(&mut read) {
            std::task::Poll::Ready(result) => assert!(is_closed(&result), "{result:?}"),
            std::task::Poll::Pending => panic!("read on a closed stream is pending"),
        }
    }
}

macro_rules! web_mixin {
    ($tls:expr) => {
        tests_of!(
            web,
            $tls,
            [
                test_read_until_close,
                test_read_zero_bytes,
                test_future_interface,
                test_future_close_while_reading,
                test_future_read_until_close,
            ]
        );
    };
}

/// Tornado's `TestIOStreamWebHTTP`.
mod test_iostream_web_http {
    use super::*;
    web_mixin!(false);
}

/// Tornado's `TestIOStreamWebHTTPS`.
mod test_iostream_web_https {
    use super::*;
    web_mixin!(true);
}

/// Tornado's `TestIOStreamStartTLS`: plain streams switching to TLS.
mod test_iostream_start_tls {
    use super::*;

    async fn plain_pair() -> (IoStream, IoStream) {
        make_pair(Kind::Tcp, unchanged).await
    }

    async fn send_line(from: &IoStream, to: &IoStream, line: &'static [u8]) {
        drop(from.write(line));
        assert_eq!(&to.read_until(b"\r\n", None).await.unwrap()[..], line);
    }

    #[tokio::test]
    async fn test_start_tls_smtp() {
        bounded(async {
            // Simplified from RFC 3207 section 5.
            let (server, client) = plain_pair().await;
            send_line(&server, &client, b"220 mail.example.com ready\r\n").await;
            send_line(&client, &server, b"EHLO mail.example.com\r\n").await;
            send_line(&server, &client, b"250-mail.example.com welcome\r\n").await;
            send_line(&server, &client, b"250 STARTTLS\r\n").await;
            send_line(&client, &server, b"STARTTLS\r\n").await;
            send_line(&server, &client, b"220 Go ahead\r\n").await;
            let (client, server) = tokio::join!(
                client.start_tls(certs::client_config(), Some("localhost")),
                server.start_tls(certs::server_config(), None),
            );
            let (client, server) = (client.unwrap(), server.unwrap());
            send_line(&client, &server, b"EHLO mail.example.com\r\n").await;
            send_line(&server, &client, b"250 mail.example.com welcome\r\n").await;
        })
        .await
    }

    #[tokio::test]
    async fn test_handshake_fail() {
        bounded(async {
            let (server, client) = plain_pair().await;
            // The default client configuration verifies against the public
            // roots, which do not know the test CA.
            let default_client = supercell::netutil::SslOptions::default()
                .client_config()
                .unwrap();
            let (logs, _guard) = logs::Logs::capture();
            let (client, server) = tokio::join!(
                client.start_tls(default_client.into(), Some("localhost")),
                server.start_tls(certs::server_config(), None),
            );
            let (client, error) = client.unwrap_err().into_parts();
            assert_eq!(error.io_kind(), Some(io::ErrorKind::InvalidData), "{error}");
            assert!(error.to_string().contains("UnknownIssuer"), "{error}");
            // The failed stream is closed, with the TLS error as its cause.
            assert!(client.closed());
            let cause = client.error().expect("no error recorded");
            assert_eq!(cause.io_kind(), Some(io::ErrorKind::InvalidData), "{cause}");
            assert_eq!(cause.to_string(), error.to_string());
            assert!(server.is_err());
            let records = logs.records();
            assert!(
                records.iter().any(|r| r.message.contains("SSL Error")),
                "{records:?}"
            );
        })
        .await
    }

    #[tokio::test]
    async fn test_check_hostname() {
        bounded(async {
            // The server_hostname given to start_tls is the name verified.
            let (server, client) = plain_pair().await;
            let (logs, _guard) = logs::Logs::capture();
            let (client, server) = tokio::join!(
                client.start_tls(certs::client_config(), Some("foo.example.com")),
                server.start_tls(certs::server_config(), None),
            );
            let error = client.unwrap_err();
            assert!(error.to_string().contains("not valid for name"), "{error}");
            assert!(server.is_err());
            let records = logs.records();
            assert!(
                records.iter().any(|r| r.message.contains("SSL Error")),
                "{records:?}"
            );
        })
        .await
    }
}

/// Tornado's `WaitForHandshakeTest`.
mod wait_for_handshake_test {
    use super::*;

    /// A server stream switched to TLS without waiting, and a client that
    /// completes the handshake.
    async fn tls_server_stream() -> (IoStream, tokio::task::JoinHandle<IoStream>) {
        let (server, client) = tcp_sockets().await;
        let server = IoStream::from_tcp(server)
            .into_tls(certs::server_config(), None)
            .unwrap();
        let client = tokio::spawn(async move {
            IoStream::from_tcp(client)
                .start_tls(certs::client_config(), Some("localhost"))
                .await
                .unwrap()
        });
        (server, client)
    }

    #[tokio::test]
    async fn test_wait_for_handshake_future() {
        bounded(async {
            let (server, client) = tls_server_stream().await;
            server.wait_for_handshake().await.unwrap();
            client.await.unwrap();
        })
        .await
    }

    /// Tornado raises when a second wait starts while one is pending; with
    /// futures, several waiters are fine and all see the handshake end.
    #[tokio::test]
    async fn test_wait_for_handshake_already_waiting_error() {
        bounded(async {
            let (server, client) = tls_server_stream().await;
            let (a, b) = tokio::join!(server.wait_for_handshake(), server.wait_for_handshake());
            a.unwrap();
            b.unwrap();
            client.await.unwrap();
        })
        .await
    }

    #[tokio::test]
    async fn test_wait_for_handshake_already_connected() {
        bounded(async {
            let (server, client) = tls_server_stream().await;
            server.wait_for_handshake().await.unwrap();
            server.wait_for_handshake().await.unwrap();
            client.await.unwrap();
        })
        .await
    }
}

/// The end of a server handshake that never completes: the stream closed
/// or dropped under it, a client that goes away, a client that speaks no
/// TLS. Each test runs on a current-thread runtime, so the runtime's count
/// of live tasks tells whether the handshake task ended.
mod tls_handshake_end {
    use super::*;
    use logs::{Logs, Record};
    use supercell::util::log_target::GEN_LOG;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tracing::Level;

    /// A server stream handshaking with a client socket that has sent
    /// nothing yet, once the handshake task waits on the socket.
    async fn handshaking_server() -> (IoStream, TcpStream) {
        let (server, client) = tcp_sockets().await;
        let server = IoStream::from_tcp(server)
            .into_tls(certs::server_config(), None)
            .unwrap();
        tokio::task::yield_now().await;
        (server, client)
    }

    /// What the client reads next: EOF must come, as the server released
    /// its socket.
    async fn client_sees_eof(client: &mut TcpStream) {
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(10), client.read(&mut buf))
            .await
            .expect("the server socket is still open");
        assert_eq!(read.unwrap(), 0);
    }

    fn warnings(logs: &Logs) -> Vec<Record> {
        logs.records()
            .into_iter()
            .filter(|r| r.level <= Level::WARN)
            .collect()
    }

    #[tokio::test]
    async fn close_during_the_handshake_releases_the_socket_and_the_task() {
        bounded(async {
            let before = alive_tasks();
            let (server, mut client) = handshaking_server().await;
            assert_eq!(alive_tasks(), before + 1, "no handshake task");
            server.close();
            client_sees_eof(&mut client).await;
            assert!(tasks_drop_to(before).await, "the handshake task lives on");
            assert!(is_closed(&server.wait_for_handshake().await));
            assert!(server.error().is_none(), "{:?}", server.error());
        })
        .await
    }

    #[tokio::test]
    async fn dropping_the_stream_during_the_handshake_closes_the_socket() {
        bounded(async {
            let before = alive_tasks();
            let (server, mut client) = handshaking_server().await;
            assert_eq!(alive_tasks(), before + 1, "no handshake task");
            drop(server);
            client_sees_eof(&mut client).await;
            assert!(tasks_drop_to(before).await, "the handshake task lives on");
        })
        .await
    }

    /// The start of a TLS record announcing a ClientHello longer than what
    /// follows.
    const TRUNCATED_CLIENT_HELLO: &[u8] = &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00];

    /// Lets `client` leave mid-handshake (with a reset when `reset`), and
    /// returns what the server logged and its handshake's error.
    async fn client_leaves_mid_handshake(reset: bool) -> (Logs, StreamError, String) {
        let (logs, _guard) = Logs::capture();
        let (server, mut client) = handshaking_server().await;
        let peer = client.local_addr().unwrap().to_string();
        client.write_all(TRUNCATED_CLIENT_HELLO).await.unwrap();
        if reset {
            client.set_zero_linger().unwrap();
        }
        drop(client);
        let error = server.wait_for_handshake().await.unwrap_err();
        let StreamError::Closed(closed) = error else {
            panic!("not a close: {error}");
        };
        let cause = closed.real_error().cloned().expect("no cause");
        (logs, cause, peer)
    }

    #[tokio::test]
    async fn client_closing_mid_handshake_is_not_a_warning() {
        bounded(async {
            let (logs, cause, peer) = client_leaves_mid_handshake(false).await;
            assert_eq!(
                cause.io_kind(),
                Some(io::ErrorKind::UnexpectedEof),
                "{cause}"
            );
            assert_eq!(warnings(&logs).len(), 0, "{:?}", logs.records());
            assert!(
                logs.records().iter().any(|r| r.target == GEN_LOG
                    && r.level == Level::DEBUG
                    && r.message.contains(&peer)),
                "{:?}",
                logs.records()
            );
        })
        .await
    }

    #[tokio::test]
    async fn client_resetting_mid_handshake_is_not_a_warning() {
        bounded(async {
            let (logs, cause, _) = client_leaves_mid_handshake(true).await;
            assert_eq!(
                cause.io_kind(),
                Some(io::ErrorKind::ConnectionReset),
                "{cause}"
            );
            assert_eq!(warnings(&logs).len(), 0, "{:?}", logs.records());
        })
        .await
    }

    #[tokio::test]
    async fn plain_text_client_is_one_warning_naming_it() {
        bounded(async {
            let (logs, _guard) = Logs::capture();
            let (server, mut client) = handshaking_server().await;
            let peer = client.local_addr().unwrap().to_string();
            client.write_all(b"GET / HTTP/1.0\r\n\r\n").await.unwrap();
            let error = server.wait_for_handshake().await;
            assert!(is_closed(&error), "{error:?}");
            let warnings = warnings(&logs);
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert_eq!(warnings[0].level, Level::WARN);
            assert_eq!(warnings[0].target, GEN_LOG);
            assert!(warnings[0].message.contains("SSL Error"), "{warnings:?}");
            assert!(warnings[0].message.contains(&peer), "{warnings:?}");
        })
        .await
    }
}

/// Behaviour beyond Tornado's tests: one pending read, cancel-safety,
/// limits at their edges, the real cause of every close, large writes.
mod beyond_tornado {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn second_concurrent_read_is_an_error() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
            let mut first = Box::pin(rs.read_bytes(3, false));
            assert!(poll::poll_once(&mut first).is_pending());
            assert!(rs.reading());
            let second = rs.read_until(b"\n", None).await;
            assert!(
                matches!(second, Err(StreamError::AlreadyReading)),
                "{second:?}"
            );
            drop(ws.write(&b"abc"[..]));
            assert_eq!(&first.await.unwrap()[..], b"abc");
            assert!(!rs.reading());
            assert!(!rs.closed());
        })
        .await
    }

    async fn cancelled_read_keeps_data(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        ws.write(&b"abc"[..]).await.unwrap();
        // A read that received part of its data, then is dropped.
        let cancelled =
            tokio::time::timeout(Duration::from_millis(50), rs.read_until(b"\n", None)).await;
        assert!(cancelled.is_err(), "the read should still be pending");
        assert!(!rs.reading());
        ws.write(&b"def\n"[..]).await.unwrap();
        assert_eq!(&rs.read_until(b"\n", None).await.unwrap()[..], b"abcdef\n");
    }

    #[tokio::test]
    async fn cancelled_read_keeps_data_tcp() {
        bounded(cancelled_read_keeps_data(Kind::Tcp)).await
    }

    #[tokio::test]
    async fn cancelled_read_keeps_data_tls() {
        bounded(cancelled_read_keeps_data(Kind::Tls)).await
    }

    #[tokio::test]
    async fn cancelled_read_into_keeps_data() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
            drop(ws.write(&b"12"[..]));
            assert_eq!(&rs.read_bytes(1, true).await.unwrap()[..], b"1");
            // "2" is buffered; "345" is read straight into the caller's
            // buffer; then the read is dropped before it is full.
            ws.write(&b"345"[..]).await.unwrap();
            let mut buf = [0u8; 10];
            let cancelled =
                tokio::time::timeout(Duration::from_millis(50), rs.read_into(&mut buf, false))
                    .await;
            assert!(cancelled.is_err());
            ws.write(&b"6"[..]).await.unwrap();
            assert_eq!(&rs.read_bytes(5, false).await.unwrap()[..], b"23456");
        })
        .await
    }

    #[tokio::test]
    async fn read_until_max_bytes_edge() {
        bounded(async {
            // The delimiter ending exactly at max_bytes passes even when
            // more data follows it.
            let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
            ws.write(&b"abc\r\nrest"[..]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(10)).await;
            assert_eq!(
                &rs.read_until(b"\r\n", Some(5)).await.unwrap()[..],
                b"abc\r\n"
            );
            // Without a delimiter, exactly max_bytes buffered still waits.
            let mut read = Box::pin(rs.read_until(b"\r\n", Some(4)));
            tokio::time::sleep(Duration::from_millis(10)).await;
            assert!(poll::poll_once(&mut read).is_pending());
            // One byte more and it is unsatisfiable.
            ws.write(&b"!"[..]).await.unwrap();
            let result = read.await;
            assert!(
                matches!(result, Err(StreamError::UnsatisfiableRead(ref e)) if e.max_bytes == 4),
                "{result:?}"
            );
            assert!(rs.closed());
        })
        .await
    }

    async fn read_buffer_edge(kind: Kind) {
        const LIMIT: usize = 64 * 1024;
        // Exactly full is fine.
        let (rs, ws) = make_pair(kind, |s| s.with_max_buffer_size(LIMIT)).await;
        drop(ws.write(vec![b'x'; LIMIT]));
        assert_eq!(rs.read_bytes(LIMIT, false).await.unwrap().len(), LIMIT);
        assert!(!rs.closed());
        // One byte over closes the stream with StreamBufferFullError.
        let (rs, ws) = make_pair(kind, |s| s.with_max_buffer_size(LIMIT)).await;
        let closed = close_signal(&rs);
        drop(ws.write(vec![b'x'; LIMIT + 1]));
        let result = rs.read_bytes(LIMIT + 1, false).await;
        assert!(
            matches!(result, Err(StreamError::BufferFull(ref e)) if e.limit == LIMIT),
            "{result:?}"
        );
        closed_signal(closed).await;
        assert!(matches!(rs.error(), Some(StreamError::BufferFull(_))));
        // The same edge for read_until_close.
        let (rs, ws) = make_pair(kind, |s| s.with_max_buffer_size(LIMIT)).await;
        ws.write(vec![b'x'; LIMIT]).await.unwrap();
        ws.close();
        assert_eq!(rs.read_until_close().await.unwrap().len(), LIMIT);
        let (rs, ws) = make_pair(kind, |s| s.with_max_buffer_size(LIMIT)).await;
        ws.write(vec![b'x'; LIMIT + 1]).await.unwrap();
        ws.close();
        assert!(matches!(
            rs.read_until_close().await,
            Err(StreamError::BufferFull(_))
        ));
    }

    #[tokio::test]
    async fn read_buffer_limit_edge_tcp() {
        bounded(read_buffer_edge(Kind::Tcp)).await
    }

    #[tokio::test]
    async fn read_buffer_limit_edge_tls() {
        bounded(read_buffer_edge(Kind::Tls)).await
    }

    /// The default `max_buffer_size`, 100 MiB, at its edge.
    #[tokio::test]
    async fn default_read_buffer_limit_edge() {
        const LIMIT: usize = 100 * 1024 * 1024;
        bounded(async {
            // The writer sends `data` and closes; a smaller limit fails the
            // read, a larger one lets it end with the close.
            async fn read_until_newline(data: Vec<u8>) -> (IoStream, Result<Bytes, StreamError>) {
                let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
                let writer = async {
                    let _ = ws.write(data).await;
                    ws.close();
                };
                let (result, ()) = tokio::join!(rs.read_until(b"\n", None), writer);
                (rs, result)
            }
            // Exactly the limit buffered is fine.
            let mut data = vec![b'x'; LIMIT - 1];
            data.push(b'\n');
            let (rs, result) = read_until_newline(data).await;
            assert_eq!(result.map(|data| data.len()).ok(), Some(LIMIT));
            drop(rs);
            // One byte more, unsatisfied, closes the stream.
            let (rs, result) = read_until_newline(vec![b'x'; LIMIT + 1]).await;
            assert!(
                matches!(result, Err(StreamError::BufferFull(ref e)) if e.limit == LIMIT),
                "{:?}",
                result.map(|data| data.len())
            );
            assert!(matches!(rs.error(), Some(StreamError::BufferFull(_))));
        })
        .await
    }

    /// The default `read_chunk_size`, 64 KiB: a partial read takes what
    /// one read from the socket brings, here a whole chunk.
    #[tokio::test]
    async fn default_read_chunk_size() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Unix, unchanged).await;
            // Fills the socket (which holds more than a chunk) at once.
            let write = ws.write(vec![b'x'; 1024 * 1024]);
            let first = rs.read_bytes(1024 * 1024, true).await.unwrap();
            assert_eq!(first.len(), 64 * 1024);
            let rest = rs.read_bytes(1024 * 1024 - first.len(), false).await;
            assert_eq!(rest.unwrap().len(), 1024 * 1024 - 64 * 1024);
            write.await.unwrap();
        })
        .await
    }

    #[tokio::test]
    async fn max_write_buffer_size_edge() {
        bounded(async {
            // One byte over the limit is refused, and queues nothing;
            // exactly the limit is fine.
            let (rs, ws) = make_pair(Kind::Tcp, |s| s.with_max_write_buffer_size(Some(10))).await;
            let over = ws.write(vec![b'x'; 11]).await;
            assert!(matches!(over, Err(StreamError::BufferFull(ref e)) if e.which == "write" && e.limit == 10), "{over:?}");
            assert!(!ws.closed());
            ws.write(vec![b'a'; 10]).await.unwrap();
            assert_eq!(rs.read_bytes(10, true).await.unwrap(), vec![b'a'; 10]);
            // Data waiting in the queue counts: with a peer that does not
            // read, the queue fills up and a write is refused.
            const MB: usize = 1024 * 1024;
            let (_rs, ws) = make_pair(Kind::Tcp, |s| s.with_max_write_buffer_size(Some(4 * MB))).await;
            let mut refused = None;
            for _ in 0..100 {
                let mut write = ws.write(vec![b'b'; MB]);
                if let std::task::Poll::Ready(Err(e)) = poll::poll_once(&mut write) {
                    refused = Some(e);
                    break;
                }
            }
            assert!(matches!(refused, Some(StreamError::BufferFull(_))), "{refused:?}");
            assert!(!ws.closed());
        })
        .await
    }

    #[tokio::test]
    async fn connection_reset_is_the_real_error() {
        bounded(async {
            let (server, client) = tcp_sockets().await;
            let rs = IoStream::from_tcp(server);
            let closed = close_signal(&rs);
            // SO_LINGER 0: closing sends a reset.
            let client = socket2::Socket::from(client.into_std().unwrap());
            client.set_linger(Some(Duration::ZERO)).unwrap();
            let pending = rs.read_bytes(1, false);
            drop(client);
            let result = pending.await;
            let Err(StreamError::Closed(e)) = &result else {
                panic!("{result:?}")
            };
            assert_eq!(
                e.real_error().and_then(StreamError::io_kind),
                Some(io::ErrorKind::ConnectionReset)
            );
            assert!(
                result
                    .unwrap_err()
                    .to_string()
                    .starts_with("stream is closed: ")
            );
            closed_signal(closed).await;
            assert_eq!(
                rs.error().unwrap().io_kind(),
                Some(io::ErrorKind::ConnectionReset)
            );
        })
        .await
    }

    #[tokio::test]
    async fn eof_in_the_middle_of_a_read() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
            ws.write(&b"abc"[..]).await.unwrap();
            ws.close();
            let result = rs.read_until(b"\n", None).await;
            assert!(is_closed(&result));
            assert_eq!(
                result.unwrap_err().io_kind(),
                Some(io::ErrorKind::UnexpectedEof)
            );
            assert_eq!(
                rs.error().unwrap().io_kind(),
                Some(io::ErrorKind::UnexpectedEof)
            );
            // The buffered data can still be read.
            assert_eq!(&rs.read_until_close().await.unwrap()[..], b"abc");
        })
        .await
    }

    #[tokio::test]
    async fn clean_eof_between_reads_has_no_error() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
            ws.close();
            let result = rs.read_until(b"\n", None).await;
            assert!(is_closed(&result));
            assert!(rs.error().is_none());
        })
        .await
    }

    #[tokio::test]
    async fn close_fails_pending_operations_then_runs_callback_once() {
        bounded(async {
            let (rs, _ws) = make_pair(Kind::Tcp, unchanged).await;
            let runs = Arc::new(AtomicUsize::new(0));
            let (tx, rx) = oneshot::channel();
            let counter = runs.clone();
            rs.set_close_callback(Some(Box::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = tx.send(());
            })));
            let mut read = Box::pin(rs.read_bytes(10, false));
            assert!(poll::poll_once(&mut read).is_pending());
            // Fill the socket so that a write stays queued.
            let write = rs.write(vec![0u8; 32 * 1024 * 1024]);
            rs.close();
            rs.close();
            assert!(is_closed(&read.await));
            assert!(is_closed(&write.await));
            closed_signal(rx).await;
            poll::settle().await;
            assert_eq!(runs.load(Ordering::SeqCst), 1);
            assert!(is_closed(&rs.write(&b"x"[..]).await));
            assert!(rs.error().is_none());
            // A callback set after the close runs at once.
            closed_signal(close_signal(&rs)).await;
        })
        .await
    }

    #[tokio::test]
    async fn close_callback_panic_is_logged_with_its_message() {
        bounded(async {
            let (logs, _guard) = logs::Logs::capture();
            let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
            rs.set_close_callback(Some(Box::new(|| panic!("boom in the callback"))));
            // The peer's callback runs once the peer saw the close.
            let after = close_signal(&ws);
            rs.close();
            closed_signal(after).await;
            poll::settle().await;
            let records = logs.records();
            assert!(
                records.iter().any(|r| r.level == tracing::Level::ERROR
                    && r.target == supercell::util::log_target::APP_LOG
                    && r.message.contains("Exception in close callback")
                    && r.message.contains("boom in the callback")),
                "{records:?}"
            );
        })
        .await
    }

    /// A close callback holding a pending write of its stream can be
    /// replaced: the write future it drops takes the stream's lock.
    #[test]
    fn replacing_a_close_callback_that_holds_a_pending_write() {
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let (_rs, ws) = make_pair(Kind::Tcp, unchanged).await;
                let mut write = ws.write(vec![0u8; 64 * 1024 * 1024]);
                assert!(poll::poll_once(&mut write).is_pending());
                ws.set_close_callback(Some(Box::new(move || drop(write))));
                ws.set_close_callback(None);
                ws.close();
            });
            done_tx.send(()).unwrap();
        });
        done_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("replacing the close callback hung or panicked");
    }

    #[tokio::test]
    async fn write_is_eager() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
            // The futures are dropped unpolled; the data still goes out.
            drop(ws.write(&b"hello "[..]));
            drop(ws.write(vec![b'w'; 3 * 1024 * 1024]));
            let expected = 6 + 3 * 1024 * 1024;
            assert_eq!(
                rs.read_bytes(expected, false).await.unwrap().len(),
                expected
            );
            assert!(!ws.writing());
        })
        .await
    }

    /// A caller that keeps filling the buffer it wrote from cannot change
    /// what is queued: the written part is split off (shared, immutable)
    /// while the rest of the allocation is reused for the next data.
    #[tokio::test]
    async fn reused_source_buffer_does_not_change_queued_writes() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
            const PART: usize = 4 * 1024 * 1024;
            let mut buf = bytes::BytesMut::with_capacity(2 * PART);
            buf.resize(PART, b'a');
            // More than the socket takes at once: most of it stays queued.
            let first = ws.write(buf.split().freeze());
            buf.resize(PART, b'b');
            let second = ws.write(buf.split().freeze());
            let received = rs.read_bytes(2 * PART, false).await.unwrap();
            first.await.unwrap();
            second.await.unwrap();
            assert!(received[..PART].iter().all(|&b| b == b'a'));
            assert!(received[PART..].iter().all(|&b| b == b'b'));
        })
        .await
    }

    async fn small_writes_and_huge_write(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        const HUGE: usize = 64 * 1024 * 1024;
        let huge: Bytes = (0..HUGE)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<u8>>()
            .into();
        let mut expected = Vec::with_capacity(HUGE + 10_000 * 8);
        let mut writes = Vec::new();
        for i in 0..10_000u32 {
            let chunk = format!("{i:07}\n").into_bytes();
            expected.extend_from_slice(&chunk);
            writes.push(ws.write(chunk));
        }
        expected.extend_from_slice(&huge);
        writes.push(ws.write(huge));
        for i in 0..100u32 {
            let chunk = format!("tail{i:03}\n").into_bytes();
            expected.extend_from_slice(&chunk);
            writes.push(ws.write(chunk));
        }
        let total = expected.len();
        let (received, results) = tokio::join!(
            rs.read_bytes(total, false),
            futures_util::future::join_all(writes)
        );
        assert!(results.iter().all(Result::is_ok));
        assert!(received.unwrap() == expected, "data differs");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_small_writes_and_one_huge_write_tcp() {
        bounded(small_writes_and_huge_write(Kind::Tcp)).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_small_writes_and_one_huge_write_tls() {
        bounded(small_writes_and_huge_write(Kind::Tls)).await
    }

    /// A connected TCP pair, and a second handle on the server's socket
    /// (a duplicated descriptor) to read its options back.
    async fn tcp_sockets_with_probe() -> (TcpStream, std::net::TcpStream, TcpStream) {
        let (server, client) = tcp_sockets().await;
        let server = server.into_std().unwrap();
        let probe = server.try_clone().unwrap();
        (TcpStream::from_std(server).unwrap(), probe, client)
    }

    #[tokio::test]
    async fn addresses_and_nodelay() {
        bounded(async {
            let (server, probe, client) = tcp_sockets_with_probe().await;
            let (rs, ws) = (IoStream::from_tcp(server), IoStream::from_tcp(client));
            assert_eq!(rs.peer_addr(), ws.local_addr());
            assert_eq!(rs.local_addr(), ws.peer_addr());
            assert!(rs.peer_addr().unwrap().ip().is_loopback());
            for on in [true, false, true] {
                rs.set_nodelay(on).unwrap();
                assert_eq!(probe.nodelay().unwrap(), on);
            }
            let (us, _) = make_pair(Kind::Unix, unchanged).await;
            assert_eq!(us.peer_addr(), None);
            us.set_nodelay(true).unwrap();
            // Over TLS, established.
            let (server, probe, client) = tcp_sockets_with_probe().await;
            let (tls, client) = tokio::join!(
                IoStream::from_tcp(server).start_tls(certs::server_config(), None),
                IoStream::from_tcp(client).start_tls(certs::client_config(), Some("localhost")),
            );
            let (tls, _client) = (tls.unwrap(), client.unwrap());
            tls.set_nodelay(true).unwrap();
            assert!(probe.nodelay().unwrap());
            assert!(tls.peer_addr().is_some());
        })
        .await
    }

    #[tokio::test]
    async fn nodelay_during_the_tls_handshake() {
        bounded(async {
            // The client has sent nothing yet: the server is handshaking.
            let (server, probe, _client) = tcp_sockets_with_probe().await;
            let tls = IoStream::from_tcp(server)
                .into_tls(certs::server_config(), None)
                .unwrap();
            tls.set_nodelay(true).unwrap();
            assert!(probe.nodelay().unwrap());
            tls.set_nodelay(false).unwrap();
            assert!(!probe.nodelay().unwrap());
        })
        .await
    }

    #[tokio::test]
    async fn start_tls_refuses_a_busy_stream() {
        bounded(async {
            let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
            ws.write(&b"ab"[..]).await.unwrap();
            assert_eq!(&rs.read_bytes(1, true).await.unwrap()[..], b"a");
            let (rs, error) = rs
                .start_tls(certs::server_config(), None)
                .await
                .unwrap_err()
                .into_parts();
            assert!(matches!(error, StreamError::StartTls(_)), "{error}");
            assert_eq!(
                error.to_string(),
                "cannot start TLS: the read buffer is not empty"
            );
            // A refused switch gives the stream back as it was.
            assert!(!rs.closed());
            assert_eq!(&rs.read_bytes(1, false).await.unwrap()[..], b"b");
            let (pipe_rx, _) = make_pair(Kind::Pipe, unchanged).await;
            let refused = pipe_rx
                .start_tls(certs::server_config(), None)
                .await
                .unwrap_err();
            assert!(
                matches!(refused.error(), StreamError::StartTls(_)),
                "{refused}"
            );
            assert!(!refused.stream().closed());
        })
        .await
    }

    #[tokio::test]
    async fn refused_tls_switch_keeps_the_stream_and_its_close_callback() {
        bounded(async {
            let (server, client) = make_pair(Kind::Tcp, unchanged).await;
            let closed = close_signal(&client);
            let refused = client
                .into_tls(certs::client_config(), Some("not a hostname"))
                .unwrap_err();
            assert_eq!(
                refused.error().io_kind(),
                Some(io::ErrorKind::InvalidInput),
                "{refused}"
            );
            assert!(refused.to_string().contains("invalid server hostname"));
            // Still open and usable, with its close callback.
            let client = refused.into_stream();
            assert!(!client.closed());
            client.write(&b"still here\n"[..]).await.unwrap();
            assert_eq!(
                &server.read_until(b"\n", None).await.unwrap()[..],
                b"still here\n"
            );
            // The close by the peer runs the callback (a refused switch that
            // dropped the stream closed it silently, without the callback).
            server.close();
            closed_signal(closed).await;
            assert!(client.closed());
        })
        .await
    }

    #[test]
    fn tls_switch_outside_a_runtime_is_refused() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (rs, _ws) = runtime.block_on(make_pair(Kind::Tcp, unchanged));
        let refused = rs.into_tls(certs::server_config(), None).unwrap_err();
        assert!(!refused.stream().closed(), "{refused}");
        let rs = refused.into_stream();
        // Back in the runtime, the stream still works.
        runtime.block_on(async {
            let stream = rs.into_tls(certs::server_config(), None).unwrap();
            assert!(!stream.closed());
        });
    }

    #[tokio::test]
    async fn start_tls_moves_the_close_callback() {
        bounded(async {
            let (server, client) = make_pair(Kind::Tcp, unchanged).await;
            let closed = close_signal(&server);
            let old = server.clone();
            let (client, server) = tokio::join!(
                client.start_tls(certs::client_config(), Some("localhost")),
                server.start_tls(certs::server_config(), None),
            );
            let (client, server) = (client.unwrap(), server.unwrap());
            assert!(old.closed());
            assert!(is_closed(&old.read_bytes(1, false).await));
            client.close();
            closed_signal(closed).await;
            assert!(server.closed());
            assert!(server.error().is_none());
        })
        .await
    }

    async fn tls_handshake(
        server_options: supercell::netutil::SslOptions,
        client_options: supercell::netutil::SslOptions,
        hostname: &str,
    ) -> (Result<IoStream, StreamError>, Result<IoStream, StreamError>) {
        let (server, client) = make_pair(Kind::Tcp, unchanged).await;
        let (logs, _guard) = logs::Logs::capture();
        let (client, server) = tokio::join!(
            client.start_tls(
                client_options.client_config().unwrap().into(),
                Some(hostname)
            ),
            server.start_tls(server_options.server_config().unwrap().into(), None),
        );
        drop(logs);
        (client.map_err(Into::into), server.map_err(Into::into))
    }

    #[tokio::test]
    async fn client_certificates_required_and_optional() {
        use supercell::netutil::CertReqs;
        bounded(async {
            let required = certs::server_options_requiring_client_cert(CertReqs::Required);
            let optional = certs::server_options_requiring_client_cert(CertReqs::Optional);
            // With a certificate: both accept.
            for server in [&required, &optional] {
                let (c, s) = tls_handshake(
                    server.clone(),
                    certs::client_options_with_cert(),
                    "localhost",
                )
                .await;
                let (c, s) = (c.unwrap(), s.unwrap());
                drop(c.write(&b"hi"[..]));
                assert_eq!(&s.read_bytes(2, false).await.unwrap()[..], b"hi");
            }
            // Without: Required refuses, Optional accepts.
            let (c, s) = tls_handshake(required, certs::client_options(), "localhost").await;
            let error = s.unwrap_err();
            assert_eq!(error.io_kind(), Some(io::ErrorKind::InvalidData), "{error}");
            // (The client may finish its side before the server refuses.)
            if let Ok(c) = c {
                assert!(c.read_bytes(1, false).await.is_err());
            }
            let (c, s) = tls_handshake(optional, certs::client_options(), "localhost").await;
            assert!(c.is_ok() && s.is_ok());
        })
        .await
    }

    #[tokio::test]
    async fn check_hostname_off_and_cert_reqs_none() {
        use supercell::netutil::{CertReqs, SslOptions};
        bounded(async {
            // A wrong name passes with check_hostname off (the chain is still
            // verified against the CA).
            let no_hostname = SslOptions {
                check_hostname: false,
                ..certs::client_options()
            };
            let (c, s) =
                tls_handshake(certs::server_options(), no_hostname, "foo.example.com").await;
            assert!(c.is_ok() && s.is_ok());
            // An unknown CA still fails with check_hostname off.
            let no_hostname_public_roots = SslOptions {
                check_hostname: false,
                ..SslOptions::default()
            };
            let (c, _) = tls_handshake(
                certs::server_options(),
                no_hostname_public_roots,
                "localhost",
            )
            .await;
            assert!(c.is_err());
            // CertReqs::None accepts any certificate.
            let insecure = SslOptions {
                cert_reqs: CertReqs::None,
                ..SslOptions::default()
            };
            let (c, s) = tls_handshake(certs::server_options(), insecure, "foo.example.com").await;
            assert!(c.is_ok() && s.is_ok());
        })
        .await
    }

    #[tokio::test]
    async fn writes_wait_for_the_handshake() {
        bounded(async {
            // Data written before the handshake ends is sent after it.
            let (rs, ws) = make_pair(Kind::Tls, unchanged).await;
            let write = ws.write(&b"early"[..]);
            assert_eq!(&rs.read_bytes(5, false).await.unwrap()[..], b"early");
            write.await.unwrap();
            rs.wait_for_handshake().await.unwrap();
        })
        .await
    }

    /// Splits `data` at the given points and writes the pieces one by one,
    /// letting each arrive before the next.
    async fn write_in_pieces(ws: &IoStream, data: &[u8], cuts: &[usize]) {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
        cuts.sort_unstable();
        let mut at = 0;
        for cut in cuts.into_iter().chain([data.len()]) {
            if cut > at {
                ws.write(data[at..cut].to_vec()).await.unwrap();
                tokio::task::yield_now().await;
                at = cut;
            }
        }
    }

    fn run<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(bounded(f))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

        /// Where the incoming data is split never changes what
        /// read_until returns.
        #[test]
        fn read_until_ignores_split_points(
            lines in proptest::collection::vec(proptest::collection::vec(0u8..=254, 0..40), 1..12),
            cuts in proptest::collection::vec(0usize..2000, 0..12),
        ) {
            // 255 never occurs in a line: it ends each one (as "\xff\xff").
            let data: Vec<u8> = lines.iter().flat_map(|l| l.iter().copied().chain([255, 255])).collect();
            run(async {
                let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
                let reads = async {
                    for line in &lines {
                        let got = rs.read_until(&[255, 255], None).await.unwrap();
                        assert_eq!(&got[..got.len() - 2], &line[..]);
                    }
                };
                tokio::join!(write_in_pieces(&ws, &data, &cuts), reads);
            });
        }

        /// Where the incoming data is split never changes what
        /// read_bytes (and read_into) return.
        #[test]
        fn read_bytes_ignores_split_points(
            sizes in proptest::collection::vec(0usize..300, 1..12),
            cuts in proptest::collection::vec(0usize..4000, 0..12),
        ) {
            let total: usize = sizes.iter().sum();
            let data: Vec<u8> = (0..total).map(|i| (i * 7 % 256) as u8).collect();
            run(async {
                let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
                let reads = async {
                    let mut at = 0;
                    for (i, &size) in sizes.iter().enumerate() {
                        if i % 2 == 0 {
                            assert_eq!(&rs.read_bytes(size, false).await.unwrap()[..], &data[at..at + size]);
                        } else {
                            let mut buf = vec![0u8; size];
                            assert_eq!(rs.read_into(&mut buf, false).await.unwrap(), size);
                            assert_eq!(&buf[..], &data[at..at + size]);
                        }
                        at += size;
                    }
                };
                tokio::join!(write_in_pieces(&ws, &data, &cuts), reads);
            });
        }
    }
}

/// The flusher task that writes the queue out ends with the stream: a
/// close (or an error that closes) while a write waits on a full socket
/// ends it, and a write whose handles were all dropped is still delivered.
/// Each test runs on a current-thread runtime, so the runtime's count of
/// live tasks tells whether the flusher ended.
mod flusher_end {
    use super::*;

    /// A stream whose peer does not read, with a 64 MiB write waiting on
    /// the full socket (its flusher task running), and the peer.
    async fn stuck_writer(before: usize) -> (IoStream, IoStream) {
        let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
        drop(ws.write(vec![b'x'; 64 * 1024 * 1024]));
        poll::settle().await;
        assert!(ws.writing());
        assert_eq!(alive_tasks(), before + 1, "no flusher task");
        (rs, ws)
    }

    #[tokio::test]
    async fn close_with_a_pending_write_ends_the_flusher() {
        bounded(async {
            let before = alive_tasks();
            let (_rs, ws) = stuck_writer(before).await;
            ws.close();
            assert!(tasks_drop_to(before).await, "the flusher lives on");
            drop(ws);
        })
        .await
    }

    #[tokio::test]
    async fn error_close_with_a_pending_write_ends_the_flusher() {
        bounded(async {
            let before = alive_tasks();
            let (rs, ws) = stuck_writer(before).await;
            // An unsatisfiable read closes the writing stream.
            rs.write(&b"no delimiter here"[..]).await.unwrap();
            let result = ws.read_until(b"\n", Some(4)).await;
            assert!(
                matches!(result, Err(StreamError::UnsatisfiableRead(_))),
                "{result:?}"
            );
            assert!(tasks_drop_to(before).await, "the flusher lives on");
        })
        .await
    }

    #[tokio::test]
    async fn write_then_drop_still_delivers() {
        bounded(async {
            let before = alive_tasks();
            let (rs, ws) = make_pair(Kind::Tcp, unchanged).await;
            const TOTAL: usize = 16 * 1024 * 1024;
            let data: Vec<u8> = (0..TOTAL).map(|i| (i % 251) as u8).collect();
            drop(ws.write(data.clone()));
            drop(ws);
            // Everything arrives, then the close of the dropped stream.
            let received = rs.read_until_close().await.unwrap();
            assert!(received == data, "data differs");
            assert!(rs.error().is_none());
            drop(rs);
            assert!(tasks_drop_to(before).await, "the flusher lives on");
        })
        .await
    }
}

/// A close that comes with an error, or without TLS's `close_notify`,
/// still ends `read_until_close` with the data (Tornado resolves it with
/// the buffered data whatever closed the stream).
mod close_with_data {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn read_until_close_returns_the_data_before_a_reset() {
        bounded(async {
            let (server, client) = tcp_sockets().await;
            let rs = IoStream::from_tcp(server);
            let peer = async move {
                let mut client = client;
                client.write_all(b"hello").await.unwrap();
                // Let the reader buffer the data, then reset.
                tokio::time::sleep(Duration::from_millis(50)).await;
                client.set_zero_linger().unwrap();
                drop(client);
            };
            let (data, ()) = tokio::join!(rs.read_until_close(), peer);
            assert_eq!(&data.unwrap()[..], b"hello");
            assert_eq!(
                rs.error().and_then(|e| e.io_kind()),
                Some(io::ErrorKind::ConnectionReset)
            );
            // Nothing is left for a second read.
            assert_eq!(&rs.read_until_close().await.unwrap()[..], b"");
        })
        .await
    }

    /// A TLS server (plain tokio-rustls) that answers one request with
    /// `response`, then closes its TCP socket without sending
    /// `close_notify`, as many HTTP/1.0 servers do.
    async fn tls_server_without_close_notify(response: &'static [u8]) -> std::net::SocketAddr {
        let supercell::netutil::TlsConfig::Server(config) = certs::server_config() else {
            unreachable!("a server config")
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let mut tls = tokio_rustls::TlsAcceptor::from(config)
                .accept(socket)
                .await
                .unwrap();
            let mut request = Vec::new();
            while !request.ends_with(b"\r\n\r\n") {
                let mut buf = [0u8; 256];
                let n = tls.read(&mut buf).await.unwrap();
                assert!(n > 0, "the client closed early");
                request.extend_from_slice(&buf[..n]);
            }
            tls.write_all(response).await.unwrap();
            tls.flush().await.unwrap();
            let (socket, _) = tls.into_inner();
            drop(socket);
        });
        addr
    }

    async fn tls_client_of(response: &'static [u8]) -> IoStream {
        let addr = tls_server_without_close_notify(response).await;
        let stream = IoStream::connect(addr)
            .await
            .unwrap()
            .start_tls(certs::client_config(), Some("localhost"))
            .await
            .unwrap();
        stream.write(&b"GET / HTTP/1.0\r\n\r\n"[..]).await.unwrap();
        stream
    }

    #[tokio::test]
    async fn tls_close_without_close_notify_is_a_clean_eof() {
        bounded(async {
            let response = b"HTTP/1.0 200 OK\r\n\r\nhello";
            let stream = tls_client_of(response).await;
            assert_eq!(&stream.read_until_close().await.unwrap()[..], response);
            assert!(stream.error().is_none(), "{:?}", stream.error());
        })
        .await
    }

    #[tokio::test]
    async fn tls_close_without_close_notify_between_reads_has_no_error() {
        bounded(async {
            let stream = tls_client_of(b"hello").await;
            assert_eq!(&stream.read_bytes(5, false).await.unwrap()[..], b"hello");
            let result = stream.read_bytes(1, false).await;
            let Err(StreamError::Closed(closed)) = &result else {
                panic!("{result:?}")
            };
            assert!(closed.real_error().is_none(), "{closed}");
            assert!(stream.error().is_none(), "{:?}", stream.error());
        })
        .await
    }

    #[tokio::test]
    async fn tls_close_without_close_notify_mid_read_is_unexpected_eof() {
        bounded(async {
            let stream = tls_client_of(b"hel").await;
            let result = stream.read_bytes(5, false).await;
            assert!(is_closed(&result), "{result:?}");
            let error = stream.error().unwrap();
            assert_eq!(error.io_kind(), Some(io::ErrorKind::UnexpectedEof));
            assert!(
                error.to_string().contains("in the middle of a read"),
                "{error}"
            );
            // What arrived can still be read.
            assert_eq!(&stream.read_until_close().await.unwrap()[..], b"hel");
        })
        .await
    }
}

/// `shutdown_write` sends what is queued, then the end of the stream;
/// both ends stay open for the other direction.
async fn check_shutdown_write(kind: Kind) {
    let (server, client) = make_pair(kind, unchanged).await;
    let data: Vec<u8> = (0..1u32 << 20).map(|i| i as u8).collect();
    // Queued, not awaited: `shutdown_write` waits for it.
    drop(server.write(data.clone()));
    let (shut, received) = bounded(async {
        tokio::join!(
            server.shutdown_write(),
            client.read_bytes(data.len(), false)
        )
    })
    .await;
    shut.unwrap();
    assert_eq!(received.unwrap(), data);
    // The end of the stream, which leaves the client's stream open.
    assert_eq!(bounded(client.read_available(16)).await.unwrap(), None);
    assert!(!client.closed());
    bounded(client.write(&b"back"[..])).await.unwrap();
    assert_eq!(
        &bounded(server.read_bytes(4, false)).await.unwrap()[..],
        b"back"
    );
    client.close();
    assert_eq!(bounded(server.read_available(16)).await.unwrap(), None);
    server.close();
}

#[tokio::test]
async fn shutdown_write_half_closes_tcp() {
    check_shutdown_write(Kind::Tcp).await;
    // Writing after the shutdown fails.
    let (server, _client) = make_pair(Kind::Tcp, unchanged).await;
    bounded(server.shutdown_write()).await.unwrap();
    assert!(bounded(server.write(&b"late"[..])).await.is_err());
}

#[tokio::test]
async fn shutdown_write_half_closes_unix() {
    check_shutdown_write(Kind::Unix).await;
}

#[tokio::test]
async fn shutdown_write_half_closes_tls() {
    check_shutdown_write(Kind::Tls).await;
}

#[tokio::test]
async fn shutdown_write_fails_on_closed_streams_and_pipes() {
    let (server, _client) = make_pair(Kind::Tcp, unchanged).await;
    server.close();
    assert!(matches!(
        bounded(server.shutdown_write()).await,
        Err(StreamError::Closed(_))
    ));
    let (_reader, writer) = make_pair(Kind::Pipe, unchanged).await;
    let error = bounded(writer.shutdown_write()).await.unwrap_err();
    assert_eq!(error.io_kind(), Some(io::ErrorKind::Unsupported));
}

#[tokio::test]
async fn read_available_returns_what_is_there_up_to_its_limit() {
    let (server, client) = make_pair(Kind::Tcp, unchanged).await;
    bounded(client.write(&b"hello world"[..])).await.unwrap();
    let mut got = Vec::new();
    while got.len() < 11 {
        let data = bounded(server.read_available(4)).await.unwrap().unwrap();
        assert!(!data.is_empty() && data.len() <= 4);
        got.extend_from_slice(&data);
    }
    assert_eq!(got, b"hello world");
}
