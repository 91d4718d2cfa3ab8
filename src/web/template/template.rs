//! Compiled templates.

use std::fmt;
use std::sync::Arc;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use super::error::{Location, ParseError, RenderError, TemplateError};
use super::loader::{BaseLoader, LoadStack, load_nested};
use super::namespace::{Namespace, add_defaults};
use super::parse::{Node, parse};
use super::translate::{Origin, Source, Translation, translate};
use super::whitespace::Whitespace;

/// The autoescape function of templates that do not choose one.
pub const DEFAULT_AUTOESCAPE: &str = "xhtml_escape";

/// A compiled template (Tornado's `Template`).
///
/// The source is parsed and compiled once, when the template is made
/// (with its `{% extends %}` and `{% include %}` templates, loaded through
/// its loader); [`generate`](Self::generate) only runs the compiled form.
/// Templates are `Send + Sync`: a loader's templates are shared behind an
/// [`Arc`].
///
/// ```
/// use supercell::template::{Namespace, Template};
///
/// let template = Template::new("Hello {{ name }}!").unwrap();
/// let mut namespace = Namespace::new();
/// namespace.insert("name", "<Ben>");
/// assert_eq!(template.generate(&namespace).unwrap(), "Hello &lt;Ben&gt;!");
/// ```
pub struct Template {
    source: Arc<Source>,
    /// This template and the templates it extends, itself first and the
    /// root last (Tornado's `_get_ancestors`).
    ancestors: Vec<Arc<Source>>,
    env: Environment<'static>,
    translation: Translation,
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("name", &self.source.name)
            .field("autoescape", &self.source.autoescape)
            .finish_non_exhaustive()
    }
}

impl Template {
    /// Compiles `source` as a template named `<string>`, with the default
    /// settings (autoescape with `xhtml_escape`, all whitespace kept) and
    /// no loader, so no `{% extends %}` or `{% include %}`.
    pub fn new(source: impl Into<String>) -> Result<Template, TemplateError> {
        Template::builder(source).build()
    }

    /// A builder to compile `source` with a name, autoescape function,
    /// whitespace mode, loader or fuel.
    pub fn builder<'a>(source: impl Into<String>) -> TemplateBuilder<'a> {
        TemplateBuilder {
            source: source.into(),
            name: "<string>".to_owned(),
            autoescape: None,
            whitespace: None,
            loader: None,
            fuel: None,
        }
    }

    /// The template's name (its loader's name for it, or `<string>`).
    pub fn name(&self) -> &str {
        &self.source.name
    }

    /// The name of the function expressions are escaped with (after any
    /// `{% autoescape %}` directive), or `None`.
    pub fn autoescape(&self) -> Option<&str> {
        self.source.autoescape.as_deref()
    }

    /// The template as translated into minijinja's syntax, which is what
    /// runs (Tornado's `code`, the generated Python).
    pub fn code(&self) -> &str {
        &self.translation.code
    }

    /// Generates the template's output with the names of `namespace`
    /// (which hide the loader's namespace and the defaults of the same
    /// names).
    ///
    /// Errors are [`TemplateError::Render`], with the template and line of
    /// the failing expression or directive.
    pub fn generate(&self, namespace: &Namespace) -> Result<String, TemplateError> {
        let compiled = self
            .env
            .get_template(&self.source.name)
            .map_err(|e| self.render_error(e))?;
        compiled
            .render(namespace.to_value())
            .map_err(|e| self.render_error(e))
    }

    pub(crate) fn source(&self) -> &Arc<Source> {
        &self.source
    }

    fn render_error(&self, err: minijinja::Error) -> TemplateError {
        let message = error_message(&err);
        let error = match self.origin_of(&err) {
            Some(origin) => RenderError::new(
                message,
                origin.location.clone(),
                origin.directive.clone(),
                origin.via.clone(),
                Some(err),
            ),
            None => {
                let location = Location {
                    name: self.source.name.clone(),
                    line: 0,
                };
                RenderError::new(message, location, None, Vec::new(), Some(err))
            }
        };
        error.into()
    }

    fn origin_of(&self, err: &minijinja::Error) -> Option<&Origin> {
        if err.name() != Some(self.source.name.as_str()) {
            return None;
        }
        self.translation.origin(err.line()?)
    }
}

/// The text of a minijinja error without its position (which refers to
/// the translated source).
fn error_message(err: &minijinja::Error) -> String {
    match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => match std::error::Error::source(err) {
            Some(source) => format!("{}: {source}", err.kind()),
            None => err.kind().to_string(),
        },
    }
}

/// Settings for compiling a [`Template`] (Tornado's keyword arguments of
/// `Template`), made by [`Template::builder`].
///
/// ```
/// use supercell::template::{Namespace, Template, Whitespace};
///
/// let template = Template::builder("{{ text }}\n\n\n")
///     .name("page.txt")
///     .autoescape(None)
///     .whitespace(Whitespace::Oneline)
///     .build()
///     .unwrap();
/// let mut namespace = Namespace::new();
/// namespace.insert("text", "<b>");
/// assert_eq!(template.generate(&namespace).unwrap(), "<b> ");
/// ```
#[must_use]
pub struct TemplateBuilder<'a> {
    source: String,
    name: String,
    autoescape: Option<Option<String>>,
    whitespace: Option<Whitespace>,
    loader: Option<&'a dyn BaseLoader>,
    fuel: Option<u64>,
}

