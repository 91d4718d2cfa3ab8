//! [`AsyncHttpClient`] (Tornado's `AsyncHTTPClient` with the
//! `SimpleAsyncHTTPClient` implementation, plus keep-alive pooling).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use http::Method;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::callbacks::Callbacks;
use super::connect::connect;
use super::connection::Connection;
use super::error::{FetchError, HttpClientError};
use super::exchange::{Limits, Received, exchange};
use super::pool::{Pool, PoolKey};
use super::prepare::{Prepared, prepare};
use super::redirect::follow;
use super::request::{DEFAULT_MAX_REDIRECTS, DEFAULT_TIMEOUT, HttpRequest};
use super::response::HttpResponse;
use super::settings::ClientSettings;
use super::time_info::Timer;
use super::tls::TlsConfigs;
use super::url::Url;
use crate::r#gen::with_timeout;
use crate::netutil::{AddressFamily, DefaultResolver, OverrideResolver, Resolver};
use crate::util::log_target::GEN_LOG;

/// A non-blocking HTTP/1.1 client (Tornado's `AsyncHTTPClient`).
///
/// At most `max_clients` requests are in progress at once; others wait,
/// in order, for a slot (the wait counts against their timeouts).
/// Connections are kept open after a response that allows it and reused
/// by later requests to the same origin with the same connection settings
/// (beyond Tornado's simple client, which closes every connection).
///
/// Cheap to clone: clones share the queue, the pool and the settings.
/// Unlike Tornado there is no implicit instance per loop: create one and
/// pass it around. Pooled connections belong to the runtime that opened
/// them, so a client serves one runtime (as Tornado's serves one loop).
#[derive(Clone)]
pub struct AsyncHttpClient {
    inner: Arc<Inner>,
}

struct Inner {
    settings: ClientSettings,
    resolver: Arc<dyn Resolver>,
    slots: Arc<Semaphore>,
    queued: AtomicUsize,
    pool: Pool,
    tls: TlsConfigs,
    closed: AtomicBool,
}

/// Counts a request among the queued ones while it waits.
struct QueuedGuard<'a>(&'a AtomicUsize);

impl<'a> QueuedGuard<'a> {
    fn new(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        QueuedGuard(counter)
    }
}

impl Drop for QueuedGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A timeout of the request, `None` for "no limit" (zero).
fn limit(timeout: Option<Duration>) -> Option<Duration> {
    Some(timeout.unwrap_or(DEFAULT_TIMEOUT)).filter(|t| !t.is_zero())
}

/// The earlier of two optional deadlines.
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Runs `future` until `deadline`, if there is one; `timeout` otherwise.
async fn within<F: Future<Output = Result<T, FetchError>>, T>(
    deadline: Option<Instant>,
    timeout: FetchError,
    future: F,
) -> Result<T, FetchError> {
    match deadline {
        Some(at) => with_timeout(at, future).await.unwrap_or(Err(timeout)),
        None => future.await,
    }
}

/// The deadlines of one request (the first, or one following a redirect).
#[derive(Clone, Copy)]
struct Deadlines {
    connect: Option<Instant>,
    request: Option<Instant>,
}

impl Deadlines {
    fn from(start: Instant, request: &HttpRequest) -> Deadlines {
        Deadlines {
            connect: limit(request.connect_timeout).map(|t| start + t),
            request: limit(request.request_timeout).map(|t| start + t),
        }
    }

    /// The deadline of connecting (the earlier of the two) and the error
    /// of the one that expires first (connect on a tie).
    fn connect_phase(&self) -> (Option<Instant>, FetchError) {
        match (self.connect, self.request) {
            (Some(connect), Some(request)) if request < connect => {
                (Some(request), FetchError::RequestTimeout)
            }
            (None, Some(request)) => (Some(request), FetchError::RequestTimeout),
            (connect, _) => (connect, FetchError::ConnectTimeout),
        }
    }
}

