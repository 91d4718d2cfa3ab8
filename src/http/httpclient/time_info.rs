//! [`TimeInfo`]: where the time of a fetch went, under curl's names.

use std::time::Duration;

use tokio::time::Instant;

/// The timings of one fetch, each measured from its start (after any wait
/// in the `max_clients` queue) as curl's `curl_easy_getinfo` reports them
/// (Tornado's `HTTPResponse.time_info`). For a fetch that followed
/// redirects, the phases are those of the last request and `redirect` is
/// the time the earlier ones took; phases a fetch never reached are zero,
/// and so are the connection phases of a request sent on a reused
/// keep-alive connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeInfo {
    /// Waiting for a free slot among `max_clients` (Tornado's `queue`).
    pub queue: Duration,
    /// Until the host name was resolved.
    pub namelookup: Duration,
    /// Until the TCP connection was made.
    pub connect: Duration,
    /// Until the TLS handshake was done (zero for plain HTTP).
    pub appconnect: Duration,
    /// Until the request was about to be sent.
    pub pretransfer: Duration,
    /// Until the first byte of the response arrived.
    pub starttransfer: Duration,
    /// The whole fetch, redirects included.
    pub total: Duration,
    /// The requests before the last one, when redirects were followed.
    pub redirect: Duration,
}

/// Collects the instants of one request as it goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timer {
    pub(crate) start: Instant,
    pub(crate) namelookup: Option<Instant>,
    pub(crate) connect: Option<Instant>,
    pub(crate) appconnect: Option<Instant>,
    pub(crate) pretransfer: Option<Instant>,
    pub(crate) starttransfer: Option<Instant>,
}

impl Timer {
    /// A timer for a request starting now.
    pub(crate) fn start() -> Timer {
        Timer {
            start: Instant::now(),
            namelookup: None,
            connect: None,
            appconnect: None,
            pretransfer: None,
            starttransfer: None,
        }
    }

    /// The timings of a fetch that started at `fetch_start`, waited
    /// `queue` for a slot, and ended at `end`; the time before this
    /// request's start (after the queue) went to redirects.
    pub(crate) fn finish(&self, fetch_start: Instant, queue: Duration, end: Instant) -> TimeInfo {
        let since = |at: Option<Instant>| at.map_or(Duration::ZERO, |at| at - self.start);
        TimeInfo {
            queue,
            namelookup: since(self.namelookup),
            connect: since(self.connect),
            appconnect: since(self.appconnect),
            pretransfer: since(self.pretransfer),
            starttransfer: since(self.starttransfer),
            total: end - fetch_start,
            redirect: self.start - fetch_start - queue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn phases_are_measured_from_the_request_start() {
        let fetch_start = Instant::now();
        tokio::time::advance(Duration::from_millis(5)).await;
        let mut timer = Timer::start();
        tokio::time::advance(Duration::from_millis(10)).await;
        timer.connect = Some(Instant::now());
        tokio::time::advance(Duration::from_millis(10)).await;
        let info = timer.finish(fetch_start, Duration::from_millis(2), Instant::now());
        assert_eq!(info.connect, Duration::from_millis(10));
        assert_eq!(info.namelookup, Duration::ZERO);
        assert_eq!(info.total, Duration::from_millis(25));
        assert_eq!(info.redirect, Duration::from_millis(3));
        assert_eq!(info.queue, Duration::from_millis(2));
    }
}
