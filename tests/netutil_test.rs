//! Counterparts of Tornado 5.0.2's `tornado/test/netutil_test.py`, named
//! `<class>_<test>` in snake case, plus supercell's own checks of
//! `bind_unix_socket`, `add_accept_handler` and dual-stack binding.
//!
//! Tornado's `BlockingResolver` and `ThreadedResolver` have one counterpart,
//! `DefaultResolver` (getaddrinfo on the loop's executor): the
//! `blocking_resolver_*` tests run it on the default blocking pool, the
//! `threaded_resolver_*` tests on a loop whose default executor was replaced
//! by a thread-per-job one. Tornado makes lookups fail by mocking
//! `getaddrinfo`; here a host name with a NUL byte fails before any lookup
//! (deterministic, no network), and an IP literal of the wrong family gives
//! an empty answer.
//!
//! 14 of Tornado's 19 tests in that file have a counterpart here.
//!
//! Tornado tests with no Rust counterpart, and why:
//!
//! * `ThreadedResolverImportTest.test_import`: a Python import-lock deadlock
//!   when a module resolves names at import time; Rust has no imports at run
//!   time.
//! * `CaresResolverTest.test_localhost`, `test_future_interface`: no c-ares
//!   backend exists.
//! * `TwistedResolverTest.test_localhost`, `test_future_interface`: no
//!   Twisted backend exists.

#[path = "support/certs.rs"]
mod certs;
#[path = "support/logs.rs"]
mod logs;
#[path = "support/tempdir.rs"]
mod tempdir;

use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc as sync_mpsc};
use std::time::Duration;

use logs::Logs;
use supercell::concurrent::{Executor, Job};
use supercell::ioloop::IoLoop;
use supercell::netutil::{
    AcceptHandle, Accepted, AddressFamily, DEFAULT_BACKLOG, DEFAULT_UNIX_SOCKET_MODE,
    DefaultResolver, OverrideKey, OverrideResolver, OverrideTarget, ResolveError, Resolver,
    add_accept_handler, bind_sockets, bind_unix_socket, is_valid_ip,
};
use supercell::netutil::{CertReqs, SslOptions};
use tempdir::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

/// Upper bound on any wait in these tests.
const WAIT: Duration = Duration::from_secs(10);

/// Whether this machine can listen on `::1`.
fn has_ipv6() -> bool {
    let ok = std::net::TcpListener::bind("[::1]:0").is_ok();
    if !ok {
        eprintln!("skipping the IPv6 part: this machine cannot listen on ::1");
    }
    ok
}

fn localhost_v4(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// A host name that cannot be looked up: it contains a NUL byte.
const BAD_HOST: &str = "an invalid\0domain";

// ---- _ResolverTestMixin / _ResolverErrorTestMixin, on DefaultResolver ----

async fn check_localhost(resolver: &dyn Resolver) {
    let addrs = resolver
        .resolve("localhost", 80, AddressFamily::Unspec)
        .await
        .unwrap();
    assert!(addrs.contains(&localhost_v4(80)), "{addrs:?}");
}

async fn check_bad_host(resolver: &dyn Resolver) {
    let err = resolver
        .resolve(BAD_HOST, 80, AddressFamily::Unspec)
        .await
        .unwrap_err();
    assert_eq!(err.host(), BAD_HOST);
    assert!(matches!(err, ResolveError::Lookup { .. }), "{err:?}");
    assert!(err.to_string().contains("an invalid"), "{err}");
}

#[tokio::test]
async fn blocking_resolver_test_localhost() {
    check_localhost(&DefaultResolver).await;
}

#[tokio::test]
async fn blocking_resolver_test_future_interface() {
    // Through the object-safe interface, as code that accepts any resolver.
    let resolver: Arc<dyn Resolver> = Arc::new(DefaultResolver);
    let v4 = resolver
        .resolve("localhost", 80, AddressFamily::Inet)
        .await
        .unwrap();
    assert!(v4.contains(&localhost_v4(80)), "{v4:?}");
    assert!(v4.iter().all(SocketAddr::is_ipv4), "{v4:?}");
}

#[tokio::test]
async fn blocking_resolver_error_test_bad_host() {
    check_bad_host(&DefaultResolver).await;
}

#[tokio::test]
async fn blocking_resolver_error_test_future_interface_bad_host() {
    let resolver: Arc<dyn Resolver> = Arc::new(DefaultResolver);
    let err = resolver
        .resolve(BAD_HOST, 80, AddressFamily::Unspec)
        .await
        .unwrap_err();
    // Tornado raises IOError; the error converts into an io::Error.
    let io_err = io::Error::from(err);
    assert!(io_err.to_string().contains("an invalid"), "{io_err}");
}

/// Runs each job on a thread of its own and counts them.
#[derive(Default)]
struct ThreadPerJob(AtomicUsize);

impl Executor for ThreadPerJob {
    fn execute(&self, job: Job) {
        self.0.fetch_add(1, Ordering::SeqCst);
        std::thread::spawn(job);
    }
}

/// Runs `check` on a loop whose default executor is a [`ThreadPerJob`],
/// and returns how many jobs that executor ran.
fn on_threaded_loop<F, Fut>(check: F) -> usize
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let io_loop = IoLoop::new().unwrap();
    let executor = Arc::new(ThreadPerJob::default());
    io_loop.set_default_executor(executor.clone());
    io_loop.run_sync(check, Some(WAIT)).unwrap();
    executor.0.load(Ordering::SeqCst)
}

