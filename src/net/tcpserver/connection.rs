use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;

use super::ServerOptions;
use super::handler::ErasedHandler;
use crate::iostream::IoStream;
use crate::netutil::{Accepted, PeerAddress, TlsConfig};
use crate::util::log_target::{APP_LOG, GEN_LOG};
use crate::util::panic_message;

/// What every connection of one server needs: shared by its accept
/// callbacks and connection tasks.
pub(super) struct Connections {
    pub(super) handler: Arc<dyn ErasedHandler>,
    pub(super) options: ServerOptions,
}

impl Connections {
    /// Serves one accepted connection: the TLS handshake if configured, then
    /// the handler. Runs as its own task; logs instead of returning errors.
    pub(super) async fn serve(self: Arc<Self>, accepted: Accepted) {
        let address = accepted.peer_address();
        let mut stream = match accepted {
            Accepted::Tcp(socket, peer) => {
                let mut stream = IoStream::from_tcp(socket);
                // The address from accept outlives a client that already
                // reset the connection (asking the socket then fails).
                stream.peer = Some(peer);
                stream
            }
            Accepted::Unix(socket) => IoStream::from_unix(socket),
        };
        if let Some(size) = self.options.max_buffer_size {
            stream = stream.with_max_buffer_size(size);
        }
        if let Some(size) = self.options.read_chunk_size {
            stream = stream.with_read_chunk_size(size);
        }
        if let Some(tls) = &self.options.tls {
            // Boxed: the task of every connection would otherwise hold
            // what a handshake takes for as long as it is served.
            match Box::pin(self.handshake(stream, tls, address)).await {
                Some(tls_stream) => stream = tls_stream,
                None => return,
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

    /// Switches `stream` to TLS and waits (at most the handshake timeout)
    /// for the handshake. `None` when it failed: the stream has logged why,
    /// as a warning or, for a client that went away, at debug level. A
    /// timed-out handshake is abandoned by closing the stream, which ends
    /// the stream's handshake task and releases the socket.
    async fn handshake(
        &self,
        stream: IoStream,
        tls: &Arc<rustls::ServerConfig>,
        address: PeerAddress,
    ) -> Option<IoStream> {
        let stream = match stream.into_tls(TlsConfig::Server(Arc::clone(tls)), None) {
            Ok(stream) => stream,
            Err(error) => {
                tracing::warn!(target: GEN_LOG, "Cannot start TLS with {address}: {error}");
                return None;
            }
        };
        let handshake = stream.wait_for_handshake();
        match tokio::time::timeout(self.options.handshake_timeout, handshake).await {
            Ok(Ok(())) => Some(stream),
            Ok(Err(_)) => None,
            Err(_) => {
                tracing::debug!(target: GEN_LOG, "TLS handshake with {address} timed out");
                stream.close();
                None
            }
        }
    }
}
