//! Listening Unix-domain sockets: [`bind_unix_socket`].

use std::fs::{self, Permissions};
use std::io;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};

use socket2::{Domain, SockAddr, Socket, Type};

use super::DEFAULT_BACKLOG;

/// The file mode [`bind_unix_socket`] is usually given: read and write for
/// the owner only (Tornado's default `0o600`).
pub const DEFAULT_UNIX_SOCKET_MODE: u32 = 0o600;

/// Why [`bind_unix_socket`] failed; carried inside the returned `io::Error`.
#[derive(Debug, thiserror::Error)]
enum UnixBindError {
    #[error("{} exists and is not a socket; refusing to replace it", .0.display())]
    NotASocket(PathBuf),
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl UnixBindError {
    fn into_io(self) -> io::Error {
        let kind = match &self {
            UnixBindError::NotASocket(_) => io::ErrorKind::AlreadyExists,
            UnixBindError::Io { source, .. } => source.kind(),
        };
        io::Error::new(kind, self)
    }
}

/// Creates a listening Unix-domain stream socket at `path` (Tornado's
/// `bind_unix_socket`).
///
/// A socket file already at `path` (left by an earlier server) is removed
/// first; any other kind of file there, a symbolic link included, is left
/// alone and the call fails with
/// [`AlreadyExists`](io::ErrorKind::AlreadyExists). The new socket file
/// gets the permission bits `mode` (usually [`DEFAULT_UNIX_SOCKET_MODE`]).
/// `backlog` defaults to [`DEFAULT_BACKLOG`] (128).
///
/// The listener is non-blocking and close-on-exec, and needs no runtime;
/// serve it with [`add_accept_handler`](super::add_accept_handler).
pub fn bind_unix_socket(
    path: impl AsRef<Path>,
    mode: u32,
    backlog: Option<u32>,
) -> io::Result<UnixListener> {
    bind(path.as_ref(), mode, backlog).map_err(UnixBindError::into_io)
}

fn bind(path: &Path, mode: u32, backlog: Option<u32>) -> Result<UnixListener, UnixBindError> {
    let fail = |action| {
        move |source| UnixBindError::Io {
            action,
            path: path.to_owned(),
            source,
        }
    };
    remove_stale_socket(path)?;
    let socket =
        Socket::new(Domain::UNIX, Type::STREAM, None).map_err(fail("create a socket for"))?;
    socket
        .set_nonblocking(true)
        .map_err(fail("configure the socket for"))?;
    let addr = SockAddr::unix(path).map_err(fail("use the path"))?;
    socket.bind(&addr).map_err(fail("bind"))?;
    fs::set_permissions(path, Permissions::from_mode(mode)).map_err(fail("set the mode of"))?;
    let backlog = i32::try_from(backlog.unwrap_or(DEFAULT_BACKLOG)).unwrap_or(i32::MAX);
    socket.listen(backlog).map_err(fail("listen on"))?;
    Ok(UnixListener::from(socket))
}

/// Removes a socket file left at `path`; refuses to remove anything else.
fn remove_stale_socket(path: &Path) -> Result<(), UnixBindError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {
            fs::remove_file(path).map_err(|source| UnixBindError::Io {
                action: "remove the stale socket",
                path: path.to_owned(),
                source,
            })
        }
        Ok(_) => Err(UnixBindError::NotASocket(path.to_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(UnixBindError::Io {
            action: "inspect",
            path: path.to_owned(),
            source,
        }),
    }
}
