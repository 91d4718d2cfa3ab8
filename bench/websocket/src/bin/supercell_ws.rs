//! supercell's WebSocket echo server: an `Application` routing `/` to a
//! `WebSocketHandler` whose `on_message` writes each message back, under
//! `HttpServer` on a current-thread runtime, with the default settings
//! (no compression; `websocket_max_message_size` 10 MiB, enough for the
//! 64 KiB messages).
//!
//! Usage: supercell_ws --port PORT

use std::io;

use supercell::httpserver::{HttpServer, HttpServerSettings};
use supercell::web::{Application, Settings};
use supercell::websocket::{Message, WebSocket, WebSocketHandler, websocket_url};
use supercell_websocket_bench::args::server_port;
use supercell_websocket_bench::limits::raise_fd_limit;

struct Echo;

impl WebSocketHandler for Echo {
    async fn on_message(&mut self, ws: &WebSocket, message: Message) {
        let _ = ws.write_message(message).await;
    }
}

fn main() -> io::Result<()> {
    let port = server_port()?;
    raise_fd_limit()?;
    let app = Application::new(vec![websocket_url("/", || Echo)], Settings::default())
        .map_err(io::Error::other)?;
    let runtime = supercell_websocket_bench::runtime::one_thread()?;
    runtime.block_on(async move {
        let server = HttpServer::new(app, HttpServerSettings::default());
        server.listen(port, Some("127.0.0.1"))?;
        std::future::pending::<io::Result<()>>().await
    })
}
