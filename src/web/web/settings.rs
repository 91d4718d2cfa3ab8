//! [`Settings`]: an application's configuration, as typed fields
//! (Tornado's `settings` keyword arguments).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::{
    Context, CookieOptions, CookieSecret, HandlerFactory, SameSite, StaticFiles, StaticHandlerArgs,
    UiMethods, UiModules, XsrfTokenVersion,
};
use crate::template::{BaseLoader, Whitespace};

/// The largest WebSocket message accepted by default, in bytes: 10 MiB.
pub const DEFAULT_WEBSOCKET_MAX_MESSAGE_SIZE: usize = 10 * 1024 * 1024;

/// A function writing the access log line of a finished request.
pub type LogFunction = Arc<dyn Fn(&Context) + Send + Sync>;

/// The XSRF cookie's name unless [`Settings::xsrf_cookie_name`] says
/// another.
const DEFAULT_XSRF_COOKIE_NAME: &str = "_xsrf";

/// An [`Application`](super::Application)'s settings (Tornado's
/// `Application` keyword arguments), each with Tornado's default.
///
/// ```
/// use supercell::web::Settings;
///
/// let settings = Settings { debug: true, ..Settings::default() };
/// assert!(settings.serve_traceback());
/// assert!(settings.autoreload());
/// assert!(!settings.static_hash_cache());
/// assert_eq!(settings.static_url_prefix, "/static/");
/// ```
#[derive(Clone)]
pub struct Settings {
    /// Development mode: turns on `autoreload` and `serve_traceback`,
    /// and turns off `static_hash_cache` and `compiled_template_cache`,
    /// unless those are set. Default:
    /// off.
    pub debug: bool,
    /// Restarts the process when its executable or a file given to
    /// [`autoreload::watch`](crate::autoreload::watch) changes (see
    /// [`autoreload`](crate::autoreload)): started by
    /// [`Application::new`](super::Application::new) inside a runtime, or
    /// else by [`Application::listen`](super::Application::listen).
    /// Default: `debug`.
    pub autoreload: Option<bool>,
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
    /// The secret signing secure cookies (and versioned secrets with the
    /// key version to sign with: Tornado's `cookie_secret` and
    /// `key_version`). Default: none (secure cookies fail).
    pub cookie_secret: Option<CookieSecret>,
    /// Checks the XSRF token of every request but `GET`, `HEAD` and
    /// `OPTIONS` (Tornado's `xsrf_cookies`). Default: off.
    pub xsrf_cookies: bool,
    /// The format XSRF tokens are handed out in. Default: 2 (masked).
    pub xsrf_cookie_version: XsrfTokenVersion,
    /// The attributes of the XSRF cookie (Tornado's
    /// `xsrf_cookie_kwargs`). Default: path `/`, `SameSite=Lax`.
    pub xsrf_cookie_kwargs: CookieOptions,
    /// The name of the XSRF cookie (Tornado 6.3's `xsrf_cookie_name`),
    /// such as `__Host-xsrf` for a cookie browsers keep to this host and
    /// send only over HTTPS (give it `secure` in `xsrf_cookie_kwargs`).
    /// The form argument stays `_xsrf`. Default: `_xsrf`.
    pub xsrf_cookie_name: String,
    /// Where [`Context::authenticated`](super::Context::authenticated)
    /// sends users who are not logged in. Default: none.
    pub login_url: Option<String>,
    /// Writes the access log line of each request instead of the
    /// standard one (Tornado's `log_function`). Default: none.
    pub log_function: Option<LogFunction>,
    /// The directory of the static files: with it, the application serves
    /// them under `static_url_prefix`, and `/favicon.ico` and
    /// `/robots.txt` from it, with a
    /// [`StaticFileHandler`](super::StaticFileHandler) (those routes come
    /// before the application's own), and
    /// [`Context::static_url`](super::Context::static_url) makes their
    /// URLs. Default: none.
    pub static_path: Option<PathBuf>,
    /// The path under which the static files are served. Default:
    /// `/static/`.
    pub static_url_prefix: String,
    /// How the static routes find, read and describe files, and how
    /// static URLs are made (Tornado's `static_handler_class`: the
    /// methods its subclass overrides). Default: none
    /// ([`DefaultStaticFiles`](super::DefaultStaticFiles)).
    pub static_handler_class: Option<Arc<dyn StaticFiles>>,
    /// The arguments of the static routes' handler, such as its
    /// `default_filename`. Default: none set.
    pub static_handler_args: StaticHandlerArgs,
    /// Whether the versions (content hashes) of static files are kept
    /// once computed, for each file's modification time, instead of
    /// computed anew for every static URL and response. Default: `!debug`.
    pub static_hash_cache: Option<bool>,
    /// The directory of the application's templates (Tornado's
    /// `template_path`), read by a [`Loader`](crate::template::Loader)
    /// made on first use. Default: none (rendering needs this or
    /// `template_loader`).
    pub template_path: Option<PathBuf>,
    /// The loader of the application's templates, in place of one made
    /// for `template_path` (Tornado's `template_loader`). Default: none.
    pub template_loader: Option<Arc<dyn BaseLoader>>,
    /// The function escaping `{{ }}` output in templates from
    /// `template_path`, `None` for no escaping (Tornado's `autoescape`).
    /// Default: `xhtml_escape`.
    pub autoescape: Option<String>,
    /// The whitespace mode of templates from `template_path` (Tornado's
    /// `template_whitespace`). Default: none (`single` for `.html` and
    /// `.js` files, `all` for others).
    pub template_whitespace: Option<Whitespace>,
    /// Whether compiled templates are kept between requests (Tornado's
    /// `compiled_template_cache`); off, templates are read again for each
    /// request that renders. Default: not `debug`.
    pub compiled_template_cache: Option<bool>,
    /// Functions templates call by name (Tornado's `ui_methods`).
    /// Default: none.
    pub ui_methods: UiMethods,
    /// Page parts templates use with `{% module Name(...) %}` (Tornado's
    /// `ui_modules`), beside the built-in `Template`, `linkify` and
    /// `xsrf_form_html`. Default: none.
    pub ui_modules: UiModules,
    /// How often WebSocket connections are pinged to keep them alive
    /// (Tornado's `websocket_ping_interval`). Default: never.
    pub websocket_ping_interval: Option<Duration>,
    /// How long a WebSocket connection may go without a pong before it is
    /// closed (Tornado's `websocket_ping_timeout`). Default: three ping
    /// intervals, at least 30 seconds.
    pub websocket_ping_timeout: Option<Duration>,
    /// The largest WebSocket message accepted, in bytes (Tornado's
    /// `websocket_max_message_size`). Default: 10 MiB.
    pub websocket_max_message_size: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            debug: false,
            autoreload: None,
            compress_response: false,
            serve_traceback: None,
            default_host: None,
            default_handler: None,
            cookie_secret: None,
            xsrf_cookies: false,
            xsrf_cookie_version: super::xsrf::default_version(),
            xsrf_cookie_kwargs: CookieOptions {
                samesite: Some(SameSite::Lax),
                ..CookieOptions::default()
            },
            xsrf_cookie_name: DEFAULT_XSRF_COOKIE_NAME.to_owned(),
            login_url: None,
            log_function: None,
            static_path: None,
            static_url_prefix: "/static/".to_owned(),
            static_handler_class: None,
            static_handler_args: StaticHandlerArgs::default(),
            static_hash_cache: None,
            template_path: None,
            template_loader: None,
            autoescape: Some(crate::template::DEFAULT_AUTOESCAPE.to_owned()),
            template_whitespace: None,
            compiled_template_cache: None,
            ui_methods: UiMethods::new(),
            ui_modules: UiModules::new(),
            websocket_ping_interval: None,
            websocket_ping_timeout: None,
            websocket_max_message_size: DEFAULT_WEBSOCKET_MAX_MESSAGE_SIZE,
        }
    }
}