impl AsyncHttpClient {
    /// A client with `settings`.
    pub fn new(settings: ClientSettings) -> AsyncHttpClient {
        let base: Arc<dyn Resolver> = settings
            .resolver
            .clone()
            .unwrap_or_else(|| Arc::new(DefaultResolver));
        let resolver: Arc<dyn Resolver> = if settings.hostname_mapping.is_empty() {
            base
        } else {
            Arc::new(OverrideResolver::new(
                base,
                settings.hostname_mapping.iter().cloned(),
            ))
        };
        AsyncHttpClient {
            inner: Arc::new(Inner {
                resolver,
                slots: Arc::new(Semaphore::new(settings.max_clients.max(1))),
                queued: AtomicUsize::new(0),
                pool: Pool::new(settings.max_idle_per_host, settings.idle_timeout),
                tls: TlsConfigs::default(),
                closed: AtomicBool::new(false),
                settings,
            }),
        }
    }

    /// The settings the client was made with.
    pub fn settings(&self) -> &ClientSettings {
        &self.inner.settings
    }

    /// How many requests may be in progress at once.
    pub fn max_clients(&self) -> usize {
        self.inner.settings.max_clients.max(1)
    }

    /// How many requests wait for a free slot.
    pub fn queued(&self) -> usize {
        self.inner.queued.load(Ordering::SeqCst)
    }

    /// How many requests are in progress.
    pub fn active(&self) -> usize {
        self.max_clients() - self.inner.slots.available_permits()
    }

    /// How many idle keep-alive connections the client holds.
    pub fn idle_connections(&self) -> usize {
        self.inner.pool.idle_count()
    }

    /// Fetches `request` (an [`HttpRequest`] or a URL): the response, or an
    /// [`HttpClientError`] when it failed or its code is not 2xx (Tornado's
    /// `fetch` with `raise_error=True`).
    pub async fn fetch(
        &self,
        request: impl Into<HttpRequest>,
    ) -> Result<HttpResponse, HttpClientError> {
        self.fetch_with(request, true).await
    }

