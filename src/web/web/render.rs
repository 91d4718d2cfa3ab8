//! Templates as responses (Tornado's `render`, `render_string` and
//! `get_template_namespace`): the application's loader, the namespace a
//! page gets, and the UI modules' resources added to it.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use minijinja::value::{Kwargs, Rest, Serde};
use minijinja::{Error, ErrorKind};

use super::error::usage;
use super::page_modules::{ModuleResources, PageModule, TemplateModule, linkify};
use super::page_resources::Resources;
use super::ui::{TemplateHandler, UiModule};
use super::{Application, Context, WebResult};
use crate::template::{BaseLoader, Loader, LoaderOptions, Namespace, Value};

impl Application {
    /// The loader of the application's templates: the `template_loader`
    /// setting, or else the one for `template_path` (see
    /// [`new_template_loader`](Self::new_template_loader)), made on first
    /// use. Fails without either setting.
    pub fn template_loader(&self) -> WebResult<Arc<dyn BaseLoader>> {
        let settings = self.settings();
        if let Some(loader) = &settings.template_loader {
            return Ok(loader.clone());
        }
        let Some(path) = &settings.template_path else {
            return Err(usage(
                "rendering a template needs the 'template_path' or 'template_loader' setting",
            ));
        };
        Ok(self.loader_at(path, || self.new_template_loader(path)))
    }

    /// A loader for the templates in `path` (Tornado's default
    /// `create_template_loader`): the `template_loader` setting if there
    /// is one, else a [`Loader`] of `path` with the `autoescape` and
    /// `template_whitespace` settings.
    pub fn new_template_loader(&self, path: &Path) -> Arc<dyn BaseLoader> {
        let settings = self.settings();
        if let Some(loader) = &settings.template_loader {
            return loader.clone();
        }
        let options = LoaderOptions {
            autoescape: settings.autoescape.clone(),
            whitespace: settings.template_whitespace,
            ..LoaderOptions::default()
        };
        Arc::new(Loader::with_options(path, options))
    }
}

impl Context {
    /// The loader of the templates this request's handler renders: the
    /// one kept for its [`get_template_path`](super::RequestHandler::get_template_path),
    /// made by its [`create_template_loader`](super::RequestHandler::create_template_loader)
    /// the first time; without a path, the application's.
    fn handler_template_loader(&self) -> WebResult<Arc<dyn BaseLoader>> {
        match (self.hooks.get_template_path)(self) {
            Some(path) => Ok(self
                .app
                .loader_at(&path, || (self.hooks.create_template_loader)(self, &path))),
            None => self.app.template_loader(),
        }
    }
}

/// A page being rendered: what its namespace's functions reach while the
/// template is generated (they hold it weakly, so that the namespace,
/// which holds them, does not keep it alive).
pub(super) struct Page {
    pub(super) handler: TemplateHandler,
    pub(super) loader: Arc<dyn BaseLoader>,
    /// The namespace every template of the page starts from.
    pub(super) namespace: Namespace,
    /// The UI modules used so far, in the order of first use.
    active: Mutex<Vec<(String, Arc<dyn PageModule>)>>,
    /// The page's XSRF form field, and whether a template used it.
    xsrf_form_html: String,
    xsrf_used: std::sync::atomic::AtomicBool,
}

impl Page {
    /// The instance of module `name` on this page, made on first use.
    /// Modules of the `ui_modules` setting come before the built-in ones
    /// of the same name, as in Tornado.
    fn module(&self, name: &str) -> Result<Arc<dyn PageModule>, Error> {
        let mut active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, module)) = active.iter().find(|(used, _)| used == name) {
            return Ok(module.clone());
        }
        let custom = self.handler.settings().ui_modules.get(name);
        let module: Arc<dyn PageModule> = match (custom, name) {
            (Some(make), _) => Arc::new(Custom(make())),
            (None, "Template") => Arc::new(TemplateModule::default()),
            (None, "linkify") => Arc::new(BuiltIn(linkify)),
            (None, "xsrf_form_html") => Arc::new(XsrfFormHtml),
            (None, _) => {
                return Err(Error::new(
                    ErrorKind::UnknownFunction,
                    format!("no UI module named {name:?}"),
                ));
            }
        };
        active.push((name.to_owned(), module.clone()));
        Ok(module)
    }

    /// The modules used, in the order of first use.
    fn used_modules(&self) -> Vec<Arc<dyn PageModule>> {
        let active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
        active.iter().map(|(_, module)| module.clone()).collect()
    }

    /// The page's XSRF form field, noting that it is used.
    fn use_xsrf_form_html(&self) -> String {
        self.xsrf_used
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.xsrf_form_html.clone()
    }
}

