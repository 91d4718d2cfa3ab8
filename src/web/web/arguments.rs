//! The request side of [`Context`]: query and form arguments (Tornado's
//! `get_argument` family) and typed JSON bodies.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::{Context, HttpError, MissingArgumentError, WebResult};
use crate::httputil::Arguments;

/// Where arguments are read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgumentSource {
    /// The query and the form body together.
    All,
    /// The query string only.
    Query,
    /// The form body only.
    Body,
}

/// Decodes an argument value as UTF-8 (Tornado's `decode_argument`):
/// `400 Bad Request` when it is not.
pub fn decode_argument(value: &[u8], name: &str) -> WebResult<String> {
    match std::str::from_utf8(value) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => Err(HttpError::new(400)
            .log_message(format!(
                "Invalid unicode in {name}: {:?}",
                String::from_utf8_lossy(&value[..value.len().min(40)])
            ))
            .into()),
    }
}

/// An argument value as handlers see it: decoded by the handler's
/// `decode_argument`, the control characters other than whitespace
/// replaced by spaces, and with `strip` surrounding whitespace removed.
fn cleaned(cx: &Context, value: &Bytes, name: &str, strip: bool) -> WebResult<String> {
    let mut text = (cx.hooks.decode_argument)(cx, value, name)?;
    if text.bytes().any(|b| matches!(b, 0x00..=0x08 | 0x0e..=0x1f)) {
        text = text
            .chars()
            .map(|c| match c {
                '\u{0}'..='\u{8}' | '\u{e}'..='\u{1f}' => ' ',
                c => c,
            })
            .collect();
    }
    if strip {
        let trimmed = text.trim();
        if trimmed.len() != text.len() {
            text = trimmed.to_owned();
        }
    }
    Ok(text)
}

impl Context {
    fn source(&self, source: ArgumentSource) -> &Arguments {
        match source {
            ArgumentSource::All => self.request.arguments(),
            ArgumentSource::Query => self.request.query_arguments(),
            ArgumentSource::Body => self.request.body_arguments(),
        }
    }

    /// Every value of argument `name` from `source`, decoded (see
    /// [`get_argument`](Self::get_argument)), stripped of surrounding
    /// whitespace when `strip`.
    pub fn arguments_from(
        &self,
        source: ArgumentSource,
        name: &str,
        strip: bool,
    ) -> WebResult<Vec<String>> {
        self.source(source)
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|value| cleaned(self, value, name, strip))
            .collect()
    }

    /// The last value of argument `name` from `source`, if it was given.
    pub fn argument_from(
        &self,
        source: ArgumentSource,
        name: &str,
        strip: bool,
    ) -> WebResult<Option<String>> {
        self.source(source)
            .get(name)
            .and_then(|values| values.last())
            .map(|value| cleaned(self, value, name, strip))
            .transpose()
    }

    fn required(&self, source: ArgumentSource, name: &str) -> WebResult<String> {
        self.argument_from(source, name, true)?.ok_or_else(|| {
            MissingArgumentError {
                name: name.to_owned(),
            }
            .into()
        })
    }

    /// The last value of argument `name`, from the query or the form
    /// body (Tornado's `get_argument`): decoded as UTF-8 (`400` when it
    /// is not), control characters other than whitespace replaced by
    /// spaces, surrounding whitespace stripped. Missing: a
    /// [`MissingArgumentError`] (answered `400`).
    pub fn get_argument(&self, name: &str) -> WebResult<String> {
        self.required(ArgumentSource::All, name)
    }

    /// [`get_argument`](Self::get_argument), `default` when missing.
    pub fn get_argument_or(&self, name: &str, default: &str) -> WebResult<String> {
        Ok(self
            .argument_from(ArgumentSource::All, name, true)?
            .unwrap_or_else(|| default.to_owned()))
    }

    /// [`get_argument`](Self::get_argument), `None` when missing.
    pub fn get_argument_opt(&self, name: &str) -> WebResult<Option<String>> {
        self.argument_from(ArgumentSource::All, name, true)
    }

    /// Every value of argument `name`, from the query and the form body
    /// (Tornado's `get_arguments`); empty when missing.
    pub fn get_arguments(&self, name: &str) -> WebResult<Vec<String>> {
        self.arguments_from(ArgumentSource::All, name, true)
    }

    /// [`get_argument`](Self::get_argument) from the query string only.
    pub fn get_query_argument(&self, name: &str) -> WebResult<String> {
        self.required(ArgumentSource::Query, name)
    }

    /// [`get_query_argument`](Self::get_query_argument), `default` when
    /// missing.
    pub fn get_query_argument_or(&self, name: &str, default: &str) -> WebResult<String> {
        Ok(self
            .argument_from(ArgumentSource::Query, name, true)?
            .unwrap_or_else(|| default.to_owned()))
    }

    /// [`get_arguments`](Self::get_arguments) from the query string only.
    pub fn get_query_arguments(&self, name: &str) -> WebResult<Vec<String>> {
        self.arguments_from(ArgumentSource::Query, name, true)
    }

    /// [`get_argument`](Self::get_argument) from the form body only.
    pub fn get_body_argument(&self, name: &str) -> WebResult<String> {
        self.required(ArgumentSource::Body, name)
    }

    /// [`get_body_argument`](Self::get_body_argument), `default` when
    /// missing.
    pub fn get_body_argument_or(&self, name: &str, default: &str) -> WebResult<String> {
        Ok(self
            .argument_from(ArgumentSource::Body, name, true)?
            .unwrap_or_else(|| default.to_owned()))
    }

    /// [`get_arguments`](Self::get_arguments) from the form body only.
    pub fn get_body_arguments(&self, name: &str) -> WebResult<Vec<String>> {
        self.arguments_from(ArgumentSource::Body, name, true)
    }

    /// The body read as JSON into a `T`: `415 Unsupported Media Type`
    /// unless the `Content-Type` is `application/json` (or another
    /// `+json` type), `400 Bad Request` when the body is not valid JSON
    /// for `T`.
    pub fn json_body<T: DeserializeOwned>(&self) -> WebResult<T> {
        let content_type = self.request.headers.get("Content-Type").unwrap_or("");
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if media_type != "application/json" && !media_type.ends_with("+json") {
            return Err(HttpError::new(415)
                .log_message(format!("expected a JSON body, got {content_type:?}"))
                .into());
        }
        serde_json::from_slice(&self.request.body).map_err(|error| {
            HttpError::new(400)
                .log_message(format!("invalid JSON body: {error}"))
                .into()
        })
    }
}
