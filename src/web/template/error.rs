//! The errors of parsing, loading and generating templates.

use std::fmt;

/// A place in a template's source: the template's name and a line (from 1;
/// 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The template's name (`<string>` for a template made from a string
    /// with no name).
    pub name: String,
    /// The line, counted from 1; 0 when the line is not known.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.line)
    }
}

/// A template syntax error, as Tornado's `ParseError`: a message with the
/// template's name and line.
///
/// Displays as `"{message} at {filename}:{lineno}"` (`None` for a missing
/// file name, as Tornado).
///
/// ```
/// use supercell::template::ParseError;
///
/// assert_eq!(ParseError::new("asdf", None, 0).to_string(), "asdf at None:0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// The template's name, if known.
    pub filename: Option<String>,
    /// The line of the error, counted from 1 (0 when unknown).
    pub lineno: usize,
}

impl ParseError {
    /// A parse error with `message` at `filename:lineno`.
    pub fn new(message: impl Into<String>, filename: Option<&str>, lineno: usize) -> Self {
        ParseError {
            message: message.into(),
            filename: filename.map(str::to_owned),
            lineno,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {}:{}",
            self.message,
            self.filename.as_deref().unwrap_or("None"),
            self.lineno
        )
    }
}

impl std::error::Error for ParseError {}

/// An error raised while a template was generated (an undefined name, a
/// value of the wrong type, a failing function...), with where in the
/// template sources it happened.
///
/// [`location`](Self::location) is the template and line of the failing
/// expression or directive; [`via`](Self::via) lists, innermost first, the
/// `{% include %}` and `{% block %}` directives that brought that line into
/// the generated template, as Tornado's `# sub.html:4 (via base.html:1)`
/// annotations. Displays as
/// `"{message} in {{ x }} at sub.html:4 (via base.html:1)"`.
#[derive(Debug)]
pub struct RenderError {
    /// What went wrong.
    pub message: String,
    /// Where in a template's source the error happened.
    pub location: Location,
    /// The failing expression or directive as written (e.g. `{{ x }}`),
    /// when known.
    pub directive: Option<String>,
    /// The directives that included `location`'s template, innermost first.
    pub via: Vec<Location>,
    source: Option<minijinja::Error>,
}

impl RenderError {
    pub(crate) fn new(
        message: String,
        location: Location,
        directive: Option<String>,
        via: Vec<Location>,
        source: Option<minijinja::Error>,
    ) -> Self {
        RenderError {
            message,
            location,
            directive,
            via,
            source,
        }
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(directive) = &self.directive {
            write!(f, " in {directive}")?;
        }
        write!(f, " at {}", self.location)?;
        if !self.via.is_empty() {
            f.write_str(" (via ")?;
            for (i, place) in self.via.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{place}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for RenderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Anything that can go wrong making or generating a template.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The template's syntax is wrong (Tornado's `ParseError`).
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Generating the template failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The loader has no template of this name.
    #[error("template not found: {name}")]
    NotFound {
        /// The name asked for, after resolving it.
        name: String,
    },
    /// The name leads outside the loader's root directory.
    #[error("template {name} is outside the template root")]
    OutsideRoot {
        /// The name asked for, after resolving it.
        name: String,
    },
    /// The template's file could not be read (or is not UTF-8).
    #[error("cannot read template {name}: {source}")]
    Io {
        /// The name asked for, after resolving it.
        name: String,
        /// The failure.
        source: std::io::Error,
    },
}

/// Lets a Rust function called from a template fail with a template error
/// (`?` on a nested [`Template::generate`](super::Template::generate), as a
/// UI module does); the error's text, with its template and line, becomes
/// the detail of the outer template's error.
impl From<TemplateError> for minijinja::Error {
    fn from(err: TemplateError) -> Self {
        minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, err.to_string())
            .with_source(err)
    }
}
