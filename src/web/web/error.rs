//! The errors a handler ends with: [`HttpError`] (an error response),
//! [`MissingArgumentError`] (400), [`Finish`] (an early, normal end) and
//! [`WebError`], which carries any of them or any other error.

use std::borrow::Cow;
use std::error::Error;
use std::fmt;

use crate::httputil::reason_or_unknown;

/// An error that becomes an HTTP error response (Tornado's `HTTPError`):
/// the handler's [`write_error`](super::RequestHandler::write_error)
/// renders the page for `status`. `log_message` goes to the general log
/// (as a warning) and is never shown to the client; `reason` replaces the
/// standard reason phrase (needed for a code that has none).
///
/// ```
/// use supercell::web::HttpError;
///
/// let error = HttpError::new(403).log_message("user 7 may not edit post 9");
/// assert_eq!(error.to_string(), "HTTP 403: Forbidden (user 7 may not edit post 9)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError {
    /// The response status.
    pub status: u16,
    /// What the log says about it (not sent to the client).
    pub log_message: Option<String>,
    /// The reason phrase, when not the standard one.
    pub reason: Option<String>,
}

impl HttpError {
    /// An error answered with `status`.
    pub fn new(status: u16) -> HttpError {
        HttpError {
            status,
            log_message: None,
            reason: None,
        }
    }

    /// This error, with `message` for the log.
    pub fn log_message(mut self, message: impl Into<String>) -> HttpError {
        self.log_message = Some(message.into());
        self
    }

    /// This error, with `reason` as the reason phrase.
    pub fn reason(mut self, reason: impl Into<String>) -> HttpError {
        self.reason = Some(reason.into());
        self
    }

    /// The reason phrase: the one given, the standard one, or `Unknown`.
    pub fn reason_phrase(&self) -> Cow<'_, str> {
        match &self.reason {
            Some(reason) => Cow::Borrowed(reason),
            None => Cow::Borrowed(reason_or_unknown(self.status)),
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.reason_phrase())?;
        if let Some(message) = &self.log_message {
            write!(f, " ({message})")?;
        }
        Ok(())
    }
}

impl Error for HttpError {}

/// A required argument is missing (Tornado's `MissingArgumentError`):
/// answered `400 Bad Request`, the log saying which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingArgumentError {
    /// The argument's name.
    pub name: String,
}

impl fmt::Display for MissingArgumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP 400: Bad Request (Missing argument {})", self.name)
    }
}

impl Error for MissingArgumentError {}

impl MissingArgumentError {
    /// The [`HttpError`] this error is answered as.
    pub fn to_http_error(&self) -> HttpError {
        HttpError::new(400).log_message(format!("Missing argument {}", self.name))
    }
}

/// Ends the request without an error response (Tornado's `Finish`): the
/// response is finished as it stands, after `body` is written when
/// given. Return it as an error from any handler method:
/// `return Err(Finish::new().into())`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Finish {
    /// Written before finishing.
    pub body: Option<Vec<u8>>,
}

impl Finish {
    /// Ends the request as it stands.
    pub fn new() -> Finish {
        Finish::default()
    }

    /// Ends the request after writing `body`.
    pub fn with_body(body: impl Into<Vec<u8>>) -> Finish {
        Finish {
            body: Some(body.into()),
        }
    }
}

impl fmt::Display for Finish {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("request finished early")
    }
}

impl Error for Finish {}

/// What a handler method fails with: any error (`?` converts one), among
/// which [`HttpError`], [`MissingArgumentError`] and [`Finish`] have their
/// meaning for the response; any other is answered `500` and logged on
/// the application log.
///
/// Like `anyhow::Error`, it is not itself a [`std::error::Error`], so that
/// every error type converts into it.
pub struct WebError(Box<dyn Error + Send + Sync + 'static>);

impl<E: Error + Send + Sync + 'static> From<E> for WebError {
    fn from(error: E) -> WebError {
        WebError(Box::new(error))
    }
}

impl WebError {
    /// An error with a message only (answered `500`).
    pub fn msg(message: impl Into<String>) -> WebError {
        WebError(message.into().into())
    }

    /// The error, if it is an `E`.
    pub fn downcast_ref<E: Error + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref()
    }

    /// The error inside.
    pub fn inner(&self) -> &(dyn Error + Send + Sync + 'static) {
        &*self.0
    }

    /// The [`HttpError`] this error is answered as, when it is one (or a
    /// [`MissingArgumentError`]).
    pub fn http_error(&self) -> Option<HttpError> {
        if let Some(error) = self.downcast_ref::<HttpError>() {
            return Some(error.clone());
        }
        self.downcast_ref::<MissingArgumentError>()
            .map(MissingArgumentError::to_http_error)
    }

    /// The status this error is answered with: an [`HttpError`]'s, 400
    /// for a missing argument, otherwise 500.
    pub fn status(&self) -> u16 {
        self.http_error().map_or(500, |error| error.status)
    }
}

impl fmt::Display for WebError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for WebError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// What a handler method returns.
pub type WebResult<T = ()> = Result<T, WebError>;

/// A handler used the response API wrongly (Tornado's `RuntimeError`s
/// and assertions: writing after `finish`, a body on a 204, a redirect
/// after the head is written, ...). Answered `500` when returned from a
/// handler method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for UsageError {}

/// A [`UsageError`] saying `why`, as a [`WebError`].
pub(super) fn usage(why: impl Into<String>) -> WebError {
    UsageError(why.into()).into()
}
