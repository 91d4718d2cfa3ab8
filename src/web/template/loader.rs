//! Template loaders: where `{% extends %}` and `{% include %}` find
//! templates, and a cache of compiled templates.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::error::{ParseError, TemplateError};
use super::namespace::Namespace;
use super::template::{DEFAULT_AUTOESCAPE, Settings, Template, compile};
use super::whitespace::Whitespace;

/// How many templates may be compiling inside each other (through
/// `{% extends %}` and `{% include %}`) at once.
const MAX_LOAD_DEPTH: usize = 32;

/// The settings of a loader's templates (Tornado's `BaseLoader` keyword
/// arguments).
///
/// ```
/// use supercell::template::{BaseLoader, DictLoader, LoaderOptions, Namespace, Whitespace};
///
/// let mut namespace = Namespace::new();
/// namespace.insert("site", "Example");
/// let loader = DictLoader::with_options(
///     [("title.txt", "{{ site }}  &  co")],
///     LoaderOptions {
///         autoescape: None,
///         namespace,
///         whitespace: Some(Whitespace::Single),
///         ..LoaderOptions::default()
///     },
/// );
/// let output = loader.load("title.txt").unwrap().generate(&Namespace::new()).unwrap();
/// assert_eq!(output, "Example & co");
/// ```
#[derive(Debug, Clone)]
pub struct LoaderOptions {
    /// The name of the function in the namespace that escapes `{{ }}`
    /// output, or `None` for no escaping. Default: `xhtml_escape`.
    pub autoescape: Option<String>,
    /// Values every template of the loader gets (hidden by the namespace
    /// given to [`Template::generate`]). Default: empty.
    pub namespace: Namespace,
    /// The whitespace mode of every template. Default: `None`, which is
    /// `single` for `.html` and `.js` files and `all` for others.
    pub whitespace: Option<Whitespace>,
    /// The fuel bound of each generation (see
    /// [`TemplateBuilder::fuel`](super::TemplateBuilder::fuel)). Default:
    /// none.
    pub fuel: Option<u64>,
}

impl Default for LoaderOptions {
    fn default() -> Self {
        LoaderOptions {
            autoescape: Some(DEFAULT_AUTOESCAPE.to_owned()),
            namespace: Namespace::new(),
            whitespace: None,
            fuel: None,
        }
    }
}

/// The state every loader has: its options and its cache of compiled
/// templates (Tornado's `BaseLoader` attributes).
pub struct LoaderCore {
    options: LoaderOptions,
    templates: Mutex<HashMap<String, Arc<Template>>>,
}

