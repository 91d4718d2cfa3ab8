//! The names a template can use: values, functions and the defaults every
//! template gets.

use std::borrow::Cow;
use std::collections::BTreeMap;

use minijinja::value::{Kwargs, Rest};
use minijinja::{Environment, Error, ErrorKind, Value};
use serde::Serialize;

use crate::escape::{self, LinkifyOptions};

/// The variables and functions a template is generated with (Tornado's
/// keyword arguments to `generate`, and a loader's `namespace`).
///
/// Values are anything [`serde::Serialize`] (converted to [`Value`]s) or
/// [`Value`]s themselves, which include Rust functions
/// ([`insert_function`](Self::insert_function), [`Value::from_function`])
/// and objects ([`Value::from_object`]).
///
/// ```
/// use supercell::template::{Namespace, Template};
///
/// let mut namespace = Namespace::new();
/// namespace
///     .insert("user", serde_json::json!({"name": "Ben", "admin": true}))
///     .insert_function("shout", |s: String| s.to_uppercase());
/// let template = Template::new("{% if user.admin %}{{ shout(user.name) }}{% end %}").unwrap();
/// assert_eq!(template.generate(&namespace).unwrap(), "BEN");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Namespace {
    values: BTreeMap<String, Value>,
}

impl Namespace {
    /// An empty namespace.
    pub fn new() -> Self {
        Namespace::default()
    }

    /// Sets `name` to `value`, converted with serde (a [`Value`] is kept
    /// as it is).
    pub fn insert(&mut self, name: impl Into<String>, value: impl Serialize) -> &mut Self {
        self.values
            .insert(name.into(), Value::from(minijinja::value::Serde(value)));
        self
    }

    /// Sets `name` to `value`.
    pub fn insert_value(&mut self, name: impl Into<String>, value: Value) -> &mut Self {
        self.values.insert(name.into(), value);
        self
    }

    /// Sets `name` to the Rust function `f`, callable from templates with
    /// positional and keyword arguments (see [`Value::from_function`] for
    /// the argument and return types it can have).
    pub fn insert_function<F, Rv, Args>(&mut self, name: impl Into<String>, f: F) -> &mut Self
    where
        F: minijinja::functions::Function<Rv, Args>,
        Rv: minijinja::value::FunctionResult,
        Args: for<'a> minijinja::value::FunctionArgs<'a>,
    {
        self.insert_value(name, Value::from_function(f))
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.values.remove(name)
    }

    /// Sets every name of `other` here (replacing values of the same name).
    pub fn extend(&mut self, other: &Namespace) -> &mut Self {
        for (name, value) in &other.values {
            self.values.insert(name.clone(), value.clone());
        }
        self
    }

    /// The names and values, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }

    /// How many names are set.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no name is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The namespace as one map value, the context of a generation.
    pub(crate) fn to_value(&self) -> Value {
        Value::from_pairs(
            self.values
                .iter()
                .map(|(name, value)| (name.as_str(), value.clone())),
        )
    }
}

impl<K: Into<String>> FromIterator<(K, Value)> for Namespace {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        Namespace {
            values: iter.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        }
    }
}

/// `value` as text: strings as they are, bytes decoded (invalid UTF-8
/// replaced), anything else in its template representation. Tornado's
/// `str()` of an expression's value before output.
fn to_text(value: &Value) -> String {
    if let Some(text) = value.as_str() {
        text.to_owned()
    } else if let Some(bytes) = value.as_bytes() {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        value.to_string()
    }
}

fn xhtml_escape(value: &Value) -> Value {
    match value.as_str() {
        // Text with nothing to escape is returned as it is, not copied.
        Some(text) => match escape::xhtml_escape(text) {
            Cow::Borrowed(_) => value.clone(),
            Cow::Owned(escaped) => Value::from(escaped),
        },
        None => Value::from(escape::xhtml_escape(&to_text(value)).into_owned()),
    }
}

fn url_escape(value: &Value, plus: Option<bool>, kwargs: Kwargs) -> Result<String, Error> {
    let plus = match kwargs.get::<Option<bool>>("plus")? {
        Some(plus) => plus,
        None => plus.unwrap_or(true),
    };
    kwargs.assert_all_used()?;
    Ok(escape::url_escape(&to_text(value), plus).into_owned())
}

fn json_encode(value: &Value) -> Result<String, Error> {
    escape::json_encode(value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("cannot encode as JSON: {e}"),
        )
    })
}

fn squeeze(value: &Value) -> String {
    escape::squeeze(&to_text(value)).into_owned()
}

/// The `linkify` template function: [`escape::linkify`] with the
/// options given as keyword arguments.
pub(crate) fn linkify(value: &Value, kwargs: Kwargs) -> Result<String, Error> {
    let mut options = LinkifyOptions::default();
    if let Some(shorten) = kwargs.get::<Option<bool>>("shorten")? {
        options.shorten = shorten;
    }
    if let Some(extra) = kwargs.get::<Option<String>>("extra_params")? {
        options.extra_params = extra.into();
    }
    if let Some(require) = kwargs.get::<Option<bool>>("require_protocol")? {
        options.require_protocol = require;
    }
    if let Some(protocols) = kwargs.get::<Option<Vec<String>>>("permitted_protocols")? {
        options.permitted_protocols = protocols;
    }
    kwargs.assert_all_used()?;
    Ok(escape::linkify(&to_text(value), &options))
}

/// The text an expression writes; an undefined name is an error, as in
/// Python.
fn output_text(value: &Value) -> Result<Value, Error> {
    if value.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            "undefined name in expression",
        ));
    }
    if value.as_str().is_some() {
        return Ok(value.clone());
    }
    Ok(Value::from(to_text(value)))
}

/// The value a `{% set %}` assigns; an undefined name is an error, as in
/// Python.
fn defined(value: Value) -> Result<Value, Error> {
    if value.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            "undefined name in assignment",
        ));
    }
    Ok(value)
}

/// An endless sequence, the loop under `{% while %}`.
fn forever(_args: Rest<Value>) -> Value {
    Value::make_one_shot_iterator(std::iter::repeat(Value::from(())))
}

/// Adds the default namespace of every template, Tornado's:
///
/// - `escape` and `xhtml_escape`: [`escape::xhtml_escape`];
/// - `url_escape(value, plus=true)`: [`escape::url_escape`];
/// - `json_encode(value)`: [`escape::json_encode`];
/// - `squeeze(value)`: [`escape::squeeze`];
/// - `linkify(text, shorten=false, extra_params="", require_protocol=false,
///   permitted_protocols=["http", "https"])`: [`escape::linkify`] (the
///   options as keyword arguments; `extra_params` is a string).
///
/// Their arguments may be any value: non-strings are converted to text
/// first. Tornado's `datetime` (Python's module) has no counterpart.
///
/// With them come the internal helpers of translated templates (names
/// starting with `_tt_`).
pub(crate) fn add_defaults(env: &mut Environment<'static>) {
    env.add_function("escape", xhtml_escape);
    env.add_function("xhtml_escape", xhtml_escape);
    env.add_function("url_escape", url_escape);
    env.add_function("json_encode", json_encode);
    env.add_function("squeeze", squeeze);
    env.add_function("linkify", linkify);
    env.add_function("_tt_string", output_text);
    env.add_function("_tt_defined", defined);
    env.add_function("_tt_forever", forever);
    env.add_function("_tt_namespace", minijinja::functions::namespace);
}
