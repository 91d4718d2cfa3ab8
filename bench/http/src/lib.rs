//! Shared pieces of the HTTP benchmark servers and clients.
//!
//! Every server binary of this crate answers `GET /plaintext` with
//! `Hello, World!` (`text/plain`) and `GET /json` with
//! `{"message":"Hello, World!"}` (`application/json`), with `Date` and
//! `Content-Length` headers, on one thread, on the loopback port given as its
//! first argument.

pub mod args;
pub mod client;
pub mod cpu;
pub mod date;
pub mod message;
pub mod runtime;
pub mod stats;
