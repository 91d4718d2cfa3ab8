//! Where a subprocess's standard streams go.

use std::io::{PipeReader, PipeWriter};
use std::os::fd::AsFd;
use std::process::Stdio;

use tokio::net::unix::pipe;

use super::SubprocessError;
use crate::iostream::IoStream;

/// Where one standard stream of a [`Subprocess`](super::Subprocess) goes.
#[derive(Debug, Default)]
pub enum Redirect {
    /// The parent's own stream. The default (as `Popen`'s).
    #[default]
    Inherit,
    /// `/dev/null`.
    Null,
    /// A new pipe whose parent end is an [`IoStream`] (Tornado's
    /// `Subprocess.STREAM`): writable for stdin, readable for stdout and
    /// stderr. The caller closes it when done with it.
    Stream,
    /// For stderr only: wherever stdout goes (Python's
    /// `subprocess.STDOUT`). Works with stdout as [`Inherit`](Redirect::Inherit),
    /// [`Null`](Redirect::Null) or [`Stream`](Redirect::Stream) (both then
    /// arrive on the stdout stream).
    Stdout,
    /// Any other [`Stdio`]: a file, another child's output, ...
    Stdio(Stdio),
}

/// The redirects of the three standard streams; each defaults to
/// [`Redirect::Inherit`]. They replace whatever the command had set for
/// these streams.
#[derive(Debug, Default)]
pub struct Redirects {
    /// Where the child's stdin comes from.
    pub stdin: Redirect,
    /// Where the child's stdout goes.
    pub stdout: Redirect,
    /// Where the child's stderr goes.
    pub stderr: Redirect,
}

/// The child's ends of the streams, to give to the command, and the
/// parent's streams.
pub(super) struct Wiring {
    pub(super) child_stdin: Stdio,
    pub(super) child_stdout: Stdio,
    pub(super) child_stderr: Stdio,
    pub(super) stdin: Option<PipeWriter>,
    pub(super) stdout: Option<PipeReader>,
    pub(super) stderr: Option<PipeReader>,
}

impl Redirects {
    /// Makes the pipes and the child's ends.
    pub(super) fn wire(self) -> Result<Wiring, SubprocessError> {
        let stderr_only =
            || SubprocessError::InvalidRedirect("Redirect::Stdout is for stderr only");
        let (child_stdin, stdin) = match self.stdin {
            Redirect::Inherit => (Stdio::inherit(), None),
            Redirect::Null => (Stdio::null(), None),
            Redirect::Stdio(stdio) => (stdio, None),
            Redirect::Stdout => return Err(stderr_only()),
            Redirect::Stream => {
                let (reader, writer) = std::io::pipe().map_err(SubprocessError::Spawn)?;
                (Stdio::from(reader), Some(writer))
            }
        };
        // The child's stdout, and a second handle on it when stderr goes
        // to the same place.
        let follows = matches!(self.stderr, Redirect::Stdout);
        let (child_stdout, for_stderr, stdout) = match self.stdout {
            Redirect::Inherit => {
                let for_stderr = follows
                    .then(|| {
                        std::io::stdout()
                            .as_fd()
                            .try_clone_to_owned()
                            .map(Stdio::from)
                    })
                    .transpose();
                (Stdio::inherit(), for_stderr, None)
            }
            Redirect::Null => (Stdio::null(), Ok(follows.then(Stdio::null)), None),
            Redirect::Stdio(stdio) => (stdio, Ok(None), None),
            Redirect::Stdout => return Err(stderr_only()),
            Redirect::Stream => {
                let (reader, writer) = std::io::pipe().map_err(SubprocessError::Spawn)?;
                let for_stderr = follows
                    .then(|| writer.try_clone().map(Stdio::from))
                    .transpose();
                (Stdio::from(writer), for_stderr, Some(reader))
            }
        };
        let for_stderr = for_stderr.map_err(SubprocessError::Spawn)?;
        let (child_stderr, stderr) = match self.stderr {
            Redirect::Inherit => (Stdio::inherit(), None),
            Redirect::Null => (Stdio::null(), None),
            Redirect::Stdio(stdio) => (stdio, None),
            Redirect::Stdout => {
                let stdio = for_stderr.ok_or(SubprocessError::InvalidRedirect(
                    "stderr can follow stdout only when stdout is Inherit, Null or Stream",
                ))?;
                (stdio, None)
            }
            Redirect::Stream => {
                let (reader, writer) = std::io::pipe().map_err(SubprocessError::Spawn)?;
                (Stdio::from(writer), Some(reader))
            }
        };
        Ok(Wiring {
            child_stdin,
            child_stdout,
            child_stderr,
            stdin,
            stdout,
            stderr,
        })
    }
}

/// The parent's end of a stdin pipe as a stream.
pub(super) fn writer_stream(writer: PipeWriter) -> Result<IoStream, SubprocessError> {
    let sender = pipe::Sender::from_owned_fd(writer.into()).map_err(SubprocessError::Spawn)?;
    Ok(IoStream::from_pipe_sender(sender))
}

/// The parent's end of a stdout or stderr pipe as a stream.
pub(super) fn reader_stream(reader: PipeReader) -> Result<IoStream, SubprocessError> {
    let receiver = pipe::Receiver::from_owned_fd(reader.into()).map_err(SubprocessError::Spawn)?;
    Ok(IoStream::from_pipe_receiver(receiver))
}
