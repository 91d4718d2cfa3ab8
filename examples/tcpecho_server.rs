//! Tornado's tcpecho demo, server side (`demos/tcpecho/server.py`): echoes
//! every line a client sends.
//!
//! ```text
//! cargo run --example tcpecho_server -- --port 9888
//! ```
//!
//! `--port 0` picks a free port; the line "Listening on TCP port N" tells
//! which. The server runs until interrupted (Ctrl-C / SIGINT) or
//! terminated (SIGTERM), then stops accepting and exits with status 0.

use supercell::ioloop::IoLoop;
use supercell::iostream::{IoStream, StreamError};
use supercell::log::LogOptions;
use supercell::netutil::PeerAddress;
use supercell::tcpserver::{HandlerError, StreamHandler, TcpServer};
use tokio::signal::unix::{SignalKind, signal};

/// The port used when `--port` is not given (the demo's default).
const DEFAULT_PORT: u16 = 9888;

struct EchoServer;

impl StreamHandler for EchoServer {
    async fn handle_stream(
        &self,
        stream: IoStream,
        address: PeerAddress,
    ) -> Result<(), HandlerError> {
        loop {
            match stream.read_until(b"\n", None).await {
                Ok(line) => {
                    tracing::info!("Received bytes: {:?}", String::from_utf8_lossy(&line));
                    stream.write(line).await?;
                }
                Err(StreamError::Closed(_)) => {
                    let host = address
                        .ip()
                        .map_or(address.to_string(), |ip| ip.to_string());
                    tracing::warn!("Lost client at host {host}");
                    return Ok(());
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
}

/// The port of `--port N` or `--port=N`, or the default.
fn port_argument(args: impl IntoIterator<Item = String>) -> Result<u16, String> {
    let mut port = DEFAULT_PORT;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--port") {
            Some("") => args.next().ok_or("--port needs a value")?,
            Some(rest) if rest.starts_with('=') => rest[1..].to_owned(),
            _ => {
                return Err(format!(
                    "unknown argument {arg:?} (usage: tcpecho_server [--port N])"
                ));
            }
        };
        port = value
            .parse()
            .map_err(|_| format!("invalid port {value:?}"))?;
    }
    Ok(port)
}

/// Serves until SIGINT or SIGTERM.
async fn serve(port: u16) -> std::io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let server = TcpServer::new(EchoServer);
    let addrs = server.listen(port, None)?;
    println!("Listening on TCP port {}", addrs[0].port());
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    server.stop();
    println!("Stopped");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Tornado's log format on stderr, coloured on a terminal.
    supercell::log::enable_pretty_logging(&LogOptions::default())?;
    let port = port_argument(std::env::args().skip(1))?;
    IoLoop::new()?.run_sync(|| serve(port), None)??;
    Ok(())
}
