//! Keep-alive connections kept between requests, per origin and
//! connection settings.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, Weak};
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
        // The host lowercased byte by byte (no allocation per lookup),
        // ended as a `str` hash is.
        for byte in self.host.bytes() {
            state.write_u8(byte.to_ascii_lowercase());
        }
        state.write_u8(0xff);
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

/// The idle connections, and whether a sweeper task watches them.
#[derive(Default)]
struct IdleSet {
    by_key: HashMap<PoolKey, Vec<Idle>>,
    sweeping: bool,
}

/// What the pool shares with its sweeper task and with the close
/// callbacks of its idle streams (both hold it weakly).
struct Shared {
    idle: Mutex<IdleSet>,
    max_idle_per_host: usize,
    idle_timeout: Duration,
}

/// Idle keep-alive connections. A connection waits here with a close
/// callback set, so that the stream notices when the server closes it
/// and its entry is removed then. A sweeper task (one per pool, running
/// while the pool holds connections) closes and removes each connection
/// when it has been idle for `idle_timeout`. Neither the task nor the
/// callbacks keep the pool alive: dropping the pool (with its client)
/// closes its connections, and the task ends at its next wake-up.
pub(crate) struct Pool {
    shared: Arc<Shared>,
}

impl Shared {
    fn usable(&self, idle: &Idle, now: Instant) -> bool {
        !idle.stream.closed() && now.saturating_duration_since(idle.since) < self.idle_timeout
    }

    /// When a connection idle since `since` expires (`None`: never, the
    /// timeout is too large to be reached).
    fn expiry(&self, since: Instant) -> Option<Instant> {
        since.checked_add(self.idle_timeout)
    }

    /// Closes and removes the closed and expired connections, and drops
    /// the keys left empty. The earliest expiry among the connections
    /// left, if any; when there is none the sweeper stops (the flag is
    /// cleared under the lock, so a later checkin starts a new one).
    fn sweep(&self) -> Option<Instant> {
        let now = Instant::now();
        let mut expired = Vec::new();
        let next = {
            let mut set = self.idle.lock().ok()?;
            set.by_key.retain(|_, list| {
                let (keep, gone): (Vec<Idle>, Vec<Idle>) =
                    list.drain(..).partition(|entry| self.usable(entry, now));
                *list = keep;
                expired.extend(gone);
                !list.is_empty()
            });
            let next = set
                .by_key
                .values()
                .flatten()
                .filter_map(|entry| self.expiry(entry.since))
                .min();
            if next.is_none() {
                set.sweeping = false;
            }
            next
        };
        close(expired);
        next
    }

    /// Removes the closed connections of `key` (the close callback of an
    /// idle stream).
    fn remove_closed(&self, key: &PoolKey) {
        let Ok(mut set) = self.idle.lock() else {
            return;
        };
        if let Some(list) = set.by_key.get_mut(key) {
            list.retain(|entry| !entry.stream.closed());
            if list.is_empty() {
                set.by_key.remove(key);
            }
        }
    }

    /// Closes every idle connection.
    fn close_all(&self) {
        let drained: Vec<Idle> = match self.idle.lock() {
            Ok(mut set) => set.by_key.drain().flat_map(|(_, list)| list).collect(),
            Err(_) => return,
        };
        close(drained);
    }
}

/// Closes the streams of `entries` (never under the pool's lock).
fn close(entries: Vec<Idle>) {
    for entry in entries {
        entry.stream.close();
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.close_all();
    }
}

/// The sweeper of a pool: sleeps until the earliest expiry, sweeps, and
/// ends when the pool is empty or gone.
async fn sweeper(pool: Weak<Shared>, mut next: Instant) {
    loop {
        tokio::time::sleep_until(next).await;
        let Some(shared) = pool.upgrade() else {
            return;
        };
        match shared.sweep() {
            Some(at) => next = at,
            None => return,
        }
    }
}

