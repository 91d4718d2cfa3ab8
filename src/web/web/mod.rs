//! The web framework (Tornado's `tornado.web`): an [`Application`] of
//! [`Route`]s to [`RequestHandler`]s, each request's [`Context`] holding
//! Tornado's handler API, and the built-in handlers (among them
//! [`StaticFileHandler`]).
//!
//! ```
//! use supercell::testing::HttpTestServer;
//! use supercell::web::{Application, Context, HttpError, RequestHandler, Settings, WebResult, url};
//!
//! struct MainHandler;
//!
//! impl RequestHandler for MainHandler {
//!     async fn get(&mut self, cx: &mut Context) -> WebResult {
//!         cx.write("Hello, world")?;
//!         Ok(())
//!     }
//! }
//!
//! struct StoryHandler {
//!     prefix: &'static str,
//! }
//!
//! impl RequestHandler for StoryHandler {
//!     async fn get(&mut self, cx: &mut Context) -> WebResult {
//!         let id: u32 = cx.path_arg(0).unwrap_or("").parse().map_err(|_| HttpError::new(404))?;
//!         cx.write(format!("{} {id}", self.prefix))?;
//!         Ok(())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = Application::new(
//!     vec![
//!         url("/", || MainHandler),
//!         url(r"/story/([0-9]+)", || StoryHandler { prefix: "story" }).name("story"),
//!     ],
//!     Settings::default(),
//! )?;
//! let server = HttpTestServer::new(app.clone())?;
//!
//! let story = server.fetch(app.reverse_url("story", &["7"])?).await;
//! assert_eq!((story.code, &story.body[..]), (200, &b"story 7"[..]));
//! let missing = server.fetch("/nowhere").await;
//! assert_eq!(missing.code, 404);
//! server.stop().await;
//! # Ok(())
//! # }
//! ```

mod application;
mod arguments;
mod context;
mod delegate;
mod error;
mod error_handler;
mod etag;
mod execute;
mod handler;
mod output;
mod redirect_handler;
mod route;
mod settings;
mod static_file;

pub use application::Application;
pub use arguments::{ArgumentSource, decode_argument};
pub use context::Context;
pub use delegate::AppMessage;
pub use error::{Finish, HttpError, MissingArgumentError, UsageError, WebError, WebResult};
pub use error_handler::ErrorHandler;
pub use execute::send_error;
pub use handler::{DEFAULT_SUPPORTED_METHODS, RequestHandler};
pub use redirect_handler::RedirectHandler;
pub use route::{HandlerFactory, Route, url};
pub use settings::{LogFunction, Settings};
pub use static_file::{
    ContentInfo, ContentStream, DefaultStaticFiles, StaticFileHandler, StaticFiles,
    StaticHandlerArgs,
};
