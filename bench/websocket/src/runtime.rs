//! The runtime every server and client of this crate runs on.

use std::io;

use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::{Builder, Runtime};

/// A current-thread tokio runtime with I/O and time enabled: one thread,
/// so that a process pinned to one core measures one core's work.
pub fn one_thread() -> io::Result<Runtime> {
    Builder::new_current_thread().enable_all().build()
}

/// Accepts connections on `127.0.0.1:port` for ever, on [`one_thread`],
/// and runs `serve` on each in a task of its own, `TCP_NODELAY` on: the
/// main loop of the servers not built on an HTTP server.
pub fn serve_each<F, Fut>(port: u16, serve: F) -> io::Result<()>
where
    F: Fn(TcpStream) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    one_thread()?.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(serve(stream));
        }
    })
}
