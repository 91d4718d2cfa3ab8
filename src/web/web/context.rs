//! [`Context`]: one request and its response under construction, the
//! API Tornado's handlers inherit from `RequestHandler`.

use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

use super::held_headers::HeldHeaders;
use super::hooks::Hooks;
use super::output_buffer::OutputBuffer;
use super::xsrf::RawXsrfToken;
use super::{Application, CurrentUser, OutputTransform, Settings, WebResult};
use crate::http1::ResponseWriter;
use crate::httputil::{HttpConnection, HttpHeaders, HttpServerRequest};

/// One request and the response being built for it (the API a Tornado
/// handler inherits from `RequestHandler`): every [`RequestHandler`]
/// method receives it.
///
/// - The request: [`request`](Self::request), the path arguments
///   ([`path_args`](Self::path_args), [`path_kwarg`](Self::path_kwarg)),
///   the query and form arguments (`get_argument` and its family),
///   [`json_body`](Self::json_body).
/// - The response: [`set_status`](Self::set_status),
///   [`set_header`](Self::set_header) and its family,
///   [`write`](Self::write), [`write_json`](Self::write_json),
///   [`flush`](Self::flush), [`finish`](Self::finish),
///   [`redirect`](Self::redirect), [`clear`](Self::clear).
/// - The application: [`application`](Self::application),
///   [`settings`](Self::settings), [`reverse_url`](Self::reverse_url).
///
/// [`RequestHandler`]: super::RequestHandler
pub struct Context {
    pub(super) request: HttpServerRequest,
    pub(super) app: Application,
    /// The write side; `None` once a streamed response is finished or the
    /// request detached (a response sent whole keeps it, done, until the
    /// context goes).
    pub(super) writer: Option<ResponseWriter>,
    pub(super) path_args: Vec<Option<String>>,
    pub(super) status: u16,
    pub(super) headers: HttpHeaders,
    /// `Server` and `Content-Type`, while not in `headers`.
    pub(super) held: HeldHeaders,
    /// Output written and not yet flushed.
    pub(super) buffer: OutputBuffer,
    pub(super) headers_written: bool,
    pub(super) finished: bool,
    /// The handler type's functions.
    pub(super) hooks: &'static Hooks,
    /// The current user, once asked for or set.
    pub(super) current_user: OnceLock<Option<CurrentUser>>,
    /// What few requests use, made on first use.
    pub(super) extras: ExtrasSlot,
}

/// The parts of a [`Context`] that few requests use, kept apart so that
/// a context stays small: it moves a few times as a request starts.
#[derive(Default)]
pub(super) struct Extras {
    /// The reason phrase, when not the standard one.
    pub(super) reason: Option<String>,
    pub(super) path_kwargs: Vec<(String, Option<String>)>,
    /// Cookies set, by name, as `Set-Cookie` values.
    pub(super) new_cookies: Vec<(String, String)>,
    /// The request's raw XSRF token, once read or made.
    pub(super) raw_xsrf: Option<RawXsrfToken>,
    /// The masked XSRF token handed out, once asked for.
    pub(super) xsrf_token: Option<String>,
    /// What changes the output on its way out (gzip with
    /// `compress_response` on, and the application's own).
    pub(super) transforms: Vec<Box<dyn OutputTransform>>,
}

/// A context's [`Extras`], once made. Its drop tests for them where the
/// context is dropped, and drops them in a call of its own: most
/// contexts have none.
#[derive(Default)]
pub(super) struct ExtrasSlot(ManuallyDrop<Option<Box<Extras>>>);

impl Deref for ExtrasSlot {
    type Target = Option<Box<Extras>>;

    fn deref(&self) -> &Option<Box<Extras>> {
        &self.0
    }
}

impl DerefMut for ExtrasSlot {
    fn deref_mut(&mut self) -> &mut Option<Box<Extras>> {
        &mut self.0
    }
}

impl Drop for ExtrasSlot {
    #[inline(always)]
    fn drop(&mut self) {
        // Taken out, the slot holds `None`, which needs no drop.
        if let Some(extras) = self.0.take() {
            drop_extras(extras);
        }
    }
}

/// Drops `extras`.
#[inline(never)]
fn drop_extras(extras: Box<Extras>) {
    drop(extras);
}

impl Extras {
    /// The transforms of `extras` (given the field, so that the
    /// context's other fields stay free to borrow).
    pub(super) fn transforms(extras: &mut Option<Box<Extras>>) -> &mut [Box<dyn OutputTransform>] {
        match extras {
            Some(extras) => &mut extras.transforms,
            None => &mut [],
        }
    }
}

impl Context {
    /// The parts few requests use, if any was used.
    pub(super) fn extras(&self) -> Option<&Extras> {
        self.extras.as_deref()
    }

    /// The parts few requests use, made if needed.
    pub(super) fn extras_mut(&mut self) -> &mut Extras {
        self.extras.get_or_insert_with(Box::default)
    }

    /// Makes the output transforms of the application, if it has some,
    /// for this request: the first step of a handler's run (made here
    /// rather than with the context, which is then written in one piece).
    pub(super) fn make_transforms(&mut self) {
        debug_assert!(self.extras.is_none(), "transforms are made first");
        if self.app.transforms_output() {
            *self.extras = Some(self.app.transforming_extras(&self.request));
        }
    }

