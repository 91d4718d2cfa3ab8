//! [`ServerConnectionHandle`]: closing or draining a connection from
//! outside its task.

use std::sync::Arc;

use super::shared::ConnShared;

/// A handle on a running [`Http1ServerConnection`](super::Http1ServerConnection),
/// for the server that owns it: close it now, or let it finish the request
/// under way first. Cheap to clone.
#[derive(Clone)]
pub struct ServerConnectionHandle {
    pub(super) shared: Arc<ConnShared>,
}

impl ServerConnectionHandle {
    /// Closes the connection now (Tornado's `HTTP1ServerConnection.close`):
    /// the request under way, if any, sees the connection closed.
    pub fn close(&self) {
        self.shared.close();
    }

    /// Closes the connection gracefully: at once if it waits for a
    /// request, else after the response under way, which then carries
    /// `Connection: close` (unless its head was already written).
    pub fn drain(&self) {
        self.shared.drain();
    }

    /// Whether the connection is closed.
    pub fn closed(&self) -> bool {
        self.shared.stream.closed()
    }
}

impl std::fmt::Debug for ServerConnectionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConnectionHandle")
            .field("stream", &self.shared.stream)
            .finish()
    }
}
