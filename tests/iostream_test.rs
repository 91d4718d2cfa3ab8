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
        let _ = ws.write(&b"abcd\r\nefgh"[..]);
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
        let _ = ws.write(&b"12"[..]);
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
        let _ = ws.write(&b"12"[..]);
        let first = rs.read_bytes(1, false).await.unwrap();
        ws.close();
        let second = rs.read_bytes(1, false).await.unwrap();
        assert_eq!([first, second], [&b"1"[..], &b"2"[..]]);
    }

    pub async fn test_close_buffered_data(kind: Kind) {
        // Data still in the kernel's buffers when the writer closes is read
        // before the close is noticed.
        let (rs, ws) = make_pair(kind, |s| s.with_read_chunk_size(256)).await;
        let _ = ws.write(vec![b'A'; 512]);
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
            let _ = ws.write(kb.clone());
        }
        let _ = ws.write(&b"\r\n"[..]);
        let data = rs.read_until(b"\r\n", None).await.unwrap();
        assert_eq!(data.len(), NUM_KB * 1024 + 2);
    }

    pub async fn test_close_callback_with_pending_read(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let closed = close_signal(&rs);
        let _ = ws.write(&b"OK\r\n"[..]);
        assert_eq!(&rs.read_until(b"\r\n", None).await.unwrap()[..], b"OK\r\n");
        ws.close();
        let result = rs.read_until(b"\r\n", None).await;
        assert!(is_closed(&result), "{result:?}");
        closed_signal(closed).await;
    }

    pub async fn test_future_close_callback(kind: Kind) {
        let (rs, ws) = make_pair(kind, unchanged).await;
        let mut closed = close_signal(&rs);
        let _ = ws.write(&b"a"[..]);
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
        let _ = ws.write(shared.slice(2..7));
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
        let _ = ws.write(vec![b'a'; 100 * 1024]);
        for _ in 0..100 {
            assert_eq!(rs.read_bytes(1024, false).await.unwrap(), vec![b'a'; 1024]);
        }
    }

    pub async fn test_small_read_untils_from_large_buffer(kind: Kind) {
        let (rs, ws) = make_pair(kind, |s| s.with_max_buffer_size(10 * 1024)).await;
        let mut line = vec![b'a'; 1023];
        line.push(b'\n');
        let _ = ws.write(line.repeat(100));
        for _ in 0..100 {
            assert_eq!(rs.read_until(b"\n", Some(4096)).await.unwrap(), line);
        }
    }

    pub async fn test_flow_control(kind: Kind) {
        const MB: usize = 1024 * 1024;
        let (rs, ws) = make_pair(kind, |s| s.with_max_buffer_size(5 * MB)).await;
        // The writer sends more than the reader buffers; the reader only
        // reads what it is asked for, so its buffer never overflows.
        let _ = ws.write(vec![b'a'; 10 * MB]);
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
                if rng.next() % 2 == 0 {
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
            let _ = ws.write(&b"hel"[..]);
            let _ = ws.write(&b"lo world"[..]);
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
        let _ = stream.write(&b"GET / HTTP/1.0\r\n\r\n"[..]);
        let data = stream.read_until_close().await.unwrap();
        assert!(data.starts_with(b"HTTP/1.1 200"), "{data:?}");
        assert!(data.ends_with(b"Hello"), "{data:?}");
    }

    pub async fn test_read_zero_bytes(tls: bool) {
        let stream = web_client(tls).await;
        let _ = stream.write(&b"GET / HTTP/1.0\r\n\r\n"[..]);
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
        let _ = from.write(line);
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
            let error = client.unwrap_err();
            assert_eq!(error.io_kind(), Some(io::ErrorKind::InvalidData), "{error}");
            assert!(error.to_string().contains("UnknownIssuer"), "{error}");
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
