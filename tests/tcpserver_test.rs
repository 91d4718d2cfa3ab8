//! Counterparts of Tornado's `tornado/test/tcpserver_test.py`.
//!
//! Every Tornado test has a counterpart. Those of `TestMultiprocess` fork
//! worker processes, which must happen in a process with a single thread,
//! while this harness runs each test on a thread of its own: they are in
//! `tests/multiprocess_test.rs`, a target without the standard harness.
//! `test_stop_in_callback` does not skip when every client got connected
//! (Tornado does, as the race it looks for did not happen): its checks hold
//! either way.

#[path = "support/certs.rs"]
mod certs;
#[path = "support/logs.rs"]
mod logs;

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use logs::Logs;
use supercell::iostream::{IoStream, StreamError};
use supercell::netutil::{
    AddressFamily, DEFAULT_UNIX_SOCKET_MODE, PeerAddress, TlsConfig, bind_sockets, bind_unix_socket,
};
use supercell::process::ForkError;
use supercell::tcpserver::{
    DEFAULT_HANDSHAKE_TIMEOUT, HandlerError, ServerOptions, StartError, StreamHandler, TcpServer,
    handler_fn,
};
use supercell::util::log_target::GEN_LOG;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tracing::Level;

/// Tornado's `bind_unused_port`: a listener on a free port of 127.0.0.1.
fn bind_unused_port() -> (TcpListener, SocketAddr) {
    let mut listeners =
        bind_sockets(0, Some("127.0.0.1"), AddressFamily::Inet, None, false).unwrap();
    let listener = listeners.remove(0);
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Waits (boundedly) until `logs` hold an application-log error.
async fn wait_for_app_error(logs: &Logs) -> Vec<String> {
    for _ in 0..500 {
        let errors = logs.app_errors();
        if !errors.is_empty() {
            return errors;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no error was logged on the application log");
}

/// The error-level records of any target.
fn errors(logs: &Logs) -> Vec<String> {
    logs.records()
        .into_iter()
        .filter(|r| r.level == Level::ERROR)
        .map(|r| format!("{}: {}", r.target, r.message))
        .collect()
}

/// Whether nothing accepts connections on `addr` any more.
async fn refuses(addr: SocketAddr) -> bool {
    matches!(
        IoStream::connect(addr).await,
        Err(error) if error.io_kind() == Some(io::ErrorKind::ConnectionRefused)
    )
}

/// A handler that reads a greeting, closes, then fails.
struct FailingServer;

impl StreamHandler for FailingServer {
    async fn handle_stream(
        &self,
        stream: IoStream,
        _address: PeerAddress,
    ) -> Result<(), HandlerError> {
        stream.read_bytes(b"hello".len(), false).await?;
        stream.close();
        Err("division by zero".into())
    }
}

#[tokio::test]
async fn tcp_server_test_handle_stream_coroutine_logging() {
    let (logs, _guard) = Logs::capture();
    let (listener, addr) = bind_unused_port();
    let server = TcpServer::new(FailingServer);
    server.add_socket(listener).unwrap();

    let client = IoStream::connect(addr).await.unwrap();
    client.write(&b"hello"[..]).await.unwrap();
    client.read_until_close().await.unwrap();
    let errors = wait_for_app_error(&logs).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("division by zero"), "{errors:?}");

    server.stop();
    client.close();
}

#[tokio::test]
async fn tcp_server_test_handle_stream_native_coroutine() {
    let (listener, addr) = bind_unused_port();
    let server = TcpServer::new(handler_fn(|stream, _address| async move {
        // Not awaited: the write is queued eagerly and close lets it go out.
        drop(stream.write(&b"data"[..]));
        stream.close();
        Ok(())
    }));
    server.add_socket(listener).unwrap();

    let client = IoStream::connect(addr).await.unwrap();
    assert_eq!(&client.read_until_close().await.unwrap()[..], b"data");
    server.stop();
    client.close();
}

#[tokio::test]
async fn tcp_server_test_stop_twice() {
    let (logs, _guard) = Logs::capture();
    let (listener, addr) = bind_unused_port();
    let server = TcpServer::new(handler_fn(|_, _| async { Ok(()) }));
    server.add_socket(listener).unwrap();
    server.stop();
    server.stop();
    assert!(refuses(addr).await, "the listening socket is still open");
    assert_eq!(errors(&logs), Vec::<String>::new());
}

#[tokio::test]
async fn tcp_server_test_stop_in_callback() {
    // Issue #2069 in Tornado: stopping the server from a handler while other
    // connections wait to be accepted must log no error.
    const N: usize = 40;
    let (logs, _guard) = Logs::capture();
    let (listener, addr) = bind_unused_port();
    let this: Arc<OnceLock<TcpServer>> = Arc::default();
    let server = TcpServer::new(handler_fn({
        let this = Arc::clone(&this);
        move |stream, _address| {
            this.get().expect("server set").stop();
            async move {
                let _ = stream.read_until_close().await;
                Ok(())
            }
        }
    }));
    this.set(server.clone()).unwrap();
    server.add_socket(listener).unwrap();

    let attempts = (0..N).map(|_| tokio::spawn(IoStream::connect(addr)));
    let mut connected = Vec::new();
    for attempt in attempts {
        if let Ok(client) = attempt.await.unwrap() {
            connected.push(client);
        }
    }
    assert!(!connected.is_empty(), "all clients failed connecting");
    for client in &connected {
        client.close();
    }
    assert!(
        stops_accepting(addr).await,
        "the server still accepts after stop"
    );
    assert_eq!(errors(&logs), Vec::<String>::new());
}

/// Whether the server on `addr` refuses connections within a few seconds
/// (a handler stops it, and handlers run once the server gets to them).
async fn stops_accepting(addr: SocketAddr) -> bool {
    for _ in 0..250 {
        if refuses(addr).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

// ---------------------------------------------------------------------------
// Beyond Tornado's tests: the handler forms, error isolation, options and
// the bind/start life cycle.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_panicking_handler_is_logged_and_the_server_goes_on() {
    let (logs, _guard) = Logs::capture();
    let (listener, addr) = bind_unused_port();
    let server = TcpServer::new(handler_fn(|stream, _address| async move {
        let first = stream.read_bytes(1, false).await?;
        if &first[..] == b"!" {
            panic!("handler exploded");
        }
        stream.write(first).await?;
        Ok(())
    }));
    server.add_socket(listener).unwrap();

    let bomb = IoStream::connect(addr).await.unwrap();
    bomb.write(&b"!"[..]).await.unwrap();
    let errors = wait_for_app_error(&logs).await;
    assert!(errors[0].contains("handler exploded"), "{errors:?}");

    let client = IoStream::connect(addr).await.unwrap();
    client.write(&b"x"[..]).await.unwrap();
    assert_eq!(&client.read_bytes(1, false).await.unwrap()[..], b"x");
    server.stop();
}

#[tokio::test]
async fn handle_stream_gets_the_peer_address() {
    let (listener, addr) = bind_unused_port();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let server = TcpServer::new(handler_fn(move |stream, address| {
        let tx = tx.clone();
        async move {
            tx.send((address, stream.peer_addr())).unwrap();
            Ok(())
        }
    }));
    server.add_socket(listener).unwrap();

    let client = IoStream::connect(addr).await.unwrap();
    let (address, peer) = rx.recv().await.unwrap();
    assert_eq!(address, PeerAddress::Inet(client.local_addr().unwrap()));
    assert_eq!(address.socket_addr(), peer);
    server.stop();
}

#[tokio::test]
async fn existing_connections_go_on_after_stop() {
    let (listener, addr) = bind_unused_port();
    let (tx, mut accepted) = mpsc::unbounded_channel();
    let server = TcpServer::new(handler_fn(move |stream, _address| {
        let called = tx.send(());
        async move {
            called.map_err(|_| "the test is gone")?;
            let line = stream.read_until(b"\n", None).await?;
            stream.write(line).await?;
            Ok(())
        }
    }));
    server.add_socket(listener).unwrap();
    let client = IoStream::connect(addr).await.unwrap();
    client.write(&b"one"[..]).await.unwrap();
    accepted.recv().await.unwrap();
    server.stop();
    assert!(refuses(addr).await);
    client.write(&b" two\n"[..]).await.unwrap();
    assert_eq!(
        &client.read_until(b"\n", None).await.unwrap()[..],
        b"one two\n"
    );
}

#[tokio::test]
async fn max_buffer_size_applies_to_accepted_streams() {
    let (listener, addr) = bind_unused_port();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = ServerOptions {
        max_buffer_size: Some(16),
        ..ServerOptions::default()
    };
    let server = TcpServer::with_options(
        handler_fn(move |stream, _address| {
            let tx = tx.clone();
            async move {
                tx.send(stream.read_until(b"\n", None).await.map(|_| ()))
                    .unwrap();
                Ok(())
            }
        }),
        options,
    );
    assert_eq!(server.options().max_buffer_size, Some(16));
    server.add_socket(listener).unwrap();
    let client = IoStream::connect(addr).await.unwrap();
    client.write(vec![b'x'; 1000]).await.unwrap();
    let result = rx.recv().await.unwrap();
    assert!(
        matches!(&result, Err(StreamError::BufferFull(_)))
            || matches!(&result, Err(StreamError::Closed(c)) if matches!(c.real_error(), Some(StreamError::BufferFull(_)))),
        "{result:?}"
    );
    server.stop();
}

#[tokio::test]
async fn listen_serves_at_once_and_reports_the_port() {
    let server = TcpServer::new(handler_fn(|stream, _address| async move {
        stream.write(&b"hi"[..]).await?;
        stream.close();
        Ok(())
    }));
    let addrs = server.listen(0, Some("127.0.0.1")).unwrap();
    assert_eq!(addrs.len(), 1);
    assert_ne!(addrs[0].port(), 0);
    let client = IoStream::connect(addrs[0]).await.unwrap();
    assert_eq!(&client.read_until_close().await.unwrap()[..], b"hi");
    server.stop();
    assert!(refuses(addrs[0]).await);
}

fn greeting_server() -> TcpServer {
    TcpServer::new(handler_fn(|stream, _address| async move {
        stream.write(&b"hi"[..]).await?;
        stream.close();
        Ok(())
    }))
}

/// Binds `server` to a free port of 127.0.0.1 and returns the address.
fn bind_free_port(server: &TcpServer) -> SocketAddr {
    let addrs = server
        .bind(0, Some("127.0.0.1"), AddressFamily::Inet, None, false)
        .unwrap();
    assert_eq!(addrs.len(), 1);
    addrs[0]
}

#[tokio::test]
async fn bind_then_start_one_process_inside_a_runtime_serves_at_once() {
    let server = greeting_server();
    let addr = bind_free_port(&server);
    assert_eq!(server.start(Some(1)).unwrap(), None, "no fork, no task id");
    let client = IoStream::connect(addr).await.unwrap();
    assert_eq!(&client.read_until_close().await.unwrap()[..], b"hi");
    assert!(matches!(
        server.start(Some(1)),
        Err(StartError::AlreadyStarted)
    ));
    server.stop();
}

#[tokio::test]
async fn start_can_be_retried_after_a_failed_fork() {
    let server = greeting_server();
    let addr = bind_free_port(&server);
    // Forking inside a runtime is refused, and nothing was started.
    assert!(matches!(
        server.start(Some(2)),
        Err(StartError::Fork(ForkError::RuntimeExists))
    ));
    assert_eq!(server.start(Some(1)).unwrap(), None);
    let client = IoStream::connect(addr).await.unwrap();
    assert_eq!(&client.read_until_close().await.unwrap()[..], b"hi");
    server.stop();
}

#[test]
fn start_before_the_runtime_leaves_the_sockets_for_add_pending_sockets() {
    let server = greeting_server();
    let addr = bind_free_port(&server);
    server.start(Some(1)).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Bound, not accepting yet: the connection waits in the backlog.
        let client = IoStream::connect(addr).await.unwrap();
        server.add_pending_sockets().unwrap();
        assert_eq!(&client.read_until_close().await.unwrap()[..], b"hi");
        server.stop();
    });
}

#[tokio::test]
async fn bind_after_start_serves_at_once() {
    let server = greeting_server();
    server.start(Some(1)).unwrap();
    let addr = bind_free_port(&server);
    let client = IoStream::connect(addr).await.unwrap();
    assert_eq!(&client.read_until_close().await.unwrap()[..], b"hi");
    server.stop();
}

// ---------------------------------------------------------------------------
// TLS: the handshake before handle_stream, and failed handshakes that never
// disturb the server.
// ---------------------------------------------------------------------------

/// A TLS echo server of one line per connection; every call of the handler
/// is reported on the channel.
fn tls_echo_server(
    handshake_timeout: Duration,
) -> (TcpServer, SocketAddr, mpsc::UnboundedReceiver<PeerAddress>) {
    let (listener, addr) = bind_unused_port();
    let (server, calls) = echo_server(Some(handshake_timeout));
    server.add_socket(listener).unwrap();
    (server, addr, calls)
}

/// A server (TLS with `handshake_timeout` if given) echoing one line per
/// connection; every call of the handler is reported on the channel.
fn echo_server(
    handshake_timeout: Option<Duration>,
) -> (TcpServer, mpsc::UnboundedReceiver<PeerAddress>) {
    let (tx, calls) = mpsc::unbounded_channel();
    let options = match handshake_timeout {
        Some(handshake_timeout) => ServerOptions {
            tls: Some(certs::server_options().server_config().unwrap()),
            handshake_timeout,
            ..ServerOptions::default()
        },
        None => ServerOptions::default(),
    };
    let server = TcpServer::with_options(
        handler_fn(move |stream, address| {
            let called = tx.send(address);
            async move {
                called.map_err(|_| "the test is gone")?;
                let line = stream.read_until(b"\n", None).await?;
                stream.write(line).await?;
                Ok(())
            }
        }),
        options,
    );
    (server, calls)
}

/// Starts TLS on a connected plain client, trusting the test CA.
async fn client_tls(client: IoStream) -> IoStream {
    client
        .start_tls(certs::client_config(), Some("localhost"))
        .await
        .unwrap()
}

/// A TLS client gets its line echoed.
async fn assert_tls_echo(addr: SocketAddr) {
    let client = client_tls(IoStream::connect(addr).await.unwrap()).await;
    client.write(&b"ping\n"[..]).await.unwrap();
    assert_eq!(
        &client.read_until(b"\n", None).await.unwrap()[..],
        b"ping\n"
    );
}

#[tokio::test]
async fn tls_handshake_completes_before_handle_stream() {
    let (server, addr, mut calls) = tls_echo_server(Duration::from_secs(30));
    let client = IoStream::connect(addr).await.unwrap();
    // Connected, but no handshake yet: the handler must not run.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        calls.try_recv().is_err(),
        "handle_stream ran before the handshake"
    );

    let client = client_tls(client).await;
    let called = tokio::time::timeout(Duration::from_secs(10), calls.recv())
        .await
        .unwrap();
    assert_eq!(called.and_then(|a| a.socket_addr()), client.local_addr());
    client.write(&b"ping\n"[..]).await.unwrap();
    assert_eq!(
        &client.read_until(b"\n", None).await.unwrap()[..],
        b"ping\n"
    );
    server.stop();
}