impl Settings {
    /// Whether error pages show the error that caused them.
    pub fn serve_traceback(&self) -> bool {
        self.serve_traceback.unwrap_or(self.debug)
    }

    /// Whether the process restarts when its files change.
    pub fn autoreload(&self) -> bool {
        self.autoreload.unwrap_or(self.debug)
    }

    /// How long a WebSocket connection may go without a pong: the
    /// setting, or else, with pings on, three intervals and at least 30
    /// seconds; `None` with pings off.
    ///
    /// ```
    /// use std::time::Duration;
    /// use supercell::web::Settings;
    ///
    /// let ping = |secs| Settings {
    ///     websocket_ping_interval: Some(Duration::from_secs(secs)),
    ///     ..Settings::default()
    /// };
    /// assert_eq!(Settings::default().websocket_ping_timeout(), None);
    /// assert_eq!(ping(5).websocket_ping_timeout(), Some(Duration::from_secs(30)));
    /// assert_eq!(ping(20).websocket_ping_timeout(), Some(Duration::from_secs(60)));
    /// assert_eq!(Settings::default().websocket_max_message_size, 10 * 1024 * 1024);
    /// ```
    pub fn websocket_ping_timeout(&self) -> Option<Duration> {
        let interval = self.websocket_ping_interval?;
        Some(
            self.websocket_ping_timeout
                .unwrap_or_else(|| (interval * 3).max(Duration::from_secs(30))),
        )
    }

