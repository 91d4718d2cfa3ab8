//! Keep-alive connections kept between requests, per origin and
//! connection settings.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt;
use tokio::time::Instant;

use crate::iostream::IoStream;
use crate::netutil::AddressFamily;

/// What a pooled connection must match to serve a request: the origin
/// (scheme, host, port) and the settings the connection was made with.
#[derive(Clone, Debug)]
pub(crate) struct PoolKey {
    pub(crate) host: String,
    pub(crate) port: u16,
    /// The TLS configuration of an `https` connection (`None`: plain
    /// HTTP), compared by identity.
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
    pub(crate) source_ip: Option<IpAddr>,
    pub(crate) family: AddressFamily,
}

impl PoolKey {
    fn tls_id(&self) -> Option<usize> {
        self.tls.as_ref().map(|config| Arc::as_ptr(config) as usize)
    }
}

impl PartialEq for PoolKey {
    fn eq(&self, other: &Self) -> bool {
        self.host.eq_ignore_ascii_case(&other.host)
            && self.port == other.port
            && self.tls_id() == other.tls_id()
            && self.source_ip == other.source_ip
            && self.family == other.family
    }
}

impl Eq for PoolKey {}

impl Hash for PoolKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.host.to_ascii_lowercase().hash(state);
        self.port.hash(state);
        self.tls_id().hash(state);
        self.source_ip.hash(state);
        self.family.hash(state);
    }
}

struct Idle {
    stream: IoStream,
    since: Instant,
}

/// Idle keep-alive connections. A connection waits here with a close
/// callback set, so that the stream notices when the server closes it;
/// closed and expired connections are never handed out.
pub(crate) struct Pool {
    idle: Mutex<HashMap<PoolKey, Vec<Idle>>>,
    max_idle_per_host: usize,
    idle_timeout: Duration,
}

impl Pool {
    pub(crate) fn new(max_idle_per_host: usize, idle_timeout: Duration) -> Pool {
        Pool {
            idle: Mutex::new(HashMap::new()),
            max_idle_per_host,
            idle_timeout,
        }
    }

    fn usable(&self, idle: &Idle, now: Instant) -> bool {
        !idle.stream.closed() && now.saturating_duration_since(idle.since) < self.idle_timeout
    }

    /// The most recently used open connection for `key`, if any. A
    /// connection on which the server sent something while it was idle
    /// (a stray response, a close) is closed instead: nothing may come
    /// before the response to the next request.
    pub(crate) fn checkout(&self, key: &PoolKey) -> Option<IoStream> {
        loop {
            let stream = self.pop(key)?;
            stream.set_close_callback(None);
            match stream.read_bytes(1, true).now_or_never() {
                None => return Some(stream),
                Some(_) => stream.close(),
            }
        }
    }

    /// Takes the most recent usable idle connection of `key`, closing the
    /// closed and expired ones met on the way.
    fn pop(&self, key: &PoolKey) -> Option<IoStream> {
        let now = Instant::now();
        let mut idle = self.idle.lock().ok()?;
        let list = idle.get_mut(key)?;
        let found = loop {
            match list.pop() {
                None => break None,
                Some(entry) if self.usable(&entry, now) => break Some(entry.stream),
                Some(entry) => entry.stream.close(),
            }
        };
        if list.is_empty() {
            idle.remove(key);
        }
        found
    }

    /// Keeps `stream` for a later request to `key` (or closes it when
    /// `key` has `max_idle_per_host` idle connections already).
    pub(crate) fn checkin(&self, key: PoolKey, stream: IoStream) {
        if self.max_idle_per_host == 0 || stream.closed() {
            stream.close();
            return;
        }
        stream.set_close_callback(Some(Box::new(|| {})));
        let now = Instant::now();
        let Ok(mut idle) = self.idle.lock() else {
            stream.close();
            return;
        };
        let list = idle.entry(key).or_default();
        list.retain(|entry| {
            let keep = self.usable(entry, now);
            if !keep {
                entry.stream.close();
            }
            keep
        });
        if list.len() >= self.max_idle_per_host {
            list.remove(0).stream.close();
        }
        list.push(Idle { stream, since: now });
    }

    /// How many idle connections are kept.
    pub(crate) fn idle_count(&self) -> usize {
        self.idle
            .lock()
            .map(|idle| idle.values().map(Vec::len).sum())
            .unwrap_or(0)
    }

    /// Closes every idle connection.
    pub(crate) fn close(&self) {
        let drained: Vec<Idle> = match self.idle.lock() {
            Ok(mut idle) => idle.drain().flat_map(|(_, list)| list).collect(),
            Err(_) => return,
        };
        for entry in drained {
            entry.stream.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    fn key(port: u16) -> PoolKey {
        PoolKey {
            host: "127.0.0.1".into(),
            port,
            tls: None,
            source_ip: None,
            family: AddressFamily::Unspec,
        }
    }

    #[tokio::test]
    async fn keeps_open_connections_per_key_and_drops_closed_ones() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accept = tokio::spawn(async move {
            let (a, _) = listener.accept().await.unwrap();
            let (b, _) = listener.accept().await.unwrap();
            (a, b)
        });
        let first = IoStream::connect(addr).await.unwrap();
        let second = IoStream::connect(addr).await.unwrap();
        let (_server_a, server_b) = accept.await.unwrap();
        let pool = Pool::new(4, Duration::from_secs(60));
        pool.checkin(key(addr.port()), first.clone());
        pool.checkin(key(addr.port()), second.clone());
        assert_eq!(pool.idle_count(), 2);
        assert!(pool.checkout(&key(1)).is_none());

        // The server closes the second connection: the idle stream notices.
        drop(server_b);
        let deadline = Instant::now() + Duration::from_secs(5);
        while !second.closed() {
            assert!(Instant::now() < deadline, "the close was never noticed");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let reused = pool.checkout(&key(addr.port())).unwrap();
        assert_eq!(reused.local_addr(), first.local_addr());
        assert_eq!(pool.idle_count(), 0);
        pool.checkin(key(addr.port()), reused);
        pool.close();
        assert_eq!(pool.idle_count(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn expired_connections_are_not_handed_out() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stream = IoStream::connect(addr).await.unwrap();
        let pool = Pool::new(4, Duration::from_secs(60));
        pool.checkin(key(addr.port()), stream.clone());
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(pool.checkout(&key(addr.port())).is_none());
        assert!(stream.closed());
    }
}
