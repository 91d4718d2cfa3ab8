//! Signed ("secure") cookies on [`Context`] (Tornado's
//! `set_secure_cookie`, `get_secure_cookie`,
//! `get_secure_cookie_key_version`, `create_signed_value`), with the
//! application's `cookie_secret`.

use super::error::usage;
use super::{
    Context, CookieOptions, CookieSecret, DEFAULT_MAX_AGE_DAYS, DEFAULT_SIGNED_VALUE_MIN_VERSION,
    SignedValueVersion, WebResult, create_signed_value, decode_signed_value,
    get_signature_key_version,
};
use crate::util::log_target::GEN_LOG;

/// How long a secure cookie lives by default, in days (Tornado's).
const SECURE_COOKIE_DAYS: f64 = 30.0;

impl Context {
    /// The `cookie_secret` setting, required here.
    fn cookie_secret(&self) -> WebResult<&CookieSecret> {
        self.settings()
            .cookie_secret
            .as_ref()
            .ok_or_else(|| usage("secure cookies need the cookie_secret setting"))
    }

    /// `value` signed with the application's `cookie_secret` for cookie
    /// `name` (Tornado's `RequestHandler.create_signed_value`), in
    /// `version` (default: 2).
    pub fn create_signed_value(
        &self,
        name: &str,
        value: impl AsRef<[u8]>,
        version: Option<SignedValueVersion>,
    ) -> WebResult<String> {
        let version = version.unwrap_or_default();
        Ok(create_signed_value(
            self.cookie_secret()?,
            name,
            value,
            version,
        )?)
    }

    /// Sets cookie `name` to `value`, signed and timestamped so that it
    /// cannot be forged (Tornado's `set_secure_cookie`); it expires in 30
    /// days. Read it back with
    /// [`get_secure_cookie`](Self::get_secure_cookie).
    pub fn set_secure_cookie(&mut self, name: &str, value: impl AsRef<[u8]>) -> WebResult {
        let options = CookieOptions {
            expires_days: Some(SECURE_COOKIE_DAYS),
            ..CookieOptions::default()
        };
        self.set_secure_cookie_with(name, value, &options, None)
    }

    /// [`set_secure_cookie`](Self::set_secure_cookie) with the cookie's
    /// `options` and the signed value's `version`.
    pub fn set_secure_cookie_with(
        &mut self,
        name: &str,
        value: impl AsRef<[u8]>,
        options: &CookieOptions,
        version: Option<SignedValueVersion>,
    ) -> WebResult {
        let signed = self.create_signed_value(name, value, version)?;
        self.set_cookie(name, &signed, options)
    }

    /// The value of signed cookie `name`, if the request has it and its
    /// signature is valid and at most 31 days old (Tornado's
    /// `get_secure_cookie`). Fails only without a `cookie_secret`.
    pub fn get_secure_cookie(&self, name: &str) -> WebResult<Option<Vec<u8>>> {
        self.get_secure_cookie_with(name, None, DEFAULT_MAX_AGE_DAYS, None)
    }

    /// [`get_secure_cookie`](Self::get_secure_cookie) of `value` (the
    /// request's cookie when `None`), accepting signatures up to
    /// `max_age_days` old and of at least `min_version` (default: 1).
    pub fn get_secure_cookie_with(
        &self,
        name: &str,
        value: Option<&str>,
        max_age_days: f64,
        min_version: Option<SignedValueVersion>,
    ) -> WebResult<Option<Vec<u8>>> {
        let secret = self.cookie_secret()?;
        let Some(value) = value.map(str::to_owned).or_else(|| self.get_cookie(name)) else {
            return Ok(None);
        };
        let min_version = min_version.unwrap_or(DEFAULT_SIGNED_VALUE_MIN_VERSION);
        match decode_signed_value(secret, name, value, max_age_days, min_version) {
            Ok(decoded) => Ok(Some(decoded)),
            Err(error) => {
                tracing::debug!(target: GEN_LOG, "Invalid signed cookie {name:?}: {error}");
                Ok(None)
            }
        }
    }

    /// The key version signed cookie `name` (or `value`) was signed with
    /// (Tornado's `get_secure_cookie_key_version`).
    pub fn get_secure_cookie_key_version(&self, name: &str, value: Option<&str>) -> Option<u32> {
        let value = value.map(str::to_owned).or_else(|| self.get_cookie(name))?;
        get_signature_key_version(value)
    }
}