impl fmt::Debug for TemplateBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemplateBuilder")
            .field("name", &self.name)
            .field("autoescape", &self.autoescape)
            .field("whitespace", &self.whitespace)
            .field("fuel", &self.fuel)
            .finish_non_exhaustive()
    }
}

impl<'a> TemplateBuilder<'a> {
    /// The template's name, used in errors and to resolve the names of
    /// `{% include %}` and `{% extends %}` relative to it. Default:
    /// `<string>`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The name of a function in the namespace that escapes the output of
    /// `{{ }}` expressions, or `None` to escape nothing. Default: the
    /// loader's setting, else `xhtml_escape`.
    pub fn autoescape(mut self, function: Option<&str>) -> Self {
        self.autoescape = Some(function.map(str::to_owned));
        self
    }

    /// How the template's text treats whitespace. Default: the loader's
    /// setting, else `single` for `.html` and `.js` names and `all` for
    /// others.
    pub fn whitespace(mut self, mode: Whitespace) -> Self {
        self.whitespace = Some(mode);
        self
    }

    /// The loader that `{% extends %}` and `{% include %}` load templates
    /// from, and whose namespace and settings the template takes.
    pub fn loader(mut self, loader: &'a dyn BaseLoader) -> Self {
        self.loader = Some(loader);
        self
    }

    /// Bounds the work of each generation (minijinja's fuel: about one
    /// unit per instruction, and per 64 bytes made); a generation that runs
    /// out fails. Default: the loader's setting, else no bound. Templates
    /// from untrusted sources should have one, since `{% while %}` can
    /// loop forever.
    pub fn fuel(mut self, fuel: u64) -> Self {
        self.fuel = Some(fuel);
        self
    }

    /// Parses and compiles the template.
    pub fn build(self) -> Result<Template, TemplateError> {
        let mut stack = LoadStack::default();
        let settings = Settings {
            name: self.name,
            autoescape: self.autoescape,
            whitespace: self.whitespace,
            fuel: self.fuel,
        };
        compile(&self.source, settings, self.loader, &mut stack)
    }
}

/// A template's settings before its loader's defaults apply.
pub(crate) struct Settings {
    pub name: String,
    pub autoescape: Option<Option<String>>,
    pub whitespace: Option<Whitespace>,
    pub fuel: Option<u64>,
}

/// Compiles the template `text`, loading its ancestors and includes with
/// `loader`; `stack` holds the templates being compiled, to refuse cycles.
pub(crate) fn compile<L: BaseLoader + ?Sized>(
    text: &str,
    settings: Settings,
    loader: Option<&L>,
    stack: &mut LoadStack,
) -> Result<Template, TemplateError> {
    let options = loader.map(|loader| loader.core().options());
    let whitespace = settings
        .whitespace
        .or_else(|| options.and_then(|o| o.whitespace))
        .unwrap_or_else(|| Whitespace::for_name(&settings.name));
    let autoescape = match (settings.autoescape, options) {
        (Some(autoescape), _) => autoescape,
        (None, Some(options)) => options.autoescape.clone(),
        (None, None) => Some(DEFAULT_AUTOESCAPE.to_owned()),
    };
    let fuel = settings.fuel.or_else(|| options.and_then(|o| o.fuel));

    let parsed = parse(&settings.name, text, whitespace)?;
    let source = Arc::new(Source {
        name: settings.name,
        autoescape: parsed.autoescape.unwrap_or(autoescape),
        body: parsed.body,
    });

    let mut load =
        |name: &str, parent: &Source, line: usize| -> Result<Arc<Template>, TemplateError> {
            let Some(loader) = loader else {
                return Err(ParseError::new(
                    format!(
                        "{{% include %}} or {{% extends %}} of {name} found, but no template loader"
                    ),
                    Some(&parent.name),
                    line,
                )
                .into());
            };
            load_nested(loader, name, Some(&parent.name), line, stack)
        };

    // Tornado's `_get_ancestors`: this template, then each extended
    // template's ancestors.
    let mut ancestors = vec![Arc::clone(&source)];
    for node in &source.body {
        if let Node::Extends { name, line } = node {
            let parent = load(name, &source, *line)?;
            ancestors.extend(parent.ancestors.iter().cloned());
        }
    }
    let mut include = |name: &str, parent: &Source, line: usize| {
        load(name, parent, line).map(|template| Arc::clone(template.source()))
    };
    let translation = translate(&ancestors, &mut include)?;

    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| ParseError::new(e.to_string(), Some(&source.name), 0))?,
    );
    env.set_fuel(fuel);
    add_defaults(&mut env);
    if let Some(options) = options {
        for (name, value) in options.namespace.iter() {
            env.add_global(name.to_owned(), value.clone());
        }
    }
    env.add_template_owned(source.name.clone(), translation.code.clone())
        .map_err(|e| {
            let (filename, line) = match e.line().and_then(|line| translation.origin(line)) {
                Some(origin) => (origin.location.name.clone(), origin.location.line),
                None => (source.name.clone(), 0),
            };
            ParseError::new(error_message(&e), Some(&filename), line)
        })?;
    Ok(Template {
        source,
        ancestors,
        env,
        translation,
    })
}