/// A module of the `ui_modules` setting.
struct Custom(Box<dyn UiModule>);

impl PageModule for Custom {
    fn render(&self, page: &Page, args: &[Value]) -> Result<String, Error> {
        self.0.render(&page.handler, args)
    }

    fn resources(&self) -> ModuleResources {
        ModuleResources::of(&*self.0)
    }
}

/// A built-in module that is a function of its arguments.
struct BuiltIn(fn(&[Value]) -> Result<String, Error>);

impl PageModule for BuiltIn {
    fn render(&self, _: &Page, args: &[Value]) -> Result<String, Error> {
        (self.0)(args)
    }
}

/// The `xsrf_form_html` module.
struct XsrfFormHtml;

impl PageModule for XsrfFormHtml {
    fn render(&self, page: &Page, _: &[Value]) -> Result<String, Error> {
        Ok(page.use_xsrf_form_html())
    }
}

/// A template function's error for `error`.
fn template_error(error: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::InvalidOperation, error.to_string())
}

/// The page of a weak reference, while it is being rendered.
fn upgrade(page: &Weak<Page>) -> Result<Arc<Page>, Error> {
    page.upgrade().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            "the page is rendered: its functions cannot be called any more",
        )
    })
}

/// A call's positional arguments, then its keyword arguments as one
/// value (for which `is_kwargs` holds), if it has any.
fn call_arguments(args: Rest<Value>, kwargs: &Kwargs) -> Result<Vec<Value>, Error> {
    let mut all = args.0;
    if kwargs.args().next().is_some() {
        let pairs = kwargs
            .args()
            .map(|name| Ok((name, kwargs.get::<Value>(name)?)))
            .collect::<Result<Vec<_>, Error>>()?;
        all.push(Value::from(Kwargs::from_iter(pairs)));
    }
    Ok(all)
}

/// The request as templates see it: a map of its main parts.
fn request_value(handler: &TemplateHandler) -> Value {
    let request = handler.request();
    Value::from(Serde(serde_json::json!({
        "method": request.method.as_str(),
        "uri": request.uri.to_string(),
        "path": request.path(),
        "query": request.query(),
        "version": format!("{:?}", request.version),
        "host": request.host(),
        "host_name": request.host_name(),
        "remote_ip": request.remote_ip().to_string(),
        "protocol": request.protocol(),
    })))
}

/// The current user as templates see it: a string, a JSON value or a
/// template value as it is; any other user as `true`; none as `none`.
fn current_user_value(handler: &TemplateHandler) -> Value {
    let Some(user) = handler.current_user() else {
        return Value::from(());
    };
    if let Some(text) = user.downcast_ref::<String>() {
        Value::from(text.as_str())
    } else if let Some(json) = user.downcast_ref::<serde_json::Value>() {
        Value::from(Serde(json))
    } else if let Some(value) = user.downcast_ref::<Value>() {
        value.clone()
    } else {
        Value::from(true)
    }
}

/// The namespace of a page (Tornado's `get_template_namespace`), its
/// functions holding `weak`.
fn page_namespace(weak: &Weak<Page>, handler: &TemplateHandler) -> Namespace {
    let mut namespace = Namespace::new();
    namespace
        .insert_value("request", request_value(handler))
        .insert_value("current_user", current_user_value(handler));
    let app = handler.application().clone();
    namespace.insert_function("static_url", move |path: String| {
        app.static_url(&path).map_err(template_error)
    });
    let app = handler.application().clone();
    namespace.insert_function("reverse_url", move |name: String, args: Rest<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        app.reverse_url(&name, &args).map_err(template_error)
    });
    let page = weak.clone();
    namespace.insert_function("xsrf_form_html", move || {
        Ok::<_, Error>(upgrade(&page)?.use_xsrf_form_html())
    });
    for (name, method) in &handler.settings().ui_methods {
        let (page, method) = (weak.clone(), method.clone());
        namespace.insert_function(name.as_str(), move |args: Rest<Value>, kwargs: Kwargs| {
            method(&upgrade(&page)?.handler, &call_arguments(args, &kwargs)?)
        });
    }
    let mut modules = std::collections::BTreeMap::new();
    let built_in = ["Template", "linkify", "xsrf_form_html"];
    let names = handler.settings().ui_modules.keys().map(String::as_str);
    for name in built_in.into_iter().chain(names) {
        let (page, module_name) = (weak.clone(), name.to_owned());
        let call = Value::from_function(move |args: Rest<Value>, kwargs: Kwargs| {
            let page = upgrade(&page)?;
            let module = page.module(&module_name)?;
            module.render(&page, &call_arguments(args, &kwargs)?)
        });
        modules.insert(name.to_owned(), call);
    }
    let modules = Value::from(modules);
    namespace
        .insert_value("_tt_modules", modules.clone())
        .insert_value("modules", modules);
    namespace
}

