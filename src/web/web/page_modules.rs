//! The UI modules of a page being rendered: the built-in `Template`
//! module, and gathering every used module's resources into the page
//! (Tornado's `TemplateModule` and the resource part of `render`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::Kwargs;
use minijinja::{Error, ErrorKind};

use super::error::usage;
use super::render::Page;
use super::ui::UiModule;
use super::{UsageError, WebResult};
use crate::escape::xhtml_escape;
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
    embedded_javascript: Option<String>,
    javascript_files: Vec<String>,
    embedded_css: Option<String>,
    css_files: Vec<String>,
    html_head: Option<String>,
    html_body: Option<String>,
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

/// Every resource of the modules a page used, in the order of the
/// modules' first use.
#[derive(Default)]
pub(super) struct Resources {
    js_embed: Vec<String>,
    js_files: Vec<String>,
    css_embed: Vec<String>,
    css_files: Vec<String>,
    heads: Vec<String>,
    bodies: Vec<String>,
}

impl Resources {
    /// Adds the resources of `module`.
    pub(super) fn gather(&mut self, module: &dyn PageModule) {
        let found = module.resources();
        self.js_embed
            .extend(found.embedded_javascript.filter(|s| !s.is_empty()));
        self.js_files.extend(found.javascript_files);
        self.css_embed
            .extend(found.embedded_css.filter(|s| !s.is_empty()));
        self.css_files.extend(found.css_files);
        self.heads.extend(found.html_head.filter(|s| !s.is_empty()));
        self.bodies
            .extend(found.html_body.filter(|s| !s.is_empty()));
    }

    /// `html` with the resources added: script links and scripts before
    /// the last `</body>`, style sheet links, styles and head additions
    /// before `</head>`, body additions before the first `</body>`, each
    /// followed by a newline. Relative file paths go through
    /// `static_url`.
    pub(super) fn insert_into(
        self,
        mut html: String,
        static_url: impl Fn(&str) -> Result<String, UsageError>,
    ) -> WebResult<String> {
        let urls = |paths: Vec<String>| -> WebResult<Vec<String>> {
            let mut unique: Vec<String> = Vec::new();
            for path in paths {
                let url = if is_absolute(&path) {
                    path
                } else {
                    static_url(&path)?
                };
                if !unique.contains(&url) {
                    unique.push(url);
                }
            }
            Ok(unique)
        };
        // One tag per file, each URL once, in the order first named.
        let tags = |paths: Vec<String>, tag: fn(&str) -> String| -> WebResult<String> {
            Ok(urls(paths)?
                .iter()
                .map(|url| tag(&xhtml_escape(url)))
                .collect())
        };
        if !self.js_files.is_empty() {
            let links = tags(self.js_files, |url| {
                format!("<script src=\"{url}\" type=\"text/javascript\"></script>")
            })?;
            insert(&mut html, Before::LastBody, &links)?;
        }
        if !self.js_embed.is_empty() {
            let script = format!(
                "<script type=\"text/javascript\">\n//<![CDATA[\n{}\n//]]>\n</script>",
                self.js_embed.join("\n")
            );
            insert(&mut html, Before::LastBody, &script)?;
        }
        if !self.css_files.is_empty() {
            let links = tags(self.css_files, |url| {
                format!("<link href=\"{url}\" type=\"text/css\" rel=\"stylesheet\"/>")
            })?;
            insert(&mut html, Before::Head, &links)?;
        }
        if !self.css_embed.is_empty() {
            let style = format!(
                "<style type=\"text/css\">\n{}\n</style>",
                self.css_embed.join("\n")
            );
            insert(&mut html, Before::Head, &style)?;
        }
        if !self.heads.is_empty() {
            insert(&mut html, Before::Head, &self.heads.concat())?;
        }
        if !self.bodies.is_empty() {
            insert(&mut html, Before::FirstBody, &self.bodies.concat())?;
        }
        Ok(html)
    }
}

/// The closing tag resources go before.
enum Before {
    Head,
    FirstBody,
    LastBody,
}

/// Puts `text` and a newline before `tag` in `html`.
fn insert(html: &mut String, tag: Before, text: &str) -> WebResult {
    let at = match tag {
        Before::Head => html.find("</head>"),
        Before::FirstBody => html.find("</body>"),
        Before::LastBody => html.rfind("</body>"),
    };
    let Some(at) = at else {
        let name = match tag {
            Before::Head => "</head>",
            Before::FirstBody | Before::LastBody => "</body>",
        };
        return Err(usage(format!(
            "the page has no {name} to put its UI modules' resources before"
        )));
    };
    html.insert_str(at, &format!("{text}\n"));
    Ok(())
}

/// Whether `path` names a resource on its own (an absolute path or an
/// `http:`/`https:` URL) rather than a file under the static path
/// (Tornado's `is_absolute`): UI modules' files that are not go through
/// `static_url`.
///
/// ```
/// use supercell::web::is_absolute;
///
/// assert!(is_absolute("/js/app.js"));
/// assert!(is_absolute("https://cdn.example.com/lib.js"));
/// assert!(!is_absolute("js/app.js"));
/// ```
pub fn is_absolute(path: &str) -> bool {
    ["/", "http:", "https:"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}
