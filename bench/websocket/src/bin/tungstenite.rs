//! tokio-tungstenite's echo server, as in its `autobahn-server` example:
//! `accept_async` on each connection, then read the next message and send
//! each text or binary one back; on a current-thread runtime, `TCP_NODELAY`
//! on like the other servers. The default `WebSocketConfig` stays
//! (`max_message_size` 64 MiB, `max_frame_size` 16 MiB); there is no
//! compression.
//!
//! Usage: tungstenite --port PORT

use std::io;

use futures_util::{SinkExt, StreamExt};
use supercell_websocket_bench::args::server_port;
use supercell_websocket_bench::limits::raise_fd_limit;
use tokio::net::TcpStream;
use tokio_tungstenite::accept_async;
use tokio_tungstenite::tungstenite::Result;

async fn handle_connection(stream: TcpStream) -> Result<()> {
    let mut ws = accept_async(stream).await?;
    while let Some(message) = ws.next().await {
        let message = message?;
        if message.is_text() || message.is_binary() {
            ws.send(message).await?;
        }
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let port = server_port()?;
    raise_fd_limit()?;
    supercell_websocket_bench::runtime::serve_each(port, |stream| async move {
        let _ = handle_connection(stream).await;
    })
}
