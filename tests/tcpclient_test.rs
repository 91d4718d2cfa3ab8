//! Counterparts of Tornado's `tornado/test/tcpclient_test.py`.
//!
//! `TestConnectorSplit` (2 tests) has its counterparts as unit tests next
//! to the code (`test_connector_split_one_family`,
//! `test_connector_split_mixed` in `src/net/tcpclient/connector.rs`): the
//! split is private.
//!
//! Differences of method: where Tornado resolves `localhost` with the
//! system resolver and skips the dual-stack tests when `localhost` has no
//! IPv6 address, these tests use a fixed resolver answering `localhost`
//! with `::1` then `127.0.0.1`, so every dual-stack path runs on every
//! machine with IPv6 loopback (tests needing `::1` print a note and pass
//! when it is missing). `test_source_port_fail` asks for a port in use
//! instead of port 1, which a root user may bind.

#[path = "support/certs.rs"]
mod certs;
#[path = "support/poll.rs"]
mod poll;

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use poll::{poll_once, settle};
use supercell::iostream::{IoStream, StreamError};
use supercell::netutil::{AddressFamily, ResolveError, ResolveFuture, Resolver, bind_sockets};
use supercell::tcpclient::{
    ConnectError, ConnectOptions, Connector, INITIAL_CONNECT_TIMEOUT, TcpClient,
};
use supercell::tcpserver::{ServerOptions, TcpServer, handler_fn};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

// ---------------------------------------------------------------------------
// TCPClientTest: real connections on the loopback interface.
// ---------------------------------------------------------------------------

/// Tornado's `TestTCPServer`: hands every accepted stream, with its peer
/// address, to the test.
struct TestServer {
    server: TcpServer,
    port: u16,
    streams: mpsc::UnboundedReceiver<(IoStream, SocketAddr)>,
}

impl TestServer {
    /// A server on the loopback address(es) of `family`: `127.0.0.1`,
    /// `::1`, or both on one port. `None` when IPv6 is unavailable.
    fn start(family: AddressFamily) -> Option<TestServer> {
        let listeners = match family {
            AddressFamily::Inet => loopback_listeners(&["127.0.0.1"])?,
            AddressFamily::Inet6 => loopback_listeners(&["::1"])?,
            AddressFamily::Unspec => loopback_listeners(&["127.0.0.1", "::1"])?,
        };
        let port = listeners[0].local_addr().unwrap().port();
        let (tx, streams) = mpsc::unbounded_channel();
        let server = TcpServer::new(handler_fn(move |stream, address| {
            let sent = tx.send((stream, address.socket_addr().expect("a TCP peer")));
            async move {
                sent.map_err(|_| "the test is gone")?;
                Ok(())
            }
        }));
        server.add_sockets(listeners).unwrap();
        Some(TestServer {
            server,
            port,
            streams,
        })
    }

    /// The next accepted stream and its peer address.
    async fn accepted(&mut self) -> (IoStream, SocketAddr) {
        tokio::time::timeout(Duration::from_secs(10), self.streams.recv())
            .await
            .expect("no connection accepted")
            .unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.stop();
    }
}

/// Listeners on one free port for each of `hosts`; `None` when IPv6 is
/// needed and missing. Retries when the port is taken for the second host.
fn loopback_listeners(hosts: &[&str]) -> Option<Vec<TcpListener>> {
    for _ in 0..20 {
        let mut listeners: Vec<TcpListener> = Vec::new();
        let mut port = 0;
        for host in hosts {
            let bound = bind_sockets(port, Some(host), AddressFamily::Unspec, None, false);
            match bound {
                Ok(mut bound) => {
                    port = bound[0].local_addr().unwrap().port();
                    listeners.append(&mut bound);
                }
                Err(_) if host.contains(':') && !ipv6_available() => {
                    eprintln!("no IPv6 loopback: nothing to test");
                    return None;
                }
                Err(_) => break,
            }
        }
        if listeners.len() == hosts.len() {
            return Some(listeners);
        }
    }
    panic!("no free port for {hosts:?}");
}

