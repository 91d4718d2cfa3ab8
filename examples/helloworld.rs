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

use supercell::httpserver::{HttpServer, HttpServerSettings};
use supercell::httputil::HttpHeaders;

#[path = "support/cli.rs"]
mod cli;
#[path = "support/http_server.rs"]
mod http_server;
#[path = "support/server.rs"]
mod server;

/// The port used when `--port` is not given.
const DEFAULT_PORT: u16 = 8888;

/// Serves until SIGINT or SIGTERM.
async fn serve(port: u16) -> std::io::Result<()> {
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
    http_server::serve_until_stopped(server, port, None, |port| {
        println!("Listening on port {port}");
    })
    .await
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut port = DEFAULT_PORT;
    let usage = "helloworld [--port N]";
    for (_, value) in cli::options(std::env::args().skip(1), &["--port"], usage)? {
        port = cli::port(&value)?;
    }
    server::run(|| serve(port))
}
