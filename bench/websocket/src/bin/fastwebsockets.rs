//! fastwebsockets' echo server, as in its `echo_server` example: hyper 1.x
//! serves each connection with upgrades, `fastwebsockets::upgrade` answers
//! the handshake, and a `FragmentCollector` reads whole messages and
//! writes each text or binary one back, in a task run `unconstrained` as
//! the example does; on a current-thread runtime, `TCP_NODELAY` on like the
//! other servers. Its default `max_message_size` (64 MiB) stays; there is
//! no compression.
//!
//! Usage: fastwebsockets --port PORT

use std::io;

use fastwebsockets::{FragmentCollector, OpCode, WebSocketError, upgrade};
use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use supercell_websocket_bench::args::server_port;
use supercell_websocket_bench::limits::raise_fd_limit;

async fn handle_client(fut: upgrade::UpgradeFut) -> Result<(), WebSocketError> {
    let mut ws = FragmentCollector::new(fut.await?);
    loop {
        let frame = ws.read_frame().await?;
        match frame.opcode {
            OpCode::Close => break,
            OpCode::Text | OpCode::Binary => ws.write_frame(frame).await?,
            _ => {}
        }
    }
    Ok(())
}

async fn server_upgrade(
    mut request: Request<Incoming>,
) -> Result<Response<Empty<Bytes>>, WebSocketError> {
    let (response, fut) = upgrade::upgrade(&mut request)?;
    tokio::spawn(async move {
        let _ = tokio::task::unconstrained(handle_client(fut)).await;
    });
    Ok(response)
}

fn main() -> io::Result<()> {
    let port = server_port()?;
    raise_fd_limit()?;
    supercell_websocket_bench::runtime::serve_each(port, |stream| async move {
        let connection = http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service_fn(server_upgrade))
            .with_upgrades();
        let _ = connection.await;
    })
}
