//! Serving an example's [`HttpServer`] until it is told to stop (needs
//! the `server` module of `support/server.rs` beside it).

use std::time::Duration;

use supercell::httpserver::HttpServer;

use crate::server::StopSignals;

/// How long a stopping server waits for its connections to finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Listens with `server` on `port` of `address` (every interface when
/// `None`), gives `announce` the port it got (the one picked for port 0),
/// serves until SIGINT or SIGTERM, then drains the connections and prints
/// "Stopped".
pub async fn serve_until_stopped(
    server: HttpServer,
    port: u16,
    address: Option<&str>,
    announce: impl FnOnce(u16),
) -> std::io::Result<()> {
    let stop = StopSignals::catch()?;
    let addrs = server.listen(port, address)?;
    announce(addrs[0].port());
    stop.wait().await;
    server.drain(DRAIN_TIMEOUT).await;
    println!("Stopped");
    Ok(())
}
