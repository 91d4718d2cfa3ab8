//! Opening a new connection for a request, timing its phases.

use std::sync::{Arc, Mutex};

use tokio::time::Instant;

use super::error::FetchError;
use super::pool::PoolKey;
use super::time_info::Timer;
use crate::iostream::IoStream;
use crate::netutil::{AddressFamily, ResolveFuture, Resolver, TlsConfig};
use crate::tcpclient::{ConnectError, ConnectOptions, TcpClient};

/// A resolver noting when its lookup ended (curl's `namelookup`).
struct TimedResolver {
    inner: Arc<dyn Resolver>,
    resolved: Arc<Mutex<Option<Instant>>>,
}

impl Resolver for TimedResolver {
    fn resolve<'a>(&'a self, host: &'a str, port: u16, family: AddressFamily) -> ResolveFuture<'a> {
        Box::pin(async move {
            let addresses = self.inner.resolve(host, port, family).await;
            if let Ok(mut resolved) = self.resolved.lock() {
                *resolved = Some(Instant::now());
            }
            addresses
        })
    }
}

/// Connects to the origin of `key` (TLS included), with `resolver`; the
/// phases go into `timer`.
pub(crate) async fn connect(
    resolver: &Arc<dyn Resolver>,
    key: &PoolKey,
    max_buffer_size: usize,
    timer: &mut Timer,
) -> Result<IoStream, FetchError> {
    let resolved = Arc::new(Mutex::new(None));
    let client = TcpClient::new(Some(Arc::new(TimedResolver {
        inner: resolver.clone(),
        resolved: resolved.clone(),
    })));
    let options = ConnectOptions {
        family: key.family,
        max_buffer_size: Some(max_buffer_size),
        source_ip: key.source_ip,
        ..ConnectOptions::default()
    };
    let connected = client.connect(&key.host, key.port, options).await;
    timer.namelookup = resolved.lock().ok().and_then(|at| *at);
    let stream = connected.map_err(|error| FetchError::Connect(Arc::new(error)))?;
    timer.connect = Some(Instant::now());
    // As Tornado's client: requests are small writes followed by a wait.
    let _ = stream.set_nodelay(true);
    let Some(config) = &key.tls else {
        return Ok(stream);
    };
    let stream = stream
        .start_tls(TlsConfig::Client(config.clone()), Some(&key.host))
        .await
        .map_err(|failed| FetchError::Connect(Arc::new(ConnectError::Tls(failed.into()))))?;
    timer.appconnect = Some(Instant::now());
    Ok(stream)
}
