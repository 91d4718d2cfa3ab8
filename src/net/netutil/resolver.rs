//! Asynchronous name resolution: the [`Resolver`] trait and
//! [`DefaultResolver`].

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::sync::Arc;

use super::AddressFamily;
use crate::concurrent::ExecutorError;
use crate::ioloop::IoLoop;

/// The future a [`Resolver`] returns.
pub type ResolveFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<SocketAddr>, ResolveError>> + Send + 'a>>;

/// Why a host name could not be resolved (Tornado raises `IOError`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ResolveError {
    /// The system resolver failed (unknown name, no network, ...).
    #[error("cannot resolve {host:?}: {source}")]
    Lookup {
        /// The name that was looked up.
        host: String,
        /// The resolver's error.
        source: Arc<io::Error>,
    },
    /// The name resolved, but to no address of the wanted family.
    #[error("{host:?} has no {family:?} address")]
    NoAddresses {
        /// The name that was looked up.
        host: String,
        /// The family asked for.
        family: AddressFamily,
    },
    /// The resolver was polled outside any tokio runtime: there is no
    /// executor to run the lookup on.
    #[error("cannot resolve {host:?}: no tokio runtime to run the lookup on")]
    NoRuntime {
        /// The name that was looked up.
        host: String,
    },
    /// The blocking lookup never produced an answer.
    #[error("resolving {host:?} failed: {source}")]
    Executor {
        /// The name that was looked up.
        host: String,
        /// What happened to the lookup.
        source: ExecutorError,
    },
}

impl ResolveError {
    /// The host name that failed to resolve.
    pub fn host(&self) -> &str {
        match self {
            ResolveError::Lookup { host, .. }
            | ResolveError::NoAddresses { host, .. }
            | ResolveError::NoRuntime { host }
            | ResolveError::Executor { host, .. } => host,
        }
    }
}

impl From<ResolveError> for io::Error {
    fn from(error: ResolveError) -> io::Error {
        let kind = match &error {
            ResolveError::Lookup { source, .. } => source.kind(),
            ResolveError::NoAddresses { .. } => io::ErrorKind::AddrNotAvailable,
            ResolveError::NoRuntime { .. } | ResolveError::Executor { .. } => io::ErrorKind::Other,
        };
        io::Error::new(kind, error)
    }
}

/// Asynchronous DNS resolution (Tornado's `Resolver`). Object safe: code
/// that takes any resolver holds an `Arc<dyn Resolver>`.
pub trait Resolver: Send + Sync + 'static {
    /// Resolves `host` (a name or an IP literal) to the socket addresses of
    /// `port`, limited to `family`. The answer is never empty: no address is
    /// a [`ResolveError`].
    fn resolve<'a>(&'a self, host: &'a str, port: u16, family: AddressFamily) -> ResolveFuture<'a>;
}

impl<R: Resolver + ?Sized> Resolver for Arc<R> {
    fn resolve<'a>(&'a self, host: &'a str, port: u16, family: AddressFamily) -> ResolveFuture<'a> {
        (**self).resolve(host, port, family)
    }
}

impl<R: Resolver + ?Sized> Resolver for Box<R> {
    fn resolve<'a>(&'a self, host: &'a str, port: u16, family: AddressFamily) -> ResolveFuture<'a> {
        (**self).resolve(host, port, family)
    }
}

/// The system resolver (`getaddrinfo`) run on the current loop's executor,
/// by default tokio's blocking pool (Tornado's `DefaultExecutorResolver`).
///
/// Addresses come in the order the system gives them, filtered to the
/// wanted family. IP literals (`127.0.0.1`, `::1`) are answered at once,
/// with no lookup and no executor job (the family filter still applies).
/// Tornado's
/// `BlockingResolver` and `ThreadedResolver` have no counterpart: blocking
/// the event loop is never wanted, and the loop's executor is already the
/// one shared thread pool (replace it with
/// [`IoLoop::set_default_executor`] to bound or isolate lookups).
///
/// A name must be resolved inside a tokio runtime; outside one, its lookup
/// fails with [`ResolveError::NoRuntime`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultResolver;

impl Resolver for DefaultResolver {
    fn resolve<'a>(&'a self, host: &'a str, port: u16, family: AddressFamily) -> ResolveFuture<'a> {
        Box::pin(async move {
            if let Ok(ip) = host.parse::<IpAddr>() {
                return of_family(host, vec![SocketAddr::new(ip, port)], family);
            }
            let Some(io_loop) = IoLoop::try_current() else {
                return Err(ResolveError::NoRuntime {
                    host: host.to_owned(),
                });
            };
            let name = host.to_owned();
            let looked_up = io_loop
                .run_in_executor(None, move || {
                    (name.as_str(), port)
                        .to_socket_addrs()
                        .map(Iterator::collect::<Vec<_>>)
                })
                .await;
            let addrs = match looked_up {
                Ok(Ok(addrs)) => addrs,
                Ok(Err(source)) => {
                    return Err(ResolveError::Lookup {
                        host: host.to_owned(),
                        source: Arc::new(source),
                    });
                }
                Err(source) => {
                    return Err(ResolveError::Executor {
                        host: host.to_owned(),
                        source,
                    });
                }
            };
            of_family(host, addrs, family)
        })
    }
}

/// Keeps the addresses of `family`, in order; none left is an error.
fn of_family(
    host: &str,
    addrs: Vec<SocketAddr>,
    family: AddressFamily,
) -> Result<Vec<SocketAddr>, ResolveError> {
    let kept: Vec<SocketAddr> = addrs.into_iter().filter(|a| family.matches(a)).collect();
    if kept.is_empty() {
        return Err(ResolveError::NoAddresses {
            host: host.to_owned(),
            family,
        });
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filtering_keeps_order_and_refuses_empty() {
        let addrs: Vec<SocketAddr> = vec![
            "[::1]:1".parse().unwrap(),
            "127.0.0.2:1".parse().unwrap(),
            "127.0.0.1:1".parse().unwrap(),
        ];
        let v4 = of_family("h", addrs.clone(), AddressFamily::Inet).unwrap();
        assert_eq!(v4, addrs[1..].to_vec());
        assert_eq!(
            of_family("h", addrs.clone(), AddressFamily::Unspec).unwrap(),
            addrs
        );
        let err = of_family("h", addrs[1..].to_vec(), AddressFamily::Inet6).unwrap_err();
        assert_eq!(err.host(), "h");
        assert_eq!(io::Error::from(err).kind(), io::ErrorKind::AddrNotAvailable);
    }
}