#[tokio::test]
async fn plain_client_to_tls_server_is_one_warning_naming_it() {
    let (logs, _guard) = Logs::capture();
    let (server, addr, mut calls) = tls_echo_server(Duration::from_secs(30));
    let client = IoStream::connect(addr).await.unwrap();
    client.write(&b"GET / HTTP/1.0\r\n\r\n"[..]).await.unwrap();
    // The server gives up on the connection...
    let closed = tokio::time::timeout(Duration::from_secs(10), client.read_until_close()).await;
    assert!(
        closed.is_ok(),
        "the server kept the plain-text connection open"
    );
    // ...goes on serving...
    assert_tls_echo(addr).await;
    server.stop();
    // ...called the handler only for the TLS client, and warned once,
    // naming the plain-text client.
    assert_eq!(drain(&mut calls).len(), 1);
    assert_eq!(errors(&logs), Vec::<String>::new());
    let warnings = warnings(&logs);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with(GEN_LOG), "{warnings:?}");
    assert!(warnings[0].contains(&addr_of(&client)), "{warnings:?}");
}

/// The warning-level records of any target.
fn warnings(logs: &Logs) -> Vec<String> {
    logs.records()
        .into_iter()
        .filter(|r| r.level == Level::WARN)
        .map(|r| format!("{}: {}", r.target, r.message))
        .collect()
}

