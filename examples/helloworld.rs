//! Tornado's "Hello, world" demo (`demos/helloworld/helloworld.py`) on
//! [`HttpServer`]'s request callback: every request is answered
//! `Hello, world`.
//!
//! ```text
//! cargo run --example helloworld -- --port 8888
//! curl http://127.0.0.1:8888/
//! ```
//!
//! `--port 0` picks a free port; the line "Listening on port N" tells
//! which. Runs until interrupted (SIGINT) or terminated (SIGTERM), then
//! drains its connections and exits.

use std::time::Duration;

use supercell::httpserver::{HttpServer, HttpServerSettings};
use supercell::httputil::HttpHeaders;
use supercell::ioloop::IoLoop;
use supercell::log::LogOptions;
use tokio::signal::unix::{SignalKind, signal};

/// The port used when `--port` is not given.
const DEFAULT_PORT: u16 = 8888;

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
                    "unknown argument {arg:?} (usage: helloworld [--port N])"
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
    let server = HttpServer::from_callback(
        |_request, mut writer| async move {
            let mut headers = HttpHeaders::new();
            headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; charset=UTF-8"),
            );
            if let Err(error) = writer.respond(200, headers, "Hello, world").await {
                tracing::debug!("response not sent: {error}");
            }
        },
        HttpServerSettings::default(),
    );
    let addrs = server.listen(port, None)?;
    println!("Listening on port {}", addrs[0].port());
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    server.drain(Duration::from_secs(5)).await;
    println!("Stopped");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    supercell::log::enable_pretty_logging(&LogOptions::default())?;
    let port = port_argument(std::env::args().skip(1))?;
    IoLoop::new()?.run_sync(|| serve(port), None)??;
    Ok(())
}
