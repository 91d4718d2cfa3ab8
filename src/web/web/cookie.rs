//! Cookies on [`Context`]: reading the request's, setting and clearing
//! the response's (Tornado's `get_cookie`, `set_cookie`, `clear_cookie`,
//! `clear_all_cookies`), and [`CookieOptions`].

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use super::error::usage;
use super::{Context, WebResult};
use crate::httputil::format_timestamp;

/// The `SameSite` attribute of a cookie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameSite {
    /// Sent with same-site requests and top-level cross-site navigations.
    Lax,
    /// Sent with same-site requests only.
    Strict,
    /// Sent with every request (browsers require `secure` with it).
    None,
}

impl SameSite {
    fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }
}

/// The attributes of a cookie being set (Tornado's `set_cookie` keyword
/// arguments).
///
/// ```
/// use supercell::web::{CookieOptions, SameSite};
///
/// let options = CookieOptions {
///     httponly: true,
///     samesite: Some(SameSite::Strict),
///     ..CookieOptions::default()
/// };
/// assert_eq!(options.path, "/");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CookieOptions {
    /// `Domain`. Default: none (the request's host only).
    pub domain: Option<String>,
    /// `Path`. Default: `/`.
    pub path: String,
    /// `expires`, as a time. Default: none (a session cookie).
    pub expires: Option<SystemTime>,
    /// `expires`, in days from now (Tornado's `expires_days`; used when
    /// `expires` is not set). Default: none.
    pub expires_days: Option<f64>,
    /// `Max-Age`, in seconds. Default: none.
    pub max_age: Option<u64>,
    /// `Secure`. Default: off.
    pub secure: bool,
    /// `HttpOnly`. Default: off.
    pub httponly: bool,
    /// `SameSite`. Default: none (the browser's default).
    pub samesite: Option<SameSite>,
}

impl Default for CookieOptions {
    fn default() -> CookieOptions {
        CookieOptions {
            domain: None,
            path: "/".to_owned(),
            expires: None,
            expires_days: None,
            max_age: None,
            secure: false,
            httponly: false,
            samesite: None,
        }
    }
}

/// Characters a cookie value may hold without quotes (as Python's
/// `http.cookies`, which Tornado's `Set-Cookie` output follows).
fn is_legal(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~:".contains(c)
}