impl Pool {
    pub(crate) fn new(max_idle_per_host: usize, idle_timeout: Duration) -> Pool {
        Pool {
            shared: Arc::new(Shared {
                idle: Mutex::new(IdleSet::default()),
                max_idle_per_host,
                idle_timeout,
            }),
        }
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
        let mut stale = Vec::new();
        let found = {
            let mut set = self.shared.idle.lock().ok()?;
            let list = set.by_key.get_mut(key)?;
            let found = loop {
                match list.pop() {
                    None => break None,
                    Some(entry) if self.shared.usable(&entry, now) => break Some(entry.stream),
                    Some(entry) => stale.push(entry),
                }
            };
            if list.is_empty() {
                set.by_key.remove(key);
            }
            found
        };
        // Closed outside the lock: without a runtime a close callback
        // runs at once, and it takes the lock.
        close(stale);
        found
    }

    /// Keeps `stream` for a later request to `key` (or closes it when
    /// `key` has `max_idle_per_host` idle connections already), and
    /// starts the sweeper if it is not running.
    pub(crate) fn checkin(&self, key: PoolKey, stream: IoStream) {
        let shared = &self.shared;
        if shared.max_idle_per_host == 0 || stream.closed() {
            stream.close();
            return;
        }
        let weak = Arc::downgrade(shared);
        let callback_key = key.clone();
        let watched = stream.clone();
        let now = Instant::now();
        let mut stale = Vec::new();
        {
            let Ok(mut set) = shared.idle.lock() else {
                stream.close();
                return;
            };
            let list = set.by_key.entry(key).or_default();
            let (keep, gone): (Vec<Idle>, Vec<Idle>) =
                list.drain(..).partition(|entry| shared.usable(entry, now));
            *list = keep;
            stale.extend(gone);
            if list.len() >= shared.max_idle_per_host {
                stale.push(list.remove(0));
            }
            list.push(Idle { stream, since: now });
            if !set.sweeping
                && let Some(at) = shared.expiry(now)
                && let Ok(runtime) = tokio::runtime::Handle::try_current()
            {
                set.sweeping = true;
                runtime.spawn(sweeper(Arc::downgrade(shared), at));
            }
        }
        close(stale);
        // Set once the entry is in: a stream closed by now runs it at
        // once, which removes the entry.
        watched.set_close_callback(Some(Box::new(move || {
            if let Some(shared) = weak.upgrade() {
                shared.remove_closed(&callback_key);
            }
        })));
    }

    /// How many idle connections are kept.
    pub(crate) fn idle_count(&self) -> usize {
        self.shared
            .idle
            .lock()
            .map(|set| set.by_key.values().map(Vec::len).sum())
            .unwrap_or(0)
    }

    /// Closes every idle connection.
    pub(crate) fn close(&self) {
        self.shared.close_all();
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

    #[test]
    fn keys_differing_only_in_host_case_are_one_key() {
        use std::hash::BuildHasher;
        let hasher = std::collections::hash_map::RandomState::new();
        let mut upper = key(80);
        upper.host = "LocalHost".into();
        let mut lower = key(80);
        lower.host = "localhost".into();
        assert_eq!(upper, lower);
        assert_eq!(hasher.hash_one(&upper), hasher.hash_one(&lower));
        lower.host = "localhost.".into();
        assert_ne!(hasher.hash_one(&upper), hasher.hash_one(&lower));
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

    #[tokio::test(start_paused = true)]
    async fn the_sweeper_closes_expired_connections_and_stops_when_empty() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let first = IoStream::connect(addr).await.unwrap();
        let second = IoStream::connect(addr).await.unwrap();
        let pool = Pool::new(4, Duration::from_millis(100));
        pool.checkin(key(addr.port()), first.clone());
        tokio::time::sleep(Duration::from_millis(60)).await;
        pool.checkin(key(addr.port()), second.clone());
        assert!(pool.shared.idle.lock().unwrap().sweeping);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(first.closed() && !second.closed());
        assert_eq!(pool.idle_count(), 1);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(second.closed());
        let set = pool.shared.idle.lock().unwrap();
        assert!(set.by_key.is_empty() && !set.sweeping);
    }

    #[tokio::test]
    async fn dropping_the_pool_closes_its_connections() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stream = IoStream::connect(addr).await.unwrap();
        let pool = Pool::new(4, Duration::from_secs(60));
        pool.checkin(key(addr.port()), stream.clone());
        let sweeper = Arc::downgrade(&pool.shared);
        drop(pool);
        assert!(stream.closed());
        assert!(sweeper.upgrade().is_none());
    }
}