/// A rendered page: its HTML and the UI modules it used.
struct Rendered {
    html: String,
    modules: Vec<Arc<dyn PageModule>>,
}

impl Context {
    /// The template `name` generated with the page namespace and `args`,
    /// and the UI modules the page used.
    fn render_template(&mut self, name: &str, args: &Namespace) -> WebResult<Rendered> {
        let loader = self.handler_template_loader()?;
        if !self.settings().compiled_template_cache() {
            loader.reset();
        }
        let template = loader.load(name)?;
        let (xsrf_form_html, undo) = self.tentative_xsrf_form_html()?;
        let current_user = self.current_user().cloned();
        let page = Arc::new_cyclic(|weak| {
            let handler = TemplateHandler {
                request: self.request.clone(),
                app: self.app.clone(),
                current_user,
                path_args: self.path_args.clone(),
                page: weak.clone(),
            };
            // The handler's own names are in the namespace of every
            // template of the page, those of the `Template` module and of
            // UI modules' `render_string` too.
            let mut namespace = page_namespace(weak, &handler);
            (self.hooks.get_template_namespace)(self, &mut namespace);
            Page {
                namespace,
                handler,
                loader,
                active: Mutex::new(Vec::new()),
                xsrf_form_html,
                xsrf_used: false.into(),
            }
        });
        let mut namespace = page.namespace.clone();
        namespace.extend(args);
        let html = template.generate(&namespace);
        if !page.xsrf_used.load(std::sync::atomic::Ordering::Relaxed) {
            self.undo_xsrf_token(undo);
        }
        Ok(Rendered {
            html: html?,
            modules: page.used_modules(),
        })
    }

    /// The template `name` of the application's loader, generated with
    /// this request's namespace and `args` (Tornado's `render_string`).
    ///
    /// The namespace (Tornado's `get_template_namespace`) has, beside the
    /// template defaults and `args`: `request` (method, uri, path, query,
    /// version, host, host_name, remote_ip, protocol), `current_user`,
    /// `static_url`, `reverse_url`, `xsrf_form_html` (its XSRF cookie
    /// is set only when the page uses it), the `ui_methods`, and the UI
    /// modules as `modules` (which `{% module %}` uses): the `ui_modules`,
    /// `Template`, `linkify` and `xsrf_form_html`.
    ///
    /// The current user shows as itself when it is a `String`, a
    /// `serde_json::Value` or a template [`Value`]; any other user as
    /// `true`. Tornado's `handler`, `locale`, `_` and `pgettext` have no
    /// counterpart.
    pub fn render_string(&mut self, name: &str, args: &Namespace) -> WebResult<String> {
        Ok(self.render_template(name, args)?.html)
    }

    /// Renders the template `name` with `args` as the response and
    /// finishes it (Tornado's `render`): the resources of the UI modules
    /// the page used are added, style sheets and head additions before
    /// `</head>`, scripts and body additions before `</body>`.
    pub async fn render(&mut self, name: &str, args: &Namespace) -> WebResult {
        if self.finished {
            return Err(usage("Cannot render() after finish()"));
        }
        let rendered = self.render_template(name, args)?;
        let html = self.with_resources(rendered)?;
        self.finish_with(html).await
    }

    /// The page with the resources of its modules added.
    fn with_resources(&self, rendered: Rendered) -> WebResult<String> {
        let mut resources = Resources::default();
        for module in &rendered.modules {
            resources.gather(&**module);
        }
        resources.insert_into(rendered.html, self)
    }
}