impl fmt::Debug for LoaderCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoaderCore")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl LoaderCore {
    /// A core with `options` and an empty cache.
    pub fn new(options: LoaderOptions) -> Self {
        LoaderCore {
            options,
            templates: Mutex::new(HashMap::new()),
        }
    }

    /// The loader's options.
    pub fn options(&self) -> &LoaderOptions {
        &self.options
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Template>>> {
        self.templates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets every compiled template.
    pub fn clear(&self) {
        self.cache().clear();
    }
}

/// A source of templates (Tornado's `BaseLoader`): you must use a loader
/// for `{% extends %}` and `{% include %}`. Templates are compiled on
/// their first [`load`](Self::load) and cached until
/// [`reset`](Self::reset).
///
/// Implement [`core`](Self::core), [`resolve_path`](Self::resolve_path)
/// and [`read_source`](Self::read_source) for a loader of your own.
pub trait BaseLoader: Send + Sync {
    /// The loader's options and cache.
    fn core(&self) -> &LoaderCore;

    /// The name under which the template `name` is loaded and cached, when
    /// named from the template `parent_path` (relative names are resolved
    /// against the parent's directory).
    fn resolve_path(&self, name: &str, parent_path: Option<&str>) -> String;

    /// The source of the template of the resolved `name`.
    fn read_source(&self, name: &str) -> Result<String, TemplateError>;

    /// The compiled template `name`, from the cache or compiled now.
    fn load(&self, name: &str) -> Result<Arc<Template>, TemplateError> {
        load_nested(self, name, None, 0, &mut LoadStack::default())
    }

    /// Empties the cache of compiled templates, so that the next loads
    /// read the sources again (a web application's debug mode does this).
    fn reset(&self) {
        self.core().clear();
    }
}

/// The names of the templates being compiled, outermost first.
#[derive(Debug, Default)]
pub(crate) struct LoadStack {
    names: Vec<String>,
}

/// Loads `name` as named at `line` of the template `parent` while the
/// templates of `stack` are compiling.
pub(crate) fn load_nested<L: BaseLoader + ?Sized>(
    loader: &L,
    name: &str,
    parent: Option<&str>,
    line: usize,
    stack: &mut LoadStack,
) -> Result<Arc<Template>, TemplateError> {
    let resolved = loader.resolve_path(name, parent);
    if let Some(template) = loader.core().cache().get(&resolved) {
        return Ok(Arc::clone(template));
    }
    if stack.names.contains(&resolved) {
        let chain = stack.names.join(" -> ");
        return Err(ParseError::new(
            format!("{resolved} extends or includes itself ({chain} -> {resolved})"),
            parent,
            line,
        )
        .into());
    }
    if stack.names.len() >= MAX_LOAD_DEPTH {
        return Err(ParseError::new(
            format!("templates extend or include each other more than {MAX_LOAD_DEPTH} deep"),
            parent,
            line,
        )
        .into());
    }
    let text = loader.read_source(&resolved)?;
    stack.names.push(resolved.clone());
    let settings = Settings {
        name: resolved.clone(),
        autoescape: None,
        whitespace: None,
        fuel: None,
    };
    let compiled = compile(&text, settings, Some(loader), stack);
    stack.names.pop();
    let template = Arc::new(compiled?);
    Ok(Arc::clone(
        loader.core().cache().entry(resolved).or_insert(template),
    ))
}

/// Whether a template's name is resolved against its parent's directory
/// (Tornado leaves names of templates made from strings, `<string>`, and
/// absolute names alone).
fn relative_to_parent(name: &str, parent_path: Option<&str>) -> Option<String> {
    let parent = parent_path?;
    if parent.starts_with('<') || parent.starts_with('/') || name.starts_with('/') {
        return None;
    }
    let dir = parent.rsplit_once('/').map_or("", |(dir, _)| dir);
    Some(if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    })
}

