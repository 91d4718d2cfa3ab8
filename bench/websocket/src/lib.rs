//! Shared pieces of the WebSocket benchmark servers and clients.
//!
//! Every server binary of this crate is a WebSocket echo server on
//! `ws://127.0.0.1:PORT/` (`--port PORT`), on one thread, without
//! compression: each text or binary message comes back as it was received.
//! `floor_echo` is the least such a server can do (no checks beyond a
//! frame's length): a reference for what the system calls alone cost.
//! `ws_load` drives them with echo round trips on many connections,
//! `ws_hold` opens connections and leaves them idle, and the `unmask` bench
//! measures the masking loops.

pub mod args;
pub mod client;
pub mod cpu;
pub mod limits;
pub mod runtime;