/// `value` as Python's `http.cookies` writes it: as it is when every
/// character is legal, otherwise in double quotes with `"` and `\`
/// escaped and other characters outside printable ASCII (and `,`, `;`)
/// as octal escapes.
fn quoted(value: &str) -> String {
    if !value.is_empty() && value.chars().all(is_legal) {
        return value.to_owned();
    }
    if value.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_legal(c) || " ()/<=>?@[]{}".contains(c) || (c as u32) > 0xff => out.push(c),
            c => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// The `Set-Cookie` value for `name=value` with `options`, attributes in
/// the order Python's `http.cookies` writes them.
fn set_cookie_value(name: &str, value: &str, options: &CookieOptions) -> String {
    let mut out = format!("{name}={}", quoted(value));
    if let Some(domain) = &options.domain {
        let _ = write!(out, "; Domain={domain}");
    }
    let expires = options.expires.or_else(|| {
        options.expires_days.map(|days| {
            let secs = Duration::from_secs_f64((days * 86_400.0).max(0.0));
            SystemTime::now() + secs
        })
    });
    if let Some(expires) = expires {
        let _ = write!(out, "; expires={}", format_timestamp(expires));
    }
    if options.httponly {
        out.push_str("; HttpOnly");
    }
    if let Some(max_age) = options.max_age {
        let _ = write!(out, "; Max-Age={max_age}");
    }
    if !options.path.is_empty() {
        let _ = write!(out, "; Path={}", options.path);
    }
    if let Some(samesite) = options.samesite {
        let _ = write!(out, "; SameSite={}", samesite.as_str());
    }
    if options.secure {
        out.push_str("; Secure");
    }
    out
}

/// The attributes of a cookie at `path` and `domain`, nothing else.
fn clearing_options(path: &str, domain: Option<&str>) -> CookieOptions {
    CookieOptions {
        domain: domain.map(str::to_owned),
        path: path.to_owned(),
        ..CookieOptions::default()
    }
}

impl Context {
    /// The value of the request's cookie `name` (Tornado's `get_cookie`).
    pub fn get_cookie(&self, name: &str) -> Option<String> {
        self.request.cookies().remove(name)
    }

    /// Sets cookie `name` to `value` with `options` (Tornado's
    /// `set_cookie`): a `Set-Cookie` header in the response. Setting the
    /// same name again replaces the earlier one. Fails when the name is
    /// not a token (letters, digits and ``!#$%&'*+-.^_`|~:``), the value
    /// holds a control character, a space or a non-ASCII character (encode
    /// such values first, with [`url_escape`](crate::escape::url_escape)
    /// say), or an attribute holds `;` or a control character.
    pub fn set_cookie(&mut self, name: &str, value: &str, options: &CookieOptions) -> WebResult {
        let invalid = |text: &str| text.bytes().any(|b| b <= 0x20 || b >= 0x7f);
        if name.is_empty() || !name.chars().all(is_legal) || invalid(value) {
            return Err(usage(format!("Invalid cookie {name:?}: {value:?}")));
        }
        let bad_attribute = |text: &str| text.bytes().any(|b| b < 0x20 || b == 0x7f || b == b';');
        if options.domain.as_deref().is_some_and(bad_attribute) || bad_attribute(&options.path) {
            return Err(usage(format!("Invalid attributes for cookie {name:?}")));
        }
        let header = set_cookie_value(name, value, options);
        let cookies = &mut self.extras_mut().new_cookies;
        match cookies.iter_mut().find(|(key, _)| key == name) {
            Some(cookie) => cookie.1 = header,
            None => cookies.push((name.to_owned(), header)),
        }
        Ok(())
    }

    /// Deletes cookie `name` at `path` (and `domain`): sets it empty,
    /// expired a year ago (Tornado's `clear_cookie`). The path and domain
    /// must be those it was set with.
    pub fn clear_cookie(&mut self, name: &str, path: &str, domain: Option<&str>) -> WebResult {
        self.clear_cookie_with(name, &clearing_options(path, domain))
    }

    /// Deletes cookie `name` with the attributes of `options` (its path and
    /// domain, and `Secure`, `SameSite` or `HttpOnly` as it was set with:
    /// a browser ignores a `__Secure-` or `__Host-` cookie's deletion
    /// without `Secure`). Its `expires`, `expires_days` and `max_age` are
    /// not used: the cookie is set empty, expired a year ago.
    pub fn clear_cookie_with(&mut self, name: &str, options: &CookieOptions) -> WebResult {
        let options = CookieOptions {
            expires: Some(SystemTime::now() - Duration::from_secs(365 * 86_400)),
            expires_days: None,
            max_age: None,
            ..options.clone()
        };
        self.set_cookie(name, "", &options)
    }

    /// Deletes every cookie the request sent (Tornado's
    /// `clear_all_cookies`), at `path` and `domain`.
    pub fn clear_all_cookies(&mut self, path: &str, domain: Option<&str>) -> WebResult {
        self.clear_all_cookies_with(&clearing_options(path, domain))
    }

    /// Deletes every cookie the request sent, each as
    /// [`clear_cookie_with`](Self::clear_cookie_with) does with `options`.
    pub fn clear_all_cookies_with(&mut self, options: &CookieOptions) -> WebResult {
        let mut names: Vec<String> = self.request.cookies().into_keys().collect();
        names.sort();
        for name in names {
            self.clear_cookie_with(&name, options)?;
        }
        Ok(())
    }

    /// Moves the cookies set into `Set-Cookie` headers.
    #[inline]
    pub(super) fn emit_cookies(&mut self) {
        if self
            .extras
            .as_ref()
            .is_some_and(|extras| !extras.new_cookies.is_empty())
        {
            self.put_new_cookies();
        }
    }

    /// [`emit_cookies`](Self::emit_cookies) when there are some.
    #[cold]
    fn put_new_cookies(&mut self) {
        let Some(extras) = &mut *self.extras else {
            return;
        };
        for (_, value) in std::mem::take(&mut extras.new_cookies) {
            if let Ok(value) = http::HeaderValue::try_from(value) {
                self.headers.append(http::header::SET_COOKIE, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_as_python_quotes_them() {
        assert_eq!(quoted("abc"), "abc");
        assert_eq!(quoted("a b"), "\"a b\"");
        assert_eq!(quoted("a;b"), "\"a\\073b\"");
        assert_eq!(quoted("a,b"), "\"a\\054b\"");
        assert_eq!(quoted("a\"b"), "\"a\\\"b\"");
        assert_eq!(quoted("a\\b"), "\"a\\\\b\"");
        assert_eq!(quoted(""), "");
    }

    proptest::proptest! {
        #[test]
        fn quoted_values_read_back_as_set(value in "[ -~]{0,40}") {
            let header = format!("name={}", quoted(&value));
            let parsed = crate::httputil::parse_cookie(&header);
            let read = parsed.into_iter().find(|(name, _)| name == "name").map(|(_, v)| v);
            proptest::prop_assert_eq!(read.unwrap_or_default(), value);
        }
    }

    #[test]
    fn attributes_come_in_python_order() {
        let options = CookieOptions {
            domain: Some("example.com".into()),
            max_age: Some(10),
            secure: true,
            httponly: true,
            samesite: Some(SameSite::Lax),
            ..CookieOptions::default()
        };
        assert_eq!(
            set_cookie_value("foo", "bar", &options),
            "foo=bar; Domain=example.com; HttpOnly; Max-Age=10; Path=/; SameSite=Lax; Secure"
        );
    }
}
