//! The UI modules of a page being rendered: the built-in `Template`
//! module and what each module adds to the page (Tornado's
//! `TemplateModule`, and `UIModule`'s resource methods).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::Kwargs;
use minijinja::{Error, ErrorKind};

use super::render::Page;
use super::ui::UiModule;
use crate::template::Value;

/// A UI module as a page uses it: one of the `ui_modules` setting, or a
/// built-in one, which may reach the page.
pub(super) trait PageModule: Send + Sync {
    /// The module's HTML for one use.
    fn render(&self, page: &Page, args: &[Value]) -> Result<String, Error>;

    /// The resources the module adds to the page.
    fn resources(&self) -> ModuleResources {
        ModuleResources::default()
    }
}

/// What a module adds to the page it is used on.
#[derive(Default)]
pub(super) struct ModuleResources {
    pub(super) embedded_javascript: Option<String>,
    pub(super) javascript_files: Vec<String>,
    pub(super) embedded_css: Option<String>,
    pub(super) css_files: Vec<String>,
    pub(super) html_head: Option<String>,
    pub(super) html_body: Option<String>,
}

impl ModuleResources {
    /// The resources `module` names.
    pub(super) fn of(module: &dyn UiModule) -> ModuleResources {
        ModuleResources {
            embedded_javascript: module.embedded_javascript(),
            javascript_files: module.javascript_files(),
            embedded_css: module.embedded_css(),
            css_files: module.css_files(),
            html_head: module.html_head(),
            html_body: module.html_body(),
        }
    }
}

/// The arguments of a module call without their keyword arguments, and
/// those.
fn split_kwargs(args: &[Value]) -> Result<(&[Value], Option<Kwargs>), Error> {
    match args.split_last() {
        Some((last, rest)) if last.is_kwargs() => Ok((rest, Some(Kwargs::try_from(last.clone())?))),
        _ => Ok((args, None)),
    }
}

/// The built-in `linkify(text, **options)` module: the template
/// function of the same name, unescaped.
pub(super) fn linkify(args: &[Value]) -> Result<String, Error> {
    let (args, kwargs) = split_kwargs(args)?;
    let [text] = args else {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "linkify takes the text to link",
        ));
    };
    crate::template::linkify_function(
        text,
        kwargs.unwrap_or_else(|| Kwargs::from_iter(std::iter::empty::<(&str, Value)>())),
    )
}

/// The resources one template asked for with `set_resources`.
type TemplateResources = BTreeMap<String, Value>;

/// The built-in `Template(path, **kwargs)` module: the template `path`
/// generated with the page's namespace and `kwargs` (not the including
/// template's names, unlike `{% include %}`). A template rendered through
/// it may call `set_resources(...)` with the keyword arguments
/// `embedded_javascript`, `javascript_files`, `embedded_css`,
/// `css_files`, `html_head`, `html_body`: they are added to the page once
/// per template file.
#[derive(Default)]
pub(super) struct TemplateModule {
    /// The resources of each template file, in the order first set.
    resources: Arc<Mutex<Vec<(String, TemplateResources)>>>,
}

impl PageModule for TemplateModule {
    fn render(&self, page: &Page, args: &[Value]) -> Result<String, Error> {
        let (args, kwargs) = split_kwargs(args)?;
        let [path] = args else {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                "Template takes the path of the template to render",
            ));
        };
        let Some(path) = path.as_str() else {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                "Template's path must be a string",
            ));
        };
        let mut namespace = page.namespace.clone();
        if let Some(kwargs) = kwargs {
            for name in kwargs.args() {
                namespace.insert_value(name, kwargs.get::<Value>(name)?);
            }
        }
        let (records, template_path) = (self.resources.clone(), path.to_owned());
        namespace.insert_function("set_resources", move |kwargs: Kwargs| {
            set_resources(&records, &template_path, &kwargs)
        });
        let template = page
            .loader
            .load(path)
            .map_err(|e| Error::new(ErrorKind::TemplateNotFound, e.to_string()))?;
        template
            .generate(&namespace)
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
    }

    fn resources(&self) -> ModuleResources {
        let records = self
            .resources
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let values = |key: &str| -> Vec<Value> {
            records
                .iter()
                .filter_map(|(_, resources)| resources.get(key).cloned())
                .collect()
        };
        let joined = |key: &str, separator: &str| {
            let parts: Vec<String> = values(key).iter().map(text).collect();
            (!parts.is_empty()).then(|| parts.join(separator))
        };
        let files = |key: &str| values(key).iter().flat_map(texts).collect();
        ModuleResources {
            embedded_javascript: joined("embedded_javascript", "\n"),
            javascript_files: files("javascript_files"),
            embedded_css: joined("embedded_css", "\n"),
            css_files: files("css_files"),
            html_head: joined("html_head", ""),
            html_body: joined("html_body", ""),
        }
    }
}

/// Records the resources `kwargs` for the template `path`: the first time
/// only, and an error when they differ from those recorded.
fn set_resources(
    records: &Mutex<Vec<(String, TemplateResources)>>,
    path: &str,
    kwargs: &Kwargs,
) -> Result<String, Error> {
    let mut resources = TemplateResources::new();
    for name in kwargs.args() {
        resources.insert(name.to_owned(), kwargs.get::<Value>(name)?);
    }
    let mut records = records.lock().unwrap_or_else(PoisonError::into_inner);
    match records.iter().find(|(recorded, _)| recorded == path) {
        Some((_, recorded)) if *recorded != resources => Err(Error::new(
            ErrorKind::InvalidOperation,
            "set_resources called with different resources for the same template",
        )),
        Some(_) => Ok(String::new()),
        None => {
            records.push((path.to_owned(), resources));
            Ok(String::new())
        }
    }
}

/// A value as text.
fn text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// A string as one text, a sequence as its items' texts.
fn texts(value: &Value) -> Vec<String> {
    if value.as_str().is_some() {
        return vec![text(value)];
    }
    match value.try_iter() {
        Ok(items) => items.map(|item| text(&item)).collect(),
        Err(_) => vec![text(value)],
    }
}