/// Waits (boundedly) until the general log holds a debug record naming
/// `peer`.
async fn wait_for_debug_about(logs: &Logs, peer: &str) {
    for _ in 0..500 {
        if logs
            .records()
            .iter()
            .any(|r| r.target == GEN_LOG && r.level == Level::DEBUG && r.message.contains(peer))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("nothing logged about {peer}: {:?}", logs.records());
}

#[tokio::test]
async fn clients_leaving_mid_handshake_are_not_warnings() {
    // The start of a TLS record announcing a longer ClientHello.
    const TRUNCATED_CLIENT_HELLO: &[u8] = &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00];
    let (logs, _guard) = Logs::capture();
    let (server, addr, mut calls) = tls_echo_server(Duration::from_secs(30));
    for reset in [false, true] {
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let peer = client.local_addr().unwrap().to_string();
        client.write_all(TRUNCATED_CLIENT_HELLO).await.unwrap();
        if reset {
            client.set_zero_linger().unwrap();
        }
        drop(client);
        wait_for_debug_about(&logs, &peer).await;
    }
    assert_tls_echo(addr).await;
    server.stop();
    assert_eq!(drain(&mut calls).len(), 1, "only the TLS client is handled");
    assert_eq!(warnings(&logs), Vec::<String>::new());
    assert_eq!(errors(&logs), Vec::<String>::new());
}

