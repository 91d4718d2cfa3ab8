//! # supercell
//!
//! Tornado 5.0's web framework and asynchronous networking library, rebuilt
//! in Rust on [tokio]. As Tornado 5.0 made its `IOLoop` a wrapper around
//! asyncio, supercell's [`ioloop::IoLoop`] is a handle on the tokio runtime:
//! futures are [`std::future::Future`], tasks are tokio tasks, and any tokio
//! library works inside supercell code with no glue.
//!
//! The crate is layered; each layer uses only the layers below it:
//!
//! 1. **Async core** — [`util`], [`escape`], [`concurrent`], `gen` (spelled `r#gen`: `gen` is reserved in Rust 2024),
//!    [`ioloop`], [`locks`], [`queues`], [`autoreload`].
//! 2. **Streams and sockets** — [`iostream`], [`netutil`], [`tcpserver`],
//!    [`tcpclient`], [`process`].
//! 3. **HTTP** — [`httputil`], [`http1`], [`httpserver`], [`httpclient`].
//! 4. **Web** — [`routing`], [`template`], [`web`], [`websocket`].
//! 5. **Tools** — [`log`], [`testing`].
//!
//! ```
//! use std::time::Duration;
//! use supercell::ioloop::IoLoop;
//! use supercell::queues::Queue;
//!
//! let io_loop = IoLoop::new().unwrap();
//! let total = io_loop
//!     .run_sync(
//!         || async {
//!             let q = Queue::new(2);
//!             let producer = {
//!                 let q = q.clone();
//!                 tokio::spawn(async move {
//!                     for i in 1..=10u32 {
//!                         q.put(i).await;
//!                     }
//!                 })
//!             };
//!             let mut total = 0;
//!             for _ in 0..10 {
//!                 total += q.get().await;
//!                 q.task_done().unwrap();
//!             }
//!             producer.await.unwrap();
//!             total
//!         },
//!         Some(Duration::from_secs(5)),
//!     )
//!     .unwrap();
//! assert_eq!(total, 55);
//! ```
#![deny(missing_docs)]
#![deny(unsafe_code)]

// Layer 1: the async core (src/core/).
#[path = "core/autoreload/mod.rs"]
pub mod autoreload;
#[path = "core/concurrent/mod.rs"]
pub mod concurrent;
#[path = "core/escape/mod.rs"]
pub mod escape;
#[path = "core/gen/mod.rs"]
pub mod r#gen;
#[path = "core/ioloop/mod.rs"]
pub mod ioloop;
#[path = "core/locks/mod.rs"]
pub mod locks;
#[path = "core/queues/mod.rs"]
pub mod queues;
#[path = "core/util/mod.rs"]
pub mod util;

// Layer 2: streams and sockets (src/net/).
#[path = "net/iostream/mod.rs"]
pub mod iostream;
#[path = "net/netutil/mod.rs"]
pub mod netutil;
#[path = "net/process/mod.rs"]
pub mod process;
#[path = "net/tcpclient/mod.rs"]
pub mod tcpclient;
#[path = "net/tcpserver/mod.rs"]
pub mod tcpserver;

// Layer 3: HTTP (src/http/).
#[path = "http/http1/mod.rs"]
pub mod http1;
#[path = "http/httpclient/mod.rs"]
pub mod httpclient;
#[path = "http/httpserver/mod.rs"]
pub mod httpserver;
#[path = "http/httputil/mod.rs"]
pub mod httputil;

// Layer 4: web (src/web/).
#[path = "web/routing/mod.rs"]
pub mod routing;
#[path = "web/template/mod.rs"]
pub mod template;
#[path = "web/web/mod.rs"]
pub mod web;
#[path = "web/websocket/mod.rs"]
pub mod websocket;

// Layer 5: tools (src/tools/).
#[path = "tools/log/mod.rs"]
pub mod log;
#[path = "tools/testing/mod.rs"]
pub mod testing;

/// The README's example, compiled and run as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
