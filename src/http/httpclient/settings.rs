//! [`ClientSettings`]: the settings of an [`AsyncHttpClient`](super::AsyncHttpClient)
//! (the keyword arguments of Tornado's `SimpleAsyncHTTPClient`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::request::RequestDefaults;
use crate::http1::codec::{DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_HEADER_SIZE};
use crate::netutil::{OverrideKey, OverrideTarget, Resolver};

/// How many requests run at once by default: 10.
pub const DEFAULT_MAX_CLIENTS: usize = 10;

/// The default read buffer limit of a connection: 100 MiB.
pub const DEFAULT_MAX_BUFFER_SIZE: usize = 100 * 1024 * 1024;

/// How long an idle keep-alive connection is kept by default: 60 s.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The settings of an [`AsyncHttpClient`](super::AsyncHttpClient).
/// [`Default`] holds Tornado's values plus keep-alive pooling.
///
/// ```
/// use supercell::httpclient::{ClientSettings, RequestDefaults};
///
/// let settings = ClientSettings {
///     max_clients: 2,
///     defaults: RequestDefaults { user_agent: Some("bot/1.0".into()), ..Default::default() },
///     ..ClientSettings::default()
/// };
/// assert_eq!(settings.max_header_size, 64 * 1024);
/// ```
#[derive(Clone)]
pub struct ClientSettings {
    /// How many requests may be in progress at once; more wait in a queue
    /// (that wait counts against their timeouts). Default: 10.
    pub max_clients: usize,
    /// Host names (or host and port pairs) to resolve as others, for tests
    /// or local DNS changes (Tornado's `hostname_mapping`, through an
    /// [`OverrideResolver`](crate::netutil::OverrideResolver)). Default:
    /// none.
    pub hostname_mapping: Vec<(OverrideKey, OverrideTarget)>,
    /// The read buffer limit of each connection. Default: 100 MiB.
    pub max_buffer_size: usize,
    /// The resolver. Default: `None`, the
    /// [`DefaultResolver`](crate::netutil::DefaultResolver).
    pub resolver: Option<Arc<dyn Resolver>>,
    /// Values for the options requests leave unset. Default: Tornado's.
    pub defaults: RequestDefaults,
    /// The largest response head accepted. Default: 64 KiB.
    pub max_header_size: usize,
    /// The largest response body accepted, after decompression. Default:
    /// 100 MiB.
    pub max_body_size: u64,
    /// Keep connections open between requests to the same origin and
    /// reuse them. With `false`, every request says `Connection: close`,
    /// as Tornado's simple client does. Default: true.
    pub keep_alive: bool,
    /// How many idle connections are kept per origin. Default: 10.
    pub max_idle_per_host: usize,
    /// How long an idle connection is kept before it is closed. Default:
    /// 60 s.
    pub idle_timeout: Duration,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            max_clients: DEFAULT_MAX_CLIENTS,
            hostname_mapping: Vec::new(),
            max_buffer_size: DEFAULT_MAX_BUFFER_SIZE,
            resolver: None,
            defaults: RequestDefaults::default(),
            max_header_size: DEFAULT_MAX_HEADER_SIZE,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            keep_alive: true,
            max_idle_per_host: DEFAULT_MAX_CLIENTS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

impl fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSettings")
            .field("max_clients", &self.max_clients)
            .field("hostname_mapping", &self.hostname_mapping)
            .field("max_buffer_size", &self.max_buffer_size)
            .field("resolver", &self.resolver.as_ref().map(|_| "custom"))
            .field("defaults", &self.defaults)
            .field("max_header_size", &self.max_header_size)
            .field("max_body_size", &self.max_body_size)
            .field("keep_alive", &self.keep_alive)
            .field("max_idle_per_host", &self.max_idle_per_host)
            .field("idle_timeout", &self.idle_timeout)
            .finish()
    }
}