/// Everything received so far.
fn drain<T>(rx: &mut mpsc::UnboundedReceiver<T>) -> Vec<T> {
    std::iter::from_fn(|| rx.try_recv().ok()).collect()
}

/// How the server names a client in its log.
fn addr_of(client: &IoStream) -> String {
    client.local_addr().unwrap().to_string()
}

#[tokio::test]
async fn client_rejecting_the_certificate_does_not_stop_the_server() {
    let (logs, _guard) = Logs::capture();
    let (server, addr, mut calls) = tls_echo_server(Duration::from_secs(30));
    // A client trusting only the public roots rejects the test certificate.
    let public_roots = supercell::netutil::SslOptions::default()
        .client_config()
        .unwrap();
    let client = IoStream::connect(addr).await.unwrap();
    let rejected = client
        .start_tls(TlsConfig::Client(public_roots), Some("localhost"))
        .await;
    assert!(rejected.is_err());
    assert_tls_echo(addr).await;
    server.stop();
    assert_eq!(
        drain(&mut calls).len(),
        1,
        "only the trusting client is handled"
    );
    assert_eq!(errors(&logs), Vec::<String>::new());
}

#[tokio::test]
async fn silent_tls_client_is_dropped_after_the_handshake_timeout() {
    let (logs, _guard) = Logs::capture();
    let (server, addr, mut calls) = tls_echo_server(Duration::from_millis(500));
    let client = IoStream::connect(addr).await.unwrap();
    // The client says nothing; the server closes the connection.
    let closed = tokio::time::timeout(Duration::from_secs(10), client.read_until_close()).await;
    assert!(closed.is_ok(), "the silent client was never dropped");
    assert_tls_echo(addr).await;
    server.stop();
    assert_eq!(drain(&mut calls).len(), 1, "only the TLS client is handled");
    assert!(
        logs.records().iter().any(|r| r.target == GEN_LOG
            && r.level == Level::DEBUG
            && r.message.contains("timed out")),
        "{:?}",
        logs.records()
    );
    assert_eq!(errors(&logs), Vec::<String>::new());
}