#[test]
fn threaded_resolver_test_localhost() {
    let jobs = on_threaded_loop(|| async { check_localhost(&DefaultResolver).await });
    assert_eq!(jobs, 1);
}

#[test]
fn threaded_resolver_test_future_interface() {
    let jobs = on_threaded_loop(|| async {
        let resolver: Arc<dyn Resolver> = Arc::new(DefaultResolver);
        let addrs = resolver
            .resolve("localhost", 443, AddressFamily::Unspec)
            .await
            .unwrap();
        assert!(addrs.contains(&localhost_v4(443)), "{addrs:?}");
    });
    assert_eq!(jobs, 1);
}

#[test]
fn default_resolver_answers_ip_literals_without_a_lookup() {
    let jobs = on_threaded_loop(|| async {
        let resolver: Arc<dyn Resolver> = Arc::new(DefaultResolver);
        let v4 = resolver.resolve("127.0.0.1", 443, AddressFamily::Unspec);
        assert_eq!(v4.await.unwrap(), vec![localhost_v4(443)]);
        let v6 = resolver.resolve("::1", 80, AddressFamily::Inet6);
        assert_eq!(v6.await.unwrap(), vec!["[::1]:80".parse().unwrap()]);
        // The family filter applies to a literal too.
        let wrong_family = resolver.resolve("::1", 80, AddressFamily::Inet);
        assert!(matches!(
            wrong_family.await,
            Err(ResolveError::NoAddresses { .. })
        ));
    });
    assert_eq!(jobs, 0);
}

#[test]
fn threaded_resolver_error_test_bad_host() {
    let jobs = on_threaded_loop(|| async { check_bad_host(&DefaultResolver).await });
    assert_eq!(jobs, 1);
}

#[test]
fn threaded_resolver_error_test_future_interface_bad_host() {
    on_threaded_loop(|| async {
        let resolver: Arc<dyn Resolver> = Arc::new(DefaultResolver);
        let err = resolver
            .resolve("127.0.0.1", 80, AddressFamily::Inet6)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ResolveError::NoAddresses { host, family: AddressFamily::Inet6 } if host == "127.0.0.1"),
            "{err:?}"
        );
    });
}

// ---- OverrideResolverTest ----

fn override_resolver() -> OverrideResolver {
    OverrideResolver::new(
        DefaultResolver,
        [
            (
                OverrideKey::from(("google.com", 80)),
                OverrideTarget::from(("1.2.3.4", 80)),
            ),
            (
                OverrideKey::from(("google.com", 80, AddressFamily::Inet)),
                OverrideTarget::from(("1.2.3.4", 80)),
            ),
            (
                OverrideKey::from(("google.com", 80, AddressFamily::Inet6)),
                OverrideTarget::from(("2a02:6b8:7c:40c:c51e:495f:e23a:3", 80)),
            ),
        ],
    )
}

#[tokio::test]
async fn override_resolver_test_localhost() {
    check_localhost(&override_resolver()).await;
}

#[tokio::test]
async fn override_resolver_test_future_interface() {
    let resolver: Arc<dyn Resolver> = Arc::new(override_resolver());
    let addrs = resolver
        .resolve("google.com", 80, AddressFamily::Unspec)
        .await
        .unwrap();
    assert_eq!(addrs, vec!["1.2.3.4:80".parse().unwrap()]);
}

#[tokio::test]
async fn override_resolver_test_resolve_multiaddr() {
    let resolver = override_resolver();
    let v4 = resolver
        .resolve("google.com", 80, AddressFamily::Inet)
        .await
        .unwrap();
    assert_eq!(v4, vec!["1.2.3.4:80".parse().unwrap()]);
    let v6 = resolver
        .resolve("google.com", 80, AddressFamily::Inet6)
        .await
        .unwrap();
    assert_eq!(
        v6,
        vec!["[2a02:6b8:7c:40c:c51e:495f:e23a:3]:80".parse().unwrap()]
    );
}