fn ipv6_available() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

/// Answers `localhost` with `::1` then `127.0.0.1` (the order of a
/// dual-stack system) and IP literals with themselves.
struct DualStackLocalhost;

impl Resolver for DualStackLocalhost {
    fn resolve<'a>(&'a self, host: &'a str, port: u16, family: AddressFamily) -> ResolveFuture<'a> {
        let ips: Vec<IpAddr> = match host {
            "localhost" => vec!["::1".parse().unwrap(), "127.0.0.1".parse().unwrap()],
            literal => vec![literal.parse().unwrap()],
        };
        let addrs: Vec<SocketAddr> = ips
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .filter(|addr| family.matches(addr))
            .collect();
        Box::pin(async move {
            if addrs.is_empty() {
                return Err(ResolveError::NoAddresses {
                    host: host.to_owned(),
                    family,
                });
            }
            Ok(addrs)
        })
    }
}

fn client() -> TcpClient {
    TcpClient::new(Some(Arc::new(DualStackLocalhost)))
}

/// Tornado's `do_test_connect`: connects, then checks that bytes flow.
/// Returns the address the server saw.
async fn do_test_connect(
    family: AddressFamily,
    host: &str,
    options: ConnectOptions,
) -> Option<Result<SocketAddr, ConnectError>> {
    let mut server = TestServer::start(family)?;
    let stream = match client().connect(host, server.port, options).await {
        Ok(stream) => stream,
        Err(error) => return Some(Err(error)),
    };
    let (server_stream, address) = server.accepted().await;
    stream.write(&b"hello"[..]).await.unwrap();
    let data = server_stream.read_bytes(5, false).await.unwrap();
    assert_eq!(&data[..], b"hello");
    assert_eq!(stream.local_addr(), Some(address));
    stream.close();
    Some(Ok(address))
}

/// Connects and asserts success; returns the address the server saw.
async fn assert_connects(family: AddressFamily, host: &str) -> Option<SocketAddr> {
    do_test_connect(family, host, ConnectOptions::default())
        .await
        .map(|result| result.expect("connect failed"))
}

#[tokio::test]
async fn tcp_client_test_connect_ipv4_ipv4() {
    let address = assert_connects(AddressFamily::Inet, "127.0.0.1")
        .await
        .unwrap();
    assert!(address.is_ipv4());
}

#[tokio::test]
async fn tcp_client_test_connect_ipv4_dual() {
    // `::1` comes first and is refused; the IPv4 address follows at once.
    let address = assert_connects(AddressFamily::Inet, "localhost")
        .await
        .unwrap();
    assert!(address.is_ipv4());
}

#[tokio::test]
async fn tcp_client_test_connect_ipv6_ipv6() {
    if let Some(address) = assert_connects(AddressFamily::Inet6, "::1").await {
        assert!(address.is_ipv6());
    }
}

#[tokio::test]
async fn tcp_client_test_connect_ipv6_dual() {
    if let Some(address) = assert_connects(AddressFamily::Inet6, "localhost").await {
        assert!(address.is_ipv6());
    }
}

#[tokio::test]
async fn tcp_client_test_connect_unspec_ipv4() {
    if let Some(address) = assert_connects(AddressFamily::Unspec, "127.0.0.1").await {
        assert!(address.is_ipv4());
    }
}

#[tokio::test]
async fn tcp_client_test_connect_unspec_ipv6() {
    if let Some(address) = assert_connects(AddressFamily::Unspec, "::1").await {
        assert!(address.is_ipv6());
    }
}

#[tokio::test]
async fn tcp_client_test_connect_unspec_dual() {
    // Both families listen: the first address (`::1`) wins.
    if let Some(address) = assert_connects(AddressFamily::Unspec, "localhost").await {
        assert!(address.is_ipv6());
    }
}

