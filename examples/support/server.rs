//! What the example servers share: their `main` (logging and the loop)
//! and stopping on SIGINT (Ctrl-C) or SIGTERM.

use std::future::Future;

use supercell::ioloop::IoLoop;
use supercell::log::LogOptions;
use tokio::signal::unix::{Signal, SignalKind, signal};

/// Runs `serve` to its end on a new [`IoLoop`], with Tornado's log format
/// on stderr (coloured on a terminal).
pub fn run<Fut>(serve: impl FnOnce() -> Fut) -> Result<(), Box<dyn std::error::Error>>
where
    Fut: Future<Output = std::io::Result<()>>,
{
    supercell::log::enable_pretty_logging(&LogOptions::default())?;
    IoLoop::new()?.run_sync(serve, None)??;
    Ok(())
}

/// SIGINT and SIGTERM, caught from the moment [`StopSignals::catch`]
/// returns: catch them before listening, so that a signal sent as soon
/// as the server is up stops it cleanly instead of killing the process.
pub struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl StopSignals {
    /// Starts catching SIGINT and SIGTERM (inside the loop).
    pub fn catch() -> std::io::Result<StopSignals> {
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Waits for the first of them.
    pub async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