    /// Fetches `request`. With `raise_error` false, every outcome is an
    /// `Ok` response: non-2xx responses, and the 599 responses of network
    /// errors and timeouts, with their [`error`](HttpResponse::error) set.
    /// Only a fetch on a closed client is always an `Err`.
    pub async fn fetch_with(
        &self,
        request: impl Into<HttpRequest>,
        raise_error: bool,
    ) -> Result<HttpResponse, HttpClientError> {
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(FetchError::ClientClosed.into());
        }
        let response = self.run(request.into()).await;
        if raise_error {
            response.rethrow()?;
        }
        Ok(response)
    }

    /// Closes the client: idle connections are closed, requests waiting
    /// for a slot and later fetches fail with
    /// [`FetchError::ClientClosed`]. Requests in progress finish. Closing
    /// twice does nothing.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        self.inner.slots.close();
        self.inner.pool.close();
    }

    /// Waits for a slot among `max_clients`, until `deadline`.
    async fn acquire_slot(
        &self,
        deadline: Option<Instant>,
    ) -> Result<OwnedSemaphorePermit, FetchError> {
        if let Ok(permit) = self.inner.slots.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let _queued = QueuedGuard::new(&self.inner.queued);
        tracing::debug!(
            target: GEN_LOG,
            "max_clients limit reached, request queued. {} active, {} queued requests.",
            self.active(),
            self.queued()
        );
        let slots = self.inner.slots.clone();
        within(deadline, FetchError::QueueTimeout, async move {
            slots
                .acquire_owned()
                .await
                .map_err(|_| FetchError::ClientClosed)
        })
        .await
    }

    /// The whole fetch: queue, requests and redirects. Always a response.
    async fn run(&self, original: HttpRequest) -> HttpResponse {
        let fetch_start = Instant::now();
        let mut request = original
            .clone()
            .with_defaults(&self.inner.settings.defaults);
        let mut deadlines = Deadlines::from(fetch_start, &request);
        let queue_deadline = earliest(deadlines.connect, deadlines.request);
        let _slot = match self.acquire_slot(queue_deadline).await {
            Ok(slot) => slot,
            Err(error) => {
                let mut response = HttpResponse::failed(original, error);
                response.request_time = fetch_start.elapsed();
                response.time_info.queue = response.request_time;
                response.time_info.total = response.request_time;
                return response;
            }
        };
        let queue_time = fetch_start.elapsed();
        loop {
            let mut timer = Timer::start();
            let result = self.send(&request, deadlines, &mut timer).await;
            // Only a redirect goes round again; every other outcome returns,
            // so `original` and `request.url` move into the response.
            let mut response = match result {
                Ok((
                    Received {
                        redirect: Some(location),
                        start_line,
                        ..
                    },
                    url,
                )) => match follow(&request, &url, start_line.code, &location) {
                    Ok(next) => {
                        request = next;
                        deadlines = Deadlines::from(Instant::now(), &request);
                        continue;
                    }
                    Err(error) => HttpResponse::failed(original, error),
                },
                Ok((received, _)) => {
                    let mut response = HttpResponse::new(original, received.start_line.code);
                    if response.error.is_some() {
                        response.error = Some(HttpClientError::with_message(
                            received.start_line.code,
                            received.start_line.reason.clone(),
                        ));
                    }
                    response.reason = received.start_line.reason.into_owned();
                    response.headers = received.headers;
                    response.body = received.body;
                    response
                }
                Err(error) => HttpResponse::failed(original, error),
            };
            let end = Instant::now();
            response.effective_url = request.url;
            response.request_time = end - fetch_start;
            response.time_info = timer.finish(fetch_start, queue_time, end);
            return response;
        }
    }

    /// Sends one request (no redirect followed): on a pooled connection
    /// if one fits, else on a new one. A request that fails on a reused
    /// connection before any byte of the response arrived is sent once
    /// more on a new connection when that is safe (see [`retry_fresh`]):
    /// the server may have closed the idle connection as the request went
    /// out.
    async fn send(
        &self,
        request: &HttpRequest,
        deadlines: Deadlines,
        timer: &mut Timer,
    ) -> Result<(Received, Url), FetchError> {
        let settings = &self.inner.settings;
        let url = Url::parse(&request.url).map_err(FetchError::InvalidRequest)?;
        let prepared = prepare(request, &url, settings.keep_alive)?;
        let key = PoolKey {
            host: url.host.clone(),
            port: url.port,
            tls: if url.tls {
                Some(self.inner.tls.config_for(request)?)
            } else {
                None
            },
            source_ip: request.network_interface,
            family: if request.allow_ipv6 == Some(false) {
                AddressFamily::Inet
            } else {
                AddressFamily::Unspec
            },
        };
        let callbacks = Callbacks {
            streaming: request.streaming_callback.clone(),
            header: request.header_callback.clone(),
        };
        let follow_redirects = request.follow_redirects.unwrap_or(true)
            && request.max_redirects.unwrap_or(DEFAULT_MAX_REDIRECTS) > 0;
        let mut retried = false;
        loop {
            let pooled = if retried {
                None
            } else {
                self.inner.pool.checkout(&key)
            };
            let mut conn = match pooled {
                Some(stream) => Connection::new(stream, true),
                None => {
                    let (deadline, timeout) = deadlines.connect_phase();
                    let connected = within(
                        deadline,
                        timeout,
                        connect(&self.inner.resolver, &key, settings.max_buffer_size, timer),
                    )
                    .await?;
                    Connection::new(connected, false)
                }
            };
            let limits = Limits {
                max_header_size: settings.max_header_size,
                max_body_size: settings.max_body_size,
            };
            let result = within(
                deadlines.request,
                FetchError::RequestTimeout,
                exchange(
                    &mut conn,
                    &prepared,
                    &callbacks,
                    follow_redirects,
                    limits,
                    timer,
                ),
            )
            .await;
            match result {
                Ok(received) => {
                    if received.reusable && !self.inner.closed.load(Ordering::SeqCst) {
                        self.inner.pool.checkin(key, conn.stream);
                    } else {
                        conn.stream.close();
                    }
                    return Ok((received, url));
                }
                Err(error) => {
                    conn.stream.close();
                    if !retried && retry_fresh(&conn, &prepared, &error) {
                        retried = true;
                        continue;
                    }
                    return Err(error);
                }
            }
        }
    }
}

