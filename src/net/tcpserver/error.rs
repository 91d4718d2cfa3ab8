use std::io;

use crate::process::ForkError;

/// Why [`TcpServer::start`](super::TcpServer::start) failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// `start` was already called on this server.
    #[error("the server was already started")]
    AlreadyStarted,
    /// Forking the worker processes failed.
    #[error(transparent)]
    Fork(#[from] ForkError),
    /// A bound socket could not be served.
    #[error(transparent)]
    Io(#[from] io::Error),
}
