use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::time::{Instant, sleep, sleep_until};

use super::ConnectError;
use crate::util::TimeoutError;

/// How long the first address family gets on its own before the other
/// family is tried in parallel (Tornado's `_INITIAL_CONNECT_TIMEOUT`).
pub const INITIAL_CONNECT_TIMEOUT: Duration = Duration::from_millis(300);

/// The "Happy Eyeballs" connection algorithm of RFC 6555, as Tornado's
/// `_Connector`, over any function that connects to one address.
///
/// The addresses are split by family: the *primary* family is that of the
/// first address, the *secondary* holds the others. Primary addresses are
/// tried one at a time, in order. The secondary family starts after
/// [`INITIAL_CONNECT_TIMEOUT`], or at once when a primary attempt fails;
/// it too is tried one address at a time. So at most one attempt per family
/// is in flight.
///
/// The first attempt to succeed wins; every other attempt still in flight
/// is dropped, which closes its socket. When every address has failed, the
/// error of the last attempt is returned. A `deadline` bounds the whole
/// run: when it passes, every attempt is dropped and
/// [`ConnectError::Timeout`] returned.
pub struct Connector<F> {
    primary: Vec<SocketAddr>,
    secondary: Vec<SocketAddr>,
    connect: F,
}

/// Which family an attempt belongs to.
#[derive(Clone, Copy)]
enum Lane {
    Primary,
    Secondary,
}

impl<F, Fut, S> Connector<F>
where
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = Result<S, ConnectError>>,
{
    /// A connector over `addrs` (in the resolver's order) that makes each
    /// attempt with `connect`.
    pub fn new(addrs: impl IntoIterator<Item = SocketAddr>, connect: F) -> Self {
        let (primary, secondary) = split_by_family(addrs);
        Connector {
            primary,
            secondary,
            connect,
        }
    }

    /// Runs the algorithm: the address that won and what `connect` made of
    /// it, or the last attempt's error, or [`ConnectError::Timeout`] when
    /// `deadline` passes first. No addresses at all is
    /// [`ConnectError::NoAddresses`].
    pub async fn start(self, deadline: Option<Instant>) -> Result<(SocketAddr, S), ConnectError> {
        let Connector {
            primary,
            secondary,
            mut connect,
        } = self;
        let mut primary = primary.into_iter();
        let mut secondary = secondary.into_iter();
        // Starts the next attempt of a lane, if it has addresses left.
        let mut next_attempt = |lane: Lane| {
            let addr = match lane {
                Lane::Primary => primary.next(),
                Lane::Secondary => secondary.next(),
            };
            addr.map(|addr| tagged(lane, addr, connect(addr)))
        };
        let mut in_flight = FuturesUnordered::new();
        in_flight.extend(next_attempt(Lane::Primary));

        let mut secondary_started = false;
        let mut secondary_timer = pin!(sleep(INITIAL_CONNECT_TIMEOUT));
        let mut timeout = pin!(async {
            match deadline {
                Some(at) => sleep_until(at).await,
                None => std::future::pending().await,
            }
        });
        let mut last_error = ConnectError::NoAddresses;
        loop {
            if in_flight.is_empty() {
                return Err(last_error);
            }
            tokio::select! {
                biased;
                () = &mut timeout => return Err(TimeoutError.into()),
                Some((lane, addr, result)) = in_flight.next() => match result {
                    Ok(stream) => return Ok((addr, stream)),
                    Err(error) => {
                        last_error = error;
                        in_flight.extend(next_attempt(lane));
                        // A failure does not wait for the timer before
                        // trying the other family.
                        if !secondary_started {
                            secondary_started = true;
                            in_flight.extend(next_attempt(Lane::Secondary));
                        }
                    }
                },
                () = &mut secondary_timer, if !secondary_started => {
                    secondary_started = true;
                    in_flight.extend(next_attempt(Lane::Secondary));
                }
            }
        }
    }
}

/// An attempt's outcome labelled with its lane and address.
async fn tagged<Fut: Future>(
    lane: Lane,
    addr: SocketAddr,
    attempt: Fut,
) -> (Lane, SocketAddr, Fut::Output) {
    (lane, addr, attempt.await)
}

/// Partitions addresses by family: the first address and all others of its
/// family, then every other address, each in the original order.
fn split_by_family(
    addrs: impl IntoIterator<Item = SocketAddr>,
) -> (Vec<SocketAddr>, Vec<SocketAddr>) {
    let mut addrs = addrs.into_iter().peekable();
    let Some(first_is_v4) = addrs.peek().map(SocketAddr::is_ipv4) else {
        return (Vec::new(), Vec::new());
    };
    addrs.partition(|addr| addr.is_ipv4() == first_is_v4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    // Tornado's TestConnectorSplit.test_one_family.
    #[test]
    fn test_connector_split_one_family() {
        let (primary, secondary) = split_by_family([addr("10.0.0.1:1"), addr("10.0.0.2:1")]);
        assert_eq!(primary, [addr("10.0.0.1:1"), addr("10.0.0.2:1")]);
        assert!(secondary.is_empty());
    }

    // Tornado's TestConnectorSplit.test_mixed.
    #[test]
    fn test_connector_split_mixed() {
        let (a, b, c, d) = (
            addr("[fd00::1]:1"),
            addr("10.0.0.2:1"),
            addr("[fd00::3]:1"),
            addr("10.0.0.4:1"),
        );
        let (primary, secondary) = split_by_family([a, b, c, d]);
        assert_eq!(primary, [a, c]);
        assert_eq!(secondary, [b, d]);
    }

    #[test]
    fn split_of_nothing_is_empty() {
        let (primary, secondary) = split_by_family([]);
        assert!(primary.is_empty() && secondary.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn no_addresses_is_an_error() {
        let connector = Connector::new([], |_| async { Ok::<(), ConnectError>(()) });
        assert!(matches!(
            connector.start(None).await,
            Err(ConnectError::NoAddresses)
        ));
    }
}