/// Tornado's `refusing_port`: a port nothing listens on.
fn refusing_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn tcp_client_test_refused_ipv4() {
    let port = refusing_port();
    let result = client()
        .connect("127.0.0.1", port, ConnectOptions::default())
        .await;
    match result {
        Err(ConnectError::Connect { addr, source }) => {
            assert_eq!(addr.port(), port);
            assert_eq!(source.kind(), io::ErrorKind::ConnectionRefused);
        }
        other => panic!("expected a refused connection, got {other:?}"),
    }
}

#[tokio::test]
async fn tcp_client_test_source_ip_fail() {
    // 8.8.8.8 is no address of this machine.
    let options = ConnectOptions {
        source_ip: Some("8.8.8.8".parse().unwrap()),
        ..ConnectOptions::default()
    };
    match do_test_connect(AddressFamily::Inet, "127.0.0.1", options)
        .await
        .unwrap()
    {
        Err(ConnectError::Bind { addr, source }) => {
            assert_eq!(addr.ip(), "8.8.8.8".parse::<IpAddr>().unwrap());
            assert_eq!(source.kind(), io::ErrorKind::AddrNotAvailable);
        }
        other => panic!("expected a bind error, got {other:?}"),
    }
}

#[tokio::test]
async fn tcp_client_test_source_ip_success() {
    // 127.0.0.2 is on the loopback interface too, and is not the address
    // the system would pick, so the server sees the binding.
    let source: IpAddr = "127.0.0.2".parse().unwrap();
    let options = ConnectOptions {
        source_ip: Some(source),
        ..ConnectOptions::default()
    };
    let address = do_test_connect(AddressFamily::Inet, "127.0.0.1", options)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(address.ip(), source);
}

#[tokio::test]
async fn tcp_client_test_source_port_fail() {
    // A port another socket listens on cannot be the source port.
    let taken = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let options = ConnectOptions {
        source_port: Some(port),
        ..ConnectOptions::default()
    };
    match do_test_connect(AddressFamily::Inet, "127.0.0.1", options)
        .await
        .unwrap()
    {
        Err(ConnectError::Bind { addr, source }) => {
            assert_eq!(addr.port(), port);
            assert_eq!(source.kind(), io::ErrorKind::AddrInUse);
        }
        other => panic!("expected a bind error, got {other:?}"),
    }
}

#[tokio::test]
async fn source_port_success() {
    let port = refusing_port();
    let options = ConnectOptions {
        source_port: Some(port),
        ..ConnectOptions::default()
    };
    let address = do_test_connect(AddressFamily::Inet, "127.0.0.1", options)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(address.port(), port);
}

/// Answers every name with fixed addresses, in order.
struct FixedResolver(Vec<SocketAddr>);

impl Resolver for FixedResolver {
    fn resolve<'a>(&'a self, _: &'a str, _: u16, _: AddressFamily) -> ResolveFuture<'a> {
        Box::pin(std::future::ready(Ok(self.0.clone())))
    }
}

/// A loopback IPv4 listener whose accept queue is full: a further
/// connection attempt gets no answer (its SYN is dropped). Returns the
/// listener and the connections filling its queue, to keep alive.
fn stalled_ipv4_listener() -> (socket2::Socket, Vec<std::net::TcpStream>) {
    let listener =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    listener
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(stream) => fillers.push(stream),
            Err(_) => return (listener, fillers),
        }
    }
    panic!("the accept queue of {addr} never filled up");
}

