//! Flexible routing (Tornado's `tornado.routing`): [`Rule`]s pair a
//! [`Matcher`] with a target; a [`RuleRouter`] sends each request to the
//! first rule whose matcher accepts it.
//!
//! - Matchers: [`PathMatches`] (a path regex, its groups becoming
//!   [`PathArgs`], and the URL rebuilt by
//!   [`RuleRouter::reverse_url`]), [`HostMatches`],
//!   [`DefaultHostMatches`], [`AnyMatches`], or any [`Matcher`].
//! - Targets: for a router that serves connections, anything that is a
//!   [`Router`]: a nested [`RuleRouter`], any connection delegate
//!   ([`DelegateTarget`]), a request callback ([`CallbackTarget`]). The
//!   web [`Application`](crate::web::Application) routes to request
//!   handlers with these same rules and matchers.
//! - Lookups cost the same with ten rules or a thousand: rules are
//!   indexed by the literal text their path patterns start with.
//!
//! ```
//! use std::sync::Arc;
//!
//! use supercell::httpserver::{HttpServer, HttpServerSettings};
//! use supercell::httputil::HttpHeaders;
//! use supercell::iostream::IoStream;
//! use supercell::routing::{CallbackTarget, HostMatches, PathMatches, Router, Rule, RuleRouter};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let hello = CallbackTarget::new(|request: supercell::httputil::HttpServerRequest, mut writer: supercell::http1::ResponseWriter| async move {
//!     let body = format!("hello from {}", request.path());
//!     let _ = writer.respond(200, HttpHeaders::new(), body).await;
//! });
//! let api = RuleRouter::new(vec![Rule::new(
//!     PathMatches::new("/api/.*")?,
//!     Arc::new(hello) as Arc<dyn Router>,
//! )]);
//! let router = RuleRouter::new(vec![Rule::new(
//!     HostMatches::new("example\\.com")?,
//!     Arc::new(api) as Arc<dyn Router>,
//! )]);
//! let server = HttpServer::new(Arc::new(router), HttpServerSettings::default());
//! let addrs = server.listen(0, Some("127.0.0.1"))?;
//!
//! let client = IoStream::connect(addrs[0]).await?;
//! client
//!     .write(&b"GET /api/x HTTP/1.1\r\nHost: example.com\r\n\r\nGET /api/x HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n"[..])
//!     .await?;
//! let responses = String::from_utf8(client.read_until_close().await?.to_vec())?;
//! assert!(responses.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(responses.contains("hello from /api/x"));
//! assert!(responses.contains("HTTP/1.1 404 Not Found\r\n"));
//! # server.stop();
//! # Ok(())
//! # }
//! ```

mod error;
mod matcher;
mod path_args;
mod path_matches;
mod prefix_index;
mod router;
mod rule;
mod rule_router;
mod serve;
mod targets;

pub use error::RouteError;
pub use matcher::{AnyMatches, DefaultHostMatches, HostMatches, Matcher};
pub use path_args::PathArgs;
pub use path_matches::PathMatches;
pub use router::{Declined, RoutedMessage, Router};
pub use rule::Rule;
pub use rule_router::{ReverseUrl, ReversibleRuleRouter, RuleRouter};
pub use serve::RoutingMessage;
pub use targets::{CallbackTarget, DelegateTarget};