/// `path` normalized as Python's `posixpath.normpath` does a relative
/// path: no `.` or empty segments, `..` taking out the segment before it
/// (leading `..`s stay).
fn normpath(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// Loads templates from files under a root directory (Tornado's
/// `Loader`).
///
/// Names are paths relative to the root, with `/` between directories; a
/// name in a template is relative to that template's directory (unless it
/// starts with `/`, which is the root). Names leading outside the root,
/// with `..` or through symbolic links, are refused. Files are read as
/// UTF-8.
///
/// ```no_run
/// use supercell::template::{BaseLoader, Loader, Namespace};
///
/// let loader = Loader::new("templates");
/// let page = loader.load("index.html")?;
/// println!("{}", page.generate(&Namespace::new())?);
/// # Ok::<(), supercell::template::TemplateError>(())
/// ```
#[derive(Debug)]
pub struct Loader {
    root: PathBuf,
    core: LoaderCore,
}

impl Loader {
    /// A loader of the files under `root_directory`, with the default
    /// options.
    pub fn new(root_directory: impl AsRef<Path>) -> Self {
        Loader::with_options(root_directory, LoaderOptions::default())
    }

    /// A loader of the files under `root_directory` with `options`.
    pub fn with_options(root_directory: impl AsRef<Path>, options: LoaderOptions) -> Self {
        let root = root_directory.as_ref();
        Loader {
            root: std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf()),
            core: LoaderCore::new(options),
        }
    }

    /// The root directory (made absolute).
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl BaseLoader for Loader {
    fn core(&self) -> &LoaderCore {
        &self.core
    }

    fn resolve_path(&self, name: &str, parent_path: Option<&str>) -> String {
        match relative_to_parent(name, parent_path).map(|joined| normpath(&joined)) {
            // A path leading out of the root stays as written (and is
            // refused when read).
            Some(resolved) if resolved != ".." && !resolved.starts_with("../") => resolved,
            _ => name.to_owned(),
        }
    }

    fn read_source(&self, name: &str) -> Result<String, TemplateError> {
        let outside = || TemplateError::OutsideRoot {
            name: name.to_owned(),
        };
        let relative = normpath(name.trim_start_matches('/'));
        if relative == ".." || relative.starts_with("../") || relative == "." {
            return Err(outside());
        }
        let path = self.root.join(&relative);
        let io_error = |source: io::Error| {
            if source.kind() == io::ErrorKind::NotFound {
                TemplateError::NotFound {
                    name: name.to_owned(),
                }
            } else {
                TemplateError::Io {
                    name: name.to_owned(),
                    source,
                }
            }
        };
        let real = path.canonicalize().map_err(io_error)?;
        let real_root = self.root.canonicalize().map_err(io_error)?;
        if !real.starts_with(&real_root) {
            return Err(outside());
        }
        std::fs::read_to_string(&real).map_err(io_error)
    }
}

/// Loads templates from a map of names to sources (Tornado's
/// `DictLoader`). Names in templates are relative to the including
/// template's directory, as paths.
///
/// ```
/// use supercell::template::{BaseLoader, DictLoader, Namespace};
///
/// let loader = DictLoader::new([
///     ("base.html", "<title>{% block title %}{% end %}</title>"),
///     ("page.html", "{% extends \"base.html\" %}{% block title %}Hi{% end %}"),
/// ]);
/// let page = loader.load("page.html").unwrap();
/// assert_eq!(page.generate(&Namespace::new()).unwrap(), "<title>Hi</title>");
/// ```
#[derive(Debug)]
pub struct DictLoader {
    templates: HashMap<String, String>,
    core: LoaderCore,
}

impl DictLoader {
    /// A loader of `templates` (names and sources), with the default
    /// options.
    pub fn new<K: Into<String>, V: Into<String>>(
        templates: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        DictLoader::with_options(templates, LoaderOptions::default())
    }

    /// A loader of `templates` with `options`.
    pub fn with_options<K: Into<String>, V: Into<String>>(
        templates: impl IntoIterator<Item = (K, V)>,
        options: LoaderOptions,
    ) -> Self {
        DictLoader {
            templates: templates
                .into_iter()
                .map(|(name, source)| (name.into(), source.into()))
                .collect(),
            core: LoaderCore::new(options),
        }
    }
}

impl BaseLoader for DictLoader {
    fn core(&self) -> &LoaderCore {
        &self.core
    }

    fn resolve_path(&self, name: &str, parent_path: Option<&str>) -> String {
        match relative_to_parent(name, parent_path) {
            Some(joined) => normpath(&joined),
            None => name.to_owned(),
        }
    }

    fn read_source(&self, name: &str) -> Result<String, TemplateError> {
        self.templates
            .get(name)
            .cloned()
            .ok_or_else(|| TemplateError::NotFound {
                name: name.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_as_python() {
        assert_eq!(normpath("a/./b//c"), "a/b/c");
        assert_eq!(normpath("a/../../b"), "../b");
        assert_eq!(normpath("a/.."), ".");
        assert_eq!(normpath("a/2.html/../b/3.html"), "a/b/3.html");
    }

    #[test]
    fn relative_names() {
        assert_eq!(
            relative_to_parent("2.html", Some("a/1.html")).as_deref(),
            Some("a/2.html")
        );
        assert_eq!(
            relative_to_parent("2.html", Some("1.html")).as_deref(),
            Some("2.html")
        );
        assert_eq!(relative_to_parent("2.html", Some("<string>")), None);
        assert_eq!(relative_to_parent("/2.html", Some("a/1.html")), None);
        assert_eq!(relative_to_parent("2.html", None), None);
    }
}