#[tokio::test]
async fn read_chunk_size_applies_to_every_accepted_stream() {
    // The handler waits until the client's 1000 bytes are all sent, then
    // makes one partial read, which takes at most one chunk, and answers
    // with its length.
    let sent = Arc::new(tokio::sync::Notify::new());
    let told = Arc::clone(&sent);
    let server = TcpServer::with_options(
        handler_fn(move |stream, _| {
            let told = Arc::clone(&told);
            async move {
                told.notified().await;
                let chunk = stream.read_bytes(1000, true).await?;
                stream
                    .write(format!("{}\n", chunk.len()).into_bytes())
                    .await?;
                Ok(())
            }
        }),
        ServerOptions {
            read_chunk_size: Some(16),
            ..ServerOptions::default()
        },
    );
    let (listener, addr) = bind_unused_port();
    server.add_socket(listener).unwrap();
    let client = IoStream::connect(addr).await.unwrap();
    client.write(vec![b'x'; 1000]).await.unwrap();
    sent.notify_one();
    let answer = tokio::time::timeout(Duration::from_secs(10), client.read_until(b"\n", None))
        .await
        .expect("no answer")
        .unwrap();
    let len: usize = std::str::from_utf8(&answer)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((1..=16).contains(&len), "a partial read took {len} bytes");
    server.stop();
}

