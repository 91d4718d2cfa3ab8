//! `netutil` (layer 2: streams and sockets).

mod tls;

pub use tls::*;
