//! Tornado's "Hello, world" demo (`demos/helloworld/helloworld.py`): an
//! [`Application`] with one handler answering `GET /` with `Hello, world`.
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
use supercell::web::{Application, Context, RequestHandler, Settings, WebResult, url};

#[path = "support/cli.rs"]
mod cli;
#[path = "support/http_server.rs"]
mod http_server;
#[path = "support/server.rs"]
mod server;

/// The port used when `--port` is not given.
const DEFAULT_PORT: u16 = 8888;

/// Tornado's `MainHandler`.
struct MainHandler;

impl RequestHandler for MainHandler {
    async fn get(&mut self, cx: &mut Context) -> WebResult {
        cx.write("Hello, world")?;
        Ok(())
    }
}

/// Serves until SIGINT or SIGTERM.
async fn serve(port: u16) -> std::io::Result<()> {
    let app = Application::new(vec![url("/", || MainHandler)], Settings::default())
        .map_err(std::io::Error::other)?;
    let server = HttpServer::new(app, HttpServerSettings::default());
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