/// Waits, in real time and with the clock standing still, until `ready`:
/// other tasks run in between. At most 10 seconds.
async fn wait_in_real_time(mut ready: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the condition never held"
        );
        tokio::task::yield_now().await;
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Whether the server closed `client` (a non-blocking socket): end of
/// file, or a reset.
fn closed_by_peer(client: &mut std::net::TcpStream) -> bool {
    use std::io::Read;
    match client.read(&mut [0u8; 16]) {
        Ok(0) => true,
        Ok(n) => panic!("the server sent {n} bytes"),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => true,
        Err(e) => panic!("reading from the server failed: {e}"),
    }
}

#[tokio::test(start_paused = true)]
async fn silent_tls_client_is_dropped_at_the_default_handshake_timeout() {
    assert_eq!(DEFAULT_HANDSHAKE_TIMEOUT, Duration::from_secs(30));
    let options = ServerOptions {
        tls: Some(certs::server_options().server_config().unwrap()),
        ..ServerOptions::default()
    };
    assert_eq!(options.handshake_timeout, DEFAULT_HANDSHAKE_TIMEOUT);
    let server = TcpServer::with_options(handler_fn(|_, _| async { Ok(()) }), options);
    let (listener, addr) = bind_unused_port();
    server.add_socket(listener).unwrap();
    // A current-thread runtime: its count of live tasks is exact. The
    // connection's task lives while the handshake waits.
    let metrics = tokio::runtime::Handle::current().metrics();
    let serving = metrics.num_alive_tasks();
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    client.set_nonblocking(true).unwrap();
    wait_in_real_time(|| metrics.num_alive_tasks() > serving).await;
    // The connection's task starts its handshake timer.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }

    tokio::time::sleep(DEFAULT_HANDSHAKE_TIMEOUT - Duration::from_millis(1)).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(
        metrics.num_alive_tasks() > serving,
        "the handshake was given up early"
    );
    assert!(!closed_by_peer(&mut client), "closed before the timeout");

    tokio::time::sleep(Duration::from_millis(1)).await;
    wait_in_real_time(|| metrics.num_alive_tasks() == serving).await;
    wait_in_real_time(|| closed_by_peer(&mut client)).await;
    server.stop();
}