#[tokio::test]
async fn source_port_with_both_families_in_flight() {
    // With a source port, the IPv4 attempt holds 0.0.0.0:P while it
    // stalls; the IPv6 attempt started after the initial connect timeout
    // binds [::]:P alongside it and wins.
    let Some(mut server) = TestServer::start(AddressFamily::Inet6) else {
        return;
    };
    let (stalled, _fillers) = stalled_ipv4_listener();
    let stalled_addr = stalled.local_addr().unwrap().as_socket().unwrap();
    let live_addr = SocketAddr::new("::1".parse().unwrap(), server.port);
    let client = TcpClient::new(Some(Arc::new(FixedResolver(vec![stalled_addr, live_addr]))));
    let port = refusing_port();
    let options = ConnectOptions {
        source_port: Some(port),
        timeout: Some(Duration::from_secs(5).into()),
        ..ConnectOptions::default()
    };
    let stream = client
        .connect("dual", server.port, options)
        .await
        .expect("the IPv6 attempt should win");
    assert_eq!(stream.local_addr().unwrap().port(), port);
    let (_, peer) = server.accepted().await;
    assert!(peer.is_ipv6());
    assert_eq!(peer.port(), port);
}

/// A resolver whose answer never comes.
struct NeverResolver;

impl Resolver for NeverResolver {
    fn resolve<'a>(&'a self, _: &'a str, _: u16, _: AddressFamily) -> ResolveFuture<'a> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test(start_paused = true)]
async fn tcp_client_test_connect_timeout() {
    let options = ConnectOptions {
        timeout: Some(Duration::from_millis(50).into()),
        ..ConnectOptions::default()
    };
    let started = Instant::now();
    let result = TcpClient::new(Some(Arc::new(NeverResolver)))
        .connect("1.2.3.4", 12345, options)
        .await;
    assert!(
        matches!(result, Err(ConnectError::Timeout(_))),
        "{result:?}"
    );
    assert_eq!(started.elapsed(), Duration::from_millis(50));
}

#[tokio::test]
async fn default_resolver_connects_to_localhost() {
    let mut server = TestServer::start(AddressFamily::Unspec)
        .unwrap_or_else(|| TestServer::start(AddressFamily::Inet).unwrap());
    let stream = TcpClient::default()
        .connect("localhost", server.port, ConnectOptions::default())
        .await
        .unwrap();
    let (server_stream, _) = server.accepted().await;
    stream.write(&b"hi"[..]).await.unwrap();
    assert_eq!(
        &server_stream.read_bytes(2, false).await.unwrap()[..],
        b"hi"
    );
}

