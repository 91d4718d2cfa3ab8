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
//!
//! Signed values (Tornado's secure cookies, versions 1 and 2,
//! byte-compatible with Tornado) are made and checked with a
//! [`CookieSecret`]:
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use supercell::web::{
//!     CookieSecret, DEFAULT_MAX_AGE_DAYS, DEFAULT_SIGNED_VALUE_MIN_VERSION, SignedValueError,
//!     SignedValueVersion, create_signed_value_at, decode_signed_value_at,
//! };
//!
//! let secret = CookieSecret::from("a long, random sequence of bytes");
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//! let signed =
//!     create_signed_value_at(&secret, "user", b"alice", SignedValueVersion::V2, now).unwrap();
//! assert!(signed.starts_with("2|1:0|10:1700000000|4:user|8:YWxpY2U=|"));
//!
//! let min = DEFAULT_SIGNED_VALUE_MIN_VERSION;
//! let read = |name: &str, age: Duration| {
//!     decode_signed_value_at(&secret, name, &signed, DEFAULT_MAX_AGE_DAYS, min, now + age)
//! };
//! assert_eq!(read("user", Duration::from_secs(60)).unwrap(), b"alice");
//! assert_eq!(read("admin", Duration::from_secs(60)), Err(SignedValueError::NameMismatch));
//! assert_eq!(read("user", Duration::from_secs(32 * 86_400)), Err(SignedValueError::Expired));
//! ```
//!
//! XSRF tokens are masked anew each time they are handed out, and compare
//! equal once decoded:
//!
//! ```
//! use supercell::web::{
//!     XsrfTokenVersion, decode_xsrf_token, encode_xsrf_token, new_xsrf_token, xsrf_tokens_equal,
//! };
//!
//! let raw = new_xsrf_token();
//! let first = encode_xsrf_token(&raw, 1_700_000_000, XsrfTokenVersion::V2);
//! let second = encode_xsrf_token(&raw, 1_700_000_000, XsrfTokenVersion::V2);
//! let a = decode_xsrf_token(&first).unwrap();
//! let b = decode_xsrf_token(&second).unwrap();
//! assert!(xsrf_tokens_equal(&a.token, &b.token));
//! assert_eq!(a.timestamp, Some(1_700_000_000));
//! ```

mod application;
mod arguments;
mod context;
mod cookie;
mod delegate;
mod error;
mod error_handler;
mod etag;
mod exact_routes;
mod execute;
mod fallback;
mod guards;
mod gzip_transform;
mod handler;
mod header_text;
mod held_headers;
mod hex;
mod hooks;
mod output;
mod output_buffer;
mod page_modules;
mod page_resources;
mod redirect_handler;
mod render;
mod route;
mod secure_cookie;
mod settings;
mod signed_value;
mod static_file;
mod switching;
mod tower_service;
mod transform;
mod ui;
mod xsrf;
mod xsrf_token;

pub use application::Application;
pub use arguments::{ArgumentSource, decode_argument};
pub use context::Context;
pub use cookie::{CookieOptions, SameSite};
pub use delegate::AppMessage;
pub use error::{Finish, HttpError, MissingArgumentError, UsageError, WebError, WebResult};
pub use error_handler::ErrorHandler;
pub use etag::ETag;
pub use execute::{log_exception, send_error};
pub use fallback::{Fallback, FallbackHandler, TowerService};
pub use gzip_transform::GzipTransform;
pub use handler::{DEFAULT_SUPPORTED_METHODS, RequestHandler};
pub use header_text::HeaderText;
pub use hooks::CurrentUser;
pub use page_resources::{
    default_render_embed_css, default_render_embed_js, default_render_linked_css,
    default_render_linked_js, is_absolute,
};
pub use redirect_handler::RedirectHandler;
pub use route::{HandlerFactory, Route, url};
pub use settings::{DEFAULT_WEBSOCKET_MAX_MESSAGE_SIZE, LogFunction, Settings};
pub use signed_value::{
    CookieSecret, DEFAULT_MAX_AGE_DAYS, DEFAULT_SIGNED_VALUE_MIN_VERSION,
    DEFAULT_SIGNED_VALUE_VERSION, MAX_SUPPORTED_SIGNED_VALUE_VERSION, SignedValueError,
    SignedValueVersion, create_signed_value, create_signed_value_at, decode_signed_value,
    decode_signed_value_at, get_signature_key_version,
};
pub use static_file::{
    ContentInfo, ContentStream, DefaultStaticFiles, StaticFileHandler, StaticFiles,
    StaticHandlerArgs, StaticResource, default_set_headers, default_should_return_304,
};
pub use tower_service::ServiceError;
pub use transform::{OutputTransform, TransformFactory};
pub use ui::{
    TemplateHandler, UiMethod, UiMethods, UiModule, UiModuleFactory, UiModules, ui_method,
    ui_module,
};
pub use xsrf_token::{
    DecodedXsrfToken, XSRF_TOKEN_LEN, XsrfTokenError, XsrfTokenVersion, decode_xsrf_token,
    encode_xsrf_token, encode_xsrf_token_with_mask, new_xsrf_token, xsrf_tokens_equal,
};
