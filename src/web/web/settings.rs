//! [`Settings`]: an application's configuration, as typed fields
//! (Tornado's `settings` keyword arguments).

use std::fmt;
use std::sync::Arc;

use super::{Context, HandlerFactory};

/// A function writing the access log line of a finished request.
pub type LogFunction = Arc<dyn Fn(&Context) + Send + Sync>;

/// An [`Application`](super::Application)'s settings (Tornado's
/// `Application` keyword arguments), each with Tornado's default.
///
/// ```
/// use supercell::web::Settings;
///
/// let settings = Settings { debug: true, ..Settings::default() };
/// assert!(settings.serve_traceback());
/// ```
#[derive(Clone, Default)]
pub struct Settings {
    /// Development mode: turns on `serve_traceback` unless that is set.
    /// Default: off.
    pub debug: bool,
    /// Compresses responses with gzip for clients that accept it (Tornado's
    /// `compress_response`): text and the textual application types
    /// (JSON, JavaScript, XML, SVG), when the body is at least 1 KiB or
    /// streams; every response then says `Vary: Accept-Encoding`.
    /// Default: off.
    pub compress_response: bool,
    /// Whether error pages show the error that caused them. Default:
    /// `debug`.
    pub serve_traceback: Option<bool>,
    /// The host whose virtual-host routes also answer requests for any
    /// host when no `X-Real-Ip` header says a proxy sent them (see
    /// [`Application::add_handlers`](super::Application::add_handlers)).
    /// Default: none.
    pub default_host: Option<String>,
    /// The handler answering requests no route matches (Tornado's
    /// `default_handler_class` with its `default_handler_args`). Default:
    /// a `404 Not Found` page.
    pub default_handler: Option<HandlerFactory>,
    /// Where [`Context::authenticated`](super::Context::authenticated)
    /// sends users who are not logged in. Default: none.
    pub login_url: Option<String>,
    /// Writes the access log line of each request instead of the
    /// standard one (Tornado's `log_function`). Default: none.
    pub log_function: Option<LogFunction>,
}

impl Settings {
    /// Whether error pages show the error that caused them.
    pub fn serve_traceback(&self) -> bool {
        self.serve_traceback.unwrap_or(self.debug)
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("debug", &self.debug)
            .field("compress_response", &self.compress_response)
            .field("serve_traceback", &self.serve_traceback)
            .field("default_host", &self.default_host)
            .field("default_handler", &self.default_handler.is_some())
            .field("login_url", &self.login_url)
            .field("log_function", &self.log_function.is_some())
            .finish()
    }
}
