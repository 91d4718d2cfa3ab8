//! [`RequestHandler`]: the methods a handler overrides (Tornado's
//! `RequestHandler` subclass hooks); the base-class API is on
//! [`Context`].

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

use super::{Context, CurrentUser, ETag, HttpError, WebError, WebResult};
use crate::template::{BaseLoader, Namespace};

/// Tornado's default `SUPPORTED_METHODS`.
pub const DEFAULT_SUPPORTED_METHODS: &[&str] =
    &["GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS"];

/// What a method a handler does not implement answers: `405`.
fn not_implemented() -> impl Future<Output = WebResult> + Send {
    std::future::ready(Err(HttpError::new(405).into()))
}

/// A request handler (Tornado's `RequestHandler` subclass): one value is
/// made per request by the route's factory (which plays `initialize`),
/// then [`prepare`](Self::prepare), the method named by the request's
/// verb, and [`on_finish`](Self::on_finish) run in turn. Each receives
/// the request's [`Context`], which holds Tornado's base-class API
/// (`write`, `finish`, `set_header`, `get_argument`, cookies, ...).
///
/// Every method has a default: verbs answer `405 Method Not Allowed`, the
/// other hooks do nothing. When the verb method returns `Ok` without
/// finishing, the response is finished for it; when it returns an
/// error, the error decides the response (see [`WebError`]).
///
/// ```
/// use supercell::web::{Context, RequestHandler, WebResult};
///
/// struct Greeter {
///     greeting: String,
/// }
///
/// impl RequestHandler for Greeter {
///     async fn get(&mut self, cx: &mut Context) -> WebResult {
///         let name = cx.get_argument_or("name", "world")?;
///         cx.write(format!("{}, {name}!", self.greeting))?;
///         Ok(())
///     }
/// }
/// ```
pub trait RequestHandler: Send + Sized + 'static {
    /// The methods this handler answers; any other is refused with `405`
    /// before `prepare`. Default: GET, HEAD, POST, DELETE, PATCH, PUT,
    /// OPTIONS.
    const SUPPORTED_METHODS: &'static [&'static str] = DEFAULT_SUPPORTED_METHODS;

    /// Whether the body is handed to [`data_received`](Self::data_received)
    /// piece by piece as it arrives (Tornado's `@stream_request_body`)
    /// instead of being read whole before the verb method runs.
    /// `prepare` then runs when the head arrives, before the body, and may
    /// change the body limits (`Context::set_max_body_size`). Default:
    /// `false`.
    const STREAM_REQUEST_BODY: bool = false;

    /// Sets headers every response of this handler starts with (called
    /// as the response is reset: when the handler starts, and before an
    /// error page). Default: nothing.
    fn set_default_headers(&mut self, cx: &mut Context) {
        let _ = cx;
    }

    /// Checks the request's XSRF token (Tornado's `check_xsrf_cookie`),
    /// before `prepare`, for every method but `GET`, `HEAD` and `OPTIONS`
    /// when the `xsrf_cookies` setting is on. Default:
    /// [`Context::check_xsrf_cookie`].
    fn check_xsrf_cookie(&mut self, cx: &mut Context) -> WebResult {
        cx.check_xsrf_cookie()
    }

    /// Runs before the verb method; finishing the response here ends the
    /// request. Default: nothing.
    fn prepare(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let _ = cx;
        async { Ok(()) }
    }

    /// A piece of a streamed body (only with
    /// [`STREAM_REQUEST_BODY`](Self::STREAM_REQUEST_BODY)). An error ends
    /// the request as from a verb method. Default: refuses the body with
    /// `400`.
    fn data_received(
        &mut self,
        cx: &mut Context,
        chunk: Bytes,
    ) -> impl Future<Output = WebResult> + Send {
        let _ = (cx, chunk);
        std::future::ready(Err(HttpError::new(400)
            .log_message("this handler does not take a streamed body")
            .into()))
    }

    /// Answers `GET`.
    fn get(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let _ = cx;
        not_implemented()
    }

    /// Answers `HEAD`.
    fn head(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let _ = cx;
        not_implemented()
    }

    /// Answers `POST`.
    fn post(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let _ = cx;
        not_implemented()
    }

    /// Answers `DELETE`.
    fn delete(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let _ = cx;
        not_implemented()
    }

    /// Answers `PATCH`.
    fn patch(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let _ = cx;
        not_implemented()
    }

    /// Answers `PUT`.
    fn put(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let _ = cx;
        not_implemented()
    }

    /// Answers `OPTIONS`.
    fn options(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let _ = cx;
        not_implemented()
    }

    /// Answers a method in [`SUPPORTED_METHODS`](Self::SUPPORTED_METHODS)
    /// that is none of the seven above (WebDAV's `PROPFIND`, say).
    /// Default: `405`.
    fn other_method(&mut self, cx: &mut Context) -> impl Future<Output = WebResult> + Send {
        let _ = cx;
        not_implemented()
    }

    /// Logs an error a handler method failed with (Tornado's
    /// `log_exception`), before the error page is sent. Default:
    /// [`log_exception`](super::log_exception): an [`HttpError`] with a
    /// log message as a warning on the general log, any other error on the
    /// application log. A panic here is caught and logged as the
    /// request's failure.
    fn log_exception(&mut self, cx: &Context, error: &WebError) {
        super::log_exception(cx, error);
    }

    /// Writes the page of an error response; the status and reason are
    /// set and the output cleared before it is called, and the response
    /// is finished after it unless it did. `error` is what caused it, if
    /// anything did. Default: a small HTML page with the status and
    /// reason, or with `serve_traceback` on, the error as plain text.
    fn write_error(
        &mut self,
        cx: &mut Context,
        status: u16,
        error: Option<&WebError>,
    ) -> impl Future<Output = WebResult> + Send {
        std::future::ready(cx.write_default_error_page(status, error))
    }

    /// Runs after the response is finished, for cleanup and logging (not
    /// for output). Default: nothing.
    fn on_finish(&mut self, cx: &mut Context) {
        let _ = cx;
    }

    /// Runs when the client's connection closed before the response was
    /// finished: the request's work under way is cancelled (its future
    /// dropped) first. Default: nothing.
    fn on_connection_close(&mut self, cx: &mut Context) {
        let _ = cx;
    }

    /// The user the request is authenticated as, for
    /// [`Context::current_user`] (Tornado's `get_current_user`), asked at
    /// most once per request and only when needed: usually read from a
    /// signed cookie. A user found asynchronously (in a database) is set
    /// with [`Context::set_current_user`] in `prepare` instead. Default:
    /// nobody.
    fn get_current_user(cx: &Context) -> Option<CurrentUser> {
        let _ = cx;
        None
    }

    /// Where [`Context::authenticated`] sends users who are not logged in
    /// (Tornado's `get_login_url`). Default: the `login_url` setting, an
    /// error without one.
    fn get_login_url(cx: &Context) -> WebResult<String> {
        cx.settings()
            .login_url
            .clone()
            .ok_or_else(|| super::error::usage("authenticated needs the login_url setting"))
    }

    /// Decodes an argument from the request (a path group, or a query or
    /// form value; `name` says which) into text (Tornado's
    /// `decode_argument`). Default: UTF-8, `400 Bad Request` when it is
    /// not.
    fn decode_argument(cx: &Context, value: &[u8], name: &str) -> WebResult<String> {
        let _ = cx;
        super::decode_argument(value, name)
    }

    /// The `ETag` of a finished response with status 200 to `GET` or
    /// `HEAD` that set none (Tornado's `compute_etag`), from the body
    /// written; `None` for no `ETag`. Default: a 64-bit hash of the
    /// body, sent as hex in quotes ([`Context::body_etag`]). Another tag
    /// is an [`ETag::Value`], checked as any header value is
    /// (`HeaderValue::from_str(&text).ok().map(ETag::Value)`).
    fn compute_etag(cx: &Context) -> Option<ETag> {
        cx.body_etag()
    }

    /// Adds names to the namespace of every template this handler
    /// renders (Tornado's `get_template_namespace`, overridden): the
    /// defaults (`request`, `current_user`, `static_url`, ...; see
    /// [`Context::render_string`]) are in `namespace` already, and the
    /// arguments of each render call are added after, over these.
    /// Default: nothing added.
    fn get_template_namespace(cx: &Context, namespace: &mut Namespace) {
        let _ = (cx, namespace);
    }

    /// The directory of the templates this handler renders (Tornado's
    /// `get_template_path`); `None` for the application's loader alone.
    /// Default: the `template_path` setting.
    fn get_template_path(cx: &Context) -> Option<PathBuf> {
        cx.settings().template_path.clone()
    }

    /// Makes the loader of the templates in `template_path` (Tornado's
    /// `create_template_loader`); it is kept for that path, for every
    /// handler of the application. Default:
    /// [`Application::new_template_loader`](super::Application::new_template_loader).
    fn create_template_loader(cx: &Context, template_path: &Path) -> Arc<dyn BaseLoader> {
        cx.application().new_template_loader(template_path)
    }

    /// The HTML linking the script files of the UI modules a rendered
    /// page used, put before its last `</body>` (Tornado's
    /// `render_linked_js`). Default:
    /// [`default_render_linked_js`](super::default_render_linked_js).
    fn render_linked_js(cx: &Context, js_files: &[String]) -> WebResult<String> {
        super::default_render_linked_js(cx, js_files)
    }

    /// The HTML holding the scripts the UI modules of a rendered page
    /// embed, put before its last `</body>` (Tornado's
    /// `render_embed_js`). Default:
    /// [`default_render_embed_js`](super::default_render_embed_js).
    fn render_embed_js(cx: &Context, js_embed: &[String]) -> WebResult<String> {
        let _ = cx;
        Ok(super::default_render_embed_js(js_embed))
    }

    /// The HTML linking the style sheets of the UI modules a rendered
    /// page used, put before its `</head>` (Tornado's
    /// `render_linked_css`). Default:
    /// [`default_render_linked_css`](super::default_render_linked_css).
    fn render_linked_css(cx: &Context, css_files: &[String]) -> WebResult<String> {
        super::default_render_linked_css(cx, css_files)
    }

    /// The HTML holding the styles the UI modules of a rendered page
    /// embed, put before its `</head>` (Tornado's `render_embed_css`).
    /// Default:
    /// [`default_render_embed_css`](super::default_render_embed_css).
    fn render_embed_css(cx: &Context, css_embed: &[String]) -> WebResult<String> {
        let _ = cx;
        Ok(super::default_render_embed_css(css_embed))
    }
}