    /// Whether the output goes through transforms.
    pub(super) fn has_transforms(&self) -> bool {
        self.extras()
            .is_some_and(|extras| !extras.transforms.is_empty())
    }

    /// The reason phrase set, when not the standard one.
    pub(super) fn custom_reason(&self) -> Option<&str> {
        self.extras()?.reason.as_deref()
    }

    /// Sets the reason phrase (`None`: the standard one).
    pub(super) fn set_custom_reason(&mut self, reason: Option<String>) {
        match (&mut *self.extras, reason) {
            (Some(extras), reason) => extras.reason = reason,
            (None, None) => {}
            (None, Some(reason)) => self.extras_mut().reason = Some(reason),
        }
    }

    /// The request.
    pub fn request(&self) -> &HttpServerRequest {
        &self.request
    }

    /// The request, to change.
    pub fn request_mut(&mut self) -> &mut HttpServerRequest {
        &mut self.request
    }

    /// The application serving the request.
    pub fn application(&self) -> &Application {
        &self.app
    }

    /// The application's settings.
    pub fn settings(&self) -> &Settings {
        self.app.settings()
    }

    /// The path pattern's positional groups, percent-decoded (`None` for a
    /// group that took no part in the match).
    pub fn path_args(&self) -> &[Option<String>] {
        &self.path_args
    }

    /// Positional group `index`, if it exists and took part in the match.
    pub fn path_arg(&self, index: usize) -> Option<&str> {
        self.path_args.get(index)?.as_deref()
    }

    /// The path pattern's named groups, percent-decoded, in the pattern's
    /// order.
    pub fn path_kwargs(&self) -> &[(String, Option<String>)] {
        self.extras().map_or(&[], |extras| &extras.path_kwargs)
    }

    /// Named group `name`, if the pattern has it and it took part.
    pub fn path_kwarg(&self, name: &str) -> Option<&str> {
        self.path_kwargs()
            .iter()
            .find(|(key, _)| key == name)?
            .1
            .as_deref()
    }

    /// The URL of the route named `name` with `args` in its groups
    /// (Tornado's `reverse_url`).
    pub fn reverse_url(
        &self,
        name: &str,
        args: &[&str],
    ) -> Result<String, crate::routing::RouteError> {
        self.app.reverse_url(name, args)
    }

    /// Overrides the `max_body_size` of the server for this request's
    /// body (Tornado's `set_max_body_size`): for a handler streaming its
    /// body, from `prepare`.
    pub fn set_max_body_size(&mut self, bytes: u64) {
        if let Some(writer) = &mut self.writer {
            writer.set_max_body_size(bytes);
        }
    }

    /// Overrides the `body_timeout` of the server for this request's body:
    /// for a handler streaming its body, from `prepare`.
    pub fn set_body_timeout(&mut self, timeout: Option<std::time::Duration>) {
        if let Some(writer) = &mut self.writer {
            writer.set_body_timeout(timeout);
        }
    }

    /// The user the request is authenticated as (Tornado's
    /// `current_user`): the one set with
    /// [`set_current_user`](Self::set_current_user), or else what the
    /// handler's [`get_current_user`](super::RequestHandler::get_current_user)
    /// finds, asked once.
    pub fn current_user(&self) -> Option<&CurrentUser> {
        self.current_user
            .get_or_init(|| (self.hooks.get_current_user)(self))
            .as_ref()
    }

    /// The current user, if there is one and it is a `T`.
    pub fn current_user_as<T: std::any::Any>(&self) -> Option<&T> {
        self.current_user()?.downcast_ref()
    }

    /// Sets the current user (Tornado's `self.current_user = ...`, for a
    /// user looked up asynchronously in `prepare`).
    pub fn set_current_user(&mut self, user: Option<CurrentUser>) {
        self.current_user = OnceLock::from(user);
    }

    /// Where users who are not logged in are sent: the handler's
    /// [`get_login_url`](super::RequestHandler::get_login_url).
    pub fn get_login_url(&self) -> WebResult<String> {
        (self.hooks.get_login_url)(self)
    }

    /// Takes the request and the write side of its response out of the
    /// context, for something else to answer it (what
    /// [`FallbackHandler`](super::FallbackHandler) does): the response
    /// counts as finished here. `None` once the response is started.
    pub fn detach(&mut self) -> Option<(HttpServerRequest, ResponseWriter)> {
        if self.headers_written || self.finished {
            return None;
        }
        let writer = self.writer.take()?;
        self.finished = true;
        self.headers_written = true;
        Some((self.request.clone(), writer))
    }

    /// Fails with a [`UsageError`](super::UsageError) unless setting
    /// `name` is set (Tornado's `require_setting`; see
    /// [`Settings::is_set`]): "You must define the 'cookie_secret' setting
    /// in your application to use secure cookies".
    pub fn require_setting(&self, name: &str, feature: &str) -> WebResult {
        match self.settings().is_set(name) {
            Some(true) => Ok(()),
            Some(false) => Err(super::error::usage(format!(
                "You must define the '{name}' setting in your application to use {feature}"
            ))),
            None => Err(super::error::usage(format!(
                "there is no setting named '{name}'"
            ))),
        }
    }

    /// Whether the response is finished.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Whether the response head is written (after a
    /// [`flush`](Self::flush)).
    pub fn headers_written(&self) -> bool {
        self.headers_written
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("request", &self.request)
            .field("status", &self.status)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