/// Answers every lookup with the host and port it was asked for, so the
/// override's rewriting is seen directly. Test double only.
struct Echo;

impl Resolver for Echo {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
        family: AddressFamily,
    ) -> supercell::netutil::ResolveFuture<'a> {
        Box::pin(async move {
            let ip = match host {
                "a" => [10, 0, 0, 1],
                "b" => [10, 0, 0, 2],
                "c" => [10, 0, 0, 3],
                _ => [10, 0, 0, 9],
            };
            let _ = family;
            Ok(vec![SocketAddr::from((ip, port))])
        })
    }
}

#[tokio::test]
async fn override_resolver_most_specific_key_wins() {
    let resolver = OverrideResolver::new(Echo, [])
        .with_override("example.com", "a")
        .with_override(("example.com", 443), ("b", 8443))
        .with_override(("example.com", 443, AddressFamily::Inet6), ("c", 9443));
    let get = |port, family| {
        let resolver = &resolver;
        async move { resolver.resolve("example.com", port, family).await.unwrap()[0] }
    };
    // Host only: the host is replaced, the requested port kept.
    assert_eq!(
        get(80, AddressFamily::Unspec).await,
        "10.0.0.1:80".parse().unwrap()
    );
    // Host and port beat host.
    assert_eq!(
        get(443, AddressFamily::Inet).await,
        "10.0.0.2:8443".parse().unwrap()
    );
    assert_eq!(
        get(443, AddressFamily::Unspec).await,
        "10.0.0.2:8443".parse().unwrap()
    );
    // Host, port and family beat both.
    assert_eq!(
        get(443, AddressFamily::Inet6).await,
        "10.0.0.3:9443".parse().unwrap()
    );
    // Other hosts pass through untouched; matching is exact.
    let other = resolver
        .resolve("Example.com", 443, AddressFamily::Unspec)
        .await
        .unwrap();
    assert_eq!(other, vec!["10.0.0.9:443".parse().unwrap()]);
}

// ---- IsValidIPTest ----

#[test]
fn is_valid_ip_test_is_valid_ip() {
    assert!(is_valid_ip("127.0.0.1"));
    assert!(is_valid_ip("4.4.4.4"));
    assert!(is_valid_ip("::1"));
    assert!(is_valid_ip("2620:0:1cfe:face:b00c::3"));
    assert!(!is_valid_ip("www.google.com"));
    assert!(!is_valid_ip("localhost"));
    assert!(!is_valid_ip("4.4.4.4<"));
    assert!(!is_valid_ip(" 127.0.0.1"));
    assert!(!is_valid_ip(""));
    assert!(!is_valid_ip(" "));
    assert!(!is_valid_ip("\n"));
    assert!(!is_valid_ip("\x00"));
    // Beyond Tornado's list: NUL inside, out of range, zones.
    assert!(!is_valid_ip("127.0.0.1\x00"));
    assert!(!is_valid_ip("1.2.3.256"));
    assert!(!is_valid_ip("2620:0:1cfe:face:b00c::3::1"));
    assert!(is_valid_ip("fe80::1%lo"));
    assert!(!is_valid_ip("fe80::1%"));
}

// ---- TestPortAllocation ----

#[test]
fn test_port_allocation_same_port_allocation() {
    let sockets = bind_sockets(0, Some("localhost"), AddressFamily::Unspec, None, false).unwrap();
    assert!(!sockets.is_empty());
    let port = sockets[0].local_addr().unwrap().port();
    assert_ne!(port, 0);
    for socket in &sockets[1..] {
        assert_eq!(socket.local_addr().unwrap().port(), port);
    }
}

#[test]
fn test_port_allocation_reuse_port() {
    let first = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Unspec, None, true).unwrap();
    let port = first[0].local_addr().unwrap().port();
    let sockets = bind_sockets(port, Some("127.0.0.1"), AddressFamily::Unspec, None, true).unwrap();
    assert!(!sockets.is_empty());
    assert!(
        sockets
            .iter()
            .all(|s| s.local_addr().unwrap().port() == port)
    );
    // Without SO_REUSEPORT the same bind is refused, so the option mattered.
    let err =
        bind_sockets(port, Some("127.0.0.1"), AddressFamily::Unspec, None, false).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrInUse, "{err}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

// ---- bind_sockets: supercell's own ----

