//! UI methods and modules (Tornado's `ui_methods` and `UIModule`): Rust
//! functions and reusable page parts that templates call, with what a
//! page needs from the request in [`TemplateHandler`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Weak};

use crate::httputil::HttpServerRequest;
use crate::template::{Namespace, Value};

use super::render::Page;
use super::{Application, CurrentUser, Settings};

/// What a UI method or module sees of the request being rendered
/// (Tornado passes the handler itself): the request, the application,
/// the current user and the path arguments.
#[derive(Clone)]
pub struct TemplateHandler {
    pub(super) request: HttpServerRequest,
    pub(super) app: Application,
    pub(super) current_user: Option<CurrentUser>,
    pub(super) path_args: Vec<Option<String>>,
    /// The page being rendered.
    pub(super) page: Weak<Page>,
}

impl TemplateHandler {
    /// The request.
    pub fn request(&self) -> &HttpServerRequest {
        &self.request
    }

    /// The application.
    pub fn application(&self) -> &Application {
        &self.app
    }

    /// The application's settings.
    pub fn settings(&self) -> &Settings {
        self.app.settings()
    }

    /// The user the request is authenticated as, if any.
    pub fn current_user(&self) -> Option<&CurrentUser> {
        self.current_user.as_ref()
    }

    /// The path pattern's positional groups.
    pub fn path_args(&self) -> &[Option<String>] {
        &self.path_args
    }

    /// The template `name` generated with the namespace of the page being
    /// rendered (its defaults and the handler's
    /// [`get_template_namespace`](super::RequestHandler::get_template_namespace))
    /// and `args` over it (Tornado's `UIModule.render_string`): for a UI
    /// module whose HTML is a template. Fails once the page is rendered.
    ///
    /// ```
    /// use supercell::template::{Namespace, Value, minijinja};
    /// use supercell::web::{TemplateHandler, UiModule};
    ///
    /// /// `{% module Entry(entry) %}`: an entry, laid out by `modules/entry.html`.
    /// struct Entry;
    ///
    /// impl UiModule for Entry {
    ///     fn render(
    ///         &self,
    ///         handler: &TemplateHandler,
    ///         args: &[Value],
    ///     ) -> Result<String, minijinja::Error> {
    ///         let mut namespace = Namespace::new();
    ///         namespace.insert_value("entry", args.first().cloned().unwrap_or_default());
    ///         handler.render_string("modules/entry.html", &namespace)
    ///     }
    /// }
    /// ```
    pub fn render_string(&self, name: &str, args: &Namespace) -> Result<String, minijinja::Error> {
        use minijinja::{Error, ErrorKind};
        let page = self.page.upgrade().ok_or_else(|| {
            Error::new(ErrorKind::InvalidOperation, "the page is rendered already")
        })?;
        let template = page
            .loader
            .load(name)
            .map_err(|e| Error::new(ErrorKind::TemplateNotFound, e.to_string()))?;
        let mut namespace = page.namespace.clone();
        namespace.extend(args);
        template
            .generate(&namespace)
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
    }

    /// The last value of argument `name` from the query or the form body,
    /// as UTF-8 (invalid bytes replaced) and stripped of surrounding
    /// whitespace.
    pub fn get_argument(&self, name: &str) -> Option<String> {
        let value = self.request.arguments().get(name)?.last()?;
        Some(String::from_utf8_lossy(value).trim().to_owned())
    }
}

impl fmt::Debug for TemplateHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemplateHandler")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

/// A function templates call by name (one of Tornado's `ui_methods`): it
/// gets the request being rendered, then the call's arguments (keyword
/// arguments come last, as one value for which `is_kwargs` holds).
pub type UiMethod =
    Arc<dyn Fn(&TemplateHandler, &[Value]) -> Result<Value, minijinja::Error> + Send + Sync>;

/// Makes a [`UiMethod`] of `method`.
pub fn ui_method<F>(method: F) -> UiMethod
where
    F: Fn(&TemplateHandler, &[Value]) -> Result<Value, minijinja::Error> + Send + Sync + 'static,
{
    Arc::new(method)
}

/// A reusable part of pages (Tornado's `UIModule`), written into a
/// template with `{% module Name(args) %}`. One is made per rendered page
/// the first time the page uses it; the resources it names (scripts,
/// style sheets, head and body additions) are added to the page by
/// [`Context::render`](super::Context::render), once per module.
pub trait UiModule: Send + Sync + 'static {
    /// The module's HTML for one use, written unescaped.
    fn render(&self, handler: &TemplateHandler, args: &[Value])
    -> Result<String, minijinja::Error>;

    /// JavaScript put in a `<script>` block at the end of the body.
    fn embedded_javascript(&self) -> Option<String> {
        None
    }

    /// Script files linked at the end of the body (relative paths go
    /// through `static_url`).
    fn javascript_files(&self) -> Vec<String> {
        Vec::new()
    }

    /// CSS put in a `<style>` block at the end of the head.
    fn embedded_css(&self) -> Option<String> {
        None
    }

    /// Style sheets linked at the end of the head (relative paths go
    /// through `static_url`).
    fn css_files(&self) -> Vec<String> {
        Vec::new()
    }

    /// HTML put at the end of the head.
    fn html_head(&self) -> Option<String> {
        None
    }

    /// HTML put at the end of the body.
    fn html_body(&self) -> Option<String> {
        None
    }
}

/// Makes a page's instance of a UI module.
pub type UiModuleFactory = Arc<dyn Fn() -> Box<dyn UiModule> + Send + Sync>;

/// Makes a [`UiModuleFactory`] of `make`.
pub fn ui_module<M, F>(make: F) -> UiModuleFactory
where
    M: UiModule,
    F: Fn() -> M + Send + Sync + 'static,
{
    Arc::new(move || Box::new(make()))
}

/// UI methods by name (the `ui_methods` setting).
pub type UiMethods = BTreeMap<String, UiMethod>;

/// UI modules by name (the `ui_modules` setting).
pub type UiModules = BTreeMap<String, UiModuleFactory>;
