//! Templates in Tornado's syntax (Tornado's `tornado.template`), with
//! expressions in minijinja's Jinja-like language.
//!
//! A [`Template`] is compiled once from its source and generated any
//! number of times with a [`Namespace`] of values and functions. A
//! [`Loader`] (files under a directory) or [`DictLoader`] (a map) loads
//! and caches templates and resolves `{% extends %}` and
//! `{% include %}`.
//!
//! ```
//! use supercell::template::{BaseLoader, DictLoader, Namespace};
//!
//! let loader = DictLoader::new([
//!     (
//!         "base.html",
//!         "<title>{% block title %}Default title{% end %}</title>\n\
//!          <ul>{% for student in students %}\
//!          {% block student %}<li>{{ student.name }}</li>{% end %}\
//!          {% end %}</ul>",
//!     ),
//!     (
//!         "bold.html",
//!         "{% extends \"base.html\" %}\n\
//!          {% block title %}A bolder title{% end %}\n\
//!          {% block student %}<li><b>{{ student.name }}</b></li>{% end %}",
//!     ),
//! ]);
//! let mut namespace = Namespace::new();
//! namespace.insert(
//!     "students",
//!     serde_json::json!([{"name": "Ann"}, {"name": "<Bob>"}]),
//! );
//! let page = loader.load("bold.html").unwrap();
//! assert_eq!(
//!     page.generate(&namespace).unwrap(),
//!     "<title>A bolder title</title>\n\
//!      <ul><li><b>Ann</b></li><li><b>&lt;Bob&gt;</b></li></ul>",
//! );
//! ```
//!
//! # Syntax
//!
//! Tornado's directives, with [minijinja]'s expressions (Jinja's: `and`,
//! `not`, `true`, `none`, `x|filter`, `range(n)`, `d.items()`, ...) where
//! Tornado takes Python expressions:
//!
//! - `{{ expr }}`: the expression's value as text, escaped by the
//!   autoescape function (`xhtml_escape` unless set otherwise);
//!   `{% raw expr %}` is not escaped. Values that are not strings are
//!   written as Python's `str()` would (`True`, `None`, `['a', 1]`); bytes
//!   are decoded as UTF-8.
//! - `{# comment #}` and `{% comment text %}` are left out.
//! - `{{!`, `{%!` and `{#!` write a literal `{{`, `{%` and `{#`.
//! - `{% if cond %}...{% elif cond %}...{% else %}...{% end %}`.
//! - `{% for x in items %}...{% end %}` and `{% while cond %}...{% end %}`
//!   with `{% break %}` and `{% continue %}`; an `{% else %}` in a loop
//!   runs when no `{% break %}` ended it, as in Python.
//! - `{% set x = expr %}` (without `=`, the expression is evaluated for
//!   its effect). As in Jinja, names set inside a loop are the loop's.
//! - `{% extends "base.html" %}` with `{% block name %}...{% end %}`:
//!   the most derived template's blocks replace those of the templates it
//!   extends; anything outside blocks in an extending template is left out.
//! - `{% include "file.html" %}` writes another template in place; it sees
//!   the including template's variables.
//! - `{% apply function %}...{% end %}` passes the block's output through
//!   `function`.
//! - `{% autoescape function %}` or `{% autoescape None %}` sets the
//!   escaping of the whole file (not of included files).
//! - `{% module expr %}` writes `_tt_modules.expr`, unescaped
//!   (`_tt_modules` is supplied by the web layer's UI modules).
//! - `{% whitespace all|single|oneline %}` sets how the rest of the file's
//!   text treats whitespace (see [`filter_whitespace`]).
//!
//! Tornado's Python statements (`{% try %}`, `{% except %}`,
//! `{% finally %}`, `{% import %}`, `{% from %}`) are parse errors. Names
//! starting with `_tt_` are reserved.
//!
//! Every template gets the functions `escape` (and `xhtml_escape`),
//! `url_escape`, `json_encode`, `squeeze` and `linkify` of
//! [`crate::escape`]; Tornado's `datetime` module has no counterpart.
//!
//! Values are reference counted: a `namespace()` object stored in itself
//! (`{% set ns.me = ns %}`), directly or through other namespaces, is never
//! freed (Python's garbage collector would free it).
//!
//! Undefined names are errors, as in Python; errors carry the template
//! name and line ([`ParseError`], [`RenderError`]).

mod error;
mod loader;
mod namespace;
mod parse;
#[allow(clippy::module_inception)]
mod template;
mod translate;
mod whitespace;

pub use error::{Location, ParseError, RenderError, TemplateError};
pub use loader::{BaseLoader, DictLoader, Loader, LoaderCore, LoaderOptions};
pub use minijinja::{self, Value};
pub use namespace::Namespace;
pub(crate) use namespace::linkify as linkify_function;
pub use template::{DEFAULT_AUTOESCAPE, Template, TemplateBuilder};
pub use whitespace::{InvalidWhitespace, Whitespace, filter_whitespace};