#[test]
fn bind_sockets_wildcard_is_dual_stack_on_one_port() {
    for address in [None, Some("")] {
        let sockets = bind_sockets(0, address, AddressFamily::Unspec, None, false).unwrap();
        let addrs: Vec<SocketAddr> = sockets.iter().map(|s| s.local_addr().unwrap()).collect();
        assert!(
            addrs[0].ip().is_unspecified() && addrs[0].is_ipv4(),
            "{addrs:?}"
        );
        if !has_ipv6() {
            continue;
        }
        assert_eq!(addrs.len(), 2, "{addrs:?}");
        assert!(
            addrs[1].ip().is_unspecified() && addrs[1].is_ipv6(),
            "{addrs:?}"
        );
        assert_eq!(addrs[0].port(), addrs[1].port());
        // Each family reaches its own socket: the IPv6 one is IPv6-only.
        let port = addrs[0].port();
        TcpStream::connect(localhost_v4(port)).unwrap();
        TcpStream::connect(("::1", port)).unwrap();
        assert_eq!(sockets[0].accept().unwrap().1.ip(), localhost_v4(0).ip());
        assert!(sockets[1].accept().unwrap().1.is_ipv6());
    }
}

#[test]
fn bind_sockets_family_limits_the_wildcard() {
    let v4 = bind_sockets(0, None, AddressFamily::Inet, None, false).unwrap();
    assert_eq!(v4.len(), 1);
    assert!(v4[0].local_addr().unwrap().is_ipv4());
    if has_ipv6() {
        let v6 = bind_sockets(0, None, AddressFamily::Inet6, None, false).unwrap();
        assert_eq!(v6.len(), 1);
        assert!(v6[0].local_addr().unwrap().is_ipv6());
        let loopback = bind_sockets(0, Some("::1"), AddressFamily::Unspec, None, false).unwrap();
        assert_eq!(loopback[0].local_addr().unwrap().ip().to_string(), "::1");
    }
}

#[test]
fn bind_sockets_listeners_are_non_blocking_and_usable_without_a_runtime() {
    let sockets = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, false).unwrap();
    let err = sockets[0].accept().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
}

#[test]
fn bind_sockets_sets_so_reuseaddr() {
    let mut sockets = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, false).unwrap();
    if has_ipv6() {
        sockets.extend(bind_sockets(0, Some("::1"), AddressFamily::Inet6, None, false).unwrap());
    }
    for socket in &sockets {
        let reuse = socket2::SockRef::from(socket).reuse_address().unwrap();
        assert!(reuse, "{:?}", socket.local_addr());
    }
}

#[test]
fn bind_sockets_default_backlog_is_tornados() {
    assert_eq!(supercell::netutil::DEFAULT_BACKLOG, 128);
    // Any backlog is accepted; one above what the system takes is capped.
    for backlog in [1, 5, u32::MAX] {
        let sockets = bind_sockets(
            0,
            Some("127.0.0.1"),
            AddressFamily::Inet,
            Some(backlog),
            false,
        )
        .unwrap();
        let addr = sockets[0].local_addr().unwrap();
        TcpStream::connect(addr).unwrap();
        sockets[0].set_nonblocking(false).unwrap();
        sockets[0].accept().unwrap();
    }
}

/// Linux queues `backlog + 1` established connections on a listener that
/// accepts none, and drops the handshakes beyond: the SYN is retried a
/// second later, so such a connect cannot complete within a few hundred
/// milliseconds.
#[cfg(target_os = "linux")]
#[test]
fn bind_sockets_backlog_limits_the_queue_of_unaccepted_connections() {
    let connects_at_once = |addr: SocketAddr| {
        TcpStream::connect_timeout(&addr, Duration::from_millis(300)).map(|_| ())
    };
    let small = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, Some(1), false).unwrap();
    let small_addr = small[0].local_addr().unwrap();
    let mut queued = Vec::new();
    for _ in 0..2 {
        queued.push(TcpStream::connect_timeout(&small_addr, WAIT).unwrap());
        // Let the listener file the connection before the next handshake.
        std::thread::sleep(Duration::from_millis(50));
    }
    let err = connects_at_once(small_addr).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");

    // The default backlog takes them all at once.
    let default = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, false).unwrap();
    let default_addr = default[0].local_addr().unwrap();
    let mut streams = Vec::new();
    for _ in 0..3 {
        streams.push(TcpStream::connect_timeout(&default_addr, WAIT).unwrap());
    }
    drop((queued, streams));
}

#[test]
fn bind_sockets_errors_name_the_address() {
    let err = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet6, None, false).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrNotAvailable);
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
    let err = bind_sockets(0, Some("192.0.2.1"), AddressFamily::Unspec, None, false).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrNotAvailable, "{err}");
    assert!(err.to_string().contains("192.0.2.1"), "{err}");
}