    /// Whether setting `name` is set (given, or on for a switch), by its
    /// Tornado name; `None` for a name that is not a setting here.
    pub fn is_set(&self, name: &str) -> Option<bool> {
        Some(match name {
            "debug" => self.debug,
            "autoreload" => self.autoreload(),
            "compress_response" => self.compress_response,
            "serve_traceback" => self.serve_traceback(),
            "default_host" => self.default_host.is_some(),
            "default_handler_class" => self.default_handler.is_some(),
            "cookie_secret" => self.cookie_secret.is_some(),
            "xsrf_cookies" => self.xsrf_cookies,
            "login_url" => self.login_url.is_some(),
            "log_function" => self.log_function.is_some(),
            "static_path" => self.static_path.is_some(),
            "static_handler_class" => self.static_handler_class.is_some(),
            "static_hash_cache" => self.static_hash_cache(),
            "template_path" => self.template_path.is_some(),
            "template_loader" => self.template_loader.is_some(),
            "autoescape" => self.autoescape.is_some(),
            "template_whitespace" => self.template_whitespace.is_some(),
            "compiled_template_cache" => self.compiled_template_cache(),
            "ui_methods" => !self.ui_methods.is_empty(),
            "ui_modules" => !self.ui_modules.is_empty(),
            "websocket_ping_interval" => self.websocket_ping_interval.is_some(),
            "websocket_ping_timeout" => self.websocket_ping_timeout().is_some(),
            // Settings that always have a value: set unless left at
            // their default (or, for the prefix, empty).
            "xsrf_cookie_version" => true,
            "xsrf_cookie_kwargs" => {
                self.xsrf_cookie_kwargs != Settings::default().xsrf_cookie_kwargs
            }
            "xsrf_cookie_name" => self.xsrf_cookie_name != DEFAULT_XSRF_COOKIE_NAME,
            "static_url_prefix" => !self.static_url_prefix.is_empty(),
            "static_handler_args" => self.static_handler_args != StaticHandlerArgs::default(),
            "websocket_max_message_size" => true,
            _ => return None,
        })
    }

    /// Whether compiled templates are kept between requests.
    pub fn compiled_template_cache(&self) -> bool {
        self.compiled_template_cache.unwrap_or(!self.debug)
    }

    /// Whether static files' versions are kept once computed.
    pub fn static_hash_cache(&self) -> bool {
        self.static_hash_cache.unwrap_or(!self.debug)
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("debug", &self.debug)
            .field("autoreload", &self.autoreload)
            .field("compress_response", &self.compress_response)
            .field("serve_traceback", &self.serve_traceback)
            .field("default_host", &self.default_host)
            .field("default_handler", &self.default_handler.is_some())
            .field("cookie_secret", &self.cookie_secret)
            .field("xsrf_cookies", &self.xsrf_cookies)
            .field("xsrf_cookie_version", &self.xsrf_cookie_version)
            .field("xsrf_cookie_kwargs", &self.xsrf_cookie_kwargs)
            .field("xsrf_cookie_name", &self.xsrf_cookie_name)
            .field("login_url", &self.login_url)
            .field("log_function", &self.log_function.is_some())
            .field("static_path", &self.static_path)
            .field("static_url_prefix", &self.static_url_prefix)
            .field("static_handler_class", &self.static_handler_class.is_some())
            .field("static_handler_args", &self.static_handler_args)
            .field("static_hash_cache", &self.static_hash_cache)
            .field("template_path", &self.template_path)
            .field("template_loader", &self.template_loader.is_some())
            .field("autoescape", &self.autoescape)
            .field("template_whitespace", &self.template_whitespace)
            .field("compiled_template_cache", &self.compiled_template_cache)
            .field("ui_methods", &self.ui_methods.keys().collect::<Vec<_>>())
            .field("ui_modules", &self.ui_modules.keys().collect::<Vec<_>>())
            .field("websocket_ping_interval", &self.websocket_ping_interval)
            .field("websocket_ping_timeout", &self.websocket_ping_timeout)
            .field(
                "websocket_max_message_size",
                &self.websocket_max_message_size,
            )
            .finish()
    }
}
