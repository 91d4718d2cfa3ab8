//! Command-line helpers shared by the binaries.

use std::io;

/// The port given as the first argument of the process.
pub fn port_from_args() -> io::Result<u16> {
    let arg = std::env::args()
        .nth(1)
        .ok_or_else(|| invalid("usage: <server> PORT"))?;
    arg.parse()
        .map_err(|_| invalid(&format!("not a port number: {arg}")))
}

/// An `InvalidInput` error with the given message.
pub fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.to_owned())
}
