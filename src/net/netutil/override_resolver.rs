//! Local DNS overrides: [`OverrideResolver`].

use std::collections::HashMap;

use super::{AddressFamily, ResolveFuture, Resolver};

/// What an [`OverrideResolver`] entry matches. Host names match exactly as
/// written (no case folding).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OverrideKey {
    /// Any lookup of this host.
    Host(String),
    /// Lookups of this host and port.
    HostPort(String, u16),
    /// Lookups of this host and port for exactly this family
    /// ([`AddressFamily::Unspec`] matches only lookups made with `Unspec`).
    HostPortFamily(String, u16, AddressFamily),
}

impl From<&str> for OverrideKey {
    fn from(host: &str) -> Self {
        OverrideKey::Host(host.to_owned())
    }
}

impl From<(&str, u16)> for OverrideKey {
    fn from((host, port): (&str, u16)) -> Self {
        OverrideKey::HostPort(host.to_owned(), port)
    }
}

impl From<(&str, u16, AddressFamily)> for OverrideKey {
    fn from((host, port, family): (&str, u16, AddressFamily)) -> Self {
        OverrideKey::HostPortFamily(host.to_owned(), port, family)
    }
}

/// What an [`OverrideResolver`] looks up instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideTarget {
    /// The host (name or IP literal) resolved instead.
    pub host: String,
    /// The port used instead; `None` keeps the requested one.
    pub port: Option<u16>,
}

impl From<&str> for OverrideTarget {
    fn from(host: &str) -> Self {
        OverrideTarget {
            host: host.to_owned(),
            port: None,
        }
    }
}

impl From<(&str, u16)> for OverrideTarget {
    fn from((host, port): (&str, u16)) -> Self {
        OverrideTarget {
            host: host.to_owned(),
            port: Some(port),
        }
    }
}

/// Wraps a resolver with a table of overrides (Tornado's
/// `OverrideResolver`): local DNS changes, for tests for example, without
/// touching the system's settings.
///
/// A lookup of `(host, port, family)` uses the entry for
/// [`HostPortFamily`](OverrideKey::HostPortFamily) if there is one, else
/// the one for [`HostPort`](OverrideKey::HostPort), else the one for
/// [`Host`](OverrideKey::Host); the wrapped resolver then resolves the
/// target. One replacement is made, never a chain. Unmatched lookups pass
/// through unchanged.
///
/// ```
/// use supercell::netutil::{
///     AddressFamily, DefaultResolver, OverrideKey, OverrideResolver, OverrideTarget, Resolver,
/// };
///
/// let mapping = [(OverrideKey::from("example.com"), OverrideTarget::from("127.0.1.1"))];
/// let resolver = OverrideResolver::new(DefaultResolver, mapping)
///     .with_override(("login.example.com", 443), ("localhost", 1443))
///     .with_override(("login.example.com", 443, AddressFamily::Inet6), ("::1", 1443));
/// let rt = tokio::runtime::Runtime::new().unwrap();
/// let addrs = rt.block_on(resolver.resolve("login.example.com", 443, AddressFamily::Inet6)).unwrap();
/// assert_eq!(addrs, vec!["[::1]:1443".parse().unwrap()]);
/// ```
pub struct OverrideResolver {
    resolver: Box<dyn Resolver>,
    mapping: HashMap<OverrideKey, OverrideTarget>,
}

impl OverrideResolver {
    /// Wraps `resolver` with the overrides in `mapping`.
    pub fn new(
        resolver: impl Resolver,
        mapping: impl IntoIterator<Item = (OverrideKey, OverrideTarget)>,
    ) -> Self {
        OverrideResolver {
            resolver: Box::new(resolver),
            mapping: mapping.into_iter().collect(),
        }
    }

    /// Adds (or replaces) the override of `key`.
    pub fn with_override(
        mut self,
        key: impl Into<OverrideKey>,
        target: impl Into<OverrideTarget>,
    ) -> Self {
        self.mapping.insert(key.into(), target.into());
        self
    }

    /// The host and port to look up instead of `host` and `port`.
    fn target<'a>(&'a self, host: &'a str, port: u16, family: AddressFamily) -> (&'a str, u16) {
        let keys = [
            OverrideKey::HostPortFamily(host.to_owned(), port, family),
            OverrideKey::HostPort(host.to_owned(), port),
            OverrideKey::Host(host.to_owned()),
        ];
        keys.iter()
            .find_map(|key| self.mapping.get(key))
            .map_or((host, port), |t| (t.host.as_str(), t.port.unwrap_or(port)))
    }
}

impl Resolver for OverrideResolver {
    fn resolve<'a>(&'a self, host: &'a str, port: u16, family: AddressFamily) -> ResolveFuture<'a> {
        let (host, port) = self.target(host, port, family);
        self.resolver.resolve(host, port, family)
    }
}

impl std::fmt::Debug for OverrideResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OverrideResolver")
            .field("mapping", &self.mapping)
            .finish_non_exhaustive()
    }
}