/// The methods a request may be repeated with without changing the
/// outcome (RFC 9110 §9.2.2).
const IDEMPOTENT_METHODS: [Method; 6] = [
    Method::GET,
    Method::HEAD,
    Method::OPTIONS,
    Method::TRACE,
    Method::PUT,
    Method::DELETE,
];

/// Whether a request that failed with `error` on `conn` is sent again on
/// a new connection: it failed on a reused connection, with no byte of a
/// response received, its body can be sent again, and either its method
/// is idempotent or nothing of it was written (the connection was found
/// closed first). A `POST` the server may have received and acted on is
/// never sent twice.
fn retry_fresh(conn: &Connection, prepared: &Prepared, error: &FetchError) -> bool {
    conn.reused
        && !conn.received
        && prepared.replayable()
        && (!conn.sent || IDEMPOTENT_METHODS.contains(&prepared.start_line.method))
        && matches!(error, FetchError::ConnectionClosed | FetchError::Stream(_))
}

impl Default for AsyncHttpClient {
    /// A client with the default [`ClientSettings`].
    fn default() -> Self {
        AsyncHttpClient::new(ClientSettings::default())
    }
}

impl std::fmt::Debug for AsyncHttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncHttpClient")
            .field("max_clients", &self.max_clients())
            .field("active", &self.active())
            .field("queued", &self.queued())
            .field("idle_connections", &self.idle_connections())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iostream::IoStream;

    fn prepared(method: &str, body: Option<&str>) -> Prepared {
        let mut request = HttpRequest::new("http://127.0.0.1/").method(method);
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        prepare(&request, &Url::parse(&request.url).unwrap(), true).unwrap()
    }

    #[tokio::test]
    async fn only_idempotent_or_unsent_requests_are_sent_again() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = IoStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let closed = FetchError::ConnectionClosed;
        let mut conn = Connection::new(stream, true);
        conn.sent = true;
        for (method, body) in [("GET", None), ("DELETE", None), ("PUT", Some("x"))] {
            assert!(
                retry_fresh(&conn, &prepared(method, body), &closed),
                "{method}"
            );
        }
        for method in ["POST", "PATCH"] {
            assert!(!retry_fresh(&conn, &prepared(method, Some("x")), &closed));
        }
        assert!(!retry_fresh(
            &conn,
            &prepared("GET", None),
            &FetchError::RequestTimeout
        ));
        // Nothing written yet: any method may go again.
        conn.sent = false;
        assert!(retry_fresh(&conn, &prepared("POST", Some("x")), &closed));
        // Not after a response byte came, nor on a new connection.
        conn.received = true;
        assert!(!retry_fresh(&conn, &prepared("GET", None), &closed));
        conn.received = false;
        conn.reused = false;
        assert!(!retry_fresh(&conn, &prepared("GET", None), &closed));
    }

    #[test]
    fn the_connect_phase_reports_the_deadline_that_expires_first() {
        let now = Instant::now();
        let (soon, later) = (Some(now), Some(now + Duration::from_secs(1)));
        let phase = |connect, request| {
            let (at, error) = Deadlines { connect, request }.connect_phase();
            (at, error.to_string())
        };
        let connect = FetchError::ConnectTimeout.to_string();
        let request = FetchError::RequestTimeout.to_string();
        assert_eq!(phase(soon, later), (soon, connect.clone()));
        assert_eq!(phase(later, soon), (soon, request.clone()));
        assert_eq!(phase(soon, soon), (soon, connect.clone()));
        assert_eq!(phase(None, soon), (soon, request));
        assert_eq!(phase(soon, None), (soon, connect.clone()));
        assert_eq!(phase(None, None), (None, connect));
    }
}
