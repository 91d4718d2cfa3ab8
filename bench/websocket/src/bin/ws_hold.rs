//! Idle WebSocket connections, for measuring a server's memory per
//! connection: opens CONNS connections to an echo server, on each runs the
//! opening handshake and one round trip of a 16-byte message (so that the
//! server has read and written on it once), then keeps them all open and
//! idle. Prints `ready N` once all are idle, and exits after HOLD seconds
//! (default 120) or when killed. Raises its own descriptor limit to the
//! hard limit.
//!
//! Usage: ws_hold --url ws://127.0.0.1:PORT/ --conns N [--hold SECS]

use std::io::{self, Write};
use std::time::Duration;

use futures_util::StreamExt;
use supercell_websocket_bench::args::{Flags, invalid};
use supercell_websocket_bench::client::{
    Target, connect, masked_binary_frame, payload, round_trip,
};
use supercell_websocket_bench::limits::raise_fd_limit;
use tokio::net::TcpStream;

const USAGE: &str = "usage: ws_hold --url ws://127.0.0.1:PORT/ --conns N [--hold SECS]";

/// Connections being opened at the same time.
const IN_FLIGHT: usize = 200;

/// The message sent once on each connection.
const SIZE: usize = 16;

async fn open(target: &Target, frame: &[u8], message: &[u8]) -> io::Result<TcpStream> {
    let (mut stream, mut reader) = connect(target, 256).await?;
    round_trip(
        &mut stream,
        &mut reader,
        frame,
        message.len(),
        Some(message),
    )
    .await?;
    Ok(stream)
}

fn main() -> io::Result<()> {
    let flags = Flags::from_env(&["url", "conns", "hold"], USAGE)?;
    let target = Target::parse(&flags.require::<String>("url")?)?;
    let conns: usize = flags.require("conns")?;
    let hold: u64 = flags.get("hold")?.unwrap_or(120);
    let limit = raise_fd_limit()?;
    if conns as u64 + 64 > limit {
        return Err(invalid(&format!(
            "{conns} connections need more descriptors than the limit ({limit})"
        )));
    }
    let message = payload(SIZE);
    let frame = masked_binary_frame(&message);

    let runtime = supercell_websocket_bench::runtime::one_thread()?;
    runtime.block_on(async move {
        let opened: Vec<io::Result<TcpStream>> = tokio::time::timeout(
            Duration::from_secs(120),
            futures_util::stream::iter(0..conns)
                .map(|_| open(&target, &frame, &message))
                .buffer_unordered(IN_FLIGHT)
                .collect(),
        )
        .await
        .map_err(|_| io::Error::other("opening the connections took over 120 s"))?;
        let streams = opened.into_iter().collect::<io::Result<Vec<_>>>()?;
        let mut stdout = io::stdout();
        writeln!(stdout, "ready {}", streams.len())?;
        stdout.flush()?;
        tokio::time::sleep(Duration::from_secs(hold)).await;
        drop(streams);
        Ok(())
    })
}
