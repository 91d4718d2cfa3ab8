//! The live connections of a server, for `close_all_connections` and
//! `drain`.

use std::collections::HashMap;
use std::pin::pin;
use std::sync::Mutex;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::http1::ServerConnectionHandle;
use crate::util::lock;

/// The connections being served, by number.
#[derive(Default)]
pub(super) struct Registry {
    state: Mutex<State>,
    /// Notified whenever a connection ends.
    ended: Notify,
}

#[derive(Default)]
struct State {
    next: u64,
    live: HashMap<u64, ServerConnectionHandle>,
    /// `drain` was called: new connections drain at once.
    draining: bool,
}

/// Keeps a connection in the registry while it lives.
pub(super) struct Registration<'r> {
    registry: &'r Registry,
    id: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        lock(&self.registry.state).live.remove(&self.id);
        self.registry.ended.notify_waiters();
    }
}

impl Registry {
    pub(super) fn register(&self, handle: ServerConnectionHandle) -> Registration<'_> {
        let mut state = lock(&self.state);
        if state.draining {
            handle.drain();
        }
        let id = state.next;
        state.next += 1;
        state.live.insert(id, handle);
        Registration { registry: self, id }
    }

    fn handles(&self) -> Vec<ServerConnectionHandle> {
        lock(&self.state).live.values().cloned().collect()
    }

    /// How many connections are being served.
    pub(super) fn len(&self) -> usize {
        lock(&self.state).live.len()
    }

    /// Closes every connection and waits until all have ended.
    pub(super) async fn close_all(&self) {
        self.wait_empty(None, ServerConnectionHandle::close).await;
    }

    /// Drains every connection (also those registered later) and waits
    /// until all have ended or `deadline` passed; `false` on timeout.
    pub(super) async fn drain(&self, deadline: Instant) -> bool {
        lock(&self.state).draining = true;
        self.wait_empty(Some(deadline), ServerConnectionHandle::drain)
            .await
    }

    /// Applies `action` to every live connection, again whenever one
    /// ends, until none is left (`true`) or `deadline` passed.
    async fn wait_empty(
        &self,
        deadline: Option<Instant>,
        action: fn(&ServerConnectionHandle),
    ) -> bool {
        loop {
            let mut ended = pin!(self.ended.notified());
            ended.as_mut().enable();
            let handles = self.handles();
            if handles.is_empty() {
                return true;
            }
            for handle in &handles {
                action(handle);
            }
            drop(handles);
            match deadline {
                Some(deadline) => {
                    if tokio::time::timeout_at(deadline, ended).await.is_err() {
                        return false;
                    }
                }
                None => ended.await,
            }
        }
    }
}