// ---- add_accept_handler ----

/// Binds one IPv4 listener on 127.0.0.1.
fn listener() -> (std::net::TcpListener, SocketAddr) {
    let mut sockets = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, false).unwrap();
    let listener = sockets.remove(0);
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Serves `listener`, sending every accepted connection into the channel.
fn serve(
    listener: impl Into<supercell::netutil::Listener>,
) -> (AcceptHandle, mpsc::UnboundedReceiver<Accepted>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let handle = add_accept_handler(listener, move |conn| {
        let _ = tx.send(conn);
    })
    .unwrap();
    (handle, rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Accepted>) -> Accepted {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("no connection accepted in time")
        .expect("accept handler gone")
}

#[tokio::test]
async fn add_accept_handler_accepts_tcp_with_peer_address() {
    let (listener, addr) = listener();
    let (handle, mut rx) = serve(listener);
    for _ in 0..3 {
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let Accepted::Tcp(mut conn, peer) = next(&mut rx).await else {
            panic!("a TCP listener accepted a non-TCP connection");
        };
        assert_eq!(peer, client.local_addr().unwrap());
        conn.write_all(b"hello").await.unwrap();
        let mut buf = [0; 5];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hello");
    }
    handle.remove();
}

#[tokio::test]
async fn add_accept_handler_accepts_ipv6() {
    if !has_ipv6() {
        return;
    }
    let mut sockets = bind_sockets(0, Some("::1"), AddressFamily::Inet6, None, false).unwrap();
    let listener = sockets.remove(0);
    let addr = listener.local_addr().unwrap();
    let (handle, mut rx) = serve(listener);
    let client = tokio::net::TcpStream::connect(addr).await.unwrap();
    let Accepted::Tcp(_, peer) = next(&mut rx).await else {
        panic!("not TCP");
    };
    assert!(peer.is_ipv6());
    assert_eq!(peer, client.local_addr().unwrap());
    handle.remove();
}

#[tokio::test]
async fn add_accept_handler_remove_stops_accepting_quietly() {
    let (logs, _guard) = Logs::capture();
    let (listener, addr) = listener();
    let calls = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = add_accept_handler(listener, {
        let calls = calls.clone();
        move |conn| {
            calls.fetch_add(1, Ordering::SeqCst);
            let _ = tx.send(conn);
        }
    })
    .unwrap();
    let _first = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _accepted = next(&mut rx).await;
    // This one completes its handshake in the backlog while the accept task
    // cannot run (this test's runtime has one thread and we do not yield).
    let mut queued = TcpStream::connect(addr).unwrap();
    handle.remove();
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // The socket is closed: the queued connection is dropped, new ones refused.
    queued.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = [0; 1];
    match queued.read(&mut buf) {
        Ok(n) => assert_eq!(n, 0),
        Err(e) => assert_eq!(e.kind(), io::ErrorKind::ConnectionReset, "{e}"),
    }
    let err = TcpStream::connect(addr).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    assert!(logs.records().is_empty(), "{:?}", logs.records());
}

#[tokio::test]
async fn add_accept_handler_panicking_callback_is_logged_and_accepting_goes_on() {
    let (logs, _guard) = Logs::capture();
    let (listener, addr) = listener();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut first = true;
    let handle = add_accept_handler(listener, move |conn| {
        if std::mem::take(&mut first) {
            panic!("callback refuses its first connection");
        }
        let _ = tx.send(conn);
    })
    .unwrap();
    let _refused = tokio::net::TcpStream::connect(addr).await.unwrap();
    let second = tokio::net::TcpStream::connect(addr).await.unwrap();
    let Accepted::Tcp(_, peer) = next(&mut rx).await else {
        panic!("not TCP");
    };
    assert_eq!(peer, second.local_addr().unwrap());
    let errors = logs.app_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("callback refuses its first connection"),
        "{errors:?}"
    );
    handle.remove();
}

