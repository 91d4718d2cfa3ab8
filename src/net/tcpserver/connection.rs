use std::any::Any;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use tokio::net::TcpStream;

use super::ServerOptions;
use super::handler::ErasedHandler;
use crate::iostream::{IoStream, StreamError};
use crate::netutil::TlsConfig;
use crate::util::log_target::{APP_LOG, GEN_LOG};

/// What every connection of one server needs: shared by its accept
/// callbacks and connection tasks.
pub(super) struct Connections {
    pub(super) handler: Arc<dyn ErasedHandler>,
    pub(super) options: ServerOptions,
}

impl Connections {
    /// Serves one accepted connection: the TLS handshake if configured, then
    /// the handler. Runs as its own task; logs instead of returning errors.
    pub(super) async fn serve(self: Arc<Self>, socket: TcpStream, address: SocketAddr) {
        let mut stream = IoStream::from_tcp(socket);
        if let Some(size) = self.options.max_buffer_size {
            stream = stream.with_max_buffer_size(size);
        }
        if let Some(size) = self.options.read_chunk_size {
            stream = stream.with_read_chunk_size(size);
        }
        if let Some(tls) = &self.options.tls {
            stream = match stream.into_tls(TlsConfig::Server(Arc::clone(tls)), None) {
                Ok(stream) => stream,
                Err(error) => return log_handshake_failure(address, &error),
            };
            match tokio::time::timeout(self.options.handshake_timeout, stream.wait_for_handshake())
                .await
            {
                Ok(Ok(())) => {}
                Ok(Err(error)) => return log_handshake_failure(address, &error),
                Err(_) => {
                    tracing::debug!(target: GEN_LOG, "TLS handshake with {address} timed out");
                    return stream.close();
                }
            }
        }
        let call = Arc::clone(&self.handler).call(stream, address);
        match AssertUnwindSafe(call).catch_unwind().await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(
                target: APP_LOG,
                "Error in connection handler for {address}: {error}"
            ),
            Err(panic) => tracing::error!(
                target: APP_LOG,
                "Connection handler for {address} panicked: {}",
                panic_message(panic.as_ref())
            ),
        }
    }
}

/// A failed handshake is the client's problem, never the server's: the
/// stream has already reported the TLS error as a warning on the general
/// log (as Tornado's `SSLIOStream` does); this adds the peer at debug level.
fn log_handshake_failure(address: SocketAddr, error: &StreamError) {
    tracing::debug!(target: GEN_LOG, "TLS handshake with {address} failed: {error}");
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message
    } else {
        "(not a string)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_are_read_from_strings() {
        assert_eq!(panic_message(&"boom"), "boom");
        assert_eq!(panic_message(&String::from("bang")), "bang");
        assert_eq!(panic_message(&7u8), "(not a string)");
    }
}
