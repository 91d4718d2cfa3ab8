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

use supercell::iostream::{IoStream, StreamError};
use supercell::netutil::PeerAddress;
use supercell::tcpserver::{HandlerError, StreamHandler, TcpServer};

#[path = "support/cli.rs"]
mod cli;
#[path = "support/server.rs"]
mod server;

use server::StopSignals;

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

/// Serves until SIGINT or SIGTERM.
async fn serve(port: u16) -> std::io::Result<()> {
    let stop = StopSignals::catch()?;
    let server = TcpServer::new(EchoServer);
    let addrs = server.listen(port, None)?;
    println!("Listening on TCP port {}", addrs[0].port());
    stop.wait().await;
    server.stop();
    println!("Stopped");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port = DEFAULT_PORT;
    let usage = "tcpecho_server [--port N]";
    for (_, value) in cli::options(std::env::args().skip(1), &["--port"], usage)? {
        port = cli::port(&value)?;
    }
    server::run(|| serve(port))
}
