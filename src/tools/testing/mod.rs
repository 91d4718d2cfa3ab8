//! Testing support (Tornado's `tornado.testing`).
//!
//! - [`HttpTestServer`]: an [`HttpServer`](crate::httpserver::HttpServer)
//!   for a request callback or a connection delegate on an unused port of
//!   `127.0.0.1`, with [`get_url`](HttpTestServer::get_url),
//!   [`http_port`](HttpTestServer::http_port) and
//!   [`fetch`](HttpTestServer::fetch) (a path on the server, or an
//!   absolute URL fetched as it is) through an
//!   [`AsyncHttpClient`](crate::httpclient::AsyncHttpClient); stopped with
//!   its connections on [`stop`](HttpTestServer::stop) or drop (Tornado's
//!   `AsyncHTTPTestCase`). HTTPS with [`https_settings`] (Tornado's
//!   `AsyncHTTPSTestCase`).
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
//! The log checks see the records of the thread that made them only, so
//! they see everything a test on a current-thread runtime does (the body,
//! its tasks, and the servers it started) and miss what runs on other
//! threads. Tests that check logs should use a current-thread runtime:
//! `#[tokio::test]` without a `flavor`, or [`run_test`].
//!
//! ```
//! use supercell::httpclient::HttpRequest;
//! use supercell::httputil::HttpHeaders;
//! use supercell::testing::{ExpectLog, HttpTestServer, run_test};
//! use supercell::util::log_target::APP_LOG;
//!
//! // A fresh loop, and a time limit from ASYNC_TEST_TIMEOUT.
//! run_test(|| async {
//!     let server = HttpTestServer::from_callback(|request, mut writer| async move {
//!         if request.path() == "/fail" {
//!             panic!("handler failed");
//!         }
//!         let body = format!("{} {}", request.method, request.path());
//!         writer.respond(200, HttpHeaders::new(), body).await.unwrap();
//!     })
//!     .unwrap();
//!
//!     let response = server.fetch(HttpRequest::new("/hello").method("POST").body("")).await;
//!     assert_eq!(response.code, 200);
//!     assert_eq!(&response.body[..], b"POST /hello");
//!     assert_eq!(response.request.url, server.get_url("/hello"));
//!
//!     // The failure is expected: its log line is checked and kept quiet.
//!     let expected = ExpectLog::new(APP_LOG, "Uncaught panic").unwrap();
//!     assert_eq!(server.fetch("/fail").await.code, 500);
//!     expected.finish().unwrap();
//!
//!     server.stop().await;
//! });
//! ```

mod expect_log;
mod gen_test;
mod http_test_server;
mod interceptor;
mod log_capture;
mod log_record;
mod port;
mod timeout;

pub use expect_log::{ExpectLog, MissingLogError};
pub use gen_test::{gen_test, gen_test_with_timeout, run_test, run_test_with_timeout};
pub use http_test_server::{HttpTestServer, https_settings};
pub use log_capture::LogCapture;
pub use log_record::LogRecord;
pub use port::{bind_unused_port, bind_unused_port_with};
pub use timeout::{ASYNC_TEST_TIMEOUT_VAR, DEFAULT_ASYNC_TEST_TIMEOUT, get_async_test_timeout};