#[tokio::test]
async fn add_accept_handler_remove_from_inside_the_callback() {
    let (logs, _guard) = Logs::capture();
    let (listener, addr) = listener();
    let slot: Arc<Mutex<Option<AcceptHandle>>> = Arc::default();
    let calls = Arc::new(AtomicUsize::new(0));
    let handle = add_accept_handler(listener, {
        let (slot, calls) = (slot.clone(), calls.clone());
        move |_conn| {
            calls.fetch_add(1, Ordering::SeqCst);
            if let Some(handle) = slot.lock().unwrap().take() {
                handle.remove();
            }
        }
    })
    .unwrap();
    *slot.lock().unwrap() = Some(handle);
    // Both wait in the backlog before the accept task first runs.
    let _a = TcpStream::connect(addr).unwrap();
    let _b = TcpStream::connect(addr).unwrap();
    tokio::time::timeout(WAIT, async {
        while calls.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let err = TcpStream::connect(addr).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    assert!(logs.records().is_empty(), "{:?}", logs.records());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_accept_handler_remove_waits_for_a_running_callback() {
    let (listener, addr) = listener();
    let (started_tx, started_rx) = sync_mpsc::channel();
    let finished = Arc::new(AtomicBool::new(false));
    let handle = add_accept_handler(listener, {
        let finished = finished.clone();
        move |_conn| {
            started_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(200));
            finished.store(true, Ordering::SeqCst);
        }
    })
    .unwrap();
    let _client = TcpStream::connect(addr).unwrap();
    tokio::task::spawn_blocking(move || {
        started_rx.recv_timeout(WAIT).unwrap();
        handle.remove();
        assert!(
            finished.load(Ordering::SeqCst),
            "remove returned while the callback ran"
        );
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn add_accept_handler_yields_after_a_batch() {
    let mut sockets =
        bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, Some(1024), false).unwrap();
    let listener = sockets.remove(0);
    let addr = listener.local_addr().unwrap();
    const CLIENTS: usize = 300;
    let clients: Vec<TcpStream> = (0..CLIENTS)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    let calls = Arc::new(AtomicUsize::new(0));
    let (seen_tx, seen_rx) = tokio::sync::oneshot::channel();
    let mut seen_tx = Some(seen_tx);
    let handle = add_accept_handler(listener, {
        let calls = calls.clone();
        move |_conn| {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                // On this one-thread runtime the task spawned here runs only
                // when the accept task yields.
                let (calls, seen_tx) = (calls.clone(), seen_tx.take().unwrap());
                tokio::spawn(async move {
                    seen_tx.send(calls.load(Ordering::SeqCst)).unwrap();
                });
            }
        }
    })
    .unwrap();
    let seen = tokio::time::timeout(WAIT, seen_rx).await.unwrap().unwrap();
    assert!(
        seen > 0 && seen < CLIENTS,
        "the other task ran after {seen} accepts"
    );
    tokio::time::timeout(WAIT, async {
        while calls.load(Ordering::SeqCst) < CLIENTS {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    handle.remove();
    drop(clients);
}

#[tokio::test]
async fn add_accept_handler_accepts_unix() {
    let dir = TempDir::new("accept");
    let path = dir.path("server.sock");
    let listener = bind_unix_socket(&path, DEFAULT_UNIX_SOCKET_MODE, None).unwrap();
    let (handle, mut rx) = serve(listener);
    let mut client = tokio::net::UnixStream::connect(&path).await.unwrap();
    let Accepted::Unix(mut conn) = next(&mut rx).await else {
        panic!("a Unix listener accepted a TCP connection");
    };
    client.write_all(b"ping").await.unwrap();
    let mut buf = [0; 4];
    conn.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"ping");
    handle.remove();
}

#[tokio::test]
async fn add_accept_handler_outside_a_runtime_fails() {
    let (listener, _) = listener();
    let err = std::thread::spawn(move || add_accept_handler(listener, |_| {}).unwrap_err())
        .join()
        .unwrap();
    assert!(err.to_string().contains("tokio runtime"), "{err}");
}

// ---- bind_unix_socket ----

#[test]
fn bind_unix_socket_replaces_a_stale_socket() {
    let dir = TempDir::new("stale");
    let path = dir.path("s.sock");
    drop(bind_unix_socket(&path, DEFAULT_UNIX_SOCKET_MODE, None).unwrap());
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_socket()
    );
    let listener = bind_unix_socket(&path, DEFAULT_UNIX_SOCKET_MODE, None).unwrap();
    let _client = std::os::unix::net::UnixStream::connect(&path).unwrap();
    listener.set_nonblocking(false).unwrap();
    listener.accept().unwrap();
}

#[test]
fn bind_unix_socket_refuses_to_replace_other_files() {
    let dir = TempDir::new("regular");
    let path = dir.path("data.txt");
    std::fs::write(&path, "keep me").unwrap();
    let err = bind_unix_socket(&path, DEFAULT_UNIX_SOCKET_MODE, None).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("not a socket"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");

    let sub = dir.path("subdir");
    std::fs::create_dir(&sub).unwrap();
    let err = bind_unix_socket(&sub, DEFAULT_UNIX_SOCKET_MODE, None).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    assert!(sub.is_dir());
}

#[test]
fn bind_unix_socket_sets_the_mode() {
    let dir = TempDir::new("mode");
    for (file, mode) in [
        ("default.sock", DEFAULT_UNIX_SOCKET_MODE),
        ("group.sock", 0o660),
    ] {
        let path = dir.path(file);
        let _listener = bind_unix_socket(&path, mode, None).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, mode, "{file}");
    }
    assert_eq!(DEFAULT_UNIX_SOCKET_MODE, 0o600);
}

#[test]
fn bind_unix_socket_listener_is_non_blocking() {
    let dir = TempDir::new("nonblocking");
    let listener = bind_unix_socket(dir.path("s.sock"), DEFAULT_UNIX_SOCKET_MODE, None).unwrap();
    assert_eq!(
        listener.accept().unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
}

// ---- add_accept_handler: running out of file descriptors ----

/// Set in the child process that runs the body of the EMFILE test.
const EMFILE_CHILD: &str = "SUPERCELL_NETUTIL_EMFILE_CHILD";

/// The soft file-descriptor limit the EMFILE child runs under.
const EMFILE_FD_LIMIT: usize = 64;

#[test]
fn add_accept_handler_backs_off_when_out_of_file_descriptors() {
    if std::env::var_os(EMFILE_CHILD).is_some() {
        return out_of_file_descriptors_child();
    }
    // Lowering the limit would starve every other test of this process, so
    // the body runs in a child process (this test binary again) with a low
    // soft limit set by the shell.
    let exe = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {EMFILE_FD_LIMIT} && exec \"$0\" \"$@\""))
        .arg(exe)
        .args([
            "--exact",
            "add_accept_handler_backs_off_when_out_of_file_descriptors",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(EMFILE_CHILD, "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{stderr}"
    );
}

/// Fills the descriptor table, connects, and checks that the accept error
/// is logged and retried after a pause (not in a loop), and that the
/// connection is accepted once descriptors are free again.
fn out_of_file_descriptors_child() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let (logs, _guard) = Logs::capture();
    runtime.block_on(async {
        let (listener, addr) = listener();
        let (handle, mut rx) = serve(listener);
        let mut files = Vec::new();
        let exhausted = loop {
            match std::fs::File::open("/dev/null") {
                Ok(file) if files.len() < EMFILE_FD_LIMIT => files.push(file),
                Ok(_) => panic!("the descriptor limit was not lowered"),
                Err(e) => break e,
            }
        };
        assert_eq!(exhausted.raw_os_error(), Some(libc::EMFILE), "{exhausted}");
        // One descriptor for the client; the server's accept then has none.
        files.pop();
        let client = TcpStream::connect(addr).unwrap();
        let start = tokio::time::Instant::now();
        while logs.app_errors().is_empty() {
            assert!(start.elapsed() < WAIT, "no accept error was logged");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Paused time: 2.5 s pass at once. Retries come once a second.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let errors = logs.app_errors();
        assert!((2..=4).contains(&errors.len()), "{errors:?}");
        assert!(
            errors[0].contains("error accepting a connection"),
            "{errors:?}"
        );
        assert!(rx.try_recv().is_err());
        drop(files);
        let Accepted::Tcp(_, peer) = next(&mut rx).await else {
            panic!("not TCP");
        };
        assert_eq!(peer, client.local_addr().unwrap());
        handle.remove();
    });
}

#[test]
fn default_resolver_outside_a_runtime_is_an_error() {
    let mut lookup = DefaultResolver.resolve("localhost", 80, AddressFamily::Unspec);
    let polled = lookup
        .as_mut()
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
    match polled {
        std::task::Poll::Ready(Err(err @ ResolveError::NoRuntime { .. })) => {
            assert_eq!(err.host(), "localhost");
            assert!(err.to_string().contains("no tokio runtime"), "{err}");
        }
        other => panic!("expected NoRuntime, got {other:?}"),
    }
}

// ---- SslOptions ----

/// Runs a TLS handshake between `client` and `server` in memory, for the
/// name `localhost`: the first error either side raises, if any.
fn handshake(
    client: Arc<rustls::ClientConfig>,
    server: Arc<rustls::ServerConfig>,
) -> Result<(), rustls::Error> {
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut client = rustls::ClientConnection::new(client, name)?;
    let mut server = rustls::ServerConnection::new(server)?;
    for _ in 0..16 {
        if !client.is_handshaking() && !server.is_handshaking() {
            return Ok(());
        }
        let mut to_server = Vec::new();
        client.write_tls(&mut to_server).unwrap();
        let mut bytes = &to_server[..];
        while !bytes.is_empty() {
            server.read_tls(&mut bytes).unwrap();
            server.process_new_packets()?;
        }
        let mut to_client = Vec::new();
        server.write_tls(&mut to_client).unwrap();
        let mut bytes = &to_client[..];
        while !bytes.is_empty() {
            client.read_tls(&mut bytes).unwrap();
            client.process_new_packets()?;
        }
    }
    panic!("the handshake did not finish");
}

#[test]
fn ssl_options_server_with_only_certfile_and_keyfile_asks_no_client_certificate() {
    let c = certs::certs();
    let options = SslOptions {
        certfile: Some(c.server_cert.clone()),
        keyfile: Some(c.server_key.clone()),
        ..SslOptions::default()
    };
    assert_eq!(options.cert_reqs, CertReqs::SideDefault);
    let server = options.server_config().unwrap();
    // A client without a certificate gets in.
    let client = certs::client_options().client_config().unwrap();
    handshake(client, server.clone()).unwrap();

    // Asking for client certificates explicitly still needs ca_certs.
    let required = SslOptions {
        cert_reqs: CertReqs::Required,
        ..options
    };
    assert!(matches!(
        required.server_config(),
        Err(supercell::netutil::TlsConfigError::MissingCaCerts)
    ));
}

#[test]
fn ssl_options_default_client_verifies_the_server() {
    let server = certs::server_options().server_config().unwrap();
    // The webpki roots do not include the test CA: refused.
    let default_client = SslOptions::default().client_config().unwrap();
    match handshake(default_client, server.clone()) {
        Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) => {}
        other => panic!("expected an unknown issuer, got {other:?}"),
    }
    // Trusting the test CA, with the default cert_reqs: verified, accepted.
    let trusting = certs::client_options();
    assert_eq!(trusting.cert_reqs, CertReqs::SideDefault);
    handshake(trusting.client_config().unwrap(), server).unwrap();
}

// ---- The default backlog ----

/// Whether the system lets a listen backlog of DEFAULT_BACKLOG stand
/// (`somaxconn` caps it); where unknown, assumed.
fn default_backlog_stands() -> bool {
    assert_eq!(DEFAULT_BACKLOG, 128, "Tornado's default backlog");
    match std::fs::read_to_string("/proc/sys/net/core/somaxconn") {
        Ok(max) => max
            .trim()
            .parse::<u32>()
            .is_ok_and(|max| max >= DEFAULT_BACKLOG),
        Err(_) => true,
    }
}

#[cfg(target_os = "linux")]
#[test]
fn bind_sockets_listens_with_the_default_backlog() {
    // Linux's accept queue holds backlog + 1 connections; with it full, a
    // further handshake gets no answer.
    if !default_backlog_stands() {
        eprintln!("somaxconn is below the default backlog: nothing to test");
        return;
    }
    let listener = bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, false)
        .unwrap()
        .remove(0);
    let addr = listener.local_addr().unwrap();
    let queued: Vec<TcpStream> = (0..=DEFAULT_BACKLOG)
        .map(|i| {
            TcpStream::connect_timeout(&addr, Duration::from_secs(5))
                .unwrap_or_else(|e| panic!("connection {i} was not queued: {e}"))
        })
        .collect();
    let over = TcpStream::connect_timeout(&addr, Duration::from_millis(300));
    assert!(
        over.as_ref()
            .is_err_and(|e| e.kind() == io::ErrorKind::TimedOut),
        "{over:?}"
    );
    drop(queued);
}

#[cfg(target_os = "linux")]
#[test]
fn bind_unix_socket_listens_with_the_default_backlog() {
    use socket2::{Domain, SockAddr, Socket, Type};
    if !default_backlog_stands() {
        eprintln!("somaxconn is below the default backlog: nothing to test");
        return;
    }
    let dir = TempDir::new("backlog");
    let path = dir.path("sock");
    let _listener = bind_unix_socket(&path, DEFAULT_UNIX_SOCKET_MODE, None).unwrap();
    let target = SockAddr::unix(&path).unwrap();
    let connect = || {
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
        socket.set_nonblocking(true).unwrap();
        socket.connect(&target).map(|()| socket)
    };
    let queued: Vec<Socket> = (0..=DEFAULT_BACKLOG)
        .map(|i| connect().unwrap_or_else(|e| panic!("connection {i} was not queued: {e}")))
        .collect();
    let over = connect();
    assert!(
        over.as_ref()
            .is_err_and(|e| e.kind() == io::ErrorKind::WouldBlock),
        "{over:?}"
    );
    drop(queued);
}