#[tokio::test]
async fn family_option_limits_the_addresses_tried() {
    // Only IPv6 listens, and only IPv4 may be tried: refused.
    let Some(server) = TestServer::start(AddressFamily::Inet6) else {
        return;
    };
    let options = ConnectOptions {
        family: AddressFamily::Inet,
        ..ConnectOptions::default()
    };
    let result = client().connect("localhost", server.port, options).await;
    match result {
        Err(ConnectError::Connect { addr, .. }) => assert!(addr.is_ipv4()),
        other => panic!("expected IPv4 to be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn max_buffer_size_applies_to_the_stream() {
    let mut server = TestServer::start(AddressFamily::Inet).unwrap();
    let options = ConnectOptions {
        max_buffer_size: Some(16),
        ..ConnectOptions::default()
    };
    let stream = client()
        .connect("127.0.0.1", server.port, options)
        .await
        .unwrap();
    let (server_stream, _) = server.accepted().await;
    server_stream.write(vec![b'x'; 1000]).await.unwrap();
    let result = tokio::time::timeout(Duration::from_secs(10), stream.read_until(b"\n", None))
        .await
        .expect("the read was not failed by the buffer limit");
    // The read fails with the full buffer, or with the close it caused.
    let full = match &result {
        Err(StreamError::BufferFull(full)) => full,
        Err(StreamError::Closed(closed)) => match closed.real_error() {
            Some(StreamError::BufferFull(full)) => full,
            _ => panic!("expected a full read buffer, got {result:?}"),
        },
        _ => panic!("expected a full read buffer, got {result:?}"),
    };
    assert_eq!((full.which, full.limit), ("read", 16));
}

// ---------------------------------------------------------------------------
// TLS: the client verifies the server as the host it connects to.
// ---------------------------------------------------------------------------

/// A TLS server with the test certificate echoing one line.
fn tls_echo_server() -> (TcpServer, u16) {
    let options = ServerOptions {
        tls: Some(certs::server_options().server_config().unwrap()),
        ..ServerOptions::default()
    };
    let server = TcpServer::with_options(
        handler_fn(|stream, _address| async move {
            let line = stream.read_until(b"\n", None).await?;
            stream.write(line).await?;
            Ok(())
        }),
        options,
    );
    let port = server.listen(0, Some("127.0.0.1")).unwrap()[0].port();
    (server, port)
}

fn tls_options(config: Arc<rustls::ClientConfig>) -> ConnectOptions {
    ConnectOptions {
        tls: Some(config),
        timeout: Some(Duration::from_secs(10).into()),
        ..ConnectOptions::default()
    }
}

#[tokio::test]
async fn tls_client_verifies_the_server_certificate() {
    let (server, port) = tls_echo_server();
    let config = certs::client_options().client_config().unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let stream = TcpClient::default()
            .connect(host, port, tls_options(Arc::clone(&config)))
            .await
            .unwrap();
        stream.write(&b"secret\n"[..]).await.unwrap();
        assert_eq!(
            &stream.read_until(b"\n", None).await.unwrap()[..],
            b"secret\n"
        );
    }
    server.stop();
}

#[tokio::test]
async fn tls_client_rejects_an_untrusted_server() {
    let (server, port) = tls_echo_server();
    // The public roots do not include the test CA.
    let config = supercell::netutil::SslOptions::default()
        .client_config()
        .unwrap();
    let result = TcpClient::default()
        .connect("localhost", port, tls_options(config))
        .await;
    assert!(matches!(result, Err(ConnectError::Tls(_))), "{result:?}");
    server.stop();
}

#[tokio::test]
async fn tls_timeout_covers_the_handshake() {
    // A plain server that never answers the client's hello.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = certs::client_options().client_config().unwrap();
    let options = ConnectOptions {
        timeout: Some(Duration::from_millis(200).into()),
        ..tls_options(config)
    };
    let result = TcpClient::default()
        .connect("127.0.0.1", port, options)
        .await;
    assert!(
        matches!(result, Err(ConnectError::Timeout(_))),
        "{result:?}"
    );
    drop(listener);
}

// ---------------------------------------------------------------------------
// ConnectorTest: the happy-eyeballs state machine over a fake connect
// function. Each attempt waits on a oneshot channel the test resolves; an
// attempt the connector drops (closes) shows as a closed channel. Tornado
// fires the connector's timers by hand; here time is paused and advanced.
// ---------------------------------------------------------------------------

/// Tornado's AF1 addresses 'a' and 'b' and AF2 addresses 'c' and 'd'.
const A: &str = "10.0.0.1:80";
const B: &str = "10.0.0.2:80";
const C: &str = "[fd00::3]:80";
const D: &str = "[fd00::4]:80";
/// The connect timeout given to every connector: large, fired by hand.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3600);

fn sa(addr: &str) -> SocketAddr {
    addr.parse().unwrap()
}

type AttemptResult = Result<SocketAddr, ConnectError>;
type Attempts = Arc<Mutex<HashMap<SocketAddr, oneshot::Sender<AttemptResult>>>>;

/// A connector running in its own task, and the attempts it started.
struct FakeConnect {
    attempts: Attempts,
    task: tokio::task::JoinHandle<Result<(SocketAddr, SocketAddr), ConnectError>>,
}

impl FakeConnect {
    /// Tornado's `start_connect`: the "stream" an attempt yields is its
    /// own address.
    async fn start(addrs: &[&str]) -> FakeConnect {
        let attempts = Attempts::default();
        let record = attempts.clone();
        let connector = Connector::new(addrs.iter().map(|a| sa(a)), move |addr| {
            let (tx, rx) = oneshot::channel();
            let earlier = record.lock().unwrap().insert(addr, tx);
            assert!(earlier.is_none(), "{addr} attempted twice");
            async move {
                rx.await
                    .unwrap_or_else(|_| panic!("the test dropped the attempt on {addr}"))
            }
        });
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        let task = tokio::spawn(connector.start(Some(deadline)));
        settle().await;
        FakeConnect { attempts, task }
    }

    /// The attempts in flight (Tornado's `assert_pending`).
    fn assert_pending(&self, expected: &[&str]) {
        let attempts = self.attempts.lock().unwrap();
        let mut pending: Vec<SocketAddr> = attempts
            .iter()
            .filter(|(_, tx)| !tx.is_closed())
            .map(|(addr, _)| *addr)
            .collect();
        pending.sort();
        let mut expected: Vec<SocketAddr> = expected.iter().map(|a| sa(a)).collect();
        expected.sort();
        assert_eq!(pending, expected);
    }

    /// Whether the connector closed (dropped) the attempt on `addr`,
    /// forgetting the attempt.
    fn take_closed(&self, addr: &str) -> bool {
        let tx = self.attempts.lock().unwrap().remove(&sa(addr));
        tx.expect("no such attempt").is_closed()
    }

    /// Completes the attempt on `addr` and lets the connector react
    /// (Tornado's `resolve_connect`).
    async fn resolve_connect(&self, addr: &str, success: bool) {
        let addr = sa(addr);
        let tx = self.attempts.lock().unwrap().remove(&addr);
        let tx = tx.expect("no such attempt");
        let result = if success {
            Ok(addr)
        } else {
            Err(ConnectError::Connect {
                addr,
                source: io::ErrorKind::ConnectionRefused.into(),
            })
        };
        assert!(tx.send(result).is_ok(), "the attempt on {addr} was closed");
        settle().await;
    }

    /// Tornado's `on_timeout`: the initial connect timeout passes.
    async fn on_timeout(&self) {
        tokio::time::advance(INITIAL_CONNECT_TIMEOUT).await;
        settle().await;
    }

    /// Tornado's `on_connect_timeout`: the overall deadline passes.
    async fn on_connect_timeout(&self) {
        tokio::time::advance(CONNECT_TIMEOUT).await;
        settle().await;
    }

    /// The connector's outcome, if it finished.
    fn result(&mut self) -> Option<Result<(SocketAddr, SocketAddr), ConnectError>> {
        match poll_once(&mut self.task) {
            Poll::Ready(joined) => Some(joined.unwrap()),
            Poll::Pending => None,
        }
    }

    /// The connector finished with the attempt on `addr` winning.
    fn assert_won_by(&mut self, addr: &str) {
        match self.result() {
            Some(Ok((winner, stream))) => {
                assert_eq!(winner, sa(addr));
                assert_eq!(stream, sa(addr));
            }
            other => panic!("expected {addr} to win, got {other:?}"),
        }
    }

    /// The connector failed with the error of the attempt on `addr`.
    fn assert_failed_at(&mut self, addr: &str) {
        match self.result() {
            Some(Err(ConnectError::Connect { addr: failed, .. })) => assert_eq!(failed, sa(addr)),
            other => panic!("expected the error of {addr}, got {other:?}"),
        }
    }

    fn assert_timed_out(&mut self) {
        match self.result() {
            Some(Err(ConnectError::Timeout(_))) => {}
            other => panic!("expected a timeout, got {other:?}"),
        }
    }
}

/// Tornado's `tearDown`: an attempt the test did not check must not have
/// been closed by the connector.
impl Drop for FakeConnect {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        for (addr, tx) in self.attempts.lock().unwrap().iter() {
            assert!(
                !tx.is_closed(),
                "the attempt on {addr} was closed unchecked"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn connector_test_immediate_success() {
    let mut conn = FakeConnect::start(&[A, B, C, D]).await;
    conn.assert_pending(&[A]);
    conn.resolve_connect(A, true).await;
    conn.assert_won_by(A);
    conn.assert_pending(&[]);
}

#[tokio::test(start_paused = true)]
async fn connector_test_immediate_failure() {
    let mut conn = FakeConnect::start(&[A]).await;
    conn.assert_pending(&[A]);
    conn.resolve_connect(A, false).await;
    conn.assert_failed_at(A);
}

#[tokio::test(start_paused = true)]
async fn connector_test_one_family_second_try() {
    let mut conn = FakeConnect::start(&[A, B]).await;
    conn.assert_pending(&[A]);
    conn.resolve_connect(A, false).await;
    conn.assert_pending(&[B]);
    conn.resolve_connect(B, true).await;
    conn.assert_won_by(B);
}

#[tokio::test(start_paused = true)]
async fn connector_test_one_family_second_try_failure() {
    let mut conn = FakeConnect::start(&[A, B]).await;
    conn.assert_pending(&[A]);
    conn.resolve_connect(A, false).await;
    conn.assert_pending(&[B]);
    conn.resolve_connect(B, false).await;
    conn.assert_failed_at(B);
}

#[tokio::test(start_paused = true)]
async fn connector_test_one_family_second_try_timeout() {
    let mut conn = FakeConnect::start(&[A, B]).await;
    conn.assert_pending(&[A]);
    // The initial timeout passes while the first attempt is pending:
    // with no other family, nothing happens.
    conn.on_timeout().await;
    conn.assert_pending(&[A]);
    conn.resolve_connect(A, false).await;
    conn.assert_pending(&[B]);
    conn.resolve_connect(B, true).await;
    conn.assert_won_by(B);
}

#[tokio::test(start_paused = true)]
async fn connector_test_two_families_immediate_failure() {
    let mut conn = FakeConnect::start(&[A, B, C, D]).await;
    conn.assert_pending(&[A]);
    conn.resolve_connect(A, false).await;
    conn.assert_pending(&[B, C]);
    conn.resolve_connect(B, false).await;
    conn.resolve_connect(C, true).await;
    conn.assert_won_by(C);
}

#[tokio::test(start_paused = true)]
async fn connector_test_two_families_timeout() {
    let mut conn = FakeConnect::start(&[A, B, C, D]).await;
    conn.assert_pending(&[A]);
    conn.on_timeout().await;
    conn.assert_pending(&[A, C]);
    conn.resolve_connect(C, true).await;
    conn.assert_won_by(C);
    // The attempt on 'a' is closed at once, so it never goes on to 'b'.
    assert!(conn.take_closed(A));
    conn.assert_pending(&[]);
}

#[tokio::test(start_paused = true)]
async fn connector_starts_the_second_family_exactly_at_the_initial_connect_timeout() {
    assert_eq!(INITIAL_CONNECT_TIMEOUT, Duration::from_millis(300));
    let mut conn = FakeConnect::start(&[A, B, C, D]).await;
    tokio::time::advance(INITIAL_CONNECT_TIMEOUT - Duration::from_millis(1)).await;
    settle().await;
    conn.assert_pending(&[A]);
    tokio::time::advance(Duration::from_millis(1)).await;
    settle().await;
    conn.assert_pending(&[A, C]);
    conn.resolve_connect(C, true).await;
    conn.assert_won_by(C);
    assert!(conn.take_closed(A));
}

#[tokio::test(start_paused = true)]
async fn connector_test_success_after_timeout() {
    let mut conn = FakeConnect::start(&[A, B, C, D]).await;
    conn.assert_pending(&[A]);
    conn.on_timeout().await;
    conn.assert_pending(&[A, C]);
    conn.resolve_connect(A, true).await;
    conn.assert_won_by(A);
    // The late attempt on 'c' is closed.
    assert!(conn.take_closed(C));
}

#[tokio::test(start_paused = true)]
async fn connector_test_all_fail() {
    let mut conn = FakeConnect::start(&[A, B, C, D]).await;
    conn.assert_pending(&[A]);
    conn.on_timeout().await;
    conn.assert_pending(&[A, C]);
    conn.resolve_connect(C, false).await;
    conn.assert_pending(&[A, D]);
    conn.resolve_connect(D, false).await;
    // One family is now used up.
    conn.assert_pending(&[A]);
    conn.resolve_connect(A, false).await;
    conn.assert_pending(&[B]);
    assert!(conn.result().is_none());
    conn.resolve_connect(B, false).await;
    conn.assert_failed_at(B);
}

#[tokio::test(start_paused = true)]
async fn connector_test_one_family_timeout_after_connect_timeout() {
    let mut conn = FakeConnect::start(&[A, B]).await;
    conn.assert_pending(&[A]);
    conn.on_connect_timeout().await;
    assert!(conn.take_closed(A));
    // After the connect timeout, the initial timeout starts nothing.
    conn.on_timeout().await;
    conn.assert_pending(&[]);
    conn.assert_timed_out();
}

#[tokio::test(start_paused = true)]
async fn connector_test_one_family_success_before_connect_timeout() {
    let mut conn = FakeConnect::start(&[A, B]).await;
    conn.assert_pending(&[A]);
    conn.resolve_connect(A, true).await;
    conn.on_connect_timeout().await;
    conn.assert_pending(&[]);
    conn.assert_won_by(A);
}

#[tokio::test(start_paused = true)]
async fn connector_test_one_family_second_try_after_connect_timeout() {
    let mut conn = FakeConnect::start(&[A, B]).await;
    conn.assert_pending(&[A]);
    conn.resolve_connect(A, false).await;
    conn.assert_pending(&[B]);
    conn.on_connect_timeout().await;
    assert!(conn.take_closed(B));
    conn.assert_pending(&[]);
    conn.assert_timed_out();
}

#[tokio::test(start_paused = true)]
async fn connector_test_one_family_second_try_failure_before_connect_timeout() {
    let mut conn = FakeConnect::start(&[A, B]).await;
    conn.assert_pending(&[A]);
    conn.resolve_connect(A, false).await;
    conn.assert_pending(&[B]);
    conn.resolve_connect(B, false).await;
    conn.on_connect_timeout().await;
    conn.assert_pending(&[]);
    conn.assert_failed_at(B);
}

#[tokio::test(start_paused = true)]
async fn connector_test_two_family_timeout_before_connect_timeout() {
    let mut conn = FakeConnect::start(&[A, B, C, D]).await;
    conn.assert_pending(&[A]);
    conn.on_timeout().await;
    conn.assert_pending(&[A, C]);
    conn.on_connect_timeout().await;
    assert!(conn.take_closed(A));
    assert!(conn.take_closed(C));
    conn.assert_pending(&[]);
    conn.assert_timed_out();
}

#[tokio::test(start_paused = true)]
async fn connector_test_two_family_success_after_timeout() {
    let mut conn = FakeConnect::start(&[A, B, C, D]).await;
    conn.assert_pending(&[A]);
    conn.on_timeout().await;
    conn.assert_pending(&[A, C]);
    conn.resolve_connect(A, true).await;
    // One success closes every other attempt.
    assert!(conn.take_closed(C));
    conn.assert_pending(&[]);
    conn.assert_won_by(A);
}

#[tokio::test(start_paused = true)]
async fn connector_test_two_family_timeout_after_connect_timeout() {
    let mut conn = FakeConnect::start(&[A, B, C, D]).await;
    conn.assert_pending(&[A]);
    conn.on_connect_timeout().await;
    assert!(conn.take_closed(A));
    conn.assert_pending(&[]);
    // After the connect timeout, the secondary family is never tried.
    conn.on_timeout().await;
    conn.assert_pending(&[]);
    conn.assert_timed_out();
}