#[tokio::test]
async fn handshake_timeout_leaves_no_task_behind() {
    // A current-thread runtime: its count of live tasks is exact.
    let metrics = tokio::runtime::Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    let (server, addr, _calls) = tls_echo_server(Duration::from_millis(200));
    let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(10), client.read(&mut buf))
        .await
        .expect("the silent client was never dropped");
    assert_eq!(read.unwrap(), 0, "the server sent something");
    server.stop();
    let mut alive = metrics.num_alive_tasks();
    for _ in 0..500 {
        if alive == before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        alive = metrics.num_alive_tasks();
    }
    assert_eq!(
        alive, before,
        "tasks left behind by the timed-out handshake"
    );
}

// ---------------------------------------------------------------------------
// Unix-domain sockets, served as Tornado serves `bind_unix_socket`'s.
// ---------------------------------------------------------------------------

/// A fresh socket path in the temporary directory (removed if left over).
fn socket_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "supercell-tcpserver-{}-{name}.sock",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

/// `echo_server` on a Unix socket at a fresh path.
fn unix_echo_server(
    name: &str,
    handshake_timeout: Option<Duration>,
) -> (TcpServer, PathBuf, mpsc::UnboundedReceiver<PeerAddress>) {
    let path = socket_path(name);
    let (server, calls) = echo_server(handshake_timeout);
    server
        .add_socket(bind_unix_socket(&path, DEFAULT_UNIX_SOCKET_MODE, None).unwrap())
        .unwrap();
    (server, path, calls)
}

async fn connect_unix(path: &Path) -> IoStream {
    IoStream::from_unix(tokio::net::UnixStream::connect(path).await.unwrap())
}

/// Sends a line on `client` and checks it comes back.
async fn assert_echo(client: &IoStream) {
    client.write(&b"ping\n"[..]).await.unwrap();
    assert_eq!(
        &client.read_until(b"\n", None).await.unwrap()[..],
        b"ping\n"
    );
}

#[tokio::test]
async fn serves_a_unix_socket() {
    let (server, path, mut calls) = unix_echo_server("plain", None);
    let client = connect_unix(&path).await;
    assert_echo(&client).await;
    assert_eq!(calls.recv().await, Some(PeerAddress::Unix));
    server.stop();
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn serves_tls_over_a_unix_socket() {
    let (logs, _guard) = Logs::capture();
    let (server, path, mut calls) = unix_echo_server("tls", Some(Duration::from_secs(30)));
    let client = connect_unix(&path)
        .await
        .start_tls(certs::client_config(), Some("localhost"))
        .await
        .unwrap();
    assert_echo(&client).await;
    assert_eq!(calls.recv().await, Some(PeerAddress::Unix));

    // A plain-text client over the socket is refused with one warning.
    let plain = connect_unix(&path).await;
    plain.write(&b"GET / HTTP/1.0\r\n\r\n"[..]).await.unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(10), plain.read_until_close()).await;
    assert!(closed.is_ok(), "the plain-text client was kept");
    server.stop();
    let warnings = warnings(&logs);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("unix:"), "{warnings:?}");
    assert!(
        calls.try_recv().is_err(),
        "the plain-text client was handled"
    );
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn stop_closes_a_unix_listener_and_leaves_its_file() {
    let (server, path, mut calls) = unix_echo_server("stop", None);
    let client = connect_unix(&path).await;
    assert_eq!(calls.recv().await, Some(PeerAddress::Unix));
    server.stop();
    // The socket file stays, as in Tornado; nobody listens on it...
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_socket()
    );
    let refused = tokio::net::UnixStream::connect(&path).await.unwrap_err();
    assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
    // ...connections already accepted go on...
    assert_echo(&client).await;
    // ...and binding the path again replaces the stale file.
    let (again, _calls) = echo_server(None);
    again
        .add_socket(bind_unix_socket(&path, DEFAULT_UNIX_SOCKET_MODE, None).unwrap())
        .unwrap();
    assert_echo(&connect_unix(&path).await).await;
    again.stop();
    std::fs::remove_file(&path).unwrap();
}
