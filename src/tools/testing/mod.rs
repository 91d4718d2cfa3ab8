//! Testing support (Tornado's `tornado.testing`).
//!
//! - [`bind_unused_port`]: a listening socket on a free port of
//!   `127.0.0.1` (never `localhost`).
//! - [`get_async_test_timeout`]: the time an asynchronous test may take,
//!   from the `ASYNC_TEST_TIMEOUT` environment variable (seconds), 5 s by
//!   default.
//! - [`gen_test`] (inside `#[tokio::test]`) and [`run_test`] (in a plain
//!   `#[test]`, on a new [`IoLoop`](crate::ioloop::IoLoop) of its own): run
//!   a test body under that timeout, failing with a message that names the
//!   limit; [`gen_test_with_timeout`] and [`run_test_with_timeout`] take
//!   an explicit limit, as Tornado's `@gen_test(timeout=...)`.
//! - [`ExpectLog`]: expect a log message on a `tracing` target, keep it
//!   out of the output, fail the test when it does not come;
//!   [`LogCapture`] keeps every record of a test to look at.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::time::Duration;
//! use supercell::testing::{ExpectLog, bind_unused_port, run_test};
//! use supercell::util::log_target::APP_LOG;
//!
//! let (listener, port) = bind_unused_port().unwrap();
//! assert_eq!(listener.local_addr().unwrap().to_string(), format!("127.0.0.1:{port}"));
//!
//! // A fresh loop, a time limit, and an expected error kept out of the logs.
//! let echoed = run_test(|| async move {
//!     let expected = ExpectLog::new(APP_LOG, "Exception in callback").unwrap();
//!     supercell::ioloop::IoLoop::current().add_callback(|| panic!("boom"));
//!     let listener = tokio::net::TcpListener::from_std(listener).unwrap();
//!     let client = std::thread::spawn(move || {
//!         let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
//!         stream.write_all(b"ping").unwrap();
//!         let mut answer = String::new();
//!         stream.read_to_string(&mut answer).unwrap();
//!         answer
//!     });
//!     let (mut stream, _) = listener.accept().await.unwrap();
//!     let mut buf = [0; 4];
//!     tokio::io::AsyncReadExt::read_exact(&mut stream, &mut buf).await.unwrap();
//!     tokio::io::AsyncWriteExt::write_all(&mut stream, &buf).await.unwrap();
//!     drop(stream);
//!     supercell::r#gen::sleep(Duration::from_millis(1)).await;
//!     assert!(expected.matched());
//!     client
//! });
//! assert_eq!(echoed.join().unwrap(), "ping");
//! ```

mod expect_log;
mod gen_test;
mod interceptor;
mod log_capture;
mod log_record;
mod port;
mod timeout;

pub use expect_log::{ExpectLog, MissingLogError};
pub use gen_test::{gen_test, gen_test_with_timeout, run_test, run_test_with_timeout};
pub use log_capture::LogCapture;
pub use log_record::LogRecord;
pub use port::{bind_unused_port, bind_unused_port_with};
pub use timeout::{ASYNC_TEST_TIMEOUT_VAR, DEFAULT_ASYNC_TEST_TIMEOUT, get_async_test_timeout};
