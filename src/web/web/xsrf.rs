//! Cross-site request forgery protection on [`Context`] (Tornado's
//! `xsrf_token`, `check_xsrf_cookie`, `xsrf_form_html`): a random token
//! in the XSRF cookie (`_xsrf` unless the `xsrf_cookie_name` setting
//! says another), handed out masked afresh each time, which every
//! form submission must send back.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{
    Context, CookieOptions, HttpError, WebResult, XsrfTokenVersion, decode_xsrf_token,
    encode_xsrf_token, new_xsrf_token, xsrf_tokens_equal,
};
use crate::escape::xhtml_escape;

/// The XSRF token a request came with, or a new one.
#[derive(Clone, Debug)]
pub(super) struct RawXsrfToken {
    /// Read from the request's cookie (not made here).
    from_cookie: bool,
    token: Vec<u8>,
    timestamp: i64,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// What undoes a tentative XSRF token: whether the token and its cookie
/// were there before.
pub(super) struct XsrfUndo {
    token_known: bool,
    cookie_set: bool,
}

impl Context {
    /// The raw token of the request's XSRF cookie, or a new one.
    fn raw_xsrf_token(&mut self) -> RawXsrfToken {
        if let Some(raw) = self.extras().and_then(|extras| extras.raw_xsrf.as_ref()) {
            return raw.clone();
        }
        let decoded = self
            .get_cookie(&self.settings().xsrf_cookie_name)
            .and_then(|cookie| decode_xsrf_token(cookie).ok());
        let raw = match decoded {
            Some(decoded) => RawXsrfToken {
                from_cookie: true,
                token: decoded.token,
                timestamp: decoded.timestamp.unwrap_or_else(unix_now),
            },
            None => RawXsrfToken {
                from_cookie: false,
                token: new_xsrf_token().to_vec(),
                timestamp: unix_now(),
            },
        };
        self.extras_mut().raw_xsrf = Some(raw.clone());
        raw
    }

    /// The XSRF token for this request's forms (Tornado's `xsrf_token`):
    /// the token of the XSRF cookie (`xsrf_cookie_name`, `_xsrf` by
    /// default), masked afresh (in the
    /// `xsrf_cookie_version` setting's format). Without a valid cookie, a
    /// new token is made and the cookie set, with the
    /// `xsrf_cookie_kwargs` setting's attributes (expiring in 30 days for
    /// a logged-in user). The same value for the whole request.
    pub fn xsrf_token(&mut self) -> WebResult<String> {
        if let Some(token) = self.extras().and_then(|extras| extras.xsrf_token.as_ref()) {
            return Ok(token.clone());
        }
        let raw = self.raw_xsrf_token();
        let version = self.settings().xsrf_cookie_version;
        let token = encode_xsrf_token(&raw.token, raw.timestamp, version);
        if !raw.from_cookie {
            let mut options: CookieOptions = self.settings().xsrf_cookie_kwargs.clone();
            if options.expires.is_none()
                && options.expires_days.is_none()
                && self.current_user().is_some()
            {
                options.expires_days = Some(30.0);
            }
            let name = self.settings().xsrf_cookie_name.clone();
            self.set_cookie(&name, &token, &options)?;
        }
        self.extras_mut().xsrf_token = Some(token.clone());
        Ok(token)
    }

    /// Checks that the request sent back the token of its XSRF cookie
    /// (Tornado's `check_xsrf_cookie`), as the `_xsrf` argument or the
    /// `X-Xsrftoken` or `X-Csrftoken` header (the first of them that is
    /// not empty): `403 Forbidden` otherwise.
    /// With the `xsrf_cookies` setting on, it runs before `prepare` for
    /// every method but `GET`, `HEAD` and `OPTIONS` (through the
    /// handler's [`check_xsrf_cookie`](super::RequestHandler::check_xsrf_cookie)).
    pub fn check_xsrf_cookie(&mut self) -> WebResult {
        // The first of the three that is there and not empty.
        let header = |name| {
            self.request
                .headers
                .get(name)
                .filter(|value| !value.is_empty())
        };
        let sent = match self.get_argument_opt("_xsrf")? {
            Some(token) if !token.is_empty() => Some(token),
            _ => header("X-Xsrftoken")
                .or_else(|| header("X-Csrftoken"))
                .map(str::to_owned),
        };
        let Some(sent) = sent else {
            return Err(HttpError::new(403)
                .log_message("'_xsrf' argument missing from POST")
                .into());
        };
        let Ok(sent) = decode_xsrf_token(&sent) else {
            return Err(HttpError::new(403)
                .log_message("'_xsrf' argument has invalid format")
                .into());
        };
        let expected = self.raw_xsrf_token();
        if !xsrf_tokens_equal(&sent.token, &expected.token) {
            return Err(HttpError::new(403)
                .log_message("XSRF cookie does not match POST argument")
                .into());
        }
        Ok(())
    }

    /// [`xsrf_form_html`](Self::xsrf_form_html) for a page that may not
    /// use it: with what [`undo_xsrf_token`](Self::undo_xsrf_token)
    /// needs to forget the token (and the cookie it set) if it does not.
    pub(super) fn tentative_xsrf_form_html(&mut self) -> WebResult<(String, XsrfUndo)> {
        let undo = XsrfUndo {
            token_known: self
                .extras()
                .is_some_and(|extras| extras.xsrf_token.is_some()),
            cookie_set: self.extras().is_some_and(|extras| {
                let cookie = &self.settings().xsrf_cookie_name;
                extras.new_cookies.iter().any(|(name, _)| name == cookie)
            }),
        };
        Ok((self.xsrf_form_html()?, undo))
    }

    /// Forgets the token [`tentative_xsrf_form_html`](Self::tentative_xsrf_form_html)
    /// made, and the cookie it set, when they were not there before.
    pub(super) fn undo_xsrf_token(&mut self, undo: XsrfUndo) {
        // The fields borrowed apart: the name is read while the cookies
        // change, without a copy of either.
        let cookie = &self.app.settings().xsrf_cookie_name;
        let extras = self.extras.get_or_insert_with(Box::default);
        if !undo.token_known {
            extras.xsrf_token = None;
        }
        if !undo.cookie_set {
            extras.new_cookies.retain(|(name, _)| name != cookie);
        }
    }

    /// A hidden form field holding the XSRF token (Tornado's
    /// `xsrf_form_html`), for every form that posts to this application
    /// with `xsrf_cookies` on.
    pub fn xsrf_form_html(&mut self) -> WebResult<String> {
        let token = self.xsrf_token()?;
        Ok(format!(
            "<input type=\"hidden\" name=\"_xsrf\" value=\"{}\"/>",
            xhtml_escape(&token)
        ))
    }
}

/// The default XSRF token version (2, masked).
pub(super) fn default_version() -> XsrfTokenVersion {
    XsrfTokenVersion::V2
}
